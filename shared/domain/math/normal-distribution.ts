/**
 * Standard normal density, distribution and Mills ratio, built on the error function
 * family so that tails keep full relative precision.
 */
import { erfc, erfcx } from './error-function.ts';

export const SQRT_TWO = Math.SQRT2;
export const ONE_OVER_SQRT_TWO = Math.SQRT1_2;
export const ONE_OVER_SQRT_TWO_PI = 0.3989422804014326779399460599343818684759;
export const SQRT_HALF_PI = 1.2533141373155002512078826424055226265035;

/**
 * Standard normal density φ(z).
 *
 * @example normPdf(0) // 0.3989422804014327
 */
export function normPdf(z: number): number {
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * z * z);
}

/**
 * Standard normal distribution N(z), with full relative precision in the left tail
 * (N(−37) ≈ 5.7e-300 keeps every digit).
 *
 * @example normCdf(-1.959963984540054) // 0.025
 */
export function normCdf(z: number): number {
  return 0.5 * erfc(-z * ONE_OVER_SQRT_TWO);
}

/**
 * Mills ratio of the left tail, Y(z) = N(z)/φ(z) = √(π/2)·erfcx(−z/√2). Smooth and
 * positive everywhere; for z → −∞ it behaves like 1/|z|, so it carries the whole
 * magnitude of a far-out-of-the-money price without underflow.
 *
 * @example normMillsRatio(-30) // ≈ 0.03329638
 */
export function normMillsRatio(z: number): number {
  return SQRT_HALF_PI * erfcx(-z * ONE_OVER_SQRT_TWO);
}
