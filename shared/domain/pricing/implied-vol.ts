/**
 * Implied volatility to full double precision, after Peter Jäckel's "Let's Be Rational".
 *
 * Everything is reduced to the normalised out-of-the-money call problem: find s = σ√T
 * with b(x, s) = β for x = ln(F/K) ≤ 0 and 0 < β < b_max = e^{x/2}, where
 *
 *   b(x, s) = e^{x/2}·N(x/s + s/2) − e^{−x/2}·N(x/s − s/2)
 *
 * (a put or an in-the-money option is turned into this form by put-call symmetry and by
 * subtracting the normalised intrinsic value 2·sinh(|x|/2)). Then:
 *
 * 1. Three nodes split the s-axis: the inflection point s_c = √(2|x|) of b(s), and the
 *    points s_l < s_c < s_u where the tangent at s_c reaches 0 and b_max. They divide
 *    the β-axis into four branches.
 * 2. On each branch a rational cubic (Delbourgo & Gregory) interpolates the inverse
 *    function: in the two middle branches s(β) itself (matching s' = 1/b' at both ends
 *    and s'' = 0 at the inflection point); in the lowest branch the transformed
 *    value f_l(s) = (2π|x|/√27)·N(−|x|/(√3·s))³, which has the same asymptotics as b for
 *    s → 0; in the highest branch f_u(s) = N(−s/2), which behaves like (b_max − b)/2 for
 *    s → ∞. Inverting the transformation gives an initial guess that is already good to a
 *    few digits everywhere.
 * 3. Householder iterations of third order (quartic convergence) polish it on an
 *    objective that is nearly linear on its branch: 1/ln b − 1/ln β below s_l,
 *    b − β in the middle, and ln(b_max − β) − ln(b_max − b) above s_u. Two iterations
 *    reach the attainable precision for practically all inputs (see below).
 *
 * The objective is evaluated so that the solved s is right to the last few bits: b by
 * {@link blackOutOfTheMoney} (the Mills-ratio form b = b'·(Y(h+t) − Y(h−t)), by its
 * Taylor series in t where the difference would cancel, directly from N where the first
 * term dominates), its s-derivative in closed form, b'(s) = exp(−(h² + t²)/2)/√(2π)
 * with h = x/s, t = s/2, and the distance to the upper bound without cancellation as
 * b_max − b = b'·(Y(−h−t) + Y(h−t)), Y being the Mills ratio N/φ. The higher
 * derivatives are closed forms in h and s: b''/b' = h²/s − s/4 and
 * b'''/b' = (h²/s − s/4)² − 3h²/s² − 1/4.
 *
 * Accuracy (against 50-digit solutions of b(x, s) = β for the double β): the relative
 * error of s is below 3 ulps times max(1, β/(s·∂b/∂s)) on a grid of x ∈ [−700, 700],
 * s ∈ [1e-6, 10]; iterations: 1 or 2 for |x| ≤ 30, at most 3 for |x| ≤ 100, at most 4
 * beyond.
 *
 * @see P. Jäckel, "Let's Be Rational", Wilmott (2015) 40-53.
 * @see R. Delbourgo, J. A. Gregory, "Shape preserving piecewise rational interpolation",
 *      SIAM J. Sci. Stat. Comput. 6 (1985) 967-976.
 */
import { InvalidInputError, PriceOutOfBoundsError } from '../errors.ts';
import { inverseNormCdf } from '../math/inverse-normal.ts';
import { normCdf, normMillsRatio, ONE_OVER_SQRT_TWO_PI, SQRT_HALF_PI } from '../math/normal-distribution.ts';
import { FIRST_TERM_DOMINATES, millsDifferenceSeries } from './normalised-black.ts';
import { logForwardMoneyness, logMoneyness } from './option-inputs.ts';

const SQRT_TWO_PI = 2.5066282746310002416;
const SQRT_THREE = 1.7320508075688772935;
const TWO_PI = 6.2831853071795864769;
/** 2π/√27, the constant of the lower transformation f_l. */
const TWO_PI_OVER_SQRT_27 = 1.2091995761561452337;

/** Below this s_c the lower node offset comes from its Taylor series. */
const NODE_SERIES_LIMIT = 0.5;

/**
 * Stop once a Householder step changed s by at most this fraction: the step removed an
 * error of that size, and with quartic convergence what is left is ~K·(1e-5)⁴ with K of
 * order 1-10, far below the precision of the price itself. (Steps up to 3e-4 still gave
 * full precision in the tests.)
 */
const CONVERGED = 1e-5;
/** Safety factor on the convergence constant estimated from two successive steps. */
const KAPPA_SAFETY = 100;
/** Relative widening of the brackets taken from the branch nodes. */
const BRACKET_WIDENING = 1 + 1e-10;
/** Hard cap on objective evaluations; never reached in practice (two is the norm). */
const MAX_ITERATIONS = 12;

const LOWER = 0;
const MIDDLE = 1;
const UPPER = 2;

/** Rational cubic control parameter beyond which the interpolant is taken as linear. */
const LINEAR_CONTROL = 1 / (Number.EPSILON * Number.EPSILON);

