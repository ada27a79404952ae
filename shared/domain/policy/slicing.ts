/**
 * Time-weighted slicing: an order larger than `clipUnits` becomes `slices` child orders
 * of equal size, one at the start of each of `slices` equal sub-intervals of the window
 * (TWAP): child i (0-based) is due at now + round(i · window / slices), so the first goes
 * now and the last one window/slices before the window ends. `clipUnits` is the
 * threshold that turns slicing on, not the child size (a child can exceed it when the
 * order is more than `slices` × `clipUnits`).
 *
 * With `volScaled` the window is multiplied by referenceVol / σ of the account's vol
 * scaling — shorter when volatility is high, because a slow hedge then carries more risk.
 * (The schema's comment says "σ/referenceVol"; its own parenthesis "shorter when vol is
 * high" needs referenceVol/σ, which is what is implemented.) Without a `volScaling`
 * block there is no reference vol and the window is not scaled.
 */
import type { SlicingSchema, VolScalingSchema } from '../../contracts/hedge-policy-config.ts';
import type * as z from 'zod';

type Slicing = z.infer<typeof SlicingSchema>;

/** The slicing window in ms after vol scaling (not rounded). */
export function slicingWindowMs(slicing: Slicing, scaling: z.infer<typeof VolScalingSchema> | undefined, vol: number): number {
  return slicing.volScaled && scaling !== undefined ? slicing.windowMs * (scaling.referenceVol / vol) : slicing.windowMs;
}

/** Whether an order of `quantity` units (signed) is sliced. */
export function needsSlicing(slicing: Slicing | undefined, quantity: number): slicing is Slicing {
  return slicing !== undefined && Math.abs(quantity) > slicing.clipUnits;
}

/** Delay of child `index` (0-based) of `count` after the parent decision, whole ms. */
export function sliceOffsetMs(index: number, count: number, windowMs: number): number {
  return Math.round((index * windowMs) / count);
}
