/**
 * An in-process stand-in for the EventBridge bus: `publish` takes the same PutEvents
 * entries as the EventBridge publisher, wraps each in the envelope EventBridge delivers
 * to a Lambda target, and delivers it to the consumer of every route in THE routing
 * table whose pattern matches (shared/contracts/routing-table.ts; same matcher
 * semantics as the cloud rules).
 *
 * Delivery is asynchronous (publish returns once the entries are accepted, like
 * PutEvents), in publish order per route, routes independent of each other. A handler
 * that throws is reported (onDeliveryError and `failures`) and never stops the route or
 * the publisher. Delivery is at least once, as in the cloud: with `atLeastOnce: true`
 * every delivery is made twice in a row, so tests prove consumers are idempotent.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_EVENT_BUS_NAME, PUT_EVENTS_LIMITS, entrySizeBytes, type EventEntry } from '../../contracts/events/event-entry.ts';
import { EventTooLargeError, InvalidEventError } from '../../contracts/events/event-errors.ts';
import { matchesPattern } from '../../contracts/events/event-pattern.ts';
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';
import { ROUTING_TABLE, type ConsumerName, type Route } from '../../contracts/routing-table.ts';

/** The event as EventBridge hands it to a Lambda target. */
export interface DeliveredEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

export type EventHandler = (event: DeliveredEvent) => Promise<void> | void;

export interface DeliveryFailure {
  readonly route: string;
  readonly consumer: ConsumerName;
  readonly event: DeliveredEvent;
  readonly error: unknown;
}

export interface LocalBusOptions {
  readonly routes?: readonly Route[];
  readonly eventBusName?: string;
  /** Deliver every event twice (tests of consumer idempotency). Default false. */
  readonly atLeastOnce?: boolean;
  readonly onDeliveryError?: (failure: DeliveryFailure) => void;
  /** Clock for the envelope's `time`; injectable for tests. */
  readonly now?: () => number;
  /**
   * Deliveries in flight at once per consumer, as Lambda's concurrency would allow
   * (default 1: one at a time, in order, which keeps the demo's sequence deterministic).
   */
  readonly concurrency?: Partial<Record<ConsumerName, number>>;
}

export interface LocalBus extends EventPublisher {
  /** The handler of one consumer function (one per consumer, like one Lambda); returns an unsubscribe. */
  subscribe(consumer: ConsumerName, handler: EventHandler): () => void;
  /** Resolves when every accepted event has been delivered (or failed). */
  idle(): Promise<void>;
  /** Drops what is still queued, waits for the deliveries in progress; publish then throws. */
  stop(): Promise<void>;
  readonly failures: readonly DeliveryFailure[];
}

export class LocalBusStoppedError extends Error {
  constructor() {
    super('the local bus is stopped: publish after stop() is refused');
    this.name = 'LocalBusStoppedError';
  }
}

interface RouteQueue {
  readonly route: Route;
  readonly queue: DeliveredEvent[];
  worker: Promise<void> | undefined;
}

/**
 * @example
 * const bus = createLocalBus();
 * bus.subscribe('dispatch', async (event) => dispatch(decodeEvent(event)));
 * await bus.publish([encodeEvent('Hedge Requested', payload)]);
 * await bus.idle();
 */
export function createLocalBus(options: LocalBusOptions = {}): LocalBus {
  const busName = options.eventBusName ?? DEFAULT_EVENT_BUS_NAME;
  const now = options.now ?? Date.now;
  const copies = options.atLeastOnce === true ? 2 : 1;
  const handlers = new Map<ConsumerName, EventHandler>();
  const failures: DeliveryFailure[] = [];
  const queues: RouteQueue[] = (options.routes ?? ROUTING_TABLE).map((route) => ({ route, queue: [], worker: undefined }));
  let stopped = false;

  function toDelivered(entry: EventEntry): DeliveredEvent {
    if (entry.EventBusName !== busName) throw new InvalidEventError('wrong bus', [`EventBusName "${entry.EventBusName}" is not this bus ("${busName}")`]);
    const size = entrySizeBytes(entry);
    if (size > PUT_EVENTS_LIMITS.maxEntryBytes) throw new EventTooLargeError(entry.DetailType, size, PUT_EVENTS_LIMITS.maxEntryBytes);
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail) as unknown;
    } catch (error) {
      throw new InvalidEventError(`${entry.DetailType} Detail is not JSON (EventBridge would answer MalformedDetail)`, [String(error)], { cause: error });
    }
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: '000000000000',
      time: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'local',
      resources: [],
      detail,
    };
  }

  function startWorkers(q: RouteQueue): void {
    const workers = Math.max(1, Math.floor(options.concurrency?.[q.route.consumer] ?? 1));
    // Next turn of the event loop: the publisher's await resolves before any delivery starts.
    q.worker = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => Promise.all(Array.from({ length: workers }, () => drain(q))))
      .then(() => {
        q.worker = undefined;
        // An event published after the last worker's final look, before this ran.
        if (q.queue.length > 0 && !stopped) startWorkers(q);
      });
  }

  async function drain(q: RouteQueue): Promise<void> {
    for (let event = q.queue.shift(); event !== undefined && !stopped; event = q.queue.shift()) {
      const handler = handlers.get(q.route.consumer);
      if (handler === undefined) continue; // a rule whose target is not deployed: nothing receives it
      for (let copy = 0; copy < copies; copy++) {
        try {
          await handler(event);
        } catch (error) {
          const failure: DeliveryFailure = { route: q.route.name, consumer: q.route.consumer, event, error };
          failures.push(failure);
          options.onDeliveryError?.(failure);
        }
      }
    }
  }

  return {
    failures,
    subscribe(consumer, handler) {
      handlers.set(consumer, handler);
      return () => {
        if (handlers.get(consumer) === handler) handlers.delete(consumer);
      };
    },
    publish(entries) {
      if (stopped) return Promise.reject(new LocalBusStoppedError());
      let events: DeliveredEvent[];
      try {
        events = entries.map(toDelivered); // all or nothing: validate every entry first
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      for (const event of events) {
        for (const q of queues) {
          if (!matchesPattern(q.route.pattern, event)) continue;
          q.queue.push(event);
          if (q.worker === undefined) startWorkers(q);
        }
      }
      return Promise.resolve();
    },
    async idle() {
      for (let busy = queues.filter((q) => q.worker); busy.length > 0; busy = queues.filter((q) => q.worker)) {
        await Promise.all(busy.map((q) => q.worker));
      }
    },
    async stop() {
      stopped = true;
      for (const q of queues) q.queue.length = 0;
      await Promise.all(queues.map((q) => q.worker));
    },
  };
}
