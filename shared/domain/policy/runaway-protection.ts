/**
 * Runaway protection, a common failure of hedging bots: trading again and again while the
 * trades do not do what the records say. Two checks, at each evaluation:
 *
 * - Position mismatch: the hedge position read from the chain (the venues of the hedge
 *   instrument, for the account's signer) against the hedge position the records hold.
 *   The first reading sets the difference that is expected (what the signer held apart
 *   from hedges, e.g. its funding); a later difference that parts from it by more than
 *   `maxPositionMismatchUnits` trips. Judged only while no delta-one hedge is in flight
 *   (a hedge on its way may be on chain and not yet in the records).
 * - Ineffective hedges: each delta-one hedge the account requests is remembered with the
 *   recorded delta before it; the next request in the same direction checks that the
 *   recorded delta moved that way by at least `minEffectFraction` of it. `maxIneffectiveHedges`
 *   such hedges in a row trip before the next one goes out. A request in the other
 *   direction, or an effective hedge, starts the count again; a request while the previous
 *   one is still in flight adds to it (judged together once they ended).
 *
 * A trip is remembered (`tripped`) until the account is active again: the pause was lifted
 * (by the operator, or acknowledged), so the difference seen then is the new expected one.
 *
 * Pure: a state in, a state and maybe a trip out.
 */
import type { HedgePolicyConfig } from '../../contracts/hedge-policy-config.ts';
import { fmtAbs } from './policy-format.ts';

export type RunawayConfig = NonNullable<HedgePolicyConfig['runaway']>;
export type RunawayCode = 'POSITION_MISMATCH' | 'INEFFECTIVE_HEDGES';

export interface RunawayState {
  /** chain − records at the first reading (or after a lifted pause). */
  readonly expectedOffsetUnits?: number;
  /** Ineffective hedges in a row in the direction of `lastHedge`. */
  readonly ineffectiveStreak: number;
  readonly lastHedge?: { readonly side: 'buy' | 'sell'; readonly units: number; readonly recordedDeltaBefore: number };
  readonly tripped?: { readonly code: RunawayCode; readonly atMs: number };
}

export interface RunawayObservation {
  readonly nowMs: number;
  /** Whether the account is active (not paused) at this evaluation. */
  readonly accountActive: boolean;
  /** The book's delta from the recorded positions only (no hedge in flight counted). */
  readonly recordedDelta: number;
  /** The hedge position in the records (units of the hedge instrument). */
  readonly recordedHedgeUnits: number;
  /** The same position read from the chain; undefined when not read. */
  readonly chainHedgeUnits?: number;
  readonly deltaOneInFlight: boolean;
  /** The delta-one order this evaluation would send (net units, > 0 buy), 0 for none. */
  readonly orderUnits: number;
  readonly underlying: string;
}

export interface RunawayTrip {
  readonly code: RunawayCode;
  readonly message: string;
  readonly numbers: Readonly<Record<string, number>>;
}

export interface RunawayStep {
  readonly state: RunawayState;
  readonly trip?: RunawayTrip;
}

export const INITIAL_RUNAWAY_STATE: RunawayState = Object.freeze({ ineffectiveStreak: 0 });

/**
 * @example
 * const step = checkRunaway(stored ?? INITIAL_RUNAWAY_STATE, observation, config.runaway);
 * if (step.trip) pauseAccount(step.trip.message);
 */
export function checkRunaway(previous: RunawayState, obs: RunawayObservation, config: RunawayConfig): RunawayStep {
  // A lifted pause: what is seen now is what the operator (or the account) accepted.
  let state: RunawayState = previous.tripped !== undefined && obs.accountActive ? INITIAL_RUNAWAY_STATE : previous;
  if (state.tripped !== undefined) return { state };
  const sym = obs.underlying;

  const tolerance = config.maxPositionMismatchUnits;
  if (tolerance !== undefined && obs.chainHedgeUnits !== undefined && !obs.deltaOneInFlight) {
    const offset = obs.chainHedgeUnits - obs.recordedHedgeUnits;
    if (state.expectedOffsetUnits === undefined) state = { ...state, expectedOffsetUnits: offset };
    else if (Math.abs(offset - state.expectedOffsetUnits) > tolerance) {
      const drift = offset - state.expectedOffsetUnits;
      return trip(state, obs.nowMs, {
        code: 'POSITION_MISMATCH',
        message: `The hedge position on chain (${fmtAbs(obs.chainHedgeUnits)} ${sym}) parts from the records (${fmtAbs(obs.recordedHedgeUnits)} ${sym}) by ${fmtAbs(drift)} ${sym} more than expected (tolerance ${fmtAbs(tolerance)} ${sym}): the account is paused instead of trading again.`,
        numbers: { chainHedgeUnits: obs.chainHedgeUnits, recordedHedgeUnits: obs.recordedHedgeUnits, expectedOffsetUnits: state.expectedOffsetUnits, driftUnits: drift, toleranceUnits: tolerance },
      });
    }
  }

  if (obs.orderUnits === 0) return { state };
  const side = obs.orderUnits > 0 ? 'buy' : 'sell';
  const units = Math.abs(obs.orderUnits);
  const last = state.lastHedge;
  if (last === undefined || last.side !== side) {
    return { state: { ...state, ineffectiveStreak: 0, lastHedge: { side, units, recordedDeltaBefore: obs.recordedDelta } } };
  }
  if (obs.deltaOneInFlight) {
    return { state: { ...state, lastHedge: { ...last, units: last.units + units } } };
  }
  const moved = side === 'buy' ? obs.recordedDelta - last.recordedDeltaBefore : last.recordedDeltaBefore - obs.recordedDelta;
  const effective = moved >= config.minEffectFraction * last.units;
  const streak = effective ? 0 : state.ineffectiveStreak + 1;
  const next: RunawayState = { ...state, ineffectiveStreak: streak, lastHedge: { side, units, recordedDeltaBefore: obs.recordedDelta } };
  if (streak >= config.maxIneffectiveHedges) {
    return trip(next, obs.nowMs, {
      code: 'INEFFECTIVE_HEDGES',
      message: `${streak} ${side} hedges in a row did not move the recorded delta (the last one moved it ${fmtAbs(moved)} of ${fmtAbs(last.units)} ${sym}): the account is paused instead of trading again.`,
      numbers: { ineffectiveHedges: streak, limit: config.maxIneffectiveHedges, lastOrderUnits: last.units, movedUnits: moved, minEffectFraction: config.minEffectFraction },
    });
  }
  return { state: next };
}

function trip(state: RunawayState, atMs: number, found: RunawayTrip): RunawayStep {
  return { state: { ...state, tripped: { code: found.code, atMs } }, trip: found };
}
