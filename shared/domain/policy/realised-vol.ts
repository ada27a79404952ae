/**
 * Realised volatility as an exponentially weighted moving average (EWMA) of squared log
 * returns, the RiskMetrics estimator, extended to irregular observation times: each
 * squared return is annualised by its own elapsed time, so a 1-minute and a 1-hour
 * return contribute comparable variance-per-year samples.
 *
 *   σ²ₙ = λ·σ²ₙ₋₁ + (1 − λ)·rₙ² / Δtₙ,   rₙ = ln(Sₙ / Sₙ₋₁),  Δtₙ in ACT/365 years.
 *
 * The first return seeds the estimate (σ²₁ = r₁²/Δt₁); with λ = 0.94 its weight decays
 * below 1% after ~75 observations.
 *
 * @see J.P. Morgan/Reuters, "RiskMetrics — Technical Document", 4th ed. (1996), §5.2.1
 *      (exponentially weighted volatility, λ = 0.94 for daily data).
 */
import { MIN_SCALING_VOL, MS_PER_YEAR } from './policy-constants.ts';

/**
 * One EWMA step. `previousVariance` undefined means "no estimate yet": the sample seeds it.
 * Callers guarantee prices > 0 and elapsedMs > 0.
 */
export function ewmaVarianceUpdate(
  previousVariance: number | undefined,
  previousPrice: number,
  price: number,
  elapsedMs: number,
  lambda: number,
): number {
  const r = Math.log(price / previousPrice);
  const sample = (r * r * MS_PER_YEAR) / elapsedMs;
  return previousVariance === undefined ? sample : lambda * previousVariance + (1 - lambda) * sample;
}

/**
 * The volatility the policy scales with: the realised EWMA estimate when `source` is
 * "realised" and the state has one, else the market's implied vol (also the fallback
 * before the second price observation). Floored at {@link MIN_SCALING_VOL}.
 */
export function scalingVol(source: 'realised' | 'implied', ewmaVariance: number | undefined, impliedVol: number): number {
  const vol = source === 'realised' && ewmaVariance !== undefined ? Math.sqrt(ewmaVariance) : impliedVol;
  return vol > MIN_SCALING_VOL ? vol : MIN_SCALING_VOL;
}

/** Whether {@link scalingVol} used the realised estimate (false: implied, or the fallback). */
export function usesRealisedVol(source: 'realised' | 'implied', ewmaVariance: number | undefined): boolean {
  return source === 'realised' && ewmaVariance !== undefined;
}
