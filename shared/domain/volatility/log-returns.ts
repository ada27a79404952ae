/**
 * Log returns rₜ = ln(Pₜ/Pₜ₋₁) of a price series, and the checks every volatility model
 * needs before it fits: enough returns, all finite, and not all equal (a constant
 * series has no volatility to model and would divide by zero).
 */
import { InvalidInputError } from '../errors.ts';

/**
 * The n − 1 log returns of n prices. Prices must be finite and > 0.
 *
 * @example logReturns([100, 110, 99]) // Float64Array [ln 1.1, ln 0.9] = [0.09531, −0.10536]
 */
export function logReturns(prices: ArrayLike<number>): Float64Array {
  const returns = new Float64Array(Math.max(prices.length - 1, 0));
  for (let t = 0; t < prices.length; t++) {
    const price = prices[t]!;
    if (!(price > 0 && price < Infinity)) throw new InvalidInputError(`prices[${t}]`, price, 'must be a finite number > 0');
    if (t > 0) returns[t - 1] = Math.log(price / prices[t - 1]!);
  }
  return returns;
}

/** The mean and the standard deviation (divisor n) of a sample. */
export interface SampleMoments {
  readonly mean: number;
  readonly standardDeviation: number;
}

/**
 * Checks that `returns` can be fitted (at least `minimum` of them, all finite, not all
 * equal) and gives their mean and standard deviation. "Not all equal" is judged
 * relative to the mean: returns equal up to rounding (a price growing at an exactly
 * constant rate) are constant too.
 *
 * @example requireFittableReturns([0.01, -0.01, 0.02], 3) // { mean: 0.00667, standardDeviation: 0.01247 }
 * @example requireFittableReturns([0, 0, 0], 3) // throws InvalidInputError: … constant …
 */
export function requireFittableReturns(returns: ArrayLike<number>, minimum: number): SampleMoments {
  if (returns.length < minimum) {
    throw new InvalidInputError('returns', returns.length, `must number at least ${minimum} (that is ${minimum + 1} prices) to fit the model`);
  }
  let sum = 0;
  for (let t = 0; t < returns.length; t++) {
    const r = returns[t]!;
    if (!Number.isFinite(r)) throw new InvalidInputError(`returns[${t}]`, r, 'must be finite');
    sum += r;
  }
  const mean = sum / returns.length;
  let squares = 0;
  for (let t = 0; t < returns.length; t++) squares += (returns[t]! - mean) ** 2;
  const standardDeviation = Math.sqrt(squares / returns.length);
  if (!(standardDeviation > 1e-9 * Math.abs(mean))) {
    throw new InvalidInputError('returns', `a std of ${standardDeviation} around a mean of ${mean}`, 'must vary: the series is constant (every return the same, up to rounding), so it has no volatility to model');
  }
  return { mean, standardDeviation };
}
