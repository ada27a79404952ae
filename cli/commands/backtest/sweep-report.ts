/**
 * The report of a sweep: the frontier (mean cost against std per run), which runs are
 * efficient, how the series compare at equal risk, and the chart of it — as a table or
 * as JSON. Efficiency is only claimed among policy alternatives (see sweep-plan.ts), and
 * a replay (one path, no std) gets its costs without a frontier or a chart.
 */
import { configAsInput } from '../../../shared/contracts/backtest-config.ts';
import { describeCosts } from '../../../shared/domain/backtest/costs.ts';
import { describeVenues } from '../../../shared/domain/backtest/venue-costs.ts';
import { compareFrontiers, efficientMask, type FrontierComparison, type FrontierPoint } from '../../../shared/domain/backtest/frontier.ts';
import { renderFrontierSvg, type ChartSeries } from '../../frontier-chart.ts';
import { QUICK_RUN_UNDERLYING } from './config-assembly.ts';
import { describeBook, describeRefinement, hasDistribution, usd } from './run-description.ts';
import { formatSafeguardSweep } from './safeguard-report.ts';
import { summaryFields } from './single-run-report.ts';
import type { SweepResult } from './sweep-runner.ts';
import type { TailEstimate } from '../../../shared/domain/backtest/tail-risk.ts';

export interface SweepFrontier {
  readonly points: readonly FrontierPoint[];
  /** Per result: efficient or not; null where efficiency means nothing (not a policy sweep). */
  readonly efficient: readonly (boolean | null)[];
  readonly comparisons: readonly ({ readonly candidate: string; readonly other: string } & FrontierComparison)[];
  /** The chart's series; empty when no run has a std (a replay). */
  readonly chart: readonly ChartSeries[];
}

export function sweepFrontier(results: readonly SweepResult[]): SweepFrontier {
  const points = results.map((r) => ({ label: `${r.series.key}=${r.value}`, std: r.summary.hedgeCost.std, mean: r.summary.hedgeCost.mean }));
  const onFrontier = results.map((r) => r.series.frontier);
  const mask = efficientMask(points.filter((_, i) => onFrontier[i]));
  let next = 0;
  const efficient = onFrontier.map((on) => (on ? mask[next++]! : null));
  const series = [...new Set(results.map((r) => r.series))];
  const chart: ChartSeries[] = results.some((r) => hasDistribution(r.run.spec))
    ? series.map((s) => ({
        name: `--sweep ${s.key}`,
        frontier: s.frontier,
        points: points.flatMap((p, i) => (results[i]!.series === s && hasDistribution(results[i]!.run.spec) ? [{ ...p, stdError: results[i]!.summary.hedgeCost.stdError, display: pointLabel(results[i]!) }] : [])),
      }))
    : [];
  const policies = chart.filter((c) => c.frontier);
  const comparisons = policies.length >= 2 ? policies.slice(1).map((other) => ({ candidate: policies[0]!.name, other: other.name, ...compareFrontiers(policies[0]!.points, other.points) })) : [];
  return { points, efficient, comparisons, chart };
}

/** The unit a band or trade size of the run's policy is in: the underlying ("ETH"), USD or % of notional. */
function sizeUnit(run: SweepResult['run']): string {
  const policy = run.config.policy;
  if (policy.band?.unit === 'usd') return 'USD';
  if (policy.band?.unit === 'pctNotional') return '% of notional';
  return policy.underlying === QUICK_RUN_UNDERLYING ? 'units' : policy.underlying;
}

/**
 * A swept value as the chart labels it, in its units: "band 4 ETH", "every 1d",
 * "min 0.5 ETH", "20 bp fee"; a key without a unit of its own is "key value".
 *
 * @example
 * pointLabel(result); // "band 4 ETH" for the run of --sweep band=4 on an ETH book
 */
export function pointLabel(r: Pick<SweepResult, 'run' | 'value'> & { readonly series: Pick<SweepResult['series'], 'key'> }): string {
  const { value } = r;
  switch (r.series.key) {
    case 'band':
      return value === 'off' ? 'no band' : `band ${value} ${sizeUnit(r.run)}`;
    case 'hedge-every':
      return value === 'off' ? 'no cadence' : `every ${value}`;
    case 'min-trade':
      return `min ${value} ${r.run.config.policy.underlying === QUICK_RUN_UNDERLYING ? 'units' : r.run.config.policy.underlying}`;
    case 'step':
      return `step ${value}`;
    case 'steps':
      return `${value} steps`;
    case 'paths':
      return `${Number(value).toLocaleString('en-US')} paths`;
    case 'fee-bps':
      return `${value} bp fee`;
    case 'slippage-bps':
      return `${value} bp slippage`;
    case 'gas-usd':
      return `$${value} gas`;
    case 'windows-every':
      return `windows every ${value}`;
    case 'bootstrap-block':
      return `blocks of ${value}`;
    case 'venues':
    case 'hedge-instrument':
    case 'maturity':
      return value;
    default:
      return `${r.series.key} ${value}`;
  }
}

