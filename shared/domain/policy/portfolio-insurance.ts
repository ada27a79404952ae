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
 * - Synthetic put: the portfolio as n units of the underlying plus n puts struck at K,
 *   with n·K = the floor (at expiry the puts pay the floor back) and n·(S + P) = the value
 *   (Rubinstein and Leland's option-based insurance); the puts are replicated with the
 *   underlying, so the risky leg is n·S·N(d1) (the delta of underlying + put, Black-Scholes
 *   at the horizon left), traded back on the same band. n and K are solved again at every
 *   valuation from the value, the floor and the price: a portfolio that followed the
 *   replication gives back the same n and K, and a ratcheted floor or a drift from
 *   discrete trading is taken up where it stands.
 *
 * Continuous rebalancing keeps CPPI above its floor under diffusion; a gap (a jump down
 * larger than 1/m) breaks through before the next rebalance, more often the larger m.
 * Pure: values in, targets out.
 */
import { InvalidInputError } from '../errors.ts';
import { normCdf } from '../math/normal-distribution.ts';

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

/**
 * The synthetic put's risky leg for a portfolio worth `value` over `floor`, USD: n·S·N(d1)
 * with n·K = floor and n·(S + P(S, K, τ)) = value. (S + P)/K falls from +∞ to e^{−rτ} as K
 * grows (its derivative is −S·N(d1)/K²), so there is one K when value > floor·e^{−rτ};
 * found by Newton's method in ln K from K = floor·S/value (the strike if the puts were
 * free). At or under the discounted floor nothing can be insured: all in the safe leg.
 */
export function syntheticPutExposure(value: number, floor: number, spot: number, tau: number, vol: number, rate: number): number {
  if (!(value > 0)) return 0;
  if (!(floor > 0)) return value;
  const discount = Math.exp(-rate * tau);
  if (!(value > floor * discount)) return 0;
  const volRoot = vol * Math.sqrt(tau);
  // No time or no vol left: the put is its intrinsic value; the risky leg is all or nothing.
  if (!(volRoot > 1e-12)) return value;
  const target = Math.log(value / floor);
  let x = Math.log((floor * spot) / value);
  for (let i = 0; i < 100; i++) {
    const strike = Math.exp(x);
    const d1 = (Math.log(spot / strike) + rate * tau) / volRoot + 0.5 * volRoot;
    const put = strike * discount * normCdf(-(d1 - volRoot)) - spot * normCdf(-d1);
    const h = Math.log((spot + put) / strike) - target;
    const nd1 = normCdf(d1);
    if (Math.abs(h) < 1e-13) return (floor / strike) * spot * nd1;
    // dh/dx = −S·N(d1)/(S + P); steps capped at 2 in ln K where N(d1) is tiny.
    const step = (h * (spot + put)) / Math.max(spot * nd1, 1e-300);
    x += Math.max(-2, Math.min(2, step));
  }
  const strike = Math.exp(x);
  const d1 = (Math.log(spot / strike) + rate * tau) / volRoot + 0.5 * volRoot;
  return (floor / strike) * spot * normCdf(d1);
}

/** The synthetic put's target: {@link syntheticPutExposure} of the portfolio, traded back on the band. */
export function syntheticPutTarget(config: SyntheticPutConfig, state: InsuranceState, value: number, spot: number, exposureUsd: number): InsuranceTarget {
  validateFloor(config.floor);
  if (!(config.band >= 0)) throw new InvalidInputError('band', config.band, 'must be ≥ 0');
  const floorUsd = floorOf(config.floor, state);
  if (!(config.horizonYears > 0)) return { floorUsd, targetExposureUsd: 0, rebalance: drifted(exposureUsd, 0, config.band) };
  const targetExposureUsd = Math.max(0, Math.min(value, syntheticPutExposure(value, floorUsd, spot, config.horizonYears, config.vol, config.rate)));
  return { floorUsd, targetExposureUsd, rebalance: drifted(exposureUsd, targetExposureUsd, config.band) };
}
