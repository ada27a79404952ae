/**
 * THE routing table: which consumer function each event goes to. The CDK stack makes one
 * EventBridge rule per route (pattern as is, target the named function); the local bus
 * routes by the very same patterns with the same matcher semantics
 * (events/event-pattern.ts). Change routing here, nowhere else.
 *
 * Exposure Computed and Hedge Confirmed have no consumer yet: they are recorded facts
 * (audit, dashboard) and reach no function today.
 */
import type { EventType } from './events/event-definitions.ts';
import { EVENT_SOURCE } from './events/event-entry.ts';
import type { EventPattern } from './events/event-pattern.ts';

/** The functions that consume events (their folders under functions/ come later). */
export const CONSUMERS = ['evaluate', 'dispatch', 'confirm', 'alerting'] as const;
export type ConsumerName = (typeof CONSUMERS)[number];

export interface Route {
  /** Stable id: the CDK rule's construct id and the local bus's queue name. */
  readonly name: string;
  readonly consumer: ConsumerName;
  readonly pattern: EventPattern & { readonly source: readonly string[]; readonly 'detail-type': readonly EventType[] };
}

function on(...types: EventType[]): Route['pattern'] {
  return { source: [EVENT_SOURCE], 'detail-type': types };
}

export const ROUTING_TABLE: readonly Route[] = [
  { name: 'evaluate-on-evaluation-requested', consumer: 'evaluate', pattern: on('Evaluation Requested') },
  { name: 'evaluate-on-positions-changed', consumer: 'evaluate', pattern: on('Positions Changed') },
  { name: 'dispatch-on-hedge-requested', consumer: 'dispatch', pattern: on('Hedge Requested') },
  { name: 'confirm-on-hedge-submitted', consumer: 'confirm', pattern: on('Hedge Submitted') },
  { name: 'alerting-on-failures-and-breaches', consumer: 'alerting', pattern: on('Hedge Failed', 'Risk Limit Breached', 'Crash Mode Changed') },
];
