/**
 * What the simulator records per path beyond the hedge cost (traded units, the hedged
 * book's max drawdown), runs that start at a path id (`firstPath`: one path of a large
 * run, number for number), and the realised vol of each path.
 */
import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfigInput } from '../../../../shared/contracts/hedge-policy-config.ts';
import { MS_PER_DAY, MS_PER_WEEK } from '../../../../shared/domain/backtest/durations.ts';
import { realisedVol } from '../../../../shared/domain/backtest/market-paths.ts';
import { mergeBacktestResults } from '../../../../shared/domain/backtest/merge-results.ts';
import { pathRealisedVols, realisedVolOf } from '../../../../shared/domain/backtest/path-metrics.ts';
import { runBacktest, type BacktestSpec, type PerPathResults } from '../../../../shared/domain/backtest/simulate.ts';
import { mean } from '../../../../shared/domain/backtest/statistics.ts';
import { bsmPrice } from '../../../../shared/domain/pricing/black-scholes-merton.ts';
import { standInPolicy } from './stand-in-policy.ts';

const START = Date.UTC(2025, 0, 1);

function spec(overrides: Partial<BacktestSpec> = {}, policy: HedgePolicyConfigInput = { underlying: 'X', cadence: { everyMs: MS_PER_WEEK } }): BacktestSpec {
  return {
    market: { kind: 'merton', spot: 49, drift: 0.13, vol: 0.2, jumpIntensity: 3, jumpMean: -0.1, jumpStd: 0.05 },
    rate: 0.05,
    yield: 0,
    pricingVol: 0.2,
    fundingRate: 0.05,
    book: [{ id: 'call', optionType: 'call', strike: 50, maturityMs: 20 * MS_PER_WEEK, quantity: -100_000 }],
    policy: HedgePolicyConfigSchema.parse(policy),
    costs: { feeBps: 5, slippage: { kind: 'sqrt', k: 0.7, advUnits: 1e6 }, gasUsd: 3 },
    paths: 40,
    seed: 4,
    startMs: START,
    grid: { stepMs: MS_PER_WEEK },
    ...overrides,
  };
}

const FIELDS: (keyof PerPathResults)[] = ['hedgeCost', 'option', 'hedge', 'hedgeOptions', 'optionSpread', 'financing', 'funding', 'fees', 'slippage', 'gas', 'trades', 'jumps', 'tradedUnits', 'maxDrawdown'];

describe('firstPath: one path of a run, alone', () => {
  it('runs paths firstPath … firstPath + paths − 1: each identical, bit for bit, to the same path inside the whole run', () => {
    const whole = runBacktest(spec(), standInPolicy());
    for (const p of [0, 1, 17, 39]) {
      const alone = runBacktest(spec({ paths: 1, firstPath: p }), standInPolicy());
      for (const field of FIELDS) expect(alone.perPath[field][0], `${field} of path ${p}`).toBe(whole.perPath[field][p]);
      expect(alone.summary.hedgeCost.mean).toBe(whole.perPath.hedgeCost[p]);
    }
    const middle = runBacktest(spec({ paths: 10, firstPath: 15 }), standInPolicy());
    expect(middle.perPath.hedgeCost).toEqual(whole.perPath.hedgeCost.subarray(15, 25));
  });

  it('is refused outside [0, MAX_PATHS − paths] and for a replay (one path)', () => {
    expect(() => runBacktest(spec({ firstPath: -1 }), standInPolicy())).toThrow(/firstPath/);
    expect(() => runBacktest(spec({ firstPath: 1.5 }), standInPolicy())).toThrow(/firstPath/);
    expect(() => runBacktest(spec({ firstPath: 10_000_000 }), standInPolicy())).toThrow(/firstPath/);
    const replay = spec({ market: { kind: 'replay', offsetsMs: [0, MS_PER_WEEK], prices: [49, 50] }, firstPath: 1 });
    expect(() => runBacktest(replay, standInPolicy())).toThrow(/a replay has one path/);
  });
});

