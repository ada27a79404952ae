/**
 * The price a Uniswap V3 pool quotes, from its slot0 `sqrtPriceX96`.
 *
 * slot0 stores sqrt(token1 raw / token0 raw) as a Q64.96 fixed-point number of up to 160
 * bits. Converting it to a double and squaring rounds twice (the 160-bit integer to 53
 * bits, then the square) and scales by powers of ten that are not exact either. Instead
 * the whole price is kept as an exact rational of bigints,
 *
 *   base is token0:  sqrtPriceX96² · 10^baseDecimals / (2^192 · 10^quoteDecimals)
 *   base is token1:  2^192 · 10^baseDecimals / (sqrtPriceX96² · 10^quoteDecimals)
 *
 * and divided once, with enough quotient bits and a sticky bit that the final conversion
 * to a double is correctly rounded (relative error ≤ 2^-53 ≈ 1.1e-16). Within the TickMath
 * bounds the raw ratio is within 2^±128, and with decimals ≤ 255 the price stays within
 * [3e-294, 4e293]: always a normal double, so that bound holds for every valid input.
 */
import { InvalidInputError } from '../errors.ts';

/** Bounds of slot0's sqrtPriceX96 (Uniswap V3 TickMath.MIN_SQRT_RATIO and MAX_SQRT_RATIO). */
export const MIN_SQRT_PRICE_X96 = 4295128739n;
export const MAX_SQRT_PRICE_X96 = 1461446703485210103287273052203988822378723970342n;

/** ERC-20 `decimals` is a uint8. */
const MAX_TOKEN_DECIMALS = 255;
const Q192 = 1n << 192n;
/** Quotient bits kept before rounding to the 53-bit significand: leaves 11+ guard bits, plus a sticky bit. */
const QUOTIENT_BITS = 64;

/**
 * Price of one base token in quote tokens (human units, e.g. 3000 USDC per WETH).
 *
 * @example priceFromSqrtPriceX96(1446501726624926496477173928747177n, false, 18, 6) // 3000: WETH (18) is token1, USDC (6) token0
 */
export function priceFromSqrtPriceX96(sqrtPriceX96: bigint, baseIsToken0: boolean, baseDecimals: number, quoteDecimals: number): number {
  validateSqrtPrice(sqrtPriceX96);
  validateDecimals('baseDecimals', baseDecimals);
  validateDecimals('quoteDecimals', quoteDecimals);
  const squared = sqrtPriceX96 * sqrtPriceX96; // token1 raw per token0 raw, times 2^192
  const [rawQuote, rawBase] = baseIsToken0 ? [squared, Q192] : [Q192, squared];
  return ratioToNumber(rawQuote * 10n ** BigInt(baseDecimals), rawBase * 10n ** BigInt(quoteDecimals));
}

/**
 * numerator / denominator (both positive) rounded to the nearest double.
 *
 * The quotient is scaled by 2^shift to QUOTIENT_BITS+ bits so the integer division loses
 * only bits far below the significand; a non-zero remainder is folded into the lowest
 * bit (sticky) so Number(bigint), which rounds to nearest-even, still rounds the exact
 * value, not the truncated one. Scaling back by 2^-shift is exact unless the result is
 * subnormal.
 */
export function ratioToNumber(numerator: bigint, denominator: bigint): number {
  if (numerator <= 0n || denominator <= 0n) throw new RangeError('ratioToNumber takes positive bigints');
  const shift = QUOTIENT_BITS + 1 - (bitLength(numerator) - bitLength(denominator));
  const [scaledNumerator, scaledDenominator] = shift >= 0 ? [numerator << BigInt(shift), denominator] : [numerator, denominator << BigInt(-shift)];
  const quotient = scaledNumerator / scaledDenominator;
  const inexact = quotient * scaledDenominator !== scaledNumerator;
  return timesPowerOfTwo(Number(inexact ? quotient | 1n : quotient), -shift);
}

function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** x · 2^exponent in steps that neither overflow nor underflow 2^step itself. */
function timesPowerOfTwo(x: number, exponent: number): number {
  const step = 1000;
  let result = x;
  let remaining = exponent;
  while (remaining > step) {
    result *= 2 ** step;
    remaining -= step;
  }
  while (remaining < -step) {
    result *= 2 ** -step;
    remaining += step;
  }
  return result * 2 ** remaining;
}

function validateSqrtPrice(sqrtPriceX96: bigint): void {
  if (typeof sqrtPriceX96 !== 'bigint' || sqrtPriceX96 < MIN_SQRT_PRICE_X96 || sqrtPriceX96 > MAX_SQRT_PRICE_X96) {
    throw new InvalidInputError('sqrtPriceX96', sqrtPriceX96, `must be a bigint in [${MIN_SQRT_PRICE_X96}, ${MAX_SQRT_PRICE_X96}] (Uniswap V3 TickMath bounds)`);
  }
}

function validateDecimals(field: string, decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_TOKEN_DECIMALS) {
    throw new InvalidInputError(field, decimals, `must be an integer in [0, ${MAX_TOKEN_DECIMALS}]`);
  }
}
