/**
 * The chart of one run (`--chart FILE.svg` without --sweep), a self-contained SVG drawn
 * by hand (no scripts, fonts or links):
 *
 * 1. the P&L histogram of the paths (premium − hedge cost, USD PV), with the mean, zero,
 *    the 5% and 1% P&L quantiles (the VaR of the cost, as P&L) and the drawn path marked;
 * 2. one path over time (the costliest by default): the spot with the strikes and a
 *    marker at every trade; the book's delta (the options'), the hedge held and the net
 *    delta, inside the policy's band when it has one; the options' gamma (as the delta a
 *    1% move adds) and vega; the hedged book's value (premium − costs so far + options at
 *    Black-Scholes, PV), which ends at the path's P&L, and the costs paid so far.
 *
 * Long paths are thinned to the plot's resolution (each column keeps its extremes).
 */
import type { Histogram } from '../../../shared/domain/backtest/histogram.ts';
import type { PathTrace } from '../../../shared/domain/backtest/path-trace.ts';
import { compactNumber as fmt, escapeXml, linearScale, padded, textWidth, thinned, ticks } from './svg-plot.ts';

export interface RunChartInput {
  readonly title: string;
  /** What the drawn path is: "path 1234, the costliest of 10,000". */
  readonly pathNote: string;
  /** The underlying's name, for the units of delta ("ETH"). */
  readonly underlying: string;
  readonly strikes: readonly number[];
  /** The P&L histogram, its mean and the P&L quantiles; null for one path (no distribution). */
  readonly distribution: {
    readonly histogram: Histogram;
    readonly meanPnl: number;
    /** P&L at 5% and 1% (premium − VaR 95% / 99% of the cost). */
    readonly pnlQuantiles: readonly { readonly level: string; readonly pnl: number }[];
  } | null;
  readonly trace: PathTrace;
  /** The grid's instants, years from t0. */
  readonly years: ArrayLike<number>;
}

const WIDTH = 900;
const MARGIN = { left: 92, right: 210, top: 64, bottom: 56 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const GAP = 34;
const HISTOGRAM_H = 200;
/** Trade markers drawn at most; beyond, the panel says how many there were. */
const MAX_MARKERS = 1500;

interface Line {
  readonly name: string;
  readonly colour: string;
  readonly values: ArrayLike<number>;
  readonly width?: number;
  readonly dash?: string;
}

interface Panel {
  readonly title: string;
  readonly height: number;
  readonly lines: readonly Line[];
  /** A shaded range (the band), NaN where there is none. */
  readonly area?: { readonly name: string; readonly lower: ArrayLike<number>; readonly upper: ArrayLike<number> };
  readonly levels?: readonly { readonly value: number; readonly label: string }[];
  readonly markers?: readonly { readonly index: number; readonly kind: 'buy' | 'sell' | 'option' }[];
  readonly markersOn?: ArrayLike<number>;
}

const COLOUR = { spot: '#333333', option: '#1f77b4', hedge: '#ff7f0e', net: '#111111', band: '#e3e3e3', gamma: '#2ca02c', vega: '#9467bd', pnl: '#1f77b4', costs: '#d62728', buy: '#2ca02c', sell: '#d62728', mark: '#ff7f0e' };

function finiteRange(arrays: readonly ArrayLike<number>[], extra: readonly number[] = []): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  for (const v of extra) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? padded(lo, hi) : [-1, 1];
}

/** The trades of the path: at each instant where the count rose, a buy or sell of the delta-one hedge (or an option trade). */
function tradeMarkers(trace: PathTrace): { index: number; kind: 'buy' | 'sell' | 'option' }[] {
  const markers: { index: number; kind: 'buy' | 'sell' | 'option' }[] = [];
  for (let k = 0; k < trace.trades.length; k++) {
    const before = k === 0 ? 0 : trace.trades[k - 1]!;
    if (!(trace.trades[k]! > before)) continue;
    const change = trace.hedgeUnits[k]! - (k === 0 ? 0 : trace.hedgeUnits[k - 1]!);
    markers.push({ index: k, kind: change > 0 ? 'buy' : change < 0 ? 'sell' : 'option' });
  }
  return markers;
}

