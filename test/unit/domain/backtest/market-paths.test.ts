import { describe, expect, it } from 'vitest';
import { MS_PER_DAY, MS_PER_WEEK, formatDurationMs, parseDurationMs } from '../../../../shared/domain/backtest/durations.ts';
import { buildTimeGrid, createPathSource, replayGrid, type MarketModel } from '../../../../shared/domain/backtest/market-paths.ts';
import { mean, quantileSorted, standardDeviation, summarize } from '../../../../shared/domain/backtest/statistics.ts';
import { MS_PER_YEAR } from '../../../../shared/domain/exposure/positions.ts';

describe('durations', () => {
  it('reads weeks, days, hours, minutes, seconds, years and plain years (a week is 7/365 year)', () => {
    expect(parseDurationMs('20w')).toBe(20 * MS_PER_WEEK);
    expect(parseDurationMs('0.5w')).toBe(MS_PER_WEEK / 2);
    expect(parseDurationMs('1d')).toBe(MS_PER_DAY);
    expect(parseDurationMs('4h')).toBe(4 * 3_600_000);
    expect(parseDurationMs('30m')).toBe(1_800_000);
    expect(parseDurationMs('45s')).toBe(45_000);
    expect(parseDurationMs('0.25')).toBe(MS_PER_YEAR / 4);
    expect(parseDurationMs('1y')).toBe(MS_PER_YEAR);
    expect(parseDurationMs('1w')! / MS_PER_YEAR).toBeCloseTo(7 / 365, 15);
  });

  it('rejects what is not a positive duration', () => {
    for (const bad of ['', 'w', '-1w', '0', '0d', '1x', '1 week', 'abc', '1e400']) expect(parseDurationMs(bad), bad).toBeUndefined();
  });

  it('formats durations back in the largest whole unit', () => {
    expect(formatDurationMs(MS_PER_WEEK)).toBe('1w');
    expect(formatDurationMs(MS_PER_WEEK / 2)).toBe('3.5d');
    expect(formatDurationMs(MS_PER_YEAR)).toBe('1y');
    expect(formatDurationMs(4 * 3_600_000)).toBe('4h');
  });
});

describe('time grid', () => {
  it('splits the horizon into equal steps, or steps of a given length with a short last one', () => {
    expect([...buildTimeGrid(1000, { steps: 4 }).offsetsMs]).toEqual([0, 250, 500, 750, 1000]);
    expect([...buildTimeGrid(1000, { stepMs: 300 }).offsetsMs]).toEqual([0, 300, 600, 900, 1000]);
    const grid = buildTimeGrid(MS_PER_YEAR, { steps: 2 });
    expect([...grid.years]).toEqual([0, 0.5, 1]);
  });

  it('inserts the expiries inside the horizon so that options settle exactly at expiry', () => {
    expect([...buildTimeGrid(1000, { steps: 2 }, [250, 500, 1000, 2000]).offsetsMs]).toEqual([0, 250, 500, 1000]);
  });

  it('rejects empty or absurd grids', () => {
    expect(() => buildTimeGrid(1000, { steps: 0 })).toThrow(/steps/);
    expect(() => buildTimeGrid(1000, { steps: 2.5 })).toThrow(/steps/);
    expect(() => buildTimeGrid(1e12, { stepMs: 1 })).toThrow(/stepMs/);
    expect(() => buildTimeGrid(0, { steps: 1 })).toThrow(/horizonMs/);
  });
});

/** Log returns of `paths` paths of `steps` steps over `years`, and the terminal prices. */
function simulate(market: MarketModel, years: number, steps: number, paths: number, seed = 1) {
  const grid = buildTimeGrid(years * MS_PER_YEAR, { steps });
  const source = createPathSource(market, grid, seed);
  const out = new Float64Array(steps + 1);
  const logReturns = new Float64Array(paths * steps);
  const terminal = new Float64Array(paths);
  const jumps = new Float64Array(paths);
  for (let p = 0; p < paths; p++) {
    jumps[p] = source.fill(p, out);
    for (let k = 0; k < steps; k++) logReturns[p * steps + k] = Math.log(out[k + 1]! / out[k]!);
    terminal[p] = out[steps]!;
  }
  return { logReturns, terminal, jumps, dt: years / steps };
}

describe('GBM paths', () => {
  const gbm = { kind: 'gbm', spot: 100, drift: 0.1, vol: 0.3 } as const;

  it('has log returns with mean (μ − σ²/2)Δt and variance σ²Δt, independent across steps', () => {
    const { logReturns, dt, terminal } = simulate(gbm, 1, 50, 4000);
    const n = logReturns.length;
    const wantMean = (gbm.drift - 0.5 * gbm.vol ** 2) * dt;
    const wantVar = gbm.vol ** 2 * dt;
    expect(Math.abs(mean(logReturns) - wantMean)).toBeLessThan(4 * Math.sqrt(wantVar / n));
    expect(Math.abs(standardDeviation(logReturns) ** 2 - wantVar)).toBeLessThan(4 * wantVar * Math.sqrt(2 / n));
    // Lag-1 autocorrelation ~ 0 (sd 1/√n).
    const m = mean(logReturns);
    let c = 0;
    let v = 0;
    for (let i = 0; i + 1 < n; i++) {
      c += (logReturns[i]! - m) * (logReturns[i + 1]! - m);
      v += (logReturns[i]! - m) ** 2;
    }
    expect(Math.abs(c / v)).toBeLessThan(4 / Math.sqrt(n));
    // E[S_T] = S₀·e^{μT}.
    const sd = standardDeviation(terminal);
    expect(Math.abs(mean(terminal) - 100 * Math.exp(0.1))).toBeLessThan((4 * sd) / Math.sqrt(terminal.length));
  });

  it('is reproducible: the same seed gives the same paths bit for bit, another seed others', () => {
    const a = simulate(gbm, 1, 10, 50, 9).logReturns;
    expect(simulate(gbm, 1, 10, 50, 9).logReturns).toEqual(a);
    expect(simulate(gbm, 1, 10, 50, 10).logReturns).not.toEqual(a);
  });

  it('path p is the same whatever the number of paths of the run', () => {
    const few = simulate(gbm, 1, 10, 3, 5).logReturns;
    const many = simulate(gbm, 1, 10, 30, 5).logReturns;
    expect(many.subarray(0, few.length)).toEqual(few);
  });

  it('with zero vol follows the drift exactly', () => {
    const { terminal } = simulate({ ...gbm, vol: 0 }, 2, 8, 3);
    for (const s of terminal) expect(s).toBeCloseTo(100 * Math.exp(0.2), 10);
  });
});

