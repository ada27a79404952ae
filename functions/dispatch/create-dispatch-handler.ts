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
 */
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dispatchHedge, isTransportFailure, type DispatchDeps, type OrderOutcome } from '../../shared/app/dispatch/dispatch-hedge.ts';
import { decodeEventBody } from '../../shared/contracts/events/decode-event-body.ts';
import type { EventDetail } from '../../shared/contracts/events/event-definitions.ts';
import { processRecordsInGroupOrder } from '../../shared/runtime/sqs/process-in-group-order.ts';

export interface DispatchHandlerOptions {
  /** Everything but the claim owner, which is per record. */
  readonly deps: Omit<DispatchDeps, 'owner'>;
  /** Told about dropped and failed records (ids and errors, never bodies). */
  readonly onError?: (error: unknown, record: Pick<SQSRecord, 'messageId'>, disposition: DispatchErrorDisposition) => void;
  readonly onOutcome?: (outcomes: readonly OrderOutcome[], record: Pick<SQSRecord, 'messageId'>) => void;
}

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
  return middy<SQSEvent, SQSBatchResponse>().handler((event, context) =>
    processRecordsInGroupOrder(event.Records, async (record) => {
      let request: EventDetail<'Hedge Requested'>;
      try {
        request = decodeEventBody('Hedge Requested', record.body).detail;
      } catch (error) {
        options.onError?.(error, record, 'dropped-malformed');
        return 'done';
      }
      try {
        const outcomes = await dispatchHedge({ ...options.deps, owner: claimOwnerOf(context, record) }, request);
        options.onOutcome?.(outcomes, record);
        return 'done';
      } catch (error) {
        options.onError?.(error, record, isRetryableDispatchError(error) ? 'retry' : 'retry-unexpected');
        return 'retry';
      }
    }),
  );
}
