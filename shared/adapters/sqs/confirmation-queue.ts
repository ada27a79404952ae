/**
 * The confirmation queue over SQS SendMessageBatch: the only code that sends to SQS.
 *
 * - Body: the zod-validated ConfirmationRequest JSON (confirmation-message.ts). An invalid
 *   request, or one whose body exceeds the message limit, is rejected before any call:
 *   nothing of that enqueue is sent.
 * - Batches: at most 10 entries per call, and at most 256 KiB (262,144 bytes) per message
 *   and per call (sum of the bodies' UTF-8 lengths; we send no message attributes). These
 *   are the long-standing SendMessageBatch limits; AWS has since raised the service maximum
 *   to 1 MiB, but a queue's MaximumMessageSize may be lower, so 256 KiB stays the
 *   default (override with the options when the queue allows more).
 * - Partial failure: the call answers 200 with `Successful[]` and `Failed[]`, each naming the
 *   request entry by its batch-unique `Id`. Only failed entries with `SenderFault: false`
 *   (a service-side failure) are sent again, after exponential backoff with full jitter,
 *   up to `maxAttempts` calls per entry; a sender fault fails at once. An entry the
 *   response names in neither list is treated as a service-side failure. A succeeded entry
 *   is never sent again by this adapter.
 * - A call that throws leaves its entries' outcome unknown: they are not resent here; the
 *   error names them, and the caller (the webhook ingester releases its claim, so the
 *   provider retries) decides. A duplicate is harmless: the consumer is idempotent, and on a
 *   FIFO queue the deduplication id drops it within SQS's 5-minute window.
 * - FIFO (option, default: the queue URL ends in `.fifo`): MessageGroupId = chain + tx (one
 *   transaction's messages in order, different transactions in parallel) and
 *   MessageDeduplicationId = SHA-256 of (provider, delivery, chain, tx, block hash). On a
 *   standard queue neither is sent (SQS rejects them there).
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SendMessageBatchCommandOutput, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { ConfirmationQueue, ConfirmationRequest } from '../../app/ingest-webhook/ports.ts';
import { encodeConfirmationMessage } from './confirmation-message.ts';
import { BatchCallError, batchFailureSummary, checkMaxAttempts, sendInBatches, sleepMs, type BatchSendResult, type BatchSendRetry, type EntryOutcome, type FailedItem } from '../batch-send.ts';

export const SEND_MESSAGE_BATCH_LIMITS = { maxEntriesPerRequest: 10, maxMessageBytes: 262_144, maxRequestBytes: 262_144 } as const;

/** The slice of the SQS client we use (an SQSClient satisfies it). */
export interface SendMessageBatchClient {
  send(command: SendMessageBatchCommand): Promise<Pick<SendMessageBatchCommandOutput, 'Successful' | 'Failed'>>;
}

export interface SqsConfirmationQueueOptions {
  readonly queueUrl: string;
  /** FIFO queue: send MessageGroupId and MessageDeduplicationId. Default: the URL ends in `.fifo`. */
  readonly fifo?: boolean;
  /** Calls per entry including the first (default 5). */
  readonly maxAttempts?: number;
  /** First backoff ceiling, ms (default 100); doubles per retry round. */
  readonly baseDelayMs?: number;
  /** Backoff ceiling cap, ms (default 5000). */
  readonly maxDelayMs?: number;
  readonly maxEntriesPerRequest?: number;
  readonly maxMessageBytes?: number;
  readonly maxRequestBytes?: number;
  /** Injected for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1), for the jitter; injected for tests. */
  readonly random?: () => number;
}

export interface FailedMessage {
  readonly request: ConfirmationRequest;
  readonly code: string;
  readonly message: string;
  readonly senderFault: boolean;
  readonly attempts: number;
}

/** Some requests were not accepted by the queue; the others were, once each. */
export class ConfirmationEnqueueError extends Error {
  readonly code = 'CONFIRMATION_ENQUEUE_FAILED';
  readonly failed: readonly FailedMessage[];
  /** Requests whose outcome is unknown (their call threw) or that were never sent after it. */
  readonly unsent: readonly ConfirmationRequest[];
  readonly enqueuedCount: number;

  constructor(failed: readonly FailedMessage[], unsent: readonly ConfirmationRequest[], enqueuedCount: number, cause?: unknown) {
    const message = batchFailureSummary('SendMessageBatch', failed.map((f) => f.code), unsent.length, enqueuedCount, 'enqueued');
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ConfirmationEnqueueError';
    this.failed = failed;
    this.unsent = unsent;
    this.enqueuedCount = enqueuedCount;
  }
}

