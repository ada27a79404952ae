/**
 * The evaluator: one account, one Evaluation Requested (or Positions Changed) → a decision.
 *
 * 1. Redelivery: when the stored state says this evaluation id was the last one committed,
 *    its events are published again (same ids) and nothing is decided or written.
 * 2. Load config (no config or no market block: nothing to price, snapshot says why),
 *    account status (paused → the policy's kill switch), positions, hedge state.
 * 3. Read the market through the chain port and judge it with the pure checks: oracle
 *    answer, round, staleness by the chain's clock or ours (whichever is later); vol
 *    from the configured source. A market that fails is recorded in the snapshot and
 *    decides nothing (no trade on a price we do not trust).
 * 4. Exposure with the core, the policy with the core (the very functions the backtester runs),
 *    inside the policy's safeguards when configured (shared/domain/policy/guarded-decision.ts:
 *    portfolio insurance, the crash breaker, runaway protection; their reads and effects in
 *    policy-guards.ts): a crash mode switch is a Crash Mode Changed event with an audit entry
 *    committed in step 5, a runaway trip pauses the account (a system pause) before it.
 * 5. Commit in one write (or one transaction with hedge records): state, snapshot, the
 *    events about to be published. Lost the state version to a concurrent evaluation →
 *    start again from 2 (a bounded number of times).
 * 6. Publish Exposure Computed, Hedge Requested (only when the account has an execution
 *    block and the decision is not dry-run), Risk Limit Breached per alert. The last two are
 *    also committed as the state's outbox and cleared after the publish: if this
 *    evaluation dies in between, the account's next evaluation publishes them first.
 *
 * A requested hedge counts as done from the decision on: the state applies it at the
 * decision's spot (cooldown and daily notional start then), and its units are "in flight"
 * (stored with the state) and added to the book's delta until the transaction that ends
 * the hedge (confirmed: the hedge position holds them; failed or skipped: gone) removes
 * them. So the ticks between a decision and its confirmation never request it again.
 */
import type { EventEntry } from '../../contracts/events/event-entry.ts';
import { encodeEvent } from '../../contracts/events/encode-event.ts';
import { hedgeIdOf } from '../../contracts/events/event-id.ts';
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';
import type { ExposureSnapshot } from '../../contracts/exposure-snapshot.ts';
import type { RuntimeConfig } from '../../contracts/account-config.ts';
import type { MarketSource, SignerRef } from '../../contracts/execution-config.ts';
import { decideGuarded } from '../../domain/policy/guarded-decision.ts';
import type { Position } from '../../domain/exposure/positions.ts';
import { portfolioExposure } from '../../domain/exposure/portfolio-exposure.ts';
import { checkOracleReading, volFromFeed } from '../../domain/market/oracle-checks.ts';
import { applyDecision, initialHedgeState, observePrice, withForecastConfig } from '../../domain/policy/hedge-state.ts';
import type { BookRisk, Decision, HedgeState } from '../../domain/policy/policy-types.ts';
import type { Address, MarketReader } from '../execution-ports.ts';
import { executionFingerprint } from '../execution-fingerprint.ts';
import { NO_TELEMETRY, type Telemetry } from '../telemetry.ts';
import { marginAlerts, marginTopUpDue, watchedVenues, type ReadVenueHoldings, type VenueHolding } from './margin-watch.ts';
import { mergeAlertsByCode } from './merge-alerts.ts';
import { guardEvents, readGuardInputs, runawayPause } from './policy-guards.ts';
import { refreshForecast } from './forecast-refresh.ts';
import type { EvaluationStore, InFlightHedge, NewHedgeRecord, StoredEvaluationState, VolForecastStore } from './ports.ts';

