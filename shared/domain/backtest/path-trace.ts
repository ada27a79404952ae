/**
 * The step-by-step record of one path of a backtest, for a sample-path chart: what the
 * market did, what the book's risk was, what the hedge held, and what the hedged book
 * was worth, at every instant of the grid. The simulator fills it (runBacktest's
 * `trace` option) for one path id; a run without it records nothing and pays nothing.
 *
 * Every value at instant k is taken after that instant's trades (what is carried into
 * the next interval), so that delta[k] = optionDelta[k] + hedgeUnits[k] is the delta the
 * book runs with until k + 1. At the last instant the hedge is unwound and the options
 * have settled or been marked: the Greeks are 0 there and `pnl` is the path's P&L.
 */
import { InvalidInputError } from '../errors.ts';

/** Which path to record: its id in the run (as `firstPath + i`). */
export interface PathTraceRequest {
  readonly path: number;
}

export interface PathTrace {
  /** The path recorded. */
  readonly path: number;
  /** Price of the underlying, USD. */
  readonly spot: Float64Array;
  /**
   * Delta of the live options (the book's and any the policy bought), units of the
   * underlying, at the vol the hedge uses (the Greeks the policy sees).
   */
  readonly optionDelta: Float64Array;
  /** Gamma of the live options, units of the underlying per USD of price. */
  readonly gamma: Float64Array;
  /** Vega of the live options, USD per vol point (1%). */
  readonly vegaPerVolPoint: Float64Array;
  /** The delta-one hedge held (perp + spot), signed units of the underlying. */
  readonly hedgeUnits: Float64Array;
  /** The policy's band half-width in units at the instant (NaN without a band). */
  readonly bandUnits: Float64Array;
  /**
   * The hedged book's value, USD PV at t0: premium − costs so far + the live options at
   * Black-Scholes (pricing vol). About 0 at t0 (less the first trades' costs); the
   * path's P&L (premium − hedge cost) at the last instant.
   */
  readonly pnl: Float64Array;
  /** Fees + slippage + gas paid so far, USD PV at t0. */
  readonly transactionCosts: Float64Array;
  /** Orders executed so far (the unwind at the end included). */
  readonly trades: Float64Array;
}

/**
 * An empty trace of `points` instants (the run fills it).
 *
 * @example
 * const trace = allocatePathTrace(3, 101); // path 3 of a 100-step grid
 */
export function allocatePathTrace(path: number, points: number): PathTrace {
  if (!Number.isInteger(path) || path < 0) throw new InvalidInputError('trace.path', path, 'must be a path id (an integer >= 0)');
  const series = (): Float64Array => new Float64Array(points);
  return {
    path,
    spot: series(),
    optionDelta: series(),
    gamma: series(),
    vegaPerVolPoint: series(),
    hedgeUnits: series(),
    bandUnits: series().fill(NaN),
    pnl: series(),
    transactionCosts: series(),
    trades: series(),
  };
}
