/**
 * Portfolio insurance: how much of a portfolio to hold in the risky leg (the underlying,
 * as spot or perp) so that its value stays above a floor, the rest in the safe leg
 * (a stablecoin).
 *
 * - CPPI: exposure E = m·C, the cushion C = V − F above the floor F, capped at
 *   `maxExposureShare`·V (no leverage at 1) and at 0 below the floor. The floor is a
 *   value, a share of the starting value, or a share of the highest value seen (a
 *   ratchet). Between rebalances the exposure drifts; the policy trades back to m·C when
 *   it has drifted more than `band` (relative to the target).
 * - Synthetic put: the portfolio as the underlying plus a put struck at the floor, the put
 *   replicated with the underlying: the risky share is the delta of underlying + put,
 *   1 + Δ_put = N(d1) (Black-Scholes at the horizon left), traded back on the same band.
 *
 * Continuous rebalancing keeps CPPI above its floor under diffusion; a gap (a jump down
 * larger than 1/m) breaks through before the next rebalance, more often the larger m.
 * Pure: values in, targets out.
 */
import { InvalidInputError } from '../errors.ts';
import { bsmGreeks } from '../pricing/black-scholes-merton.ts';

export type FloorRule = { readonly kind: 'value'; readonly usd: number } | { readonly kind: 'share-of-start'; readonly share: number } | { readonly kind: 'share-of-high'; readonly share: number };

export interface CppiConfig {
  readonly floor: FloorRule;
  readonly multiplier: number;
  /** The most of V the risky leg may be (1: no leverage). */
  readonly maxExposureShare: number;
  /** Rebalance when |exposure − target| > band · target (and always when the target is 0 and exposure is not). */
  readonly band: number;
}

export interface SyntheticPutConfig {
  readonly floor: FloorRule;
  /** Time left to the horizon the floor is insured for, years. */
  readonly horizonYears: number;
  readonly vol: number;
  readonly rate: number;
  readonly band: number;
}

export interface InsuranceState {
  readonly startValue: number;
  readonly highValue: number;
}

export interface InsuranceTarget {
  readonly floorUsd: number;
  /** Target value of the risky leg, USD (≥ 0). */
  readonly targetExposureUsd: number;
  /** Whether the current exposure has drifted outside the band around the target. */
  readonly rebalance: boolean;
}

export function startInsurance(value: number): InsuranceState {
  if (!(value > 0)) throw new InvalidInputError('value', value, 'must be > 0');
  return { startValue: value, highValue: value };
}

/** The state after a valuation: the high-water mark follows the value up. */
export function observeValue(state: InsuranceState, value: number): InsuranceState {
  return value > state.highValue ? { startValue: state.startValue, highValue: value } : state;
}

export function floorOf(rule: FloorRule, state: InsuranceState): number {
  switch (rule.kind) {
    case 'value':
      return rule.usd;
    case 'share-of-start':
      return rule.share * state.startValue;
    case 'share-of-high':
      return rule.share * state.highValue;
  }
}

function validateFloor(rule: FloorRule): void {
  if (rule.kind === 'value' ? !(rule.usd >= 0) : !(rule.share >= 0 && rule.share < 1)) throw new InvalidInputError('floor', rule, 'must be a value ≥ 0, or a share in [0, 1)');
}

const drifted = (exposure: number, target: number, band: number): boolean => (target === 0 ? exposure !== 0 : Math.abs(exposure - target) > band * target);

/**
 * @example
 * cppiTarget({ floor: { kind: 'share-of-start', share: 0.8 }, multiplier: 4, maxExposureShare: 1, band: 0.05 }, startInsurance(100), 100, 50)
 * // floor 80, cushion 20 → target exposure 80; 50 is outside the band: rebalance
 */
export function cppiTarget(config: CppiConfig, state: InsuranceState, value: number, exposureUsd: number): InsuranceTarget {
  validateFloor(config.floor);
  if (!(config.multiplier > 0)) throw new InvalidInputError('multiplier', config.multiplier, 'must be > 0');
  if (!(config.maxExposureShare > 0)) throw new InvalidInputError('maxExposureShare', config.maxExposureShare, 'must be > 0');
  if (!(config.band >= 0)) throw new InvalidInputError('band', config.band, 'must be ≥ 0');
  const floorUsd = floorOf(config.floor, state);
  const cushion = Math.max(0, value - floorUsd);
  const targetExposureUsd = Math.min(config.multiplier * cushion, config.maxExposureShare * Math.max(value, 0));
  return { floorUsd, targetExposureUsd, rebalance: drifted(exposureUsd, targetExposureUsd, config.band) };
}

/** The synthetic put's risky share N(d1) of the portfolio, the strike set so the insured units are worth the floor. */
export function syntheticPutTarget(config: SyntheticPutConfig, state: InsuranceState, value: number, spot: number, exposureUsd: number): InsuranceTarget {
  validateFloor(config.floor);
  if (!(config.band >= 0)) throw new InvalidInputError('band', config.band, 'must be ≥ 0');
  const floorUsd = floorOf(config.floor, state);
  if (!(config.horizonYears > 0)) return { floorUsd, targetExposureUsd: 0, rebalance: drifted(exposureUsd, 0, config.band) };
  // Insure `units` of the underlying, the value spread as if all held: strike = floor / units.
  const units = value / spot;
  const strike = floorUsd / units;
  if (!(strike > 0)) return { floorUsd, targetExposureUsd: value, rebalance: drifted(exposureUsd, value, config.band) };
  const put = bsmGreeks({ type: 'put', spot, strike, maturity: config.horizonYears, vol: config.vol, rate: config.rate, yield: 0 });
  const targetExposureUsd = Math.max(0, Math.min(1, 1 + put.delta)) * value;
  return { floorUsd, targetExposureUsd, rebalance: drifted(exposureUsd, targetExposureUsd, config.band) };
}
