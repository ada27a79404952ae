/**
 * The hedge policy engine: one pure function (risk, market, config, state, now) →
 * decision. Production (the evaluator) and the backtester run this very function.
 *
 * Order of evaluation:
 *
 * 1. Validate the input (InvalidInputError, never a NaN downstream); compute the id.
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
import { cadenceIntervalMs, isCadenceDue } from './cadence.ts';
import { decisionId } from './decision-id.ts';
import { effectiveBandUnits } from './effective-band.ts';
import { hedgeOptionQuote, solveGreekHedge, type HedgeOptionQuote } from './greek-hedge.ts';
import { hedgeTarget } from './hedge-target.ts';
import { DELTA_DUST_RELATIVE, DELTA_DUST_UNITS, THRESHOLD_TOLERANCE } from './policy-constants.ts';
import { fmtAbs, fmtDuration, fmtGreek, fmtPct, fmtSigned, fmtUsd } from './policy-format.ts';
import { validatePolicyInput } from './policy-input-validation.ts';
import type {
  Decision,
  HedgeInstrument,
  HedgeOrder,
  PlannedSlice,
  PolicyAlert,
  PolicyInput,
  PolicyMarket,
  ReasonCode,
} from './policy-types.ts';
import { priceMoveFraction } from './price-move.ts';
import { scalingVol, usesRealisedVol } from './realised-vol.ts';
import { needsSlicing, sliceOffsetMs, slicingWindowMs } from './slicing.ts';
import { utcDayStartMs } from './utc-day.ts';
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

/** |x| beyond a Greek limit (relative slack). */
function exceedsLimit(absValue: number, limit: number): boolean {
  return absValue > limit + limit * TOLERANCE;
}

/** The hedge policy engine: see the module comment. Throws InvalidInputError on a bad input. */
export function decideHedge(input: PolicyInput): Decision {
  validatePolicyInput(input);
  const { risk, market, config, state, nowMs } = input;
  const id = decisionId(input);
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
    const message = `Account paused (kill switch): no hedge for delta ${fmtSigned(delta)} ${config.underlying}${
      pending.length > 0 ? `; ${pending.length} pending slice(s) cancelled` : ''
    }.`;
    const alert: PolicyAlert = { code: 'ACCOUNT_PAUSED', message, numbers: { delta, cancelledSlices: pending.length } };
    return finish(id, 'NONE_PAUSED', message, numbers, NO_ORDERS, NO_SLICES, [alert], guards.dryRun);
  }

  // Volatility (only when the account scales with it).
  const scaling = config.volScaling;
  let vol = 0;
  if (scaling !== undefined) {
    vol = scalingVol(scaling.source, state.ewmaVariance, market.impliedVol);
    numbers.vol = vol;
    numbers.volFromRealised = usesRealisedVol(scaling.source, state.ewmaVariance) ? 1 : 0;
    numbers.volRatio = vol / scaling.referenceVol;
  }

  // Delta bands.
  const band = config.band;
  const ww = config.whalleyWilmott;
  const bandUnits = band === undefined ? Infinity : effectiveBandUnits(band, scaling, vol, spot, risk.gamma, risk.optionNotionalUsd);
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
    cadenceMs = cadenceIntervalMs(cadence, scaling, vol);
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
    return finish(id, width < Infinity ? 'NONE_WITHIN_BAND' : 'NONE_NO_TRIGGER', quietMessage(config, delta, projected, width, bandUnits, pending.length, numbers), numbers, NO_ORDERS, pending, alerts, guards.dryRun);
  }

  const ctx: Ctx = {
    id,
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
  let held: 'cooldown' | Exclude<PlanOutcome, Decision> | undefined;
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
  const sym = config.underlying;
  switch (held) {
    case 'cooldown': {
      const since = nowMs - lastHedgeAtMs!;
      const bypass = numbers.cooldownBypassUnits;
      const message = `${triggerLead(ctx, greekFired)}, but the last hedge was ${fmtDuration(since)} ago (cooldown ${fmtDuration(guards.cooldownMs)}${
        bypass === undefined ? '' : `; a delta beyond ±${fmtAbs(bypass)} ${sym} would bypass it`
      }): no hedge.`;
      return finish(id, 'NONE_COOLDOWN', message, numbers, NO_ORDERS, pending, alerts, guards.dryRun);
    }
    case 'belowMinTrade': {
      const message = `${triggerLead(ctx, false)}, but the ${fmtAbs(numbers.drift ?? 0)} ${sym} hedge is below the ${fmtAbs(guards.minTradeUnits)} ${sym} minimum trade: no hedge.`;
      return finish(id, 'NONE_BELOW_MIN_TRADE', message, numbers, NO_ORDERS, pending, alerts, guards.dryRun);
    }
    case 'atTarget': {
      const message = `${triggerLead(ctx, false)}, but the delta is already at its target ${fmtSigned(numbers.target ?? 0)} ${sym}: nothing to trade.`;
      return finish(id, 'NONE_BELOW_MIN_TRADE', message, numbers, NO_ORDERS, pending, alerts, guards.dryRun);
    }
    default:
      // Nothing fired, or only a Greek breach that no option trade can fix: the alerts say it.
      return finish(id, width < Infinity ? 'NONE_WITHIN_BAND' : 'NONE_NO_TRIGGER', quietMessage(config, delta, projected, width, bandUnits, pending.length, numbers), numbers, NO_ORDERS, pending, alerts, guards.dryRun);
  }
}

