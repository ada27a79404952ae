/**
 * Time cadence: hedge every `everyMs`, whatever the drift. With vol scaling
 * (`scaleCadence`), the interval is multiplied by referenceVol / σ: hedge more often
 * when the market is more volatile.
 */
import type { CadenceSchema, VolScalingSchema } from '../../contracts/hedge-policy-config.ts';
import type * as z from 'zod';
import { DEFAULT_SCALPING, scalpingFactor } from './scalping-band.ts';

/**
 * The cadence interval in ms after vol scaling (not rounded). In scalping mode the
 * interval is multiplied by scalpingFactor (σ against `impliedVol`, for a long-gamma
 * book: shorter when realised is expected to beat implied).
 */
export function cadenceIntervalMs(
  cadence: z.infer<typeof CadenceSchema>,
  scaling: z.infer<typeof VolScalingSchema> | undefined,
  vol: number,
  impliedVol = vol,
  gamma = 0,
): number {
  if (scaling === undefined || !scaling.scaleCadence) return cadence.everyMs;
  if (scaling.mode === 'scalping') return cadence.everyMs * scalpingFactor(scaling.scalping ?? DEFAULT_SCALPING, vol, impliedVol, gamma);
  return cadence.everyMs * (scaling.referenceVol / vol);
}

/** Due when the account never hedged, or `intervalMs` has passed since the last hedge. */
export function isCadenceDue(lastHedgeAtMs: number | undefined, nowMs: number, intervalMs: number): boolean {
  return lastHedgeAtMs === undefined || nowMs - lastHedgeAtMs >= intervalMs;
}
