/**
 * Price paths cut or resampled from recorded series, so that a replay gives a
 * distribution instead of one path:
 *
 * - **series**: each series (e.g. one CSV per month) is a path;
 * - **windows**: rolling windows of each series, one starting every `everyMs`, each as
 *   long as the run (its horizon); windows that overlap share prices, so their paths are
 *   dependent;
 * - **bootstrap**: the stationary bootstrap of Politis & Romano (1994) of the series'
 *   one-step log returns: a path starts at a random return, then at each step either
 *   takes the next return of the same series (wrapping to that series' first at its end)
 *   or, with probability 1/L, jumps to a random one, L = meanBlockMs / stepMs being the
 *   mean block length in steps. Blocks keep the returns' short-range dependence
 *   (volatility clusters) that an i.i.d. resample (L = 1) destroys. Path p draws from its
 *   own stream (seed, p), so it is the same in every run with that seed.
 *
 * Every path is read on one regular grid of `stepMs` (the data's spacing, or a coarser
 * step), as of each instant: the price of the series' last row at or before it. Each
 * path is rescaled to start at `spot`, so that a book written at that price keeps its
 * moneyness on every path (the returns are the data's, the level is the book's).
 *
 * @see D. N. Politis, J. P. Romano, "The Stationary Bootstrap", JASA 89 (1994) 1303-1313.
 */
import { InvalidInputError } from '../errors.ts';
import { MS_PER_YEAR } from '../exposure/positions.ts';
import { MAX_PRICE_LEVEL, MIN_PRICE_LEVEL, requirePositive } from '../pricing/option-inputs.ts';
import { Xoshiro128 } from './random.ts';

/** A recorded series: offsets in ms from its first row (first 0, strictly increasing) and its prices. */
export interface RecordedSeries {
  readonly offsetsMs: ArrayLike<number>;
  readonly prices: ArrayLike<number>;
}

export type HistorySampling =
  | { readonly kind: 'series' }
  | { readonly kind: 'windows'; readonly everyMs: number }
  | { readonly kind: 'bootstrap'; readonly meanBlockMs: number };

export interface HistoryMarket {
  readonly kind: 'history';
  readonly series: readonly RecordedSeries[];
  /** The price every path starts at, USD. */
  readonly spot: number;
  /** The grid step, ms (at least the data's spacing). */
  readonly stepMs: number;
  readonly sampling: HistorySampling;
}

/** Where a path of a series or windows run comes from: its series and the offset its window starts at. */
export interface PathOrigin {
  readonly series: number;
  readonly startMs: number;
}

function validateSeries(series: RecordedSeries, name: string): void {
  const { offsetsMs, prices } = series;
  if (offsetsMs.length !== prices.length) throw new InvalidInputError(`${name}.prices.length`, prices.length, `must equal the number of timestamps (${offsetsMs.length})`);
  if (prices.length < 2) throw new InvalidInputError(`${name}.prices`, prices.length, 'needs at least 2 observations');
  if (offsetsMs[0] !== 0) throw new InvalidInputError(`${name}.offsetsMs[0]`, offsetsMs[0], 'must be 0 (offsets are from the first observation)');
  for (let i = 0; i < prices.length; i++) {
    const p = prices[i]!;
    if (!(p >= MIN_PRICE_LEVEL && p <= MAX_PRICE_LEVEL)) throw new InvalidInputError(`${name}.prices[${i}]`, p, `must be a price in [${MIN_PRICE_LEVEL}, ${MAX_PRICE_LEVEL}]`);
    if (i > 0 && !(offsetsMs[i]! > offsetsMs[i - 1]!)) throw new InvalidInputError(`${name}.offsetsMs[${i}]`, offsetsMs[i], 'must be after the previous timestamp');
  }
}

/**
 * Checks a history market's series (≥ 2 rows, offsets from 0 and increasing, prices in
 * range), its spot, step and sampling; throws an InvalidInputError naming the field.
 *
 * @example
 * validateHistoryMarket({ kind: 'history', series: [s], spot: 3000, stepMs: 3_600_000, sampling: { kind: 'bootstrap', meanBlockMs: 60_000 } });
 * // throws: market.sampling.meanBlockMs must be at least one step
 */
export function validateHistoryMarket(market: HistoryMarket): void {
  if (market.series.length === 0) throw new InvalidInputError('market.series', 0, 'needs at least one series');
  market.series.forEach((s, i) => validateSeries(s, `market.series[${i}]`));
  if (!(market.spot >= MIN_PRICE_LEVEL && market.spot <= MAX_PRICE_LEVEL)) throw new InvalidInputError('market.spot', market.spot, `must be a price in [${MIN_PRICE_LEVEL}, ${MAX_PRICE_LEVEL}]`);
  requirePositive(market.stepMs, 'market.stepMs');
  const sampling = market.sampling;
  switch (sampling.kind) {
    case 'series':
      return;
    case 'windows':
      requirePositive(sampling.everyMs, 'market.sampling.everyMs');
      return;
    case 'bootstrap':
      if (!(sampling.meanBlockMs >= market.stepMs)) throw new InvalidInputError('market.sampling.meanBlockMs', sampling.meanBlockMs, `must be at least one step (${market.stepMs} ms)`);
      return;
    default:
      throw new InvalidInputError('market.sampling.kind', (sampling as { kind: unknown }).kind, 'must be "series", "windows" or "bootstrap"');
  }
}

