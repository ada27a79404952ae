/**
 * How a hedge ends without a trade, shared by dispatch and confirmation: the record moves
 * to its terminal stage (idempotently), Hedge Failed is published, and — for failures
 * that are not guards — the account's failure streak grows; at the configured maximum the
 * account is paused (its kill switch) with an alert (Risk Limit Breached, ACCOUNT_PAUSED).
 */
import { encodeEvent } from '../../contracts/events/encode-event.ts';
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';
import type { DispatchLimits, HedgeJournal, HedgeRef, JournaledTransaction } from '../hedge-journal-ports.ts';
import { NO_TELEMETRY, type Telemetry } from '../telemetry.ts';

export type FailureStage = 'guard' | 'quote' | 'simulation' | 'submission' | 'receipt';

export interface OutcomeDeps {
  readonly journal: HedgeJournal;
  readonly limits: DispatchLimits;
  /** A pause made here is the system's: lifted by the operator, or by the account acknowledging it. */
  readonly accounts: { pauseAccount(accountId: string, pause: { by: 'system'; reason: string; code: string }, actor: string): Promise<unknown> };
  readonly publisher: EventPublisher;
  readonly now: () => Date;
  /** Guard trips, failures, breaker trips (shared/contracts/metrics.ts). Default: none. */
  readonly telemetry?: Telemetry;
}

export interface HedgeFailure {
  readonly stage: FailureStage;
  readonly code: string;
  readonly message: string;
  readonly txHash?: string;
}

export interface FailureContext {
  readonly decisionId: string;
  readonly underlying: string;
  /** Failed hedges in a row that pause the account; undefined: never (no execution config). */
  readonly maxConsecutiveFailures: number | undefined;
  /** The flow's correlation id, put on the events published. */
  readonly correlationId?: string | undefined;
  /** The kind of venue the hedge was (or was to be) traded on, for the metrics; unknown before a venue was chosen. */
  readonly venue?: string | undefined;
}

/** The Venue dimension of a hedge's metrics. */
export const venueLabel = (venue: string | undefined): string => venue ?? 'none';

/** Records the failure (guards: stage 'skipped'; the rest: 'failed'), publishes Hedge Failed; returns whether the account was paused. */
export async function endHedgeWithoutTrade(deps: OutcomeDeps, ref: HedgeRef, failure: HedgeFailure, context: FailureContext): Promise<{ readonly paused: boolean }> {
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  const at = deps.now();
  const terminal = failure.stage === 'guard' ? 'skipped' : 'failed';
  const data = { stage: failure.stage, code: failure.code, message: failure.message, ...(failure.txHash === undefined ? {} : { txHash: failure.txHash }) };
  const advanced = await deps.journal.advance(ref, { stage: terminal, key: `${terminal}:${failure.code}`, at, data });
  const occurredAt = at.toISOString();
  const events = [
    encodeEvent('Hedge Failed', {
      accountId: ref.accountId,
      occurredAt,
      correlationId: context.correlationId,
      hedgeId: ref.hedgeId,
      decidedAt: ref.at.toISOString(),
      stage: failure.stage,
      code: failure.code,
      message: failure.message.slice(0, 1000),
      ...(failure.txHash === undefined ? {} : { txHash: failure.txHash }),
    }),
  ];
  let paused = false;
  if (failure.stage !== 'guard' && context.maxConsecutiveFailures !== undefined && advanced === 'advanced') {
    const streak = await deps.limits.recordFailure(ref.accountId, ref.hedgeId);
    if (streak >= context.maxConsecutiveFailures) {
      const reason = `${streak} hedges failed in a row (limit ${context.maxConsecutiveFailures})`;
      await deps.accounts.pauseAccount(ref.accountId, { by: 'system', reason, code: 'FAILURE_STREAK' }, 'system:dispatch');
      paused = true;
      telemetry.metric('BreakerTrips', 1, {});
      telemetry.warn('failure streak: the account is paused', { code: 'FAILURE_STREAK', consecutiveFailures: streak, limit: context.maxConsecutiveFailures });
      events.push(
        encodeEvent('Risk Limit Breached', {
          accountId: ref.accountId,
          occurredAt,
          correlationId: context.correlationId,
          decisionId: context.decisionId,
          underlying: context.underlying,
          code: 'ACCOUNT_PAUSED',
          message: `${streak} hedges failed in a row (limit ${context.maxConsecutiveFailures}): the account is paused until the operator resumes it or the account acknowledges the pause.`,
          numbers: { consecutiveFailures: streak, limit: context.maxConsecutiveFailures },
        }),
      );
    }
  }
  await deps.publisher.publish(events);
  if (advanced === 'advanced') {
    // Counted once per hedge (a redelivery finds the record already ended).
    if (failure.stage === 'guard') telemetry.metric('GuardTrips', 1, { Code: failure.code });
    else telemetry.metric('HedgesFailed', 1, { Venue: venueLabel(context.venue) });
  }
  const fields = { stage: failure.stage, code: failure.code, reason: failure.message, ...(failure.txHash === undefined ? {} : { txHash: failure.txHash }) };
  if (failure.stage === 'guard') telemetry.info('hedge stopped by a guard: nothing sent', fields);
  else telemetry.warn('hedge failed', fields);
  return { paused };
}

/**
 * A transaction of the hedge is on its way (first send, rebroadcast, replacement or
 * cancel): the record moves to (or stays at) submitted under the transaction's hash, and
 * Hedge Submitted is published (its id is hedge + hash: a repeat is the same event).
 */
export async function recordSubmitted(
  deps: Pick<OutcomeDeps, 'journal' | 'publisher' | 'now'>,
  ref: HedgeRef,
  tx: JournaledTransaction,
  flow: { readonly decisionId: string; readonly correlationId?: string | undefined },
  extraData: Record<string, unknown> = {},
): Promise<void> {
  const { decisionId, correlationId } = flow;
  await deps.journal.advance(ref, { stage: 'submitted', key: tx.hash, at: deps.now(), data: { txHash: tx.hash, nonce: tx.nonce, purpose: tx.purpose, ...extraData } });
  await deps.publisher.publish([
    encodeEvent('Hedge Submitted', {
      accountId: ref.accountId,
      occurredAt: tx.signedAt,
      correlationId,
      hedgeId: ref.hedgeId,
      decisionId,
      decidedAt: ref.at.toISOString(),
      chainId: tx.chainId,
      txHash: tx.hash,
      signer: tx.from,
      nonce: tx.nonce,
    }),
  ]);
}
