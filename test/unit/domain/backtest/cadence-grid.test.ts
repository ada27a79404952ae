/**
 * A cadence on the simulation grid: when the grid honours it, which step would, and the
 * simulator's refusal of a cadence it would otherwise silently coarsen.
 */
import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema } from '../../../../shared/contracts/hedge-policy-config.ts';
import { effectiveCadenceMs, honoursCadence, shortestSpacingMs, stepForCadence } from '../../../../shared/domain/backtest/cadence-grid.ts';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_WEEK, durationText, parseDurationMs, readDuration } from '../../../../shared/domain/backtest/durations.ts';
import { POLICY_ENGINE } from '../../../../shared/domain/backtest/policy-engine.ts';
import { checkBacktestSpec, runBacktest, type BacktestSpec } from '../../../../shared/domain/backtest/simulate.ts';
import { standardDeviation, summarize } from '../../../../shared/domain/backtest/statistics.ts';
import { MS_PER_YEAR } from '../../../../shared/domain/exposure/positions.ts';

describe('cadence on a grid', () => {
  it('a cadence finer than the step, or not a whole number of steps, is not honoured', () => {
    expect(effectiveCadenceMs(MS_PER_WEEK / 2, MS_PER_WEEK)).toBe(MS_PER_WEEK); // the bug: 0.5w hedged weekly
    expect(honoursCadence(MS_PER_WEEK / 2, MS_PER_WEEK)).toBe(false);
    expect(effectiveCadenceMs(6 * MS_PER_HOUR, 4 * MS_PER_HOUR)).toBe(8 * MS_PER_HOUR);
    expect(honoursCadence(6 * MS_PER_HOUR, 4 * MS_PER_HOUR)).toBe(false);
    expect(honoursCadence(5 * MS_PER_WEEK, MS_PER_WEEK)).toBe(true);
    expect(honoursCadence(MS_PER_DAY, MS_PER_DAY)).toBe(true);
  });

  it('tolerates the millisecond rounding of equal steps (a cadence of the floor of the step fires at every step)', () => {
    const interval = (30 * MS_PER_DAY) / 7; // 370285714.28… ms
    expect(honoursCadence(Math.floor(interval), interval)).toBe(true);
    expect(honoursCadence(Math.floor(interval) + 1, interval)).toBe(false);
  });

  it('refines to the largest whole-ms step that divides the cadence, or gives up beyond the grid cap', () => {
    expect(stepForCadence(MS_PER_WEEK / 2, MS_PER_WEEK, 20 * MS_PER_WEEK)).toBe(MS_PER_WEEK / 2);
    expect(stepForCadence(MS_PER_WEEK / 4, MS_PER_WEEK, 20 * MS_PER_WEEK)).toBe(MS_PER_WEEK / 4);
    expect(stepForCadence(6 * MS_PER_HOUR, 4 * MS_PER_HOUR, MS_PER_WEEK)).toBe(3 * MS_PER_HOUR);
    expect(stepForCadence(2 * MS_PER_DAY, (20 * MS_PER_WEEK) / 100, 20 * MS_PER_WEEK)).toBe(MS_PER_DAY);
    expect(stepForCadence(1_000_003, 1000, 1e12)).toBeUndefined(); // a prime: only 1 ms steps divide it
    expect(shortestSpacingMs([0, 10, 15, 40])).toBe(5);
  });
});

const START = Date.UTC(2025, 0, 1);

function spec(overrides: Partial<BacktestSpec>, policy: object): BacktestSpec {
  return {
    market: { kind: 'gbm', spot: 49, drift: 0.13, vol: 0.2 },
    rate: 0.05,
    yield: 0,
    pricingVol: 0.2,
    fundingRate: 0.05,
    book: [{ id: 'c', optionType: 'call', strike: 50, maturityMs: 20 * MS_PER_WEEK, quantity: -100_000 }],
    policy: HedgePolicyConfigSchema.parse({ underlying: 'X', ...policy }),
    costs: { feeBps: 0, slippage: { kind: 'none' }, gasUsd: 0 },
    paths: 10,
    seed: 1,
    startMs: START,
    grid: { stepMs: MS_PER_WEEK },
    ...overrides,
  };
}

