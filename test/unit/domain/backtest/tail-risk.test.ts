/**
 * VaR and CVaR (expected shortfall) of the upper tail, against exact values on samples
 * whose answer is known by hand, against the normal distribution's closed forms, and
 * their standard errors against the spread of the estimates over independent samples.
 */
import { describe, expect, it } from 'vitest';
import { histogram, niceStep } from '../../../../shared/domain/backtest/histogram.ts';
import { Xoshiro128 } from '../../../../shared/domain/backtest/random.ts';
import { mean, standardDeviation } from '../../../../shared/domain/backtest/statistics.ts';
import { largestIndices, tailEstimate, tailRisk, upperTailSummary } from '../../../../shared/domain/backtest/tail-risk.ts';
import { inverseNormCdf } from '../../../../shared/domain/math/inverse-normal.ts';

const oneTo = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => i + 1);
const normalPdf = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** A shuffle by a seeded generator: the estimates must not depend on the order. */
function shuffled(values: Float64Array, seed: number): Float64Array {
  const out = values.slice();
  const rng = new Xoshiro128(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.nextDouble() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('VaR and CVaR: exact values', () => {
  it('1, 2, …, 100: VaR 95% is the 95th value, CVaR the mean of the five largest; 99%: 99 and 100', () => {
    const [t95, t99] = tailRisk(shuffled(oneTo(100), 3));
    expect(t95!.valueAtRisk).toBe(95);
    expect(t95!.expectedShortfall).toBeCloseTo(98, 12); // (96+97+98+99+100)/5
    expect(t95!.pathsBeyond).toBe(5);
    expect(t99!.valueAtRisk).toBe(99);
    expect(t99!.expectedShortfall).toBeCloseTo(100, 12);
    expect(t99!.pathsBeyond).toBe(1);
  });

  it('weights the boundary value by the part of it inside the tail when n(1 − α) is not an integer', () => {
    // n = 30, α = 0.95: tail mass 1.5 paths = all of 30 and half of 29.
    const t = tailEstimate(oneTo(30), 0.95);
    expect(t.valueAtRisk).toBe(29);
    expect(t.expectedShortfall).toBeCloseTo((0.5 * 29 + 30) / 1.5, 12);
    // n = 10: the tail (0.5 of a path) sits inside the largest value.
    const ten = tailEstimate(oneTo(10), 0.95);
    expect(ten.valueAtRisk).toBe(10);
    expect(ten.expectedShortfall).toBe(10);
    // n = 40, unsorted (tailRisk sorts; tailEstimate takes sorted values): the mean of the two largest.
    expect(tailRisk(Float64Array.from([5, 1, 9, ...oneTo(37)]), [0.95])[0]!.expectedShortfall).toBeCloseTo((37 + 36) / 2, 12);
  });

  it('counts ties at VaR as inside it, and a constant sample has VaR = CVaR = the constant with zero error', () => {
    const t = tailEstimate(new Float64Array(1000).fill(7), 0.99);
    expect(t.valueAtRisk).toBe(7);
    expect(t.expectedShortfall).toBe(7);
    expect(t.pathsBeyond).toBe(0);
    expect(t.valueAtRiskStdError).toBe(0);
    expect(t.expectedShortfallStdError).toBeNaN(); // no path beyond: not defined
  });

  it('says an error is not defined when too few paths lie beyond the quantile', () => {
    const t = tailEstimate(oneTo(20), 0.99);
    expect(t.valueAtRisk).toBe(20);
    expect(t.valueAtRiskStdError).toBeNaN(); // rank 19.8 + 0.44 leaves 1…20
    expect(t.valueAtRiskCi95).toBeNull();
    expect(t.expectedShortfallStdError).toBeNaN();
  });

  it('rejects a level outside (0, 1) and an empty sample', () => {
    expect(() => tailEstimate(oneTo(10), 1)).toThrow(/level/);
    expect(() => tailEstimate(new Float64Array(0), 0.95)).toThrow(/at least one/);
  });
});

describe('VaR and CVaR: the normal distribution', () => {
  // A deterministic "sample" of the standard normal: its (i − ½)/n quantiles.
  const n = 200_000;
  const sample = Float64Array.from({ length: n }, (_, i) => inverseNormCdf((i + 0.5) / n));

  it.each([0.95, 0.99])('at %s matches the closed forms: VaR = z, CVaR = φ(z)/(1 − α), and the asymptotic errors', (level) => {
    const z = inverseNormCdf(level);
    const t = tailEstimate(sample, level);
    expect(t.valueAtRisk).toBeCloseTo(z, 3);
    expect(t.expectedShortfall).toBeCloseTo(normalPdf(z) / (1 - level), 3);
    // VaR: √(α(1−α)/n)/f(z). CVaR: √Var((X − z)⁺)/((1−α)√n), Var from the normal's partial moments.
    expect(t.valueAtRiskStdError / (Math.sqrt((level * (1 - level)) / n) / normalPdf(z))).toBeCloseTo(1, 2);
    const tailP = 1 - level;
    const m1 = normalPdf(z) - z * tailP;
    const m2 = (1 + z * z) * tailP - z * normalPdf(z);
    expect(t.expectedShortfallStdError / (Math.sqrt(m2 - m1 * m1) / (tailP * Math.sqrt(n)))).toBeCloseTo(1, 2);
    const [lo, hi] = t.valueAtRiskCi95!;
    expect(lo).toBeLessThan(z);
    expect(hi).toBeGreaterThan(z);
    expect((hi - lo) / (2 * 1.96 * t.valueAtRiskStdError)).toBeCloseTo(1, 1);
  });

  it('its standard errors are the spread of the estimates over independent samples (Monte Carlo)', () => {
    const reps = 400;
    const size = 2000;
    const vars: number[] = [];
    const cvars: number[] = [];
    const varErrors: number[] = [];
    const cvarErrors: number[] = [];
    const rng = new Xoshiro128(11);
    const x = new Float64Array(size);
    for (let r = 0; r < reps; r++) {
      for (let i = 0; i < size; i++) x[i] = rng.nextNormal();
      const t = tailEstimate(x.slice().sort(), 0.95);
      vars.push(t.valueAtRisk);
      cvars.push(t.expectedShortfall);
      varErrors.push(t.valueAtRiskStdError);
      cvarErrors.push(t.expectedShortfallStdError);
    }
    // The std of 400 estimates is itself known to about 1/√800 ≈ 3.5%: allow 15%.
    expect(mean(varErrors) / standardDeviation(vars)).toBeGreaterThan(0.85);
    expect(mean(varErrors) / standardDeviation(vars)).toBeLessThan(1.15);
    expect(mean(cvarErrors) / standardDeviation(cvars)).toBeGreaterThan(0.85);
    expect(mean(cvarErrors) / standardDeviation(cvars)).toBeLessThan(1.15);
  });
});

describe('tail helpers', () => {
  it('largestIndices: the indices of the largest values, largest first, ties by index', () => {
    expect(largestIndices([3, 9, 1, 9], 2)).toEqual([1, 3]);
    expect(largestIndices([3, 9, 1, 9], 10)).toEqual([1, 3, 0, 2]);
    expect(largestIndices([], 3)).toEqual([]);
    const values = shuffled(oneTo(1000), 5);
    expect(largestIndices(values, 5).map((i) => values[i])).toEqual([1000, 999, 998, 997, 996]);
  });

  it('upperTailSummary: mean, its error, the 95% and 99% ranks and where the maximum is', () => {
    const values = shuffled(oneTo(100), 9);
    const s = upperTailSummary(values);
    expect(s.mean).toBe(50.5);
    expect(s.stdError).toBeCloseTo(standardDeviation(values) / 10, 12);
    expect([s.p95, s.p99, s.max]).toEqual([95, 99, 100]);
    expect(values[s.argMax]).toBe(100);
  });

  it('histogram: round bins over the bulk, the rest counted beyond, every value once', () => {
    expect([niceStep(0.7), niceStep(1.3), niceStep(2.2), niceStep(4), niceStep(7), niceStep(2500)]).toEqual([1, 2, 2.5, 5, 10, 2500]);
    const h = histogram(Float64Array.from({ length: 1000 }, (_, i) => i), 10);
    expect(h.width).toBe(100);
    expect(h.bins.map((b) => b.count)).toEqual(new Array(10).fill(100));
    expect([h.below, h.above]).toEqual([0, 0]);
    // One wild value out of 1000 is counted beyond, not given the whole axis.
    const wild = Float64Array.from({ length: 1000 }, (_, i) => (i === 0 ? -1e9 : i === 1 ? 1e9 : i));
    const w = histogram(wild, 10);
    expect(w.below).toBeGreaterThanOrEqual(1);
    expect(w.above).toBeGreaterThanOrEqual(1);
    expect(w.width).toBeLessThanOrEqual(100);
    expect(w.below + w.above + w.bins.reduce((a, b) => a + b.count, 0)).toBe(1000);
    expect(histogram(new Float64Array(5).fill(3)).bins.reduce((a, b) => a + b.count, 0)).toBe(5);
  });
});
