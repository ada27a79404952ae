/**
 * Paths cut or resampled from recorded series (history-paths.ts) and the replay config
 * that makes them (market.csv as a list, market.windows, market.bootstrap): how many
 * paths, where each window starts and ends, the bootstrap's returns, blocks and seeds,
 * and the sizes refused.
 */
import { describe, expect, it } from 'vitest';
import { BacktestConfigError, BacktestConfigSchema, backtestSpecFromConfig, configAsInput, type BacktestConfigInput, type PriceSeries } from '../../../../shared/contracts/backtest-config.ts';
import { MS_PER_DAY, MS_PER_HOUR } from '../../../../shared/domain/backtest/durations.ts';
import {
  createHistorySource,
  dataGaps,
  dataSpacingMs,
  historyPathCount,
  historyPathOrigin,
  historyRealisedVol,
  type HistoryMarket,
  type RecordedSeries,
} from '../../../../shared/domain/backtest/history-paths.ts';
import { buildTimeGrid } from '../../../../shared/domain/backtest/market-paths.ts';
import { POLICY_ENGINE } from '../../../../shared/domain/backtest/policy-engine.ts';
import { runBacktest } from '../../../../shared/domain/backtest/simulate.ts';
import { MS_PER_YEAR } from '../../../../shared/domain/exposure/positions.ts';

/** Hourly rows, price 100 + i at hour i (so a window's first price says where it starts). */
const ramp = (hours: number, base = 100): RecordedSeries => ({
  offsetsMs: Array.from({ length: hours + 1 }, (_, i) => i * MS_PER_HOUR),
  prices: Array.from({ length: hours + 1 }, (_, i) => base + i),
});

/** A wiggly hourly series with distinct returns (for the bootstrap). */
const wiggle = (hours: number, phase = 0): RecordedSeries => ({
  offsetsMs: Array.from({ length: hours + 1 }, (_, i) => i * MS_PER_HOUR),
  prices: Array.from({ length: hours + 1 }, (_, i) => 1000 * Math.exp(0.05 * Math.sin(0.7 * i + phase) + 0.001 * i * ((i * 7919) % 13))),
});

const market = (series: RecordedSeries[], sampling: HistoryMarket['sampling'], spot = 50): HistoryMarket => ({ kind: 'history', series, spot, stepMs: MS_PER_HOUR, sampling });

const fillAll = (m: HistoryMarket, horizonMs: number, seed: number, paths: readonly number[]): Float64Array[] => {
  const grid = buildTimeGrid(horizonMs, { stepMs: m.stepMs });
  const source = createHistorySource(m, grid, seed);
  return paths.map((p) => {
    const out = new Float64Array(grid.offsetsMs.length);
    source.fill(p, out);
    return out;
  });
};

