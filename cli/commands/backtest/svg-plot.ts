/**
 * The small pieces the hand-drawn SVG charts share (no chart library): escaping, round
 * ticks, compact numbers, text sizes, a linear scale, and thinning a long series to what
 * a plot can show.
 */

export const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * About five round ticks (1, 2, 2.5, 5 × 10^k apart) covering [lo, hi].
 *
 * @example
 * ticks(0, 1); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/**
 * A number for an axis or a label: 4 significant digits, k and M for thousands and millions.
 *
 * @example
 * compactNumber(23_468.7); // "23.5k"
 */
export const compactNumber = (v: number): string => {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  return Number(v.toPrecision(4)).toLocaleString('en-US');
};

/** Rough width of a text in Helvetica/Arial at `fontSize` px (0.58 em a character: wide enough for digits and most letters). */
export const textWidth = (text: string, fontSize: number): number => text.length * fontSize * 0.58;

/** [lo, hi] widened by `fraction` of the span on each side (a flat range gets a span of its own). */
export function padded(lo: number, hi: number, fraction = 0.08): [number, number] {
  const span = hi - lo || Math.abs(hi) * 0.1 || 1;
  return [lo - span * fraction, hi + span * fraction];
}

/** The linear map of [d0, d1] onto [r0, r1]. */
export const linearScale =
  (d0: number, d1: number, r0: number, r1: number) =>
  (v: number): number =>
    r0 + ((v - d0) / (d1 - d0 || 1)) * (r1 - r0);

/**
 * Indices of a series thinned to about `buckets` columns: in each column, the first,
 * lowest, highest and last points (so that a line keeps its extremes); all of them when
 * the series is short enough.
 *
 * @example
 * thinned(Float64Array.of(0, 5, 1, 4), 10); // [0, 1, 2, 3]: short enough
 */
export function thinned(values: ArrayLike<number>, buckets: number): number[] {
  const n = values.length;
  if (n <= 4 * buckets) return Array.from({ length: n }, (_, i) => i);
  const keep: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if (values[i]! < values[lo]!) lo = i;
      if (values[i]! > values[hi]!) hi = i;
    }
    for (const i of [...new Set([from, lo, hi, to - 1])].sort((a, b2) => a - b2)) keep.push(i);
  }
  return keep;
}
