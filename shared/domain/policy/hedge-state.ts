/**
 * The per-account hedge state between decisions, and its pure transitions:
 * {@link initialHedgeState}, {@link observePrice} (the realised-vol estimate) and
 * {@link applyDecision} (what was traded). Every function returns a new state and leaves
 * its argument untouched.
 */
import { InvalidInputError } from '../errors.ts';
import { MAX_PRICE_LEVEL as MAX_PRICE, MIN_PRICE_LEVEL as MIN_PRICE } from '../pricing/option-inputs.ts';
import type { Decision, HedgeOrder, HedgeState } from './policy-types.ts';
import { ewmaVarianceUpdate } from './realised-vol.ts';
import { utcDayStartMs } from './utc-day.ts';
import { observeForecast, prepareForecast, type ForecastConfig, type ForecastState } from './vol-forecast.ts';

const NO_SLICES: HedgeState['pendingSlices'] = Object.freeze([]);
// Module-local copies (read on every price tick).
const MIN_PRICE_LEVEL = MIN_PRICE;
const MAX_PRICE_LEVEL = MAX_PRICE;

function requireTime(value: number, field: string): void {
  if (!(typeof value === 'number' && Number.isFinite(value))) throw new InvalidInputError(field, value, 'must be a finite number (epoch ms)');
}

function requirePrice(value: number, field: string): void {
  if (!(typeof value === 'number' && value >= MIN_PRICE_LEVEL && value <= MAX_PRICE_LEVEL)) {
    throw new InvalidInputError(field, value, `must be a price between ${MIN_PRICE_LEVEL} and ${MAX_PRICE_LEVEL}`);
  }
}

/** A fresh account: never hedged, nothing traded today, no price history, nothing pending. */
export function initialHedgeState(nowMs: number): HedgeState {
  requireTime(nowMs, 'nowMs');
  return { dayStartMs: utcDayStartMs(nowMs), dailyNotionalUsd: 0, pendingSlices: NO_SLICES };
}

/**
 * Records a price observation and updates the EWMA variance of log returns (annualised
 * by the elapsed time between observations, ACT/365; see realised-vol.ts). The first
 * observation only records the price; the second seeds the variance. An observation at
 * or before the last one (duplicate or out of order) changes nothing: a zero interval
 * cannot be annualised, and history is not rewritten. A state with a `forecast`
 * (volScaling.source "forecast") also appends the observation to its bounded history and
 * filters the forecast's conditional variance with its fit (vol-forecast.ts).
 *
 * @param ewmaLambda decay per observation, in (0, 1) (the config's volScaling.ewmaLambda).
 */
export function observePrice(state: HedgeState, price: number, atMs: number, ewmaLambda: number): HedgeState {
  requirePrice(price, 'price');
  requireTime(atMs, 'atMs');
  if (!(ewmaLambda > 0 && ewmaLambda < 1)) throw new InvalidInputError('ewmaLambda', ewmaLambda, 'must be in (0, 1)');
  const { lastPrice, lastPriceAtMs } = state;
  const forecast = state.forecast;
  if (lastPrice === undefined || lastPriceAtMs === undefined) {
    return withPrice(state, price, atMs, state.ewmaVariance, forecast === undefined ? undefined : observeForecast(forecast, undefined, price, atMs));
  }
  const elapsedMs = atMs - lastPriceAtMs;
  if (!(elapsedMs > 0)) return state;
  const nextForecast = forecast === undefined ? undefined : observeForecast(forecast, { price: lastPrice, atMs: lastPriceAtMs }, price, atMs);
  return withPrice(state, price, atMs, ewmaVarianceUpdate(state.ewmaVariance, lastPrice, price, elapsedMs, ewmaLambda), nextForecast);
}

type MutableState = { -readonly [K in keyof HedgeState]: HedgeState[K] };

/**
 * A copy of the state with a new price (and variance), built field by field: this runs
 * on every price tick of a backtest, and an object spread of a shape with optional
 * fields takes V8's slow path (~5x slower). HedgeState is a closed type: a property
 * outside it is not carried over.
 */
