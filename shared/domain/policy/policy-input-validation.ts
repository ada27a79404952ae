/**
 * The domain rules of a policy input, checked before any arithmetic so that a bad input
 * is a clear {@link InvalidInputError} (with the field's path) and never a NaN in a
 * decision. The config is not re-checked: it comes out of HedgePolicyConfigSchema.
 *
 * Bounds beyond finiteness: spot within [1e-150, 1e150] like the pricing core, and
 * amounts (delta, gamma, vega, notionals) within ±1e100, so that every product of two of
 * them the engine forms is a finite double.
 */
import { InvalidInputError } from '../errors.ts';
import { MAX_PRICE_LEVEL as MAX_PRICE, MIN_PRICE_LEVEL as MIN_PRICE } from '../pricing/option-inputs.ts';
import type { PolicyInput } from './policy-types.ts';

// Module-local copies (read on every call).
const MIN_PRICE_LEVEL = MIN_PRICE;
const MAX_PRICE_LEVEL = MAX_PRICE;

/** Largest |amount| accepted (units, USD, Greeks). */
export const MAX_ABS_AMOUNT = 1e100;
/** Largest |rate × years| accepted (e^{−rτ} stays a normal double), as in the pricing core. */
const MAX_ABS_RATE_TIMES_YEARS = 100;

function amount(value: number, field: string): void {
  if (!(typeof value === 'number' && value >= -MAX_ABS_AMOUNT && value <= MAX_ABS_AMOUNT)) throw new InvalidInputError(field, value, `must be a finite number within ±${MAX_ABS_AMOUNT}`);
}
function nonNegative(value: number, field: string): void {
  if (!(typeof value === 'number' && value >= 0 && value <= MAX_ABS_AMOUNT)) throw new InvalidInputError(field, value, `must be a finite number in [0, ${MAX_ABS_AMOUNT}]`);
}
function finite(value: number, field: string): void {
  if (!(typeof value === 'number' && Number.isFinite(value))) throw new InvalidInputError(field, value, 'must be a finite number');
}
function price(value: number, field: string): void {
  if (!(typeof value === 'number' && value >= MIN_PRICE_LEVEL && value <= MAX_PRICE_LEVEL)) throw new InvalidInputError(field, value, `must be a price between ${MIN_PRICE_LEVEL} and ${MAX_PRICE_LEVEL}`);
}

/** Throws {@link InvalidInputError} on the first field that breaks a rule. */
export function validatePolicyInput(input: PolicyInput): void {
  finite(input.nowMs, 'nowMs');
  const { market, risk, state } = input;
  price(market.spot, 'market.spot');
  if (!(typeof market.impliedVol === 'number' && market.impliedVol >= 0 && market.impliedVol <= 100)) throw new InvalidInputError('market.impliedVol', market.impliedVol, 'must be a finite number in [0, 100]');
  amount(market.rate, 'market.rate');
  amount(market.yield, 'market.yield');
  amount(risk.delta, 'risk.delta');
  amount(risk.gamma, 'risk.gamma');
  amount(risk.vegaPerVolPoint, 'risk.vegaPerVolPoint');
  nonNegative(risk.optionNotionalUsd, 'risk.optionNotionalUsd');
  nonNegative(risk.yearsToExpiry, 'risk.yearsToExpiry');
  if (!(Math.abs(market.rate * risk.yearsToExpiry) <= MAX_ABS_RATE_TIMES_YEARS)) {
    throw new InvalidInputError('market.rate', market.rate, `times risk.yearsToExpiry must be within ±${MAX_ABS_RATE_TIMES_YEARS}`);
  }
  finite(state.dayStartMs, 'state.dayStartMs');
  nonNegative(state.dailyNotionalUsd, 'state.dailyNotionalUsd');
  if (state.lastHedgeAtMs !== undefined) finite(state.lastHedgeAtMs, 'state.lastHedgeAtMs');
  if (state.lastHedgeSpot !== undefined) price(state.lastHedgeSpot, 'state.lastHedgeSpot');
  if (state.ewmaVariance !== undefined) nonNegative(state.ewmaVariance, 'state.ewmaVariance');
  if (state.lastPrice !== undefined) price(state.lastPrice, 'state.lastPrice');
  if (state.lastPriceAtMs !== undefined) finite(state.lastPriceAtMs, 'state.lastPriceAtMs');
  const pending = state.pendingSlices;
  for (let i = 0; i < pending.length; i++) {
    const s = pending[i]!;
    if (!(s.quantity !== 0)) throw new InvalidInputError(`state.pendingSlices[${i}].quantity`, s.quantity, 'must be non-zero');
    amount(s.quantity, `state.pendingSlices[${i}].quantity`);
    finite(s.notBeforeMs, `state.pendingSlices[${i}].notBeforeMs`);
    if (!(Number.isInteger(s.sliceCount) && s.sliceCount >= 1 && Number.isInteger(s.sliceIndex) && s.sliceIndex >= 0 && s.sliceIndex < s.sliceCount)) {
      throw new InvalidInputError(`state.pendingSlices[${i}].sliceIndex`, s.sliceIndex, `must be an integer in [0, sliceCount ${s.sliceCount})`);
    }
    if (typeof s.decisionId !== 'string') throw new InvalidInputError(`state.pendingSlices[${i}].decisionId`, s.decisionId, 'must be a string');
  }
}
