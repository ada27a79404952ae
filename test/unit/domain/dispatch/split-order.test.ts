/** The order split: exact against brute force, never worse than the best single venue, partial when capacity runs out. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitOrder, type VenueLadder } from '../../../../shared/domain/dispatch/split-order.ts';

/** Every allocation of `slices` (or fewer, as many as can be filled) among the venues, the cheapest. */
function bruteForce(slices: number, venues: readonly VenueLadder[]): { filled: number; cost: number } {
  let best = { filled: 0, cost: 0 };
  const walk = (v: number, left: number, cost: number, filled: number): void => {
    if (v === venues.length) {
      if (filled > best.filled || (filled === best.filled && cost < best.cost)) best = { filled, cost };
      return;
    }
    for (let k = 0; k <= left; k++) {
      const c = venues[v]!.costs[k];
      if (c === undefined) continue;
      walk(v + 1, left - k, cost + c + (k > 0 ? venues[v]!.gas : 0), filled + k);
    }
  };
  walk(0, slices, 0, 0);
  return best;
}

/** A convex-ish ladder (price impact grows with size) with a capacity after which it cannot fill. */
const ladder = (slices: number) =>
  fc
    .record({ price: fc.double({ min: 90, max: 110, noNaN: true }), impact: fc.double({ min: 0, max: 5, noNaN: true }), capacity: fc.integer({ min: 0, max: slices }), gas: fc.double({ min: 0, max: 30, noNaN: true }) })
    .map(({ price, impact, capacity, gas }): VenueLadder => ({
      costs: Array.from({ length: slices + 1 }, (_, k) => (k === 0 ? 0 : k > capacity ? undefined : k * price + impact * k * k)),
      gas,
    }));

describe('splitOrder', () => {
  it('the example: two legs when the second venue saves more than its gas', () => {
    expect(
      splitOrder({
        slices: 4,
        venues: [
          { costs: [0, 100, 201, 303, 406], gas: 2 },
          { costs: [0, 99, 199, undefined, undefined], gas: 5 },
        ],
      }),
    ).toEqual({ filledSlices: 4, allocation: [2, 2], totalCost: 407 });
  });

  it('equals brute force, and is never worse than the best single venue that can fill it all (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((slices) => fc.tuple(fc.constant(slices), fc.array(ladder(slices), { minLength: 1, maxLength: 4 }))),
        ([slices, venues]) => {
          const split = splitOrder({ slices, venues });
          const brute = bruteForce(slices, venues);
          expect(split.filledSlices).toBe(brute.filled);
          expect(split.totalCost).toBeCloseTo(brute.cost, 9);
          expect(split.allocation.reduce((a, b) => a + b, 0)).toBe(split.filledSlices);
          // The allocation costs what it says.
          const recomputed = split.allocation.reduce((sum, k, v) => sum + (k === 0 ? 0 : venues[v]!.costs[k]! + venues[v]!.gas), 0);
          expect(recomputed).toBeCloseTo(split.totalCost, 9);
          for (const venue of venues) {
            const whole = venue.costs[slices];
            if (whole !== undefined && split.filledSlices === slices) expect(split.totalCost).toBeLessThanOrEqual(whole + venue.gas + 1e-9);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fills what the venues can when their capacity runs out, and nothing when none can fill a slice', () => {
    const capped = splitOrder({ slices: 5, venues: [{ costs: [0, 10, 20, undefined, undefined, undefined], gas: 0 }, { costs: [0, 11, undefined, undefined, undefined, undefined], gas: 0 }] });
    expect(capped).toEqual({ filledSlices: 3, allocation: [2, 1], totalCost: 31 });
    expect(splitOrder({ slices: 2, venues: [{ costs: [0, undefined, undefined], gas: 1 }] })).toEqual({ filledSlices: 0, allocation: [0], totalCost: 0 });
  });

  it('a leg whose saving is smaller than its gas is not used', () => {
    const split = splitOrder({ slices: 2, venues: [{ costs: [0, 100, 200], gas: 1 }, { costs: [0, 99, 198], gas: 5 }] });
    expect(split.allocation).toEqual([2, 0]);
  });

  it('refuses malformed ladders', () => {
    expect(() => splitOrder({ slices: 2, venues: [] })).toThrow(RangeError);
    expect(() => splitOrder({ slices: 2, venues: [{ costs: [0, 1], gas: 0 }] })).toThrow(/3 entries/);
    expect(() => splitOrder({ slices: 1, venues: [{ costs: [1, 1], gas: 0 }] })).toThrow(/costs 0/);
    expect(() => splitOrder({ slices: 0, venues: [{ costs: [0], gas: 0 }] })).toThrow(RangeError);
  });
});
