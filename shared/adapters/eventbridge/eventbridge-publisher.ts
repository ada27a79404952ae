/**
 * Publishes our events to the EventBridge bus with PutEvents: the only code that
 * imports @aws-sdk/client-eventbridge.
 *
 * - Batches: at most 10 entries and 256 KiB (sum of entry sizes) per call, in order
 *   (limits and their sources: shared/contracts/events/event-entry.ts).
 * - An entry over the entry limit is rejected before any call (EventTooLargeError):
 *   nothing of that publish is sent.
 * - Partial failure: PutEvents answers per entry, in request order (Entries[i] is the
 *   result of request entry i; a success has EventId, a failure ErrorCode/ErrorMessage;
 *   FailedEntryCount counts failures). Only the failed entries with a retryable code
 *   (InternalFailure, ThrottlingException) are sent again, after exponential backoff
 *   with full jitter, up to `maxAttempts` calls per entry. An entry that succeeded is
 *   never sent again by this publisher. Non-retryable codes (AccessDeniedException,
 *   InvalidArgument, MalformedDetail, ...) fail at once.
 * - A call that throws (network, throttled request after the SDK's own retries) leaves
 *   its entries' outcome unknown: we do not resend them ourselves; the error names them
 *   and the function's platform retry (or the caller) decides. A resend can then
 *   duplicate an event: that is why events carry deterministic ids and consumers dedupe.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html (handling failures)
 */
import { PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { PUT_EVENTS_LIMITS, entrySizeBytes, type EventEntry } from '../../contracts/events/event-entry.ts';
import { EventTooLargeError } from '../../contracts/events/event-errors.ts';
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';
import { BatchCallError, batchFailureSummary, checkMaxAttempts, sendInBatches, sleepMs, type BatchSendResult, type BatchSendRetry, type EntryOutcome, type FailedItem } from '../batch-send.ts';

/** The slice of the EventBridge client we use (an EventBridgeClient satisfies it). */
export interface PutEventsClient {
  send(command: PutEventsCommand): Promise<Pick<PutEventsCommandOutput, 'FailedEntryCount' | 'Entries'>>;
}

export interface EventBridgePublisherOptions {
  /**
   * The bus every entry goes to (our deployment's bus). Use cases encode for the default
   * bus name; the Lambda entries pass the stage's bus here, once, instead of re-addressing.
   */
  readonly eventBusName?: string;
  /** Calls per entry including the first (default 5). */
  readonly maxAttempts?: number;
  /** First backoff ceiling, ms (default 100); doubles per attempt. */
  readonly baseDelayMs?: number;
  /** Backoff ceiling cap, ms (default 5000). */
  readonly maxDelayMs?: number;
  readonly maxEntriesPerRequest?: number;
  readonly maxEntryBytes?: number;
  readonly maxRequestBytes?: number;
  /** Injected for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1), for the jitter; injected for tests. */
  readonly random?: () => number;
}

/** ErrorCodes worth retrying (PutEventsResultEntry: "Retryable errors include InternalFailure, ThrottlingException"). */
export const RETRYABLE_ERROR_CODES: ReadonlySet<string> = new Set(['InternalFailure', 'ThrottlingException']);

export interface FailedEntry {
  readonly entry: EventEntry;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attempts: number;
}

/** Some entries were not accepted by the bus; the others were, exactly once each. */
export class EventPublishError extends Error {
  readonly code = 'EVENT_PUBLISH_FAILED';
  readonly failed: readonly FailedEntry[];
  /** Entries whose outcome is unknown (their call threw) or that were never sent after it. */
  readonly unsent: readonly EventEntry[];
  readonly publishedCount: number;

  constructor(failed: readonly FailedEntry[], unsent: readonly EventEntry[], publishedCount: number, cause?: unknown) {
    const message = batchFailureSummary('PutEvents', failed.map((f) => f.errorCode), unsent.length, publishedCount, 'published');
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'EventPublishError';
    this.failed = failed;
    this.unsent = unsent;
    this.publishedCount = publishedCount;
  }
}

/**
 * @example
 * const publisher = createEventBridgePublisher(new EventBridgeClient({}));
 * await publisher.publish([encodeEvent('Hedge Failed', payload, busName)]);
 */
export function createEventBridgePublisher(client: PutEventsClient, options: EventBridgePublisherOptions = {}): EventPublisher {
  const retry: BatchSendRetry = {
    maxAttempts: options.maxAttempts ?? 5,
    baseDelayMs: options.baseDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 5000,
    sleep: options.sleep ?? sleepMs,
    random: options.random ?? Math.random,
  };
  const limits = {
    maxEntriesPerRequest: options.maxEntriesPerRequest ?? PUT_EVENTS_LIMITS.maxEntriesPerRequest,
    maxRequestBytes: options.maxRequestBytes ?? PUT_EVENTS_LIMITS.maxRequestBytes,
  };
  const maxEntryBytes = options.maxEntryBytes ?? PUT_EVENTS_LIMITS.maxEntryBytes;
  checkMaxAttempts(retry.maxAttempts);

  /** One PutEvents call; results are positional (one per request entry, in order). */
  async function putEvents(batch: readonly EventEntry[]): Promise<EntryOutcome[]> {
    const output = await client.send(new PutEventsCommand({ Entries: batch.map((entry) => ({ ...entry })) }));
    const results = output.Entries ?? [];
    return batch.map((_, i): EntryOutcome => {
      const result = results[i];
      if (result === undefined) return { ok: false, retryable: true, code: 'InternalFailure', message: 'no result for this entry' };
      const code = result.ErrorCode;
      if (code === undefined || code === '') return { ok: true };
      return { ok: false, retryable: RETRYABLE_ERROR_CODES.has(code), code, message: result.ErrorMessage ?? '' };
    });
  }

  const toFailedEntry = (f: FailedItem<EventEntry>): FailedEntry => ({ entry: f.value, errorCode: f.code, errorMessage: f.message, attempts: f.attempts });

  async function publish(given: readonly EventEntry[]): Promise<void> {
    const bus = options.eventBusName;
    const entries = bus === undefined ? given : given.map((entry) => ({ ...entry, EventBusName: bus }));
    const sized = entries.map((entry) => {
      const size = entrySizeBytes(entry);
      if (size > maxEntryBytes) throw new EventTooLargeError(entry.DetailType, size, maxEntryBytes);
      return { value: entry, size };
    });
    let result: BatchSendResult<EventEntry>;
    try {
      result = await sendInBatches(sized, putEvents, limits, retry);
    } catch (error) {
      if (!(error instanceof BatchCallError)) throw error;
      const partial = (error as BatchCallError<EventEntry>).result;
      throw new EventPublishError(partial.failed.map(toFailedEntry), (error as BatchCallError<EventEntry>).unsent, partial.sent, error.cause);
    }
    if (result.failed.length > 0) throw new EventPublishError(result.failed.map(toFailedEntry), [], result.sent);
  }

  return { publish };
}
