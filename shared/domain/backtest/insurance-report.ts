/**
 * What a risk officer asks of portfolio insurance in a backtest: how often the portfolio
 * ends under its floor and by how much, what it gave up of the upside to get there, and
 * how much it traded.
 *
 * ## Definitions (per path; USD at the horizon's date, not discounted)
 *
 * - **value** V: the portfolio at the horizon, its risky leg sold at the last price with
 *   that trade's costs paid: the capital, plus every gain and loss of the risky leg, less
 *   fees, slippage, gas and carry, the cash earning the rate r.
 * - **floor** F: the policy's floor rule at the horizon; a share of the high-water mark is
 *   taken on the portfolio's own value (costs included) at the decision instants.
 * - **shortfall**: (F − V)⁺. "Ending under the floor" is V < F.
 * - **unhedged** U: the capital held in the underlying from t0 (U = C·S_T/S_0·e^{qT}).
 * - **upside capture**: over the paths on which the unhedged book gained (U > C), the mean
 *   gain of the insured portfolio over the mean gain of the unhedged one; **downside
 *   capture** the same over the paths on which it lost. A CPPI or a synthetic put keeps a
 *   part of the upside (capture < 1) to lose less on the way down (downside capture < 1).
 * - **turnover**: notional traded (at the trades' prices) over the capital, per path and
 *   per year.
 *
 * Pure: per-path arrays in, numbers out.
 */
import { InvalidInputError } from '../errors.ts';
import { summarize, type Summary } from './statistics.ts';
import { sortedCopy, tailEstimate, type TailEstimate } from './tail-risk.ts';

/** An insured run's per-path outcome (Float64Array of length paths). */
export interface InsurancePaths {
  /** V: the portfolio's value at the horizon. */
  readonly value: Float64Array;
  /** F: the floor at the horizon. */
  readonly floor: Float64Array;
  /** 1 when the value was under the floor at some decision instant of the path (after its trades) or at the end, else 0. */
  readonly everUnder: Float64Array;
  /** U: the capital held in the underlying from t0, at the horizon. */
  readonly unhedged: Float64Array;
  /** Notional traded, USD at the trades' prices (the unwind included). */
  readonly tradedNotional: Float64Array;
}

export interface InsuranceReport {
  readonly method: 'cppi' | 'syntheticPut';
  readonly capitalUsd: number;
  readonly value: Summary;
  readonly unhedgedValue: Summary;
  /** Fraction of the paths that end under the floor (V < F), and its Monte-Carlo standard error. */
  readonly probabilityUnderFloor: number;
  readonly probabilityUnderFloorStdError: number;
  readonly pathsUnderFloor: number;
  /** Fraction of the paths under the floor at some decision instant or at the end. */
  readonly probabilityEverUnderFloor: number;
  /** The mean shortfall of the paths that end under the floor; null when none does. */
  readonly meanShortfall: number | null;
  /** The shortfall's 99% VaR and CVaR over all paths (CVaR: the mean of the 1% worst shortfalls, 0 on paths above the floor). */
  readonly shortfall99: TailEstimate;
  /** Mean gain of the insured over the unhedged portfolio on the paths where the unhedged one gained; null without such paths. */
  readonly upsideCapture: number | null;
  /** The same on the paths where the unhedged one lost; null without such paths. */
  readonly downsideCapture: number | null;
  /** Notional traded over the capital, per path and per year. */
  readonly turnover: number;
  readonly turnoverPerYear: number;
}

/**
 * @example
 * insuranceReport(perPath.insurance, { method: 'cppi', capitalUsd: 100_000 }, 0.25).probabilityUnderFloor; // 0.003
 */
export function insuranceReport(paths: InsurancePaths, insured: { readonly method: 'cppi' | 'syntheticPut'; readonly capitalUsd: number }, horizonYears: number): InsuranceReport {
  const n = paths.value.length;
  if (n === 0) throw new InvalidInputError('paths', 0, 'needs at least one path');
  const capital = insured.capitalUsd;
  const shortfall = new Float64Array(n);
  let under = 0;
  let everUnder = 0;
  let shortfallUnder = 0;
  let upInsured = 0;
  let upUnhedged = 0;
  let upPaths = 0;
  let downInsured = 0;
  let downUnhedged = 0;
  let downPaths = 0;
  let traded = 0;
  for (let p = 0; p < n; p++) {
    const v = paths.value[p]!;
    const gap = paths.floor[p]! - v;
    if (gap > 0) {
      under++;
      shortfall[p] = gap;
      shortfallUnder += gap;
    }
    if (paths.everUnder[p] === 1 || gap > 0) everUnder++;
    const unhedged = paths.unhedged[p]!;
    if (unhedged > capital) {
      upPaths++;
      upInsured += v - capital;
      upUnhedged += unhedged - capital;
    } else if (unhedged < capital) {
      downPaths++;
      downInsured += v - capital;
      downUnhedged += unhedged - capital;
    }
    traded += paths.tradedNotional[p]!;
  }
  const probability = under / n;
  const turnover = traded / n / capital;
  return {
    method: insured.method,
    capitalUsd: capital,
    value: summarize(paths.value),
    unhedgedValue: summarize(paths.unhedged),
    probabilityUnderFloor: probability,
    probabilityUnderFloorStdError: Math.sqrt((probability * (1 - probability)) / n),
    pathsUnderFloor: under,
    probabilityEverUnderFloor: everUnder / n,
    meanShortfall: under > 0 ? shortfallUnder / under : null,
    shortfall99: tailEstimate(sortedCopy(shortfall), 0.99),
    upsideCapture: upPaths > 0 && upUnhedged > 0 ? upInsured / upUnhedged : null,
    downsideCapture: downPaths > 0 && downUnhedged < 0 ? downInsured / downUnhedged : null,
    turnover,
    turnoverPerYear: horizonYears > 0 ? turnover / horizonYears : NaN,
  };
}