/** Objective evaluations of the latest solve, read right after it by the test hook. */
let iterationsOfLastSolve = 0;

// ---------------------------------------------------------------------------------------
// The normalised Black function for x ≤ 0 and its pieces
// ---------------------------------------------------------------------------------------

/** b'(s) = ∂b/∂s = e^{−(h² + t²)/2}/√(2π); underflows only where b is far below b'. */
function normalisedVega(x: number, s: number): number {
  const h = x === 0 ? 0 : x / s;
  const t = 0.5 * s;
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t));
}

/**
 * Largest t for which the series beats the plain difference of Mills ratios (found by
 * comparison with 40-digit values over h ∈ [−30, −1]): where the difference cancels
 * (small t) the series converges fast and stays accurate, and vice versa.
 */
function seriesLimit(h: number): number {
  return 0.6 / Math.sqrt(1 + 0.1 * h * h);
}

/**
 * b(x, s) for x ≤ 0, s > 0, given h = x/s, t = s/2 and b' = vega, accurate enough that
 * the s solved from it is correct to the rounding level. It shares the pieces of
 * `normalisedBlackCall` (the first-term switch, the all-positive Mills series) but
 * picks the series by its own rule, {@link seriesLimit}, tuned for the solver: where the
 * plain difference's error would show in s.
 */
function blackOutOfTheMoney(x: number, h: number, t: number, vega: number): number {
  if (h + t > FIRST_TERM_DOMINATES) return Math.exp(0.5 * x) * normCdf(h + t) - vega * normMillsRatio(h - t);
  if (h >= -1 || t < seriesLimit(h)) return vega * millsDifferenceSeries(h, t);
  return vega * (normMillsRatio(h + t) - normMillsRatio(h - t));
}

/** {@link blackOutOfTheMoney} from x and s alone. */
function normalisedBlackOtm(x: number, s: number): number {
  const h = x === 0 ? 0 : x / s;
  const t = 0.5 * s;
  return blackOutOfTheMoney(x, h, t, ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t)));
}

/**
 * s_c − s_l = b(x, s_c)/b'(x, s_c) expressed through u = s_c alone: at the inflection point
 * h = −t, so b(s_c)/b'(s_c) = Y(0) − Y(−u) and the offset s_l = u − (Y(0) − Y(−u)).
 * For small u the difference cancels against u, so the alternating Taylor series
 * s_l = Σ_{n≥2} (−u)ⁿ·Y⁽ⁿ⁾(0)/n! is used instead (Y⁽ⁿ⁾(0) = (n−1)·Y⁽ⁿ⁻²⁾(0), with
 * Y(0) = √(π/2) and Y'(0) = 1).
 */
function lowerNodeOffset(u: number): number {
  if (u >= NODE_SERIES_LIMIT) return u - SQRT_HALF_PI + normMillsRatio(-u);
  const u2 = u * u;
  // term_n = uⁿ·Y⁽ⁿ⁾(0)/n!, term_{n+2} = term_n·u²/(n + 2)
  let even = 0.5 * SQRT_HALF_PI * u2; // n = 2
  let odd = (u2 * u) / 3; // n = 3
  let sum = even - odd;
  for (let n = 2; n < 60; n += 2) {
    even *= u2 / (n + 2);
    odd *= u2 / (n + 3);
    sum += even - odd;
    if (even <= 1e-17 * sum) break;
  }
  return sum;
}

// ---------------------------------------------------------------------------------------
// Rational cubic interpolation (Delbourgo & Gregory)
// ---------------------------------------------------------------------------------------

/**
 * The rational cubic through (x_l, y_l), (x_r, y_r) with end slopes d_l, d_r and control
 * parameter r (r = 3 is the cubic Hermite spline, r → ∞ the straight line), at the point
 * with relative position u = (x − x_l)/w and 1 − u = (x_r − x)/w, both passed in so that
 * each keeps its full precision; w = x_r − x_l.
 */
function rationalCubic(u: number, oneMinusU: number, w: number, yL: number, yR: number, dL: number, dR: number, r: number): number {
  if (r >= LINEAR_CONTROL) return yL * oneMinusU + yR * u;
  const uv = u * oneMinusU;
  const numerator =
    yR * u * u * u + (r * yR - w * dR) * u * uv + (r * yL + w * dL) * uv * oneMinusU + yL * oneMinusU * oneMinusU * oneMinusU;
  return numerator / (1 + (r - 3) * uv);
}

/**
 * Smallest control parameter that keeps the interpolant monotone (Delbourgo-Gregory:
 * r ≥ (d_l + d_r)/Δ) and, when asked and the data are convex or concave, keeps that
 * shape at both ends (r ≥ (d_r − d_l)/(Δ − d_l) and r ≥ (d_r − d_l)/(d_r − Δ)).
 */
