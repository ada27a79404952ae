/**
 * Gamma scalping's band (`volScaling.mode: "scalping"`). A long-gamma book earns
 * ½Γ·S²·(σ²_realised − σ²_implied) per unit of time on average, however often it hedges;
 * how often it hedges sets how much of that it locks in (the P&L's spread around it) and
 * what it pays to do so. So when the vol expected over the hedge horizon beats the
 * implied the options were bought at, the policy hedges more often (a narrower band: the
 * edge is there to be collected, and each rebalance locks in a piece of it); when it does
 * not, less often (a wider band: there is nothing to lock in, only costs to save, and
 * big moves are what a long-gamma book hopes for).
 *
 * The band (and, with `scaleCadence`, the cadence interval) is multiplied by
 *
 *   f = clamp((σ_implied / σ_expected)^exponent, minFactor, maxFactor),
 *
 * 1 when the ratio is within 1 ± neutralBand (no flip-flopping on noise) or when the book
 * is not long gamma (a short-gamma book has no edge to scalp; it keeps its plain band).
 * With the default exponent 2 the factor is the ratio of variances: the band shrinks in
 * proportion to how much more variance is expected than paid for.
 */
import type { ScalpingSchema } from '../../contracts/hedge-policy-config.ts';
import type * as z from 'zod';

export type ScalpingSettings = z.output<typeof ScalpingSchema>;

/** The defaults of ScalpingSchema (what `volScaling.scalping` absent means). */
export const DEFAULT_SCALPING: ScalpingSettings = Object.freeze({ exponent: 2, minFactor: 0.25, maxFactor: 4, neutralBand: 0.05 });

/**
 * The factor the band and the cadence interval are multiplied by.
 *
 * @example scalpingFactor(DEFAULT_SCALPING, 0.8, 0.6, 0.01) // (0.6/0.8)² = 0.5625: hedge more often
 * @example scalpingFactor(DEFAULT_SCALPING, 0.4, 0.6, 0.01) // (0.6/0.4)² = 2.25: hedge less often
 * @example scalpingFactor(DEFAULT_SCALPING, 0.8, 0.6, -0.01) // 1: a short-gamma book keeps its band
 */
export function scalpingFactor(settings: ScalpingSettings, expectedVol: number, impliedVol: number, gamma: number): number {
  if (!(gamma > 0) || !(expectedVol > 0) || !(impliedVol > 0)) return 1;
  const ratio = expectedVol / impliedVol;
  if (Math.abs(ratio - 1) <= settings.neutralBand) return 1;
  const factor = Math.pow(impliedVol / expectedVol, settings.exponent);
  return factor < settings.minFactor ? settings.minFactor : factor > settings.maxFactor ? settings.maxFactor : factor;
}
