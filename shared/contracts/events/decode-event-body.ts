import { decodeEventOf } from './decode-event.ts';
import type { EventType, HedgeEvent } from './event-definitions.ts';
import { InvalidEventError } from './event-errors.ts';

/**
 * An SQS message body holding an EventBridge event as JSON (what an SQS target delivers,
 * and what enqueue-dispatch sends) → the event of the expected type. Throws the contract's
 * errors: InvalidEventError when the body is not a JSON object, then decodeEventOf's.
 *
 * @example
 * const { detail } = decodeEventBody('Hedge Submitted', record.body);
 */
export function decodeEventBody<T extends EventType>(type: T, body: string): Extract<HedgeEvent, { type: T }> {
  let raw: unknown;
  try {
    raw = JSON.parse(body) as unknown;
  } catch (error) {
    throw new InvalidEventError('the message body is not JSON', [String(error)], { cause: error });
  }
  if (typeof raw !== 'object' || raw === null) throw new InvalidEventError('the message body is not an event', ['expected a JSON object']);
  return decodeEventOf(type, raw);
}