export interface EvaluateDeps {
  readonly configs: { getConfig(accountId: string): Promise<{ readonly version: number; readonly config: RuntimeConfig } | undefined> };
  readonly accounts: {
    getAccount(accountId: string): Promise<{ readonly status: 'active' | 'paused'; readonly signer?: { readonly address: string }; readonly pause?: { readonly code?: string } } | undefined>;
    /** Runaway protection pauses the account (a system pause); absent: it alerts and holds this evaluation's orders only. */
    pauseAccount?(accountId: string, pause: { by: 'system'; reason: string; code: string }, actor: string): Promise<unknown>;
  };
  readonly positions: { listPositions(accountId: string): Promise<readonly { readonly position: Position }[]> };
  readonly evaluations: EvaluationStore;
  readonly markets: (chainId: number) => MarketReader | undefined;
  /** Reads what the perpetual venues hold for the signer (margin watch); absent: not watched. */
  readonly venueHoldings?: ReadVenueHoldings;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
  /** Retries of a lost state version (another evaluation of the account committed first, or a hedge ended). Default 6. */
  readonly maxConflictRetries?: number;
  /** Waits before retry `attempt` (1, 2, …); default: full jitter over 10·2^attempt ms, so racing evaluations spread out. */
  readonly conflictBackoff?: (attempt: number) => Promise<void>;
  /**
   * Hedges in flight for longer than `afterMs` (default 15 min) are looked up and, when
   * still not ended, their Hedge Requested is published again (same event id): a request
   * whose dispatch message was lost or dead-lettered resumes by itself — dispatch picks up
   * a journaled hedge where it stopped and never signs a second transaction for it.
   */
  readonly staleInFlight?: {
    readonly afterMs?: number;
    readonly hedges: { get(ref: { accountId: string; hedgeId: string; at: Date }): Promise<{ readonly stage: string; readonly record: Record<string, unknown> } | undefined> };
  };
  /** The vol forecasts' fits per underlying (volScaling.source "forecast"); absent: each account fits for itself, nothing shared. */
  readonly volForecasts?: VolForecastStore;
  /** Decisions, oracle age and staleness, time outside the band (shared/contracts/metrics.ts). Default: none. */
  readonly telemetry?: Telemetry;
}

export interface EvaluationRequest {
  readonly accountId: string;
  /** The triggering event's id (Evaluation Requested or Positions Changed): the idempotency key of this evaluation. */
  readonly evaluationId: string;
  /** The flow's correlation id, put on every event this evaluation publishes and on its hedge records. */
  readonly correlationId?: string | undefined;
}

export class InvalidEvaluationRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEvaluationRequestError';
  }
}

export type EvaluationOutcome =
  | { readonly status: 'replayed'; readonly published: number }
  | { readonly status: 'no-config' | 'unknown-account' }
  | { readonly status: 'market-unavailable' | 'no-market-source'; readonly code: string; readonly message: string }
  | { readonly status: 'decided'; readonly decision: Decision; readonly dispatched: boolean; readonly published: number };

/** The serial dispatch lane of a signer on a chain (an SQS FIFO message group id: ≤ 128 characters). */
export function dispatchGroupOf(chainId: number, signer: SignerRef): string {
  const name = signer.kind === 'local' ? `local:${signer.name}` : `kms:${signer.keyId.replace(/[^A-Za-z0-9:_./=+@-]/g, '_')}`;
  return `${chainId}:${name}`.slice(0, 128);
}

/** The position our confirmed hedges accumulate in (one per underlying). */
export const hedgePositionId = (underlying: string, kind: 'spot' | 'perp' = 'spot'): string => (kind === 'spot' ? `hedge-${underlying}` : `hedge-${underlying}-${kind}`);

/** The book position an option hedge of a series adds up in (one per series: buys and sells net). */
export const optionHedgePositionId = (underlying: string, series: { readonly optionType: string; readonly strike: number; readonly expiryMs: number }): string =>
  `hedge-${underlying}-${series.optionType}-${series.strike}-${new Date(series.expiryMs).toISOString().slice(0, 10)}`;

