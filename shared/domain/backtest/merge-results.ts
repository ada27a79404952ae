/**
 * One result from the results of consecutive blocks of paths of a run (specs equal but
 * for `firstPath` and `paths`, block i starting where block i − 1 ended): the run in
 * blocks, e.g. so that a caller can stop between blocks, and what it got so far is the
 * run of that many paths.
 *
 * Every per-path number is the block's own (a path does not depend on the block it runs
 * in). The summary is recomputed from the joined per-path results, so it equals the
 * single run's to the last bit — except `timeOutsideBand`, a ratio of a sum of times that
 * the blocks only report as a ratio (equal to rounding, ~1e-16 relative).
 */
import { InvalidInputError } from '../errors.ts';
import { insuranceReport, type InsurancePaths } from './insurance-report.ts';
import { crashBreakerActivity, pnlByGreekOf, type BacktestResult, type BacktestSummary, type CrashPaths, type PerPathResults } from './simulate.ts';
import { summarize } from './statistics.ts';

const FIELDS = ['hedgeCost', 'option', 'hedge', 'hedgeOptions', 'optionSpread', 'financing', 'funding', 'fees', 'slippage', 'gas', 'liquidityFees', 'trades', 'jumps', 'tradedUnits', 'maxDrawdown', 'pnlGamma', 'pnlTheta', 'pnlDelta', 'pnlCarry', 'pnlCosts', 'pnlOther'] as const satisfies readonly (keyof PerPathResults)[];

/** The blocks' arrays end to end. */
function join(arrays: readonly Float64Array[]): Float64Array {
  const joined = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    joined.set(a, at);
    at += a.length;
  }
  return joined;
}

const meanOf = (a: Float64Array): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]!;
  return sum / a.length;
};

/**
 * @example
 * const whole = mergeBacktestResults([runBacktest({ ...spec, paths: 100 }, policy), runBacktest({ ...spec, firstPath: 100, paths: 50 }, policy)]);
 * // whole.summary: the summary of runBacktest({ ...spec, paths: 150 }, policy)
 */
export function mergeBacktestResults(parts: readonly BacktestResult[]): BacktestResult {
  if (parts.length === 0) throw new InvalidInputError('parts', 0, 'needs at least one result');
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  const paths = parts.reduce((n, r) => n + r.summary.paths, 0);
  const perPath = Object.fromEntries(FIELDS.map((field) => [field, join(parts.map((r) => r.perPath[field]))])) as unknown as PerPathResults;
  const insured = first.insurancePaths !== undefined && first.summary.insurance !== undefined ? first.summary.insurance : undefined;
  const insurancePaths: InsurancePaths | undefined =
    insured === undefined
      ? undefined
      : {
          value: join(parts.map((r) => r.insurancePaths!.value)),
          floor: join(parts.map((r) => r.insurancePaths!.floor)),
          everUnder: join(parts.map((r) => r.insurancePaths!.everUnder)),
          unhedged: join(parts.map((r) => r.insurancePaths!.unhedged)),
          tradedNotional: join(parts.map((r) => r.insurancePaths!.tradedNotional)),
        };
  const crashPaths: CrashPaths | undefined = first.crashPaths === undefined ? undefined : { switches: join(parts.map((r) => r.crashPaths!.switches)), years: join(parts.map((r) => r.crashPaths!.years)) };
  const s0 = first.summary;
  // Counts the blocks report per path or per decision: back to whole numbers, then summed.
  const count = (per: (s: BacktestSummary) => number, of: (s: BacktestSummary) => number): number => parts.reduce((n, r) => n + Math.round(per(r.summary) * of(r.summary)), 0);
  const decisionsOf = (s: BacktestSummary): number => s.paths * s.steps;
  const premium = s0.premium;
  const transactionCosts = new Float64Array(paths);
  let tradedUnits = 0;
  for (let p = 0; p < paths; p++) {
    transactionCosts[p] = perPath.fees[p]! + perPath.slippage[p]! + perPath.gas[p]!;
    tradedUnits += perPath.tradedUnits[p]!;
  }
  const hedgeCost = summarize(perPath.hedgeCost);
  const attributionParts = {
    option: meanOf(perPath.option),
    hedge: meanOf(perPath.hedge),
    hedgeOptions: meanOf(perPath.hedgeOptions),
    optionSpread: meanOf(perPath.optionSpread),
    financing: meanOf(perPath.financing),
    funding: meanOf(perPath.funding),
    fees: meanOf(perPath.fees),
    slippage: meanOf(perPath.slippage),
    gas: meanOf(perPath.gas),
    liquidityFees: meanOf(perPath.liquidityFees),
  };
  const summary: BacktestSummary = {
    bookValue: s0.bookValue,
    premium,
    hedgeCost,
    pnl: summarize(perPath.hedgeCost.map((c) => premium - c)),
    ratio: hedgeCost.std / Math.abs(s0.bookValue),
    tradesPerPath: meanOf(perPath.trades),
    transactionCosts: summarize(transactionCosts),
    tradedUnitsPerPath: tradedUnits / paths,
    timeOutsideBand: s0.timeOutsideBand === null ? null : parts.reduce((t, r) => t + r.summary.timeOutsideBand! * r.summary.paths, 0) / paths,
    decisionsOutsideBand: s0.decisionsOutsideBand === null ? null : count((s) => s.decisionsOutsideBand!, decisionsOf) / parts.reduce((n, r) => n + decisionsOf(r.summary), 0),
    attribution: { ...attributionParts, total: Object.values(attributionParts).reduce((a, b) => a + b, 0) },
    pnlByGreek: pnlByGreekOf(perPath),
    alertsPerPath: count((s) => s.alertsPerPath, (s) => s.paths) / paths,
    skippedOrders: parts.reduce((n, r) => n + r.summary.skippedOrders, 0),
    partialFills: parts.reduce((n, r) => n + r.summary.partialFills, 0),
    legsPerPath: count((s) => s.legsPerPath, (s) => s.paths) / paths,
    jumpsPerPath: meanOf(perPath.jumps),
    ...(insured === undefined ? {} : { insurance: insuranceReport(insurancePaths!, { method: insured.method, capitalUsd: insured.capitalUsd }, s0.horizonYears) }),
    ...(crashPaths === undefined
      ? {}
      : { crashBreaker: crashBreakerActivity(crashPaths, s0.horizonYears, parts.reduce((n, r) => n + (r.summary.crashBreaker?.slippageRefusals ?? 0), 0)) }),
    paths,
    steps: s0.steps,
    horizonYears: s0.horizonYears,
  };
  const trace = parts.find((r) => r.trace !== undefined)?.trace;
  return {
    summary,
    perPath,
    grid: first.grid,
    ...(trace === undefined ? {} : { trace }),
    ...(insurancePaths === undefined ? {} : { insurancePaths }),
    ...(crashPaths === undefined ? {} : { crashPaths }),
  };
}
