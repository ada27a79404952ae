/**
 * Uniswap V2's constant-product amounts with its 0.3 % fee, in raw token units, exactly as
 * the pair computes them (UniswapV2Library.getAmountOut / getAmountIn): a quote from these
 * and the pair's reserves is what the swap fills, to the unit, while the reserves hold.
 *
 * @example v2AmountOut(10n ** 18n, 1000n * 10n ** 18n, 3_000_000n * 10n ** 6n) // 2988.0… USDC (raw) for 1 WETH
 */

/** What `amountIn` buys from reserves (reserveIn, reserveOut); undefined when the pair cannot trade. */
export function v2AmountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint | undefined {
  if (amountIn <= 0n || reserveIn <= 0n || reserveOut <= 0n) return undefined;
  const amountInWithFee = amountIn * 997n;
  return (amountInWithFee * reserveOut) / (reserveIn * 1000n + amountInWithFee);
}

/** What must be paid in to receive exactly `amountOut`; undefined when the pair holds no more than that. */
export function v2AmountIn(amountOut: bigint, reserveIn: bigint, reserveOut: bigint): bigint | undefined {
  if (amountOut <= 0n || reserveIn <= 0n || amountOut >= reserveOut) return undefined;
  return (reserveIn * amountOut * 1000n) / ((reserveOut - amountOut) * 997n) + 1n;
}