function minimumControl(dL: number, dR: number, slope: number, preserveShape: boolean): number {
  let r = 0;
  if (slope !== 0 && dL * slope >= 0 && dR * slope >= 0) {
    const monotone = (dL + dR) / slope;
    if (monotone > r) r = monotone;
  }
  if (preserveShape) {
    const convex = dL <= slope && slope <= dR;
    const concave = dL >= slope && slope >= dR;
    if ((convex || concave) && dL !== dR) {
      const left = (dR - dL) / (slope - dL);
      const right = (dR - dL) / (dR - slope);
      if (left > r) r = left;
      if (right > r) r = right;
    }
  }
  return r;
}

/** Control parameter reproducing a given second derivative at the left end (≥ minimum). */
function controlFittingLeft(w: number, yL: number, yR: number, dL: number, dR: number, secondL: number, preserveShape: boolean): number {
  const slope = (yR - yL) / w;
  const fit = (0.5 * w * secondL + (dR - dL)) / (slope - dL);
  const minimum = minimumControl(dL, dR, slope, preserveShape);
  return fit > minimum ? fit : minimum; // also when the fit is NaN
}

/** Control parameter reproducing a given second derivative at the right end (≥ minimum). */
function controlFittingRight(w: number, yL: number, yR: number, dL: number, dR: number, secondR: number, preserveShape: boolean): number {
  const slope = (yR - yL) / w;
  const fit = (0.5 * w * secondR + (dR - dL)) / (dR - slope);
  const minimum = minimumControl(dL, dR, slope, preserveShape);
  return fit > minimum ? fit : minimum;
}

// ---------------------------------------------------------------------------------------
// The solver
// ---------------------------------------------------------------------------------------

/** An interpolated guess kept inside its branch [low, high] (rounding can put it an ulp out). */
function clampGuess(s: number, low: number, high: number): number {
  if (s >= low && s <= high) return s;
  if (s < low) return low;
  if (s > high) return high;
  return 0.5 * (low + high); // NaN
}

/**
 * Solves b(x, s) = beta for s, given x ≤ 0, 0 < beta and gap = e^{x/2} − beta > 0 (passed
 * separately because near the upper bound it is known more accurately than the
 * difference). Returns a finite s ≥ 0 and records the number of objective evaluations.
 */
