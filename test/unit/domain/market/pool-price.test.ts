// The pool price from slot0's sqrtPriceX96, checked against the exact rational price:
// every result must be the correctly rounded double (within half an ulp), over the whole
// range of sqrt prices Uniswap V3 allows and any token decimals a pair plausibly has.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/domain/errors.ts';
import { MAX_SQRT_PRICE_X96, MIN_SQRT_PRICE_X96, priceFromSqrtPriceX96, ratioToNumber } from '../../../../shared/domain/market/pool-price.ts';

const Q96 = 1n << 96n;

/** The exact price as numerator / denominator (bigints): the reference the tests hold the double to. */
function exactPrice(sqrtPriceX96: bigint, baseIsToken0: boolean, baseDecimals: number, quoteDecimals: number): { numerator: bigint; denominator: bigint } {
  const squared = sqrtPriceX96 * sqrtPriceX96;
  const q192 = 1n << 192n;
  const [rawQuote, rawBase] = baseIsToken0 ? [squared, q192] : [q192, squared];
  return { numerator: rawQuote * 10n ** BigInt(baseDecimals), denominator: rawBase * 10n ** BigInt(quoteDecimals) };
}

/** A positive normal double as significand · 2^exponent, both exact (significand a 53-bit integer). */
function decompose(x: number): { significand: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  if (biasedExponent === 0 || biasedExponent === 0x7ff) throw new Error(`${x} is not a normal double`);
  return { significand: (bits & ((1n << 52n) - 1n)) | (1n << 52n), exponent: biasedExponent - 1075 };
}

/** |x − numerator/denominator| ≤ ulp(x)/2, decided exactly in bigint arithmetic. */
function isWithinHalfUlp(x: number, numerator: bigint, denominator: bigint): boolean {
  const { significand, exponent } = decompose(x);
  // x = s·2^e with ulp(x) = 2^e: compare 2·|s·2^e·D − N| with 2^e·D, scaled to integers.
  const [scaledX, scaledN, scaledUlp] =
    exponent >= 0
      ? [significand * denominator << BigInt(exponent), numerator, denominator << BigInt(exponent)]
      : [significand * denominator, numerator << BigInt(-exponent), denominator];
  const error = scaledX > scaledN ? scaledX - scaledN : scaledN - scaledX;
  return 2n * error <= scaledUlp;
}

const sqrtPrices = fc.bigInt({ min: MIN_SQRT_PRICE_X96, max: MAX_SQRT_PRICE_X96 });
const decimals = fc.integer({ min: 0, max: 36 });

describe('priceFromSqrtPriceX96 on exact prices', () => {
  it.each([
    { sqrtPriceX96: Q96, baseIsToken0: true, price: 1 },
    { sqrtPriceX96: Q96, baseIsToken0: false, price: 1 },
    { sqrtPriceX96: 3n * Q96, baseIsToken0: true, price: 9 },
    { sqrtPriceX96: 3n * Q96, baseIsToken0: false, price: 1 / 9 },
    { sqrtPriceX96: Q96 / 2n, baseIsToken0: true, price: 0.25 },
  ])('sqrtPriceX96 $sqrtPriceX96, base is token0: $baseIsToken0 → $price', ({ sqrtPriceX96, baseIsToken0, price }) => {
    expect(priceFromSqrtPriceX96(sqrtPriceX96, baseIsToken0, 18, 18)).toBe(price);
  });

  it('scales raw units by the decimals: 1 raw USDC per raw WETH is 10^12 USDC per WETH', () => {
    expect(priceFromSqrtPriceX96(Q96, true, 18, 6)).toBe(1e12);
    expect(priceFromSqrtPriceX96(Q96, false, 6, 18)).toBe(1e-12);
  });

  it('reads 3000 USDC per WETH from the pool the chain fixture creates, in either token order', () => {
    const isqrt = (value: bigint): bigint => {
      let x = value;
      let y = (x + 1n) / 2n;
      while (y < x) [x, y] = [y, (y + value / y) / 2n];
      return x;
    };
    const wethToken0 = isqrt((3000n * 10n ** 6n << 192n) / 10n ** 18n); // token1 = USDC per token0 = WETH
    const wethToken1 = isqrt((10n ** 18n << 192n) / (3000n * 10n ** 6n));
    expect(priceFromSqrtPriceX96(wethToken0, true, 18, 6)).toBeCloseTo(3000, 9);
    expect(priceFromSqrtPriceX96(wethToken1, false, 18, 6)).toBeCloseTo(3000, 9);
    expect(Math.abs(priceFromSqrtPriceX96(wethToken1, false, 18, 6) / 3000 - 1)).toBeLessThan(1e-15);
  });

  it('is the correctly rounded (normal, finite) price at the extreme sqrt prices and decimals', () => {
    for (const sqrtPriceX96 of [MIN_SQRT_PRICE_X96, MAX_SQRT_PRICE_X96]) {
      for (const baseIsToken0 of [true, false]) {
        for (const [base, quote] of [[18, 6], [255, 0], [0, 255]] as const) {
          const price = priceFromSqrtPriceX96(sqrtPriceX96, baseIsToken0, base, quote);
          const { numerator, denominator } = exactPrice(sqrtPriceX96, baseIsToken0, base, quote);
          expect(isWithinHalfUlp(price, numerator, denominator)).toBe(true); // decompose() throws on a subnormal or infinity
        }
      }
    }
  });

  it('is more accurate than squaring the double of sqrtPriceX96', () => {
    // The naive formula rounds sqrtPriceX96 to 53 bits, then squares and scales: several ulps off for some prices.
    const naive = (sqrtPriceX96: bigint): number => (Number(sqrtPriceX96) / 2 ** 96) ** 2 * 1e12;
    const samples = fc.sample(fc.bigInt({ min: 1n << 60n, max: 1n << 100n }), { numRuns: 500, seed: 42 });
    const naiveMisses = samples.filter((s) => {
      const { numerator, denominator } = exactPrice(s, true, 18, 6);
      expect(isWithinHalfUlp(priceFromSqrtPriceX96(s, true, 18, 6), numerator, denominator)).toBe(true);
      return !isWithinHalfUlp(naive(s), numerator, denominator);
    });
    expect(naiveMisses.length).toBeGreaterThan(0);
  });
});

