/**
 * The SQS-triggered confirmation consumer (ReportBatchItemFailures): each record's body is
 * decoded with the zod schema and handed to confirmPositions. The response lists the
 * records SQS must deliver again, so only those are retried:
 *
 * - applied / reorged / ignored → done (not listed).
 * - deferred (too few confirmations) → listed; with `extendVisibility`, its next delivery
 *   is first pushed out by retryDelaySeconds(ApproximateReceiveCount) (a growing delay);
 *   without it, it comes back after the queue's visibility timeout.
 * - confirmPositions throws (RPC, store, publish, unknown chain) → listed.
 * - an undecodable body → NOT listed (no retry can fix it): reported to onError and dropped.
 * - FIFO queues: after a record of a message group is listed, the group's later records in
 *   the batch are listed unprocessed, keeping the group's order.
 *
 * Records are processed one after another (a batch is small; the RPC node and the store
 * are shared).
 *
 * Observability (when given, at the Lambda entry): the handler runs inside Powertools'
 * middlewares; each record's lines carry its message id and, once decoded, the webhook's
 * correlation id (carried on to Positions Changed and Evaluation Requested).
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeConfirmationMessage } from '../../shared/adapters/sqs/confirmation-message.ts';
import { retryDelaySeconds, type ExtendVisibility } from '../../shared/adapters/sqs/visibility-backoff.ts';
import { confirmPositions, type ConfirmOutcome, type ConfirmPositionsDeps } from '../../shared/app/confirm-positions/confirm-positions.ts';
import { withKeys } from '../../shared/app/telemetry.ts';
import { telemetryOf, withObservability, type HandlerObservability } from '../../shared/runtime/handler-observability.ts';
import { processRecordsInGroupOrder } from '../../shared/runtime/sqs/process-in-group-order.ts';

export interface ConfirmPositionsHandlerOptions {
  readonly deps: ConfirmPositionsDeps;
  /** Told about dropped and failed records (ids and errors, never bodies). */
  readonly onError?: (error: unknown, record: Pick<SQSRecord, 'messageId'>) => void;
  readonly onOutcome?: (outcome: ConfirmOutcome, record: Pick<SQSRecord, 'messageId'>) => void;
  /** Pushes a deferred record's next delivery out (growing with its receive count). */
  readonly extendVisibility?: ExtendVisibility;
  /** Powertools at the Lambda entry (logs, metrics, traces); none: nothing is logged. */
  readonly observability?: HandlerObservability;
}

/** The Lambda runtime passes a context; the local queue and the tests need not. */
export type ConfirmPositionsHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** @example export const handler = createConfirmPositionsHandler({ deps }); */
export function createConfirmPositionsHandler(options: ConfirmPositionsHandlerOptions): ConfirmPositionsHandler {
  const telemetry = telemetryOf(options.observability);
  const reportError = (error: unknown, record: SQSRecord, message: string, level: 'warn' | 'error'): void => {
    telemetry[level](message, { error });
    options.onError?.(error, record);
  };
  const handle = (event: SQSEvent): Promise<SQSBatchResponse> =>
    processRecordsInGroupOrder(event.Records, (record) =>
      withKeys(telemetry, { messageId: record.messageId }, async () => {
        let request;
        try {
          request = decodeConfirmationMessage(record.body);
        } catch (error) {
          reportError(error, record, 'malformed confirmation dropped', 'error'); // poison message: dropped
          return 'done';
        }
        return withKeys(telemetry, { correlationId: request.correlationId }, async () => {
          try {
            const outcome = await confirmPositions(options.deps, request);
            telemetry.info('confirmation handled', {
              status: outcome.status,
              chainId: request.chainId,
              txHash: request.txHash,
              provider: request.provider,
              ...('changes' in outcome ? { changes: outcome.changes.length, accounts: [...new Set(outcome.changes.map((c) => c.accountId))] } : {}),
              ...(outcome.status === 'deferred' ? { confirmations: outcome.confirmations, required: outcome.required } : {}),
            });
            options.onOutcome?.(outcome, record);
            if (outcome.status !== 'deferred') return 'done';
            if (options.extendVisibility !== undefined) {
              try {
                await options.extendVisibility(record, retryDelaySeconds(Number(record.attributes.ApproximateReceiveCount)));
              } catch (error) {
                reportError(error, record, 'next look not pushed out; the queue timeout applies', 'warn'); // listed all the same: it returns after the queue's own timeout
              }
            }
            return 'retry';
          } catch (error) {
            reportError(error, record, 'confirmation failed; the message will be delivered again', 'warn');
            return 'retry';
          }
        });
      }),
    );
  if (options.observability === undefined) return handle;
  const wrapped = withObservability(middy<SQSEvent, SQSBatchResponse>().handler(handle), options.observability);
  return (event, context) => wrapped(event, context ?? ({ awsRequestId: 'local', functionName: 'confirm-positions' } as Context));
}
