/**
 * Per-path measures of the market itself, for per-path output beside the hedging
 * results: each path of a run regenerated from its own stream (seed, path), so the
 * numbers are those of the very prices the simulator hedged.
 */
import { createPathSource } from './market-paths.ts';
import { gridFor, type BacktestSpec } from './simulate.ts';

/**
 * Annualised realised volatility of one price path: √(Σ ln(Sₖ/Sₖ₋₁)² / T) with T the
 * path's span in years (the zero-mean estimator, as the default pricing vol of a replay).
 *
 * @example
 * realisedVolOf(Float64Array.of(100, 110, 100), Float64Array.of(0, 0.5, 1)); // √(2·ln(1.1)²) ≈ 0.1348
 */
export function realisedVolOf(prices: ArrayLike<number>, years: ArrayLike<number>): number {
  let sumSquares = 0;
  for (let k = 1; k < prices.length; k++) {
    const r = Math.log(prices[k]! / prices[k - 1]!);
    sumSquares += r * r;
  }
  const span = years[years.length - 1]! - years[0]!;
  return Math.sqrt(sumSquares / span);
}

/**
 * The realised vol of every path of a run (paths firstPath … firstPath + paths − 1, one
 * for a replay), on the run's grid.
 *
 * @example
 * const vols = pathRealisedVols(spec); // vols[i]: path (spec.firstPath ?? 0) + i
 */
export function pathRealisedVols(spec: BacktestSpec): Float64Array {
  const grid = gridFor(spec);
  const source = createPathSource(spec.market, grid, spec.seed);
  const paths = Math.min(spec.paths, source.pathCount);
  const first = spec.firstPath ?? 0;
  const prices = new Float64Array(grid.offsetsMs.length);
  const out = new Float64Array(paths);
  for (let p = 0; p < paths; p++) {
    source.fill(first + p, prices);
    out[p] = realisedVolOf(prices, grid.years);
  }
  return out;
}

