/**
 * The hedge policy engine: one pure function (risk, market, config, state, now) →
 * decision. Production (the evaluator) and the backtester run this very function.
 *
 * Order of evaluation:
 *
 * 1. Validate the input (InvalidInputError, never a NaN downstream). The id and the
 *    message are worked out when read (deferred-decision.ts, decision-text.ts).
 * 2. Paused account (kill switch): alert ACCOUNT_PAUSED, reason NONE_PAUSED, no orders,
 *    and every pending slice is cancelled (`plannedSlices` empty) — a kill switch stops
 *    work in flight too; after un-pausing, the policy decides afresh.
 * 3. Pending slices: the "projected delta" is the net delta plus the slices still to be
 *    sent (what the book will hold once the running plan is done). Every delta trigger
 *    looks at the projected delta, so a running sliced hedge is not hedged twice.
 * 4. Triggers (they compose: any one fires):
 *    - band: |projected| > effective band (units/usd/pctNotional, vol-scaled);
 *    - Whalley-Wilmott: |projected| > H (see whalley-wilmott-band.ts);
 *    - price move: |S / lastHedgeSpot − 1| > pct/100, or no hedge yet;
 *    - cadence: now − lastHedgeAtMs ≥ everyMs (vol-scaled), or no hedge yet;
 *    - Greek limits: |Γ| > maxAbsGamma or |ν| > maxAbsVegaPerVolPoint, when hedge
 *      options are configured (without them a breach only alerts).
 *    Thresholds are compared with a relative slack of 1e-9 (THRESHOLD_TOLERANCE).
 * 5. Cooldown: a trigger within `cooldownMs` of the last hedge is held back unless
 *    |projected| > cooldownBypassMultiple × the trigger width (the narrower of the band and
 *    the Whalley-Wilmott band; without either there is no bypass). Cooldown gates new
 *    decisions only: the slices of a plan already made still go when due.
 * 6. A new hedge (the plan):
 *    a. options first (Greek limits): least-cost quantities (greek-hedge.ts), each
 *       dropped below minTradeUnits, clipped to maxTradeUnits, then to the daily cap;
 *    b. target delta: with a band config, its target ("zero", or "edge": the delta
 *       clamped to ±edgeFraction × width, width = the narrower of band and WW band,
 *       recomputed with the gamma after the option trades); with only a Whalley-Wilmott
 *       band, its edge (WW's optimal policy); with no band at all, zero;
 *    c. if the trigger asks for less than minTradeUnits (target − projected) and no
 *       option trades: no new plan (NONE_BELOW_MIN_TRADE, or the due slices go);
 *    d. otherwise the new plan SUPERSEDES the pending slices: the perp/spot order is
 *       sized from the current delta (not the projected one): target − (delta + the
 *       options' delta), and the old pending slices are dropped from `plannedSlices`.
 *       The order is skipped below minTradeUnits, clipped to maxTradeUnits (alert
 *       TRADE_CLIPPED), clipped to what remains of the per-UTC-day notional cap (alert
 *       DAILY_NOTIONAL_CAP; nothing left → NONE_DAILY_CAP_REACHED), then sliced when
 *       above clipUnits (the first child now, the rest in `plannedSlices`).
 * 7. No new plan: the due pending slices are sent (HEDGE_PENDING_SLICE), within the
 *    caps; otherwise nothing is traded (NONE_COOLDOWN, NONE_BELOW_MIN_TRADE,
 *    NONE_WITHIN_BAND, NONE_NO_TRIGGER) and the pending slices stay as they are.
 * 8. Dry-run: everything above is computed the same, the orders go to `wouldTrade`,
 *    `orders` is empty, `dryRun` is true; applyDecision ignores such a decision.
 *
 * `action` is "hedge" when there are orders (or would be, in dry-run), else "alert" when
 * there are alerts, else "none". `plannedSlices` is always the account's complete list
 * of pending slices after this decision (see applyDecision).
 */