function solveOutOfTheMoney(beta: number, x: number, gap: number): number {
  const bMax = Math.exp(0.5 * x);
  // beta and gap must agree: each is exact enough where it is the smaller of the two, so
  // the other is derived from it (bMax − small loses nothing).
  if (beta > 0.5 * bMax) beta = bMax - gap;
  else gap = bMax - beta;
  if (!(beta > 0)) return 0; // within rounding of the intrinsic value
  const sC = Math.sqrt(-2 * x);
  const vC = ONE_OVER_SQRT_TWO_PI * bMax; // b'(s_c) = e^{−|x|/2}/√(2π)
  const sL = lowerNodeOffset(sC);
  const bC = vC * (sC - sL);

  let s: number;
  let branch: number;
  // The branch brackets the root: b is increasing, so b(s_l) = b_l > β ⇒ s < s_l etc.
  // (widened a little, as the node prices carry their own rounding).
  let sLow = 0;
  let sHigh = Infinity;
  if (beta <= bC) {
    const bL = sL > 0 ? normalisedBlackOtm(x, sL) : 0;
    if (beta < bL) {
      // Lowest branch: interpolate f_l(β) on [0, b_l] and invert f_l.
      branch = LOWER;
      sHigh = sL * BRACKET_WIDENING;
      const ax = -x;
      const z = ax / (SQRT_THREE * sL);
      const y = z * z;
      const phiTail = normCdf(-z);
      const fL = TWO_PI_OVER_SQRT_27 * ax * phiTail * phiTail * phiTail;
      const dfL = TWO_PI * y * phiTail * phiTail * Math.exp(y + 0.125 * sL * sL);
      const mills = normMillsRatio(-z);
      const curvature = (3 * y) / sL - 0.25 * sL; // b''/b' at s_l
      const d2fL =
        TWO_PI * y * ONE_OVER_SQRT_TWO_PI * Math.exp(1.5 * y + 0.25 * sL * sL) * mills * ((2 * z + mills * (y - 2)) / sL - mills * curvature);
      const r = controlFittingRight(bL, 0, fL, 1, dfL, d2fL, true);
      const f = rationalCubic(beta / bL, (bL - beta) / bL, bL, 0, fL, 1, dfL, r);
      const zGuess = -inverseNormCdf(Math.cbrt(f / (TWO_PI_OVER_SQRT_27 * ax)));
      s = ax / (SQRT_THREE * zGuess);
      if (!(s > 0)) s = 0.5 * sL;
      else if (s > sL) s = sL;
    } else {
      // Lower middle branch: s(β) on [b_l, b_c], s'' = 0 at the inflection point.
      branch = MIDDLE;
      sLow = sL / BRACKET_WIDENING;
      sHigh = sC * BRACKET_WIDENING;
      const vL = normalisedVega(x, sL);
      const w = bC - bL;
      const r = controlFittingRight(w, sL, sC, 1 / vL, 1 / vC, 0, false);
      s = rationalCubic((beta - bL) / w, (bC - beta) / w, w, sL, sC, 1 / vL, 1 / vC, r);
      s = clampGuess(s, sL, sC);
    }
  } else {
    const sU = sC + (bMax - bC) / vC;
    const bU = normalisedBlackOtm(x, sU);
    if (beta <= bU) {
      // Upper middle branch: s(β) on [b_c, b_u], s'' = 0 at the inflection point.
      branch = MIDDLE;
      sLow = sC / BRACKET_WIDENING;
      sHigh = sU * BRACKET_WIDENING;
      const vU = normalisedVega(x, sU);
      const w = bU - bC;
      const r = controlFittingLeft(w, sC, sU, 1 / vC, 1 / vU, 0, false);
      s = rationalCubic((beta - bC) / w, (bU - beta) / w, w, sC, sU, 1 / vC, 1 / vU, r);
      s = clampGuess(s, sC, sU);
    } else {
      // Highest branch: interpolate f_u(β) = N(−s/2) on [b_u, b_max] and invert.
      branch = UPPER;
      sLow = sU / BRACKET_WIDENING;
      const hU = x / sU;
      const h2 = hU * hU;
      const tU = 0.5 * sU;
      const fU = normCdf(-tU);
      const dfU = -0.5 * Math.exp(0.5 * h2);
      const d2fU = (SQRT_TWO_PI * Math.exp(h2 + 0.5 * tU * tU) * h2) / (2 * sU);
      const w = bMax - bU;
      const r = controlFittingLeft(w, fU, 0, dfU, -0.5, d2fU, true);
      let f = rationalCubic((beta - bU) / w, gap / w, w, fU, 0, dfU, -0.5, r);
      if (!(f > 0)) f = 0.5 * gap; // f_u ~ (b_max − β)/2 as β → b_max
      s = -2 * inverseNormCdf(f);
      if (!(s > sU)) s = sU;
    }
  }

  // Householder iterations of third order, safeguarded by the bracket the evaluations build.
  const lnBeta = branch === LOWER ? Math.log(beta) : 0;
  let iterations = 0;
  let previousRelative = Infinity;
  while (iterations < MAX_ITERATIONS) {
    iterations++;
    const h = x === 0 ? 0 : x / s;
    const t = 0.5 * s;
    const hOverS = h / s;
    const vega = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t));
    const first = h * hOverS - 0.5 * t; // b''/b'
    const third = first * first - 3 * hOverS * hOverS - 0.25; // b'''/b'
    let newton: number;
    let halley: number;
    let householder: number;
    if (branch === MIDDLE) {
      const b = blackOutOfTheMoney(x, h, t, vega);
      if (b > beta) sHigh = s;
      else sLow = s;
      newton = (beta - b) / vega;
      halley = first;
      householder = third;
    } else if (branch === LOWER) {
      const b = blackOutOfTheMoney(x, h, t, vega);
      if (b > beta) sHigh = s;
      else sLow = s;
      // g = 1/ln b − 1/ln β
      const lnB = Math.log(b);
      const q = vega / b; // (ln b)'
      const k = 1 / lnB;
      const m = 1 + 2 * k;
      newton = ((lnBeta - lnB) * lnB) / (lnBeta * q);
      halley = first - q * m;
      householder = third - 3 * first * q * m + 2 * q * q * (1 + 3 * k * (1 + k));
    } else {
      // g = ln(b_max − β) − ln(b_max − b)
      const c = vega * (normMillsRatio(-h - t) + normMillsRatio(h - t)); // b_max − b
      if (c < gap) sHigh = s;
      else sLow = s;
      const p = vega / c;
      newton = Math.log1p((c - gap) / gap) / p;
      halley = first + p;
      householder = third + 3 * first * p + 2 * p * p;
    }
    // Householder's third-order step ν·(1 + h₂ν/2)/(1 + h₂ν + h₃ν²/6); near the root the
    // factor is 1 + O(ν). Far from it (a factor outside [1/4, 4]) the higher derivatives
    // say nothing useful and the plain Newton step is safer.
    const factor = (1 + 0.5 * halley * newton) / (1 + newton * (halley + (householder * newton) / 6));
    const step = factor > 0.25 && factor < 4 ? newton * factor : newton;
    let next = s + step;
    const relative = Math.abs(step) / s;
    // Quartic convergence leaves an error of about K·relative⁴ after this step; K is
    // estimated from the last two steps (relative ≈ K·previous⁴) with a safety factor.
    const converged =
      relative <= CONVERGED ||
      (relative <= 1e-3 && previousRelative <= 0.1 && KAPPA_SAFETY * relative * (relative / previousRelative) ** 4 <= Number.EPSILON / 4);
    previousRelative = relative;
    if (!converged && !(next > sLow && next < sHigh)) {
      // The step left the bracket (or was not a number): bisect, geometrically if open.
      next = sHigh === Infinity ? 2 * (s > sLow ? s : sLow) : sLow > 0 ? Math.sqrt(sLow * sHigh) : 0.5 * sHigh;
      previousRelative = Infinity;
    }
    s = next;
    if (converged) break;
  }
  iterationsOfLastSolve = iterations;
  return s;
}