/** Time on the x axis: days, or hours for a run of two days or less. */
function timeAxis(years: ArrayLike<number>): { values: Float64Array; label: string } {
  const last = years[years.length - 1]!;
  const hours = last * 365 <= 2;
  return { values: Float64Array.from(years, (y) => y * 365 * (hours ? 24 : 1)), label: hours ? 'hours from t0' : 'days from t0' };
}

const polyline = (xs: ArrayLike<number>, ys: ArrayLike<number>, keep: readonly number[], sx: (v: number) => number, sy: (v: number) => number): string =>
  keep
    .filter((i) => Number.isFinite(ys[i]!))
    .map((i) => `${sx(xs[i]!).toFixed(1)},${sy(ys[i]!).toFixed(1)}`)
    .join(' ');

/** Legend rows at the right of a panel, from its top. */
function legend(out: string[], top: number, rows: readonly { name: string; colour: string; kind: 'line' | 'area' | 'dash' | 'buy' | 'sell' | 'option' }[]): void {
  const x = MARGIN.left + PLOT_W + 14;
  rows.forEach((r, i) => {
    const y = top + 10 + i * 17;
    if (r.kind === 'area') out.push(`<rect x="${x}" y="${y - 6}" width="22" height="12" fill="${COLOUR.band}" stroke="#bbb"/>`);
    else if (r.kind === 'buy' || r.kind === 'sell' || r.kind === 'option') out.push(marker(x + 11, y, r.kind));
    else out.push(`<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${r.colour}" stroke-width="2"${r.kind === 'dash' ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(`<text x="${x + 30}" y="${y}" dominant-baseline="middle" font-size="11">${escapeXml(r.name)}</text>`);
  });
}

function marker(x: number, y: number, kind: 'buy' | 'sell' | 'option'): string {
  const s = 4;
  if (kind === 'buy') return `<path d="M${x.toFixed(1)} ${(y - s).toFixed(1)}l${s} ${2 * s}h${-2 * s}z" fill="${COLOUR.buy}"/>`;
  if (kind === 'sell') return `<path d="M${x.toFixed(1)} ${(y + s).toFixed(1)}l${s} ${-2 * s}h${-2 * s}z" fill="${COLOUR.sell}"/>`;
  return `<rect x="${(x - 3).toFixed(1)}" y="${(y - 3).toFixed(1)}" width="6" height="6" fill="${COLOUR.vega}"/>`;
}

function drawPanel(out: string[], top: number, panel: Panel, time: Float64Array, xTicks: readonly number[], sx: (v: number) => number, last: boolean, timeLabel: string): void {
  const arrays = [...panel.lines.map((l) => l.values), ...(panel.area ? [panel.area.lower, panel.area.upper] : [])];
  const [y0, y1] = finiteRange(arrays, (panel.levels ?? []).map((l) => l.value));
  const sy = linearScale(y0, y1, top + panel.height, top);
  out.push(`<g>`);
  out.push(`<text x="${MARGIN.left}" y="${top - 8}" font-size="12" font-weight="bold">${escapeXml(panel.title)}</text>`);
  for (const t of xTicks) out.push(`<line x1="${sx(t).toFixed(1)}" y1="${top}" x2="${sx(t).toFixed(1)}" y2="${top + panel.height}" stroke="#eeeeee"/>`);
  for (const t of ticks(y0, y1, 4)) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + PLOT_W}" y2="${y}" stroke="#eeeeee"/>`);
    out.push(`<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#333" font-size="11">${fmt(t)}</text>`);
  }
  const keep = thinned(time, PLOT_W);
  if (panel.area) {
    // One polygon per run of instants where the band is defined.
    const { lower, upper } = panel.area;
    let run: number[] = [];
    const flush = (): void => {
      if (run.length > 1) {
        const points = [...run.map((i) => `${sx(time[i]!).toFixed(1)},${sy(upper[i]!).toFixed(1)}`), ...[...run].reverse().map((i) => `${sx(time[i]!).toFixed(1)},${sy(lower[i]!).toFixed(1)}`)];
        out.push(`<polygon points="${points.join(' ')}" fill="${COLOUR.band}" stroke="none"/>`);
      }
      run = [];
    };
    for (const i of keep) {
      if (Number.isFinite(lower[i]!) && Number.isFinite(upper[i]!)) run.push(i);
      else flush();
    }
    flush();
  }
  for (const level of panel.levels ?? []) {
    const y = sy(level.value).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + PLOT_W}" y2="${y}" stroke="#888" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${MARGIN.left + 4}" y="${(Number(y) - 3).toFixed(1)}" fill="#666" font-size="10">${escapeXml(level.label)}</text>`);
  }
  for (const line of panel.lines) {
    out.push(`<polyline fill="none" stroke="${line.colour}" stroke-width="${line.width ?? 1.5}"${line.dash ? ` stroke-dasharray="${line.dash}"` : ''} points="${polyline(time, line.values, keep, sx, sy)}"/>`);
  }
  if (panel.markers && panel.markersOn) {
    if (panel.markers.length <= MAX_MARKERS) for (const m of panel.markers) out.push(marker(sx(time[m.index]!), sy(panel.markersOn[m.index]!), m.kind));
    else out.push(`<text x="${MARGIN.left + PLOT_W - 4}" y="${top + 14}" text-anchor="end" fill="#666" font-size="10">trades at ${panel.markers.length.toLocaleString('en-US')} instants: too many to mark</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${top}" width="${PLOT_W}" height="${panel.height}" fill="none" stroke="#333"/>`);
  if (last) {
    for (const t of xTicks) out.push(`<text x="${sx(t).toFixed(1)}" y="${top + panel.height + 16}" text-anchor="middle" fill="#333" font-size="11">${fmt(t)}</text>`);
    out.push(`<text x="${MARGIN.left + PLOT_W / 2}" y="${top + panel.height + 36}" text-anchor="middle">${timeLabel}</text>`);
  }
  out.push(`</g>`);
  const rows: { name: string; colour: string; kind: 'line' | 'area' | 'dash' | 'buy' | 'sell' | 'option' }[] = panel.lines.map((l) => ({ name: l.name, colour: l.colour, kind: l.dash ? 'dash' : 'line' }));
  if (panel.area) rows.push({ name: panel.area.name, colour: COLOUR.band, kind: 'area' });
  const kinds = new Set(panel.markers?.map((m) => m.kind));
  if (kinds.has('buy')) rows.push({ name: 'bought (hedge)', colour: COLOUR.buy, kind: 'buy' });
  if (kinds.has('sell')) rows.push({ name: 'sold (hedge)', colour: COLOUR.sell, kind: 'sell' });
  if (kinds.has('option')) rows.push({ name: 'option trade', colour: COLOUR.vega, kind: 'option' });
  legend(out, top, rows);
}

function drawHistogram(out: string[], top: number, d: NonNullable<RunChartInput['distribution']>, pathPnl: number, pathName: string): void {
  const h = d.histogram;
  const first = h.bins[0]!;
  const lastBin = h.bins[h.bins.length - 1]!;
  const lo = first.lo - (h.below > 0 ? h.width : 0);
  const hi = lastBin.hi + (h.above > 0 ? h.width : 0);
  const sx = linearScale(lo, hi, MARGIN.left, MARGIN.left + PLOT_W);
  const yMax = Math.max(h.below, h.above, ...h.bins.map((b) => b.count), 1) * 1.12;
  const sy = linearScale(0, yMax, top + HISTOGRAM_H, top);
  out.push(`<g>`);
  out.push(`<text x="${MARGIN.left}" y="${top - 8}" font-size="12" font-weight="bold">P&amp;L per path (premium − hedge cost, USD PV at t0): ${h.total.toLocaleString('en-US')} paths</text>`);
  for (const t of ticks(0, yMax, 4)) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + PLOT_W}" y2="${y}" stroke="#eeeeee"/>`);
    out.push(`<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#333" font-size="11">${fmt(t)}</text>`);
  }
  const rect = (a: number, b: number, count: number, fill: string, note: string): void => {
    const x = sx(a);
    const w = Math.max(0.5, sx(b) - x - 1);
    out.push(`<rect x="${x.toFixed(1)}" y="${sy(count).toFixed(1)}" width="${w.toFixed(1)}" height="${(top + HISTOGRAM_H - sy(count)).toFixed(1)}" fill="${fill}"><title>${escapeXml(`${note}: ${count.toLocaleString('en-US')} path(s)`)}</title></rect>`);
  };
  for (const b of h.bins) rect(b.lo, b.hi, b.count, '#9ecae1', `${fmt(b.lo)} … ${fmt(b.hi)}`);
  if (h.below > 0) rect(lo, first.lo, h.below, '#c7c7c7', `below ${fmt(first.lo)}`);
  if (h.above > 0) rect(lastBin.hi, hi, h.above, '#c7c7c7', `above ${fmt(lastBin.hi)}`);
  const vertical = (value: number, colour: string, dash: string, label: string, row: number): void => {
    const clamped = Math.min(Math.max(value, lo), hi);
    const x = sx(clamped);
    out.push(`<line x1="${x.toFixed(1)}" y1="${top}" x2="${x.toFixed(1)}" y2="${top + HISTOGRAM_H}" stroke="${colour}" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    const text = `${label}${value === 0 ? '' : ` ${fmt(value)}`}${clamped !== value ? (value < lo ? ' ◂' : ' ▸') : ''}`;
    const right = x + 4 + textWidth(text, 10) > MARGIN.left + PLOT_W;
    out.push(`<text x="${(right ? x - 4 : x + 4).toFixed(1)}" y="${top + 12 + row * 13}" text-anchor="${right ? 'end' : 'start'}" fill="${colour}" font-size="10">${escapeXml(text)}</text>`);
  };
  if (lo < 0 && hi > 0) vertical(0, '#333333', '', '0', 0);
  vertical(d.meanPnl, '#1f4e79', '', 'mean', 1);
  d.pnlQuantiles.forEach((q, i) => vertical(q.pnl, '#b22222', i === 0 ? '5 3' : '2 2', q.level, 2 + i));
  vertical(pathPnl, COLOUR.mark, '', pathName, 2 + d.pnlQuantiles.length);
  out.push(`<rect x="${MARGIN.left}" y="${top}" width="${PLOT_W}" height="${HISTOGRAM_H}" fill="none" stroke="#333"/>`);
  for (const t of ticks(lo, hi)) out.push(`<text x="${sx(t).toFixed(1)}" y="${top + HISTOGRAM_H + 16}" text-anchor="middle" fill="#333" font-size="11">${fmt(t)}</text>`);
  out.push(`</g>`);
  legend(out, top, [
    { name: 'paths per bin', colour: '#9ecae1', kind: 'line' },
    ...(h.below + h.above > 0 ? [{ name: 'beyond the bulk', colour: '#c7c7c7', kind: 'line' as const }] : []),
    { name: 'mean P&L', colour: '#1f4e79', kind: 'line' },
    { name: 'VaR 95% / 99%, as P&L', colour: '#b22222', kind: 'dash' },
    { name: 'the path drawn below', colour: COLOUR.mark, kind: 'line' },
  ]);
}

/**
 * The SVG of one run.
 *
 * @example
 * const svg = renderRunChart({ title, pathNote: 'path 7, the costliest of 400', underlying: 'ETH', strikes: [3000], distribution, trace, years: grid.years });
 */
export function renderRunChart(input: RunChartInput): string {
  const { trace } = input;
  const { values: time, label: timeLabel } = timeAxis(input.years);
  const sx = linearScale(time[0]!, time[time.length - 1]!, MARGIN.left, MARGIN.left + PLOT_W);
  const xTicks = ticks(time[0]!, time[time.length - 1]!, 8);
  const n = trace.spot.length;
  const net = Float64Array.from({ length: n }, (_, k) => trace.optionDelta[k]! + trace.hedgeUnits[k]!);
  const hasBand = trace.bandUnits.some((b) => Number.isFinite(b));
  const gammaPerPct = Float64Array.from({ length: n }, (_, k) => (trace.gamma[k]! * trace.spot[k]!) / 100);
  const costs = Float64Array.from(trace.transactionCosts, (c) => -c);
  const unit = input.underlying;
  const panels: Panel[] = [
    {
      title: `Spot (USD) and the trades — ${input.pathNote}`,
      height: 170,
      lines: [{ name: 'spot', colour: COLOUR.spot, values: trace.spot }],
      levels: input.strikes.map((k) => ({ value: k, label: `strike ${fmt(k)}` })),
      markers: tradeMarkers(trace),
      markersOn: trace.spot,
    },
    {
      title: `Delta (${unit}), after each instant's trades`,
      height: 170,
      lines: [
        { name: "options' delta", colour: COLOUR.option, values: trace.optionDelta },
        { name: 'hedge held', colour: COLOUR.hedge, values: trace.hedgeUnits },
        { name: 'net delta', colour: COLOUR.net, values: net, width: 2 },
      ],
      ...(hasBand ? { area: { name: 'the policy\'s band', lower: Float64Array.from(trace.bandUnits, (b) => -b), upper: trace.bandUnits } } : {}),
    },
    { title: `Gamma: the delta a 1% move adds (${unit})`, height: 110, lines: [{ name: 'Γ·S/100', colour: COLOUR.gamma, values: gammaPerPct }] },
    { title: 'Vega (USD per vol point)', height: 110, lines: [{ name: 'vega', colour: COLOUR.vega, values: trace.vegaPerVolPoint }] },
    {
      title: 'The hedged book (USD, PV at t0): premium − costs so far + options at Black-Scholes',
      height: 170,
      lines: [
        { name: 'value (P&L so far)', colour: COLOUR.pnl, values: trace.pnl, width: 2 },
        { name: '− trading costs so far', colour: COLOUR.costs, values: costs, dash: '5 3' },
      ],
      levels: [{ value: 0, label: '0' }],
    },
  ];
  const pathPnl = trace.pnl[n - 1]!;
  const histogramHeight = input.distribution ? HISTOGRAM_H + GAP + 30 : 0;
  const height = MARGIN.top + histogramHeight + panels.reduce((h, p) => h + p.height + GAP, 0) + MARGIN.bottom;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title>${escapeXml(input.title)}</title>`);
  out.push(`<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${WIDTH / 2}" y="26" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(input.title)}</text>`);
  out.push(`<text x="${WIDTH / 2}" y="46" text-anchor="middle" font-size="12" fill="#444">${escapeXml(`${input.pathNote}: P&L ${fmt(pathPnl)}, ${trace.trades[n - 1]!} trades`)}</text>`);
  let top = MARGIN.top + 16;
  if (input.distribution) {
    drawHistogram(out, top, input.distribution, pathPnl, `path ${trace.path}`);
    top += HISTOGRAM_H + GAP + 30;
  }
  panels.forEach((panel, i) => {
    drawPanel(out, top, panel, time, xTicks, sx, i === panels.length - 1, timeLabel);
    top += panel.height + GAP;
  });
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
