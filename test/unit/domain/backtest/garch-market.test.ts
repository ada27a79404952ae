import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/domain/errors.ts';
import { MS_PER_YEAR } from '../../../../shared/domain/exposure/positions.ts';
import { annualisedVolOf, createGarchSource, garchLongRunVariance, type GarchMarket } from '../../../../shared/domain/backtest/garch-market.ts';
import { buildTimeGrid } from '../../../../shared/domain/backtest/market-paths.ts';
import { fitGarch } from '../../../../shared/domain/volatility/garch-fit.ts';

const HOUR = 3_600_000;
/** Hourly ETH-like dynamics: ~70 % a year long-run, a shock halves in ~35 hours. */
const MARKET: GarchMarket = { kind: 'garch', spot: 2_000, drift: 0.05, intervalMs: HOUR, omega: 3e-7, alpha: 0.05, beta: 0.93 };

/** Log returns of `paths` paths between grid points [from, to], for each pair asked (one pass over the paths). */
function logReturns(market: GarchMarket, horizonMs: number, stepMs: number, paths: number, pairs: readonly (readonly [number, number])[], seed = 11): Float64Array[] {
  const grid = buildTimeGrid(horizonMs, { stepMs });
  const source = createGarchSource(market, grid, seed);
  const out = new Float64Array(grid.offsetsMs.length);
  const r = pairs.map(() => new Float64Array(paths));
  for (let p = 0; p < paths; p++) {
    source.fill(p, out);
    pairs.forEach(([from, to], i) => (r[i]![p] = Math.log(out[to]! / out[from]!)));
  }
  return r;
}

const mean = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
};
const variance = (xs: ArrayLike<number>): number => {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return s / (xs.length - 1);
};

describe('the GARCH(1,1) market', () => {
  it('started at its long-run variance, every interval has that variance (20,000 paths, within 4 s.e.)', () => {
    const longRun = garchLongRunVariance(MARKET);
    expect(annualisedVolOf(longRun, HOUR)).toBeCloseTo(Math.sqrt((3e-7 / 0.02) * (MS_PER_YEAR / HOUR)), 12);
    for (const r of logReturns(MARKET, 100 * HOUR, HOUR, 20_000, [[0, 1], [24, 25], [99, 100]])) {
      // The s.e. of a sample variance is σ²·√((κ − 1)/n); GARCH returns have fat tails (κ ≈ 3.5 here).
      expect(Math.abs(variance(r) - longRun)).toBeLessThan(4 * longRun * Math.sqrt(2.5 / 20_000));
    }
  });

  it('with α = 0 the variance path is known: σ²ₜ = ω + β·σ²ₜ₋₁ from the initial one, also on a grid of quarter intervals', () => {
    const market: GarchMarket = { ...MARKET, alpha: 0, beta: 0.9, omega: 1e-6, initialVariance: 1e-4 };
    const expected = (t: number): number => {
      let v = market.initialVariance!;
      for (let i = 0; i < t; i++) v = market.omega + market.beta * v;
      return v;
    };
    for (const stepMs of [HOUR, HOUR / 4]) {
      const perHour = HOUR / stepMs;
      const ts = [0, 1, 5, 20];
      const returns = logReturns(market, 21 * HOUR, stepMs, 20_000, ts.map((t) => [t * perHour, (t + 1) * perHour] as const), 5);
      for (const [i, t] of ts.entries()) {
        const r = returns[i]!;
        const v = expected(t);
        expect(Math.abs(variance(r) - v)).toBeLessThan(4 * v * Math.sqrt(2 / 20_000));
        // The drift per interval less half the variance: the log return's mean.
        const driftPerInterval = (market.drift * HOUR) / MS_PER_YEAR;
        expect(Math.abs(mean(r) - (driftPerInterval - v / 2))).toBeLessThan(4 * Math.sqrt(v / 20_000));
      }
    }
  });

  it('a grid that cuts intervals (steps of 2.5 hours, expiries in between) keeps the interval variances', () => {
    const longRun = garchLongRunVariance(MARKET);
    const grid = buildTimeGrid(50 * HOUR, { stepMs: 2.5 * HOUR }, [7.3 * HOUR, 33.9 * HOUR]);
    const source = createGarchSource(MARKET, grid, 3);
    const out = new Float64Array(grid.offsetsMs.length);
    const total = new Float64Array(20_000);
    for (let p = 0; p < total.length; p++) {
      source.fill(p, out);
      total[p] = Math.log(out[out.length - 1]! / out[0]!);
    }
    // Over 50 intervals from the long-run level the variance of the sum is 50 × the long-run one.
    expect(Math.abs(variance(total) / (50 * longRun) - 1)).toBeLessThan(4 * Math.sqrt(2 / 20_000) * 1.5);
  });

  it('the price grows at the drift on average: E[S_T] = S₀·e^{μT} (within 4 s.e.)', () => {
    const market: GarchMarket = { ...MARKET, drift: 0.8 };
    const [r] = logReturns(market, 24 * 5 * HOUR, 6 * HOUR, 20_000, [[0, 20]]);
    const growth = Array.from(r!, Math.exp);
    const expected = Math.exp((market.drift * 24 * 5 * HOUR) / MS_PER_YEAR);
    expect(Math.abs(mean(growth) - expected)).toBeLessThan(4 * Math.sqrt(variance(growth) / growth.length));
  });

  it('the volatility clusters as the parameters say: a fit of one long path finds them (within 3 s.e.)', () => {
    const n = 20_000;
    const grid = buildTimeGrid(n * HOUR, { stepMs: HOUR });
    const out = new Float64Array(n + 1);
    createGarchSource({ ...MARKET, drift: 0 }, grid, 21).fill(0, out);
    const returns = new Float64Array(n);
    for (let i = 0; i < n; i++) returns[i] = Math.log(out[i + 1]! / out[i]!);
    const fit = fitGarch(returns);
    for (const name of ['alpha', 'beta'] as const) {
      const se = fit.standardErrors[name];
      expect(se).not.toBeNull();
      expect(Math.abs(fit.params[name] - MARKET[name])).toBeLessThan(3 * se!);
    }
  });

  it('a path is the same for the same (seed, path) whatever was drawn before', () => {
    const grid = buildTimeGrid(48 * HOUR, { stepMs: HOUR });
    const a = createGarchSource(MARKET, grid, 9);
    const b = createGarchSource(MARKET, grid, 9);
    const first = new Float64Array(49);
    const again = new Float64Array(49);
    a.fill(7, first);
    b.fill(3, again);
    b.fill(7, again);
    expect(again).toEqual(first);
    a.fill(8, again);
    expect(again).not.toEqual(first);
  });

  it('refuses parameters it cannot simulate, naming the field', () => {
    const build = (change: Partial<GarchMarket>) => () => createGarchSource({ ...MARKET, ...change }, buildTimeGrid(HOUR, { steps: 1 }), 1);
    expect(build({ alpha: 0.1, beta: 0.9 })).toThrow(/market\.beta.*under 1/);
    expect(build({ alpha: -0.1 })).toThrow(/market\.alpha/);
    expect(build({ omega: 0 })).toThrow(/market\.omega/);
    expect(build({ omega: 0.5 })).toThrow(/percent/);
    expect(build({ intervalMs: 0 })).toThrow(/market\.intervalMs/);
    expect(build({ initialVariance: -1 })).toThrow(InvalidInputError);
    expect(() => createGarchSource({ ...MARKET, intervalMs: 1 }, buildTimeGrid(365 * 24 * HOUR, { steps: 10 }), 1)).toThrow(/model intervals/);
  });
});