/** A hedge option's series as the policy names it (with its vol, when the policy gives one). */
function optionSeriesOf(config: RuntimeConfig, id: string): InFlightHedge['option'] {
  const option = config.limits?.hedgeOptions.find((candidate) => candidate.id === id);
  if (option === undefined) return undefined;
  return { optionType: option.optionType, strike: option.strike, expiryMs: option.expiryMs, ...(option.vol === undefined ? {} : { vol: option.vol }) };
}

/** Option hedges on their way, as the positions they will be once filled. */
function inFlightOptionPositions(inFlight: Readonly<Record<string, InFlightHedge>>, underlying: string): Position[] {
  return Object.entries(inFlight).flatMap(([hedgeId, hedge]) =>
    hedge.option === undefined ? [] : [{ id: `in-flight-${hedgeId}`, underlying, kind: 'option' as const, ...hedge.option, quantity: hedge.units }],
  );
}

const DEFAULT_EWMA_LAMBDA = 0.94;

export class UnknownChainError extends Error {
  constructor(chainId: number) {
    super(`no market reader is configured for chain ${chainId}`);
    this.name = 'UnknownChainError';
  }
}

const DEFAULT_STALE_IN_FLIGHT_MS = 15 * 60_000;
const TERMINAL = new Set(['confirmed', 'failed', 'skipped']);

async function republishStaleRequests(deps: EvaluateDeps, accountId: string, inFlight: StoredEvaluationState['inFlight']): Promise<void> {
  const sweep = deps.staleInFlight;
  if (sweep === undefined) return;
  const cutoff = deps.now().getTime() - (sweep.afterMs ?? DEFAULT_STALE_IN_FLIGHT_MS);
  const entries: EventEntry[] = [];
  for (const [hedgeId, hedge] of Object.entries(inFlight)) {
    if (Date.parse(hedge.at) > cutoff) continue;
    const view = await sweep.hedges.get({ accountId, hedgeId, at: new Date(hedge.at) });
    const request = view?.record.requestEntry as EventEntry | undefined;
    if (view === undefined || TERMINAL.has(view.stage) || request === undefined) continue;
    if (!entries.some((entry) => entry.Detail === request.Detail)) entries.push(request); // one request per decision
  }
  if (entries.length > 0) await deps.publisher.publish(entries);
}

