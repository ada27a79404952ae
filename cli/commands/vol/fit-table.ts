/** The human-readable table of `hedge vol fit` (without --json). */
import type { VolFitReport } from './fit-model.ts';

const percent = (v: number | null): string => (v === null ? 'n/a' : `${(100 * v).toFixed(2)}%`);
const number = (v: number | null): string => (v === null ? 'n/a (on a bound)' : Math.abs(v) >= 1e-3 || v === 0 ? v.toPrecision(5) : v.toExponential(4));

/** The fit as a table. */
export function formatVolFitTable(report: VolFitReport, source: string): string {
  const lines: string[] = [];
  const title = report.model === 'garch' ? 'GARCH(1,1)' : 'EWMA (RiskMetrics)';
  lines.push(`${title} fit of ${source}: ${report.observations.toLocaleString('en-US')} returns, one every ${report.sampling.interval} (${report.sampling.stepsPerYear.toFixed(1)} a year)`);
  if (report.model === 'garch') {
    const extras = [`start ${report.start === 'presample' ? 'σ²₀ = ε²₀ = s² (presample)' : 'σ²₁ = s²'}`, ...(report.varianceTargeting ? ['variance targeting'] : [])];
    lines.push(`  ${extras.join(', ')}`);
  }
  lines.push('');
  lines.push(`  ${'parameter'.padEnd(10)} ${'estimate'.padStart(14)} ${'std error'.padStart(18)}`);
  const params = report.params as Record<string, number>;
  const errors = report.standardErrors as Record<string, number | null>;
  for (const name of Object.keys(params)) {
    const error = report.model === 'ewma' && report.lambdaSource === 'fixed' ? 'n/a (given)' : name === 'omega' && report.varianceTargeting ? 'n/a (targeted)' : number(errors[name] ?? null);
    lines.push(`  ${name.padEnd(10)} ${number(params[name]!).padStart(14)} ${error.padStart(18)}`);
  }
  if (report.atBound && report.atBound.length > 0) lines.push(`  on a bound: ${report.atBound.join(', ')} (no standard error there)`);
  lines.push('');
  lines.push(`  log-likelihood   ${report.logLikelihood.toFixed(4)}`);
  const halfLife = report.halfLife === null ? 'never (unit root)' : `${report.halfLife.steps.toFixed(1)} steps = ${report.halfLife.text}`;
  lines.push(`  persistence      ${report.persistence.toFixed(6)}   half-life ${halfLife}${report.model === 'ewma' ? ' (of the weights)' : ''}`);
  lines.push(`  vol now          ${percent(report.annualisedVol)} a year (the next step's)`);
  lines.push(`  long-run vol     ${report.longRunVol === null ? 'none (EWMA forecasts are flat)' : `${percent(report.longRunVol)} a year`}`);
  lines.push('');
  lines.push('  Forecast: vol to hedge each horizon with (√ average variance per step, annualised)');
  lines.push(`    ${'horizon'.padEnd(9)} ${'steps'.padStart(9)} ${'vol'.padStart(9)} ${'at its end'.padStart(11)}`);
  for (const f of report.forecast) lines.push(`    ${f.horizon.padEnd(9)} ${f.steps.toFixed(2).padStart(9)} ${percent(f.vol).padStart(9)} ${percent(f.terminalVol).padStart(11)}`);
  lines.push('');
  const { jumps } = report;
  const latest = jumps.latest ? ` (latest ${jumps.latest.time}, return ${(100 * jumps.latest.return).toFixed(2)}%, z = ${jumps.latest.z.toFixed(1)})` : '';
  lines.push(`  Jumps: ${jumps.count} return${jumps.count === 1 ? '' : 's'} beyond ${jumps.threshold} conditional sigmas${latest}`);
  if (jumps.bipower) {
    const b = jumps.bipower;
    lines.push(`         bipower test: ${(100 * b.relativeJump).toFixed(1)}% of the variance from jumps, z = ${b.statistic.toFixed(2)}, p = ${b.pValue.toPrecision(2)}${b.jump ? ': jumps' : ': no jump at 0.1%'}`);
  }
  if (report.regime) {
    const r = report.regime;
    lines.push(`  Regime: ${r.regime} — forecast ${percent(r.realisedVol)} vs implied ${percent(r.impliedVol)} (ratio ${r.realisedOverImplied.toFixed(3)})${r.jump ? '; the last return was a jump' : ''}`);
  }
  return lines.join('\n') + '\n';
}
