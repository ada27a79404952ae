/**
 * Who may set what: the operator sets an account up (admin key: market, venues, ceilings;
 * the signer is the account's own, made with it), the account owner sets its policy
 * within those ceilings, and a pause the system made is lifted by the operator or by
 * the account acknowledging it. Through the real handler against DynamoDB Local.
 */
import { describe, expect, it } from 'vitest';
import { createAuditLogRepository } from '../../../shared/adapters/dynamodb/audit-log-repository.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { ADMIN_KEY, createFixture, VALID_CONFIG, VALID_OPERATOR_CONFIG, type ConfigApiFixture } from './config-api-fixture.ts';

const SPOT_POLICY = { ...VALID_CONFIG, hedgeInstrument: 'spot' };

describe('config API: the operator and the account own different parts', () => {
  const ddb = useDynamoDbLocal();
  let cached: ConfigApiFixture | undefined;
  const api = (): ConfigApiFixture => (cached ??= createFixture(ddb().doc, ddb().tableName));

  async function setUp() {
    const { call, newAccount } = api();
    const account = await newAccount();
    const set = await call('PUT', `/accounts/${account.accountId}/operator-config`, { token: ADMIN_KEY, body: VALID_OPERATOR_CONFIG, headers: { 'if-match': '"0"' } });
    expect(set.status).toBe(200);
    return account;
  }

  it('each account is created with its own signer, and the operator set-up carries that signer whatever the request says', async () => {
    const { call, newAccount, snapshot } = api();
    const a = await newAccount();
    const b = await newAccount();
    const accountA = await call('GET', `/accounts/${a.accountId}`, { token: a.apiKey });
    const accountB = await call('GET', `/accounts/${b.accountId}`, { token: ADMIN_KEY });
    const signerA = accountA.json.signer as { address: string; ref: unknown };
    const signerB = accountB.json.signer as { address: string; ref: unknown };
    expect(signerA.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(signerA.address.toLowerCase()).not.toBe(signerB.address.toLowerCase());
    expect((await call('GET', `/accounts/${a.accountId}`, { token: b.apiKey })).status).toBe(403);

    const before = await snapshot();
    const smuggled = await call('PUT', `/accounts/${a.accountId}/operator-config`, {
      token: ADMIN_KEY,
      body: { ...VALID_OPERATOR_CONFIG, execution: { ...VALID_OPERATOR_CONFIG.execution, signer: signerB.ref } },
      headers: { 'if-match': '"0"' },
    });
    expect(smuggled.status).toBe(400);
    expect((smuggled.json.errors as { path: string }[]).map((e) => e.path)).toContain('body.execution');
    expect(await snapshot()).toBe(before);

    const set = await call('PUT', `/accounts/${a.accountId}/operator-config`, { token: ADMIN_KEY, body: VALID_OPERATOR_CONFIG, headers: { 'if-match': '"0"' } });
    expect(set.json).toMatchObject({ version: 1, config: null, operator: { underlying: 'ETH', execution: { signer: signerA.ref } }, updatedBy: 'admin' });
  });

  it("an account cannot write the operator's part: market or execution in its PUT is a 403 naming the field, and nothing changes", async () => {
    const { call, snapshot } = api();
    const { accountId, apiKey } = await setUp();
    const before = await snapshot();
    for (const extra of [{ execution: VALID_OPERATOR_CONFIG.execution }, { market: VALID_OPERATOR_CONFIG.market }]) {
      const denied = await call('PUT', `/accounts/${accountId}/config`, { token: apiKey, body: { ...SPOT_POLICY, ...extra }, headers: { 'if-match': '"1"' } });
      expect(denied.status).toBe(403);
      expect(denied.json).toMatchObject({ type: 'urn:hedge:problem:forbidden' });
      expect((denied.json.errors as { path: string }[]).map((e) => e.path)).toEqual([`body.${Object.keys(extra)[0]}`]);
    }
    expect(await snapshot()).toBe(before);
  });

  it("the account's own limits may tighten the ceilings, never widen them (403 with the field); dispatch gets the lower of the two", async () => {
    const { call, snapshot } = api();
    const { accountId, apiKey } = await setUp();
    const path = `/accounts/${accountId}/config`;
    const before = await snapshot();
    const wider = await call('PUT', path, {
      token: apiKey,
      body: { ...SPOT_POLICY, executionLimits: { maxSlippageBps: 10_000, maxTradeNotionalUsd: 50_000, maxDailyNotionalUsd: 5_000_000 } },
      headers: { 'if-match': '"1"' },
    });
    expect(wider.status).toBe(403);
    expect((wider.json.errors as { path: string; message: string }[]).map((e) => e.path).sort()).toEqual([
      'body.executionLimits.maxDailyNotionalUsd',
      'body.executionLimits.maxSlippageBps',
    ]);
    expect(await snapshot()).toBe(before);

    const tighter = await call('PUT', path, { token: apiKey, body: { ...SPOT_POLICY, executionLimits: { maxTradeNotionalUsd: 25_000, maxSlippageBps: 20 } }, headers: { 'if-match': '"1"' } });
    expect(tighter.status).toBe(200);
    expect(tighter.json.effectiveLimits).toEqual({ maxTradeNotionalUsd: 25_000, maxDailyNotionalUsd: 1_000_000, maxSlippageBps: 20 });
    // The operator lowering a ceiling below the account's own limit: the lower one holds.
    const lowered = await call('PUT', `/accounts/${accountId}/operator-config`, {
      token: ADMIN_KEY,
      body: { ...VALID_OPERATOR_CONFIG, execution: { ...VALID_OPERATOR_CONFIG.execution, maxTradeNotionalUsd: 10_000 } },
      headers: { 'if-match': '"2"' },
    });
    expect(lowered.status).toBe(200);
    expect(lowered.json.effectiveLimits).toEqual({ maxTradeNotionalUsd: 10_000, maxDailyNotionalUsd: 1_000_000, maxSlippageBps: 20 });
  });

  it('an instrument without a venue is refused where it is written: the policy (400 at the field) and the operator set-up alike', async () => {
    const { call, snapshot } = api();
    const { accountId, apiKey } = await setUp();
    const before = await snapshot();
    const perp = await call('PUT', `/accounts/${accountId}/config`, { token: apiKey, body: { ...VALID_CONFIG, hedgeInstrument: 'perp' }, headers: { 'if-match': '"1"' } });
    expect(perp.status).toBe(400);
    expect(perp.json.errors).toEqual([{ path: 'body.hedgeInstrument', message: expect.stringContaining('no venue of this account trades perp') as unknown }]);
    const options = await call('PUT', `/accounts/${accountId}/config`, {
      token: apiKey,
      body: { ...SPOT_POLICY, limits: { maxAbsGamma: 1, hedgeOptions: [{ id: 'c1', optionType: 'call', strike: 3000, expiryMs: Date.now() + 86_400_000 }] } },
      headers: { 'if-match': '"1"' },
    });
    expect(options.status).toBe(400);
    expect((options.json.errors as { path: string }[]).map((e) => e.path)).toEqual(['body.limits.hedgeOptions']);
    const otherUnderlying = await call('PUT', `/accounts/${accountId}/config`, { token: apiKey, body: { ...SPOT_POLICY, underlying: 'BTC' }, headers: { 'if-match': '"1"' } });
    expect((otherUnderlying.json.errors as { path: string }[]).map((e) => e.path)).toEqual(['body.underlying']);
    expect(await snapshot()).toBe(before);

    // With a policy on spot, the operator cannot take the account to another underlying under it.
    expect((await call('PUT', `/accounts/${accountId}/config`, { token: apiKey, body: SPOT_POLICY, headers: { 'if-match': '"1"' } })).status).toBe(200);
    const moved = await call('PUT', `/accounts/${accountId}/operator-config`, { token: ADMIN_KEY, body: { ...VALID_OPERATOR_CONFIG, underlying: 'BTC' }, headers: { 'if-match': '"2"' } });
    expect(moved.status).toBe(400);
    expect((moved.json.errors as { path: string }[]).map((e) => e.path)).toEqual(['body.underlying']);
  });

  it('concurrent writes of the two parts: one wins per version, and the stored pair always agrees', async () => {
    const { call } = api();
    const { accountId, apiKey } = await setUp();
    await call('PUT', `/accounts/${accountId}/config`, { token: apiKey, body: { ...SPOT_POLICY, executionLimits: { maxSlippageBps: 40 } }, headers: { 'if-match': '"1"' } });
    const [account, operator] = await Promise.all([
      call('PUT', `/accounts/${accountId}/config`, { token: apiKey, body: { ...SPOT_POLICY, executionLimits: { maxSlippageBps: 45 } }, headers: { 'if-match': '"2"' } }),
      call('PUT', `/accounts/${accountId}/operator-config`, {
        token: ADMIN_KEY,
        body: { ...VALID_OPERATOR_CONFIG, execution: { ...VALID_OPERATOR_CONFIG.execution, maxSlippageBps: 30 } },
        headers: { 'if-match': '"2"' },
      }),
    ]);
    expect([account.status, operator.status].sort()).toEqual([200, 409]);
    const current = await call('GET', `/accounts/${accountId}/config`, { token: apiKey });
    expect(current.json.version).toBe(3);
    const effective = current.json.effectiveLimits as { maxSlippageBps: number };
    const ceiling = (current.json.operator as { execution: { maxSlippageBps: number } }).execution.maxSlippageBps;
    expect(effective.maxSlippageBps).toBeLessThanOrEqual(ceiling);
  });

  it('a pause the system made: the account resumes only by acknowledging it (audited); an operator pause only the operator lifts', async () => {
    const { call, repos } = api();
    const { accountId, apiKey } = await setUp();
    const audit = createAuditLogRepository({ doc: ddb().doc, tableName: ddb().tableName });
    await repos.accounts.pauseAccount(accountId, { by: 'system', reason: '3 hedges failed in a row (limit 3)', code: 'FAILURE_STREAK' }, 'system:dispatch');
    const account = await call('GET', `/accounts/${accountId}`, { token: apiKey });
    const pause = account.json.pause as { by: string; pauseId: string; code: string };
    expect(pause).toMatchObject({ by: 'system', code: 'FAILURE_STREAK' });

    const plain = await call('POST', `/accounts/${accountId}/resume`, { token: apiKey });
    expect(plain.status).toBe(409);
    expect(plain.json.detail).toContain(pause.pauseId);
    const withoutNote = await call('POST', `/accounts/${accountId}/resume`, { token: apiKey, body: { acknowledgePauseId: pause.pauseId } });
    expect(withoutNote.status).toBe(400);
    const wrongId = await call('POST', `/accounts/${accountId}/resume`, { token: apiKey, body: { acknowledgePauseId: 'pause-nope', note: 'checked' } });
    expect(wrongId.status).toBe(409);
    expect((await repos.accounts.getAccount(accountId))?.status).toBe('paused');

    const acknowledged = await call('POST', `/accounts/${accountId}/resume`, { token: apiKey, body: { acknowledgePauseId: pause.pauseId, note: 'the venue allowance was fixed' } });
    expect(acknowledged).toMatchObject({ status: 200, json: { accountId, status: 'active' } });
    const [latest] = (await audit.listAuditEvents(accountId)).items;
    expect(latest).toMatchObject({ action: 'account.resumed', details: { upTo: 'system', pauseId: pause.pauseId, note: 'the venue allowance was fixed' } });
    expect(String(latest?.actor)).toMatch(/^key:/);

    const operatorPause = await call('POST', `/accounts/${accountId}/pause`, { token: ADMIN_KEY, body: { reason: 'compliance review' } });
    expect(operatorPause.json).toMatchObject({ status: 'paused', pause: { by: 'operator', reason: 'compliance review' } });
    const operatorPauseId = (operatorPause.json.pause as { pauseId: string }).pauseId;
    expect((await call('POST', `/accounts/${accountId}/resume`, { token: apiKey })).status).toBe(403);
    expect((await call('POST', `/accounts/${accountId}/resume`, { token: apiKey, body: { acknowledgePauseId: operatorPauseId, note: 'please' } })).status).toBe(403);
    // The account pausing on top keeps the operator's pause in force.
    expect((await call('POST', `/accounts/${accountId}/pause`, { token: apiKey })).json).toMatchObject({ pause: { by: 'operator' } });
    expect((await call('POST', `/accounts/${accountId}/resume`, { token: ADMIN_KEY, body: { note: 'review done' } })).json).toMatchObject({ status: 'active' });
  });
});
