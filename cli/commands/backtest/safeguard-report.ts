/**
 * The report of the policy's safeguards in a backtest: portfolio insurance (the floor,
 * the shortfalls, the upside given up, turnover) and the crash breaker (how often it
 * tripped, how long it held), for the single-run table, the sweep table and the JSON.
 */
import type { InsuranceReport } from '../../../shared/domain/backtest/insurance-report.ts';
import type { BacktestSummary, CrashBreakerActivity } from '../../../shared/domain/backtest/simulate.ts';
import { pct, usd } from './run-description.ts';

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
const times = (v: number): string => `${v.toFixed(2)}×`;

/** The single-run table's insurance section. */
export function formatInsuranceLines(r: InsuranceReport, distribution: boolean): string[] {
  const lines: string[] = [];
  lines.push(`Portfolio insurance (${r.method === 'cppi' ? 'CPPI' : 'synthetic put'} on $${r.capitalUsd.toLocaleString('en-US')}; USD at the horizon, the risky leg sold, costs paid)`);
  lines.push(`${''.padEnd(28)}${'mean'.padStart(13)}${'std'.padStart(13)}${'p05'.padStart(13)}${'p95'.padStart(13)}`);
  const row = (name: string, s: InsuranceReport['value']): string =>
    `  ${name.padEnd(26)}${usd(s.mean).padStart(13)}${usd(distribution ? s.std : null).padStart(13)}${usd(distribution ? s.p05 : null).padStart(13)}${usd(distribution ? s.p95 : null).padStart(13)}`;
  lines.push(row('insured portfolio', r.value));
  lines.push(row('unhedged (all in the asset)', r.unhedgedValue));
  const se = distribution ? ` ± ${pct(2 * r.probabilityUnderFloorStdError)}` : '';
  lines.push(`  ended under the floor     ${pct(r.probabilityUnderFloor)}${se} (${r.pathsUnderFloor.toLocaleString('en-US')} path(s)); under it at some decision: ${pct(r.probabilityEverUnderFloor)}`);
  lines.push(
    r.meanShortfall === null
      ? '  shortfall                 none: no path ended under the floor'
      : `  shortfall                 mean ${usd(r.meanShortfall)} on those paths; the 1% worst: mean ${usd(r.shortfall99.expectedShortfall)} (99% VaR ${usd(r.shortfall99.valueAtRisk)})`,
  );
  lines.push(`  upside capture            ${r.upsideCapture === null ? '— (no path on which the asset rose)' : pct(r.upsideCapture)}   downside capture ${r.downsideCapture === null ? '— (no path on which it fell)' : pct(r.downsideCapture)}`);
  lines.push(`  turnover                  ${times(r.turnover)} the capital per path (${Number.isFinite(r.turnoverPerYear) ? `${times(r.turnoverPerYear)} a year` : '—'})`);
  return lines;
}

/** The single-run table's crash breaker line. */
export function formatCrashBreakerLine(c: CrashBreakerActivity): string {
  const refused = c.slippageRefusals > 0 ? `; ${c.slippageRefusals} order(s) refused by the slices plan's slippage limit` : '';
  return `Crash breaker                          ${c.crashesPerPath.toFixed(2)} crash(es) per path, in crash mode ${pct(c.timeInCrashMode)} of the time${refused}`;
}

/** The JSON of the safeguards (null when the policy has none). */
export function safeguardJson(s: BacktestSummary, distribution: boolean): Record<string, unknown> {
  const r = s.insurance;
  return {
    insurance:
      r === undefined
        ? null
        : {
            method: r.method,
            capitalUsd: r.capitalUsd,
            value: distribution ? r.value : { mean: r.value.mean },
            unhedgedValue: distribution ? r.unhedgedValue : { mean: r.unhedgedValue.mean },
            probabilityUnderFloor: r.probabilityUnderFloor,
            probabilityUnderFloorStdError: distribution ? r.probabilityUnderFloorStdError : null,
            pathsUnderFloor: r.pathsUnderFloor,
            probabilityEverUnderFloor: r.probabilityEverUnderFloor,
            meanShortfall: r.meanShortfall,
            shortfall99: { var: r.shortfall99.valueAtRisk, cvar: r.shortfall99.expectedShortfall, cvarStdError: finiteOrNull(r.shortfall99.expectedShortfallStdError) },
            upsideCapture: r.upsideCapture,
            downsideCapture: r.downsideCapture,
            turnover: r.turnover,
            turnoverPerYear: finiteOrNull(r.turnoverPerYear),
            units: 'USD at the horizon (not discounted): the risky leg sold at the last price, costs paid',
          },
    crashBreaker: s.crashBreaker ?? null,
  };
}

/** The sweep table's insurance and crash breaker columns, when a run has them. */
export function formatSafeguardSweep(results: readonly { readonly label: string; readonly summary: BacktestSummary }[], width = 22): string[] {
  const lines: string[] = [];
  if (results.some((r) => r.summary.insurance !== undefined)) {
    lines.push('');
    lines.push(`${'insurance'.padEnd(width)}${'mean value'.padStart(13)}${'P(< floor)'.padStart(12)}${'± 2se'.padStart(9)}${'shortfall'.padStart(11)}${'1% worst'.padStart(11)}${'upside'.padStart(9)}${'downside'.padStart(10)}${'turnover'.padStart(10)}`);
    for (const { label, summary } of results) {
      const r = summary.insurance;
      if (r === undefined) {
        lines.push(`${label.padEnd(width)}  (no insurance)`);
        continue;
      }
      lines.push(
        `${label.padEnd(width)}${usd(r.value.mean).padStart(13)}${pct(r.probabilityUnderFloor).padStart(12)}${pct(2 * r.probabilityUnderFloorStdError).padStart(9)}${usd(r.meanShortfall).padStart(11)}${usd(r.shortfall99.expectedShortfall).padStart(11)}${pct(r.upsideCapture).padStart(9)}${pct(r.downsideCapture).padStart(10)}${times(r.turnover).padStart(10)}`,
      );
    }
    lines.push('  (USD at the horizon; shortfall: the mean on the paths under the floor; 1% worst: the mean of the 1% largest shortfalls; capture: the insured gain over the unhedged one, on the paths where the asset rose / fell)');
  }
  if (results.some((r) => r.summary.crashBreaker !== undefined)) {
    lines.push('');
    lines.push(`${'crash breaker'.padEnd(width)}${'crashes/path'.padStart(14)}${'time in crash'.padStart(15)}${'refused'.padStart(9)}`);
    for (const { label, summary } of results) {
      const c = summary.crashBreaker;
      lines.push(c === undefined ? `${label.padEnd(width)}  (off)` : `${label.padEnd(width)}${c.crashesPerPath.toFixed(2).padStart(14)}${pct(c.timeInCrashMode).padStart(15)}${String(c.slippageRefusals).padStart(9)}`);
    }
  }
  return lines;
}
