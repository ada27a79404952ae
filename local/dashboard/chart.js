/* global document */
// Hand-drawn SVG line charts. No charting library: the dashboard must load with nothing
// but the local stack on the network, and a few hundred points need no more than paths.
// Every coordinate goes through finite() so a gap or a bad value can never put "NaN"
// into an attribute (the browser would drop the whole path).

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element; text is set as a text node, never parsed as markup. */
export function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

/** An HTML element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const finite = (v) => typeof v === 'number' && Number.isFinite(v);
const round = (v) => Math.round(v * 10) / 10;

function linear([d0, d1], [r0, r1]) {
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Widen a degenerate or empty extent so a single value sits mid-chart instead of dividing by zero. */
function extent(values, pad, minPad) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!finite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return null;
  const p = hi > lo ? (hi - lo) * pad : Math.max(Math.abs(lo) * 0.01, minPad);
  return [lo - p, hi + p];
}

/** Round steps (1, 2, 5 × 10^n), about `count` of them across the domain. */
export function niceTicks([lo, hi], count = 5) {
  const raw = (hi - lo) / count;
  if (!(raw > 0)) return [];
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Number(v.toFixed(decimals)));
  }
  return ticks;
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map((s) => s * 1000);

function timeTicks([t0, t1], count = 5) {
  const step = TIME_STEPS.find((s) => s >= (t1 - t0) / count) ?? TIME_STEPS[TIME_STEPS.length - 1];
  const ticks = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
  return { ticks, step };
}

function timeLabel(t, step) {
  const d = new Date(t);
  const two = (n) => String(n).padStart(2, '0');
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
  return step < 60_000 ? `${hm}:${two(d.getSeconds())}` : hm;
}

/** Consecutive runs of points where keep(p) holds: gaps split lines and bands. */
function runs(points, keep) {
  const out = [];
  let current = [];
  for (const p of points) {
    if (keep(p)) current.push(p);
    else if (current.length) {
      out.push(current);
      current = [];
    }
  }
  if (current.length) out.push(current);
  return out;
}

function markerPath(shape, x, y) {
  if (shape === 'up') return `M${x} ${y - 7}L${x + 6} ${y + 4}L${x - 6} ${y + 4}Z`;
  if (shape === 'down') return `M${x} ${y + 7}L${x + 6} ${y - 4}L${x - 6} ${y - 4}Z`;
  return `M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x + 4} ${y - 4}L${x - 4} ${y + 4}`;
}

/**
 * A time-series chart as a <figure>: the SVG plus an HTML legend.
 *   lines:   [{ key, name, points: [{ t, v }] }]            (v may be null: a gap)
 *   bands:   [{ key, name, points: [{ t, lo, hi }] }]       (null edges: no band there)
 *   markers: [{ t, v, shape: 'up'|'down'|'cross'|'dot', key, title }]
 * Options: label (aria-label), width, height, xDomain ([t0, t1], shared across charts),
 * zeroLine (include and draw y = 0), yFormat.
 */
