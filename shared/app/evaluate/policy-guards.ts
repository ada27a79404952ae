/**
 * The evaluator's I/O around the policy's safeguards (the decisions themselves are pure:
 * shared/domain/policy/guarded-decision.ts):
 *
 * - {@link readGuardInputs}: what the safeguards need that the evaluator does not read
 *   already — the pool price (crash breaker's pool-oracle trigger), the hedge position on
 *   chain and in the records (runaway protection) — read only when configured;
 * - {@link runawayPause}: a runaway trip pauses the account (a system pause, with the
 *   account repository's own audit entry), unless that very pause is already in force;
 * - {@link guardEvents}: a crash mode switch as a Crash Mode Changed event and an audit
 *   entry, committed together with the state that switched.
 */
import type { RuntimeConfig } from '../../contracts/account-config.ts';
import { encodeEvent } from '../../contracts/events/encode-event.ts';
import type { EventEntry } from '../../contracts/events/event-entry.ts';
import { venuesFor, type MarketSource, type PerpV2VenueConfig } from '../../contracts/execution-config.ts';
import type { GuardedDecision, GuardInputs } from '../../domain/policy/guarded-decision.ts';
import type { RunawayTrip } from '../../domain/policy/runaway-protection.ts';
import type { HedgeState } from '../../domain/policy/policy-types.ts';
import type { Address } from '../execution-ports.ts';
import { NO_TELEMETRY } from '../telemetry.ts';
import type { EvaluateDeps } from './evaluate-account.ts';
import type { VenueHolding } from './margin-watch.ts';
import type { EvaluationAuditEntry, InFlightHedge, StoredEvaluationState } from './ports.ts';

/** The position confirmed delta-one hedges accumulate in (as confirm-hedge names it). */
const hedgePositionIdOf = (underlying: string, kind: 'spot' | 'perp'): string => (kind === 'spot' ? `hedge-${underlying}` : `hedge-${underlying}-${kind}`);

export interface GuardReadRequest {
  readonly config: RuntimeConfig;
  readonly market: MarketSource;
  readonly account: { readonly status: 'active' | 'paused'; readonly signer?: { readonly address: string } };
  readonly accountId: string;
  readonly stored: StoredEvaluationState | undefined;
  readonly inFlight: Readonly<Record<string, InFlightHedge>>;
  /** The perpetual venues whose margin is watched (read anyway). */
  readonly watched: readonly PerpV2VenueConfig[];
  readonly recordedDelta: number;
  readonly oracle: { readonly spot: number; readonly roundId: bigint; readonly observedState: HedgeState };
}

export interface GuardRead {
  readonly inputs: GuardInputs;
  /** The watched venues' holdings (margin watch, snapshot): as before the safeguards. */
  readonly holdings: VenueHolding[];
}

/**
 * @example const { inputs, holdings } = await readGuardInputs(deps, { config, market, account, ... });
 */
export async function readGuardInputs(deps: EvaluateDeps, request: GuardReadRequest): Promise<GuardRead> {
  const { config, market, account, stored, inFlight, watched } = request;
  const execution = config.execution;
  const signer = account.signer?.address;
  // Runaway protection's chain reading: the venues of the hedge instrument, read with the watched ones in one go.
  const mismatchVenues = config.runaway?.maxPositionMismatchUnits !== undefined && execution !== undefined ? venuesFor(execution.venues, config.hedgeInstrument) : [];
  const toRead = [...watched, ...mismatchVenues.filter((venue) => !watched.some((w) => w.id === venue.id))];
  const read: VenueHolding[] =
    toRead.length > 0 && signer !== undefined && deps.venueHoldings !== undefined ? await deps.venueHoldings({ chainId: market.chainId, account: signer, venues: toRead }) : [];
  const holdings = read.filter((holding) => watched.some((venue) => venue.id === holding.venueId));
  const mismatchRead = read.filter((holding) => mismatchVenues.some((venue) => venue.id === holding.venueId));
  const chainHedgeUnits = mismatchVenues.length > 0 && mismatchRead.length === mismatchVenues.length ? mismatchRead.reduce((sum, holding) => sum + holding.quantity, 0) : undefined;

  let recordedHedgeUnits = 0;
  if (config.runaway !== undefined) {
    const id = hedgePositionIdOf(config.underlying, config.hedgeInstrument);
    const positions = await deps.positions.listPositions(request.accountId);
    recordedHedgeUnits = positions.find((p) => p.position.id === id)?.position.quantity ?? 0;
  }

  let poolPrice: number | undefined;
  const uniswap = execution?.venues.find((venue) => venue.kind === 'uniswap-v3');
  if (config.crashBreaker?.maxPoolOracleDeviationBps !== undefined && uniswap?.kind === 'uniswap-v3') {
    const reader = deps.markets(market.chainId);
    const reading = await reader?.readPoolPrice({
      pool: uniswap.pool as Address,
      baseToken: uniswap.baseToken as Address,
      quoteToken: uniswap.quoteToken as Address,
      baseDecimals: uniswap.baseDecimals,
      quoteDecimals: uniswap.quoteDecimals,
    });
    poolPrice = reading?.price;
  }

  return {
    holdings,
    inputs: {
      guards: stored?.guards ?? {},
      stateBeforePrice: stored?.state,
      oracleRound: { roundId: request.oracle.roundId.toString(), answer: request.oracle.spot },
      ...(poolPrice === undefined || !(poolPrice > 0) ? {} : { poolPrice }),
      recordedDelta: request.recordedDelta,
      accountActive: account.status === 'active',
      recordedHedgeUnits,
      ...(chainHedgeUnits === undefined ? {} : { chainHedgeUnits }),
      deltaOneInFlight: Object.values(inFlight).some((hedge) => hedge.option === undefined && hedge.marginTopUp === undefined),
    },
  };
}

