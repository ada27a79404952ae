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
 *   Retryable errors (HedgeBusyError, BroadcastDeferredError, ApprovalPendingError,
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
import { decodeEventOf } from '../../shared/contracts/events/decode-event.ts';
import type { EventDetail } from '../../shared/contracts/events/event-definitions.ts';
import { InvalidEventError } from '../../shared/contracts/events/event-errors.ts';

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

/** An SQS body → the Hedge Requested it carries; throws the contract's errors. */
export function decodeHedgeRequestedBody(body: string): EventDetail<'Hedge Requested'> {
  let raw: unknown;
  try {
    raw = JSON.parse(body) as unknown;
  } catch (error) {
    throw new InvalidEventError('the message body is not JSON', [String(error)], { cause: error });
  }
  if (typeof raw !== 'object' || raw === null) throw new InvalidEventError('the message body is not an event', ['expected a JSON object']);
  return decodeEventOf('Hedge Requested', raw).detail;
}

/** @example export const handler = createDispatchHandler({ deps }); */
export function createDispatchHandler(options: DispatchHandlerOptions): DispatchHandler {
  return middy<SQSEvent, SQSBatchResponse>().handler(async (event, context) => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    const blockedGroups = new Set<string>();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId;
      if (group !== undefined && blockedGroups.has(group)) {
        batchItemFailures.push({ itemIdentifier: record.messageId });
        continue;
      }
      let request: EventDetail<'Hedge Requested'>;
      try {
        request = decodeHedgeRequestedBody(record.body);
      } catch (error) {
        options.onError?.(error, record, 'dropped-malformed');
        continue;
      }
      try {
        const outcomes = await dispatchHedge({ ...options.deps, owner: claimOwnerOf(context, record) }, request);
        options.onOutcome?.(outcomes, record);
      } catch (error) {
        options.onError?.(error, record, isRetryableDispatchError(error) ? 'retry' : 'retry-unexpected');
        batchItemFailures.push({ itemIdentifier: record.messageId });
        if (group !== undefined) blockedGroups.add(group);
      }
    }
    return { batchItemFailures };
  });
}