import type { HedgePolicyConfig } from '../../contracts/hedge-policy-config.ts';
import { breachAlerts } from './breach-alerts.ts';
import { cadenceIntervalMs, isCadenceDue } from './cadence.ts';
import { leadingReason, type DecisionContext } from './decision-context.ts';
import { decisionId } from './decision-id.ts';
import {
  atTargetText,
  belowMinTradeText,
  cancelledSlicesText,
  capReachedSentence,
  cooldownText,
  dueSlicesCapSentence,
  dueSlicesText,
  hedgeText,
  pausedSentence,
  quietText,
  type DecisionText,
  type SliceNote,
} from './decision-text.ts';
import { DeferredDecision, plainDecision, snapshotInput } from './deferred-decision.ts';
import { effectiveBandUnits } from './effective-band.ts';
import { hedgeOptionQuote, solveGreekHedge, type HedgeOptionQuote } from './greek-hedge.ts';
import { hedgeTarget } from './hedge-target.ts';
import { DELTA_DUST_RELATIVE, DELTA_DUST_UNITS, MIN_SCALING_VOL, THRESHOLD_TOLERANCE } from './policy-constants.ts';
import { fmtAbs, fmtUsd } from './policy-format.ts';
import { validatePolicyInput } from './policy-input-validation.ts';
import type { Decision, HedgeInstrument, HedgeOrder, PlannedSlice, PolicyAlert, PolicyInput, PolicyMarket, ReasonCode } from './policy-types.ts';
import { priceMoveFraction } from './price-move.ts';
import { scalingVol, usesRealisedVol } from './realised-vol.ts';
import { DEFAULT_SCALPING, scalpingFactor } from './scalping-band.ts';
import { needsSlicing, sliceOffsetMs, slicingWindowMs } from './slicing.ts';
import { utcDayStartMs } from './utc-day.ts';
import { FORECAST_FALLBACK, forecastVol, type ForecastState } from './vol-forecast.ts';
import { whalleyWilmottHalfWidth } from './whalley-wilmott-band.ts';

const PERP: HedgeInstrument = Object.freeze({ kind: 'perp' });
const SPOT: HedgeInstrument = Object.freeze({ kind: 'spot' });
const NO_ORDERS: readonly HedgeOrder[] = Object.freeze([]);
const NO_SLICES: readonly PlannedSlice[] = Object.freeze([]);
const NO_ALERTS: readonly PolicyAlert[] = Object.freeze([]);
// Module-local copies: read on every call, and a cross-module binding can cost a getter.
const TOLERANCE = THRESHOLD_TOLERANCE;
const DUST = DELTA_DUST_UNITS;
const DUST_RELATIVE = DELTA_DUST_RELATIVE;
/** A quantity clipped to the daily cap is shrunk by this factor so that quantity × price never rounds above the cap. */
const CAP_MARGIN = 1 - 1e-12;

/** |x| beyond a delta threshold (relative and dust slack: see policy-constants.ts). */
function exceedsDelta(absDelta: number, threshold: number, dust: number): boolean {
  return absDelta > threshold + threshold * TOLERANCE + dust;
}

/**
 * The forecast's average vol over the horizon (floored like every scaling vol), or the
 * implied vol when there is no fit yet; the numbers say which (volFromForecast,
 * forecastFallback: FORECAST_FALLBACK's code) and how many observations are kept.
 */
function forecastScalingVol(forecast: ForecastState | undefined, horizonMs: number, impliedVol: number, numbers: Record<string, number>): number {
  const vol = forecastVol(forecast, horizonMs);
  numbers.forecastObservations = forecast?.history?.length ?? 0;
  if (vol === undefined) {
    numbers.volFromForecast = 0;
    numbers.forecastFallback = FORECAST_FALLBACK.TOO_FEW_OBSERVATIONS;
    return impliedVol > MIN_SCALING_VOL ? impliedVol : MIN_SCALING_VOL;
  }
  numbers.volFromForecast = 1;
  numbers.forecastVol = vol;
  return vol > MIN_SCALING_VOL ? vol : MIN_SCALING_VOL;
}

/** |x| beyond a Greek limit (relative slack). */
function exceedsLimit(absValue: number, limit: number): boolean {
  return absValue > limit + limit * TOLERANCE;
}

/**
 * The hedge policy engine: see the module comment. Throws InvalidInputError on a bad input.
 * Returns a plain object: every field, id and message included, is an own property.
 *
 * @example decideHedge({ risk, market, config, state, nowMs }).reason // "HEDGE_BAND"
 */
export function decideHedge(input: PolicyInput): Decision {
  return plainDecision(decide(input));
}

/**
 * The same decision as {@link decideHedge}, with its `id` and `message` worked out when
 * first read (deferred-decision.ts): for callers that take many decisions and keep few,
 * like the backtester. The input may be reused or changed after the call.
 *
 * @example decideHedgeDeferred(input).orders // the same orders as decideHedge(input)
 */
