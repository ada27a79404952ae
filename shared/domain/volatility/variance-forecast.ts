/**
 * Variance forecasts of GARCH(1,1) (and of EWMA, its integrated special case ω = 0,
 * α + β = 1), h steps ahead and averaged over a horizon — the term structure of
 * volatility that a hedge over that horizon should be sized with.
 *
 * With p = α + β (the persistence) and σ̄² = ω/(1 − p) (the long-run variance), from
 * the one-step forecast σ²ₙ₊₁ made with the last return:
 *
 *   σ²ₙ₊ₕ = σ̄² + pʰ⁻¹·(σ²ₙ₊₁ − σ̄²)                       (h ≥ 1),
 *   V(H) = (1/H)·Σₕ₌₁..H σ²ₙ₊ₕ = σ̄² + (σ²ₙ₊₁ − σ̄²)·(1 − pᴴ)/((1 − p)·H),
 *
 * and for p = 1 (EWMA, IGARCH) σ²ₙ₊ₕ = σ²ₙ₊₁ + (h − 1)·ω. V(H) is the expected variance
 * per step of the sum of the next H returns, so √(H·V(H)) is the vol of the horizon's
 * return and √V(H) the per-step vol to price or hedge over it. For a real H ≥ 1 the
 * closed form interpolates the sums smoothly; a horizon shorter than one step is
 * forecast as that step (the model knows nothing finer than its sampling).
 *
 * (1 − pᴴ)/(1 − p) is evaluated as −expm1(H·log1p(−q))/q with q = 1 − p computed from
 * α and β, so it keeps its digits as p → 1, where the naive form cancels.
 *
 * @see T. Bollerslev, Journal of Econometrics 31 (1986) 307-327; J.-C. Duan,
 *      "Augmented GARCH(p,q) process and its diffusion limit", Journal of Econometrics
 *      79 (1997) 97-127, for the term structure.
 */
import { InvalidInputError } from '../errors.ts';

/** What a forecast needs from a fitted model, per sampling step. */
export interface VarianceDynamics {
  /** ω, per step (0 for EWMA). */
  readonly omega: number;
  /** 1 − p = 1 − (α + β), computed from α and β (0 for EWMA); its own field so it keeps its digits near 1. */
  readonly meanReversion: number;
  /** σ²ₙ₊₁, the variance of the next step's return. */
  readonly nextVariance: number;
}

/**
 * The long-run (unconditional) variance σ̄² = ω/(1 − p) per step; Infinity when p ≥ 1
 * (EWMA, IGARCH: variance has no level to revert to).
 *
 * @example longRunVariance({ omega: 0.02, meanReversion: 0.02, nextVariance: 2 }) // 1
 */
export function longRunVariance(dynamics: VarianceDynamics): number {
  return dynamics.meanReversion > 0 ? dynamics.omega / dynamics.meanReversion : Infinity;
}

/** (1 − pᴴ)/(1 − p), the sum of p⁰..pᴴ⁻¹ for integer H, stable as p → 1. */
function geometricSum(meanReversion: number, horizon: number): number {
  if (meanReversion === 0) return horizon;
  return -Math.expm1(horizon * Math.log1p(-meanReversion)) / meanReversion;
}

function requireSteps(steps: number, field: string): void {
  if (!(steps > 0 && steps < Infinity)) throw new InvalidInputError(field, steps, 'must be a finite number of steps > 0');
}

/**
 * σ²ₙ₊ₕ, the variance of the return h steps ahead (h = 1 is the next step).
 *
 * @example
 * // p = 0.98, σ̄² = 1, σ²ₙ₊₁ = 2: σ²ₙ₊₁₁ = 1 + 0.98¹⁰·(2 − 1) = 1.8171
 * varianceAhead({ omega: 0.02, meanReversion: 0.02, nextVariance: 2 }, 11) // 1.81707…
 */
export function varianceAhead(dynamics: VarianceDynamics, stepsAhead: number): number {
  requireSteps(stepsAhead, 'stepsAhead');
  const h = Math.max(stepsAhead, 1);
  const { omega, meanReversion, nextVariance } = dynamics;
  // σ²ₙ₊ₕ = σ²ₙ₊₁·pʰ⁻¹ + ω·(1 + p + … + pʰ⁻²): no division, so p = 1 needs no branch.
  const decay = Math.exp((h - 1) * Math.log1p(-meanReversion));
  return nextVariance * decay + omega * geometricSum(meanReversion, h - 1);
}

/**
 * V(H), the average variance per step over the next H steps (see the module comment).
 *
 * @example
 * // p = 0.98, σ̄² = 1, σ²ₙ₊₁ = 2, H = 10: 1 + (1 − 0.98¹⁰)/(0.02·10) = 1.914636
 * averageVarianceOverHorizon({ omega: 0.02, meanReversion: 0.02, nextVariance: 2 }, 10) // 1.914636…
 */
export function averageVarianceOverHorizon(dynamics: VarianceDynamics, horizonSteps: number): number {
  requireSteps(horizonSteps, 'horizonSteps');
  const h = Math.max(horizonSteps, 1);
  const { omega, meanReversion, nextVariance } = dynamics;
  // Σₕ σ²ₙ₊ₕ = σ²ₙ₊₁·S(H) + ω·Σₕ S(h − 1), with S(k) = (1 − pᵏ)/(1 − p); the second sum is
  // (H − S(H))/(1 − p), or H(H − 1)/2 when p = 1.
  const s = geometricSum(meanReversion, h);
  const interceptSum = meanReversion > 0 ? (h - s) / meanReversion : (h * (h - 1)) / 2;
  return (nextVariance * s + omega * interceptSum) / h;
}

/** One point of the volatility term structure. */
export interface TermStructurePoint {
  /** The horizon, in sampling steps. */
  readonly steps: number;
  /** √V(H): the per-step vol to hedge over the horizon, annualised by `stepsPerYear`. */
  readonly averageVol: number;
  /** √σ²ₙ₊ₕ: the vol of the horizon's last step, annualised. */
  readonly terminalVol: number;
}

/**
 * The term structure of annualised vol at the given horizons (in steps): each point is
 * √(V(H)·stepsPerYear) and √(σ²ₙ₊ₕ·stepsPerYear).
 *
 * @example
 * // daily steps, 365 a year; σ̄² = 1e-4 (19.1% a year), σ²ₙ₊₁ = 4e-4 (38.2%), p = 0.9
 * volTermStructure({ omega: 1e-5, meanReversion: 0.1, nextVariance: 4e-4 }, [1, 365], 365)
 * // [{ steps: 1, averageVol: 0.3821, terminalVol: 0.3821 }, { steps: 365, averageVol: 0.1987, terminalVol: 0.1910 }]
 */
export function volTermStructure(dynamics: VarianceDynamics, horizonsInSteps: readonly number[], stepsPerYear: number): TermStructurePoint[] {
  requireSteps(stepsPerYear, 'stepsPerYear');
  return horizonsInSteps.map((steps) => ({
    steps,
    averageVol: Math.sqrt(averageVarianceOverHorizon(dynamics, steps) * stepsPerYear),
    terminalVol: Math.sqrt(varianceAhead(dynamics, steps) * stepsPerYear),
  }));
}