export function lineChart({ label, lines = [], bands = [], markers = [], width = 480, height = 240, xDomain, zeroLine = false, yFormat = String }) {
  const m = { top: 10, right: 14, bottom: 24, left: 64 };
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': label });
  root.append(svg('title', {}, [label]));

  const linePts = lines.map((l) => (l.points ?? []).filter((p) => finite(p.t)).sort((a, b) => a.t - b.t));
  const bandPts = bands.map((b) => (b.points ?? []).filter((p) => finite(p.t)).sort((a, b2) => a.t - b2.t));
  const shown = markers.filter((k) => finite(k.t) && finite(k.v));
  const ys = [
    ...linePts.flatMap((ps) => ps.map((p) => p.v)),
    ...bandPts.flatMap((ps) => ps.flatMap((p) => [p.lo, p.hi])),
    ...shown.map((k) => k.v),
  ];
  const hasData = ys.some(finite);
  if (zeroLine && hasData) ys.push(0);
  const xd = xDomain && finite(xDomain[0]) && finite(xDomain[1]) && xDomain[1] > xDomain[0]
    ? xDomain
    : extent([...linePts.flat(), ...bandPts.flat(), ...shown].map((p) => p.t), 0, 30_000);
  const yd = extent(ys, 0.08, 1);

  const figure = el('figure', { class: 'chart-figure', 'data-empty': hasData ? null : 'true' }, [root]);
  if (!hasData || !xd || !yd) {
    root.append(svg('text', { x: width / 2, y: height / 2, class: 'empty', 'text-anchor': 'middle' }, ['No data yet']));
    return figure;
  }

  const x = linear(xd, [m.left, width - m.right]);
  const y = linear(yd, [height - m.bottom, m.top]);
  const X = (t) => round(x(t));
  const Y = (v) => round(y(v));

  const axes = svg('g', { class: 'axes', 'aria-hidden': 'true' });
  for (const v of niceTicks(yd, 4)) {
    axes.append(svg('line', { class: 'gridline', x1: m.left, x2: width - m.right, y1: Y(v), y2: Y(v) }));
    axes.append(svg('text', { x: m.left - 6, y: Y(v), 'text-anchor': 'end', 'dominant-baseline': 'middle' }, [yFormat(v)]));
  }
  const { ticks, step } = timeTicks(xd, Math.max(2, Math.floor(width / 120)));
  for (const t of ticks) {
    axes.append(svg('line', { class: 'tick', x1: X(t), x2: X(t), y1: height - m.bottom, y2: height - m.bottom + 4 }));
    axes.append(svg('text', { x: X(t), y: height - m.bottom + 15, 'text-anchor': 'middle' }, [timeLabel(t, step)]));
  }
  axes.append(svg('line', { class: 'axis', x1: m.left, x2: width - m.right, y1: height - m.bottom, y2: height - m.bottom }));
  if (zeroLine && yd[0] < 0 && yd[1] > 0) {
    axes.append(svg('line', { class: 'zero', x1: m.left, x2: width - m.right, y1: Y(0), y2: Y(0) }));
  }
  root.append(axes);

  bands.forEach((band, i) => {
    for (const seg of runs(bandPts[i], (p) => finite(p.lo) && finite(p.hi))) {
      // A one-point band still gets a visible sliver rather than a zero-width polygon.
      const pts = seg.length > 1 ? seg : [{ ...seg[0], dx: -2 }, { ...seg[0], dx: 2 }];
      const upper = pts.map((p, j) => `${j ? 'L' : 'M'}${X(p.t) + (p.dx ?? 0)} ${Y(p.hi)}`).join('');
      const lower = [...pts].reverse().map((p) => `L${X(p.t) + (p.dx ?? 0)} ${Y(p.lo)}`).join('');
      root.append(svg('path', { class: `band band-${band.key}`, d: `${upper}${lower}Z` }));
      for (const edge of ['hi', 'lo']) {
        const d = pts.map((p, j) => `${j ? 'L' : 'M'}${X(p.t) + (p.dx ?? 0)} ${Y(p[edge])}`).join('');
        root.append(svg('path', { class: `band-edge band-${band.key}`, d }));
      }
    }
  });

  lines.forEach((line, i) => {
    for (const seg of runs(linePts[i], (p) => finite(p.v))) {
      if (seg.length === 1) {
        root.append(svg('circle', { class: `point line-${line.key}`, cx: X(seg[0].t), cy: Y(seg[0].v), r: 3 }));
        continue;
      }
      const d = seg.map((p, j) => `${j ? 'L' : 'M'}${X(p.t)} ${Y(p.v)}`).join('');
      root.append(svg('path', { class: `line line-${line.key}`, d, 'data-points': seg.length }));
    }
  });

  for (const k of shown) {
    const g = svg('g', { class: `marker marker-${k.shape} marker-${k.key}`, tabindex: 0 }, [svg('title', {}, [k.title ?? ''])]);
    const cx = X(k.t);
    const cy = Y(k.v);
    g.append(k.shape === 'dot' ? svg('circle', { cx, cy, r: 3.5 }) : svg('path', { d: markerPath(k.shape, cx, cy) }));
    root.append(g);
  }

  const legend = el('ul', { class: 'legend' });
  for (const b of bands) legend.append(el('li', {}, [el('span', { class: `swatch band-${b.key}` }), b.name]));
  for (const l of lines) legend.append(el('li', {}, [el('span', { class: `swatch line-${l.key}` }), l.name]));
  for (const entry of new Map(shown.map((k) => [`${k.shape} ${k.key}`, k])).values()) {
    legend.append(el('li', {}, [el('span', { class: `glyph marker-${entry.key}`, text: glyph(entry.shape) }), entry.legend ?? entry.key]));
  }
  figure.append(legend);
  return figure;
}

function glyph(shape) {
  return { up: '▲', down: '▼', cross: '✕', dot: '●' }[shape] ?? '●';
}
