/**
 * The use cases of the per-account configuration API, over ports (no SDK, no HTTP).
 * The caller (the handler) has already authenticated and scoped the request to
 * `accountId`; `actor` names who acts, for the audit trail.
 *
 * @example
 * const api = createConfigApiUseCases(ports);
 * const { accountId, apiKey } = await api.createAccount({ displayName: 'Desk 1' }, 'admin');
 * await api.putConfig(accountId, config, 0, `key:${keyId}`); // 1
 */
import { encodeEvent } from '../../contracts/events/encode-event.ts';
import type { ExposureSnapshot } from '../../contracts/exposure-snapshot.ts';
import type { HedgePolicyConfig } from '../../contracts/hedge-policy-config.ts';
import type { Position } from '../../domain/exposure/positions.ts';
import { generateApiKey } from '../../runtime/http/bearer-auth.ts';
import { isConflict, NotFoundError, PreconditionRequiredError, StateConflictError } from './config-api-errors.ts';
import type { AccountStatusValue, ConfigApiPorts, ConfigVersionView, HedgeRecordView, KillSwitchState, PageOf, PageRequest, PositionView } from './ports.ts';

export interface ApiKeyOwner {
  readonly accountId: string;
  readonly keyId: string;
}

export interface ConfigApiUseCases {
  resolveApiKey(keyHash: string): Promise<ApiKeyOwner | undefined>;
  createAccount(profile: { displayName: string; contactEmail?: string }, actor: string): Promise<{ accountId: string; keyId: string; apiKey: string }>;
  issueApiKey(accountId: string): Promise<{ keyId: string; apiKey: string }>;
  revokeApiKey(accountId: string, keyId: string): Promise<void>;
  getConfig(accountId: string): Promise<ConfigVersionView>;
  putConfig(accountId: string, config: HedgePolicyConfig, expectedVersion: number, actor: string): Promise<ConfigVersionView>;
  listConfigHistory(accountId: string, page: PageRequest): Promise<PageOf<ConfigVersionView>>;
  listPositions(accountId: string): Promise<PositionView[]>;
  getPosition(accountId: string, positionId: string): Promise<PositionView>;
  putPosition(accountId: string, position: Position, expectedRevision: number | undefined): Promise<{ created: boolean; position: PositionView }>;
  deletePosition(accountId: string, positionId: string, expectedRevision: number): Promise<void>;
  setStatus(accountId: string, status: AccountStatusValue, actor: string): Promise<void>;
  rebalance(accountId: string): Promise<{ eventId: string }>;
  listHedges(accountId: string, page: PageRequest): Promise<PageOf<HedgeRecordView>>;
  getExposure(accountId: string): Promise<ExposureSnapshot>;
  getKillSwitch(): Promise<KillSwitchState>;
  setKillSwitch(engaged: boolean, reason: string, actor: string): Promise<KillSwitchState>;
}

export function createConfigApiUseCases(ports: ConfigApiPorts): ConfigApiUseCases {
  const { accounts, configs, positions, hedges, evaluations, killSwitch, publisher, clock, newId } = ports;

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
      // One transaction: the account never exists without its first key.
      await accounts.createAccountWithKey({ accountId, ...profile }, actor, { keyId, hash: keyHash });
      return { accountId, keyId, apiKey };
    },

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
      return current;
    },

    async putConfig(accountId, config, expectedVersion, actor) {
      const version = await configs.putConfig(accountId, config, expectedVersion, actor);
      const current = await configs.getConfig(accountId);
      // Read back for the normalised config; a newer writer may already have moved on.
      if (current?.version === version) return current;
      return { accountId, version, config, updatedAt: clock().toISOString(), updatedBy: actor };
    },

    listConfigHistory: (accountId, page) => configs.listConfigHistory(accountId, page),

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

    async setStatus(accountId, status, actor) {
      await accounts.setAccountStatus(accountId, status, actor);
    },

    async rebalance(accountId) {
      const account = await accounts.getAccount(accountId);
      if (account === undefined) throw new NotFoundError(`account ${accountId} does not exist`);
      if (account.status !== 'active') throw new StateConflictError(`account ${accountId} is paused: resume it first`);
      const entry = encodeEvent(
        'Evaluation Requested',
        { accountId, occurredAt: clock().toISOString(), trigger: 'operator', triggerId: `api-${newId()}` },
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
