/**
 * The tail of one run, beside its mean and std: VaR and CVaR (expected shortfall) of the
 * hedge cost at 95% and 99% with their Monte-Carlo errors, the hedged book's worst
 * drawdown, the costliest paths by id (each can be run alone with --only-path), and a
 * text histogram of the P&L — as table lines and as JSON fields.
 *
 * Sign convention: the hedge cost is money paid, so its upper tail is the bad one; the
 * loss of the hedged book is −P&L = hedge cost − premium, the same tail shifted by the
 * premium (shown beside it).
 */
import { histogram, type Histogram } from '../../../shared/domain/backtest/histogram.ts';
import { largestIndices, tailRisk, upperTailSummary, type TailEstimate, type UpperTailSummary } from '../../../shared/domain/backtest/tail-risk.ts';
import { basename } from 'node:path';
import { hasDistribution, pathSource, usd, type PathSource } from './run-description.ts';
import type { ExecutedRun } from './sweep-runner.ts';

/** How many of the costliest paths are listed. */
export const WORST_PATH_COUNT = 5;

export interface WorstPath {
  /** The path's id: `--only-path` runs it alone. */
  readonly path: number;
  readonly hedgeCost: number;
  readonly pnl: number;
  readonly maxDrawdown: number;
  readonly trades: number;
  /** Its CSV and window start, for a replay of several CSVs or windows. */
  readonly source?: PathSource;
}

export interface RunRisk {
  /** VaR/CVaR at 95% and 99% of the hedge cost; null for one path (no distribution). */
  readonly tail: readonly TailEstimate[] | null;
  /** The per-path max drawdown summarised; its argMax as a path id. */
  readonly drawdown: UpperTailSummary & { readonly worstPath: number };
  /** The costliest paths, costliest first (empty for one path). */
  readonly worstPaths: readonly WorstPath[];
  /** The P&L's histogram; null for one path. */
  readonly pnlHistogram: Histogram | null;
}

export const TAIL_CONVENTION =
  'upper tail of the hedge cost (money paid: larger is worse). VaR_a is the ceil(n·a)-th smallest hedge cost (exceeded on at most 1−a of the paths); CVaR_a (expected shortfall) is the mean of the worst fraction 1−a of the paths. The loss of the hedged book is −pnl = hedgeCost − premium: lossVar and lossCvar are the same numbers less the premium. stdError: Monte-Carlo standard error (VaR: order-statistic sparsity estimate; CVaR: sd of the excess over VaR / ((1−a)·√n)); varCi95: distribution-free 95% interval from the order statistics.';

export const DRAWDOWN_DEFINITION =
  "per path, the worst peak-to-trough fall of the hedged book's value (premium − costs so far + live options at Black-Scholes, PV at t0, after each step's trades; 0 at t0, the path's P&L at the end); mean ± stdError over the paths, p95/p99 = the ceil(n·a)-th smallest";

export function runRisk(executed: ExecutedRun): RunRisk {
  const { perPath, summary, run } = executed;
  const first = run.spec.firstPath ?? 0;
  const drawdown = upperTailSummary(perPath.maxDrawdown);
  if (!hasDistribution(run.spec)) return { tail: null, drawdown: { ...drawdown, worstPath: first + drawdown.argMax }, worstPaths: [], pnlHistogram: null };
  const pnl = perPath.hedgeCost.map((c) => summary.premium - c);
  const worstPaths = largestIndices(perPath.hedgeCost, WORST_PATH_COUNT).map((i) => ({
    path: first + i,
    hedgeCost: perPath.hedgeCost[i]!,
    pnl: pnl[i]!,
    maxDrawdown: perPath.maxDrawdown[i]!,
    trades: perPath.trades[i]!,
    ...optional('source', pathSource(run, first + i)),
  }));
  return { tail: tailRisk(perPath.hedgeCost), drawdown: { ...drawdown, worstPath: first + drawdown.argMax }, worstPaths, pnlHistogram: histogram(pnl) };
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]: V }));

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
const levelName = (level: number): string => `${Number((100 * level).toPrecision(4))}%`;

export function riskJson(risk: RunRisk, premium: number): Record<string, unknown> {
  const d = risk.drawdown;
  return {
    tailRisk:
      risk.tail === null
        ? null
        : {
            of: 'hedgeCost',
            convention: TAIL_CONVENTION,
            levels: risk.tail.map((t) => ({
              level: t.level,
              var: t.valueAtRisk,
              varStdError: finiteOrNull(t.valueAtRiskStdError),
              varCi95: t.valueAtRiskCi95,
              cvar: t.expectedShortfall,
              cvarStdError: finiteOrNull(t.expectedShortfallStdError),
              pathsBeyond: t.pathsBeyond,
              lossVar: t.valueAtRisk - premium,
              lossCvar: t.expectedShortfall - premium,
            })),
          },
    maxDrawdown:
      risk.tail === null
        ? { value: d.max, path: d.worstPath, definition: DRAWDOWN_DEFINITION }
        : { mean: d.mean, stdError: finiteOrNull(d.stdError), p95: d.p95, p99: d.p99, max: d.max, worstPath: d.worstPath, definition: DRAWDOWN_DEFINITION },
    worstPaths: risk.worstPaths,
    pnlHistogram: risk.pnlHistogram === null ? null : { width: risk.pnlHistogram.width, below: risk.pnlHistogram.below, above: risk.pnlHistogram.above, bins: risk.pnlHistogram.bins },
  };
}