function jitteredBackoff(attempt: number): Promise<void> {
  const ms = Math.random() * 10 * 2 ** Math.min(attempt, 8);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isConflict(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'CONFLICT';
}

/**
 * @example
 * const outcome = await evaluateAccount(deps, { accountId: 'acc-1', evaluationId: event.detail.eventId });
 */
export async function evaluateAccount(deps: EvaluateDeps, request: EvaluationRequest): Promise<EvaluationOutcome> {
  const retries = deps.maxConflictRetries ?? 6;
  const backoff = deps.conflictBackoff ?? jitteredBackoff;
  for (let attempt = 0; ; attempt++) {
    try {
      return await evaluateOnce(deps, request);
    } catch (error) {
      if (!isConflict(error) || attempt >= retries) throw error;
      (deps.telemetry ?? NO_TELEMETRY).debug('another evaluation committed first: evaluating again', { attempt: attempt + 1 });
      await backoff(attempt + 1);
    }
  }
}

async function evaluateOnce(deps: EvaluateDeps, request: EvaluationRequest): Promise<EvaluationOutcome> {
  const { accountId, evaluationId, correlationId } = request;
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  if (!/^evt_[0-9a-f]{32}$/.test(evaluationId)) throw new InvalidEvaluationRequestError(`evaluationId must be an event id (got ${JSON.stringify(evaluationId)})`);
  const stored = await deps.evaluations.load(accountId);
  if (stored?.lastEvaluation?.evaluationId === evaluationId) {
    const events = stored.lastEvaluation.events;
    if (events.length > 0) await deps.publisher.publish(events);
    return { status: 'replayed', published: events.length };
  }
  // Leftovers of an evaluation that committed and died before publishing: they go first.
  if (stored !== undefined && stored.outbox.length > 0) await deps.publisher.publish(stored.outbox);
  if (stored !== undefined) await republishStaleRequests(deps, accountId, stored.inFlight);
  const [account, versioned] = await Promise.all([deps.accounts.getAccount(accountId), deps.configs.getConfig(accountId)]);
  if (account === undefined) return { status: 'unknown-account' };
  if (versioned === undefined) return { status: 'no-config' };
  const config = account.status === 'paused' ? { ...versioned.config, guards: { ...versioned.config.guards, paused: true } } : versioned.config;
  const now = deps.now();
  const nowMs = now.getTime();
  // Time outside the band is tracked only where a decision would trade (an execution block, not dry-run).
  const tracksBand = config.execution !== undefined && !config.guards.dryRun;
  const carriedOutsideSince = tracksBand ? stored?.exposure?.outsideBandSince : undefined;

  if (config.market === undefined) {
    const problem = { code: 'NO_MARKET_SOURCE', message: 'The configuration has no market block: the book cannot be priced.' };
    telemetry.metric('EvaluationsUnpriced', 1, { Code: problem.code });
    await commitSnapshotOnly(deps, accountId, stored, nowMs, { evaluationId, at: now.toISOString(), underlying: config.underlying, status: 'no-market-source', problem }, carriedOutsideSince);
    return { status: 'no-market-source', ...problem };
  }
  // The volatility estimate's decay: the vol-scaling rule's when it has one, else the realised source's.
  const lambda = config.volScaling?.ewmaLambda ?? (config.market.vol.source === 'realised' ? config.market.vol.ewmaLambda : DEFAULT_EWMA_LAMBDA);
  // A vol forecast keeps its bounded price history and fit in the state (none without one).
  const forecastConfig = config.volScaling?.source === 'forecast' ? config.volScaling.forecast : undefined;
  const baseState = stored === undefined && forecastConfig === undefined ? undefined : withForecastConfig(stored?.state, forecastConfig, nowMs);
  const market = await readMarket(deps, config.market, baseState, nowMs, lambda);
  if (!market.ok) {
    const problem = { code: market.code, message: market.message };
    telemetry.metric('EvaluationsUnpriced', 1, { Code: problem.code });
    // The book could not be judged: the time outside the band goes on counting from where it was.
    if (carriedOutsideSince !== undefined) telemetry.metric('OutsideBand', secondsSince(carriedOutsideSince, nowMs), {});
    await commitSnapshotOnly(deps, accountId, stored, nowMs, { evaluationId, at: now.toISOString(), underlying: config.underlying, status: 'market-unavailable', problem }, carriedOutsideSince);
    return { status: 'market-unavailable', ...problem };
  }

  // Hedges requested and not ended yet count as done: their units (and option hedges' Greeks) are on their way.
  const inFlight = stored?.inFlight ?? {};
  const inFlightUnits = Object.values(inFlight).reduce((sum, hedge) => sum + (hedge.option === undefined ? hedge.units : 0), 0);
  const positions = [...(await deps.positions.listPositions(accountId)).map((p) => p.position), ...inFlightOptionPositions(inFlight, config.underlying)].filter(
    (p) => p.underlying === config.underlying,
  );
  const snapshotMarket = { [config.underlying]: { spot: market.spot, vol: market.vol, rate: config.market.rate, yield: config.market.yield } };
  const exposure = portfolioExposure(positions, snapshotMarket, nowMs).find((e) => e.underlying === config.underlying);
  const risk: BookRisk = {
    delta: (exposure?.delta ?? 0) + inFlightUnits,
    gamma: exposure?.gamma ?? 0,
    vegaPerVolPoint: exposure?.vegaPerVolPoint ?? 0,
    optionNotionalUsd: exposure?.optionNotionalUsd ?? 0,
    yearsToExpiry: exposure?.nearestExpiryYears ?? 0,
  };
  const watched = watchedVenues(config.execution);
  const guardRead = await readGuardInputs(deps, { config, market: config.market, account, accountId, stored, inFlight, watched, recordedDelta: exposure?.delta ?? 0, oracle: market });
  const holdings: VenueHolding[] = guardRead.holdings;
  const observed = forecastConfig === undefined ? market.observedState : await refreshForecast(deps.volForecasts, config.underlying, market.observedState, forecastConfig, nowMs, telemetry);
  const guarded = decideGuarded(
    {
      risk,
      market: { spot: market.spot, impliedVol: market.vol, rate: config.market.rate, yield: config.market.yield },
      config,
      state: observed,
      nowMs,
    },
    guardRead.inputs,
  );
  const decision = guarded.decision;
  await runawayPause(deps, accountId, account, guarded.runawayTrip);
  telemetry.metric('Decisions', 1, { Action: decision.action, Reason: decision.reason });
  const dispatched = decision.action === 'hedge' && decision.orders.length > 0 && !decision.dryRun && config.execution !== undefined;
  const applied = dispatched ? decision : { ...decision, dryRun: true };
  const nextState = applyDecision(
    observed,
    applied,
    dispatched ? decision.orders.map((order) => ({ order, price: order.instrument.kind === 'option' ? order.notionalUsd / order.quantity : market.spot })) : [],
    nowMs,
  );

  const at = now.toISOString();
  const nextInFlight: Record<string, InFlightHedge> = { ...inFlight };
  if (dispatched) {
    for (const [index, order] of decision.orders.entries()) {
      const units = order.side === 'buy' ? order.quantity : -order.quantity;
      const option = order.instrument.kind === 'option' ? optionSeriesOf(config, order.instrument.id) : undefined;
      if (order.instrument.kind === 'option' && option === undefined) continue; // cannot happen: the policy chose it from the config
      nextInFlight[hedgeIdOf(decision.id, index)] = { units, at, ...(option === undefined ? {} : { option }) };
    }
  }
  // A margin top-up between trades (MARGIN_LOW with the operator's target): its own request, record and in-flight entry.
  // Not while a perp order is dispatched (the trade deposits up to the target itself), nor in dry-run.
  const topUp =
    config.execution === undefined || decision.dryRun || (dispatched && decision.orders.some((order) => order.instrument.kind === 'perp'))
      ? undefined
      : marginTopUpDue(holdings, watched, new Set(Object.values(inFlight).flatMap((hedge) => (hedge.marginTopUp === undefined ? [] : [hedge.marginTopUp]))));
  const topUpDecisionId = `${decision.id}-top-up-${evaluationId}`;
  if (topUp !== undefined) nextInFlight[hedgeIdOf(topUpDecisionId, 0)] = { units: 0, at, marginTopUp: topUp.venueId };
  const hedgesInFlight = Object.values(nextInFlight).some((hedge) => hedge.marginTopUp === undefined);
  const outsideBandSince = tracksBand ? outsideBandSinceAfter(decision, hedgesInFlight, carriedOutsideSince, at) : undefined;
  if (tracksBand) telemetry.metric('OutsideBand', outsideBandSince === undefined ? 0 : secondsSince(outsideBandSince, nowMs), {});
  const hedgeRequested = dispatched
    ? encodeEvent('Hedge Requested', {
        accountId,
        occurredAt: at,
        correlationId,
        decisionId: decision.id,
        dispatchGroup: dispatchGroupOf(config.market.chainId, config.execution!.signer),
        underlying: config.underlying,
        reason: decision.reason,
        message: decision.message,
        orders: [...decision.orders],
        ...(guarded.maxSlippageBps === undefined ? {} : { maxSlippageBps: guarded.maxSlippageBps }),
      })
    : undefined;
  const hedgeRecords: NewHedgeRecord[] = [];
  const events: EventEntry[] = [];
  const ordersRecorded = dispatched ? decision.orders : decision.wouldTrade.length > 0 ? decision.wouldTrade : decision.orders;
  for (const [index, order] of ordersRecorded.entries()) {
    hedgeRecords.push({
      hedgeId: hedgeIdOf(decision.id, index),
      at: now,
      stage: dispatched ? 'decided' : 'skipped',
      record: {
        decisionId: decision.id,
        evaluationId,
        underlying: config.underlying,
        reason: decision.reason,
        message: decision.message,
        spot: market.spot,
        // When the price the decision acted on was published: dispatch measures price-move-to-submit from it.
        oracleUpdatedAt: new Date(market.oracleUpdatedAtMs).toISOString(),
        ...(correlationId === undefined ? {} : { correlationId }),
        order,
        configVersion: versioned.version,
        executionFingerprint: executionFingerprint(config),
        // The exact request, for the stale in-flight sweep to publish again if it was lost.
        ...(hedgeRequested === undefined ? {} : { requestEntry: hedgeRequested }),
        ...(dispatched ? {} : { skipped: decision.dryRun ? 'dry-run' : 'advisory (no execution block)' }),
      },
    });
  }
  const topUpRequested =
    topUp === undefined
      ? undefined
      : encodeEvent('Hedge Requested', {
          accountId,
          occurredAt: at,
          correlationId,
          decisionId: topUpDecisionId,
          dispatchGroup: dispatchGroupOf(config.market.chainId, config.execution!.signer),
          underlying: config.underlying,
          reason: decision.reason,
          message: `The margin on ${topUp.venueId} is ${(topUp.marginRatio * 100).toFixed(1)} %, under its alert level: a top-up to ${(topUp.targetMarginRatio * 100).toFixed(1)} % between trades.`,
          orders: [],
          marginTopUp: { venueId: topUp.venueId, targetMarginRatio: topUp.targetMarginRatio },
        });
  if (topUp !== undefined && topUpRequested !== undefined) {
    hedgeRecords.push({
      hedgeId: hedgeIdOf(topUpDecisionId, 0),
      at: now,
      stage: 'decided',
      record: {
        decisionId: topUpDecisionId,
        evaluationId,
        underlying: config.underlying,
        kind: 'margin-top-up',
        message: `Margin top-up on ${topUp.venueId} to ${topUp.targetMarginRatio} (margin ratio ${topUp.marginRatio})`,
        spot: market.spot,
        ...(correlationId === undefined ? {} : { correlationId }),
        marginTopUp: { venueId: topUp.venueId, targetMarginRatio: topUp.targetMarginRatio, marginRatioBefore: topUp.marginRatio },
        configVersion: versioned.version,
        executionFingerprint: executionFingerprint(config),
        requestEntry: topUpRequested,
      },
    });
  }
  events.push(
    encodeEvent('Exposure Computed', {
      accountId,
      occurredAt: at,
      correlationId,
      evaluationId,
      underlying: config.underlying,
      spot: market.spot,
      risk,
    }),
  );
  if (hedgeRequested !== undefined) events.push(hedgeRequested);
  if (topUpRequested !== undefined) events.push(topUpRequested);
  for (const alert of mergeAlertsByCode([...decision.alerts, ...marginAlerts(holdings, watched)])) {
    events.push(
      encodeEvent('Risk Limit Breached', {
        accountId,
        occurredAt: at,
        correlationId,
        decisionId: decision.id,
        underlying: config.underlying,
        code: alert.code,
        message: alert.message,
        numbers: { ...alert.numbers },
      }),
    );
  }

  const snapshot: ExposureSnapshot = {
    evaluationId,
    at,
    underlying: config.underlying,
    status: 'priced',
    ...(outsideBandSince === undefined ? {} : { outsideBandSince }),
    ...(holdings.length === 0 ? {} : { venues: holdings.map(holdingView) }),
    market: {
      spot: market.spot,
      vol: market.vol,
      volSource: config.market.vol.source,
      oracleUpdatedAt: new Date(market.oracleUpdatedAtMs).toISOString(),
      rate: config.market.rate,
      yield: config.market.yield,
    },
    risk: {
      delta: risk.delta,
      inFlightUnits,
      dollarDelta: exposure?.dollarDelta ?? 0,
      gamma: risk.gamma,
      vegaPerVolPoint: risk.vegaPerVolPoint,
      thetaPerDay: exposure?.thetaPerDay ?? 0,
      optionValueUsd: exposure?.optionValueUsd ?? 0,
      optionNotionalUsd: risk.optionNotionalUsd,
      nearestExpiryYears: risk.yearsToExpiry,
      positionCount: exposure?.positionCount ?? 0,
    },
    decision: {
      id: decision.id,
      action: decision.action,
      reason: decision.reason,
      message: decision.message,
      numbers: finiteNumbers(decision.numbers),
      dryRun: decision.dryRun,
      dispatched,
    },
  };
  const switched = guardEvents({ accountId, evaluationId, correlationId, underlying: config.underlying, at: now, plan: config.crashBreaker?.plan.kind, guarded });
  events.push(...switched.events);
  if (guarded.crashSwitch !== undefined) telemetry.warn(`crash breaker: ${guarded.crashSwitch.transition.from} → ${guarded.crashSwitch.transition.to}`, { reason: guarded.crashSwitch.transition.reason });
  // What must not be lost if we die before publishing (Exposure Computed is informative only).
  const outbox = events.filter((entry) => entry.DetailType !== 'Exposure Computed');
  const committedVersion = await deps.evaluations.commit(accountId, {
    expectedVersion: stored?.version ?? 0,
    state: nextState,
    inFlight: nextInFlight,
    outbox,
    exposure: snapshot,
    lastEvaluation: { evaluationId, at, events },
    hedgeRecords,
    ...(stored?.guards === undefined && Object.keys(guarded.guards).length === 0 ? {} : { guards: guarded.guards }),
    audit: switched.audit,
  });
  // Counted once committed: a redelivered evaluation that lost the version does not count it again.
  if (guarded.crashSwitch !== undefined) telemetry.metric('CrashModeSwitches', 1, { To: guarded.crashSwitch.transition.to });
  await deps.publisher.publish(events);
  if (outbox.length > 0) await deps.evaluations.clearOutbox(accountId, committedVersion);
  return { status: 'decided', decision, dispatched, published: events.length };
}

function finiteNumbers(numbers: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(numbers).filter(([, v]) => Number.isFinite(v)));
}