/**
 * The θ-normalised problem for a beta the caller has checked against the bounds: price
 * beta of a call (θ = 1) or put (θ = −1) in units of √(FK), and gap = upper bound − beta.
 * Returns s ≥ 0; 0 when beta does not exceed the intrinsic value (within rounding).
 */
function solveNormalised(beta: number, x: number, theta: number, gap: number): number {
  iterationsOfLastSolve = 0;
  const thetaX = theta * x;
  // in the money: subtract the normalised intrinsic value 2·sinh(|x|/2)
  const otmBeta = thetaX > 0 ? beta - 2 * Math.sinh(0.5 * thetaX) : beta;
  if (!(otmBeta > 0)) return 0;
  return solveOutOfTheMoney(otmBeta, -Math.abs(x), gap);
}

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

/** Validates the normalised inputs and returns s (the solve records its iterations). */
function checkedNormalised(beta: number, x: number, theta: 1 | -1): number {
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) {
    throw new InvalidInputError('beta', beta, 'must be a finite number >= 0');
  }
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new InvalidInputError('x', x, 'must be a finite number');
  if (theta !== 1 && theta !== -1) throw new InvalidInputError('theta', theta, 'must be 1 (call) or -1 (put)');
  const upper = Math.exp(0.5 * theta * x);
  const intrinsic = theta * x > 0 ? 2 * Math.sinh(0.5 * theta * x) : 0;
  if (!(beta < upper) || beta < intrinsic * (1 - INTRINSIC_ROUNDING)) throw new PriceOutOfBoundsError(beta, intrinsic, upper);
  return solveNormalised(beta, x, theta, upper - beta);
}

/**
 * Normalised implied volatility: the s = σ√T ≥ 0 with θ-normalised Black price
 * b_θ(x, s) = beta, where b_1(x, s) = b(x, s) is the normalised call and
 * b_{−1}(x, s) = b(−x, s) the normalised put.
 *
 * beta is the undiscounted price divided by √(F·K); it must lie in [intrinsic, upper)
 * with intrinsic = max(θ·2·sinh(x/2), 0) and upper = e^{θx/2}. beta at the intrinsic
 * value (to within 8 ulps) gives 0. The result is accurate to a few ulps wherever the
 * problem is well conditioned; its error is otherwise a few ulps times the condition
 * number beta/(s·∂b/∂s).
 *
 * @param beta normalised undiscounted option price, price·e^{rT}/√(FK)
 * @param x log-moneyness ln(F/K)
 * @param theta 1 for a call, −1 for a put
 * @throws InvalidInputError naming the field for a non-finite or negative beta, a
 *         non-finite x or a theta other than ±1
 * @throws PriceOutOfBoundsError when beta is below the intrinsic value or at/above the
 *         upper bound
 * @example
 * impliedNormalisedVolatility(normalisedBlackCall(0, 0.2), 0, 1) // 0.20000000000000004
 * impliedNormalisedVolatility(0.05, 0.1, -1) // 0.22963220878280857 (an out-of-the-money put)
 */
export function impliedNormalisedVolatility(beta: number, x: number, theta: 1 | -1): number {
  return checkedNormalised(beta, x, theta);
}

/**
 * {@link impliedNormalisedVolatility}, also reporting how many Householder iterations
 * (evaluations of the objective after the initial guess) the solve took: 0 at the
 * intrinsic value, otherwise 1 or 2 for |x| ≤ 30, up to 3 (rarely 4) for astronomically
 * large |x| and prices near the bottom of the double range. For tests and diagnostics.
 *
 * @example
 * impliedNormalisedVolatilityWithIterations(0.05, -0.1, 1) // { s: 0.22963220878280857, iterations: 2 }
 */
export function impliedNormalisedVolatilityWithIterations(beta: number, x: number, theta: 1 | -1): { s: number; iterations: number } {
  const s = checkedNormalised(beta, x, theta);
  return { s, iterations: iterationsOfLastSolve };
}

/** Inputs of {@link impliedVolatilityBlack76}. */
export interface Black76ImpliedVolatilityInput {
  readonly type: 'call' | 'put';
  /** forward price F > 0 */
  readonly forward: number;
  /** strike K > 0 */
  readonly strike: number;
  /** time to expiry T > 0, in years */
  readonly maturity: number;
  /** continuously compounded discount rate r */
  readonly rate: number;
  /** discounted (present-value) option price */
  readonly price: number;
}

/** Inputs of {@link impliedVolatilityBsm}. */
export interface BsmImpliedVolatilityInput {
  readonly type: 'call' | 'put';
  /** spot price S > 0 */
  readonly spot: number;
  /** strike K > 0 */
  readonly strike: number;
  /** time to expiry T > 0, in years */
  readonly maturity: number;
  /** continuously compounded risk-free rate r */
  readonly rate: number;
  /** continuous dividend yield (or foreign rate, or cost-of-carry adjustment) q */
  readonly yield: number;
  /** option price (present value) */
  readonly price: number;
}

