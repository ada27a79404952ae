/**
 * The Gaussian log-likelihood of GARCH(1,1) and its analytic gradient (the score):
 *
 *   ℓ(θ) = Σₜ −½·(ln 2π + ln σ²ₜ + ε²ₜ/σ²ₜ),   εₜ = rₜ − μ,  t = 1..n,
 *   σ²ₜ = ω + α·ε²ₜ₋₁ + β·σ²ₜ₋₁ (t ≥ 2), σ²₁ from the {@link VarianceStart} convention.
 *
 * The score follows the variance recursion (Fiorentini, Calzolari and Panattoni, 1996):
 *
 *   ∂σ²ₜ/∂θ = ∂(ω + α·ε²ₜ₋₁ + β·σ²ₜ₋₁)/∂θ + β·∂σ²ₜ₋₁/∂θ,
 *   ∂ℓₜ/∂θ = ½·(ε²ₜ/σ²ₜ − 1)/σ²ₜ · ∂σ²ₜ/∂θ  (+ εₜ/σ²ₜ for μ),
 *
 * and through σ²₁ it also sees that s² depends on μ: ∂s²/∂μ = −2·mean(ε).
 *
 * One pass, no allocation: the optimiser calls this a few hundred times per fit, and
 * the analytic score costs about as much as the likelihood alone, where finite
 * differences would cost five likelihoods and lose half the digits.
 *
 * @see G. Fiorentini, G. Calzolari, L. Panattoni, "Analytic derivatives and the
 *      computation of GARCH estimates", Journal of Applied Econometrics 11 (1996) 399-417.
 */
import type { GarchParams, VarianceStart } from './garch-types.ts';

const LN_TWO_PI = Math.log(2 * Math.PI);

/**
 * The mean squared residual s² = (1/n)·Σ(rₜ − μ)², the variance the recursion starts from.
 *
 * @example meanSquaredResidual([0.02, -0.01, 0.03], 0.01) // 3e-4 = (1 + 4 + 4)e-4/3
 */
export function meanSquaredResidual(returns: ArrayLike<number>, mu: number): number {
  let sum = 0;
  for (let t = 0; t < returns.length; t++) {
    const e = returns[t]! - mu;
    sum += e * e;
  }
  return sum / returns.length;
}

/**
 * The Gaussian log-likelihood ℓ(θ) of the returns under GARCH(1,1); −∞ where a variance
 * is not positive and finite (parameters outside the model), so a maximiser backs off.
 *
 * @example
 * // r = [0.1, −0.1] and μ = 0 give s² = 0.01 = σ²₁, and σ²₂ = 0.002 + 0.1·0.01 + 0.7·0.01
 * // = 0.01, so ℓ = 2·(−½)(ln 2π + ln 0.01 + 1) = 1.76729…
 * garchLogLikelihood([0.1, -0.1], { mu: 0, omega: 0.002, alpha: 0.1, beta: 0.7 }) // 1.7672931
 */
export function garchLogLikelihood(returns: ArrayLike<number>, params: GarchParams, start: VarianceStart = 'sample'): number {
  return garchScore(returns, params, start);
}

/**
 * ℓ(θ), and when `gradientOut` is given, ∂ℓ/∂(μ, ω, α, β) written into it (length ≥ 4).
 * At parameters where a variance is not positive the result is −∞ and the gradient NaN.
 *
 * @example
 * const g = new Float64Array(4);
 * garchScore([0.1, -0.1], { mu: 0, omega: 0.002, alpha: 0.1, beta: 0.7 }, 'sample', g);
 * // g[1] = ∂ℓ/∂ω = ½(ε²₂/σ²₂ − 1)/σ²₂ = 0 here, since ε²₂ = σ²₂
 */
export function garchScore(returns: ArrayLike<number>, params: GarchParams, start: VarianceStart = 'sample', gradientOut?: Float64Array): number {
  const { mu, omega, alpha, beta } = params;
  const n = returns.length;
  let sumSquares = 0;
  let sumResiduals = 0;
  for (let t = 0; t < n; t++) {
    const e = returns[t]! - mu;
    sumSquares += e * e;
    sumResiduals += e;
  }
  const s2 = sumSquares / n;
  const ds2dMu = (-2 * sumResiduals) / n;

  // σ²₁ and its derivatives with respect to (μ, ω, α, β).
  let h: number;
  let dhMu: number;
  let dhOmega: number;
  let dhAlpha: number;
  let dhBeta: number;
  if (start === 'sample') {
    h = s2;
    dhMu = ds2dMu;
    dhOmega = 0;
    dhAlpha = 0;
    dhBeta = 0;
  } else {
    h = omega + (alpha + beta) * s2;
    dhMu = (alpha + beta) * ds2dMu;
    dhOmega = 1;
    dhAlpha = s2;
    dhBeta = s2;
  }

  let sumLogTerms = 0; // Σ ln σ²ₜ + ε²ₜ/σ²ₜ
  let gMu = 0;
  let gOmega = 0;
  let gAlpha = 0;
  let gBeta = 0;
  let previousResidual = 0;
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      const previousVariance = h;
      const previousSquare = previousResidual * previousResidual;
      h = omega + alpha * previousSquare + beta * previousVariance;
      dhMu = -2 * alpha * previousResidual + beta * dhMu;
      dhOmega = 1 + beta * dhOmega;
      dhAlpha = previousSquare + beta * dhAlpha;
      dhBeta = previousVariance + beta * dhBeta;
    }
    if (!(h > 0 && h < Infinity)) {
      if (gradientOut) gradientOut.fill(NaN, 0, 4);
      return -Infinity;
    }
    const e = returns[t]! - mu;
    const inverseVariance = 1 / h;
    const standardisedSquare = e * e * inverseVariance;
    sumLogTerms += Math.log(h) + standardisedSquare;
    // ∂ℓₜ/∂σ²ₜ = ½·(ε²/σ² − 1)/σ²
    const dLdH = 0.5 * (standardisedSquare - 1) * inverseVariance;
    gMu += e * inverseVariance + dLdH * dhMu;
    gOmega += dLdH * dhOmega;
    gAlpha += dLdH * dhAlpha;
    gBeta += dLdH * dhBeta;
    previousResidual = e;
  }
  if (gradientOut) {
    gradientOut[0] = gMu;
    gradientOut[1] = gOmega;
    gradientOut[2] = gAlpha;
    gradientOut[3] = gBeta;
  }
  return -0.5 * (n * LN_TWO_PI + sumLogTerms);
}

/**
 * The conditional variances σ²₁..σ²ₙ of the sample and the one-step-ahead forecast
 * σ²ₙ₊₁ = ω + α·ε²ₙ + β·σ²ₙ (the last element): n + 1 values in all.
 *
 * @example
 * garchConditionalVariances([0.1, -0.1], { mu: 0, omega: 0.002, alpha: 0.1, beta: 0.7 })
 * // Float64Array [0.01, 0.01, 0.01]
 */
export function garchConditionalVariances(returns: ArrayLike<number>, params: GarchParams, start: VarianceStart = 'sample'): Float64Array {
  const { mu, omega, alpha, beta } = params;
  const n = returns.length;
  const s2 = meanSquaredResidual(returns, mu);
  const variances = new Float64Array(n + 1);
  variances[0] = start === 'sample' ? s2 : omega + (alpha + beta) * s2;
  for (let t = 1; t <= n; t++) {
    const e = returns[t - 1]! - mu;
    variances[t] = omega + alpha * e * e + beta * variances[t - 1]!;
  }
  return variances;
}
