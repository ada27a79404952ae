/** The pure rules behind two metrics: time outside the band (evaluate) and slippage against the quote (confirm-hedge). */
import { describe, expect, it } from 'vitest';
import { slippageVsQuoteBps } from '../../../shared/app/confirm-hedge/follow-hedge.ts';
import { outsideBandSinceAfter } from '../../../shared/app/evaluate/evaluate-account.ts';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';

describe('outsideBandSinceAfter', () => {
  it('starts counting when the band fires and keeps the first time while it stays fired', () => {
    expect(outsideBandSinceAfter({ numbers: { bandFired: 1 } }, false, undefined, T1)).toBe(T1);
    expect(outsideBandSinceAfter({ numbers: { bandFired: 1 } }, false, T0, T1)).toBe(T0);
    expect(outsideBandSinceAfter({ numbers: { bandFired: 0, whalleyWilmottFired: 1 } }, false, undefined, T1)).toBe(T1);
    expect(outsideBandSinceAfter({ numbers: { greekLimitsFired: 1 } }, false, T0, T1)).toBe(T0);
  });

  it('a hedge in flight has not brought the book back yet: the time goes on; back inside with nothing in flight resets it', () => {
    expect(outsideBandSinceAfter({ numbers: { bandFired: 0 } }, true, T0, T1)).toBe(T0);
    expect(outsideBandSinceAfter({ numbers: { bandFired: 0 } }, true, undefined, T1)).toBeUndefined();
    expect(outsideBandSinceAfter({ numbers: { bandFired: 0 } }, false, T0, T1)).toBeUndefined();
  });

  it('a decision that judged no band (paused, a policy without bands) carries what it was', () => {
    expect(outsideBandSinceAfter({ numbers: {} }, false, T0, T1)).toBe(T0);
    expect(outsideBandSinceAfter({ numbers: { cadenceFired: 1 } }, false, undefined, T1)).toBeUndefined();
  });
});

describe('slippageVsQuoteBps', () => {
  it('is positive when the fill is worse than the quote: paid more on a buy, received less on a sell', () => {
    expect(slippageVsQuoteBps(2, 2001, 2000)).toBeCloseTo(5, 10);
    expect(slippageVsQuoteBps(-2, 1999, 2000)).toBeCloseTo(5, 10);
    expect(slippageVsQuoteBps(2, 1999, 2000)).toBeCloseTo(-5, 10);
  });

  it('is not measured without a quote, a price or a quantity', () => {
    expect(slippageVsQuoteBps(1, 2000, undefined)).toBeUndefined();
    expect(slippageVsQuoteBps(1, 2000, 0)).toBeUndefined();
    expect(slippageVsQuoteBps(1, Number.NaN, 2000)).toBeUndefined();
    expect(slippageVsQuoteBps(0, 2000, 2000)).toBeUndefined();
  });
});
