import { encodeEvent } from './encode-event.ts';
import type { EventEntry } from './event-entry.ts';

/**
 * The schedule fan-out: one Evaluation Requested per active account for the tick at
 * `tickAtMs`. The trigger id is the tick's ISO time, so the event ids are the same for a
 * repeated tick (a retried fan-out, two schedulers): the evaluator sees one evaluation.
 * `correlationId` (the tick's, e.g. the scheduled event's id) is put on every event.
 *
 * @example evaluationRequestsForTick(['a', 'b'], Date.UTC(2026, 0, 1)).length // 2
 */
export function evaluationRequestsForTick(accountIds: readonly string[], tickAtMs: number, eventBusName?: string, correlationId?: string): EventEntry[] {
  const tick = new Date(tickAtMs).toISOString();
  return accountIds.map((accountId) => encodeEvent('Evaluation Requested', { accountId, occurredAt: tick, trigger: 'schedule', triggerId: tick, correlationId }, eventBusName));
}
