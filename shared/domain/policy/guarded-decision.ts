/**
 * One evaluation's decision with the policy's safeguards around the engine, as the
 * evaluator runs it (pure: the evaluator reads the chain and the store, this decides):
 *
 * 1. The crash breaker observes the oracle (its window, the pool price, the oracle's
 *    previous round) with σ = the larger of the vol forecast of the hedge state *before*
 *    this price (a crash must not hide itself by inflating its own yardstick) and the vol
 *    the book is priced at (a quiet oracle, whose estimate decays towards 0, must not make
 *    its next update a crash). The forecast is the policy's GARCH/EWMA forecast averaged
 *    over the breaker's window when the state has a fit (volScaling.source "forecast"),
 *    else the realised EWMA.
 * 2. Portfolio insurance values the portfolio (self-financing ledger, high-water mark);
 *    after the decision the ledger keeps the units held plus its delta-one orders, the
 *    position of the interval up to the next valuation.
 * 3. The engine decides (insured-decision.ts for an insured account, decide-hedge.ts
 *    otherwise), in crash mode with the slices plan's slicing.
 * 4. In crash mode the plan is applied to the decision (crash-mode-decision.ts).
 * 5. Runaway protection judges the result; a trip turns the decision into the paused one
 *    (no orders, pending slices cancelled) with a RUNAWAY alert, for the evaluator to pause
 *    the account.
 *
 * Without insurance, breaker and runaway blocks the decision is exactly decideHedge's.
 */
import type { BreakerMemory, PolicyGuardState } from '../../contracts/policy-guard-state-schema.ts';
import { initialBreakerState, observeCrash, validateBreakerConfig, type BreakerTransition, type CrashBreakerConfig, type CrashTrigger } from './crash-breaker.ts';
import { applyCrashModeToDecision, breakerPlanOf, crashModeConfig } from './crash-mode-decision.ts';
import { decideHedge } from './decide-hedge.ts';
import { decideInsured, valueInsuredPortfolio } from './insured-decision.ts';
import type { Decision, HedgeState, PolicyInput } from './policy-types.ts';
import { forecastVol } from './vol-forecast.ts';
import { checkRunaway, INITIAL_RUNAWAY_STATE, type RunawayTrip } from './runaway-protection.ts';

/** Most observations a breaker window keeps (the item stays small whatever the tick rate). */
export const MAX_BREAKER_WINDOW = 720;

export interface GuardInputs {
  readonly guards: PolicyGuardState;
  /** The hedge state before this price was observed (its EWMA is the breaker's σ). */
  readonly stateBeforePrice: HedgeState | undefined;
  /** The oracle's round as read now. */
  readonly oracleRound: { readonly roundId: string; readonly answer: number };
  /** The pool's price now, when the pool-oracle trigger is configured and it was read. */
  readonly poolPrice?: number;
  /** The book's delta from the recorded positions (no delta-one hedge in flight counted). */
  readonly recordedDelta: number;
  readonly accountActive: boolean;
  readonly recordedHedgeUnits: number;
  readonly chainHedgeUnits?: number;
  readonly deltaOneInFlight: boolean;
}

export interface GuardedDecision {
  readonly decision: Decision;
  readonly guards: PolicyGuardState;
  /** A switch into or out of crash mode at this evaluation. */
  readonly crashSwitch?: { readonly transition: BreakerTransition; readonly triggers: readonly CrashTrigger[]; readonly numbers: Readonly<Record<string, number>> };
  /** The slices plan's slippage limit for the orders of this decision. */
  readonly maxSlippageBps?: number;
  readonly runawayTrip?: RunawayTrip;
}

/**
 * @example
 * const guarded = decideGuarded({ risk, market, config, state, nowMs }, { guards: stored.guards ?? {}, ... });
 * if (guarded.crashSwitch) emit('Crash Mode Changed'); if (guarded.runawayTrip) pause();
 */