/** The tail lines of the table (after the mean/std block). */
export function formatRiskLines(risk: RunRisk, premium: number): string[] {
  const lines: string[] = [];
  const d = risk.drawdown;
  if (risk.tail === null) {
    lines.push(`Max drawdown of the hedged book        ${usd(d.max)}   (peak-to-trough, PV; no tail: one path)`);
    return lines;
  }
  const se2 = (v: number): string => (Number.isFinite(v) ? usd(2 * v) : '—');
  lines.push('Tail of the hedge cost (cost paid: the upper tail is the bad one)');
  lines.push(`${''.padEnd(20)}${'hedge cost'.padStart(14)}${'± 2se'.padStart(12)}${'loss (−P&L)'.padStart(14)}${'paths beyond'.padStart(14)}`);
  for (const t of risk.tail) {
    lines.push(`${`  VaR ${levelName(t.level)}`.padEnd(20)}${usd(t.valueAtRisk).padStart(14)}${se2(t.valueAtRiskStdError).padStart(12)}${usd(t.valueAtRisk - premium).padStart(14)}${t.pathsBeyond.toLocaleString('en-US').padStart(14)}`);
    lines.push(`${`  CVaR ${levelName(t.level)} (ES)`.padEnd(20)}${usd(t.expectedShortfall).padStart(14)}${se2(t.expectedShortfallStdError).padStart(12)}${usd(t.expectedShortfall - premium).padStart(14)}`);
  }
  lines.push('  (VaR: the cost exceeded on at most 5% / 1% of the paths; CVaR: the mean of those worst paths;');
  lines.push('   loss = hedge cost − premium; ± 2se: Monte-Carlo error, "—" with too few paths beyond)');
  lines.push(
    `Max drawdown of the hedged book        mean ${usd(d.mean)} ± ${se2(d.stdError)}, p95 ${usd(d.p95)}, p99 ${usd(d.p99)}, worst ${usd(d.max)} (path ${d.worstPath})`,
  );
  lines.push('  (peak-to-trough fall of premium − costs so far + options at Black-Scholes, PV, per path)');
  return lines;
}

/** The costliest paths, and the command that runs one alone. */
export function formatWorstPaths(risk: RunRisk, replayCommand: (path: number) => string): string[] {
  if (risk.worstPaths.length === 0) return [];
  const lines: string[] = [];
  lines.push(`Costliest paths (each runs alone, number for number, with --only-path ID)`);
  const from = (w: WorstPath): string => (w.source === undefined ? '' : `  ${basename(w.source.csv)} from ${w.source.start.replace(':00.000Z', 'Z').replace('T', ' ')}`);
  lines.push(`${'  path'.padEnd(12)}${'hedge cost'.padStart(14)}${'P&L'.padStart(14)}${'drawdown'.padStart(14)}${'trades'.padStart(9)}${risk.worstPaths.some((w) => w.source) ? '  window' : ''}`);
  for (const w of risk.worstPaths) lines.push(`${`  ${w.path}`.padEnd(12)}${usd(w.hedgeCost).padStart(14)}${usd(w.pnl).padStart(14)}${usd(w.maxDrawdown).padStart(14)}${String(w.trades).padStart(9)}${from(w)}`);
  lines.push(`  ${replayCommand(risk.worstPaths[0]!.path)}`);
  return lines;
}

/** The P&L histogram as text bars, at most `width` characters. */
export function formatHistogram(h: Histogram, width = 40): string[] {
  const biggest = Math.max(1, h.below, h.above, ...h.bins.map((b) => b.count));
  const perChar = biggest / width;
  const bar = (count: number): string => '█'.repeat(count === 0 ? 0 : Math.max(1, Math.round(count / perChar)));
  const rows: [string, number][] = [];
  if (h.below > 0) rows.push([`below ${usd(h.bins[0]!.lo)}`, h.below]);
  for (const b of h.bins) rows.push([`${usd(b.lo)} … ${usd(b.hi)}`, b.count]);
  if (h.above > 0) rows.push([`above ${usd(h.bins[h.bins.length - 1]!.hi)}`, h.above]);
  const labelWidth = Math.max(...rows.map(([l]) => l.length));
  const lines = [`P&L per path (premium − hedge cost, USD PV): ${h.total.toLocaleString('en-US')} paths, each █ ≈ ${Number(perChar.toPrecision(3)).toLocaleString('en-US')} path(s)`];
  for (const [label, count] of rows) lines.push(`  ${label.padStart(labelWidth)} │${bar(count)} ${count.toLocaleString('en-US')}`);
  return lines;
}