export function decideHedgeDeferred(input: PolicyInput): Decision {
  return decide(input);
}

function decide(given: PolicyInput): DeferredDecision {
  validatePolicyInput(given);
  const input = snapshotInput(given);
  const { risk, market, config, state, nowMs } = input;
  const guards = config.guards;
  const spot = market.spot;
  const delta = risk.delta;

  const pending = state.pendingSlices;
  let pendingUnits = 0;
  let pendingAbs = 0;
  let dueCount = 0;
  for (let i = 0; i < pending.length; i++) {
    const s = pending[i]!;
    pendingUnits += s.quantity;
    pendingAbs += Math.abs(s.quantity);
    if (s.notBeforeMs <= nowMs) dueCount++;
  }
  const projected = delta + pendingUnits;
  const dust = DUST + DUST_RELATIVE * (Math.abs(delta) + pendingAbs);
  const numbers: Record<string, number> = {
    delta,
    pendingUnits,
    projectedDelta: projected,
    spot,
    gamma: risk.gamma,
    vegaPerVolPoint: risk.vegaPerVolPoint,
  };

  if (guards.paused) {
    numbers.cancelledSlices = pending.length;
    const message = pausedSentence(delta, config.underlying, pending.length);
    const alert: PolicyAlert = { code: 'ACCOUNT_PAUSED', message, numbers: { delta, cancelledSlices: pending.length } };
    return finish(input, undefined, 'NONE_PAUSED', message, numbers, NO_ORDERS, NO_SLICES, [alert]);
  }

  // Volatility (only when the account scales with it).
  const scaling = config.volScaling;
  let vol = 0;
  if (scaling !== undefined) {
    if (scaling.source === 'forecast') {
      const forecast = forecastScalingVol(state.forecast, scaling.horizonMs, market.impliedVol, numbers);
      vol = forecast;
    } else {
      vol = scalingVol(scaling.source, state.ewmaVariance, market.impliedVol);
      numbers.volFromRealised = usesRealisedVol(scaling.source, state.ewmaVariance) ? 1 : 0;
    }
    numbers.vol = vol;
    numbers.volRatio = vol / scaling.referenceVol;
    if (scaling.mode === 'scalping') {
      numbers.impliedVol = market.impliedVol;
      numbers.scalpingFactor = scalpingFactor(scaling.scalping ?? DEFAULT_SCALPING, vol, market.impliedVol, risk.gamma);
    }
  }

  // Delta bands.
  const band = config.band;
  const ww = config.whalleyWilmott;
  const bandUnits = band === undefined ? Infinity : effectiveBandUnits(band, scaling, vol, spot, risk.gamma, risk.optionNotionalUsd, market.impliedVol);
  const wwUnits = ww === undefined ? Infinity : wwWidth(config, risk.gamma, market, risk.yearsToExpiry);
  const width = bandUnits < wwUnits ? bandUnits : wwUnits;
  const absProjected = Math.abs(projected);
  const firedBand = band !== undefined && exceedsDelta(absProjected, bandUnits, dust);
  const firedWW = ww !== undefined && exceedsDelta(absProjected, wwUnits, dust);
  if (band !== undefined) {
    numbers.bandUnits = bandUnits;
    numbers.bandFired = firedBand ? 1 : 0;
  }
  if (ww !== undefined) {
    numbers.wwHalfWidthUnits = wwUnits;
    numbers.whalleyWilmottFired = firedWW ? 1 : 0;
  }
  if (band !== undefined || ww !== undefined) numbers.triggerUnits = width;

  // Price move and cadence.
  const lastHedgeAtMs = state.lastHedgeAtMs;
  if (lastHedgeAtMs !== undefined) numbers.sinceLastHedgeMs = nowMs - lastHedgeAtMs;
  const priceMove = config.priceMove;
  let firedPrice = false;
  if (priceMove !== undefined) {
    numbers.priceMoveTriggerPct = priceMove.pct;
    if (state.lastHedgeSpot === undefined) firedPrice = true;
    else {
      const move = priceMoveFraction(spot, state.lastHedgeSpot);
      numbers.priceMovePct = move * 100;
      firedPrice = Math.abs(move) > priceMove.pct / 100;
    }
    numbers.priceMoveFired = firedPrice ? 1 : 0;
  }
  const cadence = config.cadence;
  let firedCadence = false;
  let cadenceMs = 0;
  if (cadence !== undefined) {
    cadenceMs = cadenceIntervalMs(cadence, scaling, vol, market.impliedVol, risk.gamma);
    firedCadence = isCadenceDue(lastHedgeAtMs, nowMs, cadenceMs);
    numbers.cadenceIntervalMs = cadenceMs;
    numbers.cadenceFired = firedCadence ? 1 : 0;
  }

  // Greek limits.
  const limits = config.limits;
  let gammaBreach = false;
  let vegaBreach = false;
  if (limits !== undefined) {
    if (limits.maxAbsGamma !== undefined) {
      numbers.maxAbsGamma = limits.maxAbsGamma;
      gammaBreach = exceedsLimit(Math.abs(risk.gamma), limits.maxAbsGamma);
    }
    if (limits.maxAbsVegaPerVolPoint !== undefined) {
      numbers.maxAbsVegaPerVolPoint = limits.maxAbsVegaPerVolPoint;
      vegaBreach = exceedsLimit(Math.abs(risk.vegaPerVolPoint), limits.maxAbsVegaPerVolPoint);
    }
  }
  const greekFired = (gammaBreach || vegaBreach) && limits !== undefined && limits.hedgeOptions.length > 0;
  if (limits !== undefined) numbers.greekLimitsFired = greekFired ? 1 : 0;
  const candidate = firedBand || firedWW || firedPrice || firedCadence || greekFired;

  // Fast path: nothing fired, nothing due.
  if (!candidate && dueCount === 0) {
    const alerts = gammaBreach || vegaBreach ? breachAlerts(config, risk.gamma, risk.vegaPerVolPoint, gammaBreach, vegaBreach, undefined) : NO_ALERTS;
    const text = quietText(config, delta, projected, width, bandUnits, pending.length, numbers);
    return finish(input, undefined, width < Infinity ? 'NONE_WITHIN_BAND' : 'NONE_NO_TRIGGER', text, numbers, NO_ORDERS, pending, alerts);
  }

  const ctx: DecisionContext = {
    input,
    numbers,
    projected,
    pendingUnits,
    dust,
    vol,
    width,
    bandUnits,
    wwUnits,
    firedBand,
    firedWW,
    firedPrice,
    firedCadence,
    greekFired,
    gammaBreach,
    vegaBreach,
    cadenceMs,
    usedToday: utcDayStartMs(nowMs) > state.dayStartMs ? 0 : state.dailyNotionalUsd,
  };
  let held: 'cooldown' | Exclude<PlanOutcome, DeferredDecision> | undefined;
  if (candidate) {
    if (guards.cooldownMs > 0 && lastHedgeAtMs !== undefined && nowMs - lastHedgeAtMs < guards.cooldownMs) {
      const bypassUnits = guards.cooldownBypassMultiple * width;
      numbers.cooldownMs = guards.cooldownMs;
      if (bypassUnits < Infinity) numbers.cooldownBypassUnits = bypassUnits;
      const bypass = exceedsDelta(absProjected, bypassUnits, dust);
      numbers.cooldownBypassed = bypass ? 1 : 0;
      if (!bypass) held = 'cooldown';
    }
    if (held === undefined) {
      const outcome = planHedge(ctx);
      if (typeof outcome !== 'string') return outcome;
      held = outcome;
    }
  }

  if (dueCount > 0) return sendDueSlices(ctx);

  const alerts = gammaBreach || vegaBreach ? breachAlerts(config, risk.gamma, risk.vegaPerVolPoint, gammaBreach, vegaBreach, undefined) : NO_ALERTS;
  switch (held) {
    case 'cooldown':
      return finish(input, undefined, 'NONE_COOLDOWN', cooldownText(ctx, greekFired, nowMs - lastHedgeAtMs!, numbers.cooldownBypassUnits), numbers, NO_ORDERS, pending, alerts);
    case 'belowMinTrade':
      return finish(input, undefined, 'NONE_BELOW_MIN_TRADE', belowMinTradeText(ctx, numbers.drift ?? 0), numbers, NO_ORDERS, pending, alerts);
    case 'atTarget':
      return finish(input, undefined, 'NONE_BELOW_MIN_TRADE', atTargetText(ctx, numbers.target ?? 0), numbers, NO_ORDERS, pending, alerts);
    default: {
      // Nothing fired, or only a Greek breach that no option trade can fix: the alerts say it.
      const text = quietText(config, delta, projected, width, bandUnits, pending.length, numbers);
      return finish(input, undefined, width < Infinity ? 'NONE_WITHIN_BAND' : 'NONE_NO_TRIGGER', text, numbers, NO_ORDERS, pending, alerts);
    }
  }
}