describe('the simulator refuses a cadence its grid would coarsen', () => {
  it('on a simulated grid, naming the cadence and what it would become', () => {
    expect(() => runBacktest(spec({}, { cadence: { everyMs: MS_PER_WEEK / 2 } }), POLICY_ENGINE)).toThrow(/policy\.cadence\.everyMs is not a whole number of simulation steps .* could only hedge every 604800000 ms/);
    expect(() => checkBacktestSpec(spec({ grid: { steps: 7 } }, { cadence: { everyMs: MS_PER_WEEK } }))).toThrow(/cadence/);
    expect(() => checkBacktestSpec(spec({}, { cadence: { everyMs: 2 * MS_PER_WEEK } }))).not.toThrow();
    // A vol-scaled cadence moves with the vol: not checked.
    expect(() => checkBacktestSpec(spec({}, { cadence: { everyMs: 1000 }, volScaling: { source: 'implied', scaleCadence: true } }))).not.toThrow();
  });

  it('on a replay, finer than its rows', () => {
    const replay = { kind: 'replay', offsetsMs: [0, MS_PER_DAY, 2 * MS_PER_DAY], prices: [100, 101, 99] } as const;
    const book = [{ id: 'c', optionType: 'call', strike: 100, maturityMs: 2 * MS_PER_DAY, quantity: -1 }] as const;
    expect(() => checkBacktestSpec(spec({ market: replay, book }, { cadence: { everyMs: MS_PER_HOUR } }))).toThrow(/finer than the replayed series/);
    expect(() => checkBacktestSpec(spec({ market: replay, book }, { cadence: { everyMs: MS_PER_DAY } }))).not.toThrow();
  });

  it('says which option made the gamma infinite, instead of failing in the policy', () => {
    const flat = { kind: 'replay', offsetsMs: [0, MS_PER_HOUR, 2 * MS_PER_HOUR], prices: [100, 100, 100] } as const;
    const zeroVol = spec({ market: flat, pricingVol: 0, rate: 0, fundingRate: 0, book: [{ id: 'c', optionType: 'call', strike: 100, maturityMs: 2 * MS_PER_HOUR, quantity: -1 }] }, { cadence: { everyMs: MS_PER_HOUR } });
    expect(() => runBacktest(zeroVol, POLICY_ENGINE)).toThrow(/gamma at step 0 .* is not finite: an option priced at vol 0 sits at its strike/);
  });
});

describe('durations and statistics that are written out and read back', () => {
  it('says why a duration is not one, and writes durations that read back exactly', () => {
    expect(readDuration('0')).toEqual({ error: 'must be > 0 (got "0")' });
    expect(readDuration('-1w')).toEqual({ error: 'must be > 0 (got "-1w")' });
    expect(readDuration('3 weeks')).toMatchObject({ error: expect.stringMatching(/is not a duration/) });
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('5m')).toBe(5 * 60_000);
    for (const ms of [20 * MS_PER_WEEK, MS_PER_WEEK / 2, MS_PER_WEEK / 4, 370_285_714, MS_PER_YEAR * 5000, 1, 25_920_000]) {
      expect(parseDurationMs(durationText(ms)), durationText(ms)).toBe(ms);
    }
    expect(durationText(20 * MS_PER_WEEK)).toBe('20w');
    expect(durationText(370_285_714)).toBe('370285.714s');
    expect(durationText(250)).toBe('250ms');
  });

  it('one value has no standard deviation (NaN, not 0)', () => {
    expect(standardDeviation([5])).toBeNaN();
    const one = summarize(Float64Array.of(5));
    expect(one.mean).toBe(5);
    expect(one.std).toBeNaN();
    expect(one.stdError).toBeNaN();
    expect(standardDeviation([1, 3])).toBeCloseTo(Math.SQRT2, 15);
  });
});
