import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/domain/errors.ts';
import { Xoshiro128 } from '../../../../shared/domain/backtest/random.ts';
import { fitGarch, halfLife, MIN_GARCH_RETURNS } from '../../../../shared/domain/volatility/garch-fit.ts';
import { garchLogLikelihood, garchScore, meanSquaredResidual } from '../../../../shared/domain/volatility/garch-likelihood.ts';
import type { GarchParams } from '../../../../shared/domain/volatility/garch-types.ts';
import { simulateGarch } from '../../../../shared/domain/volatility/simulate-garch.ts';

const NAMES = ['mu', 'omega', 'alpha', 'beta'] as const;

/** Daily-equity-like, low-persistence, high-persistence and crypto-like dynamics (per step). */
const TRUE_PARAMS: readonly GarchParams[] = [
  { mu: 0.0005, omega: 2e-6, alpha: 0.08, beta: 0.9 },
  { mu: 0, omega: 1e-5, alpha: 0.15, beta: 0.6 },
  { mu: -0.0002, omega: 5e-7, alpha: 0.04, beta: 0.95 },
  { mu: 0.001, omega: 4e-5, alpha: 0.25, beta: 0.7 },
];

describe('fitGarch on simulated series', () => {
  TRUE_PARAMS.forEach((truth, i) => {
    it(`recovers ${JSON.stringify(truth)} within two standard errors from 10,000 returns`, () => {
      const fit = fitGarch(simulateGarch(truth, 10_000, new Xoshiro128(20261600 + i)));
      expect(fit.atBound).toEqual([]);
      expect(fit.optimiser.converged).toBe(true);
      for (const name of NAMES) {
        const se = fit.standardErrors[name]!;
        expect(se, name).toBeGreaterThan(0);
        expect(Math.abs(fit.params[name] - truth[name]), `${name}: ${fit.params[name]} ± ${se}`).toBeLessThan(2 * se);
      }
      expect(fit.persistence).toBeCloseTo(fit.params.alpha + fit.params.beta, 14);
    });
  });

  it('has calibrated standard errors: 2-SE intervals cover the truth about 95% of the time (100 fits of 2,000)', () => {
    const truth = TRUE_PARAMS[1]!;
    let covered = 0;
    let total = 0;
    for (let seed = 0; seed < 100; seed++) {
      const fit = fitGarch(simulateGarch(truth, 2000, new Xoshiro128(500 + seed, 1)));
      for (const name of NAMES) {
        total++;
        const se = fit.standardErrors[name];
        if (se !== null && Math.abs(fit.params[name] - truth[name]) <= 2 * se) covered++;
      }
    }
    // Binomial(400, 0.954): the coverage is 0.954 ± 0.010; a wrong Hessian (e.g. a factor
    // of two in the information) would put it near 0.68 or 0.999.
    expect(covered / total).toBeGreaterThan(0.91);
    expect(covered / total).toBeLessThan(0.99);
  });

  it('finds the maximum: ℓ there beats every admissible point drawn around it, and the score vanishes', () => {
    const returns = simulateGarch(TRUE_PARAMS[0]!, 2000, new Xoshiro128(42));
    const fit = fitGarch(returns);
    const score = new Float64Array(4);
    garchScore(returns, fit.params, 'sample', score);
    // Relative to the scale of each parameter's information: score·SE ≈ 0.
    NAMES.forEach((name, i) => expect(Math.abs(score[i]! * fit.standardErrors[name]!), name).toBeLessThan(1e-6));
    fc.assert(
      fc.property(fc.double({ min: -4, max: 4, noNaN: true }), fc.double({ min: 0.2, max: 5, noNaN: true }), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), (muInSe, omegaRatio, alpha, beta) => {
        fc.pre(alpha + beta < 1);
        const candidate = { mu: fit.params.mu + muInSe * fit.standardErrors.mu!, omega: fit.params.omega * omegaRatio, alpha, beta };
        expect(garchLogLikelihood(returns, candidate)).toBeLessThanOrEqual(fit.logLikelihood + 1e-9);
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('is equivariant: the fit of c·r is the fit of r with μ×c, ω×c² and ℓ − n·ln c', () => {
    const returns = simulateGarch(TRUE_PARAMS[3]!, 3000, new Xoshiro128(77));
    const fit = fitGarch(returns);
    const c = 250;
    const scaled = fitGarch(returns.map((r) => r * c));
    expect(scaled.params.mu / c).toBeCloseTo(fit.params.mu, 10);
    expect(scaled.params.omega / (c * c) / fit.params.omega).toBeCloseTo(1, 7);
    expect(scaled.params.alpha).toBeCloseTo(fit.params.alpha, 7);
    expect(scaled.params.beta).toBeCloseTo(fit.params.beta, 7);
    expect(scaled.logLikelihood).toBeCloseTo(fit.logLikelihood - returns.length * Math.log(c), 6);
  });
});

describe('fitGarch with variance targeting', () => {
  const returns = simulateGarch(TRUE_PARAMS[0]!, 5000, new Xoshiro128(2024));
  const free = fitGarch(returns);
  const targeted = fitGarch(returns, { varianceTargeting: true });

  it('pins the long-run variance at the mean squared residual: ω = s²(μ)·(1 − α − β)', () => {
    const s2 = meanSquaredResidual(returns, targeted.params.mu);
    expect(targeted.params.omega).toBeCloseTo(s2 * (1 - targeted.params.alpha - targeted.params.beta), 18);
    expect(targeted.params.omega / (1 - targeted.persistence) / s2).toBeCloseTo(1, 9);
    expect(targeted.varianceTargeting).toBe(true);
  });

  it('gives up a little likelihood for the restriction, reports no SE for ω and stays near the free fit', () => {
    expect(targeted.logLikelihood).toBeLessThanOrEqual(free.logLikelihood + 1e-9);
    // One restriction that is true of the process: the likelihood-ratio statistic is χ²(1)-small.
    expect(2 * (free.logLikelihood - targeted.logLikelihood)).toBeLessThan(6.63);
    expect(targeted.standardErrors.omega).toBeNull();
    for (const name of ['alpha', 'beta'] as const) expect(Math.abs(targeted.params[name] - free.params[name])).toBeLessThan(2 * free.standardErrors[name]!);
  });
});

describe('fitGarch at the bounds', () => {
  it('on Gaussian noise (no ARCH) ends at α = 0 with no standard error for α or β, and a variance that hardly moves', () => {
    const rng = new Xoshiro128(1);
    const n = 2000;
    const returns = Float64Array.from({ length: n }, () => 0.01 * rng.nextNormal());
    const fit = fitGarch(returns);
    expect(fit.params.alpha).toBeLessThan(1e-4);
    expect(fit.atBound).toContain('alpha');
    expect(fit.standardErrors.alpha).toBeNull();
    expect(fit.standardErrors.beta).toBeNull();
    // The iid model (α = β = 0, ω = v̂) is nested, with the closed-form ℓ = −n/2·(ln 2π + ln v̂ + 1):
    // the fit is at least that good, and better only by what a few free parameters buy on noise.
    const mean = returns.reduce((s, r) => s + r, 0) / n;
    const v = returns.reduce((s, r) => s + (r - mean) ** 2, 0) / n;
    const iid = (-n / 2) * (Math.log(2 * Math.PI) + Math.log(v) + 1);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(iid - 1e-9);
    expect(fit.logLikelihood - iid).toBeLessThan(3);
    const variances = fit.conditionalVariances.subarray(0, n);
    expect(Math.max(...variances) / Math.min(...variances)).toBeLessThan(1.1);
    // μ is then the mean of iid returns: its standard error is √(v/n).
    expect(fit.standardErrors.mu! / Math.sqrt(v / n)).toBeCloseTo(1, 1);
  });

  it('with calm and wild returns alternating (a negative ARCH effect) ends at α = 0', () => {
    const rng = new Xoshiro128(9);
    const returns = Float64Array.from({ length: 2000 }, (_, t) => (t % 2 ? 0.02 : 0.005) * rng.nextNormal());
    const fit = fitGarch(returns);
    expect(fit.params.alpha).toBeLessThan(1e-4);
    expect(fit.atBound).toContain('alpha');
    expect(fit.standardErrors.alpha).toBeNull();
    expect(fit.standardErrors.mu).toBeGreaterThan(0);
  });
});

describe('fitGarch input checks', () => {
  it('refuses too few returns, a constant series and non-finite returns with an InvalidInputError', () => {
    expect(() => fitGarch(new Float64Array(MIN_GARCH_RETURNS - 1).map((_, i) => (i % 2) - 0.5))).toThrow(/at least 50/);
    expect(() => fitGarch(new Float64Array(100))).toThrow(InvalidInputError);
    expect(() => fitGarch(new Float64Array(100).fill(0.001))).toThrow(/constant/);
    const withNaN = new Float64Array(100).map((_, i) => (i % 2) - 0.5);
    withNaN[50] = NaN;
    expect(() => fitGarch(withNaN)).toThrow(/returns\[50\] must be finite/);
  });
});

describe('halfLife', () => {
  it('is ln ½ / ln p: 13.51 steps at p = 0.95, and 1 at p = ½', () => {
    expect(halfLife(0.95)).toBeCloseTo(13.5134, 4);
    expect(halfLife(0.5)).toBe(1);
    expect(halfLife(1)).toBe(Infinity);
    expect(halfLife(0)).toBe(0);
  });
});
