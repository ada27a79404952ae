import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averageVarianceOverHorizon, longRunVariance, varianceAhead, volTermStructure, type VarianceDynamics } from '../../../../shared/domain/volatility/variance-forecast.ts';

/** E[σ²ₙ₊ₕ] by iterating E[σ²ₜ₊₁] = ω + (α + β)·E[σ²ₜ] from σ²ₙ₊₁: the recursion, not the closed form. */
function iterated(d: VarianceDynamics, steps: number): number[] {
  const p = 1 - d.meanReversion;
  const path = [d.nextVariance];
  while (path.length < steps) path.push(d.omega + p * path[path.length - 1]!);
  return path;
}

const dynamicsArb = fc
  .record({ omega: fc.double({ min: 1e-8, max: 1e-4, noNaN: true }), meanReversion: fc.double({ min: 1e-4, max: 0.5, noNaN: true }), nextVariance: fc.double({ min: 1e-6, max: 1e-2, noNaN: true }) })
  .map((d): VarianceDynamics => d);

describe('variance forecasts', () => {
  it('match the iterated expectation at every step, and their average over H', () => {
    fc.assert(
      fc.property(dynamicsArb, fc.integer({ min: 1, max: 200 }), (d, horizon) => {
        const path = iterated(d, horizon);
        expect(varianceAhead(d, horizon) / path[horizon - 1]!).toBeCloseTo(1, 10);
        const mean = path.reduce((s, v) => s + v, 0) / horizon;
        expect(averageVarianceOverHorizon(d, horizon) / mean).toBeCloseTo(1, 10);
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('revert to the long-run variance ω/(1 − p) far out, and start at σ²ₙ₊₁', () => {
    const d = { omega: 2e-6, meanReversion: 0.02, nextVariance: 4e-4 };
    expect(longRunVariance(d)).toBeCloseTo(1e-4, 18);
    expect(varianceAhead(d, 5000) / 1e-4).toBeCloseTo(1, 12);
    expect(varianceAhead(d, 1)).toBe(4e-4);
    expect(averageVarianceOverHorizon(d, 1)).toBeCloseTo(4e-4, 18);
    // Shorter than a step: the next step's variance.
    expect(averageVarianceOverHorizon(d, 0.25)).toBeCloseTo(4e-4, 18);
  });

  it('are flat for EWMA (ω = 0, p = 1) and linear in h for IGARCH with ω > 0', () => {
    const ewma = { omega: 0, meanReversion: 0, nextVariance: 3e-4 };
    expect(varianceAhead(ewma, 100)).toBe(3e-4);
    expect(averageVarianceOverHorizon(ewma, 100)).toBeCloseTo(3e-4, 18);
    expect(longRunVariance(ewma)).toBe(Infinity);
    const igarch = { omega: 1e-6, meanReversion: 0, nextVariance: 3e-4 };
    // σ²ₙ₊ₕ = σ²ₙ₊₁ + (h − 1)ω; average over 10 = σ²ₙ₊₁ + 4.5ω.
    expect(varianceAhead(igarch, 10)).toBeCloseTo(3e-4 + 9e-6, 18);
    expect(averageVarianceOverHorizon(igarch, 10)).toBeCloseTo(3e-4 + 4.5e-6, 18);
  });

  it('keep their digits as p → 1: with 1 − p = 1e-12 they agree with the iteration to 12 digits', () => {
    // σ̄² = 1e-16/1e-12 = 1e-4. The naive (1 − pᴴ)/(1 − p) with p rounded to a double keeps
    // only ~4 digits of 1 − p, and would be off here by ~1e-5 relative.
    const d = { omega: 1e-16, meanReversion: 1e-12, nextVariance: 2e-4 };
    const path = iterated(d, 100);
    expect(averageVarianceOverHorizon(d, 100) / (path.reduce((s, v) => s + v, 0) / 100)).toBeCloseTo(1, 12);
    expect(varianceAhead(d, 100) / path[99]!).toBeCloseTo(1, 12);
  });

  it('annualise into a term structure: √(V(H)·steps a year)', () => {
    // Hand-worked: p = 0.9, σ̄² = 1e-4, σ²ₙ₊₁ = 4e-4; V(10) = 1e-4 + 3e-4·(1 − 0.9¹⁰)/(0.1·10) = 2.9540e-4.
    const [point] = volTermStructure({ omega: 1e-5, meanReversion: 0.1, nextVariance: 4e-4 }, [10], 365);
    const v10 = 1e-4 + (3e-4 * (1 - 0.9 ** 10)) / 1;
    expect(point!.averageVol).toBeCloseTo(Math.sqrt(v10 * 365), 12);
    expect(point!.terminalVol).toBeCloseTo(Math.sqrt((1e-4 + 0.9 ** 9 * 3e-4) * 365), 12);
    expect(() => volTermStructure({ omega: 1e-5, meanReversion: 0.1, nextVariance: 4e-4 }, [0], 365)).toThrow(/horizonSteps/);
  });
});
