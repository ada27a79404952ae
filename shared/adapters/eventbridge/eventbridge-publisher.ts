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

/** The slice of the EventBridge client we use (an EventBridgeClient satisfies it). */
export interface PutEventsClient {
  send(command: PutEventsCommand): Promise<Pick<PutEventsCommandOutput, 'FailedEntryCount' | 'Entries'>>;
}

export interface EventBridgePublisherOptions {
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
    const parts = [
      failed.length > 0 ? `${failed.length} failed (${[...new Set(failed.map((f) => f.errorCode))].join(', ')})` : '',
      unsent.length > 0 ? `${unsent.length} not confirmed` : '',
    ].filter(Boolean);
    super(`PutEvents: ${parts.join(', ')}; ${publishedCount} published`, cause === undefined ? undefined : { cause });
    this.name = 'EventPublishError';
    this.failed = failed;
    this.unsent = unsent;
    this.publishedCount = publishedCount;
  }
}

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const publisher = createEventBridgePublisher(new EventBridgeClient({}));
 * await publisher.publish([encodeEvent('Hedge Failed', payload, busName)]);
 */
export function createEventBridgePublisher(client: PutEventsClient, options: EventBridgePublisherOptions = {}): EventPublisher {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const maxEntries = options.maxEntriesPerRequest ?? PUT_EVENTS_LIMITS.maxEntriesPerRequest;
  const maxEntryBytes = options.maxEntryBytes ?? PUT_EVENTS_LIMITS.maxEntryBytes;
  const maxRequestBytes = options.maxRequestBytes ?? PUT_EVENTS_LIMITS.maxRequestBytes;
  const sleep = options.sleep ?? sleepMs;
  const random = options.random ?? Math.random;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer ≥ 1 (got ${maxAttempts})`);

  /** Full jitter: uniform in [0, min(cap, base·2^(retry−1))]. */
  const backoff = (retry: number): number => Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1)));

  async function publish(entries: readonly EventEntry[]): Promise<void> {
    const sizes = entries.map((entry) => {
      const size = entrySizeBytes(entry);
      if (size > maxEntryBytes) throw new EventTooLargeError(entry.DetailType, size, maxEntryBytes);
      return size;
    });

    let pending = entries.map((entry, i) => ({ entry, size: sizes[i]!, attempts: 0 }));
    const failed: FailedEntry[] = [];
    let published = 0;
    for (let round = 1; pending.length > 0; round++) {
      if (round > 1) await sleep(backoff(round - 1));
      const retry: typeof pending = [];
      for (const batch of batches(pending, maxEntries, maxRequestBytes)) {
        let output: Awaited<ReturnType<PutEventsClient['send']>>;
        try {
          output = await client.send(new PutEventsCommand({ Entries: batch.map((p) => ({ ...p.entry })) }));
        } catch (error) {
          const sentOrLater = pending.slice(pending.indexOf(batch[0]!));
          throw new EventPublishError(failed, [...sentOrLater.map((p) => p.entry), ...retry.map((p) => p.entry)], published, error);
        }
        const results = output.Entries ?? [];
        batch.forEach((item, i) => {
          item.attempts++;
          const result = results[i];
          // A missing result entry would break the positional contract: treat it as a retryable failure.
          const errorCode = result === undefined ? 'InternalFailure' : result.ErrorCode;
          if (errorCode === undefined || errorCode === '') {
            published++;
          } else if (RETRYABLE_ERROR_CODES.has(errorCode) && item.attempts < maxAttempts) {
            retry.push(item);
          } else {
            failed.push({ entry: item.entry, errorCode, errorMessage: result?.ErrorMessage ?? 'no result for this entry', attempts: item.attempts });
          }
        });
      }
      pending = retry;
    }
    if (failed.length > 0) throw new EventPublishError(failed, [], published);
  }

  return { publish };
}

/** Consecutive batches of at most `maxEntries` entries and `maxBytes` total size. */
function batches<T extends { readonly size: number }>(items: readonly T[], maxEntries: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length === maxEntries || bytes + item.size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
