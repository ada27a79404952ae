import { describe, expect, it } from 'vitest';
import { createLocalBus, LocalBusStoppedError, type DeliveredEvent } from '../../../../shared/adapters/local-bus/local-bus.ts';
import { decodeEvent } from '../../../../shared/contracts/events/decode-event.ts';
import { encodeEvent } from '../../../../shared/contracts/events/encode-event.ts';
import type { EventEntry } from '../../../../shared/contracts/events/event-entry.ts';
import { InvalidEventError } from '../../../../shared/contracts/events/event-errors.ts';

const at = '2026-01-01T00:00:00.000Z';
const evaluation = (id: string): EventEntry => encodeEvent('Evaluation Requested', { accountId: 'acct-1', occurredAt: at, trigger: 'operator', triggerId: id });
const failed = (hedgeId: string): EventEntry => encodeEvent('Hedge Failed', { accountId: 'acct-1', occurredAt: at, decidedAt: at, hedgeId, stage: 'guard', code: 'KILL_SWITCH', message: 'paused' });
const confirmed = encodeEvent('Hedge Confirmed', {
  accountId: 'acct-1',
  occurredAt: at,
  hedgeId: 'd:0',
  decidedAt: at,
  chainId: 31337,
  txHash: `0x${'ab'.repeat(32)}`,
  blockNumber: 7,
  gasUsed: 21000,
  baseDelta: -1.5,
  quoteDelta: 4495.5,
  priceUsd: 2997,
});
const triggerOf = (event: DeliveredEvent) => {
  const decoded = decodeEvent(event);
  return decoded.type === 'Evaluation Requested' ? decoded.detail.triggerId : decoded.type;
};

describe('local bus', () => {
  it('delivers by the routing table, in the EventBridge Lambda envelope, asynchronously', async () => {
    const bus = createLocalBus({ now: () => Date.UTC(2026, 0, 1, 0, 0, 1, 500) });
    const seen: Record<string, DeliveredEvent[]> = { evaluate: [], alerting: [], dispatch: [] };
    for (const consumer of ['evaluate', 'alerting', 'dispatch'] as const) bus.subscribe(consumer, (event) => void seen[consumer]!.push(event));
    await bus.publish([evaluation('r1'), failed('h1'), confirmed]);
    expect(seen.evaluate).toHaveLength(0); // publish returns before delivery, like PutEvents
    await bus.idle();
    expect(seen.evaluate!.map(triggerOf)).toEqual(['r1']);
    expect(seen.alerting!.map(triggerOf)).toEqual(['Hedge Failed']);
    expect(seen.dispatch).toEqual([]); // Hedge Confirmed has no route
    expect(seen.evaluate![0]).toMatchObject({ version: '0', source: 'hedge.functions', 'detail-type': 'Evaluation Requested', time: '2026-01-01T00:00:01Z', resources: [] });
  });

  it('delivers in publish order per route, one at a time, routes independent', async () => {
    const bus = createLocalBus();
    const log: string[] = [];
    let active = 0;
    bus.subscribe('evaluate', async (event) => {
      active++;
      expect(active).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.push(triggerOf(event));
      active--;
    });
    await bus.publish([evaluation('r1'), evaluation('r2')]);
    await bus.publish([evaluation('r3')]);
    await bus.idle();
    expect(log).toEqual(['r1', 'r2', 'r3']);
  });

  it('with a concurrency, keeps that many deliveries of a consumer in flight and no more, and misses none published meanwhile', async () => {
    const bus = createLocalBus({ concurrency: { evaluate: 3 } });
    const seen: string[] = [];
    let active = 0;
    let peak = 0;
    bus.subscribe('evaluate', async (event) => {
      peak = Math.max(peak, ++active);
      await new Promise((resolve) => setTimeout(resolve, 2));
      const trigger = triggerOf(event);
      seen.push(trigger);
      // Published from inside a delivery, while the workers are finishing.
      if (trigger === 'r9') await bus.publish([evaluation('late')]);
      active--;
    });
    await bus.publish(Array.from({ length: 10 }, (_, i) => evaluation(`r${i}`)));
    await bus.idle();
    expect(peak).toBe(3);
    expect([...seen].sort()).toEqual([...Array.from({ length: 10 }, (_, i) => `r${i}`), 'late'].sort());
  });

  it('isolates and reports a failing handler: the next events still arrive', async () => {
    const reported: string[] = [];
    const bus = createLocalBus({ onDeliveryError: (f) => reported.push(`${f.route}/${f.consumer}: ${(f.error as Error).message}`) });
    const ok: string[] = [];
    bus.subscribe('evaluate', (event) => {
      if (triggerOf(event) === 'r2') throw new Error('handler bug');
      ok.push(triggerOf(event));
    });
    await bus.publish([evaluation('r1'), evaluation('r2'), evaluation('r3')]);
    await bus.idle();
    expect(ok).toEqual(['r1', 'r3']);
    expect(reported).toEqual(['evaluate-on-evaluation-requested/evaluate: handler bug']);
    expect(bus.failures).toHaveLength(1);
  });

  it('in at-least-once mode delivers every event twice, so an idempotent consumer acts once', async () => {
    const bus = createLocalBus({ atLeastOnce: true });
    const processed = new Set<string>();
    let deliveries = 0;
    let effects = 0;
    bus.subscribe('evaluate', (event) => {
      deliveries++;
      const { detail } = decodeEvent(event);
      if (processed.has(detail.eventId)) return;
      processed.add(detail.eventId);
      effects++;
    });
    await bus.publish([evaluation('r1'), evaluation('r2'), evaluation('r1')]); // r1 twice: a producer retry
    await bus.idle();
    expect(deliveries).toBe(6);
    expect(effects).toBe(2);
  });

  it('rejects a whole publish with a bad entry (other bus, not JSON) and delivers none of it', async () => {
    const bus = createLocalBus();
    const got: string[] = [];
    bus.subscribe('evaluate', (event) => void got.push(triggerOf(event)));
    await expect(bus.publish([evaluation('r1'), { ...evaluation('r2'), EventBusName: 'other' }])).rejects.toThrow('wrong bus: EventBusName "other" is not this bus ("hedge-events")');
    await expect(bus.publish([{ ...evaluation('r3'), Detail: '{' }])).rejects.toThrowError(InvalidEventError);
    await bus.idle();
    expect(got).toEqual([]);
  });

  it('stop() drops what is queued, waits for the delivery in progress, then refuses publishes', async () => {
    const bus = createLocalBus();
    const done: string[] = [];
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    bus.subscribe('evaluate', async (event) => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 5));
      done.push(triggerOf(event));
    });
    await bus.publish([evaluation('r1'), evaluation('r2'), evaluation('r3')]);
    await firstStarted;
    await bus.stop();
    expect(done).toEqual(['r1']);
    await expect(bus.publish([evaluation('r4')])).rejects.toThrowError(LocalBusStoppedError);
  });

  it('routes to a later subscriber, and an unsubscribed consumer receives nothing', async () => {
    const bus = createLocalBus();
    const got: string[] = [];
    const off = bus.subscribe('alerting', (event) => void got.push(triggerOf(event)));
    await bus.publish([failed('h1')]);
    await bus.idle();
    off();
    await bus.publish([failed('h2')]);
    await bus.idle();
    expect(got).toEqual(['Hedge Failed']);
  });
});
