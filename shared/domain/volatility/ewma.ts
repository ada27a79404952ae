/**
 * The RiskMetrics exponentially weighted moving average (EWMA) of squared returns, as a
 * variance model with a likelihood:
 *
 *   σ²ₜ = λ·σ²ₜ₋₁ + (1 − λ)·r²ₜ₋₁,   σ²₁ = (1/n)·Σ r²ₜ,   0 < λ < 1,
 *
 * with a zero mean, as RiskMetrics assumes for daily and shorter returns. It is
 * GARCH(1,1) with μ = 0, ω = 0, α = 1 − λ, β = λ (integrated: α + β = 1), so its
 * Gaussian log-likelihood and score are garch-likelihood.ts's, and its forecast is flat:
 * σ²ₙ₊ₕ = σ²ₙ₊₁ for every h (variance has no level to revert to).
 *
 * λ is either given (RiskMetrics used 0.94 for daily and 0.97 for monthly data) or
 * fitted by maximum likelihood: a 1-D search over ln(1 − λ) — a grid, then golden
 * section around its best point — with the standard error from the numerical second
 * derivative of ℓ (the central difference of its analytic score).
 *
 * @see J.P. Morgan/Reuters, "RiskMetrics — Technical Document", 4th ed. (1996), §5.2;
 *      R. F. Engle, T. Bollerslev, "Modelling the persistence of conditional
 *      variances", Econometric Reviews 5 (1986) 1-50 (IGARCH).
 */
import { InvalidInputError } from '../errors.ts';
import { garchConditionalVariances, garchScore } from './garch-likelihood.ts';
import type { GarchParams } from './garch-types.ts';
import { requireFittableReturns } from './log-returns.ts';
import { hessianFromGradient } from './numerical-hessian.ts';
import type { VarianceDynamics } from './variance-forecast.ts';

/** RiskMetrics' decay factor for daily returns. */
export const RISKMETRICS_DAILY_LAMBDA = 0.94;

/** The fewest returns an EWMA fit accepts. */
export const MIN_EWMA_RETURNS = 20;

/** λ is searched in [MIN_LAMBDA, MAX_LAMBDA]; an optimum within 1e-6 of either is at a bound. */
const MIN_LAMBDA = 0.01;
const MAX_LAMBDA = 1 - 1e-6;
const GRID_POINTS = 48;
const GOLDEN = (Math.sqrt(5) - 1) / 2;

export interface EwmaFitOptions {
  /** A fixed λ in (0, 1); omitted, λ is fitted by maximum likelihood. */
  readonly lambda?: number;
}

/** An EWMA variance model, per sampling step. */
export interface EwmaFit {
  readonly model: 'ewma';
  readonly lambda: number;
  /** From the likelihood's curvature; null when λ was given, or when the fit ended on a bound of its search range. */
  readonly lambdaStandardError: number | null;
  /** Whether λ was fitted or given. */
  readonly lambdaSource: 'fitted' | 'fixed';
  /** ℓ at λ. */
  readonly logLikelihood: number;
  readonly observations: number;
  /** Steps for an observation's weight to halve: ln ½ / ln λ. */
  readonly halfLifeSteps: number;
  /** σ²₁..σ²ₙ and, last, the one-step-ahead σ²ₙ₊₁ (n + 1 values). */
  readonly conditionalVariances: Float64Array;
  /** ω = 0, persistence 1, σ²ₙ₊₁. */
  readonly dynamics: VarianceDynamics;
}

/**
 * EWMA(λ) as GARCH(1,1) parameters.
 *
 * @example ewmaAsGarch(0.94) // { mu: 0, omega: 0, alpha: 0.06, beta: 0.94 } (α = 1 − λ, to rounding)
 */
export const ewmaAsGarch = (lambda: number): GarchParams => ({ mu: 0, omega: 0, alpha: 1 - lambda, beta: lambda });

/**
 * ℓ(λ) of EWMA, and dℓ/dλ = −∂ℓ/∂α + ∂ℓ/∂β when `derivative` is given.
 *
 * @example
 * // r = [0.1, −0.1]: σ²₁ = 0.01 and σ²₂ = λ·0.01 + (1 − λ)·0.01 = 0.01 for any λ
 * ewmaLogLikelihood([0.1, -0.1], 0.94) // 1.7672931 = −(ln 2π + ln 0.01 + 1)
 */