describe('a run in blocks of paths (mergeBacktestResults)', () => {
  it('joined, the blocks are the run of all their paths: per-path results and summary equal (timeOutsideBand to rounding)', () => {
    const banded = spec({ paths: 90 }, { underlying: 'X', band: { unit: 'units', trigger: 20_000 } });
    const whole = runBacktest(banded, standInPolicy());
    const blocks = [
      runBacktest({ ...banded, paths: 40 }, standInPolicy()),
      runBacktest({ ...banded, firstPath: 40, paths: 1 }, standInPolicy()),
      runBacktest({ ...banded, firstPath: 41, paths: 49 }, standInPolicy()),
    ];
    const merged = mergeBacktestResults(blocks);
    for (const field of FIELDS) expect(merged.perPath[field], field).toEqual(whole.perPath[field]);
    const { timeOutsideBand, ...rest } = merged.summary;
    const { timeOutsideBand: wholeTime, ...wholeRest } = whole.summary;
    expect(rest).toEqual(wholeRest);
    expect(timeOutsideBand).toBeCloseTo(wholeTime!, 14);
    expect(whole.summary.alertsPerPath + whole.summary.legsPerPath + whole.summary.decisionsOutsideBand!).toBeGreaterThan(0); // the counts were exercised
    expect(mergeBacktestResults([whole])).toBe(whole);
    expect(() => mergeBacktestResults([])).toThrow(/at least one/);
  });
});

describe('per-path traded units and drawdown', () => {
  it('traded units per path average to the summary, and the drawdown is at least the final loss and never negative', () => {
    const { perPath, summary } = runBacktest(spec({ paths: 200 }), standInPolicy());
    expect(mean(perPath.tradedUnits)).toBeCloseTo(summary.tradedUnitsPerPath, 6);
    for (let p = 0; p < 200; p++) {
      const pnl = summary.premium - perPath.hedgeCost[p]!;
      expect(perPath.maxDrawdown[p]).toBeGreaterThanOrEqual(0);
      expect(perPath.maxDrawdown[p]! + 1e-6).toBeGreaterThanOrEqual(-pnl); // the book starts at 0 and ends at its P&L
    }
  });

  it('by hand: an unhedged written call on a replay falls by the rise of its Black-Scholes value, then recovers', () => {
    const day = 1 / 365;
    const prices = [100, 110, 90, 100];
    const offsetsMs = [0, MS_PER_DAY, 2 * MS_PER_DAY, 3 * MS_PER_DAY];
    // A band too wide to trade: the book is carried as written.
    const unhedged = runBacktest(
      {
        ...spec({
          market: { kind: 'replay', offsetsMs, prices },
          rate: 0,
          fundingRate: 0,
          pricingVol: 0.8,
          costs: { feeBps: 0, slippage: { kind: 'none' }, gasUsd: 0 },
          book: [{ id: 'c', optionType: 'call', strike: 100, maturityMs: 3 * MS_PER_DAY, quantity: -1 }],
          paths: 1,
        }),
        policy: HedgePolicyConfigSchema.parse({ underlying: 'X', band: { unit: 'units', trigger: 1e6 } }),
      },
      standInPolicy(),
    );
    const v = (spot: number, days: number): number => bsmPrice({ type: 'call', spot, strike: 100, maturity: days * day, vol: 0.8, rate: 0, yield: 0 });
    // Values after each instant: 0, v0 − v(110, 2d), v0 − v(90, 1d), v0 − payoff(100) = v0.
    expect(unhedged.summary.tradesPerPath).toBe(0);
    expect(unhedged.perPath.maxDrawdown[0]).toBeCloseTo(v(110, 2) - v(100, 3), 10);
    expect(unhedged.summary.hedgeCost.mean).toBe(0); // it expires at the money
  });
});

describe('realised vol per path', () => {
  it('of a replay equals the series realised vol; of GBM paths, it averages to the model vol', () => {
    const market = { kind: 'replay' as const, offsetsMs: [0, MS_PER_DAY, 2 * MS_PER_DAY, 3 * MS_PER_DAY], prices: [100, 103, 99, 101] };
    const [vol] = pathRealisedVols(spec({ market, book: [{ id: 'c', optionType: 'call', strike: 100, maturityMs: 3 * MS_PER_DAY, quantity: -1 }] }));
    expect(vol).toBeCloseTo(realisedVol(market), 14);
    expect(realisedVolOf([100, 110, 100], [0, 0.5, 1])).toBeCloseTo(Math.sqrt(2 * Math.log(1.1) ** 2), 14);
    const gbm = spec({ market: { kind: 'gbm', spot: 49, drift: 0, vol: 0.3 }, paths: 2000, grid: { stepMs: MS_PER_DAY } });
    const vols = pathRealisedVols(gbm);
    expect(Math.sqrt(mean(vols.map((x) => x * x)))).toBeCloseTo(0.3, 2);
    // The same paths as the simulator's: a run starting at path 5 sees path 5 first.
    expect(pathRealisedVols({ ...gbm, paths: 1, firstPath: 5 })[0]).toBe(vols[5]);
  });
});
