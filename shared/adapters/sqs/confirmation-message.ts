/**
 * The confirmation queue's message format: the body of an SQS message is the JSON of one
 * ConfirmationRequest, validated with ConfirmationRequestSchema on both sides (the producer
 * never sends what the consumer would reject; the consumer never trusts the queue).
 */
import * as z from 'zod';
import type { ConfirmationRequest } from '../../app/ingest-webhook/ports.ts';
import { CorrelationIdSchema } from '../../contracts/events/event-definitions.ts';

const Hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 32-byte hex hash');

export const ConfirmationRequestSchema = z.object({
  provider: z.string().min(1).max(64),
  deliveryId: z.string().min(1).max(512),
  chainId: z.number().int().positive(),
  txHash: Hash,
  blockHash: Hash,
  blockNumber: z.number().int().nonnegative(),
  logs: z.array(
    z.object({
      address: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address'),
      topics: z.array(Hash).max(4),
      data: z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'must be 0x-prefixed hex bytes'),
      logIndex: z.number().int().nonnegative(),
      removed: z.boolean(),
    }),
  ),
  /** The webhook request's correlation id, carried on to the events confirm-positions publishes (absent in messages sent before it existed). */
  correlationId: CorrelationIdSchema.optional(),
}) satisfies z.ZodType<ConfirmationRequest>;

/** A message body that is not a valid ConfirmationRequest (not JSON, or off-schema). Never worth retrying. */
export class InvalidConfirmationMessageError extends Error {
  readonly code = 'INVALID_CONFIRMATION_MESSAGE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidConfirmationMessageError';
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** The validated request as a message body. Throws InvalidConfirmationMessageError (nothing is sent). */
export function encodeConfirmationMessage(request: ConfirmationRequest): string {
  const parsed = ConfirmationRequestSchema.safeParse(request);
  if (!parsed.success) throw new InvalidConfirmationMessageError(`confirmation request is invalid: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  return JSON.stringify(parsed.data);
}

/** @example decodeConfirmationMessage(record.body) // { provider, deliveryId, chainId, txHash, … } */
export function decodeConfirmationMessage(body: string): ConfirmationRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (cause) {
    throw new InvalidConfirmationMessageError('confirmation message body is not JSON', { cause });
  }
  const parsed = ConfirmationRequestSchema.safeParse(json);
  if (!parsed.success) throw new InvalidConfirmationMessageError(`confirmation message is invalid: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  return parsed.data;
}
