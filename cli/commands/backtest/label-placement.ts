/**
 * Labels beside the points of a chart that do not overlap: a greedy placement over a few
 * candidate positions around each point (right-above first, then the other corners and
 * sides, then the same further out with a leader line), keeping the first that overlaps
 * no label placed before it, no obstacle (the points themselves) and stays inside the
 * plot; when none is free, the one that overlaps least. Deterministic: the same points
 * give the same picture.
 */

/** A rectangle, top-left corner and size, px. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LabelRequest {
  /** The point labelled. */
  readonly x: number;
  readonly y: number;
  /** The label's size (see svg-plot textWidth). */
  readonly width: number;
  readonly height: number;
}

export interface PlacedLabel {
  /** Where the text goes: its anchor point, with text-anchor start (left edge) and the baseline at y. */
  readonly textX: number;
  readonly textY: number;
  readonly box: Box;
  /** Set when the label sits away from its point: draw a line from the point to it. */
  readonly leader?: { readonly x: number; readonly y: number };
  /** Whether it overlaps something (no free position was found). */
  readonly overlaps: boolean;
}

/** Directions tried, in order: NE, SE, NW, SW, E, W, N, S (dx, dy as signs). */
const DIRECTIONS: readonly (readonly [number, number])[] = [
  [1, -1],
  [1, 1],
  [-1, -1],
  [-1, 1],
  [1, 0],
  [-1, 0],
  [0, -1],
  [0, 1],
];
/** Distances from the point tried, px (beyond the first, with a leader line). */
const RINGS = [7, 18, 32];

const overlapArea = (a: Box, b: Box): number => {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
};

const outside = (box: Box, bounds: Box): number => {
  const inside = overlapArea(box, bounds);
  return box.width * box.height - inside;
};

/** The box of a label placed in direction (dx, dy) at distance d from the point. */
function candidate(r: LabelRequest, dx: number, dy: number, d: number): Box {
  const x = dx > 0 ? r.x + d : dx < 0 ? r.x - d - r.width : r.x - r.width / 2;
  const y = dy < 0 ? r.y - d - r.height : dy > 0 ? r.y + d : r.y - r.height / 2;
  return { x, y, width: r.width, height: r.height };
}

/** Points within this distance of another crowd it: crowded points choose first. */
const CROWD_PX = 40;

/**
 * Places every label; points in a crowd choose first (they have the fewest free places),
 * then the others, each in the order given.
 *
 * @example
 * const [a, b] = placeLabels([{ x: 100, y: 100, width: 40, height: 12 }, { x: 104, y: 100, width: 40, height: 12 }], [], { x: 0, y: 0, width: 400, height: 300 });
 * // a above-right of its point; b elsewhere, not on a
 */
export function placeLabels(requests: readonly LabelRequest[], obstacles: readonly Box[], bounds: Box): PlacedLabel[] {
  const placed: Box[] = [];
  const crowd = requests.map((r) => requests.filter((o) => o !== r && Math.hypot(o.x - r.x, o.y - r.y) < CROWD_PX).length);
  const order = requests.map((_, i) => i).sort((a, b) => crowd[b]! - crowd[a]! || a - b);
  const result: PlacedLabel[] = new Array<PlacedLabel>(requests.length);
  for (const index of order) result[index] = place(requests[index]!);
  return result;

  function place(r: LabelRequest): PlacedLabel {
    let best: { box: Box; cost: number; d: number } | undefined;
    search: for (const d of RINGS) {
      for (const [dx, dy] of DIRECTIONS) {
        const box = candidate(r, dx, dy, d);
        let cost = outside(box, bounds) * 4;
        for (const other of placed) cost += overlapArea(box, other);
        for (const o of obstacles) cost += overlapArea(box, o);
        if (best === undefined || cost < best.cost) best = { box, cost, d };
        if (cost === 0) break search;
      }
    }
    const { box, cost, d } = best!;
    placed.push(box);
    // The text's baseline sits 80% down its box (a cap height above the descenders).
    const textY = box.y + box.height * 0.8;
    const leaderEnd = { x: Math.min(Math.max(r.x, box.x), box.x + box.width), y: Math.min(Math.max(r.y, box.y), box.y + box.height) };
    return { textX: box.x, textY, box, overlaps: cost > 0, ...(d > RINGS[0]! ? { leader: leaderEnd } : {}) };
  }
}
