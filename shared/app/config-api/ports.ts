/**
 * The ports the configuration API's use cases need. The DynamoDB repositories
 * (shared/adapters/dynamodb) satisfy them structurally; tests may pass fakes. Errors the
 * adapters throw are recognised by their `code` ('CONFLICT' with `expected`/`current`),
 * never by class, so nothing here imports an adapter.
 */
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';
import type { ExposureSnapshot } from '../../contracts/exposure-snapshot.ts';
import type { AccountConfigDocument } from '../../contracts/account-config.ts';
import type { SignerRef } from '../../contracts/execution-config.ts';
import type { Position } from '../../domain/exposure/positions.ts';

export interface PageOf<T> {
  readonly items: T[];
  readonly cursor?: string;
}
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

export type AccountStatusValue = 'active' | 'paused';
/** Who paused an account: its owner, the system (failure streak, breaker, runaway protection), or the operator. */
export type PauseAuthority = 'account' | 'system' | 'operator';

export interface AccountPauseView {
  readonly by: PauseAuthority;
  readonly reason: string;
  readonly code?: string;
  readonly pauseId: string;
  readonly at: string;
}

export interface AccountSignerView {
  readonly ref: SignerRef;
  readonly address: string;
}

export interface AccountView {
  readonly accountId: string;
  readonly displayName: string;
  readonly contactEmail?: string;
  readonly status: AccountStatusValue;
  readonly signer?: AccountSignerView;
  readonly pause?: AccountPauseView;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AccountsPort {
  /** The account, its first API key and its signer, atomically: all are written or none (a conflict on any writes nothing). */
  createAccountWithKey(
    profile: { accountId: string; displayName: string; contactEmail?: string },
    actor: string,
    key: { keyId: string; hash: string },
    signer?: AccountSignerView,
  ): Promise<unknown>;
  getAccount(accountId: string): Promise<AccountView | undefined>;
  pauseAccount(accountId: string, pause: { by: PauseAuthority; reason: string; code?: string }, actor: string): Promise<'paused' | 'kept'>;
  /** Throws an error with code 'RESUME_REFUSED' (and the pause in force) when the caller may not lift the pause. */
  resumeAccount(accountId: string, request: { upTo: PauseAuthority; pauseId?: string; note?: string }, actor: string): Promise<'resumed' | 'already-active'>;
  addApiKey(accountId: string, keyId: string, keyHash: string): Promise<void>;
  revokeApiKey(accountId: string, keyId: string): Promise<'revoked' | 'already-revoked'>;
  findAccountByKeyHash(keyHash: string): Promise<{ readonly accountId: string; readonly keyId: string } | undefined>;
}

/** One version of the account's configuration document (policy and operator part) as stored. */
export interface StoredConfigVersion {
  readonly accountId: string;
  readonly version: number;
  readonly config: AccountConfigDocument;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface ConfigsPort {
  putConfig(accountId: string, config: AccountConfigDocument, expectedVersion: number, actor: string, auditDetails?: Record<string, unknown>): Promise<number>;
  getConfig(accountId: string): Promise<StoredConfigVersion | undefined>;
  listConfigHistory(accountId: string, page?: PageRequest): Promise<PageOf<StoredConfigVersion>>;
}

/**
 * Makes the key an account hedges from, when the operator creates the account: an AWS KMS
 * key in the cloud, a local key on the local chain. `discard` gives a key back when the
 * account could not be created (best effort: a KMS key is scheduled for deletion).
 */
export interface SignerProvisionerPort {
  provision(accountId: string): Promise<AccountSignerView>;
  discard(signer: AccountSignerView): Promise<void>;
}

export interface PositionView {
  readonly position: Position;
  readonly source: 'manual' | 'chain' | 'hedge';
  readonly revision: number;
  readonly updatedAt: string;
}

export interface PositionsPort {
  putPosition(accountId: string, position: Position, source: 'manual' | 'chain', expectedRevision?: number): Promise<number>;
  deletePosition(accountId: string, positionId: string, expectedRevision: number): Promise<void>;
  getPosition(accountId: string, positionId: string): Promise<PositionView | undefined>;
  listPositions(accountId: string): Promise<PositionView[]>;
}

export interface HedgeRecordView {
  readonly hedgeId: string;
  readonly at: string;
  readonly stage: 'decided' | 'ordered' | 'submitted' | 'confirmed' | 'failed' | 'skipped';
  readonly record: Record<string, unknown>;
  readonly steps: readonly { readonly stage: string; readonly key: string; readonly at: string; readonly data: Record<string, unknown> }[];
}

export interface HedgesPort {
  listHedgeRecords(accountId: string, page?: PageRequest): Promise<PageOf<HedgeRecordView>>;
}

/**
 * What the evaluator stored for the account (the evaluation repository's `load`): only
 * the latest exposure snapshot is read here. `undefined`, or no `exposure`, when the
 * account has never been evaluated.
 */
export interface EvaluationSnapshotsPort {
  load(accountId: string): Promise<{ readonly exposure?: ExposureSnapshot } | undefined>;
}

export interface KillSwitchState {
  readonly engaged: boolean;
  readonly reason?: string;
}

/** The deployment-wide kill switch (the dispatch limits repository's GLOBAL item). */
export interface KillSwitchPort {
  globalKillSwitch(): Promise<KillSwitchState>;
  setGlobalKillSwitch(engaged: boolean, reason: string, actor: string): Promise<void>;
}

export interface ConfigApiPorts {
  readonly accounts: AccountsPort;
  readonly configs: ConfigsPort;
  readonly positions: PositionsPort;
  readonly hedges: HedgesPort;
  readonly evaluations: EvaluationSnapshotsPort;
  readonly killSwitch: KillSwitchPort;
  /** Absent: accounts are created without a signer (advisory only: an operator execution block is refused). */
  readonly signers?: SignerProvisionerPort;
  readonly publisher: EventPublisher;
  /** The bus the Evaluation Requested event is addressed to. */
  readonly eventBusName: string;
  readonly clock: () => Date;
  /** Unique ids (a UUID in production) for account ids, key ids and request ids. */
  readonly newId: () => string;
}
