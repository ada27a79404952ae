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
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { decodeConfirmationMessage } from '../../shared/adapters/sqs/confirmation-message.ts';
import { retryDelaySeconds, type ExtendVisibility } from '../../shared/adapters/sqs/visibility-backoff.ts';
import { confirmPositions, type ConfirmOutcome, type ConfirmPositionsDeps } from '../../shared/app/confirm-positions/confirm-positions.ts';
import { processRecordsInGroupOrder } from '../../shared/runtime/sqs/process-in-group-order.ts';

export interface ConfirmPositionsHandlerOptions {
  readonly deps: ConfirmPositionsDeps;
  /** Told about dropped and failed records (ids and errors, never bodies). */
  readonly onError?: (error: unknown, record: Pick<SQSRecord, 'messageId'>) => void;
  readonly onOutcome?: (outcome: ConfirmOutcome, record: Pick<SQSRecord, 'messageId'>) => void;
  /** Pushes a deferred record's next delivery out (growing with its receive count). */
  readonly extendVisibility?: ExtendVisibility;
}

export type ConfirmPositionsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/** @example export const handler = createConfirmPositionsHandler({ deps }); */
export function createConfirmPositionsHandler(options: ConfirmPositionsHandlerOptions): ConfirmPositionsHandler {
  return (event) =>
    processRecordsInGroupOrder(event.Records, async (record) => {
      try {
        const request = decodeConfirmationMessage(record.body);
        try {
          const outcome = await confirmPositions(options.deps, request);
          options.onOutcome?.(outcome, record);
          if (outcome.status !== 'deferred') return 'done';
          if (options.extendVisibility !== undefined) {
            try {
              await options.extendVisibility(record, retryDelaySeconds(Number(record.attributes.ApproximateReceiveCount)));
            } catch (error) {
              options.onError?.(error, record); // listed all the same: it returns after the queue's own timeout
            }
          }
          return 'retry';
        } catch (error) {
          options.onError?.(error, record);
          return 'retry';
        }
      } catch (error) {
        options.onError?.(error, record); // poison message: dropped
        return 'done';
      }
    });
}