// Outcome codes of the shared core (a volatility is ≥ 0, so negatives are free).
const BAD_TYPE = -10;
const BAD_SPOT = -11;
const BAD_STRIKE = -12;
const BAD_MATURITY = -13;
const BAD_RATE = -14;
const BAD_YIELD = -15;
const BAD_PRICE = -16;
const OUT_OF_BOUNDS = -17;
const BAD_FORWARD = -18;

/**
 * The discounted intrinsic value θ·(S·e^{−qT} − K·e^{−rT}) carries the rounding of both
 * discounted legs; a price below it by no more than this many ulps of their sum (as
 * prices of deep in-the-money options computed in double precision routinely are) is
 * taken as the intrinsic value itself, with volatility 0, rather than as an arbitrage.
 */
const INTRINSIC_ROUNDING = 8 * Number.EPSILON;

/**
 * Shared core of the generalised Black-Scholes-Merton solvers: σ ≥ 0, or one of the
 * negative outcome codes above. Allocation-free.
 */
function bsmCore(theta: number, spot: number, strike: number, maturity: number, rate: number, dividendYield: number, price: number): number {
  if (!(spot > 0) || spot === Infinity) return BAD_SPOT;
  if (!(strike > 0) || strike === Infinity) return BAD_STRIKE;
  if (!(maturity > 0) || maturity === Infinity) return BAD_MATURITY;
  if (!Number.isFinite(rate)) return BAD_RATE;
  if (!Number.isFinite(dividendYield)) return BAD_YIELD;
  if (!(price >= 0) || price === Infinity) return BAD_PRICE;
  const discountedSpot = spot * Math.exp(-dividendYield * maturity);
  const discountedStrike = strike * Math.exp(-rate * maturity);
  const upper = theta > 0 ? discountedSpot : discountedStrike;
  const intrinsic = theta * (discountedSpot - discountedStrike);
  if (!(price < upper)) return OUT_OF_BOUNDS;
  if (price <= intrinsic) {
    // Within the rounding of the bounds themselves the price is the intrinsic value.
    return price >= intrinsic - INTRINSIC_ROUNDING * (discountedSpot + discountedStrike) ? 0 : OUT_OF_BOUNDS;
  }
  if (price === 0) return 0;
  let x = logForwardMoneyness(spot, strike, rate, dividendYield, maturity);
  // S/K beyond the double range (it under- or overflows): take the logarithms apart
  if (!Number.isFinite(x)) x = Math.log(spot) - Math.log(strike) + (rate - dividendYield) * maturity;
  // e^{rT}/√(FK) = 1/√(S·e^{−qT}·K·e^{−rT}), the pricer's own scale (split if the product
  // would leave the double range)
  const product = discountedSpot * discountedStrike;
  const scale = product > 1e-300 && product < 1e300 ? 1 / Math.sqrt(product) : 1 / (Math.sqrt(discountedSpot) * Math.sqrt(discountedStrike));
  return solveNormalised(price * scale, x, theta, (upper - price) * scale) / Math.sqrt(maturity);
}

/** Black-76 core, as {@link bsmCore}. */
function black76Core(theta: number, forward: number, strike: number, maturity: number, rate: number, price: number): number {
  if (!(forward > 0) || forward === Infinity) return BAD_FORWARD;
  if (!(strike > 0) || strike === Infinity) return BAD_STRIKE;
  if (!(maturity > 0) || maturity === Infinity) return BAD_MATURITY;
  if (!Number.isFinite(rate)) return BAD_RATE;
  if (!(price >= 0) || price === Infinity) return BAD_PRICE;
  const discount = Math.exp(-rate * maturity);
  const upper = (theta > 0 ? forward : strike) * discount;
  const intrinsic = theta * (forward - strike) * discount;
  if (!(price < upper)) return OUT_OF_BOUNDS;
  if (price <= intrinsic) {
    return price >= intrinsic - INTRINSIC_ROUNDING * (forward + strike) * discount ? 0 : OUT_OF_BOUNDS;
  }
  if (price === 0) return 0;
  let x = logMoneyness(forward, strike);
  if (!Number.isFinite(x)) x = Math.log(forward) - Math.log(strike);
  const scale = Math.exp(rate * maturity) / (Math.sqrt(forward) * Math.sqrt(strike));
  return solveNormalised(price * scale, x, theta, (upper - price) * scale) / Math.sqrt(maturity);
}

function thetaOf(type: unknown): number {
  return type === 'call' ? 1 : type === 'put' ? -1 : 0;
}

function numberOrNaN(value: unknown): number {
  return typeof value === 'number' ? value : NaN;
}