describe('Merton jump-diffusion paths', () => {
  const merton = { kind: 'merton', spot: 100, drift: 0.05, vol: 0.2, jumpIntensity: 4, jumpMean: -0.1, jumpStd: 0.05 } as const;

  it('counts Poisson(λT) jumps per path: mean and variance λT', () => {
    const { jumps } = simulate(merton, 1, 50, 20_000);
    const lambdaT = 4;
    expect(Math.abs(mean(jumps) - lambdaT)).toBeLessThan(4 * Math.sqrt(lambdaT / jumps.length));
    // Var of the sample variance of a Poisson(λ): (λ + 2λ²)/n roughly.
    expect(Math.abs(standardDeviation(jumps) ** 2 - lambdaT)).toBeLessThan(4 * Math.sqrt((lambdaT + 2 * lambdaT ** 2) / jumps.length));
    const sorted = jumps.slice().sort();
    expect(quantileSorted(sorted, 0.5)).toBe(4); // the Poisson(4) median
  });

  it('compensates the drift (E[S_T] = S₀·e^{μT}) and shifts the mean log return by λ(m − κ)', () => {
    const { terminal, logReturns } = simulate(merton, 1, 50, 20_000);
    const { std } = summarize(terminal);
    expect(Math.abs(mean(terminal) - 100 * Math.exp(0.05))).toBeLessThan((4 * std) / Math.sqrt(terminal.length));
    const kappa = Math.exp(-0.1 + 0.5 * 0.05 ** 2) - 1;
    const wantMeanLog = 0.05 - 4 * kappa - 0.5 * 0.04 + 4 * -0.1; // per year
    // Variance of the log return over a year: σ² + λ(m² + s²).
    const sdYear = Math.sqrt(0.04 + 4 * (0.01 + 0.0025));
    const perPathLog = Float64Array.from(terminal, (s) => Math.log(s / 100));
    expect(Math.abs(mean(perPathLog) - wantMeanLog)).toBeLessThan((4 * sdYear) / Math.sqrt(perPathLog.length));
    expect(standardDeviation(perPathLog)).toBeCloseTo(sdYear, 2);
    // Crashes fatten the left tail: the log returns are negatively skewed.
    const m = mean(logReturns);
    let s3 = 0;
    for (const r of logReturns) s3 += (r - m) ** 3;
    expect(s3).toBeLessThan(0);
  });

  it('without jumps is exactly GBM (the same numbers are drawn)', () => {
    const a = simulate({ ...merton, jumpIntensity: 0 }, 1, 20, 10);
    const b = simulate({ kind: 'gbm', spot: 100, drift: 0.05, vol: 0.2 }, 1, 20, 10);
    expect(a.logReturns).toEqual(b.logReturns);
    expect(Math.max(...a.jumps)).toBe(0);
  });

  it('rejects an intensity that puts more than 100 expected jumps in a step', () => {
    expect(() => createPathSource({ ...merton, jumpIntensity: 1e6 }, buildTimeGrid(MS_PER_YEAR, { steps: 10 }), 1)).toThrow(/jumpIntensity/);
  });
});

describe('replayed series', () => {
  const market = { kind: 'replay', offsetsMs: [0, 1000, 2000, 3000], prices: [100, 101, 99.5, 102] } as const;

  it('replays the prices on their own timestamps, up to the horizon', () => {
    const grid = replayGrid(market, 2500);
    expect([...grid.offsetsMs]).toEqual([0, 1000, 2000]);
    const source = createPathSource(market, grid, 1);
    expect(source.pathCount).toBe(1);
    const out = new Float64Array(3);
    source.fill(0, out);
    expect([...out]).toEqual([100, 101, 99.5]);
  });

  it('rejects unordered timestamps, bad prices and length mismatches', () => {
    const grid = buildTimeGrid(3000, { steps: 3 });
    expect(() => createPathSource({ ...market, offsetsMs: [0, 1000, 1000, 3000] }, grid, 1)).toThrow(/offsetsMs\[2\]/);
    expect(() => createPathSource({ ...market, prices: [100, -1, 99, 100] }, grid, 1)).toThrow(/prices\[1\]/);
    expect(() => createPathSource({ ...market, prices: [100, 101] }, grid, 1)).toThrow(/length/);
  });
});