/** The span of a series, ms (its last offset). */
const spanOf = (s: RecordedSeries): number => s.offsetsMs[s.offsetsMs.length - 1]!;

/**
 * The spacing of a series' rows: the median of the gaps between consecutive rows (a
 * missing row or two does not change it), ms.
 *
 * @example
 * dataSpacingMs({ offsetsMs: [0, 3_600_000, 7_200_000, 14_400_000], prices: [1, 1, 1, 1] }); // 3,600,000 (1 h)
 */
export function dataSpacingMs(series: RecordedSeries): number {
  const gaps = Float64Array.from({ length: series.offsetsMs.length - 1 }, (_, i) => series.offsetsMs[i + 1]! - series.offsetsMs[i]!).sort();
  return gaps[Math.floor((gaps.length - 1) / 2)]!;
}

/**
 * Gaps in a series longer than 1.5 grid steps: instants where the price read is a row
 * older than the step (carried across the gap).
 *
 * @example
 * dataGaps({ offsetsMs: [0, 3_600_000, 7_200_000, 14_400_000], prices: [1, 1, 1, 1] }, 3_600_000); // 1
 */
export function dataGaps(series: RecordedSeries, stepMs: number): number {
  let gaps = 0;
  for (let i = 1; i < series.offsetsMs.length; i++) if (series.offsetsMs[i]! - series.offsetsMs[i - 1]! > 1.5 * stepMs) gaps++;
  return gaps;
}

/** The number of windows of one series of `spanMs` for a run of `horizonMs` (0 when it is shorter). */
const windowsOf = (spanMs: number, horizonMs: number, everyMs: number): number => (spanMs < horizonMs ? 0 : Math.floor((spanMs - horizonMs) / everyMs + 1e-9) + 1);

/**
 * How many distinct paths the market has over a run of `horizonMs`: the series, the
 * windows, or Infinity (a bootstrap draws as many as asked). A series shorter than the
 * run is an error for `series` (it cannot be a path), and gives no window.
 *
 * @example
 * // two series of 30 days, windows of 7 days every day: 24 windows each
 * historyPathCount(market, 7 * MS_PER_DAY); // 48
 */
export function historyPathCount(market: HistoryMarket, horizonMs: number): number {
  const sampling = market.sampling;
  if (sampling.kind === 'bootstrap') return Infinity;
  if (sampling.kind === 'series') {
    market.series.forEach((s, i) => {
      if (spanOf(s) < horizonMs) throw new InvalidInputError(`market.series[${i}]`, `${spanOf(s)} ms`, `is shorter than the run (${horizonMs} ms): each series is a path and must cover the horizon`);
    });
    return market.series.length;
  }
  return market.series.reduce((n, s) => n + windowsOf(spanOf(s), horizonMs, sampling.everyMs), 0);
}

/**
 * The series and window start of path `path` (series and windows; undefined for a
 * bootstrap, whose paths are drawn).
 *
 * @example
 * historyPathOrigin(market, 7 * MS_PER_DAY, 25); // { series: 1, startMs: 86_400_000 }: series 1's second window
 */
export function historyPathOrigin(market: HistoryMarket, horizonMs: number, path: number): PathOrigin | undefined {
  const sampling = market.sampling;
  if (sampling.kind === 'bootstrap') return undefined;
  let left = path;
  for (let j = 0; j < market.series.length; j++) {
    const count = sampling.kind === 'series' ? 1 : windowsOf(spanOf(market.series[j]!), horizonMs, sampling.everyMs);
    if (left < count) return { series: j, startMs: sampling.kind === 'series' ? 0 : left * sampling.everyMs };
    left -= count;
  }
  return undefined;
}

