/**
 * The normalised Black call price b(x, s) = B / √(F·K) with x = ln(F/K) and s = σ√T:
 *
 *   b(x, s) = e^{x/2}·N(x/s + s/2) − e^{−x/2}·N(x/s − s/2)
 *
 * Every European price in this library goes through this function, so it is where
 * precision is won or lost. Written naively, the two terms cancel catastrophically out
 * of the money (both are ~1e-200 and agree in their first digits); here no branch
 * subtracts nearly equal numbers:
 *
 * - in the money (x > 0) is the intrinsic value plus the out-of-the-money value
 *   (put-call symmetry b(x) = 2·sinh(x/2) + b(−x)), both positive;
 * - out of the money, with h = x/s < 0 and t = s/2, factor the common exponential:
 *     b = φ-prefactor · [Y(h+t) − Y(h−t)],   prefactor = e^{−(h²+t²)/2}/√(2π),
 *   where Y = N/φ is the Mills ratio; the bracket is evaluated
 *     (a) by the Taylor series in t, 2·Σ t^{2k+1}/(2k+1)!·Y^{(2k+1)}(h), whose
 *         terms are all positive (Y^{(n)}(h) = ∫₀^∞ uⁿ e^{hu−u²/2} du > 0), when t is
 *         small or small against |h| — exactly where the difference would cancel;
 *     (b) as a plain difference of Mills ratios otherwise, where it loses at most a
 *         factor of about two;
 *     (c) directly from N when h + t is large (the first term then dominates and the
 *         Mills ratio of a large positive argument would overflow).
 *
 * The region split follows the structure of Jäckel's normalised Black function; the
 * all-positive moment series in (a) replaces his asymptotic and small-t expansions.
 *
 * @see P. Jäckel, "Let's Be Rational", Wilmott (2015) 40-53, section 2.
 */
import { erf, erfc } from '../math/error-function.ts';
import { normMillsRatio, ONE_OVER_SQRT_TWO, ONE_OVER_SQRT_TWO_PI } from '../math/normal-distribution.ts';

/**
 * The plain difference Y(h+t) − Y(h−t) loses a factor of about (1 + |h|)/(2t) to
 * cancellation; above this factor (≈ 32·2⁻⁵² ≈ 1e-14 relative) the series takes over.
 */
const MAX_CANCELLATION = 128;
/** Below this |h| the forward recursion for Y^{(n)}(h) is stable enough (loses < 20x). */
const FORWARD_RECURSION_MAX_ABS_H = 4;
/**
 * h + t above this: N(h+t) ≥ 0.75, the first Black term dominates (the two terms cancel
 * by at most ~2x); use N directly. Chosen as 0.46875·√2 so that the Mills ratios the
 * BSM kernel needs all have erfcx arguments ≥ −0.46875 (see black-scholes-merton.ts).
 */
export const FIRST_TERM_DOMINATES = 0.46875 * Math.SQRT2;

/**
 * Whether Y(h+t) − Y(h−t) (h ≤ 0) must come from the series: a plain difference would
 * lose more than a factor of about two to cancellation.
 */
export function needsMillsSeries(h: number, t: number): boolean {
  return 1 - h > 2 * MAX_CANCELLATION * t;
}
/** Most derivatives Y^{(n)} the series can need (t²/h² ≤ 1/4 gives < 60 terms). */
const MAX_ORDER = 128;
/**
 * Depth of the backward continued fraction r_n = n/(|h| + r_{n+1}) below the last ratio
 * the series needs, for ~1e-17 accuracy; it is only used for |h| ≥ 4. (Measured against
 * a 5000-deep evaluation: |h| = 4 needs 53 levels, 8 needs 23, 20 needs 11.)
 */
const fractionDepth = (absH: number): number => Math.ceil(212 / absH) + 4;

const ratios = new Float64Array(MAX_ORDER + 2);

/**
 * Normalised intrinsic value of a call, 2·sinh(x/2) = (F − K)/√(FK), for x ≥ 0.
 */
export function normalisedIntrinsicCall(x: number): number {
  return x > 0 ? 2 * Math.sinh(0.5 * x) : 0;
}

