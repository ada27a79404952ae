/**
 * The crash breaker's plan applied to a decision of the engine (see crash-breaker.ts for
 * the breaker itself):
 *
 * - before deciding, {@link crashModeConfig}: the slices plan cuts every new order into
 *   its N time slices (the engine's own slicing, whatever the order's size);
 * - after deciding, {@link applyCrashModeToDecision}: "hold" keeps every order back (and
 *   the pending slices where they are), "risk-reducing" lets out only delta-one orders
 *   and slices that bring |delta| down, never past zero, "slices" lets the orders out
 *   (dispatch sends them with the plan's tighter slippage). Every decision taken in crash
 *   mode carries a CRASH_MODE alert, which is the "alert" of hold-and-alert.
 *
 * Pure. The decision id is the engine's (the orders are a subset of its orders or its
 * orders cut down, never new ones).
 */
import type { HedgePolicyConfig } from '../../contracts/hedge-policy-config.ts';
import { applyCrashPlan, type CrashPlan } from './crash-breaker.ts';
import { fmtAbs } from './policy-format.ts';
import type { Decision, HedgeOrder, PlannedSlice, PolicyAlert } from './policy-types.ts';

export type ConfiguredCrashPlan = NonNullable<HedgePolicyConfig['crashBreaker']>['plan'];

/** The config the engine decides with in crash mode: the slices plan slices every order. */
export function crashModeConfig<C extends HedgePolicyConfig>(config: C, plan: ConfiguredCrashPlan): C {
  if (plan.kind !== 'slices') return config;
  return { ...config, slicing: { clipUnits: Number.MIN_VALUE, slices: plan.slices, windowMs: plan.windowMs, volScaled: false } };
}

/** The pure breaker's plan of a configured one. */
export function breakerPlanOf(plan: ConfiguredCrashPlan): CrashPlan {
  return plan.kind === 'slices' ? { kind: 'slices', slices: plan.slices, maxSlippageBps: plan.maxSlippageBps } : plan;
}

/**
 * The decision as the plan lets it out. `delta` is the book's net delta (units) the
 * decision was taken against; `pendingBefore` the pending slices of the state it was taken
 * in (hold keeps them as they were).
 *
 * @example
 * applyCrashModeToDecision(decision, { kind: 'hold' }, delta, state.pendingSlices).orders; // []
 */
export function applyCrashModeToDecision(decision: Decision, plan: ConfiguredCrashPlan, delta: number, pendingBefore: readonly PlannedSlice[]): Decision {
  const outgoing = decision.dryRun ? decision.wouldTrade : decision.orders;
  const planned = applyCrashPlan(outgoing, breakerPlanOf(plan), delta);
  let slices = decision.plannedSlices;
  if (plan.kind === 'hold') slices = pendingBefore;
  else if (plan.kind === 'risk-reducing') slices = riskReducingSlices(decision.plannedSlices, delta, planned.orders);
  const held = planned.held.length;
  const numbers = { ...decision.numbers, crashMode: 1, crashOrdersHeld: held, crashOrdersSent: planned.orders.length };
  const alert: PolicyAlert = {
    code: 'CRASH_MODE',
    message: crashSentence(plan, held, planned.orders, decision),
    numbers: { ordersHeld: held, ordersSent: planned.orders.length, ...(plan.kind === 'slices' ? { slices: plan.slices, maxSlippageBps: plan.maxSlippageBps } : {}) },
  };
  // Hold alerts at every evaluation in crash mode; the other plans when they changed an order.
  if (plan.kind !== 'hold' && outgoing.length === 0) return { ...decision, numbers, plannedSlices: slices };
  const alerts = [...decision.alerts, alert];
  const orders = decision.dryRun ? [] : planned.orders;
  const wouldTrade = decision.dryRun ? planned.orders : [];
  const anything = planned.orders.length > 0;
  if (!anything && outgoing.length > 0) {
    return { ...decision, action: 'alert', reason: 'NONE_CRASH_MODE', message: `${alert.message} ${decision.message}`.slice(0, 1000), numbers, orders, wouldTrade, plannedSlices: slices, alerts };
  }
  return { ...decision, action: anything ? 'hedge' : 'alert', message: `${decision.message} ${alert.message}`.slice(0, 1000), numbers, orders, wouldTrade, plannedSlices: slices, alerts };
}

/** The slices of a plan that still reduce |delta| once `sent` went out, cut so the total never passes zero. */
function riskReducingSlices(slices: readonly PlannedSlice[], delta: number, sent: readonly HedgeOrder[]): PlannedSlice[] {
  let remaining = Math.abs(delta);
  for (const order of sent) if (order.instrument.kind !== 'option') remaining -= order.quantity;
  const kept: PlannedSlice[] = [];
  for (const slice of slices) {
    const reduces = delta > 0 ? slice.quantity < 0 : slice.quantity > 0;
    if (!reduces || remaining <= 0) continue;
    const quantity = Math.min(Math.abs(slice.quantity), remaining);
    remaining -= quantity;
    kept.push(quantity === Math.abs(slice.quantity) ? slice : { ...slice, quantity: Math.sign(slice.quantity) * quantity });
  }
  return kept;
}

function crashSentence(plan: ConfiguredCrashPlan, held: number, sent: readonly HedgeOrder[], decision: Decision): string {
  const units = sent.reduce((sum, order) => sum + order.quantity, 0);
  switch (plan.kind) {
    case 'hold':
      return `Crash mode (hold): ${held} order(s) held back, nothing is traded until the market is calm.`;
    case 'risk-reducing':
      return `Crash mode (risk-reducing): ${sent.length} order(s) of ${fmtAbs(units)} reduce the delta${held > 0 ? `, ${held} held back` : ''}.`;
    case 'slices':
      return `Crash mode (slices): orders cut into ${plan.slices} slices over ${Math.round(plan.windowMs / 1000)} s at most ${plan.maxSlippageBps} bps slippage${decision.orders.length === 0 && decision.wouldTrade.length === 0 ? ' (none now)' : ''}.`;
  }
}
