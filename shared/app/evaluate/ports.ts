/**
 * The store port of the evaluator: the account's hedge state item, which also carries the
 * latest exposure snapshot and what the last evaluation published (so a redelivered
 * Evaluation Requested republishes the same events instead of deciding again).
 */
import type { EventEntry } from '../../contracts/events/event-entry.ts';
import type { ExposureSnapshot } from '../../contracts/exposure-snapshot.ts';
import type { PolicyGuardState } from '../../contracts/policy-guard-state-schema.ts';
import type { HedgeState } from '../../domain/policy/policy-types.ts';
import type { ForecastFit } from '../../domain/policy/vol-forecast.ts';

export interface LastEvaluation {
  readonly evaluationId: string;
  readonly at: string;
  /** The entries it published, in order (deterministic ids: republishing them is harmless). */
  readonly events: readonly EventEntry[];
}

/**
 * A hedge requested and not ended yet (decided, ordered, submitted): its units count in the
 * book's delta until it is confirmed (then the hedge position holds them) or ends without
 * a trade. Without this, every tick between a decision and its confirmation would see the
 * same delta and request the same hedge again.
 */
export interface InFlightHedge {
  /** Signed units: > 0 buy, < 0 sell (of the underlying; of the option's contracts for an option). */
  readonly units: number;
  readonly at: string;
  /** An option hedge: its series. Counted in the book as an option position, not as delta units. */
  readonly option?: { readonly optionType: 'call' | 'put'; readonly strike: number; readonly expiryMs: number; readonly vol?: number };
  /** A margin top-up on this venue (id), not a hedge: no units; while it is in flight no other top-up of the venue is requested. */
  readonly marginTopUp?: string;
}

export interface StoredEvaluationState {
  readonly state: HedgeState;
  /** 0 when the account has no state yet. */
  readonly version: number;
  /** By hedge id. Removed (with a version bump) in the same transaction that ends the hedge. */
  readonly inFlight: Readonly<Record<string, InFlightHedge>>;
  readonly exposure?: ExposureSnapshot;
  readonly lastEvaluation?: LastEvaluation;
  /**
   * Events that must reach the bus (Hedge Requested, Risk Limit Breached), committed with
   * the state and cleared once published: an evaluation that died between its commit and
   * its publish leaves them here, and the next evaluation of the account publishes them
   * first (event ids are deterministic, so a repeat is harmless).
   */
  readonly outbox: readonly EventEntry[];
  /** What insurance, the crash breaker and runaway protection remember (absent: nothing yet). */
  readonly guards?: PolicyGuardState;
}

/** An audit entry written with the evaluation's commit (all or nothing with the state). */
export interface EvaluationAuditEntry {
  readonly action: string;
  readonly actor: string;
  readonly at: Date;
  readonly details: Record<string, unknown>;
  /** Unique per entry and deterministic (an event id): the entry's sort-key suffix. */
  readonly unique: string;
}

export interface NewHedgeRecord {
  readonly hedgeId: string;
  readonly at: Date;
  readonly record: Record<string, unknown>;
  /** 'decided': to be dispatched; 'skipped': recorded only (dry-run, advisory). */
  readonly stage: 'decided' | 'skipped';
}

export interface EvaluationCommit {
  readonly expectedVersion: number;
  readonly state: HedgeState;
  /** The in-flight hedges as loaded, plus the ones this evaluation requests (none when absent). */
  readonly inFlight?: Readonly<Record<string, InFlightHedge>>;
  readonly exposure: ExposureSnapshot;
  readonly lastEvaluation: LastEvaluation;
  readonly hedgeRecords: readonly NewHedgeRecord[];
  /** The events that must be published (none when absent): see StoredEvaluationState.outbox. */
  readonly outbox?: readonly EventEntry[];
  /** The guards' memory after this evaluation (absent: none kept). */
  readonly guards?: PolicyGuardState;
  /** Audit entries (crash mode switches) written in the same transaction as the state. */
  readonly audit?: readonly EvaluationAuditEntry[];
}

export interface EvaluationStore {
  load(accountId: string): Promise<StoredEvaluationState | undefined>;
  /**
   * Writes the state (version expectedVersion + 1, only if the stored one is expectedVersion),
   * the snapshot, the last evaluation and the new hedge records, all or nothing.
   * ConflictError (from the adapter) when another evaluation won the version.
   */
  commit(accountId: string, commit: EvaluationCommit): Promise<number>;
  /** Empties the outbox if the state is still at `version` (a later evaluation owns it otherwise). */
  clearOutbox(accountId: string, version: number): Promise<void>;
}

/**
 * The volatility forecasts' fits, per underlying and model key (`<model>#w<window>`):
 * shared by every account that forecasts the underlying the same way, so one evaluation's
 * refit serves the others until it is due again.
 */
export interface VolForecastStore {
  /** The stored fit (undefined: none yet). */
  latest(underlying: string, key: string): Promise<ForecastFit | undefined>;
  /** Stores `fit` only if nothing as new (fittedAtMs) is stored: a duplicate or late refit never moves it back. */
  save(underlying: string, key: string, fit: ForecastFit): Promise<'stored' | 'newer-kept'>;
}
