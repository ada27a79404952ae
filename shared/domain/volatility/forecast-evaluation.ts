/**
 * Out-of-sample accuracy of variance forecasts against squared returns, the proxy for
 * the unobserved variance: QLIKE and MSE, the two losses that rank forecasts the same
 * way as the true variance would, however noisy the proxy (Patton, 2011).
 *
 *   QLIKE = mean(ln hₜ + r²ₜ/hₜ),   MSE = mean((r²ₜ − hₜ)²).
 *
 * QLIKE is written in the form that needs no ln r² (a zero return is fine); it differs
 * from the normalised r²/h − ln(r²/h) − 1 by a term without h, so rankings are the same.
 * It punishes under-prediction more than over-prediction and is scale-free in relative
 * terms, so it is the loss to compare models by; MSE is dominated by the few largest
 * squared returns.
 *
 * @see A. J. Patton, "Volatility forecast comparison using imperfect volatility
 *      proxies", Journal of Econometrics 160 (2011) 246-256.
 */
import { InvalidInputError } from '../errors.ts';
import type { GarchParams } from './garch-types.ts';
import { averageVarianceOverHorizon } from './variance-forecast.ts';

/** Mean losses of a set of variance forecasts. */
export interface ForecastLosses {
  readonly qlike: number;
  readonly mse: number;
  /** How many forecasts were scored. */
  readonly count: number;
}

/**
 * QLIKE and MSE of variance forecasts hₜ against realised squares r²ₜ.
 *
 * @example
 * // h = [1, 4], r² = [1, 1]: QLIKE = ((0 + 1) + (ln 4 + 0.25))/2 = 1.3181, MSE = (0 + 9)/2 = 4.5
 * varianceForecastLosses([1, 4], [1, 1]) // { qlike: 1.31815, mse: 4.5, count: 2 }
 */
export function varianceForecastLosses(forecasts: ArrayLike<number>, realisedSquares: ArrayLike<number>): ForecastLosses {
  const count = forecasts.length;
  if (count === 0 || realisedSquares.length !== count) throw new InvalidInputError('forecasts', count, `must be non-empty and pair one to one with the realised squares (${realisedSquares.length})`);
  let qlike = 0;
  let mse = 0;
  for (let t = 0; t < count; t++) {
    const h = forecasts[t]!;
    if (!(h > 0 && h < Infinity)) throw new InvalidInputError(`forecasts[${t}]`, h, 'must be a finite variance > 0');
    const r2 = realisedSquares[t]!;
    qlike += Math.log(h) + r2 / h;
    mse += (r2 - h) ** 2;
  }
  return { qlike: qlike / count, mse: mse / count, count };
}

/** A model as the evaluation runs it: GARCH(1,1) parameters (EWMA as ewmaAsGarch), fixed. */
export interface ForecastingModel {
  readonly params: GarchParams;
  /** 1 − α − β, exactly (0 for EWMA). */
  readonly meanReversion: number;
  /** σ² of the first test return, forecast at the end of the training sample. */
  readonly nextVariance: number;
}

/** One-step and horizon losses of a model over a test sample. */
export interface OutOfSampleEvaluation {
  readonly oneStep: ForecastLosses;
  /** Losses of Σₖ₌₁..H σ²ₜ₊ₖ|ₜ against Σₖ r²ₜ₊ₖ, at every origin with H returns after it. */
  readonly horizon: ForecastLosses;
  readonly horizonSteps: number;
}

/**
 * Runs a fitted model forward over returns it was not fitted on, with its parameters
 * fixed: at each origin it forecasts the next return's variance and the sum of the next
 * H returns' variances (variance-forecast.ts), then updates with the return observed.
 *
 * @example
 * const fit = fitGarch(training);
 * evaluateOutOfSample({ params: fit.params, meanReversion: fit.dynamics.meanReversion, nextVariance: fit.dynamics.nextVariance }, test, 10)
 * // { oneStep: { qlike, mse, count: test.length }, horizon: { …, count: test.length − 9 }, horizonSteps: 10 }
 */
export function evaluateOutOfSample(model: ForecastingModel, testReturns: ArrayLike<number>, horizonSteps: number): OutOfSampleEvaluation {
  const m = testReturns.length;
  if (!(Number.isInteger(horizonSteps) && horizonSteps >= 1 && horizonSteps <= m)) {
    throw new InvalidInputError('horizonSteps', horizonSteps, `must be a whole number of steps in [1, ${m}] (the test sample's length)`);
  }
  const { mu, omega, alpha, beta } = model.params;
  const oneStepForecasts = new Float64Array(m);
  const squares = new Float64Array(m);
  let variance = model.nextVariance;
  for (let t = 0; t < m; t++) {
    oneStepForecasts[t] = variance;
    const r = testReturns[t]!;
    squares[t] = r * r;
    const e = r - mu;
    variance = omega + alpha * e * e + beta * variance;
  }
  const origins = m - horizonSteps + 1;
  const horizonForecasts = new Float64Array(origins);
  const horizonSquares = new Float64Array(origins);
  for (let t = 0; t < origins; t++) {
    // Summed afresh at each origin: a running sum would drift by rounding over long samples.
    let windowSum = 0;
    for (let k = 0; k < horizonSteps; k++) windowSum += squares[t + k]!;
    horizonSquares[t] = windowSum;
    horizonForecasts[t] = horizonSteps * averageVarianceOverHorizon({ omega, meanReversion: model.meanReversion, nextVariance: oneStepForecasts[t]! }, horizonSteps);
  }
  return { oneStep: varianceForecastLosses(oneStepForecasts, squares), horizon: varianceForecastLosses(horizonForecasts, horizonSquares), horizonSteps };
}
