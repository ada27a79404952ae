/**
 * The cost-versus-risk frontier as a self-contained SVG (no scripts, fonts or links):
 * x = standard deviation of the hedge cost, y = mean hedge cost, one coloured series
 * per --sweep, each point labelled with its swept value; efficient points are filled
 * (only in series of policy alternatives: see `frontier`). A point with a standard
 * error gets a ±2 s.e. bar on its mean; a premium, when given, is a dashed line.
 */
import { efficientMask, type FrontierPoint } from '../shared/domain/backtest/frontier.ts';

/** A point, with the Monte-Carlo standard error of its mean when known. */
export type ChartPoint = FrontierPoint & { readonly stdError?: number };

export interface ChartOptions {
  /** The premium (what writing the book brings in): a reference line for the mean cost. */
  readonly premium?: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
  /**
   * Whether its points are alternatives of one policy on the same paths (default true).
   * Otherwise (a seed or market sweep) "efficient" means nothing: no point is filled.
   */
  readonly frontier?: boolean;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
const WIDTH = 860;
const HEIGHT = 560;
const MARGIN = { left: 100, right: 200, top: 56, bottom: 64 };

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** About five round ticks covering [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const fmt = (v: number): string => {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  return Number(v.toPrecision(4)).toLocaleString('en-US');
};

export function renderFrontierSvg(series: readonly ChartSeries[], title: string, options: ChartOptions = {}): string {
  const all = series.flatMap((s) => s.points);
  const bar = (p: ChartPoint): number => (p.stdError !== undefined && Number.isFinite(p.stdError) ? 2 * p.stdError : 0);
  const xs = all.map((p) => p.std);
  const ys = [...all.flatMap((p) => [p.mean - bar(p), p.mean + bar(p)]), ...(options.premium !== undefined && Number.isFinite(options.premium) ? [options.premium] : [])];
  const pad = (lo: number, hi: number): [number, number] => {
    const span = hi - lo || Math.abs(hi) * 0.1 || 1;
    return [lo - span * 0.08, hi + span * 0.08];
  };
  // The axes start near the data (not at 0), so that close points stay apart.
  const [x0, x1] = pad(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = pad(Math.min(...ys), Math.max(...ys));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => MARGIN.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(`<text x="${WIDTH / 2}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`);
  // Grid and axes.
  for (const t of ticks(x0, x1)) {
    const x = sx(t).toFixed(1);
    out.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + plotH}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x}" y="${MARGIN.top + plotH + 18}" text-anchor="middle" fill="#333">${fmt(t)}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    const y = sy(t).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#333">${fmt(t)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 18}" text-anchor="middle">risk: standard deviation of the hedge cost (USD, PV at t0)</text>`);
  out.push(`<text transform="translate(24 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">mean hedge cost (USD, PV at t0)</text>`);
  if (options.premium !== undefined && Number.isFinite(options.premium)) {
    const y = sy(options.premium).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#555" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${MARGIN.left + plotW - 4}" y="${(Number(y) - 5).toFixed(1)}" text-anchor="end" fill="#555" font-size="11">premium ${escapeXml(fmt(options.premium))}</text>`);
  }
  // Series.
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const sorted = [...s.points].sort((a, b) => a.std - b.std);
    const efficient = s.frontier === false ? sorted.map(() => false) : efficientMask(sorted);
    out.push(`<g>`);
    if (sorted.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${sorted.map((p) => `${sx(p.std).toFixed(1)},${sy(p.mean).toFixed(1)}`).join(' ')}"/>`);
    sorted.forEach((p, j) => {
      const x = sx(p.std).toFixed(1);
      const y = sy(p.mean).toFixed(1);
      const e = bar(p);
      if (e > 0) {
        const [top, bottom] = [sy(p.mean + e).toFixed(1), sy(p.mean - e).toFixed(1)];
        out.push(`<path d="M${x} ${top}V${bottom}M${(Number(x) - 4).toFixed(1)} ${top}h8M${(Number(x) - 4).toFixed(1)} ${bottom}h8" stroke="${colour}" stroke-width="1.2" fill="none"/>`);
      }
      out.push(`<circle cx="${x}" cy="${y}" r="4.5" stroke="${colour}" stroke-width="2" fill="${efficient[j] ? colour : '#ffffff'}"><title>${escapeXml(`${s.name} ${p.label}: mean ${fmt(p.mean)}, std ${fmt(p.std)}`)}</title></circle>`);
      out.push(`<text x="${(Number(x) + 7).toFixed(1)}" y="${(Number(y) - 7).toFixed(1)}" fill="${colour}" font-size="11">${escapeXml(p.label)}</text>`);
    });
    out.push(`</g>`);
    const ly = MARGIN.top + 12 + i * 22;
    const lx = MARGIN.left + plotW + 16;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${colour}" stroke-width="2"/><circle cx="${lx + 11}" cy="${ly}" r="4" stroke="${colour}" fill="${s.frontier === false ? '#ffffff' : colour}"/>`);
    out.push(`<text x="${lx + 30}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  const notes: string[] = [];
  if (series.some((s) => s.frontier !== false)) notes.push('filled: efficient');
  if (all.some((p) => bar(p) > 0)) notes.push('bars: mean ± 2 s.e.');
  notes.forEach((note, j) => out.push(`<text x="${MARGIN.left + plotW + 16}" y="${MARGIN.top + 16 + series.length * 22 + j * 16}" font-size="11" fill="#555">${note}</text>`));
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
