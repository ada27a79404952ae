import { describe, expect, it } from 'vitest';
import { createLocalBus } from '../../../../shared/adapters/local-bus/local-bus.ts';
import { createLocalScheduler, type SchedulerClock } from '../../../../shared/adapters/local-bus/local-scheduler.ts';
import { decodeEventOf } from '../../../../shared/contracts/events/decode-event.ts';
import type { EventEntry } from '../../../../shared/contracts/events/event-entry.ts';
import type { EventPublisher } from '../../../../shared/contracts/events/event-publisher.ts';

/** A clock the test moves by hand: advance() fires due timers in time order. */
class ManualClock implements SchedulerClock {
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 0;
  constructor(public nowMs: number) {}
  now = () => this.nowMs;
  setTimer = (callback: () => void, delayMs: number) => {
    const id = ++this.nextId;
    this.timers.push({ at: this.nowMs + delayMs, callback, id });
    return id;
  };
  clearTimer = (handle: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };
  get pending() {
    return this.timers.length;
  }
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const due = this.timers[0];
      if (due === undefined || due.at > end) break;
      this.timers.shift();
      this.nowMs = due.at;
      due.callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.nowMs = end;
  }
}

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 20); // 20 s past a minute boundary

function recorder(): EventPublisher & { ticks: string[][] } {
  const ticks: string[][] = [];
  return {
    ticks,
    publish: (entries: readonly EventEntry[]) => {
      ticks.push(entries.map((e) => {
        const { detail } = decodeEventOf('Evaluation Requested', e);
        return `${detail.accountId}@${detail.triggerId}`;
      }));
      return Promise.resolve();
    },
  };
}

describe('local scheduler', () => {
  it('ticks on interval boundaries with one Evaluation Requested per account', async () => {
    const clock = new ManualClock(T0);
    const publisher = recorder();
    const scheduler = createLocalScheduler({ everyMs: MINUTE, listAccounts: () => ['a', 'b'], publisher, clock });
    scheduler.start();
    await clock.advance(39_999);
    expect(publisher.ticks).toEqual([]);
    await clock.advance(1);
    await clock.advance(2 * MINUTE);
    expect(publisher.ticks).toEqual([
      ['a@2026-01-01T12:01:00.000Z', 'b@2026-01-01T12:01:00.000Z'],
      ['a@2026-01-01T12:02:00.000Z', 'b@2026-01-01T12:02:00.000Z'],
      ['a@2026-01-01T12:03:00.000Z', 'b@2026-01-01T12:03:00.000Z'],
    ]);
    await scheduler.stop();
  });

  it('stops: no tick after stop(), no timer left', async () => {
    const clock = new ManualClock(T0);
    const publisher = recorder();
    const scheduler = createLocalScheduler({ everyMs: MINUTE, listAccounts: () => ['a'], publisher, clock });
    scheduler.start();
    await clock.advance(MINUTE);
    await scheduler.stop();
    expect(scheduler.running).toBe(false);
    expect(clock.pending).toBe(0);
    await clock.advance(10 * MINUTE);
    expect(publisher.ticks).toHaveLength(1);
  });

  it('reports a failed tick and keeps ticking; skips publishing when no account is active', async () => {
    const clock = new ManualClock(T0);
    const publisher = recorder();
    const errors: string[] = [];
    let call = 0;
    const scheduler = createLocalScheduler({
      everyMs: MINUTE,
      listAccounts: () => {
        call++;
        if (call === 1) throw new Error('table unavailable');
        return call === 2 ? [] : ['a'];
      },
      publisher,
      clock,
      onError: (error, tickAtMs) => errors.push(`${new Date(tickAtMs).toISOString()}: ${(error as Error).message}`),
    });
    scheduler.start();
    await clock.advance(3 * MINUTE);
    await scheduler.stop();
    expect(errors).toEqual(['2026-01-01T12:01:00.000Z: table unavailable']);
    expect(publisher.ticks).toEqual([['a@2026-01-01T12:03:00.000Z']]);
  });

  it('feeds the local bus end to end: the evaluate consumer gets the fan-out', async () => {
    const clock = new ManualClock(T0);
    const bus = createLocalBus({ now: clock.now });
    const evaluated: string[] = [];
    bus.subscribe('evaluate', (event) => void evaluated.push(decodeEventOf('Evaluation Requested', event).detail.accountId));
    const scheduler = createLocalScheduler({ everyMs: 5 * MINUTE, listAccounts: () => ['demo', 'vault'], publisher: bus, clock });
    scheduler.start();
    await clock.advance(5 * MINUTE);
    await scheduler.stop();
    await bus.idle();
    expect(evaluated).toEqual(['demo', 'vault']);
    await bus.stop();
  });

  it('rejects a bad interval', () => {
    expect(() => createLocalScheduler({ everyMs: 0, listAccounts: () => [], publisher: recorder() })).toThrow('everyMs must be a positive integer (got 0)');
  });
});