/** The pause code of a runaway trip (on the account's pause, and in its audit entry). */
export const runawayPauseCode = (trip: Pick<RunawayTrip, 'code'>): string => `RUNAWAY_${trip.code}`;

/**
 * Pauses the account for a runaway trip, unless it is already paused for it (a retried
 * evaluation must not replace the pause the operator is looking at with a new one).
 */
export async function runawayPause(
  deps: EvaluateDeps,
  accountId: string,
  account: { readonly status: 'active' | 'paused'; readonly pause?: { readonly code?: string } },
  trip: RunawayTrip | undefined,
): Promise<void> {
  if (trip === undefined) return;
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  const code = runawayPauseCode(trip);
  telemetry.warn('runaway protection tripped: the account is paused', { code, reason: trip.message });
  if (account.status === 'paused' && account.pause?.code === code) return;
  if (deps.accounts.pauseAccount === undefined) return;
  await deps.accounts.pauseAccount(accountId, { by: 'system', reason: trip.message.slice(0, 500), code }, 'system:evaluate');
  telemetry.metric('BreakerTrips', 1, {});
}

export interface GuardEventsRequest {
  readonly accountId: string;
  readonly evaluationId: string;
  readonly correlationId: string | undefined;
  readonly underlying: string;
  readonly at: Date;
  readonly plan: 'hold' | 'risk-reducing' | 'slices' | undefined;
  readonly guarded: GuardedDecision;
}

/** A crash mode switch: its event and its audit entry (none without a switch). */
export function guardEvents(request: GuardEventsRequest): { readonly events: EventEntry[]; readonly audit: EvaluationAuditEntry[] } {
  const change = request.guarded.crashSwitch;
  if (change === undefined || request.plan === undefined) return { events: [], audit: [] };
  const { transition, triggers, numbers } = change;
  const switchedAt = new Date(transition.atMs).toISOString();
  const entry = encodeEvent('Crash Mode Changed', {
    accountId: request.accountId,
    occurredAt: request.at.toISOString(),
    correlationId: request.correlationId,
    underlying: request.underlying,
    evaluationId: request.evaluationId,
    from: transition.from,
    to: transition.to,
    switchedAt,
    triggers: [...triggers],
    plan: request.plan,
    reason: transition.reason.slice(0, 1000),
    numbers: Object.fromEntries(Object.entries(numbers).filter(([, v]) => Number.isFinite(v))),
  });
  const eventId = (JSON.parse(entry.Detail) as { eventId: string }).eventId;
  return {
    events: [entry],
    audit: [
      {
        action: transition.to === 'crash' ? 'crash-mode.entered' : 'crash-mode.exited',
        actor: 'system:evaluate',
        at: request.at,
        unique: eventId,
        details: { from: transition.from, to: transition.to, triggers: [...triggers], plan: request.plan, reason: transition.reason, evaluationId: request.evaluationId, eventId },
      },
    ],
  };
}