/**
 * Since when the book has been outside its band, after this decision: the band (or the
 * Whalley-Wilmott band, or a Greek limit an option trade would fix) fired → since the
 * earlier of the carried time and now. Not fired while a hedge is still in flight → the
 * carried time (the hedge has not brought the book back yet: a hedge that keeps failing
 * never resets the clock). Not fired and nothing in flight → back inside (undefined).
 * A decision that judged no band (a paused account, a policy without bands) carries it.
 */
export function outsideBandSinceAfter(decision: Pick<Decision, 'numbers'>, hedgesInFlight: boolean, carried: string | undefined, at: string): string | undefined {
  const numbers = decision.numbers;
  const flags = [numbers.bandFired, numbers.whalleyWilmottFired, numbers.greekLimitsFired].filter((flag) => flag !== undefined);
  if (flags.length === 0) return carried;
  if (flags.some((flag) => flag === 1)) return carried ?? at;
  return hedgesInFlight ? carried : undefined;
}

function secondsSince(iso: string, nowMs: number): number {
  return Math.max(0, (nowMs - Date.parse(iso)) / 1000);
}

async function commitSnapshotOnly(
  deps: EvaluateDeps,
  accountId: string,
  stored: StoredEvaluationState | undefined,
  nowMs: number,
  snapshot: ExposureSnapshot,
  outsideBandSince: string | undefined,
): Promise<void> {
  await deps.evaluations.commit(accountId, {
    expectedVersion: stored?.version ?? 0,
    state: stored?.state ?? initialHedgeState(nowMs),
    inFlight: stored?.inFlight ?? {},
    exposure: outsideBandSince === undefined ? snapshot : { ...snapshot, outsideBandSince },
    lastEvaluation: { evaluationId: snapshot.evaluationId, at: snapshot.at, events: [] },
    hedgeRecords: [],
    // The guards' memory is kept as it was (nothing was observed).
    ...(stored?.guards === undefined ? {} : { guards: stored.guards }),
  });
}