/**
 * Y(h+t) − Y(h−t) for h < 0, t > 0 by its Taylor series in t. The derivatives
 * M_n = Y^{(n)}(h) satisfy M_{n+1} = n·M_{n−1} + h·M_n with M_0 = Y(h), M_1 = 1 + h·Y(h).
 * For h ≤ −1 the forward recursion cancels (it is the minimal solution), so the ratios
 * r_n = M_n/M_{n−1} = n/(|h| + r_{n+1}) come from a backward continued fraction; for
 * −4 < h < 0 the forward recursion loses little (M_1 = 1 + h·Y cancels by < 20x) and is
 * only asked for a few terms, since t is small there.
 */
export function millsDifferenceSeries(h: number, t: number): number {
  const t2 = t * t;
  const m0 = normMillsRatio(h);
  let sum = 0;
  if (h > -FORWARD_RECURSION_MAX_ABS_H) {
    let mPrev = m0;
    let m = 1 + h * m0; // M_1
    let power = t; // t^{2k+1}/(2k+1)!
    for (let n = 1; n < MAX_ORDER; n += 2) {
      const term = power * m;
      sum += term;
      if (term <= 1e-17 * sum) break;
      // advance two orders: M_{n+1}, M_{n+2}
      const mNext = n * mPrev + h * m;
      const mNext2 = (n + 1) * m + h * mNext;
      mPrev = mNext;
      m = mNext2;
      power *= t2 / ((n + 1) * (n + 2));
    }
    return 2 * sum;
  }
  const a = -h;
  // Terms needed: (t/|h|)^{2k} < 1e-17 with a margin; t < |h|/32 keeps this small.
  const ratio = t / a;
  const needed = ratio <= 0 ? 1 : Math.min(MAX_ORDER, 2 * Math.ceil(39.2 / (-2 * Math.log(ratio))) + 3);
  // The fraction's tail as p/q (r_n = n·q/(a·q + p)): no division per level, only
  // where a ratio is needed. p and q grow like a^depth; they are rescaled (exactly, by a
  // power of two) long before they could overflow.
  if (a > 1e20) {
    // r_{n+1} ≤ (n+1)/a is below a's last bit: the fraction is n/a to full precision.
    for (let n = 1; n <= needed; n++) ratios[n] = n / a;
  } else {
    let p = 0;
    let q = 1;
    for (let n = needed + fractionDepth(a); n >= 1; n--) {
      const next = n * q;
      q = a * q + p;
      p = next;
      if (q > 1e150) {
        p *= 2 ** -500;
        q *= 2 ** -500;
      }
      if (n <= needed) ratios[n] = p / q;
    }
  }
  let m = m0;
  let power = t;
  for (let n = 1; n <= needed; n++) {
    m *= ratios[n]!;
    if ((n & 1) === 1) {
      const term = power * m;
      sum += term;
      if (term <= 1e-17 * sum) break;
      power *= t2 / ((n + 1) * (n + 2));
    }
  }
  return 2 * sum;
}

/**
 * Out-of-the-money normalised call, x ≤ 0, s > 0.
 */
function normalisedBlackCallOutOfTheMoney(x: number, s: number): number {
  if (x === 0) return erf(0.25 * s * Math.SQRT2); // erf(t/√2) with t = s/2
  const h = x / s;
  const t = 0.5 * s;
  const prefactor = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t));
  if (h + t > FIRST_TERM_DOMINATES) {
    // N(h+t) ≥ 0.8 and its term dominates: no cancellation. The second term
    // e^{−x/2}·N(h−t) is written as prefactor·Y(h−t): e^{−x/2} alone would overflow
    // (and N(h−t) underflow) for very negative x.
    const first = Math.exp(0.5 * x) * 0.5 * erfc(-(h + t) * ONE_OVER_SQRT_TWO);
    return first - prefactor * normMillsRatio(h - t);
  }
  if (prefactor === 0) return 0; // below the smallest double: the price underflows
  const difference = needsMillsSeries(h, t) ? millsDifferenceSeries(h, t) : normMillsRatio(h + t) - normMillsRatio(h - t);
  return prefactor * difference;
}

/**
 * Normalised Black call b(x, s) for any x and s ≥ 0. The put is b(−x, s).
 *
 * @param x log-moneyness ln(F/K)
 * @param s total volatility σ√T
 * @example normalisedBlackCall(0, 0.2) // 0.0796557...
 */
export function normalisedBlackCall(x: number, s: number): number {
  if (x > 0) return normalisedIntrinsicCall(x) + normalisedBlackCall(-x, s);
  if (s <= 0) return 0;
  return normalisedBlackCallOutOfTheMoney(x, s);
}