/** The index of the last row at or before `atMs` (0 before the first). */
function rowAtOrBefore(offsets: ArrayLike<number>, atMs: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (offsets[mid]! <= atMs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Annualised realised vol of all the series together: √(Σ ln(Sᵢ/Sᵢ₋₁)² / Σ spans), the
 * zero-mean estimator of a replay, over every row of every series.
 *
 * @example
 * historyRealisedVol({ series: [jan, feb] }); // e.g. 0.6972 for eth-hourly-90d.csv alone
 */
export function historyRealisedVol(market: Pick<HistoryMarket, 'series'>): number {
  let sumSquares = 0;
  let years = 0;
  for (const s of market.series) {
    for (let i = 1; i < s.prices.length; i++) sumSquares += Math.log(s.prices[i]! / s.prices[i - 1]!) ** 2;
    years += spanOf(s) / MS_PER_YEAR;
  }
  return Math.sqrt(sumSquares / years);
}

/** What createPathSource needs of a grid. */
interface Grid {
  readonly offsetsMs: Float64Array;
}

/** Fills path `path` into `out`; the number of distinct paths. */
export interface HistorySource {
  readonly pathCount: number;
  fill(path: number, out: Float64Array): number;
}

function checkLevel(path: number, k: number, price: number): void {
  if (!(price >= MIN_PRICE_LEVEL && price <= MAX_PRICE_LEVEL)) {
    throw new InvalidInputError(`path ${path} price at step ${k}`, price, `left [${MIN_PRICE_LEVEL}, ${MAX_PRICE_LEVEL}]: rescaled to start at the market's spot, the series leaves the range`);
  }
}

/** Series and windows: each path read from its series as of each instant, rescaled to the spot. */
function windowSource(market: HistoryMarket, grid: Grid): HistorySource {
  const horizonMs = grid.offsetsMs[grid.offsetsMs.length - 1]!;
  const pathCount = historyPathCount(market, horizonMs);
  if (pathCount === 0) {
    const longest = Math.max(...market.series.map(spanOf));
    throw new InvalidInputError('market.series', `${longest} ms`, `is the longest series, shorter than one window of the run (${horizonMs} ms): no window fits`);
  }
  return {
    pathCount,
    fill(path, out) {
      const origin = historyPathOrigin(market, horizonMs, path);
      if (origin === undefined) throw new InvalidInputError('path', path, `is beyond the market's ${pathCount} paths`);
      const { offsetsMs, prices } = market.series[origin.series]!;
      let row = rowAtOrBefore(offsetsMs, origin.startMs);
      const scale = market.spot / prices[row]!;
      for (let k = 0; k < grid.offsetsMs.length; k++) {
        const at = origin.startMs + grid.offsetsMs[k]!;
        while (row + 1 < offsetsMs.length && offsetsMs[row + 1]! <= at) row++;
        const price = prices[row]! * scale;
        checkLevel(path, k, price);
        out[k] = price;
      }
      return 0;
    },
  };
}

/** The stationary bootstrap of the series' one-step log returns (read on the grid step). */
function bootstrapSource(market: HistoryMarket, grid: Grid, seed: number, meanBlockMs: number): HistorySource {
  const step = market.stepMs;
  for (let k = 1; k < grid.offsetsMs.length; k++) {
    if (grid.offsetsMs[k]! - grid.offsetsMs[k - 1]! !== step) {
      throw new InvalidInputError('horizon', `${grid.offsetsMs[grid.offsetsMs.length - 1]} ms`, `must be a whole number of steps of ${step} ms for a bootstrap (each step draws one return of that length)`);
    }
  }
  // Every series' returns on the step, pooled; next[i]: the return after i in its series (wrapping).
  const returns: number[] = [];
  const next: number[] = [];
  for (const { offsetsMs, prices } of market.series) {
    const first = returns.length;
    const steps = Math.floor(spanOf({ offsetsMs, prices }) / step);
    let row = 0;
    let previous = prices[0]!;
    for (let i = 1; i <= steps; i++) {
      while (row + 1 < offsetsMs.length && offsetsMs[row + 1]! <= i * step) row++;
      returns.push(Math.log(prices[row]! / previous));
      previous = prices[row]!;
      next.push(returns.length);
    }
    if (returns.length > first) next[next.length - 1] = first;
  }
  const count = returns.length;
  if (count === 0) throw new InvalidInputError('market.stepMs', step, 'is longer than every series: there is no return to resample');
  const pooled = Float64Array.from(returns);
  const after = Int32Array.from(next);
  const restart = step / meanBlockMs; // 1/L
  const rng = new Xoshiro128(seed);
  const points = grid.offsetsMs.length;
  return {
    pathCount: Infinity,
    fill(path, out) {
      rng.reseed(seed, path);
      let i = Math.floor(rng.nextDouble() * count);
      let s = market.spot;
      out[0] = s;
      for (let k = 1; k < points; k++) {
        if (k > 1) i = rng.nextDouble() < restart ? Math.floor(rng.nextDouble() * count) : after[i]!;
        s *= Math.exp(pooled[i]!);
        checkLevel(path, k, s);
        out[k] = s;
      }
      return 0;
    },
  };
}

/**
 * The path source of a history market on a run's grid (regular, of the market's step).
 *
 * @example
 * const source = createHistorySource(market, buildTimeGrid(horizonMs, { stepMs: market.stepMs }), seed);
 * source.fill(3, prices); // path 3: window 3, or bootstrap draw 3 of the seed
 */
export function createHistorySource(market: HistoryMarket, grid: Grid, seed: number): HistorySource {
  validateHistoryMarket(market);
  return market.sampling.kind === 'bootstrap' ? bootstrapSource(market, grid, seed, market.sampling.meanBlockMs) : windowSource(market, grid);
}
