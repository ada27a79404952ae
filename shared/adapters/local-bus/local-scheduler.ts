/**
 * The local stand-in for the EventBridge schedule + fan-out: every `everyMs`, on the
 * interval's boundaries (multiples of everyMs since the epoch, like a rate rule), it
 * publishes one Evaluation Requested per active account (evaluationRequestsForTick).
 * A tick is named by its boundary, not by when the timer fired, so its event ids are
 * deterministic; a late timer skips missed boundaries instead of bursting to catch up.
 * Time is injected (SchedulerClock) so tests drive it by hand.
 */
import { evaluationRequestsForTick } from '../../contracts/events/evaluation-requests-for-tick.ts';
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';

export interface SchedulerClock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface LocalSchedulerOptions {
  readonly everyMs: number;
  /** The accounts to evaluate at a tick (the fan-out's query). */
  readonly listAccounts: () => readonly string[] | Promise<readonly string[]>;
  readonly publisher: EventPublisher;
  readonly clock?: SchedulerClock;
  readonly eventBusName?: string;
  /** A tick that failed (listing or publishing); the schedule goes on. */
  readonly onError?: (error: unknown, tickAtMs: number) => void;
}

export interface LocalScheduler {
  start(): void;
  /** Cancels the next tick and waits for the one in progress. */
  stop(): Promise<void>;
  /** Runs the tick of boundary `tickAtMs` now (also what the timer calls). */
  tick(tickAtMs: number): Promise<void>;
  readonly running: boolean;
}

/**
 * @example
 * const scheduler = createLocalScheduler({ everyMs: 60_000, listAccounts: () => ['demo'], publisher: bus });
 * scheduler.start(); // ... await scheduler.stop();
 */
export function createLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const { everyMs, clock = systemClock } = options;
  if (!Number.isInteger(everyMs) || everyMs <= 0) throw new RangeError(`everyMs must be a positive integer (got ${everyMs})`);
  let timer: unknown;
  let running = false;
  const inFlight = new Set<Promise<void>>();

  async function tick(tickAtMs: number): Promise<void> {
    try {
      const accounts = await options.listAccounts();
      if (accounts.length > 0) await options.publisher.publish(evaluationRequestsForTick(accounts, tickAtMs, options.eventBusName));
    } catch (error) {
      if (options.onError === undefined) throw error;
      options.onError(error, tickAtMs);
    }
  }

  function scheduleNext(): void {
    const now = clock.now();
    const next = (Math.floor(now / everyMs) + 1) * everyMs;
    timer = clock.setTimer(() => {
      if (!running) return;
      const run = tick(next).catch(() => undefined); // errors go to onError; without one, a timer tick must not crash the process
      inFlight.add(run);
      void run.finally(() => inFlight.delete(run));
      scheduleNext();
    }, next - now);
  }

  return {
    get running() {
      return running;
    },
    start() {
      if (running) return;
      running = true;
      scheduleNext();
    },
    async stop() {
      running = false;
      if (timer !== undefined) clock.clearTimer(timer);
      timer = undefined;
      await Promise.all(inFlight);
    },
    tick,
  };
}
