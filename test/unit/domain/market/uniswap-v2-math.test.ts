/** V2's amounts: the fee, the rounding the pair checks (k must not fall), and the limits. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { v2AmountIn, v2AmountOut } from '../../../../shared/domain/market/uniswap-v2-math.ts';

/** The pair's own check after a swap: balances net of 0.3 % of the input keep k. */
function keepsK(reserveIn: bigint, reserveOut: bigint, amountIn: bigint, amountOut: bigint): boolean {
  const balanceIn = reserveIn + amountIn;
  const balanceOut = reserveOut - amountOut;
  return (balanceIn * 1000n - amountIn * 3n) * (balanceOut * 1000n) >= reserveIn * reserveOut * 1000n ** 2n;
}

describe('Uniswap V2 amounts', () => {
  it('a known case: 1 WETH into 1000 WETH / 3,000,000 USDC', () => {
    expect(v2AmountOut(10n ** 18n, 1000n * 10n ** 18n, 3_000_000n * 10n ** 6n)).toBe(2_988_020_943n);
  });

  it('out and in are each other\'s inverse up to the rounding the pair allows, and both keep k (property)', () => {
    const reserve = fc.bigInt({ min: 10n ** 6n, max: 10n ** 30n });
    fc.assert(
      fc.property(reserve, reserve, fc.bigInt({ min: 1n, max: 10n ** 27n }), (reserveIn, reserveOut, amountIn) => {
        const out = v2AmountOut(amountIn, reserveIn, reserveOut)!;
        expect(keepsK(reserveIn, reserveOut, amountIn, out)).toBe(true);
        expect(keepsK(reserveIn, reserveOut, amountIn, out + 1n)).toBe(false);
        if (out > 0n) {
          const back = v2AmountIn(out, reserveIn, reserveOut)!;
          expect(back).toBeLessThanOrEqual(amountIn);
          expect(keepsK(reserveIn, reserveOut, back, out)).toBe(true);
          expect(keepsK(reserveIn, reserveOut, back - 1n, out)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('nothing to trade: zero or negative amounts, empty reserves, all of a reserve', () => {
    expect(v2AmountOut(0n, 1n, 1n)).toBeUndefined();
    expect(v2AmountOut(1n, 0n, 1n)).toBeUndefined();
    expect(v2AmountIn(10n, 100n, 10n)).toBeUndefined();
    expect(v2AmountIn(0n, 100n, 10n)).toBeUndefined();
  });
});
