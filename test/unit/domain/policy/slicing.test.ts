import { describe, expect, it } from 'vitest';
import { SlicingSchema, VolScalingSchema } from '../../../../shared/contracts/hedge-policy-config.ts';
import { needsSlicing, sliceOffsetMs, slicingWindowMs } from '../../../../shared/domain/policy/slicing.ts';

describe('slicing building blocks', () => {
  const slicing = SlicingSchema.parse({ clipUnits: 20, slices: 4, windowMs: 600_000 });
  it('slices only above the clip size', () => {
    expect(needsSlicing(slicing, 20)).toBe(false);
    expect(needsSlicing(slicing, -20.01)).toBe(true);
    expect(needsSlicing(undefined, 1000)).toBe(false);
  });
  it('spreads children evenly from now over the window', () => {
    expect([0, 1, 2, 3].map((i) => sliceOffsetMs(i, 4, 600_000))).toEqual([0, 150_000, 300_000, 450_000]);
    expect([0, 1, 2].map((i) => sliceOffsetMs(i, 3, 1000))).toEqual([0, 333, 667]);
  });
  it('scales the window by referenceVol/σ when volScaled', () => {
    const scaling = VolScalingSchema.parse({ source: 'implied', referenceVol: 0.6 });
    expect(slicingWindowMs({ ...slicing, volScaled: true }, scaling, 1.2)).toBeCloseTo(300_000, 6);
    expect(slicingWindowMs({ ...slicing, volScaled: true }, scaling, 0.3)).toBeCloseTo(1_200_000, 6);
    expect(slicingWindowMs(slicing, scaling, 1.2)).toBe(600_000);
    expect(slicingWindowMs({ ...slicing, volScaled: true }, undefined, 1.2)).toBe(600_000);
  });
});
