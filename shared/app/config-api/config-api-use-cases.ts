/**
 * The use cases of the per-account configuration API, over ports (no SDK, no HTTP).
 * The caller (the handler) has already authenticated and scoped the request to
 * `accountId`; `actor` names who acts, for the audit trail.
 *
 * Two owners write one versioned document (shared/contracts/account-config.ts): the
 * operator sets an account up (`putOperatorConfig`, admin key) and the account owner sets
 * its policy (`putConfig`, its key). Each write is checked against the other part at the
 * version it replaces and conditioned on that version, so neither can slip past the other.
 *
 * @example
 * const api = createConfigApiUseCases(ports);
 * const { accountId, apiKey } = await api.createAccount({ displayName: 'Desk 1' }, 'admin');
 * await api.putOperatorConfig(accountId, operatorConfig, 0, 'admin'); // version 1
 * await api.putConfig(accountId, policy, 1, `key:${keyId}`);        // version 2
 */
import { encodeEvent } from '../../contracts/events/encode-event.ts';
import type { ExposureSnapshot } from '../../contracts/exposure-snapshot.ts';
import { checkConfigPair, runtimeConfigOf, type AccountConfigDocument, type ConfigPairIssue } from '../../contracts/account-config.ts';
import type { ExecutionLimits } from '../../contracts/execution-config.ts';
import type { AccountPolicy } from '../../contracts/hedge-policy-config.ts';
import type { OperatorConfig, StoredOperatorConfig } from '../../contracts/operator-config.ts';
import type { Position } from '../../domain/exposure/positions.ts';
import { generateApiKey } from '../../runtime/http/bearer-auth.ts';
import { ConfigRejectedError, ForbiddenError, isConflict, NotFoundError, PreconditionRequiredError, StateConflictError } from './config-api-errors.ts';
import type {
  AccountPauseView,
  AccountSignerView,
  AccountView,
  ConfigApiPorts,
  HedgeRecordView,
  KillSwitchState,
  PageOf,
  PageRequest,
  PositionView,
  StoredConfigVersion,
} from './ports.ts';

export interface ApiKeyOwner {
  readonly accountId: string;
  readonly keyId: string;
}

/** Who is calling: the account's owner (its key) or the operator (the admin key). */
export type Caller = 'account' | 'operator';