/**
 * What planHedge found: a decision, or why there is no new plan — the trade asked for is
 * below minTradeUnits, the delta is already at its target, or only a Greek limit fired
 * and no option trade can (or is worth to) fix it.
 */
type PlanOutcome = DeferredDecision | 'belowMinTrade' | 'atTarget' | 'greekUnfixable';

function wwWidth(config: HedgePolicyConfig, gamma: number, market: PolicyMarket, yearsToExpiry: number): number {
  const ww = config.whalleyWilmott!;
  return whalleyWilmottHalfWidth({
    gamma,
    spot: market.spot,
    rate: market.rate,
    yearsToExpiry,
    costBps: ww.costBps,
    riskAversion: ww.riskAversion,
  });
}

/**
 * The decision (id and message worked out when read). `input` is decide's copy; `id` is
 * passed when already computed (a sliced plan names its slices with it).
 */
function finish(
  input: PolicyInput,
  id: string | undefined,
  reason: ReasonCode,
  text: DecisionText,
  numbers: Readonly<Record<string, number>>,
  orders: readonly HedgeOrder[],
  plannedSlices: readonly PlannedSlice[],
  alerts: readonly PolicyAlert[],
): DeferredDecision {
  return new DeferredDecision(input, id, reason, text, numbers, orders, plannedSlices, alerts, input.config.guards.dryRun);
}

