/**
 * Transaction costs of one trade, in USD, each a separate line of the attribution:
 *
 * - **fee**: proportional, `feeBps` basis points of the traded notional |q|·price;
 * - **slippage**, the execution price's distance from the step's (mid) price, as a
 *   fraction of the notional:
 *     - `fixed`: `bps` basis points, whatever the size;
 *     - `sqrt` (the square-root market-impact law): k·σ_day·√(|q| / ADV), with k the
 *       dimensionless impact coefficient (empirically about 0.5–1), σ_day the daily
 *       volatility of the underlying (annual vol / √365) and ADV the average daily
 *       volume in units of the underlying. For option trades the same fraction applies
 *       to the premium notional (a simple proxy: option books have no ADV of their own here);
 * - **gas**: a fixed `gasUsd` per trade (per executed order).
 *
 * A buy fills at price·(1 + slippage fraction), a sell at price·(1 − fraction).
 */
import { InvalidInputError } from '../errors.ts';
import { requireNonNegative, requirePositive } from '../pricing/option-inputs.ts';

export type SlippageModel =
  | { readonly kind: 'none' }
  | { readonly kind: 'fixed'; readonly bps: number }
  | { readonly kind: 'sqrt'; readonly k: number; readonly advUnits: number };

export interface CostModel {
  readonly feeBps: number;
  readonly slippage: SlippageModel;
  readonly gasUsd: number;
}

export const NO_COSTS: CostModel = { feeBps: 0, slippage: { kind: 'none' }, gasUsd: 0 };

export function validateCosts(costs: CostModel): void {
  requireNonNegative(costs.feeBps, 'costs.feeBps');
  requireNonNegative(costs.gasUsd, 'costs.gasUsd');
  const s = costs.slippage;
  switch (s.kind) {
    case 'none':
      return;
    case 'fixed':
      requireNonNegative(s.bps, 'costs.slippage.bps');
      return;
    case 'sqrt':
      requireNonNegative(s.k, 'costs.slippage.k');
      requirePositive(s.advUnits, 'costs.slippage.adv');
      return;
    default:
      throw new InvalidInputError('costs.slippage.kind', (s as { kind: unknown }).kind, 'must be "none", "fixed" or "sqrt"');
  }
}

/**
 * The slippage of a trade of |q| units as a fraction of its notional; `dailyVol` is the
 * underlying's volatility per √day (annual / √365).
 */
export function slippageFraction(model: SlippageModel, units: number, dailyVol: number): number {
  switch (model.kind) {
    case 'none':
      return 0;
    case 'fixed':
      return model.bps * 1e-4;
    case 'sqrt':
      return model.k * dailyVol * Math.sqrt(Math.abs(units) / model.advUnits);
  }
}

export function describeCosts(costs: CostModel): string {
  const s = costs.slippage;
  const slippage = s.kind === 'none' ? 'no slippage' : s.kind === 'fixed' ? `slippage ${s.bps} bps` : `square-root impact k=${s.k}, ADV ${s.advUnits} units/day`;
  return `fee ${costs.feeBps} bps, ${slippage}, gas $${costs.gasUsd}/trade`;
}
