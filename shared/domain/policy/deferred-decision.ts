/**
 * A decision whose id and message are worked out when first read, then kept.
 *
 * Both are only needed when a decision is kept: the evaluator records every decision it
 * takes (and reads both); the backtester takes millions and reads neither — it needs the
 * orders, planned slices, alerts and numbers. Hashing the inputs into the id (FNV-1a over
 * ~100 bytes, decision-id.ts) and formatting the sentence cost more than the rest of a
 * quiet decision, so a deferred decision holds what they are computed from: a copy of the
 * input (see {@link snapshotInput}) and the sentence to build (decision-text.ts). Read or
 * not, and whenever read, they are the values an eager computation gives.
 *
 * Unlike the plain object decideHedge returns, `id` and `message` are getters of the
 * class: a spread (`{ ...decision }`), `Object.keys` or `structuredClone` does not carry
 * them. JSON.stringify does (toJSON), in the field order of the plain decision. Use
 * {@link plainDecision} for a plain copy.
 */
import { decisionId } from './decision-id.ts';
import type { DecisionText } from './decision-text.ts';
import type { Decision, HedgeOrder, PlannedSlice, PolicyAlert, PolicyInput, ReasonCode } from './policy-types.ts';

const NO_ORDERS: readonly HedgeOrder[] = Object.freeze([]);

/**
 * A copy of the input's numbers (risk, market, clock) beside its config and state, which
 * are kept by reference: an input object may be reused for the next call (the backtester
 * does so), a config or a state is never changed once made.
 */
export function snapshotInput(input: PolicyInput): PolicyInput {
  const { risk, market } = input;
  return {
    risk: { delta: risk.delta, gamma: risk.gamma, vegaPerVolPoint: risk.vegaPerVolPoint, optionNotionalUsd: risk.optionNotionalUsd, yearsToExpiry: risk.yearsToExpiry },
    market: { spot: market.spot, impliedVol: market.impliedVol, rate: market.rate, yield: market.yield },
    config: input.config,
    state: input.state,
    nowMs: input.nowMs,
  };
}

export class DeferredDecision implements Decision {
  readonly action: Decision['action'];
  readonly reason: ReasonCode;
  readonly numbers: Readonly<Record<string, number>>;
  readonly orders: readonly HedgeOrder[];
  readonly plannedSlices: readonly PlannedSlice[];
  readonly alerts: readonly PolicyAlert[];
  readonly dryRun: boolean;
  readonly wouldTrade: readonly HedgeOrder[];
  #input: PolicyInput;
  #id: string | undefined;
  #text: DecisionText;
  #message: string | undefined;

  /**
   * @param input the copy of the input the id is computed from (snapshotInput).
   * @param id the id when already computed (a sliced plan names its slices with it).
   * @param orders the orders decided; in dry-run they go to `wouldTrade` and `orders` is empty.
   */
  constructor(
    input: PolicyInput,
    id: string | undefined,
    reason: ReasonCode,
    text: DecisionText,
    numbers: Readonly<Record<string, number>>,
    orders: readonly HedgeOrder[],
    plannedSlices: readonly PlannedSlice[],
    alerts: readonly PolicyAlert[],
    dryRun: boolean,
  ) {
    this.action = orders.length > 0 ? 'hedge' : alerts.length > 0 ? 'alert' : 'none';
    this.reason = reason;
    this.numbers = numbers;
    this.orders = dryRun ? NO_ORDERS : orders;
    this.plannedSlices = plannedSlices;
    this.alerts = alerts;
    this.dryRun = dryRun;
    this.wouldTrade = dryRun ? orders : NO_ORDERS;
    this.#input = input;
    this.#id = id;
    this.#text = text;
    this.#message = undefined;
  }

  /** The deterministic id (decision-id.ts), computed on first read. */
  get id(): string {
    return (this.#id ??= decisionId(this.#input));
  }

  /** The sentence (decision-text.ts), built on first read; a dry run says so at the end. */
  get message(): string {
    if (this.#message === undefined) {
      const text = this.#text;
      const sentence = typeof text === 'string' ? text : text();
      this.#message = this.dryRun ? sentence + (this.wouldTrade.length > 0 ? ' Dry run: nothing was sent.' : ' Dry run.') : sentence;
    }
    return this.#message;
  }

  toJSON(): Decision {
    return plainDecision(this);
  }
}

/**
 * A plain object with the decision's fields as own properties (id and message computed).
 *
 * @example plainDecision(decision).id === decision.id // true
 */
export function plainDecision(d: Decision): Decision {
  return {
    id: d.id,
    action: d.action,
    reason: d.reason,
    message: d.message,
    numbers: d.numbers,
    orders: d.orders,
    plannedSlices: d.plannedSlices,
    alerts: d.alerts,
    dryRun: d.dryRun,
    wouldTrade: d.wouldTrade,
  };
}
