/**
 * Summary statistics of per-path results: mean, sample standard deviation (n − 1), the
 * standard error of the mean, and quantiles by linear interpolation between order
 * statistics (Hyndman & Fan type 7, the default of R and NumPy).
 */

export interface Summary {
  readonly mean: number;
  /** Sample standard deviation (n − 1 in the denominator); NaN for one value (not defined). */
  readonly std: number;
  /** std/√n: the Monte Carlo error of the mean; NaN for one value. */
  readonly stdError: number;
  readonly p05: number;
  readonly p50: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length > 0 ? sum / values.length : NaN;
}

/**
 * Sample standard deviation, two-pass (no cancellation between Σx² and (Σx)²). One value
 * has none (0/0): NaN, so that a single replayed path never reports a spread of 0.
 */
export function standardDeviation(values: ArrayLike<number>, mu = mean(values)): number {
  const n = values.length;
  if (n < 2) return NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mu;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

/** Quantile q ∈ [0, 1] of ascending-sorted values (type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function summarize(values: Float64Array): Summary {
  const mu = mean(values);
  const std = standardDeviation(values, mu);
  const sorted = values.slice().sort();
  return {
    mean: mu,
    std,
    stdError: values.length > 0 ? std / Math.sqrt(values.length) : NaN,
    p05: quantileSorted(sorted, 0.05),
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}
