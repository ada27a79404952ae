/**
 * Number formatting for the decisions' human sentences. Quantities keep two decimals
 * from 1 up and three significant digits below (0.00412 BTC is not "0.00"); signs are
 * explicit where a sign means something (a delta), absent where the verb says it (buy,
 * sell). Plain ASCII: messages end up in logs, JSON and terminals.
 */

/** An amount without sign: "12.40", "0.00412", "0". */
export function fmtAbs(x: number): string {
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a < 1) return a.toPrecision(3);
  if (a < 1e13) {
    // Two decimals by integer arithmetic: Number.prototype.toFixed is ~5x slower, and
    // this runs on every decision. (Halves may round differently from toFixed's exact
    // decimal expansion; a message does not care, and the result is still deterministic.)
    const cents = Math.round(a * 100);
    const whole = Math.floor(cents / 100);
    const frac = cents - whole * 100;
    return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
  }
  return a.toFixed(2);
}

/** An amount with its sign: "+12.40", "-0.00412", "0". */
export function fmtSigned(x: number): string {
  if (x === 0) return '0';
  return (x > 0 ? '+' : '-') + fmtAbs(x);
}

/** A Greek: four significant digits with sign ("+0.08000", "-1.235e-7"). */
export function fmtGreek(x: number): string {
  if (x === 0) return '0';
  return (x > 0 ? '+' : '-') + Math.abs(x).toPrecision(4);
}

/** USD: "1,234,567.89". */
export function fmtUsd(x: number): string {
  const fixed = Math.abs(x).toFixed(2);
  const dot = fixed.indexOf('.');
  let whole = fixed.slice(0, dot);
  if (whole.length > 3 && whole.length <= 16) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (x < 0 ? '-' : '') + whole + fixed.slice(dot);
}

/** A fraction as percent with sign: 0.031 → "+3.10%". */
export function fmtPct(fraction: number): string {
  const p = fraction * 100;
  return (p > 0 ? '+' : p < 0 ? '-' : '') + Math.abs(p).toFixed(2) + '%';
}

/** A duration: "45 s", "12.0 min", "2.0 h", "1.5 d". */
export function fmtDuration(ms: number): string {
  const s = ms / 1000;
  if (Math.abs(s) < 60) return `${s.toFixed(0)} s`;
  if (Math.abs(s) < 3600) return `${(s / 60).toFixed(1)} min`;
  if (Math.abs(s) < 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}