type MarketResult =
  | {
      readonly ok: true;
      readonly spot: number;
      readonly vol: number;
      readonly oracleUpdatedAtMs: number;
      readonly observedState: HedgeState;
      /** The oracle's round this price is from (the crash breaker's round-to-round jump). */
      readonly roundId: bigint;
    }
  | { readonly ok: false; readonly code: string; readonly message: string };

async function readMarket(deps: EvaluateDeps, source: MarketSource, state: HedgeState | undefined, nowMs: number, lambda: number): Promise<MarketResult> {
  const reader = deps.markets(source.chainId);
  if (reader === undefined) throw new UnknownChainError(source.chainId);
  const [reading, chainTimeMs] = await Promise.all([reader.readOracle(source.oracle.address as Address), reader.latestBlockTimeMs()]);
  // Staleness by the later of the two clocks: a chain whose time ran ahead (or ours) never makes an old answer look fresh.
  const judgedAt = Math.max(nowMs, chainTimeMs);
  const oracle = checkOracleReading(reading, judgedAt, source.oracle.maxStalenessMs);
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  if (Number.isFinite(reading.updatedAtMs)) telemetry.metric('OracleAge', Math.max(0, (judgedAt - reading.updatedAtMs) / 1000), {});
  if (!oracle.ok) {
    if (oracle.code === 'ORACLE_STALE') telemetry.metric('OracleStale', 1, {});
    return { ok: false, code: oracle.code, message: oracle.message };
  }
  const observedState = observePrice(state ?? initialHedgeState(nowMs), oracle.price, nowMs, lambda);
  const vol = await volatility(reader, source, observedState, judgedAt);
  if (!vol.ok) return vol;
  return { ok: true, spot: oracle.price, vol: vol.vol, oracleUpdatedAtMs: reading.updatedAtMs, observedState, roundId: reading.roundId };
}

