/**
 * The GARCH(1,1) benchmark: Bollerslev–Ghysels DEM/GBP daily returns (1,974), Gaussian
 * GARCH(1,1) with a constant mean, variance recursion started at σ²₀ = ε²₀ = the mean
 * squared residual (the `presample` convention).
 *
 * Published figures:
 *  - Estimates and Hessian standard errors: G. Fiorentini, G. Calzolari, L. Panattoni,
 *    "Analytic derivatives and the computation of GARCH estimates", Journal of Applied
 *    Econometrics 11 (1996) 399-417 — the FCP benchmark, as tabulated (6 digits) in R's
 *    tsgarch (R/benchmark.R, fcp_benchmark_data) and used by B. D. McCullough,
 *    C. G. Renfro, Journal of Economic and Social Measurement 25 (1999) 59-71, and
 *    C. Brooks, S. P. Burke, G. Persand, International Journal of Forecasting 17 (2001)
 *    45-57.
 *  - Estimates and log-likelihood to 12+ digits: the TSP 4.4 benchmark by C. Cummins
 *    (tspintl.com/code/bench/bgfcp.tsp), "the 11+ digits which agree" between TSP and the
 *    double-precision FCP program: μ = −.006190408379994, ω = .0107613978518,
 *    α = .153134061820, β = .805973670305, log L = −1106.607881041288.
 *
 * The data come from the Debian package r-cran-fgarch (see support/dem2gbp.ts): where it
 * cannot be had, the test is skipped with the reason — except in CI, where it fails.
 */
import { describe, expect, it } from 'vitest';
import { fitGarch } from '../../../../shared/domain/volatility/garch-fit.ts';
import { garchLogLikelihood } from '../../../../shared/domain/volatility/garch-likelihood.ts';
import { loadDem2gbp } from './support/dem2gbp.ts';

const TSP = { mu: -0.006190408379994, omega: 0.0107613978518, alpha: 0.15313406182, beta: 0.805973670305, logLikelihood: -1106.607881041288 };
const FCP = {
  estimates: { mu: -0.619041e-2, omega: 0.107613e-1, alpha: 0.153134, beta: 0.805974 },
  hessianStandardErrors: { mu: 0.846212e-2, omega: 0.285271e-2, alpha: 0.265228e-1, beta: 0.335527e-1 },
};
const NAMES = ['mu', 'omega', 'alpha', 'beta'] as const;

/** Log relative error: the number of significant digits two values share. */
const lre = (value: number, reference: number): number => -Math.log10(Math.abs(value - reference) / Math.abs(reference));

const data = loadDem2gbp();
const unavailable = 'unavailable' in data ? data.unavailable : undefined;
if (unavailable && process.env.CI) throw new Error(`the DEM/GBP benchmark data is missing in CI: ${unavailable}`);
if (unavailable) console.warn(`skipping the DEM/GBP benchmark: ${unavailable}`);
const returns = 'returns' in data ? data.returns : new Float64Array(0);

describe.skipIf(unavailable !== undefined)('GARCH(1,1) on the Bollerslev–Ghysels DEM/GBP benchmark', () => {
  it('reads the 1,974 returns of the published series', () => {
    expect(returns).toHaveLength(1974);
    // Bollerslev & Ghysels (1996) describe percent returns: their sample std is about 0.47%.
    const mean = returns.reduce((s, r) => s + r, 0) / returns.length;
    const std = Math.sqrt(returns.reduce((s, r) => s + (r - mean) ** 2, 0) / returns.length);
    expect(std).toBeGreaterThan(0.4);
    expect(std).toBeLessThan(0.55);
  });

  const fit = fitGarch(returns.length > 0 ? returns : new Float64Array(60).map((_, i) => (i % 3) - 1), { start: 'presample' });

  it('matches the TSP/FCP estimates to at least 9 significant digits, and their log-likelihood to 1e-6', () => {
    for (const name of NAMES) expect(lre(fit.params[name], TSP[name]), name).toBeGreaterThan(9);
    expect(Math.abs(fit.logLikelihood - TSP.logLikelihood)).toBeLessThan(1e-6);
    expect(fit.observations).toBe(1974);
    expect(fit.atBound).toEqual([]);
  });

  it('agrees with the six digits FCP publish for the estimates and the Hessian standard errors', () => {
    // The table's sixth digit is sometimes truncated (ω = .0107613|98 is printed .107613E-1),
    // so "agrees" is: within one unit of the sixth significant digit.
    const sixthDigit = (x: number): number => 10 ** (Math.floor(Math.log10(Math.abs(x))) - 5);
    for (const name of NAMES) {
      expect(Math.abs(fit.params[name] - FCP.estimates[name]), name).toBeLessThan(sixthDigit(FCP.estimates[name]));
      expect(Math.abs(fit.standardErrors[name]! - FCP.hessianStandardErrors[name]), `SE ${name}`).toBeLessThan(sixthDigit(FCP.hessianStandardErrors[name]));
    }
  });

  it('evaluates the published optimum to the published log-likelihood (the likelihood itself, no optimiser)', () => {
    expect(garchLogLikelihood(returns, TSP, 'presample')).toBeCloseTo(TSP.logLikelihood, 8);
  });

  it("with the issue's σ²₁ = s² start, moves each estimate by under 2% of its standard error and gains likelihood only in the first term", () => {
    const sampleStart = fitGarch(returns, { start: 'sample' });
    for (const name of NAMES) expect(Math.abs(sampleStart.params[name] - TSP[name]), name).toBeLessThan(0.02 * FCP.hessianStandardErrors[name]);
    // It is the maximum of its own likelihood: at least the value at the published optimum…
    expect(sampleStart.logLikelihood).toBeGreaterThanOrEqual(garchLogLikelihood(returns, TSP, 'sample'));
    // …and the two conventions differ by O(1) in ℓ, not O(n).
    expect(Math.abs(sampleStart.logLikelihood - TSP.logLikelihood)).toBeLessThan(0.1);
  });
});
