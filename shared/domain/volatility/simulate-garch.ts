/**
 * Simulated GARCH(1,1) returns, for reference checks and benchmarks: the model of
 * garch-types.ts driven by a seeded normal generator, started at the long-run
 * variance ω/(1 − α − β) and run for a burn-in first so the path has forgotten that
 * start (its variance then has the stationary distribution).
 */
import { InvalidInputError } from '../errors.ts';
import type { GarchParams } from './garch-types.ts';

/** A source of standard normal deviates (e.g. backtest/random.ts's Xoshiro128). */
export interface NormalSource {
  nextNormal(): number;
}

/** Steps simulated and dropped before the first returned return. */
export const DEFAULT_BURN_IN = 1000;

/**
 * n returns rₜ = μ + σₜ·zₜ with σ²ₜ = ω + α·ε²ₜ₋₁ + β·σ²ₜ₋₁ (stationary parameters only).
 *
 * @example
 * const returns = simulateGarch({ mu: 0, omega: 1e-6, alpha: 0.08, beta: 0.9 }, 2000, new Xoshiro128(1));
 * returns.length // 2000; their variance ≈ 1e-6/0.02 = 5e-5
 */
export function simulateGarch(params: GarchParams, n: number, normals: NormalSource, burnIn = DEFAULT_BURN_IN): Float64Array {
  const { mu, omega, alpha, beta } = params;
  if (!(omega > 0 && alpha >= 0 && beta >= 0 && alpha + beta < 1)) {
    throw new InvalidInputError('params', `ω=${omega}, α=${alpha}, β=${beta}`, 'must satisfy ω > 0, α ≥ 0, β ≥ 0 and α + β < 1 to simulate a stationary path');
  }
  if (!(Number.isInteger(n) && n >= 0)) throw new InvalidInputError('n', n, 'must be a whole number ≥ 0');
  const returns = new Float64Array(n);
  let variance = omega / (1 - alpha - beta);
  for (let t = -burnIn; t < n; t++) {
    const shock = Math.sqrt(variance) * normals.nextNormal();
    if (t >= 0) returns[t] = mu + shock;
    variance = omega + alpha * shock * shock + beta * variance;
  }
  return returns;
}
