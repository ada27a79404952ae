/**
 * The parameters and conventions shared by the GARCH(1,1) likelihood, its fit and its
 * forecasts, for log returns rₜ = ln(Pₜ/Pₜ₋₁):
 *
 *   rₜ = μ + εₜ,   εₜ = σₜ·zₜ,  zₜ ~ N(0, 1),   σ²ₜ = ω + α·ε²ₜ₋₁ + β·σ²ₜ₋₁,
 *
 * with ω > 0, α ≥ 0, β ≥ 0 and α + β < 1 (covariance stationarity). Variances are per
 * sampling step (the spacing of the prices), never annualised: annualising is the
 * caller's job (see sampling.ts), because the model knows nothing of the clock.
 *
 * @see T. Bollerslev, "Generalized autoregressive conditional heteroskedasticity",
 *      Journal of Econometrics 31 (1986) 307-327.
 */

/** GARCH(1,1) parameters, in the units of the returns (ω in return², μ in return). */
export interface GarchParams {
  /** The constant mean of the returns, μ. */
  readonly mu: number;
  /** The variance intercept, ω > 0. */
  readonly omega: number;
  /** The reaction to the last squared shock, α ≥ 0 (the ARCH term). */
  readonly alpha: number;
  /** The weight on the last variance, β ≥ 0 (the GARCH term). */
  readonly beta: number;
}

/**
 * Where the variance recursion starts. Both use s² = (1/n)·Σ(rₜ − μ)², the mean squared
 * residual at the current μ:
 *  - `sample`: σ²₁ = s² (the convention of hedging issue 16, and the default);
 *  - `presample`: σ²₀ = ε²₀ = s², so σ²₁ = ω + (α + β)·s² — the convention of the
 *    Fiorentini–Calzolari–Panattoni benchmark, of TSP, R's fGarch and rugarch, which the
 *    published DEM/GBP figures are computed with.
 * The two differ in the first observation only: their log-likelihoods differ by O(1),
 * whatever n, and the estimates by O(1/n).
 */
export type VarianceStart = 'sample' | 'presample';

/** The names of the GARCH parameters, in the order of gradients and Hessians. */
export const GARCH_PARAM_NAMES = ['mu', 'omega', 'alpha', 'beta'] as const;
export type GarchParamName = (typeof GARCH_PARAM_NAMES)[number];