export class ConfirmationMessageTooLargeError extends Error {
  readonly code = 'CONFIRMATION_MESSAGE_TOO_LARGE';
  constructor(
    readonly txHash: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`confirmation message for ${txHash} is ${bytes} bytes (limit ${maxBytes})`);
    this.name = 'ConfirmationMessageTooLargeError';
  }
}

/** The FIFO deduplication id: stable for one (delivery, transaction, block), ≤ 128 characters. */
export function deduplicationId(request: ConfirmationRequest): string {
  return createHash('sha256').update(JSON.stringify([request.provider, request.deliveryId, request.chainId, request.txHash, request.blockHash])).digest('hex');
}

/**
 * @example
 * const queue = createSqsConfirmationQueue(new SQSClient({}), { queueUrl: env.CONFIRMATION_QUEUE_URL });
 * await queue.enqueue(requests);
 */
export function createSqsConfirmationQueue(client: SendMessageBatchClient, options: SqsConfirmationQueueOptions): ConfirmationQueue {
  const fifo = options.fifo ?? options.queueUrl.endsWith('.fifo');
  const retry: BatchSendRetry = {
    maxAttempts: options.maxAttempts ?? 5,
    baseDelayMs: options.baseDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 5000,
    sleep: options.sleep ?? sleepMs,
    random: options.random ?? Math.random,
  };
  const limits = {
    maxEntriesPerRequest: Math.min(options.maxEntriesPerRequest ?? SEND_MESSAGE_BATCH_LIMITS.maxEntriesPerRequest, SEND_MESSAGE_BATCH_LIMITS.maxEntriesPerRequest),
    maxRequestBytes: options.maxRequestBytes ?? SEND_MESSAGE_BATCH_LIMITS.maxRequestBytes,
  };
  const maxMessageBytes = options.maxMessageBytes ?? SEND_MESSAGE_BATCH_LIMITS.maxMessageBytes;
  checkMaxAttempts(retry.maxAttempts);

  interface Message {
    readonly request: ConfirmationRequest;
    readonly entry: SendMessageBatchRequestEntry;
  }

  function toMessage(request: ConfirmationRequest, index: number): { value: Message; size: number } {
    const body = encodeConfirmationMessage(request);
    const size = Buffer.byteLength(body, 'utf8');
    if (size > maxMessageBytes) throw new ConfirmationMessageTooLargeError(request.txHash, size, maxMessageBytes);
    const id = `m${index}`;
    const entry: SendMessageBatchRequestEntry = fifo
      ? { Id: id, MessageBody: body, MessageGroupId: `chain-${request.chainId}-${request.txHash.toLowerCase()}`, MessageDeduplicationId: deduplicationId(request) }
      : { Id: id, MessageBody: body };
    return { value: { request, entry }, size };
  }

  /** One SendMessageBatch call; results come back by entry id in Successful / Failed. */
  async function sendBatch(batch: readonly Message[]): Promise<EntryOutcome[]> {
    const output = await client.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: batch.map((m) => ({ ...m.entry })) }));
    const succeeded = new Set((output.Successful ?? []).map((s) => s.Id));
    const failures = new Map((output.Failed ?? []).map((f) => [f.Id, f]));
    return batch.map((m): EntryOutcome => {
      if (succeeded.has(m.entry.Id)) return { ok: true };
      // Missing from both lists breaks the response contract: a service-side failure.
      const failure = failures.get(m.entry.Id) ?? { Code: 'InternalError', Message: 'no result for this entry', SenderFault: false };
      return { ok: false, retryable: !(failure.SenderFault ?? false), code: failure.Code ?? 'Unknown', message: failure.Message ?? '' };
    });
  }

  const toFailedMessage = (f: FailedItem<Message>): FailedMessage => ({
    request: f.value.request,
    code: f.code,
    message: f.message,
    senderFault: !f.retryable,
    attempts: f.attempts,
  });

  async function enqueue(requests: readonly ConfirmationRequest[]): Promise<void> {
    const messages = requests.map(toMessage); // validates and sizes everything before the first call
    let result: BatchSendResult<Message>;
    try {
      result = await sendInBatches(messages, sendBatch, limits, retry);
    } catch (error) {
      if (!(error instanceof BatchCallError)) throw error;
      const failedCall = error as BatchCallError<Message>;
      throw new ConfirmationEnqueueError(failedCall.result.failed.map(toFailedMessage), failedCall.unsent.map((m) => m.request), failedCall.result.sent, failedCall.cause);
    }
    if (result.failed.length > 0) throw new ConfirmationEnqueueError(result.failed.map(toFailedMessage), [], result.sent);
  }

  return { enqueue };
}
