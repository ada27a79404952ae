/**
 * P&L since the stack started, attributed per account (PnlPointSchema): the options'
 * mark-to-model change, the delta-one hedges' gains at the oracle, and the costs.
 *
 *   spot, perp   hedge  Σ units · (spot now − oracle at the fill)
 *                costs  −Σ units · (executed price − oracle at the fill) − gas
 *   option       in the options line: a hedge option counts in the book's option value
 *                from its decision on (in flight, then held), so the value it had at the
 *                model price when decided is taken out of that line (an option bought is
 *                not a gain); costs −units · (premium paid − model premium) − gas
 *
 *   perp         funding  Σ funding settled by the hedges' own transactions (decoded from
 *                their receipts) + what the evaluation's margin read shows pending now;
 *                funding settled by someone else's settleAllFunding would be missed (the
 *                stack's keeper settles only its own)
 */
import type { ExposureSnapshot } from '../../shared/contracts/exposure-snapshot.ts';
import type { AccountStatusView } from '../status-schema.ts';

export type Instrument = 'spot' | 'perp' | 'option';

/** A confirmed fill, as the P&L reads it. */
export interface PnlFill {
  readonly instrument: Instrument;
  /** Signed units (options: contracts). */
  readonly units: number;
  /** The oracle when the fill was confirmed. */
  readonly oracle: number;
  /** Executed price (options: premium per contract). */
  readonly price: number;
  /** Options: the model premium per contract the policy decided at. */
  readonly modelPrice?: number;
  /** Filled in when the receipt answers (0 until then). */
  gasEth: number;
  /** Perp: funding the fill's transaction settled, USD (+ received). */
  readonly fundingUsd?: number;
}

export interface PnlBook {
  /** The book's option value at the first priced evaluation. */
  firstOptionValue: number | undefined;
  /** Σ signed units × model premium of the hedge options decided (and not failed). */
  optionHedgesAtModel: number;
  readonly fills: PnlFill[];
}

export const newPnlBook = (): PnlBook => ({ firstOptionValue: undefined, optionHedgesAtModel: 0, fills: [] });

export function pnlPoint(book: PnlBook, snapshot: ExposureSnapshot, at: number): AccountStatusView['pnl'][number] | undefined {
  const spot = snapshot.market?.spot;
  const optionValue = snapshot.risk?.optionValueUsd;
  if (spot === undefined || optionValue === undefined) return undefined;
  book.firstOptionValue ??= optionValue - book.optionHedgesAtModel;
  const optionsUsd = optionValue - book.firstOptionValue - book.optionHedgesAtModel;
  let hedgeUsd = 0;
  let costsUsd = 0;
  let fundingUsd = 0;
  for (const venue of snapshot.venues ?? []) fundingUsd += venue.margin?.pendingFundingUsd ?? 0;
  for (const f of book.fills) {
    fundingUsd += f.fundingUsd ?? 0;
    // Gas, and what was paid beyond the oracle (delta one) or the model (options): a cost, so ≤ 0 for a fair fill.
    costsUsd -= f.gasEth * spot;
    if (f.instrument === 'option') costsUsd -= f.units * (f.price - (f.modelPrice ?? f.price));
    else {
      hedgeUsd += f.units * (spot - f.oracle);
      costsUsd -= f.units * (f.price - f.oracle);
    }
  }
  return { t: at, optionsUsd, hedgeUsd, fundingUsd, costsUsd, totalUsd: optionsUsd + hedgeUsd + fundingUsd + costsUsd };
}
