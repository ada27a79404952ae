/**
 * Hysteresis: a hedge does not go to wherever the trigger fired but to a separate
 * target, so that the next small move does not trade back.
 *
 * - "zero": the delta goes back to 0 (the most risk removed per hedge).
 * - "edge": the delta goes to sign(delta) · edgeFraction · width, the (scaled) edge of
 *   the band on the side it left. That is the Whalley-Wilmott optimal policy (trade the
 *   least that brings the book back into the no-trade region) with edgeFraction = 1;
 *   edgeFraction < 1 leaves room before the next trigger.
 *
 * When a trigger that is not the band itself fires (cadence, price move, a gamma hedge)
 * and the delta is already inside the edge target, "edge" keeps it where it is: the
 * target is the delta clamped to ±edgeFraction·width, never a trade away from zero.
 */

/** The delta (units) a hedge brings the book to. `width` is the band half-width in units (≥ 0, finite). */
export function hedgeTarget(delta: number, width: number, mode: 'zero' | 'edge', edgeFraction: number): number {
  if (mode === 'zero') return 0;
  const edge = width * edgeFraction;
  if (delta > edge) return edge;
  if (delta < -edge) return -edge;
  return delta;
}