/** One version of the configuration as the API shows it. */
export interface ConfigVersionView {
  readonly accountId: string;
  readonly version: number;
  /** The account owner's policy (what `PUT /config` takes); null until written. */
  readonly config: AccountPolicy | null;
  /** The operator's part, read-only to the account; null until the operator set the account up. */
  readonly operator: StoredOperatorConfig | null;
  /** The limits dispatch enforces: the operator's ceilings lowered to the account's own limits. */
  readonly effectiveLimits: Required<ExecutionLimits> | null;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface ResumeInput {
  /** The id of the system pause the account lifts (GET /accounts/{id} shows it). */
  readonly acknowledgePauseId?: string;
  /** Why it is safe to trade again: kept in the audit trail (required with an acknowledgement). */
  readonly note?: string;
}

export interface ConfigApiUseCases {
  resolveApiKey(keyHash: string): Promise<ApiKeyOwner | undefined>;
  createAccount(
    profile: { displayName: string; contactEmail?: string },
    actor: string,
  ): Promise<{ accountId: string; keyId: string; apiKey: string; signer?: AccountSignerView }>;
  getAccount(accountId: string): Promise<AccountView>;
  issueApiKey(accountId: string): Promise<{ keyId: string; apiKey: string }>;
  revokeApiKey(accountId: string, keyId: string): Promise<void>;
  getConfig(accountId: string): Promise<ConfigVersionView>;
  /** The account owner's policy, checked against the operator's part at `expectedVersion`. */
  putConfig(accountId: string, policy: AccountPolicy, expectedVersion: number, actor: string): Promise<ConfigVersionView>;
  /** The operator's part (admin), checked against the account's policy at `expectedVersion`; the signer is the account's own. */
  putOperatorConfig(accountId: string, operator: OperatorConfig, expectedVersion: number, actor: string): Promise<ConfigVersionView>;
  listConfigHistory(accountId: string, page: PageRequest): Promise<PageOf<ConfigVersionView>>;
  listPositions(accountId: string): Promise<PositionView[]>;
  getPosition(accountId: string, positionId: string): Promise<PositionView>;
  putPosition(accountId: string, position: Position, expectedRevision: number | undefined): Promise<{ created: boolean; position: PositionView }>;
  deletePosition(accountId: string, positionId: string, expectedRevision: number): Promise<void>;
  pause(accountId: string, caller: Caller, actor: string, reason?: string): Promise<AccountView>;
  /**
   * Lifts a pause the caller may lift: the operator any; the account its own, and a pause
   * the system made only with an acknowledgement naming it (audited). Refused otherwise.
   */
  resume(accountId: string, caller: Caller, actor: string, input?: ResumeInput): Promise<AccountView>;
  /** `correlationId`: the API request's, carried by the evaluation this asks for and everything it leads to. */
  rebalance(accountId: string, correlationId?: string): Promise<{ eventId: string }>;
  listHedges(accountId: string, page: PageRequest): Promise<PageOf<HedgeRecordView>>;
  getExposure(accountId: string): Promise<ExposureSnapshot>;
  getKillSwitch(): Promise<KillSwitchState>;
  setKillSwitch(engaged: boolean, reason: string, actor: string): Promise<KillSwitchState>;
}

export function createConfigApiUseCases(ports: ConfigApiPorts): ConfigApiUseCases {
  const { accounts, configs, positions, hedges, evaluations, killSwitch, publisher, clock, newId } = ports;

  async function requireAccount(accountId: string): Promise<AccountView> {
    const account = await accounts.getAccount(accountId);
    if (account === undefined) throw new NotFoundError(`account ${accountId} does not exist`);
    return account;
  }

  /** The document at the version the writer read: a writer that read another version loses here (409), before any check. */
  async function documentAt(accountId: string, expectedVersion: number): Promise<AccountConfigDocument> {
    const current = await configs.getConfig(accountId);
    const version = current?.version ?? 0;
    if (version !== expectedVersion) {
      throw new StateConflictError(`the configuration of account ${accountId} changed: expected version ${expectedVersion}, current is ${version}; read it again`);
    }
    return current?.config ?? {};
  }

  async function writeDocument(accountId: string, document: AccountConfigDocument, expectedVersion: number, actor: string, part: 'policy' | 'operator'): Promise<ConfigVersionView> {
    const version = await configs.putConfig(accountId, document, expectedVersion, actor, { part });
    const current = await configs.getConfig(accountId);
    // Read back for the normalised config; a newer writer may already have moved on.
    if (current?.version === version) return viewOf(current);
    return viewOf({ accountId, version, config: document, updatedAt: clock().toISOString(), updatedBy: actor });
  }

  async function issueApiKey(accountId: string): Promise<{ keyId: string; apiKey: string }> {
    const keyId = `key-${newId()}`;
    const { apiKey, keyHash } = generateApiKey();
    await accounts.addApiKey(accountId, keyId, keyHash);
    return { keyId, apiKey };
  }

  async function getPosition(accountId: string, positionId: string): Promise<PositionView> {
    const found = await positions.getPosition(accountId, positionId);
    if (found === undefined) throw new NotFoundError(`position ${positionId} does not exist`);
    return found;
  }

  return {
    resolveApiKey: (keyHash) => accounts.findAccountByKeyHash(keyHash),

    async createAccount(profile, actor) {
      const accountId = `acc-${newId()}`;
      const keyId = `key-${newId()}`;
      const { apiKey, keyHash } = generateApiKey();
      // Its own key first: an account never exists without the signer it was promised.
      const signer = await ports.signers?.provision(accountId);
      try {
        // One transaction: the account never exists without its first key (nor its signer's ownership).
        await accounts.createAccountWithKey({ accountId, ...profile }, actor, { keyId, hash: keyHash }, signer);
      } catch (error) {
        if (signer !== undefined) await ports.signers?.discard(signer).catch(() => undefined);
        throw error;
      }
      return { accountId, keyId, apiKey, ...(signer === undefined ? {} : { signer }) };
    },

    getAccount: requireAccount,

    issueApiKey,

    async revokeApiKey(accountId, keyId) {
      try {
        await accounts.revokeApiKey(accountId, keyId);
      } catch (error) {
        if (isConflict(error) && error.current === null) throw new NotFoundError(`api key ${keyId} does not exist`, { cause: error });
        throw error;
      }
    },

    async getConfig(accountId) {
      const current = await configs.getConfig(accountId);
      if (current === undefined) throw new NotFoundError('the account has no configuration yet (PUT it with If-Match: "0")');
      return viewOf(current);
    },

    async putConfig(accountId, policy, expectedVersion, actor) {
      const document = await documentAt(accountId, expectedVersion);
      rejectIssues(checkConfigPair(policy, document.operator, 'policy'));
      return writeDocument(accountId, { ...document, policy }, expectedVersion, actor, 'policy');
    },

    async putOperatorConfig(accountId, operatorConfig, expectedVersion, actor) {
      const account = await requireAccount(accountId);
      const document = await documentAt(accountId, expectedVersion);
      if (operatorConfig.execution !== undefined && account.signer === undefined) {
        throw new ConfigRejectedError('INVALID_CONFIG', `account ${accountId} has no signer of its own (it was created without one): it can only be advisory`, [
          { path: 'body.execution', message: 'the account has no signer: leave execution out' },
        ]);
      }
      // The signer is the account's own, whatever the request: a key can never sign for two accounts.
      const { execution, ...rest } = operatorConfig;
      const operator: StoredOperatorConfig = execution === undefined ? rest : { ...rest, execution: { ...execution, signer: account.signer!.ref } };
      rejectIssues(checkConfigPair(document.policy, operator, 'operator'));
      return writeDocument(accountId, { ...document, operator }, expectedVersion, actor, 'operator');
    },

    async listConfigHistory(accountId, page) {
      const history = await configs.listConfigHistory(accountId, page);
      return { ...history, items: history.items.map(viewOf) };
    },

    listPositions: (accountId) => positions.listPositions(accountId),

    getPosition,

    async putPosition(accountId, position, expectedRevision) {
      try {
        await positions.putPosition(accountId, position, 'manual', expectedRevision);
      } catch (error) {
        if (!isConflict(error)) throw error;
        if (expectedRevision === undefined) {
          throw new PreconditionRequiredError(`position ${position.id} exists: replace it with If-Match: "<revision>"`, { cause: error });
        }
        if (error.current === null) throw new NotFoundError(`position ${position.id} does not exist`, { cause: error });
        throw error;
      }
      return { created: expectedRevision === undefined, position: await getPosition(accountId, position.id) };
    },

    async deletePosition(accountId, positionId, expectedRevision) {
      try {
        await positions.deletePosition(accountId, positionId, expectedRevision);
      } catch (error) {
        if (isConflict(error) && error.current === null) throw new NotFoundError(`position ${positionId} does not exist`, { cause: error });
        throw error;
      }
    },

    async pause(accountId, caller, actor, reason) {
      await requireAccount(accountId);
      const by = caller === 'operator' ? 'operator' : 'account';
      await accounts.pauseAccount(accountId, { by, reason: reason ?? (by === 'operator' ? 'paused by the operator' : 'paused by the account') }, actor);
      return requireAccount(accountId);
    },

    async resume(accountId, caller, actor, input = {}) {
      const account = await requireAccount(accountId);
      const { acknowledgePauseId: pauseId, note } = input;
      const request =
        caller === 'operator'
          ? { upTo: 'operator' as const, ...(note === undefined ? {} : { note }) }
          : pauseId === undefined
            ? { upTo: 'account' as const }
            : { upTo: 'system' as const, pauseId, ...(note === undefined ? {} : { note }) };
      try {
        await accounts.resumeAccount(accountId, request, actor);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'RESUME_REFUSED') throw error;
        throw refusal(accountId, (error as { pause?: AccountPauseView }).pause ?? account.pause, pauseId, error);
      }
      return requireAccount(accountId);
    },

    async rebalance(accountId, correlationId) {
      const account = await requireAccount(accountId);
      if (account.status !== 'active') throw new StateConflictError(`account ${accountId} is paused: resume it first`);
      const entry = encodeEvent(
        'Evaluation Requested',
        { accountId, occurredAt: clock().toISOString(), trigger: 'operator', triggerId: `api-${newId()}`, correlationId },
        ports.eventBusName,
      );
      await publisher.publish([entry]);
      return { eventId: (JSON.parse(entry.Detail) as { eventId: string }).eventId };
    },

    listHedges: (accountId, page) => hedges.listHedgeRecords(accountId, page),

    async getExposure(accountId) {
      // The HEDGESTATE item can exist without a snapshot (state written by another path),
      // which for the caller is the same as never evaluated.
      const exposure = (await evaluations.load(accountId))?.exposure;
      if (exposure === undefined) throw new NotFoundError(`account ${accountId} has not been evaluated yet`);
      return exposure;
    },

    getKillSwitch: () => killSwitch.globalKillSwitch(),

    async setKillSwitch(engaged, reason, actor) {
      await killSwitch.setGlobalKillSwitch(engaged, reason, actor);
      // Answer with the state as GET (and the dispatcher) will read it, not an echo of the request.
      return killSwitch.globalKillSwitch();
    },
  };
}

