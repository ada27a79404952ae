import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/domain/errors.ts';
import { applyDecision, initialHedgeState, observePrice } from '../../../../shared/domain/policy/hedge-state.ts';
import type { Decision, HedgeOrder, PlannedSlice } from '../../../../shared/domain/policy/policy-types.ts';
import { ewmaVarianceUpdate, scalingVol, usesRealisedVol } from '../../../../shared/domain/policy/realised-vol.ts';
import { utcDayStartMs } from '../../../../shared/domain/policy/utc-day.ts';

const DAY = 86_400_000;
const YEAR = 365 * DAY;
const NOW = Date.UTC(2026, 0, 5, 12);

const perpOrder = (quantity: number, side: 'buy' | 'sell' = 'sell'): HedgeOrder => ({
  instrument: { kind: 'perp' },
  side,
  quantity,
  notionalUsd: quantity * 3000,
  sliceIndex: 0,
  sliceCount: 1,
  notBeforeMs: NOW,
});
const slice = (i: number, decisionId = 'abcdef0123456789'): PlannedSlice => ({ quantity: -5, notBeforeMs: NOW + i * 60_000, sliceIndex: i, sliceCount: 4, decisionId });
const decision = (over: Partial<Decision> = {}): Decision => ({
  id: '0123456789abcdef',
  action: 'hedge',
  reason: 'HEDGE_BAND',
  message: '',
  numbers: { spot: 3000 },
  orders: [perpOrder(5)],
  plannedSlices: [],
  alerts: [],
  dryRun: false,
  wouldTrade: [],
  ...over,
});

describe('UTC days from ms arithmetic', () => {
  it('floors to midnight UTC, also before 1970', () => {
    expect(utcDayStartMs(Date.UTC(2026, 0, 2, 13, 5))).toBe(Date.UTC(2026, 0, 2));
    expect(utcDayStartMs(Date.UTC(2026, 0, 2))).toBe(Date.UTC(2026, 0, 2));
    expect(utcDayStartMs(Date.UTC(2026, 0, 2) - 1)).toBe(Date.UTC(2026, 0, 1));
    expect(utcDayStartMs(Date.UTC(1969, 11, 31, 6))).toBe(Date.UTC(1969, 11, 31));
  });
});

describe('initialHedgeState', () => {
  it('starts the day at UTC midnight, with nothing traded or pending', () => {
    expect(initialHedgeState(NOW)).toEqual({ dayStartMs: Date.UTC(2026, 0, 5), dailyNotionalUsd: 0, pendingSlices: [] });
    expect(() => initialHedgeState(Number.NaN)).toThrow(InvalidInputError);
  });
});

describe('observePrice (EWMA of squared log returns)', () => {
  it('only records the first price', () => {
    const s = observePrice(initialHedgeState(NOW), 3000, NOW, 0.94);
    expect(s.lastPrice).toBe(3000);
    expect(s.lastPriceAtMs).toBe(NOW);
    expect(s.ewmaVariance).toBeUndefined();
  });

  it('seeds with the first annualised squared return, then recurses with λ', () => {
    let s = observePrice(initialHedgeState(NOW), 3000, NOW, 0.94);
    s = observePrice(s, 3030, NOW + 60_000, 0.94);
    // ln(3030/3000)² / (1 min in years) = 52.03917459639465 (python)
    expect(s.ewmaVariance).toBeCloseTo(52.03917459639465, 10);
    const r = Math.log(2990 / 3030);
    const next = observePrice(s, 2990, NOW + 60_000 + 3_600_000, 0.94);
    expect(next.ewmaVariance).toBeCloseTo(0.94 * 52.03917459639465 + 0.06 * ((r * r) / (3_600_000 / YEAR)), 10);
    expect(next.lastPrice).toBe(2990);
  });

  it('annualises by the elapsed time: the same return over 4x the time is 1/4 the variance', () => {
    const a = observePrice(observePrice(initialHedgeState(NOW), 100, NOW, 0.9), 101, NOW + 1000, 0.9);
    const b = observePrice(observePrice(initialHedgeState(NOW), 100, NOW, 0.9), 101, NOW + 4000, 0.9);
    expect(a.ewmaVariance! / b.ewmaVariance!).toBeCloseTo(4, 12);
  });

  it('converges to σ² on a path with constant realised variance', () => {
    let s = observePrice(initialHedgeState(NOW), 100, NOW, 0.94);
    const step = 3_600_000;
    const sigma = 0.8;
    const move = sigma * Math.sqrt(step / YEAR); // |log return| per step
    for (let i = 1; i <= 500; i++) s = observePrice(s, s.lastPrice! * Math.exp(i % 2 === 0 ? move : -move), NOW + i * step, 0.94);
    expect(Math.sqrt(s.ewmaVariance!)).toBeCloseTo(sigma, 10);
  });

  it('ignores duplicate and out-of-order observations, rejects bad ones', () => {
    const s = observePrice(observePrice(initialHedgeState(NOW), 100, NOW, 0.94), 101, NOW + 1000, 0.94);
    expect(observePrice(s, 105, NOW + 1000, 0.94)).toBe(s);
    expect(observePrice(s, 105, NOW, 0.94)).toBe(s);
    expect(() => observePrice(s, 0, NOW + 2000, 0.94)).toThrow(InvalidInputError);
    expect(() => observePrice(s, Number.NaN, NOW + 2000, 0.94)).toThrow(InvalidInputError);
    expect(() => observePrice(s, 100, Number.NaN, 0.94)).toThrow(InvalidInputError);
    expect(() => observePrice(s, 100, NOW + 2000, 1)).toThrow(InvalidInputError);
  });

  it('the scaling vol is the realised estimate when asked and known, else implied, floored', () => {
    expect(scalingVol('realised', 0.64, 0.5)).toBeCloseTo(0.8, 15);
    expect(scalingVol('realised', undefined, 0.5)).toBe(0.5);
    expect(scalingVol('implied', 0.64, 0.5)).toBe(0.5);
    expect(scalingVol('implied', undefined, 0)).toBe(1e-4);
    expect(usesRealisedVol('realised', 0.64)).toBe(true);
    expect(usesRealisedVol('realised', undefined)).toBe(false);
    expect(ewmaVarianceUpdate(undefined, 100, 100, 1000, 0.94)).toBe(0);
  });
});

