import { describe, expect, it } from 'vitest';
import { applyCrashPlan, initialBreakerState, observeCrash, validateBreakerConfig, type CrashBreakerConfig, type CrashBreakerState } from '../../../../shared/domain/policy/crash-breaker.ts';
import type { HedgeOrder } from '../../../../shared/domain/policy/policy-types.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 3);
// 3 σ of an 80% vol over 30 minutes: 0.8·√(30 min / 1 y) = 0.6%, so 1.8%.
const config: CrashBreakerConfig = { moveSigmas: 3, windowMs: 30 * MIN, maxPoolOracleDeviationBps: 300, maxOracleJumpBps: 500, plan: { kind: 'hold' }, calmMs: 20 * MIN };
const threshold = 3 * 0.8 * Math.sqrt((30 * MIN) / (365 * 24 * 60 * MIN));

/** Feeds prices one a minute from T0; returns the last step and every transition. */
function feed(prices: readonly number[], extra: (i: number) => { pool?: number; previousOracle?: number } = () => ({})) {
  let state: CrashBreakerState = initialBreakerState(T0);
  const transitions = [];
  let last;
  for (const [i, oracle] of prices.entries()) {
    last = observeCrash(state, { nowMs: T0 + i * MIN, oracle, volAnnual: 0.8, ...extra(i) }, config);
    state = last.state;
    if (last.transition) transitions.push(last.transition);
  }
  return { last: last!, transitions };
}

describe('the crash circuit breaker', () => {
  it('stays normal on moves under k forecast σ within the window', () => {
    const drift = Array.from({ length: 60 }, (_, i) => 3000 * Math.exp((i % 2 === 0 ? 1 : -1) * 0.5 * threshold));
    const { last, transitions } = feed(drift);
    expect(transitions).toEqual([]);
    expect(last.state.mode).toBe('normal');
  });

  it('trips on a fall of more than k σ against the window’s high, and names the trigger', () => {
    const prices = [3000, 3000, 3000, 3000 * Math.exp(-threshold * 1.05)];
    const { last, transitions } = feed(prices);
    expect(last.triggers).toEqual(['MOVE']);
    expect(transitions).toEqual([{ from: 'normal', to: 'crash', atMs: T0 + 3 * MIN, reason: 'MOVE' }]);
  });

  it('a move spread over longer than the window does not trip it', () => {
    // The same total fall, spread over 40 minutes: never k σ within 30.
    const prices = Array.from({ length: 41 }, (_, i) => 3000 * Math.exp((-threshold * 1.05 * i) / 40));
    expect(feed(prices).transitions).toEqual([]);
  });

  it('trips on the pool parting from the oracle, and on an oracle round jump', () => {
    expect(feed([3000, 3000], (i) => (i === 1 ? { pool: 3000 * 1.031 } : {})).last.triggers).toEqual(['POOL_ORACLE_DEVIATION']);
    expect(feed([3000, 3000], (i) => (i === 1 ? { previousOracle: 3000 / 1.051 } : {})).last.triggers).toEqual(['ORACLE_JUMP']);
    expect(feed([3000, 3000], () => ({ pool: 3000 * 1.029, previousOracle: 3000 / 1.049 })).transitions).toEqual([]);
  });

  it('resumes after the calm period without a trigger, not before, and a new trigger restarts the count', () => {
    const crash = 3000 * Math.exp(-threshold * 1.2);
    // Crash at minute 3, flat after.
    const prices = [3000, 3000, 3000, crash, ...Array.from({ length: 60 }, () => crash)];
    const { transitions } = feed(prices);
    expect(transitions.map((t) => [t.to, (t.atMs - T0) / MIN])).toEqual([
      ['crash', 3],
      // The fall stays a trigger while the window still holds a pre-crash price (minutes 0–2,
      // until minute 32); calm 20 minutes after the last trigger at minute 32.
      ['normal', 52],
    ]);
  });

  it('refuses a config that cannot work', () => {
    expect(() => validateBreakerConfig({ ...config, moveSigmas: 0 })).toThrow(/moveSigmas/);
    expect(() => validateBreakerConfig({ ...config, plan: { kind: 'slices', slices: 1, maxSlippageBps: 10 } })).toThrow(/slices/);
    expect(() => observeCrash(initialBreakerState(T0), { nowMs: T0, oracle: 0, volAnnual: 0.8 }, config)).toThrow(/oracle/);
  });
});

describe('crash plans', () => {
  const order = (side: 'buy' | 'sell', quantity: number, kind: 'spot' | 'option' = 'spot'): HedgeOrder => ({
    instrument: kind === 'spot' ? { kind: 'spot' } : { kind: 'option', id: 'put-2700' },
    side,
    quantity,
    notionalUsd: quantity * 3000,
    sliceIndex: 0,
    sliceCount: 1,
    notBeforeMs: T0,
  }) as HedgeOrder;

  it('hold lets nothing out', () => {
    const orders = [order('buy', 2)];
    expect(applyCrashPlan(orders, { kind: 'hold' }, -2)).toEqual({ orders: [], held: orders });
  });

  it('risk-reducing lets out only delta-one orders against the delta, never past zero; options wait', () => {
    const planned = applyCrashPlan([order('buy', 3), order('buy', 1, 'option'), order('sell', 1)], { kind: 'risk-reducing' }, -2);
    expect(planned.orders).toEqual([{ ...order('buy', 2), notionalUsd: 6000 }]);
    expect(planned.held.map((o) => [o.side, o.instrument.kind])).toEqual([
      ['buy', 'option'],
      ['sell', 'spot'],
    ]);
  });

  it('slices hands the whole orders to the slicing with the tighter slippage', () => {
    const orders = [order('sell', 4)];
    expect(applyCrashPlan(orders, { kind: 'slices', slices: 4, maxSlippageBps: 20 }, 4)).toEqual({ orders, held: [], sliceInto: 4, maxSlippageBps: 20 });
  });
});