export function renderSweepChart(results: readonly SweepResult[], frontier: SweepFrontier): string {
  const first = results[0]!;
  const title = `Hedging cost vs risk — ${describeBook(first.run.config)}, ${first.summary.paths.toLocaleString('en-US')} paths`;
  // The premium line only when every run writes the same book (a book or market sweep changes it).
  const premiums = new Set(results.map((r) => r.summary.premium));
  return renderFrontierSvg(frontier.chart, title, premiums.size === 1 ? { premium: first.summary.premium } : {});
}

export function formatSweepTable(results: readonly SweepResult[], frontier: SweepFrontier, chartPath: string | undefined, sweepOut?: string): string {
  const first = results[0]!;
  const keys = new Set(results.map((r) => r.series.key));
  const sample = keys.has('seed') ? 'seed swept' : keys.has('paths') ? `paths swept, seed ${first.run.spec.seed}` : `seed ${first.run.spec.seed}: every run sees the same paths`;
  const lines: string[] = [];
  // The run column fits the longest label ("crash-breaker=risk-reducing").
  const width = Math.max(22, ...results.map((r) => r.run.label.length + 2));
  lines.push(`hedge backtest --sweep — ${describeBook(first.run.config)}; ${keys.has('paths') ? 'paths swept' : `${first.summary.paths.toLocaleString('en-US')} paths`}, ${sample}`);
  const onVenues = results.some((r) => r.run.spec.venues);
  lines.push(`  ${onVenues ? 'costs: each run on its venues (below)' : `costs ${describeCosts(first.run.spec.costs)}`}; hedge cost = PV at t0 of everything after the premium (${usd(first.summary.premium)})`);
  lines.push('');
  lines.push(`${'run'.padEnd(width)}${'mean cost'.padStart(14)}${'± 2se'.padStart(11)}${'std'.padStart(13)}${'ratio'.padStart(9)}${'trades'.padStart(9)}${'tx costs'.padStart(12)}  frontier`);
  results.forEach((r, i) => {
    const s = r.summary;
    const spread = hasDistribution(r.run.spec);
    const mark = frontier.efficient[i] === null ? '' : frontier.efficient[i] ? '*' : '';
    lines.push(
      `${r.run.label.padEnd(width)}${usd(s.hedgeCost.mean).padStart(14)}${usd(spread ? 2 * s.hedgeCost.stdError : null).padStart(11)}${usd(spread ? s.hedgeCost.std : null).padStart(13)}${(spread && Number.isFinite(s.ratio) ? s.ratio.toFixed(4) : '—').padStart(9)}${s.tradesPerPath.toFixed(1).padStart(9)}${usd(s.transactionCosts.mean).padStart(12)}  ${mark}`,
    );
  });
  if (frontier.efficient.some((e) => e !== null)) lines.push('  * efficient: no other run has both a lower (or equal) mean cost and a lower (or equal) std');
  lines.push(...formatSafeguardSweep(results.map((r) => ({ label: r.run.label, summary: r.summary })), width));
  if (onVenues) {
    lines.push('');
    lines.push(`${'mean PV by line'.padEnd(width)}${'fees'.padStart(11)}${'impact'.padStart(11)}${'gas'.padStart(9)}${'financing'.padStart(11)}${'funding'.padStart(11)}${'opt spread'.padStart(12)}${'legs/trade'.padStart(12)}`);
    for (const r of results) {
      const a = r.summary.attribution;
      const legs = r.summary.tradesPerPath > 0 ? r.summary.legsPerPath / r.summary.tradesPerPath : 0;
      lines.push(`${r.run.label.padEnd(width)}${usd(a.fees).padStart(11)}${usd(a.slippage).padStart(11)}${usd(a.gas).padStart(9)}${usd(a.financing).padStart(11)}${usd(a.funding).padStart(11)}${usd(a.optionSpread).padStart(12)}${legs.toFixed(2).padStart(12)}`);
    }
    for (const r of results) lines.push(`  ${r.run.label}: ${r.run.spec.venues ? describeVenues(r.run.spec.venues) : `costs ${describeCosts(r.run.spec.costs)}`}`);
  }
  for (const s of [...new Set(results.map((r) => r.series))]) if (s.notFrontierReason) lines.push(`  no frontier for --sweep ${s.key}: ${s.notFrontierReason}`);
  const refined = results.filter((r) => r.run.refinement);
  for (const r of refined) lines.push(`  ${r.run.label}: ${describeRefinement(r.run.refinement!)}`);
  for (const c of frontier.comparisons) {
    lines.push('');
    lines.push(`${c.candidate} against ${c.other} at equal risk (std):`);
    if (c.samples.length === 0) lines.push('  no overlap of their std ranges: widen the sweeps to compare');
    for (const x of c.samples) lines.push(`  std ${usd(x.std).padStart(12)}: ${c.candidate.replace('--sweep ', '')} costs ${usd(x.candidateMean)} vs ${usd(x.otherMean)} (${x.label})`);
  }
  if (results.some((r) => r.tail !== null)) {
    lines.push('');
    lines.push(`${'tail of the hedge cost'.padEnd(width)}${'VaR 95%'.padStart(13)}${'CVaR 95%'.padStart(13)}${'VaR 99%'.padStart(13)}${'CVaR 99%'.padStart(13)}${'mean max DD'.padStart(14)}`);
    for (const r of results) {
      const [t95, t99] = r.tail ?? [];
      lines.push(
        `${r.run.label.padEnd(width)}${usd(t95?.valueAtRisk ?? null).padStart(13)}${usd(t95?.expectedShortfall ?? null).padStart(13)}${usd(t99?.valueAtRisk ?? null).padStart(13)}${usd(t99?.expectedShortfall ?? null).padStart(13)}${usd(r.meanMaxDrawdown).padStart(14)}`,
      );
    }
    lines.push('  (upper tail: VaR = the cost exceeded on 5% / 1% of the paths, CVaR = the mean beyond it; DD: the hedged book\'s drawdown)');
  }
  lines.push('');
  lines.push(chartPath === undefined ? 'no frontier chart: no run has a std (one path each)' : `frontier chart: ${chartPath}`);
  if (sweepOut !== undefined) lines.push(`sweep table: ${sweepOut} (${results.length} rows)`);
  return lines.join('\n') + '\n';
}

