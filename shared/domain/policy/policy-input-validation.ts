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

const isAmount = (v: number): boolean => typeof v === 'number' && v >= -MAX_ABS_AMOUNT && v <= MAX_ABS_AMOUNT;
const isNonNegative = (v: number): boolean => typeof v === 'number' && v >= 0 && v <= MAX_ABS_AMOUNT;
const isFiniteNumber = (v: number): boolean => typeof v === 'number' && Number.isFinite(v);
const isPrice = (v: number): boolean => typeof v === 'number' && v >= MIN_PRICE_LEVEL && v <= MAX_PRICE_LEVEL;

function amount(value: number, field: string): void {
  if (!isAmount(value)) throw new InvalidInputError(field, value, `must be a finite number within ±${MAX_ABS_AMOUNT}`);
}
function nonNegative(value: number, field: string): void {
  if (!isNonNegative(value)) throw new InvalidInputError(field, value, `must be a finite number in [0, ${MAX_ABS_AMOUNT}]`);
}
function finite(value: number, field: string): void {
  if (!isFiniteNumber(value)) throw new InvalidInputError(field, value, 'must be a finite number');
}
function price(value: number, field: string): void {
  if (!isPrice(value)) throw new InvalidInputError(field, value, `must be a price between ${MIN_PRICE_LEVEL} and ${MAX_PRICE_LEVEL}`);
}

/**
 * Every rule of {@link checkFields} at once, without naming the field: the common case
 * (a valid input, on every step of a backtest) costs a few comparisons. Written out
 * rather than through the predicates above: this is called from a large function, where
 * the compiler's inlining budget is spent, and twenty calls cost more than the checks.
 */
function fieldsValid(input: PolicyInput): boolean {
  const { market, risk, state } = input;
  const nowMs = input.nowMs;
  const spot = market.spot;
  const impliedVol = market.impliedVol;
  const rate = market.rate;
  const carry = market.yield;
  const delta = risk.delta;
  const gamma = risk.gamma;
  const vega = risk.vegaPerVolPoint;
  const notional = risk.optionNotionalUsd;
  const years = risk.yearsToExpiry;
  const dayStartMs = state.dayStartMs;
  const daily = state.dailyNotionalUsd;
  if (
    !(
      typeof nowMs === 'number' &&
      nowMs - nowMs === 0 && // finite
      typeof spot === 'number' &&
      spot >= MIN_PRICE_LEVEL &&
      spot <= MAX_PRICE_LEVEL &&
      typeof impliedVol === 'number' &&
      impliedVol >= 0 &&
      impliedVol <= 100 &&
      typeof rate === 'number' &&
      rate >= -MAX_ABS_AMOUNT &&
      rate <= MAX_ABS_AMOUNT &&
      typeof carry === 'number' &&
      carry >= -MAX_ABS_AMOUNT &&
      carry <= MAX_ABS_AMOUNT &&
      typeof delta === 'number' &&
      delta >= -MAX_ABS_AMOUNT &&
      delta <= MAX_ABS_AMOUNT &&
      typeof gamma === 'number' &&
      gamma >= -MAX_ABS_AMOUNT &&
      gamma <= MAX_ABS_AMOUNT &&
      typeof vega === 'number' &&
      vega >= -MAX_ABS_AMOUNT &&
      vega <= MAX_ABS_AMOUNT &&
      typeof notional === 'number' &&
      notional >= 0 &&
      notional <= MAX_ABS_AMOUNT &&
      typeof years === 'number' &&
      years >= 0 &&
      years <= MAX_ABS_AMOUNT &&
      Math.abs(rate * years) <= MAX_ABS_RATE_TIMES_YEARS &&
      typeof dayStartMs === 'number' &&
      dayStartMs - dayStartMs === 0 &&
      typeof daily === 'number' &&
      daily >= 0 &&
      daily <= MAX_ABS_AMOUNT
    )
  ) {
    return false;
  }
  const { lastHedgeAtMs, lastHedgeSpot, ewmaVariance, lastPrice, lastPriceAtMs } = state;
  return (
    (lastHedgeAtMs === undefined || (typeof lastHedgeAtMs === 'number' && lastHedgeAtMs - lastHedgeAtMs === 0)) &&
    (lastHedgeSpot === undefined || (typeof lastHedgeSpot === 'number' && lastHedgeSpot >= MIN_PRICE_LEVEL && lastHedgeSpot <= MAX_PRICE_LEVEL)) &&
    (ewmaVariance === undefined || (typeof ewmaVariance === 'number' && ewmaVariance >= 0 && ewmaVariance <= MAX_ABS_AMOUNT)) &&
    (lastPrice === undefined || (typeof lastPrice === 'number' && lastPrice >= MIN_PRICE_LEVEL && lastPrice <= MAX_PRICE_LEVEL)) &&
    (lastPriceAtMs === undefined || (typeof lastPriceAtMs === 'number' && lastPriceAtMs - lastPriceAtMs === 0))
  );
}

/** The rules of every field but the pending slices, in order: throws on the first broken. */
function checkFields(input: PolicyInput): void {
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
}

/** Throws {@link InvalidInputError} on the first field that breaks a rule. */
export function validatePolicyInput(input: PolicyInput): void {
  if (!fieldsValid(input)) checkFields(input);
  const state = input.state;
  const pending = state.pendingSlices;
  for (let i = 0; i < pending.length; i++) {
    const s = pending[i]!;
    if (!(s.quantity !== 0)) throw new InvalidInputError(`state.pendingSlices[${i}].quantity`, s.quantity, 'must be non-zero');
    // The field names are only built for the error (a template literal per slice per call adds up).
    if (!isAmount(s.quantity)) amount(s.quantity, `state.pendingSlices[${i}].quantity`);
    if (!isFiniteNumber(s.notBeforeMs)) finite(s.notBeforeMs, `state.pendingSlices[${i}].notBeforeMs`);
    if (!(Number.isInteger(s.sliceCount) && s.sliceCount >= 1 && Number.isInteger(s.sliceIndex) && s.sliceIndex >= 0 && s.sliceIndex < s.sliceCount)) {
      throw new InvalidInputError(`state.pendingSlices[${i}].sliceIndex`, s.sliceIndex, `must be an integer in [0, sliceCount ${s.sliceCount})`);
    }
    if (typeof s.decisionId !== 'string') throw new InvalidInputError(`state.pendingSlices[${i}].decisionId`, s.decisionId, 'must be a string');
  }
  const forecast = state.forecast;
  if (forecast !== undefined) {
    // What the forecast vol is computed from: a variance and a fit that make it finite.
    if (forecast.variance !== undefined && !isNonNegative(forecast.variance)) nonNegative(forecast.variance, 'state.forecast.variance');
    const fit = forecast.fit;
    if (fit !== undefined) {
      if (!(fit.intervalMs > 0 && fit.intervalMs < Infinity)) throw new InvalidInputError('state.forecast.fit.intervalMs', fit.intervalMs, 'must be a finite duration > 0');
      if (!(fit.omega >= 0 && fit.alpha >= 0 && fit.beta >= 0 && fit.meanReversion >= 0 && fit.meanReversion <= 1 && Number.isFinite(fit.omega + fit.mu))) {
        throw new InvalidInputError('state.forecast.fit', `ω=${fit.omega}, α=${fit.alpha}, β=${fit.beta}, 1−p=${fit.meanReversion}`, 'must have finite ω, α, β ≥ 0 and 0 ≤ 1 − α − β ≤ 1');
      }
    }
  }
}
