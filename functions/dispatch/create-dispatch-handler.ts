/**
 * The dispatcher's trigger: an SQS FIFO queue (one message group per signer, so a signer's
 * hedges are sent in the order they were decided), fed by the EventBridge rule on Hedge
 * Requested; each body is the EventBridge event as JSON, exactly as an SQS target
 * delivers it. The event source uses ReportBatchItemFailures.
 *
 * Records are processed one after another, in batch order:
 * - dispatchHedge returns (submitted, resubmitted, duplicate, skipped, failed, claim-lost,
 *   unknown-hedge: every terminal answer is recorded by the use case) → done.
 * - dispatchHedge throws → the record is listed in batchItemFailures, and so is every
 *   later record of the same message group, unprocessed: a signer's later hedge must not
 *   overtake one that is coming back (its nonce would be taken out of order). Records of
 *   other groups go on. Retrying is safe: the journal makes a redelivery resume the same
 *   signed transaction (dispatch-hedge.ts, step 1).
 *   Retryable errors (HedgeBusyError, LaneBusyError, BroadcastDeferredError, ApprovalPendingError,
 *   transport failures, store errors with `retryable: true`) are expected to heal by
 *   waiting; anything else is unexpected (a bug, a missing signer, a terminal store
 *   error) and is listed all the same, so SQS moves it to the DLQ after maxReceiveCount
 *   instead of it being lost. `retryable` only tells the logs which of the two it was.
 * - A body that is not a Hedge Requested (not JSON, not our event, unknown type or
 *   version, invalid detail) → reported to onError and NOT listed: it is deleted. Waiting
 *   cannot make it valid, and listing it would hold every later hedge of its signer for
 *   maxReceiveCount × the visibility timeout (FIFO: the group does not move while its
 *   head is in flight) only to reach the DLQ. Its group is not blocked either. (A new
 *   event version is deployed consumers first, so an unsupported version is a bug too.)
 *
 * Claims carry the owner `<awsRequestId>:<messageId>`: one invocation per message delivery.
 *
 * Observability (when given): each record's lines carry its message id and, once decoded,
 * the account, the event and decision ids and the correlation id (carried on to Hedge
 * Submitted / Hedge Failed); each order's lines its hedge id. Outcomes and failures are
 * logged (errors redacted), the use case's metrics go through the same telemetry.
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dispatchHedge, isTransportFailure, type DispatchDeps, type OrderOutcome } from '../../shared/app/dispatch/dispatch-hedge.ts';
import { decodeEventBody } from '../../shared/contracts/events/decode-event-body.ts';
import type { EventDetail } from '../../shared/contracts/events/event-definitions.ts';
import { withKeys } from '../../shared/app/telemetry.ts';
import { correlationIdOf } from '../../shared/contracts/events/event-definitions.ts';
import { telemetryOf, withObservability, type HandlerObservability } from '../../shared/runtime/handler-observability.ts';
import { processRecordsInGroupOrder } from '../../shared/runtime/sqs/process-in-group-order.ts';

export interface DispatchHandlerOptions {
  /** Everything but the claim owner, which is per record. */
  readonly deps: Omit<DispatchDeps, 'owner'>;
  /** Told about dropped and failed records (ids and errors, never bodies). */
  readonly onError?: (error: unknown, record: Pick<SQSRecord, 'messageId'>, disposition: DispatchErrorDisposition) => void;
  readonly onOutcome?: (outcomes: readonly OrderOutcome[], record: Pick<SQSRecord, 'messageId'>) => void;
  /** Powertools at the Lambda entry (logs, metrics, traces); none: nothing is logged. */
  readonly observability?: HandlerObservability;
}

const ERROR_LOG: Readonly<Record<DispatchErrorDisposition, { readonly level: 'warn' | 'error'; readonly message: string }>> = {
  'dropped-malformed': { level: 'error', message: 'malformed Hedge Requested dropped' },
  retry: { level: 'warn', message: 'dispatch failed; the message will be delivered again' },
  'retry-unexpected': { level: 'error', message: 'dispatch failed unexpectedly; the message will be delivered again' },
};

/** What became of a record whose handling threw. */
export type DispatchErrorDisposition = 'dropped-malformed' | 'retry' | 'retry-unexpected';

export type DispatchHandler = middy.MiddyfiedHandler<SQSEvent, SQSBatchResponse>;

/** Errors that heal by waiting: the use case's busy/deferred/pending, the transport, the store when it says so. */
export function isRetryableDispatchError(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable === true || isTransportFailure(error);
}

/** The claim owner of one delivery of one message. */
export const claimOwnerOf = (context: Pick<Context, 'awsRequestId'>, record: Pick<SQSRecord, 'messageId'>): string => `${context.awsRequestId}:${record.messageId}`;

/** @example export const handler = createDispatchHandler({ deps }); */
export function createDispatchHandler(options: DispatchHandlerOptions): DispatchHandler {
  const telemetry = telemetryOf(options.observability);
  const deps = options.observability === undefined ? options.deps : { ...options.deps, telemetry: options.deps.telemetry ?? telemetry };
  const reportError = (error: unknown, record: SQSRecord, disposition: DispatchErrorDisposition): void => {
    const { level, message } = ERROR_LOG[disposition];
    telemetry[level](message, { disposition, error });
    options.onError?.(error, record, disposition);
  };
  return withObservability(
    middy<SQSEvent, SQSBatchResponse>().handler((event, context) =>
      processRecordsInGroupOrder(event.Records, (record) =>
        withKeys(telemetry, { messageId: record.messageId }, async () => {
          let request: EventDetail<'Hedge Requested'>;
          try {
            request = decodeEventBody('Hedge Requested', record.body).detail;
          } catch (error) {
            reportError(error, record, 'dropped-malformed');
            return 'done';
          }
          const keys = { correlationId: correlationIdOf(request), accountId: request.accountId, eventId: request.eventId, decisionId: request.decisionId };
          return withKeys(telemetry, keys, async () => {
            try {
              const outcomes = await dispatchHedge({ ...deps, owner: claimOwnerOf(context, record) }, { ...request, correlationId: keys.correlationId });
              telemetry.info('dispatched', { outcomes: outcomes.map((o) => ({ hedgeId: o.hedgeId, status: o.status, ...('code' in o ? { code: o.code } : {}) })) });
              options.onOutcome?.(outcomes, record);
              return 'done';
            } catch (error) {
              reportError(error, record, isRetryableDispatchError(error) ? 'retry' : 'retry-unexpected');
              return 'retry';
            }
          });
        }),
      ),
    ),
    options.observability,
  );
}
