/**
 * The delta band's half-width in units of the underlying, as the policy compares it with
 * the book's net delta: the configured trigger converted from its unit, then scaled with
 * volatility when the account asks for it.
 */
import type { DeltaBandSchema, VolScalingSchema } from '../../contracts/hedge-policy-config.ts';
import type * as z from 'zod';
import { MS_PER_YEAR } from './policy-constants.ts';
import { DEFAULT_SCALPING, scalpingFactor } from './scalping-band.ts';

type DeltaBand = z.infer<typeof DeltaBandSchema>;
type VolScaling = z.infer<typeof VolScalingSchema>;

/**
 * The configured trigger in units of the underlying:
 * - "units": as is;
 * - "usd": trigger / spot (a dollar delta of `trigger`);
 * - "pctNotional": trigger % of the book's gross option notional, / spot. A book without
 *   options has a zero-width band: every non-zero delta is outside it (minTradeUnits is
 *   then what keeps dust from trading).
 */
export function bandTriggerUnits(band: Pick<DeltaBand, 'unit' | 'trigger'>, spot: number, optionNotionalUsd: number): number {
  switch (band.unit) {
    case 'units':
      return band.trigger;
    case 'usd':
      return band.trigger / spot;
    case 'pctNotional':
      return (band.trigger / 100) * (optionNotionalUsd / spot);
  }
}

/**
 * The "gammaRisk" band: the delta that a one-sigma move over `horizonMs` creates,
 * multiplier · |Γ| · S · σ · √(horizon in years), floored at `minBandUnits`. Γ·dS is the
 * delta change for a price change dS, and S·σ·√h is the one-sigma price change over h.
 */
export function gammaRiskBandUnits(
  scaling: Pick<VolScaling, 'multiplier' | 'horizonMs' | 'minBandUnits'>,
  gamma: number,
  spot: number,
  vol: number,
): number {
  const width = scaling.multiplier * Math.abs(gamma) * spot * vol * Math.sqrt(scaling.horizonMs / MS_PER_YEAR);
  return width > scaling.minBandUnits ? width : scaling.minBandUnits;
}

/**
 * The effective band half-width in units. Without vol scaling (or with `scaleBand`
 * false) it is {@link bandTriggerUnits}. With `mode: "ratio"` it is that times
 * σ / referenceVol (wider when the market is more volatile: fewer, larger hedges). With
 * `mode: "gammaRisk"` the configured trigger is replaced by {@link gammaRiskBandUnits}
 * (the band's unit no longer matters; its target and edgeFraction still do). With
 * `mode: "scalping"` it is the trigger times scalpingFactor (scalping-band.ts): σ
 * against `impliedVol`, for a long-gamma book.
 *
 * @param vol the scaling volatility (see scalingVol); ignored without scaling.
 * @param impliedVol the options' implied vol (scalping compares σ with it).
 */
export function effectiveBandUnits(
  band: Pick<DeltaBand, 'unit' | 'trigger'>,
  scaling: VolScaling | undefined,
  vol: number,
  spot: number,
  gamma: number,
  optionNotionalUsd: number,
  impliedVol = vol,
): number {
  if (scaling === undefined || !scaling.scaleBand) return bandTriggerUnits(band, spot, optionNotionalUsd);
  if (scaling.mode === 'gammaRisk') return gammaRiskBandUnits(scaling, gamma, spot, vol);
  if (scaling.mode === 'scalping') return bandTriggerUnits(band, spot, optionNotionalUsd) * scalpingFactor(scaling.scalping ?? DEFAULT_SCALPING, vol, impliedVol, gamma);
  return bandTriggerUnits(band, spot, optionNotionalUsd) * (vol / scaling.referenceVol);
}