function viewOf(stored: StoredConfigVersion): ConfigVersionView {
  const { policy, operator } = stored.config;
  const execution = runtimeConfigOf(stored.config)?.execution ?? operator?.execution;
  return {
    accountId: stored.accountId,
    version: stored.version,
    config: policy ?? null,
    operator: operator ?? null,
    effectiveLimits:
      execution === undefined
        ? null
        : { maxTradeNotionalUsd: execution.maxTradeNotionalUsd, maxDailyNotionalUsd: execution.maxDailyNotionalUsd, maxSlippageBps: execution.maxSlippageBps },
    updatedAt: stored.updatedAt,
    updatedBy: stored.updatedBy,
  };
}

/** Disagreements between the two parts: a limit above a ceiling is forbidden (403), any other mismatch invalid (400). */
function rejectIssues(issues: readonly ConfigPairIssue[]): void {
  if (issues.length === 0) return;
  const fieldErrors = issues.map((issue) => ({ path: ['body', ...issue.path].join('.'), message: issue.message }));
  if (issues.some((issue) => issue.kind === 'ceiling')) {
    throw new ConfigRejectedError('FORBIDDEN', 'the configuration asks for more than the operator allows this account', fieldErrors.filter((_, i) => issues[i]!.kind === 'ceiling'));
  }
  throw new ConfigRejectedError('INVALID_CONFIG', 'the policy and the operator\'s set-up of this account disagree', fieldErrors);
}

function refusal(accountId: string, pause: AccountPauseView | undefined, acknowledgedPauseId: string | undefined, cause: unknown): Error {
  if (pause?.by === 'operator') return new ForbiddenError(`account ${accountId} was paused by the operator (${pause.reason}): only the operator can resume it`, { cause });
  if (pause?.by === 'system' && acknowledgedPauseId === undefined) {
    return new StateConflictError(
      `account ${accountId} was paused by the system (${pause.code ?? 'no code'}: ${pause.reason}); to resume, acknowledge it: POST the body {"acknowledgePauseId":"${pause.pauseId}","note":"<why it is safe to trade again>"}`,
      { cause },
    );
  }
  return new StateConflictError(`account ${accountId}: the pause acknowledged is not the pause in force${pause === undefined ? '' : ` (${pause.pauseId})`}: read the account again`, { cause });
}
