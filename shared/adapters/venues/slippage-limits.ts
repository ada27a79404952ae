/**
 * A trade's own limit from its quote and a slippage tolerance, in raw units, rounded the
 * safe way: the least a sale may receive is floored, the most a purchase may pay is
 * ceiled (so a zero tolerance still equals the quote, and a tiny amount keeps its
 * tolerance). Every venue adapter builds its limits here.
 *
 * @example leastReceived(10_001n, 10) // 9_990n
 * @example mostPaid(10_001n, 10)      // 10_012n
 */
const BPS = 10_000n;

/** The tolerance as a bigint; RangeError outside whole basis points in [0, 10000]. */
export function checkedSlippageBps(slippageBps: number): bigint {
  if (!Number.isInteger(slippageBps) || slippageBps < 0 || slippageBps > 10_000) throw new RangeError(`slippageBps must be an integer in [0, 10000], got ${slippageBps}`);
  return BigInt(slippageBps);
}

/** floor(amount · (10000 − bps) / 10000). */
export function leastReceived(amount: bigint, slippageBps: number): bigint {
  if (amount < 0n) throw new RangeError('amount must be non-negative');
  return (amount * (BPS - checkedSlippageBps(slippageBps))) / BPS;
}

/** ceil(amount · (10000 + bps) / 10000). */
export function mostPaid(amount: bigint, slippageBps: number): bigint {
  if (amount < 0n) throw new RangeError('amount must be non-negative');
  const numerator = amount * (BPS + checkedSlippageBps(slippageBps));
  return (numerator + BPS - 1n) / BPS;
}