async function volatility(
  reader: MarketReader,
  source: MarketSource,
  state: HedgeState,
  judgedAt: number,
): Promise<{ readonly ok: true; readonly vol: number } | { readonly ok: false; readonly code: string; readonly message: string }> {
  const vol = source.vol;
  switch (vol.source) {
    case 'fixed':
      return { ok: true, vol: vol.value };
    case 'realised':
      return { ok: true, vol: state.ewmaVariance === undefined ? vol.fallback : Math.max(vol.floor, Math.sqrt(state.ewmaVariance)) };
    case 'onchain': {
      const reading = await reader.readOracle(vol.feed as Address);
      const judged = volFromFeed(reading, judgedAt, vol.maxStalenessMs);
      return judged.ok ? { ok: true, vol: judged.vol } : { ok: false, code: judged.code, message: judged.message };
    }
  }
}

/** A holding as the snapshot stores it (an infinite margin ratio, without a position, is null: JSON and DynamoDB hold no Infinity). */
function holdingView(holding: VenueHolding): NonNullable<ExposureSnapshot['venues']>[number] {
  const { margin } = holding;
  return {
    venueId: holding.venueId,
    instrument: holding.instrument,
    quantity: holding.quantity,
    ...(margin === undefined ? {} : { margin: { ...margin, marginRatio: Number.isFinite(margin.marginRatio) ? margin.marginRatio : null } }),
  };
}