export function decideGuarded(input: PolicyInput, inputs: GuardInputs, decide: (input: PolicyInput) => Decision = decideHedge): GuardedDecision {
  const { config, market, nowMs } = input;
  const next: { -readonly [K in keyof PolicyGuardState]: PolicyGuardState[K] } = {};

  // 1. The crash breaker.
  let crash = false;
  let crashSwitch: GuardedDecision['crashSwitch'];
  const breakerConfig = config.crashBreaker;
  if (breakerConfig !== undefined) {
    const pure: CrashBreakerConfig = {
      ...(breakerConfig.moveSigmas === undefined || breakerConfig.windowMs === undefined ? {} : { moveSigmas: breakerConfig.moveSigmas, windowMs: breakerConfig.windowMs }),
      calmMs: breakerConfig.calmMs,
      plan: breakerPlanOf(breakerConfig.plan),
      ...(breakerConfig.maxPoolOracleDeviationBps === undefined ? {} : { maxPoolOracleDeviationBps: breakerConfig.maxPoolOracleDeviationBps }),
      ...(breakerConfig.maxOracleJumpBps === undefined ? {} : { maxOracleJumpBps: breakerConfig.maxOracleJumpBps }),
    };
    validateBreakerConfig(pure);
    const memory: BreakerMemory | undefined = inputs.guards.breaker;
    const before = inputs.stateBeforePrice;
    const variance = before?.ewmaVariance;
    // The larger of the forecast over the window (or the realised EWMA), before this price, and
    // the vol the book is priced at: a quiet oracle (a feed that updates on deviation) must not
    // make its next update k σ.
    const realised = (breakerConfig.windowMs === undefined ? undefined : forecastVol(before?.forecast, breakerConfig.windowMs)) ?? (variance === undefined ? 0 : Math.sqrt(variance));
    const volAnnual = realised > market.impliedVol ? realised : market.impliedVol;
    const previousOracle = memory?.lastRound !== undefined && memory.lastRound.roundId !== inputs.oracleRound.roundId ? memory.lastRound.answer : undefined;
    const step = observeCrash(
      memory?.breaker ?? initialBreakerState(nowMs),
      { nowMs, oracle: market.spot, volAnnual, ...(inputs.poolPrice === undefined ? {} : { pool: inputs.poolPrice }), ...(previousOracle === undefined ? {} : { previousOracle }) },
      pure,
    );
    const window = step.state.window.length > MAX_BREAKER_WINDOW ? step.state.window.slice(-MAX_BREAKER_WINDOW) : step.state.window;
    next.breaker = { breaker: { ...step.state, window }, lastRound: { roundId: inputs.oracleRound.roundId, answer: inputs.oracleRound.answer } };
    crash = step.state.mode === 'crash';
    if (step.transition !== undefined) {
      crashSwitch = {
        transition: step.transition,
        triggers: step.triggers,
        numbers: {
          spot: market.spot,
          volAnnual,
          ...(breakerConfig.moveSigmas === undefined || breakerConfig.windowMs === undefined ? {} : { moveSigmas: breakerConfig.moveSigmas, windowMs: breakerConfig.windowMs }),
          ...(inputs.poolPrice === undefined ? {} : { poolPrice: inputs.poolPrice }),
          ...(previousOracle === undefined ? {} : { previousOracle }),
        },
      };
    }
  }

  // 2.–3. Insurance's ledger, then the engine.
  const plan = breakerConfig?.plan;
  const decideInput = crash && plan !== undefined ? { ...input, config: crashModeConfig(config, plan) } : input;
  let decision: Decision;
  if (config.insurance !== undefined) {
    const ledger = valueInsuredPortfolio(inputs.guards.insurance, config.insurance.capitalUsd, market.spot, inputs.recordedDelta, nowMs);
    next.insurance = ledger;
    decision = decideInsured(decideInput, ledger, decide).decision;
  } else {
    decision = decide(decideInput);
  }

  // 4. The crash plan.
  if (crash && plan !== undefined) decision = applyCrashModeToDecision(decision, plan, input.risk.delta, input.state.pendingSlices);

  // 5. Runaway protection.
  let runawayTrip: RunawayTrip | undefined;
  if (config.runaway !== undefined) {
    const orderUnits = deltaOneOrderUnits(decision);
    const step = checkRunaway(
      inputs.guards.runaway ?? INITIAL_RUNAWAY_STATE,
      {
        nowMs,
        accountActive: inputs.accountActive,
        recordedDelta: inputs.recordedDelta,
        recordedHedgeUnits: inputs.recordedHedgeUnits,
        ...(inputs.chainHedgeUnits === undefined ? {} : { chainHedgeUnits: inputs.chainHedgeUnits }),
        deltaOneInFlight: inputs.deltaOneInFlight,
        orderUnits,
        underlying: config.underlying,
      },
      config.runaway,
    );
    next.runaway = step.state;
    if (step.trip !== undefined) {
      runawayTrip = step.trip;
      const paused = decideHedge({ ...input, config: { ...config, guards: { ...config.guards, paused: true } } });
      decision = { ...paused, alerts: [...paused.alerts, { code: 'RUNAWAY', message: step.trip.message, numbers: step.trip.numbers }] };
    }
  }

  // The ledger's units until the next valuation: those held plus the delta-one orders going
  // out (held from now on, as far as it can know). Valuing the next interval with the units
  // held before this decision would miss every trade for one interval; an order that fails
  // is corrected at the next valuation, which takes the recorded position again.
  if (next.insurance !== undefined) next.insurance = { ...next.insurance, heldUnits: inputs.recordedDelta + deltaOneOrderUnits(decision) };

  const maxSlippageBps = crash && plan?.kind === 'slices' ? plan.maxSlippageBps : undefined;
  return {
    decision,
    guards: next,
    ...(crashSwitch === undefined ? {} : { crashSwitch }),
    ...(maxSlippageBps === undefined ? {} : { maxSlippageBps }),
    ...(runawayTrip === undefined ? {} : { runawayTrip }),
  };
}

/** Signed units of the underlying the decision's delta-one orders trade (options left out). */
function deltaOneOrderUnits(decision: Decision): number {
  let units = 0;
  for (const order of decision.orders) if (order.instrument.kind !== 'option') units += order.side === 'buy' ? order.quantity : -order.quantity;
  return units;
}
