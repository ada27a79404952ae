/**
 * Tail risk of per-path results: Value at Risk and Conditional Value at Risk (expected
 * shortfall) of the upper tail, with Monte-Carlo standard errors, and the paths that
 * sit furthest in it.
 *
 * ## Convention
 *
 * The values are costs or losses: larger is worse (the backtester's hedge cost, money
 * paid; a loss is −P&L). At level α (0.95, 0.99), over n paths sorted x₍₁₎ ≤ … ≤ x₍ₙ₎:
 *
 * - **VaR_α** = x₍ₖ₎ with k = ⌈nα⌉: the α-quantile of the empirical distribution (the
 *   smallest x with at least a fraction α of the paths at or below it); a cost exceeded
 *   on at most a fraction 1 − α of the paths.
 * - **CVaR_α** = VaR_α + Σᵢ (xᵢ − VaR_α)⁺ / (n(1 − α)): the mean of the worst fraction
 *   1 − α of the paths, the boundary path weighted by the part of it inside the tail
 *   (Acerbi & Tasche 2002; the minimum of Rockafellar & Uryasev's function). With n(1 − α)
 *   an integer it is the plain mean of the n(1 − α) largest values.
 *
 * ## Standard errors (Monte-Carlo error: what another seed would move the number by)
 *
 * - VaR: √(α(1−α)/n) / f(VaR) with the density f estimated by the spacing of the order
 *   statistics one binomial standard deviation m = √(nα(1−α)) either side of k
 *   (a Siddiqui–Bloch–Gastwirth sparsity estimate with that bandwidth):
 *   s.e. = (x₍⌈nα+m⌉₎ − x₍⌈nα−m⌉₎) / 2. Not defined (NaN) when either index leaves 1…n.
 *   Beside it, a distribution-free 95% interval from the order statistics whose ranks
 *   are nα ∓ 1.96·m (the binomial count of paths below the true quantile).
 * - CVaR: sd((xᵢ − VaR_α)⁺) / ((1 − α)√n), the asymptotic error of the estimator above
 *   (the error of VaR itself drops out at first order, as VaR minimises it; Hong & Liu 2009).
 *   Not defined with fewer than 2 paths in the tail.
 *
 * @see C. Acerbi, D. Tasche, "On the coherence of expected shortfall", J. Banking &
 *      Finance 26 (2002); R. T. Rockafellar, S. Uryasev, J. Risk 2 (2000);
 *      L. J. Hong, G. Liu, "Simulating sensitivities of conditional value at risk",
 *      Management Science 55 (2009); M. M. Siddiqui, Biometrika 47 (1960).
 */
import { InvalidInputError } from '../errors.ts';
import { standardDeviation } from './statistics.ts';

/** The levels the backtester reports. */
export const TAIL_LEVELS = [0.95, 0.99] as const;

/** z of a two-sided 95% interval. */
const Z95 = 1.959963984540054;

export interface TailEstimate {
  /** α, e.g. 0.95. */
  readonly level: number;
  /** VaR_α: the ⌈nα⌉-th smallest value. */
  readonly valueAtRisk: number;
  /** Its Monte-Carlo standard error; NaN when not defined (too few paths beyond it). */
  readonly valueAtRiskStdError: number;
  /** Distribution-free 95% confidence interval of VaR_α; null when its ranks leave 1…n. */
  readonly valueAtRiskCi95: readonly [number, number] | null;
  /** CVaR_α (expected shortfall): the mean of the worst fraction 1 − α. */
  readonly expectedShortfall: number;
  /** Its Monte-Carlo standard error; NaN with fewer than 2 paths in the tail. */
  readonly expectedShortfallStdError: number;
  /** Paths strictly above VaR_α. */
  readonly pathsBeyond: number;
}

/** ⌈x⌉ of a product that should be an integer, without a rounding error pushing it up (100·0.95). */
const ceilRank = (x: number): number => Math.ceil(x - 1e-9 * Math.max(1, Math.abs(x)));

function requireLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new InvalidInputError('level', level, 'must be in (0, 1)');
}

/** The values sorted ascending (a copy). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * VaR and CVaR at `level` of values sorted ascending (see the module's definitions).
 *
 * @example
 * // 1, 2, …, 100: the 95th value, and the mean of the five largest
 * tailEstimate(Float64Array.from({ length: 100 }, (_, i) => i + 1), 0.95); // VaR 95, CVaR 98
 */