function withPrice(state: HedgeState, price: number, atMs: number, ewmaVariance: number | undefined, forecast: ForecastState | undefined): HedgeState {
  const next: MutableState = {
    dayStartMs: state.dayStartMs,
    dailyNotionalUsd: state.dailyNotionalUsd,
    pendingSlices: state.pendingSlices,
    lastPrice: price,
    lastPriceAtMs: atMs,
  };
  if (state.lastHedgeAtMs !== undefined) next.lastHedgeAtMs = state.lastHedgeAtMs;
  if (state.lastHedgeSpot !== undefined) next.lastHedgeSpot = state.lastHedgeSpot;
  if (ewmaVariance !== undefined) next.ewmaVariance = ewmaVariance;
  if (forecast !== undefined) next.forecast = forecast;
  return next;
}

/**
 * The state after a decision and its executed fills (each fill is its order filled in
 * full at `price`: the spot price for perp/spot orders, the premium for options).
 *
 * - Daily notional: the UTC day rolls over first (computed from ms arithmetic; a clock
 *   that goes backwards never resets the count), then Σ quantity × fill price is added.
 * - Last hedge: when anything filled, lastHedgeAtMs = nowMs and lastHedgeSpot = the
 *   decision's spot (`numbers.spot`, the oracle price the price-move trigger compares
 *   with — not a fill price, which would carry slippage or be an option premium).
 * - Pending slices: `decision.plannedSlices`, which decideHedge always sets to the
 *   complete list after the decision — the earlier plan minus the slices it sent (sent
 *   counts as done: the dispatcher retries its own failures, and a slice that never
 *   fills leaves the delta outside the band, which the next decision sees), plus the
 *   children of a new sliced hedge, minus anything a new plan or the kill switch cancelled.
 * - A dry-run decision changes nothing (it never traded); record it elsewhere if needed.
 */
export function applyDecision(
  state: HedgeState,
  decision: Decision,
  fills: readonly { readonly order: HedgeOrder; readonly price: number }[],
  nowMs: number,
): HedgeState {
  requireTime(nowMs, 'nowMs');
  if (decision.dryRun) return state;
  const today = utcDayStartMs(nowMs);
  const rolled = today > state.dayStartMs;
  let notional = 0;
  for (let i = 0; i < fills.length; i++) {
    const fill = fills[i]!;
    if (!(typeof fill.price === 'number' && fill.price >= 0 && fill.price <= MAX_PRICE_LEVEL)) {
      throw new InvalidInputError(`fills[${i}].price`, fill.price, `must be a finite number in [0, ${MAX_PRICE_LEVEL}]`);
    }
    notional += fill.order.quantity * fill.price;
  }
  const next: MutableState = {
    dayStartMs: rolled ? today : state.dayStartMs,
    dailyNotionalUsd: (rolled ? 0 : state.dailyNotionalUsd) + notional,
    pendingSlices: decision.plannedSlices,
  };
  if (state.lastPrice !== undefined) next.lastPrice = state.lastPrice;
  if (state.lastPriceAtMs !== undefined) next.lastPriceAtMs = state.lastPriceAtMs;
  if (state.ewmaVariance !== undefined) next.ewmaVariance = state.ewmaVariance;
  if (state.forecast !== undefined) next.forecast = state.forecast;
  if (fills.length > 0) {
    next.lastHedgeAtMs = nowMs;
    const spot = decision.numbers.spot;
    const reference = spot !== undefined && spot > 0 ? spot : fills.find((f) => f.order.instrument.kind !== 'option')?.price;
    if (reference !== undefined && reference > 0) next.lastHedgeSpot = reference;
    else if (state.lastHedgeSpot !== undefined) next.lastHedgeSpot = state.lastHedgeSpot;
  } else {
    if (state.lastHedgeAtMs !== undefined) next.lastHedgeAtMs = state.lastHedgeAtMs;
    if (state.lastHedgeSpot !== undefined) next.lastHedgeSpot = state.lastHedgeSpot;
  }
  return next;
}

/**
 * The state as a config with (or without) a vol forecast wants it: with `forecast` given,
 * a forecast block consistent with it (prepareForecast: the history kept to `window`, a
 * fit of another model dropped), on a fresh state when there is none; without, the state
 * with no forecast block (a policy that stopped forecasting does not carry its history).
 */
export function withForecastConfig(state: HedgeState | undefined, forecast: ForecastConfig | undefined, nowMs: number): HedgeState {
  const base = state ?? initialHedgeState(nowMs);
  if (forecast === undefined) {
    if (base.forecast === undefined) return base;
    const { forecast: _dropped, ...rest } = base;
    return rest;
  }
  const prepared = prepareForecast(base.forecast, forecast);
  return prepared === base.forecast ? base : { ...base, forecast: prepared };
}