/**
 * What planHedge found: a decision, or why there is no new plan — the trade asked for is
 * below minTradeUnits, the delta is already at its target, or only a Greek limit fired
 * and no option trade can (or is worth to) fix it.
 */
type PlanOutcome = Decision | 'belowMinTrade' | 'atTarget' | 'greekUnfixable';

/** Everything the slower paths need, computed once by decideHedge. */
interface Ctx {
  readonly id: string;
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

function finish(
  id: string,
  reason: ReasonCode,
  message: string,
  numbers: Readonly<Record<string, number>>,
  orders: readonly HedgeOrder[],
  plannedSlices: readonly PlannedSlice[],
  alerts: readonly PolicyAlert[],
  dryRun: boolean,
): Decision {
  const action = orders.length > 0 ? 'hedge' : alerts.length > 0 ? 'alert' : 'none';
  if (dryRun) {
    const note = orders.length > 0 ? ' Dry run: nothing was sent.' : ' Dry run.';
    return { id, action, reason, message: message + note, numbers, orders: NO_ORDERS, plannedSlices, alerts, dryRun: true, wouldTrade: orders };
  }
  return { id, action, reason, message, numbers, orders, plannedSlices, alerts, dryRun: false, wouldTrade: NO_ORDERS };
}

/** The sentence of a decision where nothing fired. */
function quietMessage(
  config: HedgePolicyConfig,
  delta: number,
  projected: number,
  width: number,
  bandUnits: number,
  pendingCount: number,
  numbers: Readonly<Record<string, number>>,
): string {
  const sym = config.underlying;
  const pendingNote = pendingCount > 0 ? ` (${fmtSigned(delta)} ${sym} now, ${pendingCount} slice(s) pending)` : '';
  if (width < Infinity) {
    const name = bandUnits <= width ? 'band' : 'Whalley-Wilmott band';
    return `Delta ${fmtSigned(projected)} ${sym}${pendingNote} is within the ±${fmtAbs(width)} ${sym} ${name}: no hedge.`;
  }
  let detail = '';
  if (numbers.priceMovePct !== undefined) detail += `, price move ${fmtPct(numbers.priceMovePct / 100)} of ±${numbers.priceMoveTriggerPct}%`;
  if (numbers.cadenceIntervalMs !== undefined && numbers.sinceLastHedgeMs !== undefined) {
    detail += `, next cadence hedge in ${fmtDuration(numbers.cadenceIntervalMs - numbers.sinceLastHedgeMs)}`;
  }
  return `No trigger fired (delta ${fmtSigned(projected)} ${sym}${pendingNote}${detail}): no hedge.`;
}

/** The reason code of the trigger that leads (Greek limits, then the narrower delta band, price move, cadence). */
function leadingReason(ctx: Ctx, optionsTraded: boolean): ReasonCode {
  if (optionsTraded) return 'HEDGE_GREEK_LIMITS';
  if (ctx.firedBand && (!ctx.firedWW || ctx.bandUnits <= ctx.wwUnits)) return 'HEDGE_BAND';
  if (ctx.firedWW) return 'HEDGE_WHALLEY_WILMOTT';
  if (ctx.firedPrice) return 'HEDGE_PRICE_MOVE';
  if (ctx.firedCadence) return 'HEDGE_CADENCE';
  return 'HEDGE_GREEK_LIMITS';
}

/** The first half of the sentence: which trigger fired and why. */
function triggerLead(ctx: Ctx, optionsLead: boolean): string {
  const { config, state, market, risk } = ctx.input;
  const sym = config.underlying;
  const pendingNote = ctx.pendingUnits !== 0 ? ` (including ${fmtSigned(ctx.pendingUnits)} ${sym} of pending slices)` : '';
  switch (leadingReason(ctx, optionsLead)) {
    case 'HEDGE_GREEK_LIMITS': {
      const parts: string[] = [];
      if (ctx.gammaBreach) parts.push(`Gamma ${fmtGreek(risk.gamma)} ${sym}/USD is beyond the ±${fmtAbs(config.limits!.maxAbsGamma!)} limit`);
      if (ctx.vegaBreach) {
        parts.push(`${parts.length > 0 ? 'vega' : 'Vega'} ${fmtSigned(risk.vegaPerVolPoint)} USD per vol point is beyond the ±${fmtAbs(config.limits!.maxAbsVegaPerVolPoint!)} limit`);
      }
      return parts.join(' and ');
    }
    case 'HEDGE_BAND': {
      const band = config.band!;
      const unitNote = band.unit === 'units' && !(config.volScaling?.scaleBand ?? false) ? '' : ` (${bandDescription(ctx)})`;
      return `Delta ${fmtSigned(ctx.projected)} ${sym}${pendingNote} is outside the ±${fmtAbs(ctx.bandUnits)} ${sym} band${unitNote}`;
    }
    case 'HEDGE_WHALLEY_WILMOTT':
      return `Delta ${fmtSigned(ctx.projected)} ${sym}${pendingNote} is outside the ±${fmtAbs(ctx.wwUnits)} ${sym} Whalley-Wilmott band`;
    case 'HEDGE_PRICE_MOVE': {
      const pct = config.priceMove!.pct;
      if (state.lastHedgeSpot === undefined) return `No hedge yet, so no reference price for the ${pct}% price-move trigger`;
      return `${sym} moved ${fmtPct(priceMoveFraction(market.spot, state.lastHedgeSpot))} since the last hedge at ${fmtUsd(state.lastHedgeSpot)} USD (trigger ±${pct}%)`;
    }
    case 'HEDGE_CADENCE':
      return state.lastHedgeAtMs === undefined
        ? `Cadence hedge due (no hedge yet, every ${fmtDuration(ctx.cadenceMs)})`
        : `Cadence hedge due (${fmtDuration(ctx.input.nowMs - state.lastHedgeAtMs)} since the last hedge, every ${fmtDuration(ctx.cadenceMs)})`;
    default:
      return 'A trigger fired';
  }
}

/** "5000 USD", "2% of the 1,500,000.00 USD option notional", "gamma-risk band at 80.0% vol over 1.0 h". */
function bandDescription(ctx: Ctx): string {
  const { config, risk } = ctx.input;
  const band = config.band!;
  const scaling = config.volScaling;
  if (scaling !== undefined && scaling.scaleBand && scaling.mode === 'gammaRisk') {
    return `gamma-risk band at ${(ctx.vol * 100).toFixed(1)}% vol over ${fmtDuration(scaling.horizonMs)}`;
  }
  const base =
    band.unit === 'units'
      ? `${band.trigger} ${config.underlying}`
      : band.unit === 'usd'
        ? `${fmtUsd(band.trigger)} USD`
        : `${band.trigger}% of the ${fmtUsd(risk.optionNotionalUsd)} USD option notional`;
  return scaling !== undefined && scaling.scaleBand
    ? `${base} scaled by vol ${(ctx.vol * 100).toFixed(1)}% / ${(scaling.referenceVol * 100).toFixed(1)}%`
    : base;
}

function breachAlerts(
  config: HedgePolicyConfig,
  gamma: number,
  vega: number,
  gammaBreach: boolean,
  vegaBreach: boolean,
  after: { readonly gamma: number; readonly vega: number; readonly traded: boolean } | undefined,
): PolicyAlert[] {
  const limits = config.limits!;
  const sym = config.underlying;
  const hasOptions = limits.hedgeOptions.length > 0;
  const tail = (afterValue: number | undefined, fmt: (x: number) => string): string =>
    after !== undefined && after.traded
      ? `; the option hedge brings it to ${fmt(afterValue!)}.`
      : hasOptions
        ? '; no option hedge is sent now.'
        : '; no hedge option is configured: alert only.';
  const alerts: PolicyAlert[] = [];
  if (gammaBreach) {
    const max = limits.maxAbsGamma!;
    alerts.push({
      code: 'GAMMA_LIMIT_BREACHED',
      message: `Gamma ${fmtGreek(gamma)} ${sym}/USD is beyond the ±${fmtAbs(max)} limit${tail(after?.gamma, fmtGreek)}`,
      numbers: after === undefined ? { gamma, maxAbsGamma: max } : { gamma, maxAbsGamma: max, gammaAfter: after.gamma },
    });
  }
  if (vegaBreach) {
    const max = limits.maxAbsVegaPerVolPoint!;
    alerts.push({
      code: 'VEGA_LIMIT_BREACHED',
      message: `Vega ${fmtSigned(vega)} USD per vol point is beyond the ±${fmtAbs(max)} limit${tail(after?.vega, fmtSigned)}`,
      numbers:
        after === undefined
          ? { vegaPerVolPoint: vega, maxAbsVegaPerVolPoint: max }
          : { vegaPerVolPoint: vega, maxAbsVegaPerVolPoint: max, vegaAfter: after.vega },
    });
  }
  return alerts;
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
function planHedge(ctx: Ctx): PlanOutcome {
  const { input, numbers, id } = ctx;
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
  const clipAlert = (requested: number, what: string, unitName: string): void => {
    alerts.push({
      code: 'TRADE_CLIPPED',
      message: `The ${fmtAbs(requested)} ${what} order is clipped to the max trade size of ${fmtAbs(maxTrade!)} ${unitName}.`,
      numbers: { requestedUnits: Math.abs(requested), clippedUnits: maxTrade!, maxTradeUnits: maxTrade! },
    });
  };

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
        clipAlert(q, `option ${quote.id}`, 'units');
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
    const bandUnits = config.band === undefined ? Infinity : effectiveBandUnits(config.band, config.volScaling, ctx.vol, spot, gammaAfter, risk.optionNotionalUsd);
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
  const lead = triggerLead(ctx, optionsTraded);
  if (!optionsTraded) {
    if (capHit) return capReached(ctx, lead, alerts);
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
      clipAlert(perp, `${sym} ${config.hedgeInstrument}`, sym);
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
    if (capHit) return capReached(ctx, lead, alerts);
    // The pending slices were what pushed the projected delta out: cancel them, trade nothing.
    numbers.cancelledSlices = pending.length;
    const message = `${lead}, but the delta ${fmtSigned(risk.delta)} ${sym} is within the ${fmtAbs(minTrade)} ${sym} minimum trade of its target ${fmtSigned(target)} ${sym} without the pending slices: ${pending.length} pending slice(s) cancelled, no hedge.`;
    return finish(id, 'NONE_BELOW_MIN_TRADE', message, numbers, NO_ORDERS, NO_SLICES, withBreaches(ctx, alerts, gammaAfter, vegaAfter, false), guards.dryRun);
  }

  let planned: readonly PlannedSlice[] = NO_SLICES;
  let sliceNote = '';
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
      const later: PlannedSlice[] = [];
      for (let i = 1; i < count; i++) {
        later.push({ quantity: child, notBeforeMs: nowMs + sliceOffsetMs(i, count, windowMs), sliceIndex: i, sliceCount: count, decisionId: id });
      }
      planned = later;
      numbers.slices = count;
      numbers.sliceUnits = child;
      numbers.sliceWindowMs = windowMs;
      sliceNote = ` in ${count} slices of ${fmtAbs(child)} ${sym} over ${fmtDuration(windowMs)} (the first now)`;
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

  const parts: string[] = [];
  for (let i = 0; i < orders.length; i++) {
    const o = orders[i]!;
    if (o.instrument.kind === 'option') parts.push(`${o.side} ${fmtAbs(o.quantity)} of option ${o.instrument.id}`);
    else {
      const clipNote = clipped ? ` (clipped from ${fmtAbs(requestedPerp)})` : '';
      parts.push(`${o.side} ${fmtAbs(perp)} ${sym}${clipNote} of the ${config.hedgeInstrument}${sliceNote}`);
    }
  }
  const targetText = target === 0 ? '0' : `${fmtSigned(target)} ${sym}`;
  const subject = optionsTraded ? 'the delta' : ctx.firedBand || ctx.firedWW ? 'it' : `the delta ${fmtSigned(ctx.projected)} ${sym}`;
  const deltaClause = perp !== 0 ? ` to bring ${subject} ${clipped ? 'towards' : 'to'} ${targetText}` : '';
  const cancelNote = pending.length > 0 ? ` Replaces ${pending.length} pending slice(s).` : '';
  const message = `${lead}: ${parts.join(' and ')}${deltaClause}.${cancelNote}`;
  const reason = leadingReason(ctx, optionsTraded);
  return finish(id, reason, message, numbers, orders, planned, withBreaches(ctx, alerts, gammaAfter, vegaAfter, optionsTraded), guards.dryRun);
}


/** Greek breach alerts first, then the guard alerts of the plan. */
function withBreaches(ctx: Ctx, alerts: PolicyAlert[], gammaAfter: number, vegaAfter: number, traded: boolean): readonly PolicyAlert[] {
  if (!ctx.gammaBreach && !ctx.vegaBreach) return alerts.length > 0 ? alerts : NO_ALERTS;
  const { config, risk } = ctx.input;
  return [...breachAlerts(config, risk.gamma, risk.vegaPerVolPoint, ctx.gammaBreach, ctx.vegaBreach, { gamma: gammaAfter, vega: vegaAfter, traded }), ...alerts];
}

/** The daily cap leaves nothing for the hedge the trigger asked for. */
function capReached(ctx: Ctx, lead: string, alerts: PolicyAlert[]): Decision {
  const { config, state } = ctx.input;
  const cap = config.guards.maxDailyNotionalUsd!;
  const message = `${lead}, but the ${fmtUsd(cap)} USD daily notional cap is used up (${fmtUsd(ctx.usedToday)} USD traded today): no hedge.`;
  alerts.push({
    code: 'DAILY_NOTIONAL_CAP',
    message,
    numbers: { capUsd: cap, usedTodayUsd: ctx.usedToday, remainingUsd: Math.max(cap - ctx.usedToday, 0) },
  });
  const { risk } = ctx.input;
  return finish(
    ctx.id,
    'NONE_DAILY_CAP_REACHED',
    message,
    ctx.numbers,
    NO_ORDERS,
    state.pendingSlices,
    withBreaches(ctx, alerts, risk.gamma, risk.vegaPerVolPoint, false),
    config.guards.dryRun,
  );
}

/** No new plan: send the pending slices that are due, within the guards. */
function sendDueSlices(ctx: Ctx): Decision {
  const { config, state, market, nowMs, risk } = ctx.input;
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
    const message = `${state.pendingSlices.length} slice(s) of a planned hedge are due, but the ${fmtUsd(cap!)} USD daily notional cap is used up (${fmtUsd(ctx.usedToday)} USD traded today): no hedge.`;
    alerts.push({ code: 'DAILY_NOTIONAL_CAP', message, numbers: { capUsd: cap!, usedTodayUsd: ctx.usedToday, remainingUsd: Math.max(cap! - ctx.usedToday, 0) } });
    return finish(ctx.id, 'NONE_DAILY_CAP_REACHED', message, numbers, NO_ORDERS, state.pendingSlices, [...breach, ...alerts], guards.dryRun);
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
  const first = firstSent!;
  const which = orders.length === 1 ? `slice ${first.sliceIndex + 1} of ${first.sliceCount}` : `${orders.length} due slices`;
  const message = `Sending ${which} of the hedge planned by decision ${first.decisionId}: ${sentUnits > 0 ? 'buy' : 'sell'} ${fmtAbs(sentUnits)} ${sym} of the ${config.hedgeInstrument} (delta ${fmtSigned(risk.delta)} ${sym}, ${fmtSigned(ctx.projected)} ${sym} once all slices are done).`;
  return finish(ctx.id, 'HEDGE_PENDING_SLICE', message, numbers, orders, rest, breach.length > 0 || alerts.length > 0 ? [...breach, ...alerts] : NO_ALERTS, guards.dryRun);
}
