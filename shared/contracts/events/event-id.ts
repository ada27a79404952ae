/**
 * Deterministic event ids. Every event type names its natural key (the fact it reports:
 * a schedule tick, a transaction, a decision, a hedge); the id is a hash of
 * (detail-type, account, natural key). The same fact produced twice (a retried Lambda, a
 * second scheduler, a redelivered webhook) gets the same id, so consumers deduplicate on
 * `eventId` (scoped by account) and a duplicate changes nothing.
 *
 * The version is not hashed: v1 and v2 of one fact are the same fact.
 *
 * Format: "evt_" + the first 32 hex digits (128 bits) of SHA-256 over the UTF-8 of
 * `${detailType}\n${accountId}\n${naturalKey}`.
 */
import { createHash } from 'node:crypto';

/**
 * @example deriveEventId('Hedge Requested', 'acct-1', '9f86d081884c7d65') // "evt_…" (36 chars)
 */
export function deriveEventId(detailType: string, accountId: string, naturalKey: string): string {
  const digest = createHash('sha256').update(`${detailType}\n${accountId}\n${naturalKey}`, 'utf8').digest('hex');
  return `evt_${digest.slice(0, 32)}`;
}

/**
 * The id of one order of a decision, by its position in the decision's orders: the hedge's
 * natural key from dispatch on. The position, not the slice index: a decision can carry
 * an option order and a delta order that are both "slice 0".
 */
export function hedgeIdOf(decisionId: string, orderIndex: number): string {
  return `${decisionId}:${orderIndex}`;
}
