/**
 * A minimal stand-in for the policy engine (band and cadence to zero delta), so that the
 * simulator's own accounting is tested whatever the policy engine does.
 */
import type { PolicyFunctions } from '../../../../shared/domain/backtest/simulate.ts';
import type { Decision, HedgeOrder } from '../../../../shared/domain/policy/policy-types.ts';

/** Hedges the whole delta when |delta| > band.trigger (units) or the cadence is due; buys every hedge option once at t0. */
export function standInPolicy(): PolicyFunctions {
  const order = (instrument: HedgeOrder['instrument'], signed: number, nowMs: number): HedgeOrder => ({
    instrument,
    side: signed > 0 ? 'buy' : 'sell',
    quantity: Math.abs(signed),
    notionalUsd: 0,
    sliceIndex: 0,
    sliceCount: 1,
    notBeforeMs: nowMs,
  });
  return {
    initial: (nowMs) => ({ dayStartMs: nowMs, dailyNotionalUsd: 0, pendingSlices: [] }),
    observe: (state, price, atMs) => ({ ...state, lastPrice: price, lastPriceAtMs: atMs }),
    decide: (input): Decision => {
      const { band, cadence, limits } = input.config;
      const first = input.state.lastHedgeAtMs === undefined;
      const orders: HedgeOrder[] = [];
      let delta = input.risk.delta;
      if (first) {
        for (const o of limits?.hedgeOptions ?? []) {
          orders.push(order({ kind: 'option', id: o.id }, 1, input.nowMs));
          delta = 0; // the test's hedge option offsets the book exactly
        }
      }
      const due = (band !== undefined && Math.abs(delta) > band.trigger) || (cadence !== undefined && (first || input.nowMs - input.state.lastHedgeAtMs! >= cadence.everyMs));
      if (due && delta !== 0) orders.push(order({ kind: input.config.hedgeInstrument }, -delta, input.nowMs));
      const trade = orders.length > 0 || (due && cadence !== undefined);
      return { id: 'stand-in', action: trade ? 'hedge' : 'none', reason: trade ? 'HEDGE_BAND' : 'NONE_WITHIN_BAND', message: '', numbers: {}, orders, plannedSlices: [], alerts: [], dryRun: false, wouldTrade: [] };
    },
    apply: (state, decision, _fills, nowMs) => (decision.action === 'hedge' ? { ...state, lastHedgeAtMs: nowMs } : state),
  };
}