/**
 * TRADE_CLIPPED: an order clipped to maxTradeUnits. (A module function, not a closure in
 * planHedge: a closure is made on every call, and a dev-time loader that keeps function
 * names, like the CLI's, also renames each one.)
 */
function clipAlert(requested: number, what: string, maxTrade: number, unitName: string): PolicyAlert {
  return {
    code: 'TRADE_CLIPPED',
    message: `The ${fmtAbs(requested)} ${what} order is clipped to the max trade size of ${fmtAbs(maxTrade)} ${unitName}.`,
    numbers: { requestedUnits: Math.abs(requested), clippedUnits: maxTrade, maxTradeUnits: maxTrade },
  };
}

/** Below minTradeUnits, or dust. */
function negligible(units: number, minTradeUnits: number, dust: number): boolean {
  const a = Math.abs(units);
  return a < minTradeUnits || a <= dust;
}

/**
 * A new hedge: options for the Greek limits, then the delta. Returns why not when the
 * triggers ask for nothing worth trading (the caller then sends due slices or says so).
 */
function planHedge(ctx: DecisionContext): PlanOutcome {
  const { input, numbers } = ctx;
  const { config, market, risk, state, nowMs } = input;
  const guards = config.guards;
  const sym = config.underlying;
  const spot = market.spot;
  const minTrade = guards.minTradeUnits;
  const maxTrade = guards.maxTradeUnits;
  const cap = guards.maxDailyNotionalUsd;
  let remaining = cap === undefined ? Infinity : cap - ctx.usedToday;
  if (cap !== undefined) {
    numbers.dailyNotionalCapUsd = cap;
    numbers.dailyNotionalUsedUsd = ctx.usedToday;
  }
  let capHit = false;
  const orders: HedgeOrder[] = [];
  const alerts: PolicyAlert[] = [];

  // a. Options for the Greek limits.
  let optDelta = 0;
  let optGamma = 0;
  let optVega = 0;
  if (ctx.greekFired) {
    const limits = config.limits!;
    const quotes: HedgeOptionQuote[] = [];
    const configIndex: number[] = []; // position of each quote in limits.hedgeOptions
    limits.hedgeOptions.forEach((instrument, index) => {
      const quote = hedgeOptionQuote(instrument, market, nowMs);
      if (quote === undefined) return;
      quotes.push(quote);
      configIndex.push(index);
    });
    const solution = solveGreekHedge({
      gamma: risk.gamma,
      vegaPerVolPoint: risk.vegaPerVolPoint,
      maxAbsGamma: limits.maxAbsGamma,
      maxAbsVegaPerVolPoint: limits.maxAbsVegaPerVolPoint,
      options: quotes,
      spot,
    });
    for (let i = 0; i < quotes.length; i++) {
      const quote = quotes[i]!;
      let q = solution.quantities[i] ?? 0;
      if (negligible(q, minTrade, ctx.dust)) continue;
      if (maxTrade !== undefined && Math.abs(q) > maxTrade) {
        alerts.push(clipAlert(q, `option ${quote.id}`, maxTrade, 'units'));
        q = Math.sign(q) * maxTrade;
      }
      if (Math.abs(q) * quote.price > remaining) {
        capHit = true;
        q = Math.sign(q) * (Math.max(remaining, 0) / quote.price) * CAP_MARGIN;
        if (negligible(q, minTrade, ctx.dust)) continue;
      }
      const notionalUsd = Math.abs(q) * quote.price;
      remaining -= notionalUsd;
      orders.push({
        instrument: { kind: 'option', id: quote.id },
        side: q > 0 ? 'buy' : 'sell',
        quantity: Math.abs(q),
        notionalUsd,
        sliceIndex: 0,
        sliceCount: 1,
        notBeforeMs: nowMs,
      });
      optDelta += q * quote.delta;
      optGamma += q * quote.gamma;
      optVega += q * quote.vegaPerVolPoint;
      // option1…, option2…: numbered like limits.hedgeOptions.
      numbers[`option${configIndex[i]! + 1}Units`] = q;
      numbers[`option${configIndex[i]! + 1}Price`] = quote.price;
    }
  }
  const optionsTraded = orders.length > 0;
  const gammaAfter = risk.gamma + optGamma;
  const vegaAfter = risk.vegaPerVolPoint + optVega;

  // b. The delta target, with the bands as they will be after the option trades.
  let width = ctx.width;
  if (optionsTraded) {
    numbers.gammaAfter = gammaAfter;
    numbers.vegaAfter = vegaAfter;
    numbers.optionDeltaUnits = optDelta;
    const bandUnits = config.band === undefined ? Infinity : effectiveBandUnits(config.band, config.volScaling, ctx.vol, spot, gammaAfter, risk.optionNotionalUsd, input.market.impliedVol);
    const wwUnits = config.whalleyWilmott === undefined ? Infinity : wwWidth(config, gammaAfter, market, risk.yearsToExpiry);
    width = bandUnits < wwUnits ? bandUnits : wwUnits;
    if (width < Infinity) numbers.triggerUnitsAfter = width;
  }
  const targetMode = config.band !== undefined ? config.band.target : config.whalleyWilmott !== undefined ? 'edge' : 'zero';
  const edgeFraction = config.band !== undefined ? config.band.edgeFraction : 1;
  const projectedAfterOptions = ctx.projected + optDelta;
  const target = width < Infinity ? hedgeTarget(projectedAfterOptions, width, targetMode, edgeFraction) : 0;
  const drift = projectedAfterOptions - target;
  numbers.target = target;
  numbers.drift = drift;

  // c. Nothing worth a new plan.
  const deltaFired = ctx.firedBand || ctx.firedWW || ctx.firedPrice || ctx.firedCadence;
  if (!optionsTraded) {
    if (capHit) return capReached(ctx, optionsTraded, alerts);
    if (!deltaFired) return 'greekUnfixable';
    if (Math.abs(drift) <= ctx.dust) return 'atTarget';
    if (negligible(drift, minTrade, ctx.dust)) return 'belowMinTrade';
  }

  // d. The new plan supersedes the pending slices: size from the current delta.
  const pending = state.pendingSlices;
  let perp = target - (risk.delta + optDelta);
  const requestedPerp = perp;
  let clipped = false;
  if (negligible(perp, minTrade, ctx.dust)) perp = 0;
  else {
    if (maxTrade !== undefined && Math.abs(perp) > maxTrade) {
      alerts.push(clipAlert(perp, `${sym} ${config.hedgeInstrument}`, maxTrade, sym));
      perp = Math.sign(perp) * maxTrade;
      clipped = true;
    }
    if (Math.abs(perp) * spot > remaining) {
      capHit = true;
      clipped = true;
      perp = Math.sign(perp) * (Math.max(remaining, 0) / spot) * CAP_MARGIN;
      if (negligible(perp, minTrade, ctx.dust)) perp = 0;
    }
  }
  if (!optionsTraded && perp === 0) {
    if (capHit) return capReached(ctx, optionsTraded, alerts);
    // The pending slices were what pushed the projected delta out: cancel them, trade nothing.
    numbers.cancelledSlices = pending.length;
    const text = cancelledSlicesText(ctx, target, pending.length);
    return finish(input, undefined, 'NONE_BELOW_MIN_TRADE', text, numbers, NO_ORDERS, NO_SLICES, withBreaches(ctx, alerts, gammaAfter, vegaAfter, false));
  }

  let id: string | undefined;
  let planned: readonly PlannedSlice[] = NO_SLICES;
  let sliceNote: SliceNote | undefined;
  let notional = 0;
  for (const o of orders) notional += o.notionalUsd;
  if (perp !== 0) {
    const instrument = config.hedgeInstrument === 'spot' ? SPOT : PERP;
    const side = perp > 0 ? 'buy' : 'sell';
    const slicing = config.slicing;
    numbers.orderUnits = perp;
    // The whole parent order counts against the daily cap now, later slices included.
    notional += Math.abs(perp) * spot;
    if (needsSlicing(slicing, perp)) {
      const count = slicing.slices;
      const windowMs = slicingWindowMs(slicing, config.volScaling, ctx.vol);
      const child = perp / count;
      const childAbs = Math.abs(child);
      orders.push({ instrument, side, quantity: childAbs, notionalUsd: childAbs * spot, sliceIndex: 0, sliceCount: count, notBeforeMs: nowMs });
      // The later slices carry this decision's id: it is needed now.
      id = decisionId(input);
      const later: PlannedSlice[] = [];
      for (let i = 1; i < count; i++) {
        later.push({ quantity: child, notBeforeMs: nowMs + sliceOffsetMs(i, count, windowMs), sliceIndex: i, sliceCount: count, decisionId: id });
      }
      planned = later;
      numbers.slices = count;
      numbers.sliceUnits = child;
      numbers.sliceWindowMs = windowMs;
      sliceNote = { count, childUnits: child, windowMs };
    } else {
      orders.push({ instrument, side, quantity: Math.abs(perp), notionalUsd: Math.abs(perp) * spot, sliceIndex: 0, sliceCount: 1, notBeforeMs: nowMs });
    }
  }
  numbers.orderNotionalUsd = notional;
  if (cap !== undefined) numbers.dailyNotionalRemainingUsd = Math.max(cap - ctx.usedToday - notional, 0);
  if (pending.length > 0) numbers.cancelledSlices = pending.length;

  if (capHit) {
    const left = Math.max(cap! - ctx.usedToday, 0);
    alerts.push({
      code: 'DAILY_NOTIONAL_CAP',
      message: `The hedge is clipped to the ${fmtUsd(left)} USD left of the ${fmtUsd(cap!)} USD daily notional cap.`,
      numbers: { capUsd: cap!, usedTodayUsd: ctx.usedToday, remainingUsd: left },
    });
  }

  const text = hedgeText(ctx, orders, perp, requestedPerp, clipped, sliceNote, target, optionsTraded, pending.length);
  return finish(input, id, leadingReason(ctx, optionsTraded), text, numbers, orders, planned, withBreaches(ctx, alerts, gammaAfter, vegaAfter, optionsTraded));
}

