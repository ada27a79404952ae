/**
 * A crash circuit breaker. At each evaluation it looks at what the evaluator sees and
 * switches the account into crash mode when any trigger fires; in crash mode a configured
 * plan governs the hedge orders; it goes back to normal after a calm period without a
 * trigger. Every switch comes back as a transition for the caller to emit and audit.
 *
 * Triggers:
 *  - move: the price moved more than k forecast standard deviations within the window,
 *    |ln(P_now / P_extreme)| > k·σ·√(window in years), P_extreme the window's highest or
 *    lowest observation (σ: the annual vol the policy forecasts);
 *  - pool vs oracle: the pool's price parts from the oracle's by more than a threshold;
 *  - oracle jump: the oracle's answer moved more than a threshold from its previous round.
 * Plans:
 *  - hold: no order goes out (the caller alerts);
 *  - risk-reducing: only delta-one orders that bring |delta| down go out, never past zero;
 *  - slices: the orders go out in N time slices (the policy's slicing) with a tighter
 *    slippage limit.
 *
 * Pure: no clock (times come in), no I/O; a state in, a new state out.
 */
import { InvalidInputError } from '../errors.ts';
import { MS_PER_YEAR } from '../exposure/positions.ts';
import type { HedgeOrder } from './policy-types.ts';

export type CrashPlan = { readonly kind: 'hold' } | { readonly kind: 'risk-reducing' } | { readonly kind: 'slices'; readonly slices: number; readonly maxSlippageBps: number };

export interface CrashBreakerConfig {
  /** k: how many forecast standard deviations of move within the window make a crash (no move trigger when absent). */
  readonly moveSigmas?: number;
  /** The move trigger's window (with moveSigmas). */
  readonly windowMs?: number;
  /** Pool and oracle this far apart (bps) make a crash; none when absent. */
  readonly maxPoolOracleDeviationBps?: number;
  /** The oracle's answer this far (bps) from its previous round makes a crash; none when absent. */
  readonly maxOracleJumpBps?: number;
  readonly plan: CrashPlan;
  /** Back to normal after this long without a trigger. */
  readonly calmMs: number;
}

export type CrashTrigger = 'MOVE' | 'POOL_ORACLE_DEVIATION' | 'ORACLE_JUMP';

export interface CrashBreakerState {
  readonly mode: 'normal' | 'crash';
  /** When the current mode began (epoch ms). */
  readonly sinceMs: number;
  readonly lastTriggerMs?: number;
  /** The observations of the window, oldest first: (time, price). */
  readonly window: readonly (readonly [number, number])[];
}

export interface CrashObservation {
  readonly nowMs: number;
  readonly oracle: number;
  readonly pool?: number;
  /** The oracle's previous round's answer. */
  readonly previousOracle?: number;
  /** The forecast vol (annual, decimal) the move trigger scales with. */
  readonly volAnnual: number;
}

export interface BreakerTransition {
  readonly from: 'normal' | 'crash';
  readonly to: 'normal' | 'crash';
  readonly atMs: number;
  /** Which triggers fired (to crash), or how long it has been calm (to normal). */
  readonly reason: string;
}

export interface BreakerStep {
  readonly state: CrashBreakerState;
  readonly triggers: readonly CrashTrigger[];
  readonly transition?: BreakerTransition;
}

export function initialBreakerState(nowMs: number): CrashBreakerState {
  return { mode: 'normal', sinceMs: nowMs, window: [] };
}

export function validateBreakerConfig(config: CrashBreakerConfig): void {
  if ((config.moveSigmas === undefined) !== (config.windowMs === undefined)) throw new InvalidInputError('crashBreaker.moveSigmas', config.moveSigmas, 'and windowMs go together (the move trigger)');
  if (config.moveSigmas !== undefined && !(config.moveSigmas > 0)) throw new InvalidInputError('crashBreaker.moveSigmas', config.moveSigmas, 'must be > 0');
  if (config.windowMs !== undefined && !(config.windowMs > 0)) throw new InvalidInputError('crashBreaker.windowMs', config.windowMs, 'must be > 0');
  if (config.moveSigmas === undefined && config.maxPoolOracleDeviationBps === undefined && config.maxOracleJumpBps === undefined) throw new InvalidInputError('crashBreaker', 'no trigger', 'needs a trigger');
  if (!(config.calmMs >= 0)) throw new InvalidInputError('crashBreaker.calmMs', config.calmMs, 'must be ≥ 0');
  if (config.maxPoolOracleDeviationBps !== undefined && !(config.maxPoolOracleDeviationBps > 0)) throw new InvalidInputError('crashBreaker.maxPoolOracleDeviationBps', config.maxPoolOracleDeviationBps, 'must be > 0');
  if (config.maxOracleJumpBps !== undefined && !(config.maxOracleJumpBps > 0)) throw new InvalidInputError('crashBreaker.maxOracleJumpBps', config.maxOracleJumpBps, 'must be > 0');
  if (config.plan.kind === 'slices' && !(Number.isInteger(config.plan.slices) && config.plan.slices >= 2 && config.plan.maxSlippageBps > 0)) {
    throw new InvalidInputError('crashBreaker.plan', config.plan, 'slices must be a whole number ≥ 2 with maxSlippageBps > 0');
  }
}

