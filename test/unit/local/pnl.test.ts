import { describe, expect, it } from 'vitest';
import type { ExposureSnapshot } from '../../../shared/contracts/exposure-snapshot.ts';
import { newPnlBook, pnlPoint } from '../../../local/status/pnl.ts';

/** Only what the P&L reads of a snapshot: the market, the book's option value and the venues' margin. */
function snapshot(spot: number, optionValueUsd: number, pendingFundingUsd?: number): ExposureSnapshot {
  return {
    market: { spot },
    risk: { optionValueUsd },
    ...(pendingFundingUsd === undefined
      ? {}
      : {
          venues: [
            { venueId: 'perp-eth', instrument: 'perp', quantity: -2, margin: { collateralUsd: 5_000, accountValueUsd: 5_000, marginRatio: 1, maintenanceMarginRatio: 0.0625, pendingFundingUsd, freeCollateralUsd: 4_000 } },
            { venueId: 'uni-eth', instrument: 'spot', quantity: 1 },
          ],
        }),
  } as unknown as ExposureSnapshot;
}

describe('the P&L attribution of the local stack', () => {
  it('funding is what the hedges settled plus what is pending, and the total adds it', () => {
    const book = newPnlBook();
    pnlPoint(book, snapshot(2_000, 100), 0); // the start: the option value is the reference

    book.fills.push({ instrument: 'perp', units: -2, oracle: 2_000, price: 2_001, gasEth: 0, fundingUsd: -1.25 });
    book.fills.push({ instrument: 'perp', units: 1, oracle: 2_010, price: 2_010, gasEth: 0, fundingUsd: 0.5 });
    const point = pnlPoint(book, snapshot(2_020, 100, -0.75), 1_000)!;

    expect(point.fundingUsd).toBeCloseTo(-1.25 + 0.5 - 0.75, 12);
    expect(point.hedgeUsd).toBeCloseTo(-2 * (2_020 - 2_000) + 1 * (2_020 - 2_010), 12);
    expect(point.costsUsd).toBeCloseTo(-(-2 * (2_001 - 2_000)), 12);
    expect(point.totalUsd).toBeCloseTo(point.optionsUsd + point.hedgeUsd + point.fundingUsd + point.costsUsd, 12);
  });

  it('a book without a perp has a funding line of zero', () => {
    const book = newPnlBook();
    book.fills.push({ instrument: 'spot', units: 1, oracle: 2_000, price: 2_002, gasEth: 0.001 });
    const point = pnlPoint(book, snapshot(2_000, 50), 0)!;
    expect(point.fundingUsd).toBe(0);
    expect(point.costsUsd).toBeCloseTo(-2 - 2, 12);
  });
});
