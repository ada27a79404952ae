/**
 * Time cadence: hedge every `everyMs`, whatever the drift. With vol scaling
 * (`scaleCadence`), the interval is multiplied by referenceVol / σ: hedge more often
 * when the market is more volatile.
 */
import type { CadenceSchema, VolScalingSchema } from '../../contracts/hedge-policy-config.ts';
import type * as z from 'zod';

/** The cadence interval in ms after vol scaling (not rounded). */
export function cadenceIntervalMs(
  cadence: z.infer<typeof CadenceSchema>,
  scaling: z.infer<typeof VolScalingSchema> | undefined,
  vol: number,
): number {
  return scaling !== undefined && scaling.scaleCadence ? cadence.everyMs * (scaling.referenceVol / vol) : cadence.everyMs;
}

/** Due when the account never hedged, or `intervalMs` has passed since the last hedge. */
export function isCadenceDue(lastHedgeAtMs: number | undefined, nowMs: number, intervalMs: number): boolean {
  return lastHedgeAtMs === undefined || nowMs - lastHedgeAtMs >= intervalMs;
}
