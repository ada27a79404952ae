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
 *
 * Observability (when given): each record's lines carry its message id and, once decoded,
 * the account, event, decision and hedge ids and the correlation id (carried on to Hedge
 * Confirmed / Hedge Failed); outcomes and failures are logged (errors redacted), the use
 * case's metrics go through the same telemetry.
 */
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { followHedge, type FollowHedgeDeps, type FollowOutcome } from '../../shared/app/confirm-hedge/follow-hedge.ts';
import { decodeEventBody } from '../../shared/contracts/events/decode-event-body.ts';
import type { EventDetail } from '../../shared/contracts/events/event-definitions.ts';
import { retryDelaySeconds, type ExtendVisibility } from '../../shared/adapters/sqs/visibility-backoff.ts';
import { withKeys } from '../../shared/app/telemetry.ts';
import { correlationIdOf } from '../../shared/contracts/events/event-definitions.ts';
import { telemetryOf, withObservability, type HandlerObservability } from '../../shared/runtime/handler-observability.ts';
import { processRecordsInGroupOrder } from '../../shared/runtime/sqs/process-in-group-order.ts';

export { RETRY_BASE_SECONDS, RETRY_MAX_SECONDS, retryDelaySeconds, type ExtendVisibility } from '../../shared/adapters/sqs/visibility-backoff.ts';

export interface ConfirmHedgeHandlerOptions {
  readonly deps: FollowHedgeDeps;
  readonly extendVisibility: ExtendVisibility;
  /** Told about dropped and failed records (ids and errors, never bodies). */
  readonly onError?: (error: unknown, record: Pick<SQSRecord, 'messageId'>, disposition: ConfirmHedgeErrorDisposition) => void;
  readonly onOutcome?: (outcome: FollowOutcome, record: Pick<SQSRecord, 'messageId'>) => void;
  /** Powertools at the Lambda entry (logs, metrics, traces); none: nothing is logged. */
  readonly observability?: HandlerObservability;
}

export type ConfirmHedgeErrorDisposition = 'dropped-malformed' | 'retry' | 'visibility-not-extended';

export type ConfirmHedgeHandler = middy.MiddyfiedHandler<SQSEvent, SQSBatchResponse>;

/** @example export const handler = createConfirmHedgeHandler({ deps, extendVisibility }); */
export function createConfirmHedgeHandler(options: ConfirmHedgeHandlerOptions): ConfirmHedgeHandler {
  const telemetry = telemetryOf(options.observability);
  const deps = options.observability === undefined ? options.deps : { ...options.deps, telemetry: options.deps.telemetry ?? telemetry };
  const reportError = (error: unknown, record: SQSRecord, disposition: ConfirmHedgeErrorDisposition): void => {
    if (disposition === 'dropped-malformed') telemetry.error('malformed Hedge Submitted dropped', { disposition, error });
    else telemetry.warn(disposition === 'retry' ? 'following the hedge failed; the message will be delivered again' : 'next look not pushed out; the queue timeout applies', { disposition, error });
    options.onError?.(error, record, disposition);
  };
  return withObservability(
    middy<SQSEvent, SQSBatchResponse>().handler((event) =>
      // A standard queue: its records carry no message group, so none blocks another.
      processRecordsInGroupOrder(event.Records, (record) =>
        withKeys(telemetry, { messageId: record.messageId }, async () => {
          let submitted: EventDetail<'Hedge Submitted'>;
          try {
            submitted = decodeEventBody('Hedge Submitted', record.body).detail;
          } catch (error) {
            reportError(error, record, 'dropped-malformed');
            return 'done';
          }
          const correlationId = correlationIdOf(submitted);
          const keys = { correlationId, accountId: submitted.accountId, eventId: submitted.eventId, decisionId: submitted.decisionId, hedgeId: submitted.hedgeId };
          return withKeys(telemetry, keys, async () => {
            let outcome: FollowOutcome;
            try {
              outcome = await followHedge(deps, { ...submitted, correlationId });
            } catch (error) {
              reportError(error, record, 'retry');
              return 'retry';
            }
            telemetry.info('followed', { status: outcome.status, ...('reason' in outcome ? { reason: outcome.reason } : {}), ...('txHash' in outcome ? { txHash: outcome.txHash } : {}), ...('code' in outcome ? { code: outcome.code } : {}) });
            options.onOutcome?.(outcome, record);
            if (outcome.status !== 'pending') return 'done';
            try {
              await options.extendVisibility(record, retryDelaySeconds(Number(record.attributes.ApproximateReceiveCount)));
            } catch (error) {
              reportError(error, record, 'visibility-not-extended');
            }
            return 'retry';
          });
        }),
      ),
    ),
    options.observability,
  );
}
