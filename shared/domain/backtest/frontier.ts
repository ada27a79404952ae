/**
 * The cost-versus-risk frontier of a family of policies: each backtest is a point
 * (std of the hedge cost, mean hedge cost). A point is efficient when no other point of
 * the same set has both a lower-or-equal std and a lower-or-equal mean (one strictly).
 * Two families are compared where their std ranges overlap, by interpolating each
 * family's efficient points linearly in std.
 */

export interface FrontierPoint {
  readonly label: string;
  /** Std of the hedge cost (risk), USD. */
  readonly std: number;
  /** Mean hedge cost, USD. */
  readonly mean: number;
}

/** For each point, whether it is efficient (Pareto-optimal in (std, mean)). */
export function efficientMask(points: readonly FrontierPoint[]): boolean[] {
  return points.map((p, i) =>
    !points.some((q, j) => j !== i && q.std <= p.std && q.mean <= p.mean && (q.std < p.std || q.mean < p.mean)),
  );
}

/** The efficient points, by increasing std. */
export function efficientFrontier(points: readonly FrontierPoint[]): FrontierPoint[] {
  const mask = efficientMask(points);
  return points.filter((_, i) => mask[i]).sort((a, b) => a.std - b.std);
}

/** The mean cost of the efficient frontier at `std`, linear between points; undefined outside its range. */
export function frontierMeanAt(points: readonly FrontierPoint[], std: number): number | undefined {
  const front = efficientFrontier(points);
  if (front.length === 0) return undefined;
  const first = front[0]!;
  const last = front[front.length - 1]!;
  if (std < first.std || std > last.std) return undefined;
  for (let i = 1; i < front.length; i++) {
    const a = front[i - 1]!;
    const b = front[i]!;
    if (std <= b.std) return b.std === a.std ? Math.min(a.mean, b.mean) : a.mean + ((std - a.std) / (b.std - a.std)) * (b.mean - a.mean);
  }
  return first.mean;
}

export interface FrontierComparison {
  /** At each point of `other` inside `candidate`'s std range: the two mean costs there. */
  readonly samples: readonly { readonly label: string; readonly std: number; readonly candidateMean: number; readonly otherMean: number }[];
  /** True when there is an overlap and `candidate` is cheaper at every sample. */
  readonly candidateCheaperEverywhere: boolean;
}

/** Compares two frontiers at equal risk: is `candidate`'s mean cost lower than `other`'s? */
export function compareFrontiers(candidate: readonly FrontierPoint[], other: readonly FrontierPoint[]): FrontierComparison {
  const samples = [];
  for (const p of efficientFrontier(other)) {
    const m = frontierMeanAt(candidate, p.std);
    if (m !== undefined) samples.push({ label: p.label, std: p.std, candidateMean: m, otherMean: p.mean });
  }
  return { samples, candidateCheaperEverywhere: samples.length > 0 && samples.every((s) => s.candidateMean < s.otherMean) };
}
