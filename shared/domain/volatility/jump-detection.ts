/**
 * Jump detectors on returns, for a policy that must tell a jump (hedge now, do not
 * extrapolate the vol) from a high-vol regime (widen the band, hedge more often):
 *
 *  - Shock test: a return whose standardised residual zₜ = (rₜ − μ)/σₜ, against the
 *    model's conditional vol σₜ *before* it happened, exceeds a threshold (4 by default:
 *    a 1-in-16,000 event for a Gaussian). Simple, one return at a time, immediate.
 *  - Bipower test over a window (Barndorff-Nielsen & Shephard, 2004, 2006): realised
 *    variance RV = Σ rⱼ² carries the jumps, bipower variation BV = (π/2)·Σ |rⱼ||rⱼ₋₁|
 *    does not (a single jump enters only next to ordinary returns). The relative jump
 *    RJ = (RV − BV)/RV is tested with the ratio statistic of Huang & Tauchen (2005):
 *
 *      z = RJ / √( (π²/4 + π − 5)·(1/n)·max(1, TP/BV²) ),
 *      TP = n·μ₄/₃⁻³·(n/(n − 2))·Σ |rⱼ|^{4/3}|rⱼ₋₁|^{4/3}|rⱼ₋₂|^{4/3},  μ₄/₃ = 2^{2/3}Γ(7/6)/Γ(1/2),
 *
 *    with BV's and TP's small-sample factors n/(n − 1) and n/(n − 2). z is N(0, 1) with
 *    no jump; a jump is flagged when P(Z > z) is below the significance.
 *
 * @see O. E. Barndorff-Nielsen, N. Shephard, "Power and bipower variation with
 *      stochastic volatility and jumps", Journal of Financial Econometrics 2 (2004) 1-37;
 *      X. Huang, G. Tauchen, "The relative contribution of jumps to total price
 *      variance", Journal of Financial Econometrics 3 (2005) 456-499.
 */
import { InvalidInputError } from '../errors.ts';
import { normCdf } from '../math/normal-distribution.ts';

/** μ₁⁻² = π/2, with μ₁ = E|Z| = √(2/π). */
const MU1_INVERSE_SQUARED = Math.PI / 2;
/** μ₄/₃ = E|Z|^{4/3} = 2^{2/3}·Γ(7/6)/Γ(1/2) (Γ(7/6) = 0.92771933363…). */
const MU_FOUR_THIRDS = (2 ** (2 / 3) * 0.9277193336300394) / Math.sqrt(Math.PI);
/** π²/4 + π − 5, the asymptotic variance factor of RJ under no jumps. */
const RATIO_VARIANCE_FACTOR = (Math.PI * Math.PI) / 4 + Math.PI - 5;

/** A return that broke the shock test. */
export interface JumpShock {
  /** Its index in the returns. */
  readonly index: number;
  /** Its standardised residual (rₜ − μ)/σₜ. */
  readonly z: number;
}

/**
 * The returns whose standardised residual exceeds `threshold` in size, oldest first.
 * `conditionalVariances[t]` is σ²ₜ, the variance of return t given the returns before it
 * (a fit's `conditionalVariances`; an extra last element, the forecast, is ignored).
 *
 * @example
 * shockJumps([0.01, -0.01, 0.08], [1e-4, 1e-4, 1e-4]) // [{ index: 2, z: 8 }]
 */
export function shockJumps(returns: ArrayLike<number>, conditionalVariances: ArrayLike<number>, options: { readonly mu?: number; readonly threshold?: number } = {}): JumpShock[] {
  const mu = options.mu ?? 0;
  const threshold = options.threshold ?? 4;
  if (!(threshold > 0)) throw new InvalidInputError('threshold', threshold, 'must be > 0');
  if (conditionalVariances.length < returns.length) throw new InvalidInputError('conditionalVariances', conditionalVariances.length, `must hold a variance for each of the ${returns.length} returns`);
  const shocks: JumpShock[] = [];
  for (let t = 0; t < returns.length; t++) {
    const z = (returns[t]! - mu) / Math.sqrt(conditionalVariances[t]!);
    if (Math.abs(z) > threshold) shocks.push({ index: t, z });
  }
  return shocks;
}

/** The bipower jump test of a window of returns. */
export interface BipowerJumpTest {
  readonly realisedVariance: number;
  readonly bipowerVariation: number;
  /** RJ = (RV − BV)/RV: the share of the window's variance due to jumps (negative: none). */
  readonly relativeJump: number;
  /** The ratio statistic z, N(0, 1) without jumps. */
  readonly statistic: number;
  /** P(Z > z). */
  readonly pValue: number;
  /** pValue < significance. */
  readonly jump: boolean;
}

/** The fewest returns the bipower test accepts (TP needs three in a row; fewer says nothing). */
export const MIN_BIPOWER_RETURNS = 10;

/**
 * Tests a window of returns for a jump (see the module comment).
 *
 * @example
 * // Equal-size moves: RV = n·c², BV = (π/2)·n·c², RJ = 1 − π/2 < 0: no jump
 * bipowerJumpTest(Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.01 : -0.01))).relativeJump // −0.5708
 */
export function bipowerJumpTest(returns: ArrayLike<number>, options: { readonly significance?: number } = {}): BipowerJumpTest {
  const significance = options.significance ?? 0.001;
  if (!(significance > 0 && significance < 1)) throw new InvalidInputError('significance', significance, 'must be in (0, 1)');
  const n = returns.length;
  if (n < MIN_BIPOWER_RETURNS) throw new InvalidInputError('returns', n, `must number at least ${MIN_BIPOWER_RETURNS} for the bipower jump test`);
  let realisedVariance = 0;
  let bipowerSum = 0;
  let tripowerSum = 0;
  for (let j = 0; j < n; j++) {
    const r = Math.abs(returns[j]!);
    realisedVariance += r * r;
    if (j >= 1) bipowerSum += r * Math.abs(returns[j - 1]!);
    if (j >= 2) tripowerSum += (r * Math.abs(returns[j - 1]!) * Math.abs(returns[j - 2]!)) ** (4 / 3);
  }
  if (!(realisedVariance > 0)) throw new InvalidInputError('returns', 'all zero', 'must not all be zero: there is no variance to split');
  const bipowerVariation = MU1_INVERSE_SQUARED * (n / (n - 1)) * bipowerSum;
  const tripowerQuarticity = n * MU_FOUR_THIRDS ** -3 * (n / (n - 2)) * tripowerSum;
  const relativeJump = (realisedVariance - bipowerVariation) / realisedVariance;
  const quarticityRatio = bipowerVariation > 0 ? tripowerQuarticity / (bipowerVariation * bipowerVariation) : Infinity;
  const statistic = relativeJump / Math.sqrt((RATIO_VARIANCE_FACTOR / n) * Math.max(1, quarticityRatio));
  const pValue = normCdf(-statistic);
  return { realisedVariance, bipowerVariation, relativeJump, statistic, pValue, jump: pValue < significance };
}
