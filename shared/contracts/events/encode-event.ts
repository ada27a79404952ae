import type * as z from 'zod';
import { EVENT_DEFINITIONS, type EventDetail, type EventPayload, type EventType } from './event-definitions.ts';
import { DEFAULT_EVENT_BUS_NAME, EVENT_SOURCE, PUT_EVENTS_LIMITS, entrySizeBytes, type EventEntry } from './event-entry.ts';
import { EventTooLargeError, InvalidEventError } from './event-errors.ts';
import { deriveEventId } from './event-id.ts';

/**
 * A producer's event as a PutEvents entry: adds `version` and the deterministic
 * `eventId`, validates the detail against its schema (a producer cannot emit an invalid
 * event), and rejects an entry over the size limit up front.
 *
 * @throws InvalidEventError when the payload fails the schema; EventTooLargeError when over the limit.
 * @example
 * encodeEvent('Evaluation Requested', {
 *   accountId: 'acct-1', occurredAt: '2026-01-01T00:00:00.000Z', trigger: 'schedule', triggerId: '2026-01-01T00:00:00.000Z',
 * }) // { Source: 'hedge.functions', DetailType: 'Evaluation Requested', Detail: '{"version":1,...}', EventBusName: 'hedge-events' }
 */
export function encodeEvent<T extends EventType>(type: T, payload: EventPayload<T>, eventBusName: string = DEFAULT_EVENT_BUS_NAME): EventEntry {
  const definition = EVENT_DEFINITIONS[type];
  // The definitions map is keyed by T, but TypeScript cannot correlate the union members.
  const naturalKey = (definition.naturalKey as unknown as (p: EventPayload<T>) => string)(payload);
  const candidate = { ...payload, version: definition.version, eventId: deriveEventId(type, payload.accountId, naturalKey) };
  const parsed = (definition.schema as z.ZodType).safeParse(candidate);
  if (!parsed.success) throw new InvalidEventError(`${type} v${definition.version} detail is invalid`, formatIssues(parsed.error));
  const entry: EventEntry = { Source: EVENT_SOURCE, DetailType: type, Detail: JSON.stringify(parsed.data as EventDetail<T>), EventBusName: eventBusName };
  const size = entrySizeBytes(entry);
  if (size > PUT_EVENTS_LIMITS.maxEntryBytes) throw new EventTooLargeError(type, size, PUT_EVENTS_LIMITS.maxEntryBytes);
  return entry;
}

/** zod issues as "path: message" lines (path "(detail)" at the top level). */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length === 0 ? '(detail)' : issue.path.join('.')}: ${issue.message}`);
}
