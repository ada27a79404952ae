/**
 * Price-move trigger: hedge when the underlying moved more than `pct` percent since the
 * spot recorded at the last hedge.
 */

/** S / lastHedgeSpot − 1 (a fraction, signed). */
export function priceMoveFraction(spot: number, lastHedgeSpot: number): number {
  return spot / lastHedgeSpot - 1;
}

/**
 * Whether the price-move trigger fires. Without a last hedge there is no reference
 * price; that counts as "moved" (like the cadence, which is due when the account never
 * hedged), so an account whose only trigger is a price move starts by hedging and gets
 * its reference. The comparison is strict: a move of exactly `pct` does not fire.
 */
export function isPriceMoveDue(spot: number, lastHedgeSpot: number | undefined, pct: number): boolean {
  return lastHedgeSpot === undefined || Math.abs(priceMoveFraction(spot, lastHedgeSpot)) > pct / 100;
}