describe('applyDecision', () => {
  it('records fills: last hedge time and the decision spot, daily notional from fill prices', () => {
    const s = applyDecision(initialHedgeState(NOW), decision(), [{ order: perpOrder(5), price: 3003 }], NOW + 5);
    expect(s.lastHedgeAtMs).toBe(NOW + 5);
    expect(s.lastHedgeSpot).toBe(3000); // the oracle spot of the decision, not the fill price
    expect(s.dailyNotionalUsd).toBeCloseTo(5 * 3003, 9);
    const s2 = applyDecision(s, decision(), [{ order: perpOrder(2), price: 3000 }], NOW + 10);
    expect(s2.dailyNotionalUsd).toBeCloseTo(5 * 3003 + 6000, 9);
  });

  it('counts option fills at their premium', () => {
    const option: HedgeOrder = { ...perpOrder(10, 'buy'), instrument: { kind: 'option', id: 'c' }, notionalUsd: 500 };
    const s = applyDecision(initialHedgeState(NOW), decision({ orders: [option] }), [{ order: option, price: 50 }], NOW);
    expect(s.dailyNotionalUsd).toBe(500);
    expect(s.lastHedgeSpot).toBe(3000);
  });

  it('resets the daily notional at the UTC day boundary, never when the clock goes back', () => {
    const lateNight = Date.UTC(2026, 0, 5, 23, 59);
    const s = applyDecision(initialHedgeState(lateNight), decision(), [{ order: perpOrder(5), price: 3000 }], lateNight);
    expect(s.dailyNotionalUsd).toBe(15_000);
    const nextDay = Date.UTC(2026, 0, 6, 0, 1);
    const t = applyDecision(s, decision(), [{ order: perpOrder(1), price: 3000 }], nextDay);
    expect(t.dayStartMs).toBe(Date.UTC(2026, 0, 6));
    expect(t.dailyNotionalUsd).toBe(3000);
    // Nothing filled after midnight: the day still rolls over.
    const u = applyDecision(s, decision({ orders: [] }), [], nextDay);
    expect(u.dailyNotionalUsd).toBe(0);
    expect(u.lastHedgeAtMs).toBe(lateNight);
    // A clock going backwards keeps counting in the later day.
    const back = applyDecision(t, decision(), [{ order: perpOrder(1), price: 3000 }], lateNight);
    expect(back.dayStartMs).toBe(Date.UTC(2026, 0, 6));
    expect(back.dailyNotionalUsd).toBe(6000);
  });

  it('takes the pending slices from the decision: sent ones drop out, new plans replace old ones', () => {
    const withPending = { ...initialHedgeState(NOW), pendingSlices: [slice(1), slice(2), slice(3)] };
    const afterSend = applyDecision(withPending, decision({ reason: 'HEDGE_PENDING_SLICE', plannedSlices: [slice(2), slice(3)] }), [{ order: perpOrder(5), price: 3000 }], NOW);
    expect(afterSend.pendingSlices).toEqual([slice(2), slice(3)]);
    const replaced = applyDecision(withPending, decision({ plannedSlices: [slice(1, 'fedcba9876543210')] }), [], NOW);
    expect(replaced.pendingSlices).toEqual([slice(1, 'fedcba9876543210')]);
    expect(replaced.lastHedgeAtMs).toBeUndefined(); // nothing filled
  });

  it('a dry-run decision changes nothing', () => {
    const s = initialHedgeState(NOW);
    expect(applyDecision(s, decision({ dryRun: true, orders: [], wouldTrade: [perpOrder(5)], plannedSlices: [slice(1)] }), [], NOW)).toBe(s);
  });

  it('does not mutate its input and rejects a bad fill price', () => {
    const s = initialHedgeState(NOW);
    const copy = structuredClone(s);
    applyDecision(s, decision(), [{ order: perpOrder(5), price: 3000 }], NOW);
    expect(s).toEqual(copy);
    expect(() => applyDecision(s, decision(), [{ order: perpOrder(5), price: Number.NaN }], NOW)).toThrow(InvalidInputError);
  });
});