/** Greek breach alerts first, then the guard alerts of the plan. */
function withBreaches(ctx: DecisionContext, alerts: PolicyAlert[], gammaAfter: number, vegaAfter: number, traded: boolean): readonly PolicyAlert[] {
  if (!ctx.gammaBreach && !ctx.vegaBreach) return alerts.length > 0 ? alerts : NO_ALERTS;
  const { config, risk } = ctx.input;
  return [...breachAlerts(config, risk.gamma, risk.vegaPerVolPoint, ctx.gammaBreach, ctx.vegaBreach, { gamma: gammaAfter, vega: vegaAfter, traded }), ...alerts];
}

/** The daily cap leaves nothing for the hedge the trigger asked for. */
function capReached(ctx: DecisionContext, optionsLead: boolean, alerts: PolicyAlert[]): DeferredDecision {
  const { input } = ctx;
  const { config, state, risk } = input;
  const cap = config.guards.maxDailyNotionalUsd!;
  const message = capReachedSentence(ctx, optionsLead, cap);
  alerts.push({
    code: 'DAILY_NOTIONAL_CAP',
    message,
    numbers: { capUsd: cap, usedTodayUsd: ctx.usedToday, remainingUsd: Math.max(cap - ctx.usedToday, 0) },
  });
  return finish(input, undefined, 'NONE_DAILY_CAP_REACHED', message, ctx.numbers, NO_ORDERS, state.pendingSlices, withBreaches(ctx, alerts, risk.gamma, risk.vegaPerVolPoint, false));
}

