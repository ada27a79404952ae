import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../../../shared/domain/backtest/random.ts';
import { cppiTarget, floorOf, observeValue, startInsurance, syntheticPutTarget, type CppiConfig } from '../../../../shared/domain/policy/portfolio-insurance.ts';
import { bsmGreeks } from '../../../../shared/domain/pricing/black-scholes-merton.ts';

const cppi = (multiplier: number, band = 0): CppiConfig => ({ floor: { kind: 'share-of-start', share: 0.8 }, multiplier, maxExposureShare: 1, band });

describe('CPPI', () => {
  it('holds m × the cushion above the floor, capped at the portfolio, nothing under the floor', () => {
    const state = startInsurance(100);
    expect(cppiTarget(cppi(3), state, 100, 0)).toMatchObject({ floorUsd: 80, targetExposureUsd: 60, rebalance: true });
    expect(cppiTarget(cppi(6), state, 100, 0).targetExposureUsd).toBe(100); // 6 × 20 capped at V
    expect(cppiTarget(cppi(3), state, 79, 0)).toMatchObject({ targetExposureUsd: 0, rebalance: false });
  });

  it('rebalances only when the exposure left the band around the target', () => {
    const state = startInsurance(100);
    expect(cppiTarget(cppi(3, 0.05), state, 100, 58).rebalance).toBe(false);
    expect(cppiTarget(cppi(3, 0.05), state, 100, 56).rebalance).toBe(true);
  });

  it('floors: a value, a share of the start, a ratchet on the high-water mark', () => {
    let state = startInsurance(100);
    state = observeValue(observeValue(state, 120), 110);
    expect(state).toEqual({ startValue: 100, highValue: 120 });
    expect(floorOf({ kind: 'value', usd: 75 }, state)).toBe(75);
    expect(floorOf({ kind: 'share-of-start', share: 0.8 }, state)).toBe(80);
    expect(floorOf({ kind: 'share-of-high', share: 0.8 }, state)).toBe(96);
    expect(() => cppiTarget({ ...cppi(3), floor: { kind: 'share-of-high', share: 1.2 } }, state, 100, 0)).toThrow(/floor/);
  });
});

describe('synthetic put', () => {
  const config = { floor: { kind: 'share-of-start', share: 0.9 } as const, horizonYears: 0.5, vol: 0.6, rate: 0, band: 0.02 };
  it('is n units plus n puts struck at K with n·K = the floor and n·(S + P) = the value: its risky leg is n·S·N(d1)', () => {
    const state = startInsurance(3000);
    // The strike, solved here by bisection on (S + P(K))/K = value/floor (falling in K).
    const solve = (value: number, floor: number, spot: number): number => {
      let lo = 1e-6 * spot;
      let hi = 1e6 * spot;
      for (let i = 0; i < 200; i++) {
        const k = Math.sqrt(lo * hi);
        const put = bsmGreeks({ type: 'put', spot, strike: k, maturity: 0.5, vol: 0.6, rate: 0, yield: 0 }).price;
        if ((spot + put) / k > value / floor) lo = k;
        else hi = k;
      }
      return Math.sqrt(lo * hi);
    };
    for (const [value, spot] of [[3000, 3000], [3300, 2500], [2800, 4000]] as const) {
      const strike = solve(value, 2700, spot);
      const units = 2700 / strike;
      const put = bsmGreeks({ type: 'put', spot, strike, maturity: 0.5, vol: 0.6, rate: 0, yield: 0 });
      expect(units * (spot + put.price)).toBeCloseTo(value, 6);
      expect(syntheticPutTarget(config, state, value, spot, 0).targetExposureUsd).toBeCloseTo(units * spot * (1 + put.delta), 6);
    }
    // Far above the floor it holds nearly all; at the floor, nothing is at risk; at the horizon, nothing either.
    expect(syntheticPutTarget(config, state, 6000, 6000, 0).targetExposureUsd / 6000).toBeGreaterThan(0.97);
    expect(syntheticPutTarget(config, state, 2700, 3000, 0).targetExposureUsd).toBe(0);
    expect(syntheticPutTarget(config, state, 2710, 3000, 0).targetExposureUsd).toBeLessThan(0.05 * 2710);
    expect(syntheticPutTarget({ ...config, horizonYears: 0 }, state, 3000, 3000, 10).targetExposureUsd).toBe(0);
  });
});

/**
 * Gap risk, with the pure targets rebalanced at every step of a year of simulated prices:
 * under GBM with daily rebalancing CPPI ends under its floor almost never; with Merton jumps
 * (down by ~26% twice a year on average) it breaks through, the more often the larger m: a
 * jump breaks through when it is larger than 1/m (here: 0% of paths at m = 2, 59% at
 * m = 4, 75% at m = 6).
 */
function breachRate(multiplier: number, jumps: boolean, paths = 400): number {
  const steps = 365;
  const dt = 1 / steps;
  const vol = 0.6;
  const rng = new Xoshiro128(7);
  let breaches = 0;
  for (let p = 0; p < paths; p++) {
    rng.reseed(7, p);
    const state = startInsurance(100);
    let risky = cppiTarget(cppi(multiplier), state, 100, 0).targetExposureUsd;
    let safe = 100 - risky;
    let breached = false;
    for (let k = 0; k < steps; k++) {
      let logReturn = -0.5 * vol * vol * dt + vol * Math.sqrt(dt) * rng.nextNormal();
      if (jumps && rng.nextDouble() < 2 * dt) logReturn += -0.3 + 0.05 * rng.nextNormal();
      risky *= Math.exp(logReturn);
      const value = risky + safe;
      if (value < floorOf({ kind: 'share-of-start', share: 0.8 }, state) - 1e-9) breached = true;
      const target = cppiTarget(cppi(multiplier), state, value, risky);
      risky = target.targetExposureUsd;
      safe = value - risky;
    }
    if (breached) breaches++;
  }
  return breaches / paths;
}

describe('CPPI gap risk', () => {
  it('under GBM with daily rebalancing it (almost) never ends under the floor', () => {
    expect(breachRate(4, false)).toBeLessThan(0.01);
  });
  it('under jumps it breaks through the floor, more often the larger the multiplier', () => {
    const low = breachRate(2, true);
    const high = breachRate(6, true);
    expect(high).toBeGreaterThan(0.1);
    expect(high).toBeGreaterThan(2 * low);
  });
});