export function sweepJson(results: readonly SweepResult[], frontier: SweepFrontier, chartPath: string | undefined): Record<string, unknown> {
  return {
    // Each run's config reproduces it (--config FILE) on its own.
    sweep: results.map((r, i) => ({
      key: r.series.key,
      value: r.value,
      efficient: frontier.efficient[i],
      ...summaryFields(r.run, r.summary),
      tailRisk: r.tail === null ? null : r.tail.map((t) => tailJson(t)),
      meanMaxDrawdown: r.meanMaxDrawdown,
      config: configAsInput(r.run.config),
    })),
    frontier: frontier.points.map((p, i) => ({ ...p, std: Number.isNaN(p.std) ? null : p.std, efficient: frontier.efficient[i] })),
    comparisons: frontier.comparisons,
    chart: chartPath ?? null,
  };
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

function tailJson(t: TailEstimate): Record<string, unknown> {
  return { level: t.level, var: t.valueAtRisk, varStdError: finiteOrNull(t.valueAtRiskStdError), cvar: t.expectedShortfall, cvarStdError: finiteOrNull(t.expectedShortfallStdError) };
}

/** The columns of --sweep-out, one row per run (USD, PV at t0; empty = not defined). */
export const SWEEP_CSV_COLUMNS = [
  'key', 'value', 'paths', 'seed', 'mean_cost', 'mean_cost_se', 'std', 'ratio', 'var95', 'var95_se', 'cvar95', 'cvar95_se', 'var99', 'var99_se', 'cvar99', 'cvar99_se',
  'mean_max_drawdown', 'trades_per_path', 'traded_units_per_path', 'transaction_costs', 'option', 'hedge', 'hedge_options', 'option_spread', 'financing', 'funding', 'fees', 'slippage', 'gas', 'liquidity_fees',
  'premium', 'efficient',
] as const;

const csvField = (v: string | number | boolean | null | undefined): string => {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const text = String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The sweep's table as CSV (--sweep-out): every number in full, one row per run. */
export function sweepCsv(results: readonly SweepResult[], frontier: SweepFrontier): string {
  const rows = results.map((r, i) => {
    const s = r.summary;
    const spread = hasDistribution(r.run.spec);
    const [t95, t99] = r.tail ?? [];
    const a = s.attribution;
    return [
      r.series.key, r.value, s.paths, r.run.spec.seed, s.hedgeCost.mean, spread ? s.hedgeCost.stdError : null, spread ? s.hedgeCost.std : null, spread ? s.ratio : null,
      t95?.valueAtRisk, t95?.valueAtRiskStdError, t95?.expectedShortfall, t95?.expectedShortfallStdError, t99?.valueAtRisk, t99?.valueAtRiskStdError, t99?.expectedShortfall, t99?.expectedShortfallStdError,
      r.meanMaxDrawdown, s.tradesPerPath, s.tradedUnitsPerPath, s.transactionCosts.mean, a.option, a.hedge, a.hedgeOptions, a.optionSpread, a.financing, a.funding, a.fees, a.slippage, a.gas, a.liquidityFees,
      s.premium, frontier.efficient[i],
    ].map(csvField).join(',');
  });
  return [SWEEP_CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}
