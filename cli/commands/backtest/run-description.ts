/**
 * How the reports say what a run was (its market, book, policy, grid) and write their
 * numbers, shared by the single-run table and the sweep table.
 */
import { basename } from 'node:path';
import { isBookOption, replayFiles, type BacktestConfig, type StepRefinement } from '../../../shared/contracts/backtest-config.ts';
import type { HedgePolicyConfig } from '../../../shared/contracts/hedge-policy-config.ts';
import { formatDurationMs } from '../../../shared/domain/backtest/durations.ts';
import { annualisedVolOf, garchLongRunVariance } from '../../../shared/domain/backtest/garch-market.ts';
import { dataGaps, historyPathOrigin, type HistoryMarket } from '../../../shared/domain/backtest/history-paths.ts';
import type { BacktestSpec } from '../../../shared/domain/backtest/simulate.ts';
import type { PreparedRun } from './prepare-run.ts';

/** USD with a precision that suits its size; "—" for a number that is not defined. */
export const usd = (v: number | null): string => {
  if (v === null || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const digits = Math.abs(v) >= 1000 ? 0 : Math.abs(v) >= 1 ? 2 : 4;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

export const pct = (v: number | null): string => (v === null ? '—' : `${(100 * v).toFixed(2)}%`);

export function describePolicy(policy: HedgePolicyConfig, everyStep: boolean): string {
  const parts: string[] = [];
  if (everyStep) parts.push('hedge to zero delta at every step');
  else {
    if (policy.band) parts.push(`band ±${policy.band.trigger} ${policy.band.unit === 'units' ? 'units' : policy.band.unit === 'usd' ? 'USD' : '% of notional'} → ${policy.band.target}`);
    if (policy.cadence) parts.push(`every ${formatDurationMs(policy.cadence.everyMs)}`);
    if (policy.priceMove) parts.push(`on a ${policy.priceMove.pct}% move`);
    if (policy.whalleyWilmott) parts.push(`Whalley-Wilmott (λ ${policy.whalleyWilmott.riskAversion}, ${policy.whalleyWilmott.costBps} bps)`);
    if (policy.volScaling) parts.push(`vol-scaled (${policy.volScaling.source}, ${policy.volScaling.mode})`);
    if (policy.limits) parts.push(`Greek limits (${policy.limits.hedgeOptions.length} hedge option(s))`);
    if (policy.slicing) parts.push(`sliced above ${policy.slicing.clipUnits} units`);
    if (policy.insurance) parts.push(describeInsurance(policy.insurance));
    if (policy.crashBreaker) parts.push(describeBreaker(policy.crashBreaker));
  }
  const g = policy.guards;
  if (g.minTradeUnits > 0) parts.push(`min trade ${g.minTradeUnits}`);
  if (g.cooldownMs > 0) parts.push(`cooldown ${formatDurationMs(g.cooldownMs)}`);
  if (g.maxTradeUnits !== undefined) parts.push(`max trade ${g.maxTradeUnits}`);
  return `${parts.join(', ')}; hedged with ${policy.hedgeInstrument}`;
}

/** "CPPI m 4 on $100,000, floor 80% of the high, band 5%". */
function describeInsurance(insurance: NonNullable<HedgePolicyConfig['insurance']>): string {
  const f = insurance.floor;
  const floor = f.kind === 'value' ? `floor $${f.usd.toLocaleString('en-US')}` : `floor ${Number((f.share * 100).toPrecision(6))}% of the ${f.kind === 'share-of-start' ? 'start' : 'high'}`;
  const how = insurance.method === 'cppi' ? `CPPI m ${insurance.multiplier}${insurance.maxExposureShare === 1 ? '' : ` (exposure ≤ ${insurance.maxExposureShare}× value)`}` : `synthetic put to ${new Date(insurance.horizonEndMs).toISOString().slice(0, 10)}${insurance.vol === undefined ? '' : ` at vol ${insurance.vol}`}`;
  return `${how} on $${insurance.capitalUsd.toLocaleString('en-US')}, ${floor}, band ${Number((insurance.band * 100).toPrecision(6))}%`;
}

/** "crash breaker 4σ in 1h (hold), calm 2h". */
function describeBreaker(breaker: NonNullable<HedgePolicyConfig['crashBreaker']>): string {
  const plan = breaker.plan.kind === 'slices' ? `${breaker.plan.slices} slices ≤ ${breaker.plan.maxSlippageBps} bps` : breaker.plan.kind;
  const triggers = [
    ...(breaker.moveSigmas === undefined || breaker.windowMs === undefined ? [] : [`${breaker.moveSigmas}σ in ${formatDurationMs(breaker.windowMs)}`]),
    ...(breaker.maxOracleJumpBps === undefined ? [] : [`a ${breaker.maxOracleJumpBps} bps step`]),
  ];
  return `crash breaker ${triggers.join(', or ')} (${plan}), calm ${formatDurationMs(breaker.calmMs)}`;
}

export function describeMarket(run: Pick<PreparedRun, 'config' | 'spec' | 'csvColumn'>): string {
  const { config, spec } = run;
  const m = config.market;
  const carry = `r ${m.rate}, q ${m.yield}, pricing vol ${Number(spec.pricingVol.toPrecision(4))}`;
  if (m.model === 'replay' && spec.market.kind === 'history') return `${describeHistory(spec.market, replayFiles(m), spec)}, ${carry}`;
  if (m.model === 'replay') {
    const rows = spec.market.kind === 'replay' ? spec.market.prices.length : 0;
    return `replay of ${m.csv}${run.csvColumn === undefined ? '' : ` column ${run.csvColumn}`} (${rows} rows), ${carry}`;
  }
  if (m.model === 'garch') {
    const longRun = Number(spec.market.kind === 'garch' ? annualisedVolOf(garchLongRunVariance(spec.market), spec.market.intervalMs).toPrecision(4) : Number.NaN);
    const start = m.initialVol === undefined ? 'from the long run' : `from ${m.initialVol}`;
    return `GARCH(1,1) S0 ${m.spot}, drift ${m.drift}, every ${formatDurationMs(m.interval)} ω ${m.omega} α ${m.alpha} β ${m.beta} (long-run vol ${longRun}, ${start}), ${carry}`;
  }
  const base = `${m.model === 'gbm' ? 'GBM' : 'Merton'} S0 ${m.spot}, drift ${m.drift}, vol ${m.vol}`;
  return m.model === 'merton' ? `${base}, jumps λ ${m.jumps.intensity}/y log-size N(${m.jumps.mean}, ${m.jumps.std}²), ${carry}` : `${base}, ${carry}`;
}

const fileList = (files: readonly string[]): string => (files.length === 1 ? files[0]! : files.length <= 3 ? files.map((f) => basename(f)).join(', ') : `${files.length} CSVs (${basename(files[0]!)} … ${basename(files[files.length - 1]!)})`);

/** "rolling windows of eth.csv: 24 windows of 7d, one every 1d (they overlap), each rescaled to start at 3,000; read every 1h". */
function describeHistory(market: HistoryMarket, files: readonly string[], spec: BacktestSpec): string {
  const rows = market.series.reduce((n, s) => n + s.prices.length, 0);
  const horizon = formatDurationMs(horizonMsOfSpec(spec));
  const start = market.spot.toLocaleString('en-US', { maximumFractionDigits: 6 });
  const sampling = market.sampling;
  const gaps = market.series.reduce((n, s) => n + dataGaps(s, market.stepMs), 0);
  const tail = `${rows.toLocaleString('en-US')} rows read every ${formatDurationMs(market.stepMs)}${gaps > 0 ? `; ${gaps} gap(s) longer than 1.5 steps, the last price carried across` : ''}`;
  if (sampling.kind === 'series') return `replay of ${files.length} CSVs (${fileList(files)}), each a path of ${horizon}, rescaled to start at ${start} (${tail})`;
  if (sampling.kind === 'windows') {
    return `rolling windows of ${fileList(files)}: ${(spec.firstPath === undefined ? spec.paths : 'one of the').toLocaleString('en-US')} windows of ${horizon}, one starting every ${formatDurationMs(sampling.everyMs)}${sampling.everyMs < horizonMsOfSpec(spec) ? ' (they overlap)' : ''}, each rescaled to start at ${start} (${tail})`;
  }
  return `stationary block bootstrap of ${fileList(files)}: returns of ${formatDurationMs(market.stepMs)} in blocks of ${formatDurationMs(sampling.meanBlockMs)} on average, paths from ${start} (${tail})`;
}

const horizonMsOfSpec = (spec: BacktestSpec): number => spec.horizonMs ?? Math.max(...spec.book.map((o) => o.maturityMs));

/**
 * What the standard errors of a history run mean, when it is not the usual: overlapping
 * windows share prices (their paths are dependent: the errors understate), a bootstrap's
 * are its resampling error given the data (not the data's own sampling error).
 */
export function pathsCaveat(spec: BacktestSpec): string | undefined {
  const market = spec.market;
  if (market.kind !== 'history' || spec.paths < 2) return undefined;
  if (market.sampling.kind === 'windows' && market.sampling.everyMs < horizonMsOfSpec(spec)) {
    return 'the windows overlap, so their paths share prices: the ± 2se and the tail\'s errors assume independent paths and understate the error';
  }
  if (market.sampling.kind === 'bootstrap') return "the errors are the bootstrap's (resampling the data), not the uncertainty of the data itself";
  return undefined;
}

export function describeBook(config: BacktestConfig): string {
  if (config.book.length === 0) return 'no options: an insured portfolio of the underlying and cash';
  return config.book
    .map((o) => (isBookOption(o) ? `${o.quantity < 0 ? 'short' : 'long'} ${Math.abs(o.quantity).toLocaleString('en-US')} ${o.type} K ${o.strike} ${formatDurationMs(o.maturity)}` : describeLiquidity(o)))
    .join('; ');
}

/** "LP 2500–3600 worth $100,000 at the start, fees 15 %/yr" (a liquidity position of the book). */
function describeLiquidity(lp: Exclude<BacktestConfig['book'][number], { type: 'call' | 'put' }>): string {
  const range = lp.tickLower !== undefined ? `ticks ${lp.tickLower}..${lp.tickUpper}` : `${lp.lowerPrice}–${lp.upperPrice}`;
  const size = lp.liquidity !== undefined ? `L ${Number(lp.liquidity).toLocaleString('en-US')}` : lp.valueUsd !== undefined ? `worth $${lp.valueUsd.toLocaleString('en-US')} at the start` : `worth ${lp.units!.toLocaleString('en-US')} units at the start`;
  return `LP ${range} ${size}${lp.fee === undefined ? '' : `, pool fee ${lp.fee / 10_000} %`}${lp.feeApr === undefined ? '' : `, fees ${Number((lp.feeApr * 100).toPrecision(6))} %/yr in range`}`;
}

/** "step refined from 1w to 3.5d so that the policy can hedge every 3.5d". */
export function describeRefinement(r: StepRefinement): string {
  const asked = r.asked === 'steps' ? `equal steps of ${formatDurationMs(r.fromMs)}` : r.asked === 'step' ? formatDurationMs(r.fromMs) : `the default ${formatDurationMs(r.fromMs)}`;
  return `step refined from ${asked} to ${formatDurationMs(r.toMs)} so that the policy can hedge every ${formatDurationMs(r.cadenceMs)}`;
}

/** Whether the run's numbers have a distribution: one path (a replay, or --paths 1) has none. */
export const hasDistribution = (spec: BacktestSpec): boolean => spec.paths > 1 && spec.market.kind !== 'replay';

/** What a run without a distribution is, in a few words: "one path (a replay)". */
export const onePath = (spec: BacktestSpec): string =>
  `one path (${spec.market.kind === 'replay' ? 'a replay' : spec.firstPath !== undefined ? `path ${spec.firstPath} alone, --only-path` : spec.market.kind === 'history' && spec.market.sampling.kind !== 'bootstrap' ? `the replay's only ${spec.market.sampling.kind === 'windows' ? 'window' : 'CSV'}` : '--paths 1'})`;

/** Why the spread statistics of such a run are null. */
export const onePathReason = (spec: BacktestSpec): string =>
  `${onePath(spec)} has no distribution: std, standard error, percentiles, the confidence interval and the ratio are not defined`;

/** Where a path of a replay of several paths comes from: its CSV and the instant its window starts. */
export interface PathSource {
  readonly csv: string;
  /** ISO-8601 (UTC) of the window's first instant. */
  readonly start: string;
}

/**
 * The CSV and start of path `path` of a run over several CSVs or windows; undefined for
 * simulated and bootstrapped paths (drawn, not cut from the data) and a plain replay.
 *
 * @example
 * pathSource(run, 3); // { csv: '/data/eth.csv', start: '2025-01-04T00:00:00.000Z' }
 */
export function pathSource(run: Pick<PreparedRun, 'config' | 'spec' | 'seriesStartsMs'>, path: number): PathSource | undefined {
  const market = run.spec.market;
  if (market.kind !== 'history' || run.config.market.model !== 'replay' || run.seriesStartsMs === undefined) return undefined;
  const origin = historyPathOrigin(market, horizonMsOfSpec(run.spec), path);
  if (origin === undefined) return undefined;
  return { csv: replayFiles(run.config.market)[origin.series]!, start: new Date(run.seriesStartsMs[origin.series]! + origin.startMs).toISOString() };
}
