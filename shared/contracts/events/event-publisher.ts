import type { EventEntry } from './event-entry.ts';

/**
 * The port producers publish through: the EventBridge publisher in the cloud, the local
 * bus on a laptop. Resolves once every entry is accepted by the bus; rejects (with the
 * entries that were not) otherwise. Delivery is at least once: consumers dedupe by
 * `detail.eventId`.
 */
export interface EventPublisher {
  publish(entries: readonly EventEntry[]): Promise<void>;
}
