/**
 * What decideHedge works out once per decision (triggers, widths, slack), shared by its
 * slower paths (a new plan, due slices) and by the sentences that explain the decision
 * (decision-text.ts). The input it holds is decideHedge's own copy (see
 * deferred-decision.ts): a sentence built later still reads the numbers of the call.
 */
import type { PolicyInput, ReasonCode } from './policy-types.ts';

export interface DecisionContext {
  readonly input: PolicyInput;
  readonly numbers: Record<string, number>;
  readonly projected: number;
  readonly pendingUnits: number;
  /** Delta slack of this decision, units (see DELTA_DUST_UNITS). */
  readonly dust: number;
  readonly vol: number;
  readonly width: number;
  readonly bandUnits: number;
  readonly wwUnits: number;
  readonly firedBand: boolean;
  readonly firedWW: boolean;
  readonly firedPrice: boolean;
  readonly firedCadence: boolean;
  readonly greekFired: boolean;
  readonly gammaBreach: boolean;
  readonly vegaBreach: boolean;
  readonly cadenceMs: number;
  /** Notional already traded in the current UTC day (0 once the day rolled over). */
  readonly usedToday: number;
}

/**
 * The reason code of the trigger that leads: Greek limits (when options are traded), then
 * the narrower delta band, price move, cadence.
 *
 * @example leadingReason({ ...ctx, firedBand: true }, false) // "HEDGE_BAND"
 */
export function leadingReason(ctx: DecisionContext, optionsTraded: boolean): ReasonCode {
  if (optionsTraded) return 'HEDGE_GREEK_LIMITS';
  if (ctx.firedBand && (!ctx.firedWW || ctx.bandUnits <= ctx.wwUnits)) return 'HEDGE_BAND';
  if (ctx.firedWW) return 'HEDGE_WHALLEY_WILMOTT';
  if (ctx.firedPrice) return 'HEDGE_PRICE_MOVE';
  if (ctx.firedCadence) return 'HEDGE_CADENCE';
  return 'HEDGE_GREEK_LIMITS';
}
