/**
 * The human sentence of each decision ("Delta +12.40 ETH is outside the ±5.00 ETH band:
 * sell 12.40 ETH of the perp to bring it to 0."). A decision's message is only read when
 * the decision is kept (the evaluator records every one; the backtester none), so the
 * `...Text` functions return the sentence to build, not the sentence: building it — a
 * dozen number formats and string joins — cost more than the rest of a quiet decision.
 * Each reads only its arguments and the context's copy of the input, so the sentence is
 * the same whenever it is built. Alert messages are built at once (alerts are rare and
 * always kept).
 */
import type { HedgePolicyConfig } from '../../contracts/hedge-policy-config.ts';
import { leadingReason, type DecisionContext } from './decision-context.ts';
import { fmtAbs, fmtDuration, fmtGreek, fmtPct, fmtSigned, fmtUsd } from './policy-format.ts';
import type { HedgeOrder, PlannedSlice } from './policy-types.ts';
import { priceMoveFraction } from './price-move.ts';

/** A message, or how to build it when it is read. */
export type DecisionText = string | (() => string);

/** The sentence of a decision where nothing fired (built when read). */
export function quietText(
  config: HedgePolicyConfig,
  delta: number,
  projected: number,
  width: number,
  bandUnits: number,
  pendingCount: number,
  numbers: Readonly<Record<string, number>>,
): () => string {
  return () => quietSentence(config, delta, projected, width, bandUnits, pendingCount, numbers);
}

function quietSentence(
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

/** The kill switch's sentence (also its alert's message). */
export function pausedSentence(delta: number, underlying: string, pendingCount: number): string {
  return `Account paused (kill switch): no hedge for delta ${fmtSigned(delta)} ${underlying}${pendingCount > 0 ? `; ${pendingCount} pending slice(s) cancelled` : ''}.`;
}

/** A trigger fired within the cooldown (built when read). */
export function cooldownText(ctx: DecisionContext, optionsLead: boolean, sinceMs: number, bypassUnits: number | undefined): () => string {
  return () => {
    const sym = ctx.input.config.underlying;
    const cooldownMs = ctx.input.config.guards.cooldownMs;
    return `${triggerLead(ctx, optionsLead)}, but the last hedge was ${fmtDuration(sinceMs)} ago (cooldown ${fmtDuration(cooldownMs)}${
      bypassUnits === undefined ? '' : `; a delta beyond ±${fmtAbs(bypassUnits)} ${sym} would bypass it`
    }): no hedge.`;
  };
}

/** The hedge a trigger asked for is below the minimum trade (built when read). */
export function belowMinTradeText(ctx: DecisionContext, drift: number): () => string {
  return () => {
    const sym = ctx.input.config.underlying;
    return `${triggerLead(ctx, false)}, but the ${fmtAbs(drift)} ${sym} hedge is below the ${fmtAbs(ctx.input.config.guards.minTradeUnits)} ${sym} minimum trade: no hedge.`;
  };
}

/** A trigger fired with the delta already at its target (built when read). */
export function atTargetText(ctx: DecisionContext, target: number): () => string {
  return () => `${triggerLead(ctx, false)}, but the delta is already at its target ${fmtSigned(target)} ${ctx.input.config.underlying}: nothing to trade.`;
}

/** The new plan trades nothing once the pending slices are dropped (built when read). */
export function cancelledSlicesText(ctx: DecisionContext, target: number, pendingCount: number): () => string {
  return () => {
    const { config, risk } = ctx.input;
    const sym = config.underlying;
    return `${triggerLead(ctx, false)}, but the delta ${fmtSigned(risk.delta)} ${sym} is within the ${fmtAbs(config.guards.minTradeUnits)} ${sym} minimum trade of its target ${fmtSigned(target)} ${sym} without the pending slices: ${pendingCount} pending slice(s) cancelled, no hedge.`;
  };
}

/** The daily cap leaves nothing for the hedge a trigger asked for (also the alert's message). */
export function capReachedSentence(ctx: DecisionContext, optionsLead: boolean, capUsd: number): string {
  return `${triggerLead(ctx, optionsLead)}, but the ${fmtUsd(capUsd)} USD daily notional cap is used up (${fmtUsd(ctx.usedToday)} USD traded today): no hedge.`;
}

/** How a perp/spot order is sliced, for its sentence. */
export interface SliceNote {
  readonly count: number;
  readonly childUnits: number;
  readonly windowMs: number;
}

/** The sentence of a new hedge: what it trades and why (built when read). */
export function hedgeText(
  ctx: DecisionContext,
  orders: readonly HedgeOrder[],
  perp: number,
  requestedPerp: number,
  clipped: boolean,
  slicing: SliceNote | undefined,
  target: number,
  optionsTraded: boolean,
  pendingCount: number,
): () => string {
  return () => {
    const config = ctx.input.config;
    const sym = config.underlying;
    const sliceNote = slicing === undefined ? '' : ` in ${slicing.count} slices of ${fmtAbs(slicing.childUnits)} ${sym} over ${fmtDuration(slicing.windowMs)} (the first now)`;
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
    const cancelNote = pendingCount > 0 ? ` Replaces ${pendingCount} pending slice(s).` : '';
    return `${triggerLead(ctx, optionsTraded)}: ${parts.join(' and ')}${deltaClause}.${cancelNote}`;
  };
}

/** Due slices of an earlier plan are sent (built when read). */
export function dueSlicesText(ctx: DecisionContext, first: PlannedSlice, sentCount: number, sentUnits: number): () => string {
  return () => {
    const { config, risk } = ctx.input;
    const sym = config.underlying;
    const which = sentCount === 1 ? `slice ${first.sliceIndex + 1} of ${first.sliceCount}` : `${sentCount} due slices`;
    return `Sending ${which} of the hedge planned by decision ${first.decisionId}: ${sentUnits > 0 ? 'buy' : 'sell'} ${fmtAbs(sentUnits)} ${sym} of the ${config.hedgeInstrument} (delta ${fmtSigned(risk.delta)} ${sym}, ${fmtSigned(ctx.projected)} ${sym} once all slices are done).`;
  };
}

/** Due slices that the daily cap holds back (also the alert's message). */
export function dueSlicesCapSentence(pendingCount: number, capUsd: number, usedTodayUsd: number): string {
  return `${pendingCount} slice(s) of a planned hedge are due, but the ${fmtUsd(capUsd)} USD daily notional cap is used up (${fmtUsd(usedTodayUsd)} USD traded today): no hedge.`;
}

/** The first half of a sentence: which trigger fired and why. */
export function triggerLead(ctx: DecisionContext, optionsLead: boolean): string {
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
function bandDescription(ctx: DecisionContext): string {
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