export function ewmaLogLikelihood(returns: ArrayLike<number>, lambda: number, derivative?: { value: number }): number {
  const gradient = new Float64Array(4);
  const logLikelihood = garchScore(returns, ewmaAsGarch(lambda), 'sample', gradient);
  if (derivative) derivative.value = gradient[3]! - gradient[2]!;
  return logLikelihood;
}

/**
 * Fits (or, with `options.lambda`, evaluates) EWMA on log returns.
 *
 * @example
 * fitEwma(returns).lambda // the maximum-likelihood decay, e.g. 0.95 for daily FX
 * fitEwma(returns, { lambda: RISKMETRICS_DAILY_LAMBDA }).lambdaStandardError // null: λ was given
 */
export function fitEwma(returns: ArrayLike<number>, options: EwmaFitOptions = {}): EwmaFit {
  requireFittableReturns(returns, MIN_EWMA_RETURNS);
  const given = options.lambda;
  if (given !== undefined && !(given > 0 && given < 1)) throw new InvalidInputError('lambda', given, 'must be in (0, 1)');
  const lambda = given ?? maximumLikelihoodLambda(returns);
  const fitted = given === undefined;
  const atBound = lambda - MIN_LAMBDA < 1e-6 || MAX_LAMBDA - lambda < 1e-6;
  const conditionalVariances = garchConditionalVariances(returns, ewmaAsGarch(lambda), 'sample');
  const n = returns.length;
  return {
    model: 'ewma',
    lambda,
    lambdaStandardError: fitted && !atBound ? lambdaStandardError(returns, lambda) : null,
    lambdaSource: fitted ? 'fitted' : 'fixed',
    logLikelihood: ewmaLogLikelihood(returns, lambda),
    observations: n,
    halfLifeSteps: Math.log(0.5) / Math.log(lambda),
    conditionalVariances,
    dynamics: { omega: 0, meanReversion: 0, nextVariance: conditionalVariances[n]! },
  };
}

/** argmax ℓ(λ): a grid in x = ln(1 − λ), then golden section between the best point's neighbours. */
function maximumLikelihoodLambda(returns: ArrayLike<number>): number {
  const lambdaOf = (x: number): number => -Math.expm1(x);
  const low = Math.log(1 - MAX_LAMBDA);
  const high = Math.log(1 - MIN_LAMBDA);
  const objective = (x: number): number => {
    const value = ewmaLogLikelihood(returns, lambdaOf(x));
    return Number.isFinite(value) ? value : -Infinity;
  };
  let bestIndex = 0;
  let bestValue = -Infinity;
  const step = (high - low) / (GRID_POINTS - 1);
  for (let i = 0; i < GRID_POINTS; i++) {
    const value = objective(low + i * step);
    if (value > bestValue) {
      bestValue = value;
      bestIndex = i;
    }
  }
  let a = low + Math.max(bestIndex - 1, 0) * step;
  let b = low + Math.min(bestIndex + 1, GRID_POINTS - 1) * step;
  let c = b - GOLDEN * (b - a);
  let d = a + GOLDEN * (b - a);
  let fc = objective(c);
  let fd = objective(d);
  while (b - a > 1e-10) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - GOLDEN * (b - a);
      fc = objective(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + GOLDEN * (b - a);
      fd = objective(d);
    }
  }
  // The bracket's ends are candidates too: the maximum may sit on the search range's edge.
  const candidates = [a, b, 0.5 * (a + b)];
  let best = candidates[0]!;
  for (const x of candidates) if (objective(x) > objective(best)) best = x;
  return lambdaOf(best);
}

function lambdaStandardError(returns: ArrayLike<number>, lambda: number): number | null {
  const derivative = { value: 0 };
  const score = (x: Float64Array, out: Float64Array): void => {
    ewmaLogLikelihood(returns, x[0]!, derivative);
    out[0] = derivative.value;
  };
  // Step relative to 1 − λ, the scale λ's uncertainty lives on near 1.
  const curvature = hessianFromGradient(score, [lambda], [1 - lambda])[0]![0]!;
  return curvature < 0 ? Math.sqrt(-1 / curvature) : null;
}
