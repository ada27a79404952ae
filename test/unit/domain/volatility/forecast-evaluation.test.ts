import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../../../shared/domain/backtest/random.ts';
import { ewmaAsGarch } from '../../../../shared/domain/volatility/ewma.ts';
import { evaluateOutOfSample, varianceForecastLosses } from '../../../../shared/domain/volatility/forecast-evaluation.ts';
import { garchConditionalVariances } from '../../../../shared/domain/volatility/garch-likelihood.ts';
import { simulateGarch } from '../../../../shared/domain/volatility/simulate-garch.ts';

describe('varianceForecastLosses', () => {
  it('is QLIKE = mean(ln h + r²/h) and MSE = mean((r² − h)²), by hand', () => {
    const losses = varianceForecastLosses([1, 4], [1, 1]);
    expect(losses.qlike).toBeCloseTo((1 + Math.log(4) + 0.25) / 2, 15);
    expect(losses.mse).toBe(4.5);
    expect(losses.count).toBe(2);
    expect(() => varianceForecastLosses([1, 0], [1, 1])).toThrow(/forecasts\[1\]/);
    expect(() => varianceForecastLosses([1], [1, 1])).toThrow(/pair one to one/);
  });
});

describe('evaluateOutOfSample', () => {
  it('runs the recursion forward by hand: one-step forecasts and 2-step sums', () => {
    // μ = 0, ω = 0.1, α = 0.2, β = 0.7, σ² of the first test return 1; returns 1, −2, 0.
    // One-step: h₁ = 1, h₂ = 0.1 + 0.2·1 + 0.7·1 = 1, h₃ = 0.1 + 0.2·4 + 0.7·1 = 1.6.
    // Two-step sums from origin t: hₜ + (ω + 0.9·hₜ) = 0.1 + 1.9·hₜ: 2, 2; realised 1 + 4, 4 + 0.
    const model = { params: { mu: 0, omega: 0.1, alpha: 0.2, beta: 0.7 }, meanReversion: 0.1, nextVariance: 1 };
    const result = evaluateOutOfSample(model, [1, -2, 0], 2);
    const oneStep = varianceForecastLosses([1, 1, 1.6], [1, 4, 0]);
    const twoStep = varianceForecastLosses([2, 2], [5, 4]);
    expect(result.oneStep.qlike).toBeCloseTo(oneStep.qlike, 14);
    expect(result.oneStep.mse).toBeCloseTo(oneStep.mse, 14);
    expect(result.horizon.qlike).toBeCloseTo(twoStep.qlike, 14);
    expect(result.horizon.mse).toBeCloseTo(twoStep.mse, 14);
    expect(result.horizon.count).toBe(2);
    expect(() => evaluateOutOfSample(model, [1, 2], 3)).toThrow(/horizonSteps/);
  });

  it('ranks the true GARCH above a RiskMetrics EWMA by QLIKE on a long GARCH path', () => {
    const truth = { mu: 0, omega: 5e-6, alpha: 0.1, beta: 0.85 };
    const path = simulateGarch(truth, 20_000, new Xoshiro128(31));
    const history = path.subarray(0, 1000);
    const test = path.subarray(1000);
    const garchNext = garchConditionalVariances(history, truth)[1000]!;
    const ewmaNext = garchConditionalVariances(history, ewmaAsGarch(0.94))[1000]!;
    const garch = evaluateOutOfSample({ params: truth, meanReversion: 0.05, nextVariance: garchNext }, test, 20);
    const ewma = evaluateOutOfSample({ params: ewmaAsGarch(0.94), meanReversion: 0, nextVariance: ewmaNext }, test, 20);
    expect(garch.oneStep.qlike).toBeLessThan(ewma.oneStep.qlike);
    expect(garch.horizon.qlike).toBeLessThan(ewma.horizon.qlike);
  });
});
