import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../../../shared/domain/backtest/random.ts';
import { ewmaLogLikelihood, fitEwma, MIN_EWMA_RETURNS, RISKMETRICS_DAILY_LAMBDA } from '../../../../shared/domain/volatility/ewma.ts';
import { simulateGarch } from '../../../../shared/domain/volatility/simulate-garch.ts';

const LN_TWO_PI = Math.log(2 * Math.PI);

describe('EWMA (RiskMetrics)', () => {
  it('runs σ²ₜ = λσ²ₜ₋₁ + (1 − λ)r²ₜ₋₁ from the mean square, by hand', () => {
    // r = [0.01, −0.03, 0.02] ⇒ σ²₁ = (1 + 9 + 4)e-4/3 = 4.6667e-4; with λ = 0.9:
    // σ²₂ = 0.9·4.6667e-4 + 0.1·1e-4 = 4.3e-4; σ²₃ = 0.9·4.3e-4 + 0.1·9e-4 = 4.77e-4;
    // σ²₄ = 0.9·4.77e-4 + 0.1·4e-4 = 4.693e-4.
    const returns = [0.01, -0.03, 0.02, ...Array.from({ length: MIN_EWMA_RETURNS }, (_, i) => (i % 2 ? 0.01 : -0.01))];
    const first = [0.01, -0.03, 0.02];
    const s2 = 14e-4 / 3;
    const variances = [s2, 0.9 * s2 + 0.1e-4, 0.9 * (0.9 * s2 + 0.1e-4) + 0.9e-4];
    const expected = first.reduce((sum, r, t) => sum - 0.5 * (LN_TWO_PI + Math.log(variances[t]!) + (r * r) / variances[t]!), 0);
    expect(ewmaLogLikelihood(first, 0.9)).toBeCloseTo(expected, 12);
    expect(variances[1]).toBeCloseTo(4.3e-4, 18);
    expect(variances[2]).toBeCloseTo(4.77e-4, 18);
    const fixed = fitEwma(returns, { lambda: 0.9 });
    expect(fixed.lambdaSource).toBe('fixed');
    expect(fixed.lambdaStandardError).toBeNull();
    // The forecast is flat: persistence 1, no intercept.
    expect(fixed.dynamics).toMatchObject({ omega: 0, meanReversion: 0 });
    expect(fixed.dynamics.nextVariance).toBe(fixed.conditionalVariances[returns.length]);
    expect(fixed.halfLifeSteps).toBeCloseTo(Math.log(0.5) / Math.log(0.9), 14);
  });

  const returns = simulateGarch({ mu: 0, omega: 1e-6, alpha: 0.06, beta: 0.93 }, 3000, new Xoshiro128(11));
  const fit = fitEwma(returns);

  it('fits λ by maximum likelihood: no λ on a fine grid does better, and dℓ/dλ = 0 there', () => {
    expect(fit.lambdaSource).toBe('fitted');
    let bestGrid = 0;
    let bestValue = -Infinity;
    for (let lambda = 0.5; lambda < 0.9999; lambda += 1e-4) {
      const value = ewmaLogLikelihood(returns, lambda);
      if (value > bestValue) [bestGrid, bestValue] = [lambda, value];
    }
    expect(Math.abs(fit.lambda - bestGrid)).toBeLessThan(1e-4);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bestValue);
    const derivative = { value: NaN };
    ewmaLogLikelihood(returns, fit.lambda, derivative);
    expect(Math.abs(derivative.value) * fit.lambdaStandardError!).toBeLessThan(1e-4);
  });

  it("gives λ's standard error from the curvature: 1/√(−ℓ''), ℓ'' by second differences of ℓ", () => {
    const h = 1e-4;
    const curvature = (ewmaLogLikelihood(returns, fit.lambda + h) - 2 * ewmaLogLikelihood(returns, fit.lambda) + ewmaLogLikelihood(returns, fit.lambda - h)) / (h * h);
    expect(fit.lambdaStandardError! / Math.sqrt(-1 / curvature)).toBeCloseTo(1, 3);
  });

  it('accepts the RiskMetrics λ and refuses λ outside (0, 1)', () => {
    expect(fitEwma(returns, { lambda: RISKMETRICS_DAILY_LAMBDA }).lambda).toBe(0.94);
    expect(() => fitEwma(returns, { lambda: 1 })).toThrow(/lambda must be in \(0, 1\)/);
    expect(() => fitEwma(returns.slice(0, MIN_EWMA_RETURNS - 1))).toThrow(/at least 20/);
  });
});
