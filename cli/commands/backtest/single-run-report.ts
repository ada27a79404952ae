/**
 * The report of one run: the table a person reads, or the JSON a script reads (whose
 * "config" is a config file that reproduces the run). Statistics that one path cannot
 * have are shown as not defined ("—" in the table, null with the reason in JSON), never
 * as a 0 that looks like a perfect hedge.
 */
import { configAsInput } from '../../../shared/contracts/backtest-config.ts';
import { describeCosts } from '../../../shared/domain/backtest/costs.ts';
import { describeVenues, describeVenueSet } from '../../../shared/domain/backtest/venue-costs.ts';
import { formatDurationMs } from '../../../shared/domain/backtest/durations.ts';
import type { BacktestSummary } from '../../../shared/domain/backtest/simulate.ts';
import type { Summary } from '../../../shared/domain/backtest/statistics.ts';
import type { PreparedRun } from './prepare-run.ts';
import { formatHistogram, formatRiskLines, formatWorstPaths, type RunRisk } from './risk-report.ts';
import { formatCrashBreakerLine, formatInsuranceLines, safeguardJson } from './safeguard-report.ts';
import { describeBook, describeMarket, describePolicy, describeRefinement, hasDistribution, onePath, onePathReason, pathsCaveat, pct, usd } from './run-description.ts';

/** A summary as reported: the spread fields null when there is no distribution. */
type ReportedSummary = Omit<Summary, 'std' | 'stdError' | 'p05' | 'p50' | 'p95'> & { std: number | null; stdError: number | null; p05: number | null; p50: number | null; p95: number | null };

function reported(s: Summary, distribution: boolean): ReportedSummary {
  return distribution ? s : { ...s, std: null, stdError: null, p05: null, p50: null, p95: null };
}

/** What the table shows beyond the summary: the tail, the costliest paths, the per-path file. */
export interface TableExtras {
  readonly risk: RunRisk;
  /** The command that runs one path alone. */
  readonly replayCommand: (path: number) => string;
  /** Where --paths-out wrote the paths. */
  readonly pathsOut?: string | undefined;
  /** The paths' realised vol (when the hedge is at the paths' vol: beside the implied). */
  readonly realisedVol?: { readonly mean: number } | undefined;
  /** Where --chart wrote the chart, and the path it draws. */
  readonly chart?: { readonly file: string; readonly note: string } | undefined;
}