/** Turns a negative outcome code of a core into the matching error. */
function failure(code: number, fields: Readonly<Record<string, unknown>>, bounds: () => [number, number]): Error {
  switch (code) {
    case BAD_TYPE:
      return new InvalidInputError('type', fields.type, "must be 'call' or 'put'");
    case BAD_SPOT:
      return new InvalidInputError('spot', fields.spot, 'must be a finite number > 0');
    case BAD_FORWARD:
      return new InvalidInputError('forward', fields.forward, 'must be a finite number > 0');
    case BAD_STRIKE:
      return new InvalidInputError('strike', fields.strike, 'must be a finite number > 0');
    case BAD_MATURITY:
      return new InvalidInputError('maturity', fields.maturity, 'must be a finite number > 0 (years)');
    case BAD_RATE:
      return new InvalidInputError('rate', fields.rate, 'must be a finite number');
    case BAD_YIELD:
      return new InvalidInputError('yield', fields.yield, 'must be a finite number');
    case BAD_PRICE:
      return new InvalidInputError('price', fields.price, 'must be a finite number >= 0');
    default: {
      const [lower, upper] = bounds();
      return new PriceOutOfBoundsError(numberOrNaN(fields.price), lower, upper);
    }
  }
}

/**
 * Black-76 implied volatility σ of a European option on a forward (or future) F,
 * discounted at r: the σ ≥ 0 for which the Black-76 price equals `price`.
 *
 * The price must lie in [max(±(F − K), 0)·e^{−rT}, upper) with upper = F·e^{−rT} for a
 * call and K·e^{−rT} for a put. A price equal to the discounted intrinsic value, or below
 * it by no more than 8 ulps of (F + K)·e^{−rT}, gives 0.
 *
 * @throws InvalidInputError naming the field for a NaN or non-finite input, forward,
 *         strike or maturity ≤ 0, a negative price or an unknown type
 * @throws PriceOutOfBoundsError (carrying the bounds) for a price below the discounted
 *         intrinsic value or at/above the upper bound
 * @example
 * impliedVolatilityBlack76({ type: 'call', forward: 100, strike: 110, maturity: 0.5, rate: 0.03, price: 2.8 })
 * // 0.22614585650901262
 */
export function impliedVolatilityBlack76(input: Black76ImpliedVolatilityInput): number {
  const theta = thetaOf(input.type);
  const forward = numberOrNaN(input.forward);
  const strike = numberOrNaN(input.strike);
  const maturity = numberOrNaN(input.maturity);
  const rate = numberOrNaN(input.rate);
  const price = numberOrNaN(input.price);
  const result = theta === 0 ? BAD_TYPE : black76Core(theta, forward, strike, maturity, rate, price);
  if (result >= 0) return result;
  throw failure(result, input as unknown as Readonly<Record<string, unknown>>, () => {
    const discount = Math.exp(-rate * maturity);
    const upper = (theta > 0 ? forward : strike) * discount;
    return [Math.max(theta * (forward - strike) * discount, 0), upper];
  });
}

/**
 * Implied volatility σ under the generalised Black-Scholes-Merton model: spot S,
 * continuous rate r and yield q, forward F = S·e^{(r−q)T}.
 *
 * Internally x = ln(F/K) = ln(S/K) + (r − q)T comes from {@link logForwardMoneyness}
 * (log1p near the money, double-double where the two terms cancel, as the pricer does)
 * and the normalised price is price/√(S·e^{−qT}·K·e^{−rT}) = price·e^{rT}/√(FK), the
 * pricer's own scale, kept in range for extreme S·K; the distance to the upper bound is
 * taken in price space, so prices a few ulps below the bound still solve.
 *
 * The price must lie in [max(θ·(S·e^{−qT} − K·e^{−rT}), 0), upper) with upper = S·e^{−qT}
 * for a call and K·e^{−rT} for a put. A price equal to the discounted intrinsic value,
 * or below it by no more than the rounding of the bounds (8 ulps of
 * S·e^{−qT} + K·e^{−rT}, as deep in-the-money prices computed in doubles can be), gives 0.
 *
 * @throws InvalidInputError naming the field for a NaN or non-finite input, spot, strike
 *         or maturity ≤ 0, a negative price or an unknown type
 * @throws PriceOutOfBoundsError (carrying the bounds) for a price below the discounted
 *         intrinsic value or at/above the upper bound
 * @example
 * impliedVolatilityBsm({ type: 'put', spot: 100, strike: 95, maturity: 0.25, rate: 0.05, yield: 0.01, price: 1.5 })
 * // 0.19391593421363088
 */
export function impliedVolatilityBsm(input: BsmImpliedVolatilityInput): number {
  const theta = thetaOf(input.type);
  const spot = numberOrNaN(input.spot);
  const strike = numberOrNaN(input.strike);
  const maturity = numberOrNaN(input.maturity);
  const rate = numberOrNaN(input.rate);
  const dividendYield = numberOrNaN(input.yield);
  const price = numberOrNaN(input.price);
  const result = theta === 0 ? BAD_TYPE : bsmCore(theta, spot, strike, maturity, rate, dividendYield, price);
  if (result >= 0) return result;
  throw failure(result, input as unknown as Readonly<Record<string, unknown>>, () => {
    const discountedSpot = spot * Math.exp(-dividendYield * maturity);
    const discountedStrike = strike * Math.exp(-rate * maturity);
    return [Math.max(theta * (discountedSpot - discountedStrike), 0), theta > 0 ? discountedSpot : discountedStrike];
  });
}

