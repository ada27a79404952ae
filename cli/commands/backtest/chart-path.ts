/**
 * `--chart FILE.svg` for one run: which path the chart draws (`--chart-path`: the
 * costliest by default, the median one, or a path id), that path run again alone with
 * the simulator's step-by-step trace (a path alone is the same path, number for number,
 * as inside the run), and the SVG of it all (run-chart.ts).
 */
import { basename } from 'node:path';
import { isBookOption } from '../../../shared/contracts/backtest-config.ts';
import { policyEngineFor } from '../../../shared/domain/backtest/policy-engine.ts';
import { runBacktest } from '../../../shared/domain/backtest/simulate.ts';
import type { PathTrace } from '../../../shared/domain/backtest/path-trace.ts';
import type { BacktestSpec } from '../../../shared/domain/backtest/simulate.ts';
import { largestIndices } from '../../../shared/domain/backtest/tail-risk.ts';
import { QUICK_RUN_UNDERLYING } from './config-assembly.ts';
import type { RunRisk } from './risk-report.ts';
import { renderRunChart } from './run-chart.ts';
import { describeBook, hasDistribution, pathSource } from './run-description.ts';
import type { ExecutedRun } from './sweep-runner.ts';
import { UsageError } from './usage-error.ts';

export type ChartPathChoice = number | 'costliest' | 'median';

/** Grid instants a traced path may have (its trace holds nine of them per instant). */
export const MAX_TRACE_POINTS = 1_000_001;

/**
 * Refuses a path id the run does not have, before anything runs.
 *
 * @example
 * checkChartPath(12, spec); // throws a UsageError when spec runs paths 0 … 9
 */
export function checkChartPath(choice: ChartPathChoice, spec: BacktestSpec, gridPoints: number): void {
  if (gridPoints > MAX_TRACE_POINTS) throw new UsageError(`--chart: the path has ${(gridPoints - 1).toLocaleString('en-US')} steps, more than a chart of one path draws (at most ${(MAX_TRACE_POINTS - 1).toLocaleString('en-US')}): use a coarser --step`);
  if (typeof choice !== 'number') return;
  const first = spec.firstPath ?? 0;
  const last = first + spec.paths - 1;
  if (choice < first || choice > last) {
    throw new UsageError(`--chart-path: path ${choice} is not one of the run's (${first === last ? `path ${first}` : `paths ${first} to ${last}`}${spec.firstPath !== undefined ? ', --only-path' : ''})`);
  }
}

/** The path the chart draws and how the chart names it. */
export function chosenPath(choice: ChartPathChoice, executed: Pick<ExecutedRun, 'perPath' | 'run'>): { path: number; note: string } {
  const cost = executed.perPath.hedgeCost;
  const first = executed.run.spec.firstPath ?? 0;
  const n = cost.length;
  const of = `of ${n.toLocaleString('en-US')}`;
  if (n === 1) return { path: first, note: `path ${first}, the run's only path` };
  if (typeof choice === 'number') return { path: choice, note: `path ${choice} ${of}` };
  if (choice === 'costliest') {
    const costliest = first + largestIndices(cost, 1)[0]!;
    return { path: costliest, note: `path ${costliest}, the costliest ${of}` };
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => cost[a]! - cost[b]! || a - b);
  const median = first + order[Math.floor((n - 1) / 2)]!;
  return { path: median, note: `path ${median}, the median cost ${of}` };
}

/**
 * Path `path` of the run, alone, with its step-by-step trace.
 *
 * @example
 * const { trace } = tracePath(run.spec, 17); // trace.pnl at the end = the run's P&L of path 17
 */
export function tracePath(spec: BacktestSpec, path: number): { trace: PathTrace; years: Float64Array } {
  const result = runBacktest({ ...spec, firstPath: path, paths: 1 }, policyEngineFor(spec), { trace: { path } });
  return { trace: result.trace!, years: result.grid.years };
}

/** The chart of a run: its P&L histogram (when it has a distribution) and the chosen path over time. */
export function runChartSvg(executed: ExecutedRun, risk: RunRisk, choice: ChartPathChoice): { svg: string; path: number; note: string } {
  const { run, summary } = executed;
  const { path, note } = chosenPath(choice, executed);
  const { trace, years } = tracePath(run.spec, path);
  const source = pathSource(run, path);
  const fullNote = source === undefined ? note : `${note} (${basename(source.csv)} from ${source.start.slice(0, 16).replace('T', ' ')}Z)`;
  const distribution =
    hasDistribution(run.spec) && risk.pnlHistogram !== null && risk.tail !== null
      ? { histogram: risk.pnlHistogram, meanPnl: summary.pnl.mean, pnlQuantiles: risk.tail.map((t) => ({ level: `VaR ${Math.round(t.level * 100)}%`, pnl: summary.premium - t.valueAtRisk })) }
      : null;
  const policy = run.config.policy;
  const svg = renderRunChart({
    title: `Backtest — ${describeBook(run.config)}, ${summary.paths.toLocaleString('en-US')} path(s)`,
    pathNote: fullNote,
    underlying: policy.underlying === QUICK_RUN_UNDERLYING ? 'units' : policy.underlying,
    strikes: [...new Set(run.config.book.flatMap((o) => (isBookOption(o) ? [o.strike] : [])))],
    distribution,
    trace,
    years,
  });
  return { svg, path, note: fullNote };
}
