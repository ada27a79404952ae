/**
 * A histogram of per-path results for reports: equal bins of a round width covering the
 * bulk of the values (from the 0.5% to the 99.5% quantile, rounded outwards to the
 * width), and the few values beyond counted apart, so that one extreme path does not
 * squeeze every other path into a single bar.
 */
import { InvalidInputError } from '../errors.ts';

export interface HistogramBin {
  /** Lower edge (included). */
  readonly lo: number;
  /** Upper edge (excluded, except for the last bin, which includes it). */
  readonly hi: number;
  readonly count: number;
}

export interface Histogram {
  readonly bins: readonly HistogramBin[];
  /** Values below the first bin's lower edge. */
  readonly below: number;
  /** Values above the last bin's upper edge. */
  readonly above: number;
  readonly total: number;
  /** The bins' width. */
  readonly width: number;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k that is at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw * (1 - 1e-12)) ?? 10 * magnitude;
}

/**
 * About `targetBins` bins (up to targetBins + 2 after rounding) of a round width.
 *
 * @example
 * histogram(Float64Array.from({ length: 1000 }, (_, i) => i), 10); // 10 bins of 100, none beyond
 */
export function histogram(values: ArrayLike<number>, targetBins = 12): Histogram {
  const n = values.length;
  if (n === 0) throw new InvalidInputError('values', 0, 'needs at least one value');
  if (!Number.isInteger(targetBins) || targetBins < 1) throw new InvalidInputError('targetBins', targetBins, 'must be an integer >= 1');
  const sorted = Float64Array.from(values).sort();
  const quantile = (q: number): number => sorted[Math.min(n - 1, Math.max(0, Math.floor(q * (n - 1))))]!;
  // The bulk: the whole range when it is already narrow enough, else 0.5% … 99.5%.
  const [min, max] = [sorted[0]!, sorted[n - 1]!];
  let lo = quantile(0.005);
  let hi = quantile(0.995);
  if (n < 200) [lo, hi] = [min, max];
  const width = hi > lo ? niceStep((hi - lo) / targetBins) : niceStep(Math.abs(lo) * 0.01 || 1);
  const first = Math.floor(lo / width) * width;
  let count = Math.max(1, Math.ceil((hi - first) / width - 1e-9));
  if (first + count * width < hi) count++;
  const end = first + count * width;
  const counts = new Array<number>(count).fill(0);
  let below = 0;
  let above = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (v < first) below++;
    else if (v > end) above++;
    else counts[Math.min(count - 1, Math.floor((v - first) / width))]!++;
  }
  const bins = counts.map((c, i) => ({ lo: first + i * width, hi: first + (i + 1) * width, count: c }));
  return { bins, below, above, total: n, width };
}