describe('priceFromSqrtPriceX96 properties', () => {
  it('is within half an ulp of the exact rational price, for any uint8 decimals', () => {
    const anyDecimals = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(sqrtPrices, fc.boolean(), anyDecimals, anyDecimals, (sqrtPriceX96, baseIsToken0, base, quote) => {
        const { numerator, denominator } = exactPrice(sqrtPriceX96, baseIsToken0, base, quote);
        return isWithinHalfUlp(priceFromSqrtPriceX96(sqrtPriceX96, baseIsToken0, base, quote), numerator, denominator);
      }),
      { numRuns: 2000 },
    );
  });

  it('rises with sqrtPriceX96 when the base is token0 and falls when it is token1', () => {
    fc.assert(
      fc.property(sqrtPrices, sqrtPrices, decimals, decimals, (a, b, base, quote) => {
        const [low, high] = a < b ? [a, b] : [b, a];
        expect(priceFromSqrtPriceX96(low, true, base, quote)).toBeLessThanOrEqual(priceFromSqrtPriceX96(high, true, base, quote));
        expect(priceFromSqrtPriceX96(low, false, base, quote)).toBeGreaterThanOrEqual(priceFromSqrtPriceX96(high, false, base, quote));
      }),
    );
  });

  it('is strictly monotone between neighbouring sqrt prices of a realistic pool', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n << 70n, max: 1n << 120n }), (sqrtPriceX96) => {
        // One step of sqrtPriceX96 moves the price by ~2/sqrtPriceX96 relative, above the ulp at these sizes.
        const step = sqrtPriceX96 >> 40n;
        expect(priceFromSqrtPriceX96(sqrtPriceX96 + step, true, 18, 6)).toBeGreaterThan(priceFromSqrtPriceX96(sqrtPriceX96, true, 18, 6));
      }),
    );
  });

  it('flipping the token order inverts the price (to within the two roundings)', () => {
    fc.assert(
      fc.property(sqrtPrices, decimals, decimals, (sqrtPriceX96, base, quote) => {
        const asToken0 = priceFromSqrtPriceX96(sqrtPriceX96, true, base, quote);
        const asToken1 = priceFromSqrtPriceX96(sqrtPriceX96, false, quote, base);
        expect(Math.abs(asToken0 * asToken1 - 1)).toBeLessThanOrEqual(4e-16);
      }),
    );
  });
});

describe('priceFromSqrtPriceX96 rejects', () => {
  it.each([0n, -1n, MIN_SQRT_PRICE_X96 - 1n, MAX_SQRT_PRICE_X96 + 1n])('sqrtPriceX96 %s outside the TickMath bounds', (sqrtPriceX96) => {
    expect(() => priceFromSqrtPriceX96(sqrtPriceX96, true, 18, 6)).toThrow(InvalidInputError);
  });

  it.each([-1, 1.5, 256, Number.NaN])('decimals %s', (bad) => {
    expect(() => priceFromSqrtPriceX96(Q96, true, bad, 6)).toThrow(InvalidInputError);
    expect(() => priceFromSqrtPriceX96(Q96, true, 18, bad)).toThrow(InvalidInputError);
  });

});

describe('ratioToNumber', () => {
  it('agrees with the correctly rounded decimal literals', () => {
    expect(ratioToNumber(1n, 3n)).toBe(1 / 3);
    expect(ratioToNumber(10n ** 300n, 1n)).toBe(1e300);
    expect(ratioToNumber(1n, 10n ** 300n)).toBe(1e-300);
    expect(ratioToNumber(123456789012345678901234567890n, 10n ** 20n)).toBe(Number('1234567890.1234567890123456789')); // parsing a decimal rounds correctly
  });

  it('rounds the exact value, not the truncated quotient: a hair above a tie rounds up', () => {
    // 2^53 + 1 + 2^-100 lies just above the midpoint of 2^53 and 2^53 + 2 (the doubles there).
    const numerator = ((2n ** 53n + 1n) << 100n) + 1n;
    expect(ratioToNumber(numerator, 1n << 100n)).toBe(2 ** 53 + 2);
    // …while the exact tie rounds to even.
    expect(ratioToNumber(2n ** 53n + 1n, 1n)).toBe(2 ** 53);
  });

  it('rejects non-positive operands', () => {
    expect(() => ratioToNumber(0n, 1n)).toThrow(RangeError);
    expect(() => ratioToNumber(1n, -1n)).toThrow(RangeError);
  });
});
