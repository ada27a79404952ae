/**
 * The wire shape of our events: a PutEvents request entry, and the EventBridge limits
 * that apply to it. The local bus and the EventBridge publisher both take this shape, so
 * a producer cannot tell them apart.
 *
 * Limits (Amazon EventBridge API Reference, PutEvents; User Guide, "Calculating
 * PutEvents event entry size"):
 * - `Entries`: at most 10 per PutEvents call.
 * - Entry size = UTF-8 bytes of Source + DetailType + Detail + each Resources item,
 *   plus 14 bytes if Time is set (EventBusName is not counted).
 * - Size limit: the API reference and the entry-size page say 256 KB per entry (and
 *   "the total entry size must be less than 256KB" for a batch). AWS announced on
 *   2026-01-29 (AWS Compute Blog, "More room to build: serverless services now support
 *   payloads up to 1 MB") that EventBridge event buses accept 1 MB. We keep 256 KiB as
 *   the default for both the entry and the whole request: it holds under either rule,
 *   our events are a few KB, and anything near the limit should be a reference anyway.
 *   Raise it through the publisher's options if ever needed.
 */
import { EVENT_TYPES, type EventType } from './event-definitions.ts';

/** The `source` of every event we publish. */
export const EVENT_SOURCE = 'hedge.functions';

/** Default name of the one custom bus (the CDK stack may pass a stage-specific name). */
export const DEFAULT_EVENT_BUS_NAME = 'hedge-events';

/** One PutEvents request entry as we produce it (every field set; assignable to the SDK's type). */
export interface EventEntry {
  readonly Source: string;
  readonly DetailType: EventType;
  /** The detail as JSON. */
  readonly Detail: string;
  readonly EventBusName: string;
}

export const PUT_EVENTS_LIMITS = {
  /** Max entries in one PutEvents call (API Reference: Entries, array members 1..10). */
  maxEntriesPerRequest: 10,
  /** Max size of one entry, bytes, as EventBridge computes it (see entrySizeBytes). */
  maxEntryBytes: 256 * 1024,
  /** Max sum of entry sizes in one call, bytes. */
  maxRequestBytes: 256 * 1024,
} as const;

const utf8 = new TextEncoder();

/**
 * An entry's size as EventBridge computes it: UTF-8 bytes of Source, DetailType and
 * Detail, each Resources item, and 14 for a Time.
 *
 * @example entrySizeBytes({ Source: 'a', DetailType: 'bc', Detail: '{}' }) // 5
 */
export function entrySizeBytes(entry: {
  readonly Source?: string | undefined;
  readonly DetailType?: string | undefined;
  readonly Detail?: string | undefined;
  readonly Resources?: readonly string[] | undefined;
  readonly Time?: Date | undefined;
}): number {
  let size = entry.Time === undefined ? 0 : 14;
  for (const part of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (part !== undefined) size += utf8.encode(part).length;
  }
  return size;
}

/** True when `value` is one of our detail-types. */
export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}