/** No new plan: send the pending slices that are due, within the guards. */
function sendDueSlices(ctx: DecisionContext): DeferredDecision {
  const { input } = ctx;
  const { config, state, market, nowMs, risk } = input;
  const guards = config.guards;
  const sym = config.underlying;
  const spot = market.spot;
  const instrument = config.hedgeInstrument === 'spot' ? SPOT : PERP;
  const maxTrade = guards.maxTradeUnits;
  const cap = guards.maxDailyNotionalUsd;
  let remaining = cap === undefined ? Infinity : cap - ctx.usedToday;
  const orders: HedgeOrder[] = [];
  const rest: PlannedSlice[] = [];
  const alerts: PolicyAlert[] = [];
  let capHit = false;
  let sentUnits = 0;
  let firstSent: PlannedSlice | undefined;
  for (const s of state.pendingSlices) {
    if (s.notBeforeMs > nowMs) {
      rest.push(s);
      continue;
    }
    let q = s.quantity;
    if (maxTrade !== undefined && Math.abs(q) > maxTrade) {
      alerts.push({
        code: 'TRADE_CLIPPED',
        message: `Slice ${s.sliceIndex + 1} of ${s.sliceCount} (${fmtAbs(q)} ${sym}) is clipped to the max trade size of ${fmtAbs(maxTrade)} ${sym}.`,
        numbers: { requestedUnits: Math.abs(q), clippedUnits: maxTrade, maxTradeUnits: maxTrade },
      });
      q = Math.sign(q) * maxTrade;
    }
    if (Math.abs(q) * spot > remaining) {
      capHit = true;
      q = Math.sign(q) * (Math.max(remaining, 0) / spot) * CAP_MARGIN;
      if (negligible(q, guards.minTradeUnits, ctx.dust)) {
        rest.push(s); // kept for when the cap allows it (or a new plan replaces it)
        continue;
      }
    }
    const notionalUsd = Math.abs(q) * spot;
    remaining -= notionalUsd;
    sentUnits += q;
    firstSent ??= s;
    orders.push({ instrument, side: q > 0 ? 'buy' : 'sell', quantity: Math.abs(q), notionalUsd, sliceIndex: s.sliceIndex, sliceCount: s.sliceCount, notBeforeMs: s.notBeforeMs });
  }
  const numbers = ctx.numbers;
  if (cap !== undefined) {
    numbers.dailyNotionalCapUsd = cap;
    numbers.dailyNotionalUsedUsd = ctx.usedToday;
  }
  const breach = ctx.gammaBreach || ctx.vegaBreach ? breachAlerts(config, risk.gamma, risk.vegaPerVolPoint, ctx.gammaBreach, ctx.vegaBreach, undefined) : [];
  if (orders.length === 0) {
    const message = dueSlicesCapSentence(state.pendingSlices.length, cap!, ctx.usedToday);
    alerts.push({ code: 'DAILY_NOTIONAL_CAP', message, numbers: { capUsd: cap!, usedTodayUsd: ctx.usedToday, remainingUsd: Math.max(cap! - ctx.usedToday, 0) } });
    return finish(input, undefined, 'NONE_DAILY_CAP_REACHED', message, numbers, NO_ORDERS, state.pendingSlices, [...breach, ...alerts]);
  }
  if (capHit) {
    alerts.push({
      code: 'DAILY_NOTIONAL_CAP',
      message: `The due slices are clipped to the ${fmtUsd(Math.max(cap! - ctx.usedToday, 0))} USD left of the ${fmtUsd(cap!)} USD daily notional cap.`,
      numbers: { capUsd: cap!, usedTodayUsd: ctx.usedToday, remainingUsd: Math.max(cap! - ctx.usedToday, 0) },
    });
  }
  let notional = 0;
  for (const o of orders) notional += o.notionalUsd;
  numbers.orderUnits = sentUnits;
  numbers.orderNotionalUsd = notional;
  numbers.slicesSent = orders.length;
  numbers.slicesLeft = rest.length;
  const text = dueSlicesText(ctx, firstSent!, orders.length, sentUnits);
  return finish(input, undefined, 'HEDGE_PENDING_SLICE', text, numbers, orders, rest, breach.length > 0 || alerts.length > 0 ? [...breach, ...alerts] : NO_ALERTS);
}
