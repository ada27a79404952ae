/**
 * EIP-1559 fees under the account's caps (all in wei, bigint).
 *
 * First send: priority = min(suggested tip, cap); maxFee = min(2 × base fee + priority, cap)
 * (two base fees of headroom: the base fee can rise 12.5% a block, so this survives about
 * six full blocks). A cap below base fee + priority cannot be included now: the guard trips.
 *
 * Replacement at the same nonce: nodes require BOTH fields raised by at least 10%
 * (geth's default price bump); we raise by `bumpPct` (≥ 10) rounded up, then cap. A capped
 * value that no longer clears +10% cannot replace: the caller waits, or cancels.
 */
export interface Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

export interface FeeCaps {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

export type FeePlan = ({ readonly ok: true } & Fees) | { readonly ok: false; readonly code: 'FEE_ABOVE_CAP'; readonly message: string };

/** The node's minimum replacement bump, percent. */
export const MIN_REPLACEMENT_BUMP_PCT = 10;

export function planFees(baseFeePerGas: bigint, suggestedPriorityFeePerGas: bigint, caps: FeeCaps): FeePlan {
  const priority = suggestedPriorityFeePerGas < caps.maxPriorityFeePerGas ? suggestedPriorityFeePerGas : caps.maxPriorityFeePerGas;
  const wanted = 2n * baseFeePerGas + priority;
  const maxFee = wanted < caps.maxFeePerGas ? wanted : caps.maxFeePerGas;
  if (maxFee < baseFeePerGas + priority) {
    return {
      ok: false,
      code: 'FEE_ABOVE_CAP',
      message: `The base fee ${gwei(baseFeePerGas)} gwei plus tip ${gwei(priority)} gwei exceeds the account's max fee of ${gwei(caps.maxFeePerGas)} gwei: nothing is sent.`,
    };
  }
  return { ok: true, maxFeePerGas: maxFee, maxPriorityFeePerGas: priority };
}

/** `value` raised by `pct` percent, rounded up (pct may carry decimals, e.g. 12.5). */
export function raiseByPct(value: bigint, pct: number): bigint {
  const scaled = BigInt(Math.round(pct * 1000));
  return (value * (100_000n + scaled) + 99_999n) / 100_000n;
}

/**
 * The fees of a replacement, or undefined when the caps leave no room for the node's
 * minimum bump. `caps` undefined: uncapped (a cancel must always be possible).
 */
export function bumpFees(previous: Fees, bumpPct: number, caps: FeeCaps | undefined): Fees | undefined {
  const pct = Math.max(bumpPct, MIN_REPLACEMENT_BUMP_PCT);
  let maxFee = raiseByPct(previous.maxFeePerGas, pct);
  let priority = raiseByPct(previous.maxPriorityFeePerGas, pct);
  if (caps !== undefined) {
    if (maxFee > caps.maxFeePerGas) maxFee = caps.maxFeePerGas;
    if (priority > caps.maxPriorityFeePerGas) priority = caps.maxPriorityFeePerGas;
  }
  if (priority > maxFee) priority = maxFee;
  const minFee = raiseByPct(previous.maxFeePerGas, MIN_REPLACEMENT_BUMP_PCT);
  const minPriority = raiseByPct(previous.maxPriorityFeePerGas, MIN_REPLACEMENT_BUMP_PCT);
  if (maxFee < minFee || priority < minPriority) return undefined;
  return { maxFeePerGas: maxFee, maxPriorityFeePerGas: priority };
}

/** gwei → wei, exact for up to 9 decimals. */
export function gweiToWei(gweiAmount: number): bigint {
  const [whole, fraction = ''] = gweiAmount.toFixed(9).split('.');
  return BigInt(whole!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

function gwei(wei: bigint): string {
  const whole = wei / 1_000_000_000n;
  const fraction = (wei % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}
