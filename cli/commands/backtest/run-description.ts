/**
 * How the reports say what a run was (its market, book, policy, grid) and write their
 * numbers, shared by the single-run table and the sweep table.
 */
import type { BacktestConfig, StepRefinement } from '../../../shared/contracts/backtest-config.ts';
import type { HedgePolicyConfig } from '../../../shared/contracts/hedge-policy-config.ts';
import { formatDurationMs } from '../../../shared/domain/backtest/durations.ts';
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
  }
  const g = policy.guards;
  if (g.minTradeUnits > 0) parts.push(`min trade ${g.minTradeUnits}`);
  if (g.cooldownMs > 0) parts.push(`cooldown ${formatDurationMs(g.cooldownMs)}`);
  if (g.maxTradeUnits !== undefined) parts.push(`max trade ${g.maxTradeUnits}`);
  return `${parts.join(', ')}; hedged with ${policy.hedgeInstrument}`;
}

export function describeMarket(run: Pick<PreparedRun, 'config' | 'spec' | 'csvColumn'>): string {
  const { config, spec } = run;
  const m = config.market;
  const carry = `r ${m.rate}, q ${m.yield}, pricing vol ${Number(spec.pricingVol.toPrecision(4))}`;
  if (m.model === 'replay') {
    const rows = spec.market.kind === 'replay' ? spec.market.prices.length : 0;
    return `replay of ${m.csv}${run.csvColumn === undefined ? '' : ` column ${run.csvColumn}`} (${rows} rows), ${carry}`;
  }
  const base = `${m.model === 'gbm' ? 'GBM' : 'Merton'} S0 ${m.spot}, drift ${m.drift}, vol ${m.vol}`;
  return m.model === 'merton' ? `${base}, jumps λ ${m.jumps.intensity}/y log-size N(${m.jumps.mean}, ${m.jumps.std}²), ${carry}` : `${base}, ${carry}`;
}

export function describeBook(config: BacktestConfig): string {
  return config.book
    .map((o) => `${o.quantity < 0 ? 'short' : 'long'} ${Math.abs(o.quantity).toLocaleString('en-US')} ${o.type} K ${o.strike} ${formatDurationMs(o.maturity)}`)
    .join('; ');
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
  `one path (${spec.market.kind === 'replay' ? 'a replay' : spec.firstPath !== undefined ? `path ${spec.firstPath} alone, --only-path` : '--paths 1'})`;

/** Why the spread statistics of such a run are null. */
export const onePathReason = (spec: BacktestSpec): string =>
  `${onePath(spec)} has no distribution: std, standard error, percentiles, the confidence interval and the ratio are not defined`;