export function tailEstimate(sorted: ArrayLike<number>, level: number): TailEstimate {
  requireLevel(level);
  const n = sorted.length;
  if (n === 0) throw new InvalidInputError('values', 0, 'needs at least one value');
  const at = (rank: number): number => sorted[rank - 1]!;
  const k = Math.min(n, Math.max(1, ceilRank(n * level)));
  const valueAtRisk = at(k);
  const tailMass = n * (1 - level);
  let excessSum = 0;
  let beyond = 0;
  for (let i = k; i < n; i++) {
    const excess = sorted[i]! - valueAtRisk;
    if (excess > 0) {
      excessSum += excess;
      beyond++;
    }
  }
  const expectedShortfall = valueAtRisk + excessSum / tailMass;

  const m = Math.sqrt(n * level * (1 - level));
  const lo = ceilRank(n * level - m);
  const hi = ceilRank(n * level + m);
  const valueAtRiskStdError = lo >= 1 && hi <= n ? (at(hi) - at(lo)) / 2 : NaN;
  const ciLo = ceilRank(n * level - Z95 * m);
  const ciHi = ceilRank(n * level + Z95 * m);
  const valueAtRiskCi95 = ciLo >= 1 && ciHi <= n ? ([at(ciLo), at(ciHi)] as const) : null;

  // sd of the excesses (zero for the n − beyond paths at or below VaR), two-pass.
  let expectedShortfallStdError = NaN;
  if (beyond >= 2) {
    const meanExcess = excessSum / n;
    let ss = (n - beyond) * meanExcess * meanExcess;
    for (let i = k; i < n; i++) {
      const excess = sorted[i]! - valueAtRisk;
      if (excess > 0) ss += (excess - meanExcess) ** 2;
    }
    expectedShortfallStdError = Math.sqrt(ss / (n - 1)) / ((1 - level) * Math.sqrt(n));
  }
  return { level, valueAtRisk, valueAtRiskStdError, valueAtRiskCi95, expectedShortfall, expectedShortfallStdError, pathsBeyond: beyond };
}

/** VaR and CVaR at each of `levels` (default 95% and 99%) of unsorted values. */
export function tailRisk(values: ArrayLike<number>, levels: readonly number[] = TAIL_LEVELS): TailEstimate[] {
  const sorted = sortedCopy(values);
  return levels.map((level) => tailEstimate(sorted, level));
}

/** A summary of a per-path quantity where large is bad (the drawdown): its mean and upper tail. */
export interface UpperTailSummary {
  readonly mean: number;
  /** std/√n; NaN for one value. */
  readonly stdError: number;
  /** VaR at 95% and 99% (the ⌈nα⌉-th smallest value). */
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  /** Index (0-based, in the input) of the largest value. */
  readonly argMax: number;
}

export function upperTailSummary(values: ArrayLike<number>): UpperTailSummary {
  const n = values.length;
  if (n === 0) throw new InvalidInputError('values', 0, 'needs at least one value');
  let sum = 0;
  let argMax = 0;
  for (let i = 0; i < n; i++) {
    sum += values[i]!;
    if (values[i]! > values[argMax]!) argMax = i;
  }
  const mean = sum / n;
  const sorted = sortedCopy(values);
  const rank = (level: number): number => sorted[Math.min(n, Math.max(1, ceilRank(n * level))) - 1]!;
  return { mean, stdError: standardDeviation(values, mean) / Math.sqrt(n), p95: rank(0.95), p99: rank(0.99), max: sorted[n - 1]!, argMax };
}

/**
 * The indices of the `count` largest values, largest first (ties: the lower index first),
 * e.g. the costliest paths of a run.
 *
 * @example
 * largestIndices([3, 9, 1, 9], 2); // [1, 3]
 */
export function largestIndices(values: ArrayLike<number>, count: number): number[] {
  const n = values.length;
  const take = Math.max(0, Math.min(count, n));
  // A small sorted buffer: count is a handful, n may be millions.
  const best: number[] = [];
  const worse = (a: number, b: number): boolean => values[a]! < values[b]! || (values[a]! === values[b]! && a > b);
  for (let i = 0; i < n; i++) {
    if (best.length === take && (take === 0 || !worse(best[take - 1]!, i))) continue;
    let j = best.length === take ? take - 1 : best.length;
    if (best.length < take) best.push(i);
    while (j > 0 && worse(best[j - 1]!, i)) {
      best[j] = best[j - 1]!;
      j--;
    }
    best[j] = i;
  }
  return best;
}
