/**
 * The cost-versus-risk frontier as a self-contained SVG (no scripts, fonts or links):
 * x = standard deviation of the hedge cost, y = mean hedge cost, one coloured series
 * per --sweep, each point labelled with its swept value in its units ("band 4 ETH",
 * "every 1d"), the labels placed so that they do not overlap (label-placement.ts).
 * Efficient points are filled (only in series of policy alternatives: see `frontier`),
 * and the legend says so only when a point is filled. A point with a standard error gets
 * a ±2 s.e. bar on its mean; a premium, when given, is a dashed line.
 */
import { efficientMask, type FrontierPoint } from '../shared/domain/backtest/frontier.ts';
import { placeLabels, type Box, type LabelRequest } from './commands/backtest/label-placement.ts';
import { compactNumber as fmt, escapeXml, padded, textWidth, ticks } from './commands/backtest/svg-plot.ts';

/** A point, with the Monte-Carlo standard error of its mean when known. */
export type ChartPoint = FrontierPoint & {
  readonly stdError?: number;
  /** The label drawn beside the point (default `label`), e.g. "band 4 ETH". */
  readonly display?: string;
};

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
const LABEL_FONT = 11;
const POINT_RADIUS = 4.5;

export function renderFrontierSvg(series: readonly ChartSeries[], title: string, options: ChartOptions = {}): string {
  const all = series.flatMap((s) => s.points);
  const bar = (p: ChartPoint): number => (p.stdError !== undefined && Number.isFinite(p.stdError) ? 2 * p.stdError : 0);
  const premium = options.premium !== undefined && Number.isFinite(options.premium) ? options.premium : undefined;
  const xs = all.map((p) => p.std);
  const ys = [...all.flatMap((p) => [p.mean - bar(p), p.mean + bar(p)]), ...(premium === undefined ? [] : [premium])];
  // The axes start near the data (not at 0), so that close points stay apart.
  const [x0, x1] = padded(Math.min(...xs), Math.max(...xs));
  const [y0, y1] = padded(Math.min(...ys), Math.max(...ys));
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
  const obstacles: Box[] = [];
  if (premium !== undefined) {
    const y = sy(premium);
    const text = `premium ${fmt(premium)}`;
    const width = textWidth(text, 11);
    out.push(`<line x1="${MARGIN.left}" y1="${y.toFixed(1)}" x2="${MARGIN.left + plotW}" y2="${y.toFixed(1)}" stroke="#555" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${MARGIN.left + plotW - 4}" y="${(y - 5).toFixed(1)}" text-anchor="end" fill="#555" font-size="11">${escapeXml(text)}</text>`);
    obstacles.push({ x: MARGIN.left + plotW - 4 - width, y: y - 16, width, height: 13 });
  }

  // Series: lines, bars and points first; then every label, placed around all the points.
  const drawn = series.map((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const sorted = [...s.points].sort((a, b) => a.std - b.std);
    const efficient = s.frontier === false ? sorted.map(() => false) : efficientMask(sorted);
    return { s, colour, sorted, efficient };
  });
  for (const { s, colour, sorted, efficient } of drawn) {
    out.push(`<g>`);
    if (sorted.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${sorted.map((p) => `${sx(p.std).toFixed(1)},${sy(p.mean).toFixed(1)}`).join(' ')}"/>`);
    // The line, as small boxes every few pixels: labels keep off it where they can.
    for (let j = 1; j < sorted.length; j++) {
      const [ax, ay, bx, by] = [sx(sorted[j - 1]!.std), sy(sorted[j - 1]!.mean), sx(sorted[j]!.std), sy(sorted[j]!.mean)];
      const steps = Math.ceil(Math.hypot(bx - ax, by - ay) / 5);
      for (let k = 1; k < steps; k++) obstacles.push({ x: ax + ((bx - ax) * k) / steps - 1.5, y: ay + ((by - ay) * k) / steps - 1.5, width: 3, height: 3 });
    }
    sorted.forEach((p, j) => {
      const x = sx(p.std);
      const y = sy(p.mean);
      const e = bar(p);
      if (e > 0) {
        const [top, bottom] = [sy(p.mean + e).toFixed(1), sy(p.mean - e).toFixed(1)];
        out.push(`<path d="M${x.toFixed(1)} ${top}V${bottom}M${(x - 4).toFixed(1)} ${top}h8M${(x - 4).toFixed(1)} ${bottom}h8" stroke="${colour}" stroke-width="1.2" fill="none"/>`);
        obstacles.push({ x: x - 4, y: Number(top), width: 8, height: Number(bottom) - Number(top) });
      }
      out.push(
        `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${POINT_RADIUS}" stroke="${colour}" stroke-width="2" fill="${efficient[j] ? colour : '#ffffff'}"><title>${escapeXml(`${s.name} ${p.label}: mean ${fmt(p.mean)}, std ${fmt(p.std)}`)}</title></circle>`,
      );
      obstacles.push({ x: x - POINT_RADIUS - 1, y: y - POINT_RADIUS - 1, width: 2 * POINT_RADIUS + 2, height: 2 * POINT_RADIUS + 2 });
    });
    out.push(`</g>`);
  }
  const labelled = drawn.flatMap(({ colour, sorted }) => sorted.map((p) => ({ colour, text: p.display ?? p.label, x: sx(p.std), y: sy(p.mean) })));
  const requests: LabelRequest[] = labelled.map((l) => ({ x: l.x, y: l.y, width: textWidth(l.text, LABEL_FONT), height: LABEL_FONT + 2 }));
  const placed = placeLabels(requests, obstacles, { x: MARGIN.left, y: MARGIN.top, width: plotW, height: plotH });
  labelled.forEach((l, i) => {
    const p = placed[i]!;
    if (p.leader) out.push(`<line x1="${l.x.toFixed(1)}" y1="${l.y.toFixed(1)}" x2="${p.leader.x.toFixed(1)}" y2="${p.leader.y.toFixed(1)}" stroke="${l.colour}" stroke-width="1"/>`);
    out.push(`<text x="${p.textX.toFixed(1)}" y="${p.textY.toFixed(1)}" fill="${l.colour}" font-size="${LABEL_FONT}">${escapeXml(l.text)}</text>`);
  });

  // Legend: a line per series, then what the marks mean (a filled point only when one is).
  const lx = MARGIN.left + plotW + 16;
  drawn.forEach(({ s, colour }, i) => {
    const ly = MARGIN.top + 12 + i * 22;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${colour}" stroke-width="2"/><circle cx="${lx + 11}" cy="${ly}" r="4" stroke="${colour}" stroke-width="1.5" fill="#ffffff"/>`);
    // A long series name gets a smaller font so that it stays inside the picture.
    const room = WIDTH - (lx + 30) - 4;
    const size = Math.max(8, Math.min(12, Math.floor((12 * room) / textWidth(s.name, 12))));
    out.push(`<text x="${lx + 30}" y="${ly}" dominant-baseline="middle"${size < 12 ? ` font-size="${size}"` : ''}>${escapeXml(s.name)}</text>`);
  });
  let noteY = MARGIN.top + 16 + series.length * 22;
  if (drawn.some((d) => d.efficient.some(Boolean))) {
    out.push(`<circle cx="${lx + 5}" cy="${noteY - 4}" r="4" fill="#555" stroke="#555"/>`);
    out.push(`<text x="${lx + 14}" y="${noteY}" font-size="11" fill="#555">filled: efficient (no</text>`);
    out.push(`<text x="${lx + 14}" y="${noteY + 14}" font-size="11" fill="#555">other point has a lower</text>`);
    out.push(`<text x="${lx + 14}" y="${noteY + 28}" font-size="11" fill="#555">mean and std)</text>`);
    noteY += 46;
  }
  if (all.some((p) => bar(p) > 0)) out.push(`<text x="${lx}" y="${noteY}" font-size="11" fill="#555">bars: mean ± 2 s.e.</text>`);
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
