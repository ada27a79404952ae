/**
 * The ports the configuration API's use cases need. The DynamoDB repositories
 * (shared/adapters/dynamodb) satisfy them structurally; tests may pass fakes. Errors the
 * adapters throw are recognised by their `code` ('CONFLICT' with `expected`/`current`),
 * never by class, so nothing here imports an adapter.
 */
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';
import type { ExposureSnapshot } from '../../contracts/exposure-snapshot.ts';
import type { HedgePolicyConfig } from '../../contracts/hedge-policy-config.ts';
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

export interface AccountsPort {
  createAccount(profile: { accountId: string; displayName: string; contactEmail?: string }, actor: string): Promise<unknown>;
  /** The account and its first API key, atomically: both are written or neither (a conflict on either writes nothing). */
  createAccountWithKey(
    profile: { accountId: string; displayName: string; contactEmail?: string },
    actor: string,
    key: { keyId: string; hash: string },
  ): Promise<unknown>;
  getAccount(accountId: string): Promise<{ readonly accountId: string; readonly status: AccountStatusValue } | undefined>;
  setAccountStatus(accountId: string, status: AccountStatusValue, actor: string): Promise<void>;
  addApiKey(accountId: string, keyId: string, keyHash: string): Promise<void>;
  revokeApiKey(accountId: string, keyId: string): Promise<'revoked' | 'already-revoked'>;
  findAccountByKeyHash(keyHash: string): Promise<{ readonly accountId: string; readonly keyId: string } | undefined>;
}

export interface ConfigVersionView {
  readonly accountId: string;
  readonly version: number;
  readonly config: HedgePolicyConfig;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface ConfigsPort {
  putConfig(accountId: string, config: HedgePolicyConfig, expectedVersion: number, actor: string): Promise<number>;
  getConfig(accountId: string): Promise<ConfigVersionView | undefined>;
  listConfigHistory(accountId: string, page?: PageRequest): Promise<PageOf<ConfigVersionView>>;
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
  readonly publisher: EventPublisher;
  /** The bus the Evaluation Requested event is addressed to. */
  readonly eventBusName: string;
  readonly clock: () => Date;
  /** Unique ids (a UUID in production) for account ids, key ids and request ids. */
  readonly newId: () => string;
}
