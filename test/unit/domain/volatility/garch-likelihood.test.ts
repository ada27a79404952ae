import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { garchConditionalVariances, garchLogLikelihood, garchScore, meanSquaredResidual } from '../../../../shared/domain/volatility/garch-likelihood.ts';
import type { GarchParams, VarianceStart } from '../../../../shared/domain/volatility/garch-types.ts';

const LN_TWO_PI = Math.log(2 * Math.PI);

/** ℓ from variances worked out by hand: −½·Σ(ln 2π + ln σ² + ε²/σ²). */
const gaussianLogLikelihood = (residuals: number[], variances: number[]): number =>
  residuals.reduce((sum, e, t) => sum - 0.5 * (LN_TWO_PI + Math.log(variances[t]!) + (e * e) / variances[t]!), 0);

// r = [0.02, −0.01, 0.03], μ = 0.01 ⇒ ε = [0.01, −0.02, 0.02] and s² = (1 + 4 + 4)e-4/3 = 3e-4.
const RETURNS = [0.02, -0.01, 0.03];
const PARAMS: GarchParams = { mu: 0.01, omega: 1e-4, alpha: 0.2, beta: 0.5 };
const RESIDUALS = [0.01, -0.02, 0.02];

describe('GARCH(1,1) log-likelihood', () => {
  it('follows the recursion by hand from σ²₁ = s² (sample start)', () => {
    // σ²₁ = 3e-4; σ²₂ = 1e-4 + 0.2·1e-4 + 0.5·3e-4 = 2.7e-4; σ²₃ = 1e-4 + 0.2·4e-4 + 0.5·2.7e-4 = 3.15e-4;
    // σ²₄ (the forecast) = 1e-4 + 0.2·4e-4 + 0.5·3.15e-4 = 3.375e-4.
    const variances = [3e-4, 2.7e-4, 3.15e-4];
    expect(meanSquaredResidual(RETURNS, PARAMS.mu)).toBeCloseTo(3e-4, 18);
    const path = garchConditionalVariances(RETURNS, PARAMS, 'sample');
    [...variances, 3.375e-4].forEach((v, t) => expect(path[t]).toBeCloseTo(v, 17));
    expect(garchLogLikelihood(RETURNS, PARAMS, 'sample')).toBeCloseTo(gaussianLogLikelihood(RESIDUALS, variances), 12);
  });

  it('follows the recursion by hand from σ²₀ = ε²₀ = s² (presample start)', () => {
    // σ²₁ = 1e-4 + (0.2 + 0.5)·3e-4 = 3.1e-4; σ²₂ = 1e-4 + 0.2e-4 + 0.5·3.1e-4 = 2.75e-4;
    // σ²₃ = 1e-4 + 0.8e-4 + 0.5·2.75e-4 = 3.175e-4.
    const variances = [3.1e-4, 2.75e-4, 3.175e-4];
    const path = garchConditionalVariances(RETURNS, PARAMS, 'presample');
    variances.forEach((v, t) => expect(path[t]).toBeCloseTo(v, 17));
    expect(garchLogLikelihood(RETURNS, PARAMS, 'presample')).toBeCloseTo(gaussianLogLikelihood(RESIDUALS, variances), 12);
  });

  it('is −∞ where a variance is not positive (outside the model), with a NaN gradient', () => {
    const gradient = new Float64Array(4);
    expect(garchScore(RETURNS, { ...PARAMS, omega: -1e-3 }, 'sample', gradient)).toBe(-Infinity);
    expect(Array.from(gradient).every(Number.isNaN)).toBe(true);
  });

  // Returns on a 1 bp grid up to ±5%, not all equal (subnormal returns would make s² underflow to 0).
  const returnsArb = fc.array(fc.integer({ min: -500, max: 500 }).map((bp) => bp * 1e-4), { minLength: 5, maxLength: 40 }).filter((r) => new Set(r).size > 2);
  const paramsArb = fc.record({
    mu: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
    omega: fc.double({ min: 1e-6, max: 1e-3, noNaN: true }),
    alpha: fc.double({ min: 0.01, max: 0.4, noNaN: true }),
    beta: fc.double({ min: 0.01, max: 0.55, noNaN: true }),
  });
  const startArb = fc.constantFrom<VarianceStart>('sample', 'presample');

  it('has an analytic score equal to central differences of ℓ (both starts)', () => {
    fc.assert(
      fc.property(returnsArb, paramsArb, startArb, (returns, params, start) => {
        const score = new Float64Array(4);
        garchScore(returns, params, start, score);
        (['mu', 'omega', 'alpha', 'beta'] as const).forEach((name, i) => {
          const h = 1e-6 * Math.max(Math.abs(params[name]), name === 'omega' ? 1e-5 : 1e-3);
          const up = garchLogLikelihood(returns, { ...params, [name]: params[name] + h }, start);
          const down = garchLogLikelihood(returns, { ...params, [name]: params[name] - h }, start);
          const difference = (up - down) / (2 * h);
          expect(Math.abs(score[i]! - difference)).toBeLessThan(1e-5 * Math.max(1, Math.abs(difference)));
        });
      }),
      { numRuns: 200, seed: 16 },
    );
  });

  it('is scale-equivariant: returns ×c, μ ×c, ω ×c² shift ℓ by −n·ln c', () => {
    fc.assert(
      fc.property(returnsArb, paramsArb, startArb, fc.double({ min: 0.01, max: 100, noNaN: true }), (returns, params, start, c) => {
        const scaled = returns.map((r) => r * c);
        const scaledParams = { ...params, mu: params.mu * c, omega: params.omega * c * c };
        const expected = garchLogLikelihood(returns, params, start) - returns.length * Math.log(c);
        expect(garchLogLikelihood(scaled, scaledParams, start)).toBeCloseTo(expected, 8);
      }),
      { numRuns: 200, seed: 61 },
    );
  });
});
