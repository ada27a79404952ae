/**
 * Standard errors of a GARCH(1,1) fit: the square roots of the diagonal of (−H)⁻¹, H the
 * Hessian of ℓ at the optimum in the natural parameters (μ, ω, α, β), taken numerically
 * as central differences of the analytic score (numerical-hessian.ts). This is the
 * "SE (H)" column of the FCP benchmark; they are valid under correct (Gaussian)
 * specification — with fat-tailed returns the sandwich (QML) errors are larger.
 *
 * The Hessian is taken on the standardised returns (where the fit is done) and carried
 * back by the scale s: SE(μ) = s·SE_y(μ), SE(ω) = s²·SE_y(ω), α and β are scale-free.
 *
 * Parameters at a bound. When α or β ends within 1e-4 of 0, or α + β within 1e-6 of 1,
 * the usual asymptotics do not hold there (the estimator's distribution is a mixture
 * with a point mass on the bound, Andrews 1999), and a two-sided difference would step
 * outside the model. Such a parameter is held at its value: its standard error is null,
 * and the others come from the Hessian of the remaining free parameters (their
 * conditional standard errors given the bound). At α = 0 β is held too: with no
 * reaction to shocks, β only shapes the decay of the starting variance and is not
 * identified. At α + β = 1 both are held. (1e-4 for α and β because the optimiser
 * approaches a bound only as its logit coordinate runs off to −∞: it stops at some
 * 1e-9..1e-5, and a parameter that small is zero for any forecast.) With variance
 * targeting, ω is not estimated (it is fixed by the sample variance) and its standard
 * error is null too. A Hessian that is not negative definite (a flat direction) gives
 * null for every parameter rather than a meaningless number.
 *
 * @see D. W. K. Andrews, "Estimation when a parameter is on a boundary", Econometrica 67
 *      (1999) 1341-1383; G. Fiorentini, G. Calzolari, L. Panattoni, Journal of Applied
 *      Econometrics 11 (1996) 399-417, Table I (standard errors by the Hessian).
 */
import { garchScore, meanSquaredResidual } from './garch-likelihood.ts';
import { GARCH_PARAM_NAMES, type GarchParamName, type GarchParams, type VarianceStart } from './garch-types.ts';
import { hessianFromGradient, invertPositiveDefinite } from './numerical-hessian.ts';

/** A constraint a fit can end on. */
export type GarchBound = 'alpha' | 'beta' | 'persistence';

/** One standard error per parameter; null where it does not exist (see the module comment). */
export type GarchStandardErrors = { readonly [K in GarchParamName]: number | null };

/** How close α or β must be to 0 to count as on the bound. */
export const ZERO_BOUND_TOLERANCE = 1e-4;
/** How close α + β must be to 1 to count as on the stationarity bound. */
export const PERSISTENCE_BOUND_TOLERANCE = 1e-6;

/** Typical sizes of (μ, ω, α, β) on the standardised scale, for the difference steps. */
const STEP_SCALES: Readonly<Record<GarchParamName, number>> = { mu: 0.1, omega: 1e-3, alpha: 0.01, beta: 0.01 };

/**
 * The bounds that `params` (α, β) and 1 − α − β sit on.
 *
 * @example boundsReached({ mu: 0, omega: 1, alpha: 2e-7, beta: 0.3 }, 0.7) // ['alpha']
 */
export function boundsReached(params: GarchParams, meanReversion: number): GarchBound[] {
  const bounds: GarchBound[] = [];
  if (params.alpha < ZERO_BOUND_TOLERANCE) bounds.push('alpha');
  if (params.beta < ZERO_BOUND_TOLERANCE) bounds.push('beta');
  if (meanReversion < PERSISTENCE_BOUND_TOLERANCE) bounds.push('persistence');
  return bounds;
}

/** How a fit was set up, as the Hessian needs it. */
export interface GarchFitSetup {
  readonly start: VarianceStart;
  readonly varianceTargeting: boolean;
}

/**
 * The parameters estimated freely at `optimum`: all four, less ω under variance
 * targeting and any held at a bound (α and β at α = 0, β at β = 0, both at α + β = 1).
 *
 * @example freeParameters(['beta'], false) // ['mu', 'omega', 'alpha']
 */
