import type * as z from 'zod';
import { formatIssues } from './encode-event.ts';
import { EVENT_DEFINITIONS, EVENT_TYPES, type EventType, type HedgeEvent } from './event-definitions.ts';
import { EVENT_SOURCE, isEventType } from './event-entry.ts';
import { InvalidEventError, UnknownEventTypeError, UnsupportedEventVersionError } from './event-errors.ts';

/**
 * The shapes decodeEvent reads: the event EventBridge delivers to a Lambda target
 * (`source`, `detail-type`, `detail` as an object) or a PutEvents entry (`Source`,
 * `DetailType`, `Detail` as JSON), so tests and the local bus can hand either over.
 */
export type RawEvent =
  | { readonly source?: unknown; readonly 'detail-type'?: unknown; readonly detail?: unknown }
  | { readonly Source?: unknown; readonly DetailType?: unknown; readonly Detail?: unknown };

/**
 * A raw event → a typed, validated event. Checks, in this order: the source, the
 * detail-type (UnknownEventTypeError), `detail.version` against the one this code
 * supports (UnsupportedEventVersionError: "Hedge Requested v2 is not supported by this
 * consumer (supports v1)"), then the detail schema (InvalidEventError, with paths).
 *
 * @example
 * const event = decodeEvent(lambdaEvent);
 * if (event.type === 'Hedge Requested') event.detail.orders; // typed
 */
export function decodeEvent(raw: RawEvent): HedgeEvent {
  if (typeof raw !== 'object' || raw === null) throw new InvalidEventError('not an event', [`expected an object, got ${raw === null ? 'null' : typeof raw}`]);
  const isEntry = 'DetailType' in raw || 'Detail' in raw || 'Source' in raw;
  const source: unknown = isEntry ? (raw as { Source?: unknown }).Source : (raw as { source?: unknown }).source;
  const detailType: unknown = isEntry ? (raw as { DetailType?: unknown }).DetailType : (raw as { 'detail-type'?: unknown })['detail-type'];
  let detail: unknown = isEntry ? (raw as { Detail?: unknown }).Detail : (raw as { detail?: unknown }).detail;

  if (source !== EVENT_SOURCE) throw new InvalidEventError('not a hedge event', [`source must be "${EVENT_SOURCE}" (got ${JSON.stringify(source) ?? 'nothing'})`]);
  if (!isEventType(detailType)) throw new UnknownEventTypeError(detailType, EVENT_TYPES);
  if (typeof detail === 'string') {
    try {
      detail = JSON.parse(detail) as unknown;
    } catch (error) {
      throw new InvalidEventError(`${detailType} detail is not JSON`, [String(error)], { cause: error });
    }
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) throw new InvalidEventError(`${detailType} detail is invalid`, ['(detail): expected a JSON object']);

  const definition = EVENT_DEFINITIONS[detailType];
  const version = (detail as { version?: unknown }).version;
  if (version !== definition.version) throw new UnsupportedEventVersionError(detailType, version, definition.version);
  const parsed = (definition.schema as z.ZodType).safeParse(detail);
  if (!parsed.success) throw new InvalidEventError(`${detailType} v${definition.version} detail is invalid`, formatIssues(parsed.error));
  return { type: detailType, detail: parsed.data } as HedgeEvent;
}

/** decodeEvent, narrowed to one expected type (a consumer's entry point). */
export function decodeEventOf<T extends EventType>(type: T, raw: RawEvent): Extract<HedgeEvent, { type: T }> {
  const event = decodeEvent(raw);
  if (event.type !== type) throw new InvalidEventError('unexpected event type', [`expected "${type}", got "${event.type}"`]);
  return event as Extract<HedgeEvent, { type: T }>;
}