export function formatTable(run: PreparedRun, s: BacktestSummary, seconds: number, extras?: TableExtras): string {
  const { config, spec } = run;
  const distribution = hasDistribution(spec);
  const lines: string[] = [];
  const rate = (s.paths * s.steps) / Math.max(seconds, 1e-9);
  lines.push(`hedge backtest — ${s.paths.toLocaleString('en-US')} path(s) × ${s.steps} steps over ${formatDurationMs(s.horizonYears * 365 * 86_400_000)}, seed ${spec.seed}, ${seconds.toFixed(2)} s (${(rate / 1e6).toFixed(2)} M path-steps/s)`);
  lines.push(`  market  ${describeMarket(run)}`);
  lines.push(`  book    ${describeBook(config)}`);
  lines.push(`  policy  ${describePolicy(config.policy, run.everyStep)}`);
  lines.push(spec.venues ? `  venues  ${spec.venues.name}: ${describeVenues(spec.venues)}` : `  costs   ${describeCosts(spec.costs)}`);
  if (run.refinement) lines.push(`  grid    ${describeRefinement(run.refinement)}`);
  lines.push('');
  lines.push(config.book.length === 0 ? 'Book value                             no options (an insured portfolio: see below)' : `Book value (${spec.liquidity === undefined ? 'Black-Scholes' : 'BS + LP value'}, as held)   ${usd(s.bookValue).padStart(16)}   premium ${usd(s.premium)}`);
  lines.push('');
  if (s.insurance !== undefined) {
    lines.push(...formatInsuranceLines(s.insurance, distribution));
    lines.push('');
  }
  lines.push('USD, PV at t0                 mean          std          p05          p95');
  const row = (name: string, x: ReportedSummary): string =>
    `${name.padEnd(18)}${usd(x.mean).padStart(15)}${usd(x.std).padStart(13)}${usd(x.p05).padStart(13)}${usd(x.p95).padStart(13)}`;
  lines.push(row('hedge cost', reported(s.hedgeCost, distribution)));
  lines.push(row('P&L (premium−cost)', reported(s.pnl, distribution)));
  lines.push(row('transaction costs', reported(s.transactionCosts, distribution)));
  lines.push(distribution ? `  (mean ± ${usd(2 * s.hedgeCost.stdError)} at 95% confidence)` : `  (— = not defined: ${onePath(spec)} has no distribution of costs)`);
  const caveat = pathsCaveat(spec);
  if (caveat !== undefined) lines.push(`  (${caveat})`);
  lines.push('');
  if (extras) {
    lines.push(...formatRiskLines(extras.risk, s.premium));
    lines.push('');
  }
  lines.push(`Ratio std(hedge cost) / |book value|   ${distribution && Number.isFinite(s.ratio) ? s.ratio.toFixed(4) : '—'}`);
  lines.push(`Trades per path                        ${s.tradesPerPath.toFixed(2)}   (${s.tradedUnitsPerPath.toLocaleString('en-US', { maximumFractionDigits: 2 })} units traded${spec.venues ? `, ${s.legsPerPath.toFixed(2)} venue legs` : ''})`);
  lines.push(
    s.timeOutsideBand === null
      ? 'Time outside the band                  —   (the policy has no band)'
      : `Time outside the band                  ${pct(s.timeOutsideBand)}   (found outside at ${pct(s.decisionsOutsideBand)} of the steps)`,
  );
  if (s.alertsPerPath > 0) lines.push(`Policy alerts per path                 ${s.alertsPerPath.toFixed(2)}`);
  if (s.crashBreaker !== undefined) lines.push(formatCrashBreakerLine(s.crashBreaker));
  if (s.jumpsPerPath > 0) lines.push(`Jumps per path                         ${s.jumpsPerPath.toFixed(2)}`);
  if (s.skippedOrders > 0) lines.push(`Orders not filled                      ${s.skippedOrders}   (an expired option, or a venue without the capacity)`);
  if (s.partialFills > 0) lines.push(`Orders filled in part                  ${s.partialFills}   (the venue's pools at their capacity)`);
  lines.push('');
  lines.push('Attribution of the mean hedge cost (USD, PV; negative = a gain)');
  const a = s.attribution;
  const parts: [string, number][] = [
    [spec.liquidity === undefined ? 'option payoffs' : 'option payoffs, LP marks', a.option],
    ['hedge (perp/spot moves)', a.hedge],
    ['hedge options', a.hedgeOptions],
    ['option spread (venue vol)', a.optionSpread],
    ['financing (spot carry)', a.financing],
    ['funding (perp)', a.funding],
    ['fees', a.fees],
    [spec.venues ? 'slippage (price impact)' : 'slippage', a.slippage],
    ['gas', a.gas],
    ...(spec.liquidity === undefined ? [] : [['LP fees (feeApr)', a.liquidityFees] as [string, number]]),
  ];
  for (const [name, value] of parts) lines.push(`  ${name.padEnd(26)}${usd(value).padStart(15)}`);
  lines.push(`  ${'total = mean hedge cost'.padEnd(26)}${usd(a.total).padStart(15)}`);
  lines.push('');
  lines.push(`The mean P&L by Greek (USD, PV; the options' Greeks at the pricing vol${spec.hedgeVol === undefined ? '' : `, hedged at the paths' vol ${pct(spec.hedgeVol)}`})`);
  const g = s.pnlByGreek;
  const greekParts: [string, number][] = [
    ['gamma  ½Γ(ΔS)²', g.gamma],
    ['theta  Θ·Δt', g.theta],
    ['delta  (book + hedge)·ΔS', g.delta],
    ['carry  (financing, funding)', g.carry],
    ['costs  (fees, slippage, gas)', g.costs],
    ['other  (higher order)', g.other],
  ];
  for (const [name, value] of greekParts) lines.push(`  ${name.padEnd(30)}${usd(value).padStart(11)}`);
  lines.push(`  ${'total = mean P&L'.padEnd(30)}${usd(s.pnl.mean).padStart(11)}`);
  if (extras?.realisedVol !== undefined) lines.push(`  realised vol of the paths: mean ${pct(extras.realisedVol.mean)} (implied ${pct(spec.pricingVol)})`);
  if (extras?.risk.pnlHistogram) {
    lines.push('');
    lines.push(...formatHistogram(extras.risk.pnlHistogram));
  }
  if (extras && extras.risk.worstPaths.length > 0) {
    lines.push('');
    lines.push(...formatWorstPaths(extras.risk, extras.replayCommand));
  }
  if (extras?.pathsOut !== undefined) {
    lines.push('');
    lines.push(`per-path results: ${extras.pathsOut} (${s.paths.toLocaleString('en-US')} row(s))`);
  }
  if (extras?.chart !== undefined) {
    if (extras.pathsOut === undefined) lines.push('');
    lines.push(`chart: ${extras.chart.file} (${distribution ? 'the P&L histogram; ' : ''}${extras.chart.note} over time: spot and trades, delta, hedge, gamma, vega, P&L)`);
  }
  return lines.join('\n') + '\n';
}

/** The run's numbers without its config (a sweep reports one config per run beside them). */
export function summaryFields(run: PreparedRun, s: BacktestSummary): Record<string, unknown> {
  const distribution = hasDistribution(run.spec);
  return {
    bookValue: s.bookValue,
    premium: s.premium,
    hedgeCost: reported(s.hedgeCost, distribution),
    pnl: reported(s.pnl, distribution),
    ratio: distribution && Number.isFinite(s.ratio) ? s.ratio : null,
    tradesPerPath: s.tradesPerPath,
    tradedUnitsPerPath: s.tradedUnitsPerPath,
    transactionCosts: reported(s.transactionCosts, distribution),
    timeOutsideBand: s.timeOutsideBand,
    decisionsOutsideBand: s.decisionsOutsideBand,
    attribution: s.attribution,
    pnlByGreek: s.pnlByGreek,
    hedgeVol: run.spec.hedgeVol ?? null,
    alertsPerPath: s.alertsPerPath,
    jumpsPerPath: s.jumpsPerPath,
    skippedOrders: s.skippedOrders,
    partialFills: s.partialFills,
    legsPerPath: s.legsPerPath,
    ...safeguardJson(s, distribution),
    venues: run.spec.venues ? { set: run.spec.venues.name, description: describeVenueSet(run.spec.venues) } : null,
    paths: s.paths,
    steps: s.steps,
    horizonYears: s.horizonYears,
    seed: run.spec.seed,
    pricingVol: run.spec.pricingVol,
    ...(distribution ? {} : { notDefined: { fields: ['std', 'stdError', 'p05', 'p50', 'p95', 'ratio', 'tailRisk'], reason: onePathReason(run.spec) } }),
    ...(pathsCaveat(run.spec) === undefined ? {} : { pathsCaveat: pathsCaveat(run.spec) }),
    ...(run.refinement ? { stepRefined: { fromMs: run.refinement.fromMs, toMs: run.refinement.toMs, reason: describeRefinement(run.refinement) } } : {}),
    units: 'USD, present value at t0; hedgeCost excludes the premium (premium = -bookValue)',
  };
}

/** The JSON of one run; its `config` is valid input that reproduces the run. */
export function summaryJson(run: PreparedRun, s: BacktestSummary): Record<string, unknown> {
  return { ...summaryFields(run, s), config: configAsInput(run.config) };
}