/** The triggers that fire on this observation, against the window before it. */
function triggersOf(window: CrashBreakerState['window'], obs: CrashObservation, config: CrashBreakerConfig): CrashTrigger[] {
  const fired: CrashTrigger[] = [];
  if (config.moveSigmas !== undefined && config.windowMs !== undefined && obs.volAnnual > 0 && window.length > 0) {
    const threshold = config.moveSigmas * obs.volAnnual * Math.sqrt(config.windowMs / MS_PER_YEAR);
    let high = -Infinity;
    let low = Infinity;
    for (const [, price] of window) {
      if (price > high) high = price;
      if (price < low) low = price;
    }
    if (Math.log(high / obs.oracle) > threshold || Math.log(obs.oracle / low) > threshold) fired.push('MOVE');
  }
  if (config.maxPoolOracleDeviationBps !== undefined && obs.pool !== undefined && Math.abs(obs.pool / obs.oracle - 1) * 1e4 > config.maxPoolOracleDeviationBps) fired.push('POOL_ORACLE_DEVIATION');
  if (config.maxOracleJumpBps !== undefined && obs.previousOracle !== undefined && Math.abs(obs.oracle / obs.previousOracle - 1) * 1e4 > config.maxOracleJumpBps) fired.push('ORACLE_JUMP');
  return fired;
}

/**
 * @example
 * let breaker = initialBreakerState(now);
 * const step = observeCrash(breaker, { nowMs: now, oracle: 2400, pool: 2390, volAnnual: 0.8 }, config);
 * breaker = step.state; if (step.transition) emit(step.transition);
 */
export function observeCrash(state: CrashBreakerState, obs: CrashObservation, config: CrashBreakerConfig): BreakerStep {
  if (!(obs.oracle > 0) || !Number.isFinite(obs.oracle)) throw new InvalidInputError('oracle', obs.oracle, 'must be a positive price');
  if (!Number.isFinite(obs.nowMs)) throw new InvalidInputError('nowMs', obs.nowMs, 'must be a finite time');
  // The window before this observation: what is older than the window is dropped.
  // Without a move trigger no window is kept.
  const since = config.windowMs === undefined ? obs.nowMs : obs.nowMs - config.windowMs;
  const before = state.window.filter(([t]) => t >= since && t < obs.nowMs);
  const triggers = triggersOf(before, obs, config);
  const window = [...before, [obs.nowMs, obs.oracle] as const];
  const lastTriggerMs = triggers.length > 0 ? obs.nowMs : state.lastTriggerMs;
  const carried = lastTriggerMs === undefined ? {} : { lastTriggerMs };
  if (state.mode === 'normal' && triggers.length > 0) {
    return { state: { mode: 'crash', sinceMs: obs.nowMs, window, ...carried }, triggers, transition: { from: 'normal', to: 'crash', atMs: obs.nowMs, reason: triggers.join(', ') } };
  }
  if (state.mode === 'crash' && triggers.length === 0 && obs.nowMs - (lastTriggerMs ?? state.sinceMs) >= config.calmMs) {
    const calmFor = obs.nowMs - (lastTriggerMs ?? state.sinceMs);
    return { state: { mode: 'normal', sinceMs: obs.nowMs, window, ...carried }, triggers, transition: { from: 'crash', to: 'normal', atMs: obs.nowMs, reason: `calm for ${Math.round(calmFor / 1000)} s` } };
  }
  return { state: { mode: state.mode, sinceMs: state.sinceMs, window, ...carried }, triggers };
}

export interface PlannedOrders {
  /** What goes out now. */
  readonly orders: readonly HedgeOrder[];
  /** What the plan held back. */
  readonly held: readonly HedgeOrder[];
  /** Slices plan: cut each order into this many time slices … */
  readonly sliceInto?: number;
  /** … each sent with this slippage limit. */
  readonly maxSlippageBps?: number;
}

/**
 * The orders a crash plan lets out. `delta` is the book's net delta (units) the orders
 * were decided against; a risk-reducing order is a delta-one order against its sign,
 * cut so that it never takes |delta| past zero.
 */
export function applyCrashPlan(orders: readonly HedgeOrder[], plan: CrashPlan, delta: number): PlannedOrders {
  switch (plan.kind) {
    case 'hold':
      return { orders: [], held: orders };
    case 'risk-reducing': {
      const out: HedgeOrder[] = [];
      const held: HedgeOrder[] = [];
      let remaining = Math.abs(delta);
      for (const order of orders) {
        const reduces = order.instrument.kind !== 'option' && (order.side === 'sell' ? delta > 0 : delta < 0);
        if (!reduces || remaining <= 0) {
          held.push(order);
          continue;
        }
        const quantity = Math.min(order.quantity, remaining);
        remaining -= quantity;
        out.push(quantity === order.quantity ? order : { ...order, quantity, notionalUsd: (order.notionalUsd * quantity) / order.quantity });
      }
      return { orders: out, held };
    }
    case 'slices':
      // The whole orders, to be cut into N time slices by the policy's slicing (pending
      // slices in the hedge state), each sent with the tighter slippage limit.
      return { orders, held: [], sliceInto: plan.slices, maxSlippageBps: plan.maxSlippageBps };
  }
}
