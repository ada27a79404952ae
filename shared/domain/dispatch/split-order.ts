/**
 * Splitting one order across venues at the least total cost, gas included.
 *
 * The order is cut into `slices` equal slices; each venue was quoted for 1, 2, … slices
 * (its ladder: the cost of filling k slices there, or undefined when it cannot). The
 * split gives each venue k_v slices, Σ k_v = the most slices any combination can fill
 * (all of them unless the venues' capacity runs out: a partial fill), and minimises
 * Σ cost_v(k_v) + gas_v·[k_v > 0] — one leg's gas is paid only if the leg exists, so a
 * small leg must save more than its gas. Dynamic programming over venues and slices
 * (O(venues · slices²)): exact on the ladder, so never worse than the best single venue
 * (each "all on one venue" split is one of the candidates).
 *
 * Costs are signed so that less is better: what a buy pays, minus what a sell receives.
 *
 * @example
 * splitOrder({ slices: 4, venues: [{ costs: [0, 100, 201, 303, 406], gas: 2 }, { costs: [0, 99, 199, undefined, undefined], gas: 5 }] })
 * // { filledSlices: 4, allocation: [2, 2], totalCost: 407 } (all on the first: 408; the second alone cannot fill 4)
 */

export interface VenueLadder {
  /** costs[k]: the cost of filling k slices on this venue (costs[0] = 0); undefined where it cannot fill k. */
  readonly costs: readonly (number | undefined)[];
  /** The cost of one leg's gas on this venue, in the same unit as the costs. */
  readonly gas: number;
}

export interface SplitRequest {
  readonly slices: number;
  readonly venues: readonly VenueLadder[];
}

export interface Split {
  /** Slices filled: `slices` unless the venues together cannot fill them all (0: nothing can be filled). */
  readonly filledSlices: number;
  /** Slices per venue, in the order of the request. */
  readonly allocation: readonly number[];
  /** Σ cost + gas of the legs used. */
  readonly totalCost: number;
}

export function splitOrder(request: SplitRequest): Split {
  const { slices, venues } = request;
  if (!Number.isInteger(slices) || slices < 1 || slices > 1000) throw new RangeError(`slices must be an integer in [1, 1000], got ${slices}`);
  if (venues.length === 0) throw new RangeError('splitOrder needs at least one venue');
  for (const [index, venue] of venues.entries()) {
    if (venue.costs.length !== slices + 1) throw new RangeError(`venue ${index}: costs must have slices + 1 = ${slices + 1} entries, got ${venue.costs.length}`);
    if (venue.costs[0] !== 0) throw new RangeError(`venue ${index}: filling 0 slices costs 0`);
    if (!(venue.gas >= 0 && Number.isFinite(venue.gas))) throw new RangeError(`venue ${index}: gas must be a non-negative finite number`);
  }
  // best[k]: least cost of k slices over the venues seen so far; choice[v][k]: slices given to venue v in it.
  let best: number[] = Array.from({ length: slices + 1 }, (_, k) => (k === 0 ? 0 : Infinity));
  const choice: number[][] = [];
  for (const venue of venues) {
    const next = Array.from({ length: slices + 1 }, () => Infinity);
    const picked = Array.from({ length: slices + 1 }, () => 0);
    for (let total = 0; total <= slices; total++) {
      for (let here = 0; here <= total; here++) {
        const cost = venue.costs[here];
        const before = best[total - here]!;
        if (cost === undefined || !Number.isFinite(cost) || before === Infinity) continue;
        const candidate = before + cost + (here > 0 ? venue.gas : 0);
        if (candidate < next[total]!) {
          next[total] = candidate;
          picked[total] = here;
        }
      }
    }
    best = next;
    choice.push(picked);
  }
  let filledSlices = slices;
  while (filledSlices > 0 && best[filledSlices] === Infinity) filledSlices--;
  const allocation = Array.from({ length: venues.length }, () => 0);
  let remaining = filledSlices;
  for (let v = venues.length - 1; v >= 0; v--) {
    allocation[v] = choice[v]![remaining]!;
    remaining -= allocation[v]!;
  }
  return { filledSlices, allocation, totalCost: best[filledSlices]! };
}