describe('rolling windows', () => {
  it('has ⌊(span − horizon)/every⌋ + 1 windows per series, each starting every `every`, as long as the run', () => {
    const m = market([ramp(48), ramp(30, 500)], { kind: 'windows', everyMs: 6 * MS_PER_HOUR });
    const horizon = 12 * MS_PER_HOUR;
    // 48 h: starts 0, 6, …, 36 (7 windows); 30 h: starts 0, 6, 12, 18 (4).
    expect(historyPathCount(m, horizon)).toBe(7 + 4);
    expect(historyPathOrigin(m, horizon, 0)).toEqual({ series: 0, startMs: 0 });
    expect(historyPathOrigin(m, horizon, 6)).toEqual({ series: 0, startMs: 36 * MS_PER_HOUR });
    expect(historyPathOrigin(m, horizon, 7)).toEqual({ series: 1, startMs: 0 });
    expect(historyPathOrigin(m, horizon, 10)).toEqual({ series: 1, startMs: 18 * MS_PER_HOUR });
    expect(historyPathOrigin(m, horizon, 11)).toBeUndefined();
    const paths = fillAll(m, horizon, 1, [0, 6, 7, 10]);
    // Each window: the series' prices from its start, rescaled to start at the spot (50).
    const expected = (base: number, startHour: number): number[] => Array.from({ length: 13 }, (_, k) => (base + startHour + k) * (50 / (base + startHour)));
    expect(Array.from(paths[0]!)).toEqual(expected(100, 0));
    expect(Array.from(paths[1]!)).toEqual(expected(100, 36)); // the last window ends on the series' last row (hour 48)
    expect(Array.from(paths[2]!)).toEqual(expected(500, 0));
    expect(Array.from(paths[3]!)).toEqual(expected(500, 18)); // 18 + 12 = 30: the last row of the second series
  });

  it('a window as long as a series fits once; a longer run gets none', () => {
    const m = market([ramp(24)], { kind: 'windows', everyMs: MS_PER_HOUR });
    expect(historyPathCount(m, 24 * MS_PER_HOUR)).toBe(1);
    expect(historyPathCount(m, 25 * MS_PER_HOUR)).toBe(0);
    expect(() => fillAll(m, 25 * MS_PER_HOUR, 1, [0])).toThrow(/no window fits/);
    expect(() => fillAll(m, 12 * MS_PER_HOUR, 1, [13])).toThrow(/beyond the market's 13 paths/);
  });

  it('reads a series with missing rows at the last row at or before each instant', () => {
    const s: RecordedSeries = { offsetsMs: [0, 1, 2, 5, 6].map((h) => h * MS_PER_HOUR), prices: [10, 11, 12, 15, 16] };
    expect(dataSpacingMs(s)).toBe(MS_PER_HOUR); // the median gap
    expect(dataGaps(s, MS_PER_HOUR)).toBe(1);
    const [path] = fillAll(market([s], { kind: 'series' }, 10), 6 * MS_PER_HOUR, 1, [0]);
    expect(Array.from(path!)).toEqual([10, 11, 12, 12, 12, 15, 16]);
  });
});

describe('several series', () => {
  it('makes one path per series, each rescaled to the spot; a series shorter than the run is refused', () => {
    const m = market([ramp(10), ramp(12, 200)], { kind: 'series' });
    expect(historyPathCount(m, 10 * MS_PER_HOUR)).toBe(2);
    const [a, b] = fillAll(m, 10 * MS_PER_HOUR, 1, [0, 1]);
    expect(a![10]).toBeCloseTo((110 * 50) / 100, 12);
    expect(b![10]).toBeCloseTo((210 * 50) / 200, 12);
    expect(() => historyPathCount(m, 11 * MS_PER_HOUR)).toThrow(/market\.series\[0\].*shorter than the run/);
  });

  it('has the realised vol of all the rows together', () => {
    const a = wiggle(50);
    const b = wiggle(30, 1);
    let squares = 0;
    for (const s of [a, b]) for (let i = 1; i < s.prices.length; i++) squares += Math.log(s.prices[i]! / s.prices[i - 1]!) ** 2;
    expect(historyRealisedVol({ series: [a, b] })).toBeCloseTo(Math.sqrt(squares / ((80 * MS_PER_HOUR) / MS_PER_YEAR)), 12);
  });
});

describe('the stationary block bootstrap', () => {
  const series = [wiggle(200), wiggle(120, 2)];
  const logReturns = new Set(
    series.flatMap((s) => Array.from({ length: s.prices.length - 1 }, (_, i) => Math.log(s.prices[i + 1]! / s.prices[i]!).toFixed(12))),
  );
  const steps = 96;

  it('draws each step from the data’s one-step returns, starting at the spot', () => {
    const m = market(series, { kind: 'bootstrap', meanBlockMs: 6 * MS_PER_HOUR }, 3000);
    for (const path of fillAll(m, steps * MS_PER_HOUR, 5, [0, 1, 2, 3])) {
      expect(path[0]).toBe(3000);
      for (let k = 1; k <= steps; k++) expect(logReturns.has(Math.log(path[k]! / path[k - 1]!).toFixed(12)), `step ${k}`).toBe(true);
    }
  });

  it('is the same for the same (seed, path), whatever else is drawn, and differs across seeds and paths', () => {
    const m = market(series, { kind: 'bootstrap', meanBlockMs: 6 * MS_PER_HOUR });
    const [a0, a7] = fillAll(m, steps * MS_PER_HOUR, 5, [0, 7]);
    const [b7, b0] = fillAll(m, steps * MS_PER_HOUR, 5, [7, 0]);
    expect(b0).toEqual(a0);
    expect(b7).toEqual(a7);
    expect(a7).not.toEqual(a0);
    expect(fillAll(m, steps * MS_PER_HOUR, 6, [0])[0]).not.toEqual(a0);
  });

  it('keeps blocks of consecutive returns of mean length meanBlock / step', () => {
    for (const blockHours of [1, 4, 12]) {
      const m = market([wiggle(2000)], { kind: 'bootstrap', meanBlockMs: blockHours * MS_PER_HOUR });
      const s = m.series[0]!;
      const index = new Map(Array.from({ length: s.prices.length - 1 }, (_, i) => [Math.log(s.prices[i + 1]! / s.prices[i]!).toFixed(12), i]));
      let restarts = 0;
      let transitions = 0;
      for (const path of fillAll(m, steps * MS_PER_HOUR, 9, Array.from({ length: 200 }, (_, p) => p))) {
        for (let k = 2; k <= steps; k++) {
          const before = index.get(Math.log(path[k - 1]! / path[k - 2]!).toFixed(12))!;
          const now = index.get(Math.log(path[k]! / path[k - 1]!).toFixed(12))!;
          transitions++;
          if (now !== (before + 1) % (s.prices.length - 1)) restarts++;
        }
      }
      // A new block starts with probability 1/L (a random restart lands on the successor 1/2000 of the time).
      const p = 1 / blockHours;
      const expected = p * (1 - 1 / 2000);
      const se = Math.sqrt((expected * (1 - expected)) / transitions);
      expect(Math.abs(restarts / transitions - expected), `blocks of ${blockHours} h`).toBeLessThan(4 * se + 1e-12);
    }
  });

  it('refuses a block shorter than a step, and a grid that is not whole steps', () => {
    expect(() => fillAll(market(series, { kind: 'bootstrap', meanBlockMs: 30 * 60_000 }), 10 * MS_PER_HOUR, 1, [0])).toThrow(/meanBlockMs.*at least one step/);
    expect(() => fillAll(market(series, { kind: 'bootstrap', meanBlockMs: MS_PER_HOUR }), 10.5 * MS_PER_HOUR, 1, [0])).toThrow(/whole number of steps/);
  });
});

// ---- the config: market.csv as a list, market.windows, market.bootstrap, market.spot

const hourly = (hours: number, start = Date.UTC(2025, 0, 1), base = 3000): PriceSeries => ({
  timesMs: Array.from({ length: hours + 1 }, (_, i) => start + i * MS_PER_HOUR),
  prices: Array.from({ length: hours + 1 }, (_, i) => base * Math.exp(0.02 * Math.sin(i / 3) + 0.0005 * i)),
});

const REPLAY: BacktestConfigInput = {
  market: { model: 'replay', csv: 'a.csv' },
  book: [{ type: 'call', strike: 3000, maturity: '2d', quantity: -10 }],
  policy: { underlying: 'ETH', band: { unit: 'units', trigger: 1 } },
};

const configOf = (market: Record<string, unknown>, simulation: Record<string, unknown> = {}): ReturnType<typeof BacktestConfigSchema.parse> =>
  BacktestConfigSchema.parse({ ...REPLAY, market: { ...REPLAY.market, ...market }, simulation });

const problem = (fn: () => unknown): { path: string; message: string } => {
  try {
    fn();
  } catch (error) {
    if (error instanceof BacktestConfigError) return { path: error.path.join('.'), message: error.message };
    throw error;
  }
  throw new Error('no problem found');
};

describe('the replay config of several paths', () => {
  it('windows: one path per window, paths N runs the first N, and more than it has is refused', () => {
    const config = configOf({ windows: { every: '6h' } });
    const spec = backtestSpecFromConfig(config, hourly(96)); // 4 days: windows of 2 days at 0, 6, …, 48 h
    expect(spec.paths).toBe(9);
    expect(spec.market.kind).toBe('history');
    expect(backtestSpecFromConfig(configOf({ windows: { every: '6h' } }, { paths: 4 }), hourly(96)).paths).toBe(4);
    expect(problem(() => backtestSpecFromConfig(configOf({ windows: { every: '6h' } }, { paths: 10 }), hourly(96)))).toMatchObject({ path: 'simulation.paths', message: expect.stringMatching(/asks for 10 paths, and the replay has 9/) });
    expect(problem(() => backtestSpecFromConfig(configOf({ windows: { every: '6h' } }, { onlyPath: 9 }), hourly(96)))).toMatchObject({ path: 'simulation.onlyPath', message: expect.stringMatching(/has 9 windows: paths 0 to 8/) });
    expect(problem(() => backtestSpecFromConfig(configOf({ windows: { every: '6h' } }), hourly(40)))).toMatchObject({ path: 'book.0.maturity', message: expect.stringMatching(/no window fits/) });
  });

  it('several CSVs: a path each, from market.spot; one too short for the run is named', () => {
    const config = configOf({ csv: ['a.csv', 'b.csv', 'c.csv'], spot: 2000 });
    const spec = backtestSpecFromConfig(config, [hourly(48), hourly(60, Date.UTC(2025, 1, 1), 2500), hourly(50, Date.UTC(2025, 2, 1), 4000)]);
    expect(spec.paths).toBe(3);
    const result = runBacktest(spec, POLICY_ENGINE);
    expect(result.summary.paths).toBe(3);
    expect(result.grid.offsetsMs.length).toBe(49);
    expect(problem(() => backtestSpecFromConfig(config, [hourly(48), hourly(47), hourly(50)]))).toMatchObject({ path: 'market.csv', message: expect.stringMatching(/^b\.csv spans .*shorter than the run/) });
  });

  it('bootstrap: simulation.paths paths (default 10,000), the same for the same seed', () => {
    const config = configOf({ bootstrap: { meanBlock: '12h' } }, { paths: 50, seed: 3 });
    const spec = backtestSpecFromConfig(config, hourly(200));
    expect(spec.paths).toBe(50);
    expect(backtestSpecFromConfig(configOf({ bootstrap: { meanBlock: '12h' } }), hourly(200)).paths).toBe(10_000);
    const a = runBacktest(spec, POLICY_ENGINE);
    const b = runBacktest(backtestSpecFromConfig(config, hourly(200)), POLICY_ENGINE);
    expect(b.perPath.hedgeCost).toEqual(a.perPath.hedgeCost);
    const other = runBacktest(backtestSpecFromConfig(configOf({ bootstrap: { meanBlock: '12h' } }, { paths: 50, seed: 4 }), hourly(200)), POLICY_ENGINE);
    expect(other.perPath.hedgeCost).not.toEqual(a.perPath.hedgeCost);
  });

  it('refuses bad sizes, naming the field', () => {
    const series = hourly(96);
    expect(problem(() => backtestSpecFromConfig(configOf({ bootstrap: { meanBlock: '30m' } }), series))).toMatchObject({ path: 'market.bootstrap.meanBlock', message: expect.stringMatching(/shorter than one step/) });
    expect(problem(() => backtestSpecFromConfig(configOf({ windows: { every: '1d' } }, { step: '30m' }), series))).toMatchObject({ path: 'simulation.step', message: expect.stringMatching(/finer than the rows/) });
    expect(problem(() => backtestSpecFromConfig(configOf({ bootstrap: { meanBlock: '1d' } }, { step: '5h' }), series))).toMatchObject({ message: expect.stringMatching(/not a whole number of the replay's 5h steps/) });
    const parse = (market: Record<string, unknown>, simulation: Record<string, unknown> = {}): string[] => {
      const parsed = BacktestConfigSchema.safeParse({ ...REPLAY, market: { ...REPLAY.market, ...market }, simulation });
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(parse({ windows: { every: '0' } }).join()).toMatch(/market\.windows\.every/);
    expect(parse({ windows: { every: '1d' }, bootstrap: { meanBlock: '1d' } }).join()).toMatch(/market\.bootstrap: and market\.windows both make the paths/);
    expect(parse({}, { paths: 5 }).join()).toMatch(/simulation\.paths: is not used: a replay of one series is one path/);
    expect(parse({ spot: 10 }).join()).toMatch(/market\.spot: is not used/);
    expect(parse({}, { steps: 10 }).join()).toMatch(/simulation\.steps: is not used/);
    expect(parse({ windows: { every: '1d' } }, { steps: 10 }).join()).toMatch(/simulation\.steps: is not used: a replay's grid is its data's spacing/);
    expect(parse({ csv: [] }).join()).toMatch(/market\.csv: needs at least one CSV/);
  });

  it('a grid coarser than the rows reads every n-th hour, and the config written back reproduces the run', () => {
    const config = configOf({ windows: { every: '1d' }, spot: 100 }, { step: '2h' });
    const spec = backtestSpecFromConfig(config, hourly(96));
    expect(spec.grid).toEqual({ stepMs: 2 * MS_PER_HOUR });
    expect(spec.paths).toBe(3);
    const echoed = configAsInput(config);
    expect(echoed.market).toMatchObject({ windows: { every: '1d' }, spot: 100 });
    const again = backtestSpecFromConfig(BacktestConfigSchema.parse(JSON.parse(JSON.stringify(echoed))), hourly(96));
    expect(again).toEqual(spec);
    const boot = configOf({ bootstrap: { meanBlock: '1d' } }, { paths: 7 });
    expect(configAsInput(boot).market).toMatchObject({ bootstrap: { meanBlock: '1d' } });
    expect(backtestSpecFromConfig(BacktestConfigSchema.parse(JSON.parse(JSON.stringify(configAsInput(boot)))), hourly(96))).toEqual(backtestSpecFromConfig(boot, hourly(96)));
    expect(MS_PER_DAY).toBe(24 * MS_PER_HOUR);
  });
});
