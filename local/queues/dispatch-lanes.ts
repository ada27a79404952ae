/**
 * The local stand-in for the dispatcher's SQS FIFO queue: one lane per `dispatchGroup`
 * (a signer on a chain), each worked strictly in order, lanes independent of each other.
 * A message the handler lists as failed (a retryable error, or an unexpected one) stays
 * at the head of its lane and is delivered again after a backoff, so a signer's later
 * hedge never overtakes one that is coming back (its nonce would be taken out of order);
 * after `maxReceives` deliveries it goes to the dead letters, as a redrive policy would.
 * The handler is the dispatch function's own (functions/dispatch).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DeliveredEvent } from '../../shared/adapters/local-bus/local-bus.ts';
import { backoffMs, createSleeper } from '../runtime/stoppable-sleep.ts';
import { lambdaContext, newMessageId, sqsEventOf, type LocalMessage } from '../runtime/sqs-shapes.ts';

export interface DispatchLanesOptions {
  /** The dispatch function's handler (functions/dispatch), or anything called like it. */
  readonly handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  /** Deliveries before a message is dead-lettered (SQS maxReceiveCount). Default 6. */
  readonly maxReceives?: number;
  /** Backoff after a failed delivery: base and cap (ms). Defaults 100 ms, 5 s. */
  readonly retryBaseMs?: number;
  readonly retryCapMs?: number;
  readonly onDeadLetter?: (message: LocalMessage) => void;
}

export interface DispatchLanes {
  /** Queues a Hedge Requested delivered by the bus on its lane. */
  enqueue(event: DeliveredEvent): void;
  /** Resolves when every lane is empty. */
  idle(): Promise<void>;
  /** Drops what is queued, cuts backoffs short, waits for the deliveries in progress. */
  stop(): Promise<void>;
  readonly deadLetters: readonly LocalMessage[];
}

interface Lane {
  readonly queue: LocalMessage[];
  worker: Promise<void> | undefined;
}

/** The lane of an event: its detail's dispatchGroup; an event without one gets a lane of its own (the handler drops it). */
function groupOf(event: DeliveredEvent): string {
  const group = (event.detail as { dispatchGroup?: unknown } | null)?.dispatchGroup;
  return typeof group === 'string' && group !== '' ? group : `malformed:${event.id}`;
}

export function createDispatchLanes(options: DispatchLanesOptions): DispatchLanes {
  const maxReceives = options.maxReceives ?? 6;
  const lanes = new Map<string, Lane>();
  const deadLetters: LocalMessage[] = [];
  const sleeper = createSleeper();
  let stopped = false;

  async function drain(lane: Lane): Promise<void> {
    for (let head = lane.queue[0]; head !== undefined && !stopped; head = lane.queue[0]) {
      for (let receive = 1; !stopped; receive++) {
        const response = await options.handler(sqsEventOf(head, receive, 'dispatch.fifo'), lambdaContext('dispatch'));
        if (response.batchItemFailures.length === 0) break;
        if (receive >= maxReceives) {
          deadLetters.push(head);
          options.onDeadLetter?.(head);
          break;
        }
        await sleeper.sleep(backoffMs(receive, options.retryBaseMs ?? 100, options.retryCapMs ?? 5_000));
      }
      lane.queue.shift();
    }
    lane.worker = undefined;
  }

  return {
    deadLetters,
    enqueue(event) {
      if (stopped) return;
      const group = groupOf(event);
      let lane = lanes.get(group);
      if (lane === undefined) {
        lane = { queue: [], worker: undefined };
        lanes.set(group, lane);
      }
      lane.queue.push({ messageId: newMessageId(), body: JSON.stringify(event), group });
      const started = lane;
      started.worker ??= Promise.resolve().then(() => drain(started));
    },
    async idle() {
      for (let busy = [...lanes.values()].filter((l) => l.worker); busy.length > 0; busy = [...lanes.values()].filter((l) => l.worker)) {
        await Promise.all(busy.map((l) => l.worker));
      }
    },
    async stop() {
      stopped = true;
      sleeper.wakeAll();
      for (const lane of lanes.values()) lane.queue.length = 0;
      await Promise.all([...lanes.values()].map((l) => l.worker));
    },
  };
}