/** The numeric columns of {@link BsmImpliedVolatilityBatchInput}. */
export interface BsmImpliedVolatilityBatchColumns {
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  readonly maturity: Float64Array;
  readonly rate: Float64Array;
  readonly yield: Float64Array;
  /** option prices (present values) */
  readonly price: Float64Array;
}

/**
 * Column-wise inputs of {@link impliedVolatilityBsmBatch}; all columns have the length of
 * the output; `isPut` holds 1 for a put and 0 for a call (the convention of the Greeks
 * batch, so a `BsmBatch` with a `price` column can be passed as it is). Other properties
 * (e.g. `vol`) are ignored.
 */
export type BsmImpliedVolatilityBatchInput = BsmImpliedVolatilityBatchColumns & { readonly isPut: Uint8Array };

/** Per-row outcome codes written to the optional `status` column of the batch. */
export const IMPLIED_VOL_STATUS = { solved: 0, invalidInput: 1, outOfBounds: 2 } as const;

/** What a batch solve did: every row is either solved or counted here, never silently NaN. */
export interface ImpliedVolatilityBatchReport {
  readonly solved: number;
  readonly failed: number;
  /** The first row that could not be solved, with the error the scalar form would throw. */
  readonly firstFailure?: { readonly row: number; readonly error: Error };
}

/**
 * Batch form of {@link impliedVolatilityBsm} over typed arrays, for throughput: row i of
 * the inputs gives out[i]. A row that the scalar function would reject (invalid input,
 * type code other than 0/1, price outside the no-arbitrage bounds) gets NaN in `out`,
 * its code in `status` (see {@link IMPLIED_VOL_STATUS}) when a status column is given,
 * and is counted in the returned report, which also carries the first failure's error.
 * Every other row gets exactly the scalar result. A batch of market quotes often holds
 * a few stale prices; they are reported, not allowed to abort the other rows.
 *
 * @throws InvalidInputError only when a column's length differs from `out.length`
 * @example
 * const out = new Float64Array(2);
 * const report = impliedVolatilityBsmBatch({
 *   isPut: Uint8Array.of(0, 1), spot: Float64Array.of(100, 100), strike: Float64Array.of(110, 90),
 *   maturity: Float64Array.of(1, 1), rate: Float64Array.of(0.02, 0.02), yield: Float64Array.of(0, 0),
 *   price: Float64Array.of(5, -1),
 * }, out);
 * // out: [0.20146119641446458, NaN]; report: { solved: 1, failed: 1, firstFailure: { row: 1, error: InvalidInputError(price ...) } }
 */
export function impliedVolatilityBsmBatch(input: BsmImpliedVolatilityBatchInput, out: Float64Array, status?: Int8Array): ImpliedVolatilityBatchReport {
  const n = out.length;
  const columns = [
    ['isPut', input.isPut],
    ['spot', input.spot],
    ['strike', input.strike],
    ['maturity', input.maturity],
    ['rate', input.rate],
    ['yield', input.yield],
    ['price', input.price],
    ...(status ? ([['status', status]] as const) : []),
  ] as const;
  for (const [name, column] of columns) {
    if (column.length !== n) throw new InvalidInputError(`${name}.length`, column.length, `must equal out.length (${n})`);
  }
  const { isPut, spot, strike, maturity, rate, price } = input;
  const dividendYield = input.yield;
  let failed = 0;
  let firstFailedRow = -1;
  let firstCode = 0;
  for (let i = 0; i < n; i++) {
    const code = isPut[i]!;
    const theta = code === 0 ? 1 : code === 1 ? -1 : 0;
    const result = theta === 0 ? BAD_TYPE : bsmCore(theta, spot[i]!, strike[i]!, maturity[i]!, rate[i]!, dividendYield[i]!, price[i]!);
    if (result >= 0) {
      out[i] = result;
      if (status) status[i] = IMPLIED_VOL_STATUS.solved;
    } else {
      out[i] = NaN;
      if (status) status[i] = result === OUT_OF_BOUNDS ? IMPLIED_VOL_STATUS.outOfBounds : IMPLIED_VOL_STATUS.invalidInput;
      if (failed === 0) {
        firstFailedRow = i;
        firstCode = result;
      }
      failed++;
    }
  }
  if (failed === 0) return { solved: n, failed: 0 };
  const row = firstFailedRow;
  const fields = {
    type: isPut[row] === 0 ? 'call' : isPut[row] === 1 ? 'put' : isPut[row],
    spot: spot[row],
    strike: strike[row],
    maturity: maturity[row],
    rate: rate[row],
    yield: dividendYield[row],
    price: price[row],
  };
  const error = failure(firstCode, fields, () => {
    const theta = isPut[row] === 1 ? -1 : 1;
    const discountedSpot = spot[row]! * Math.exp(-dividendYield[row]! * maturity[row]!);
    const discountedStrike = strike[row]! * Math.exp(-rate[row]! * maturity[row]!);
    return [Math.max(theta * (discountedSpot - discountedStrike), 0), theta > 0 ? discountedSpot : discountedStrike];
  });
  return { solved: n - failed, failed, firstFailure: { row, error } };
}
