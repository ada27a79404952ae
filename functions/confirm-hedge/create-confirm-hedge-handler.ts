/**
 * The confirmer's trigger: an SQS standard queue fed by the EventBridge rule on Hedge
 * Submitted (each body is the EventBridge event as JSON, as an SQS target delivers it),
 * with ReportBatchItemFailures. followHedge looks once per delivery; the queue is the
 * loop that looks again, so no invocation sleeps waiting for a block.
 *
 * - 'pending' (not mined, too few confirmations, replaced, cancel sent) → listed in
 *   batchItemFailures: SQS delivers it again. Before that, extendVisibility pushes the
 *   next delivery out by retryDelaySeconds(ApproximateReceiveCount), so a hedge stuck
 *   for long is looked at less and less often instead of every visibility timeout.
 *   A failure to extend is reported and the record is listed all the same (it then comes
 *   back after the queue's own visibility timeout).
 * - confirmed / failed / already-final / unknown-hedge → done.
 * - followHedge throws (RPC, store, bus, signer) → listed: the next look starts from the
 *   journal again, so a retry is safe. The queue's redrive policy ends it in the DLQ.
 * - A body that is not a Hedge Submitted → reported to onError and NOT listed: no retry
 *   can make it valid (a new event version is deployed consumers first).
 *
 * Records are processed one after another (a batch is small; the RPC node is shared).
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { followHedge, type FollowHedgeDeps, type FollowOutcome } from '../../shared/app/confirm-hedge/follow-hedge.ts';
import { decodeEventBody } from '../../shared/contracts/events/decode-event-body.ts';
import type { EventDetail } from '../../shared/contracts/events/event-definitions.ts';
import { retryDelaySeconds, type ExtendVisibility } from '../../shared/adapters/sqs/visibility-backoff.ts';
import { processRecordsInGroupOrder } from '../../shared/runtime/sqs/process-in-group-order.ts';

export { RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, retryDelaySeconds, type ExtendVisibility } from '../../shared/adapters/sqs/visibility-backoff.ts';

export interface ConfirmHedgeHandlerOptions {
  readonly deps: FollowHedgeDeps;
  readonly extendVisibility: ExtendVisibility;
  /** Told about dropped and failed records (ids and errors, never bodies). */
  readonly onError?: (error: unknown, record: Pick<SQSRecord, 'messageId'>, disposition: ConfirmHedgeErrorDisposition) => void;
  readonly onOutcome?: (outcome: FollowOutcome, record: Pick<SQSRecord, 'messageId'>) => void;
}

export type ConfirmHedgeErrorDisposition = 'dropped-malformed' | 'retry' | 'visibility-not-extended';

export type ConfirmHedgeHandler = middy.MiddyfiedHandler<SQSEvent, SQSBatchResponse>;

/** @example export const handler = createConfirmHedgeHandler({ deps, extendVisibility }); */
export function createConfirmHedgeHandler(options: ConfirmHedgeHandlerOptions): ConfirmHedgeHandler {
  return middy<SQSEvent, SQSBatchResponse>().handler((event) =>
    // A standard queue: its records carry no message group, so none blocks another.
    processRecordsInGroupOrder(event.Records, async (record) => {
      let submitted: EventDetail<'Hedge Submitted'>;
      try {
        submitted = decodeEventBody('Hedge Submitted', record.body).detail;
      } catch (error) {
        options.onError?.(error, record, 'dropped-malformed');
        return 'done';
      }
      let outcome: FollowOutcome;
      try {
        outcome = await followHedge(options.deps, submitted);
      } catch (error) {
        options.onError?.(error, record, 'retry');
        return 'retry';
      }
      options.onOutcome?.(outcome, record);
      if (outcome.status !== 'pending') return 'done';
      try {
        await options.extendVisibility(record, retryDelaySeconds(Number(record.attributes.ApproximateReceiveCount)));
      } catch (error) {
        options.onError?.(error, record, 'visibility-not-extended');
      }
      return 'retry';
    }),
  );
}