export function freeParameters(atBound: readonly GarchBound[], varianceTargeting: boolean): GarchParamName[] {
  const held = new Set<GarchParamName>();
  if (varianceTargeting) held.add('omega');
  if (atBound.includes('alpha') || atBound.includes('persistence')) held.add('alpha');
  if (atBound.includes('alpha') || atBound.includes('beta') || atBound.includes('persistence')) held.add('beta');
  return GARCH_PARAM_NAMES.filter((name) => !held.has(name));
}

/** The score and Hessian of ℓ in the free natural parameters, at a point. */
export interface LocalQuadratic {
  readonly free: readonly GarchParamName[];
  /** ∂ℓ/∂θ over `free`. */
  readonly score: number[];
  /** ∂²ℓ/∂θ² over `free` (rows and columns in its order). */
  readonly hessian: number[][];
  /** θ with the free parameters replaced by `x` (ω re-derived under targeting). */
  readonly at: (x: ArrayLike<number>) => GarchParams;
}

/**
 * The score and (numerical) Hessian of ℓ on `y` at `theta` over the free parameters. Under
 * variance targeting ω = s²(μ)·(1 − α − β) moves with μ, α and β, and the score carries
 * that through the chain rule.
 *
 * @example
 * const { score, hessian } = localQuadratic(y, optimum, { start: 'sample', varianceTargeting: false }, ['mu', 'omega', 'alpha', 'beta']);
 * // score ≈ 0 at the optimum; −hessian is the observed information
 */
export function localQuadratic(y: Float64Array, theta: GarchParams, setup: GarchFitSetup, free: readonly GarchParamName[]): LocalQuadratic {
  const meanY = y.reduce((sum, v) => sum + v, 0) / y.length;
  const withS2 = (x: ArrayLike<number>): GarchParams & { s2: number } => {
    const values: Record<GarchParamName, number> = { mu: theta.mu, omega: theta.omega, alpha: theta.alpha, beta: theta.beta };
    free.forEach((name, i) => (values[name] = x[i]!));
    const s2 = meanSquaredResidual(y, values.mu);
    if (setup.varianceTargeting) values.omega = s2 * (1 - values.alpha - values.beta);
    return { ...values, s2 };
  };
  const natural = new Float64Array(4);
  const gradient = (x: ArrayLike<number>, out: Float64Array | number[]): void => {
    const point = withS2(x);
    garchScore(y, point, setup.start, natural);
    const [gMu, gOmega, gAlpha, gBeta] = [natural[0]!, natural[1]!, natural[2]!, natural[3]!];
    const total: Record<GarchParamName, number> = setup.varianceTargeting
      ? { mu: gMu + gOmega * (1 - point.alpha - point.beta) * -2 * (meanY - point.mu), omega: 0, alpha: gAlpha - gOmega * point.s2, beta: gBeta - gOmega * point.s2 }
      : { mu: gMu, omega: gOmega, alpha: gAlpha, beta: gBeta };
    free.forEach((name, i) => (out[i] = total[name]));
  };
  const point = free.map((name) => theta[name]);
  const score = new Array<number>(free.length).fill(0);
  gradient(point, score);
  const hessian = hessianFromGradient(gradient, point, free.map((name) => STEP_SCALES[name]));
  const at = (x: ArrayLike<number>): GarchParams => {
    const { mu, omega, alpha, beta } = withS2(x);
    return { mu, omega, alpha, beta };
  };
  return { free, score, hessian, at };
}

/**
 * Standard errors from the Hessian of ℓ on the standardised returns, in the units of
 * the original returns (`scale` = their standard deviation): null for the parameters
 * not in `quadratic.free`, and for all when −H is not positive definite.
 *
 * @example
 * garchStandardErrors(localQuadratic(y, optimum, setup, free), s)
 * // { mu: 0.0085, omega: 0.0029, alpha: 0.027, beta: 0.034 } on DEM/GBP
 */
export function garchStandardErrors(quadratic: LocalQuadratic, scale: number): GarchStandardErrors {
  const covariance = invertPositiveDefinite(quadratic.hessian.map((row) => row.map((v) => -v)));
  const unitsOf: Readonly<Record<GarchParamName, number>> = { mu: scale, omega: scale * scale, alpha: 1, beta: 1 };
  const standardErrors: Record<GarchParamName, number | null> = { mu: null, omega: null, alpha: null, beta: null };
  if (covariance) quadratic.free.forEach((name, i) => (standardErrors[name] = Math.sqrt(covariance[i]![i]!) * unitsOf[name]));
  return standardErrors;
}
