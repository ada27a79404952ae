/**
 * The configuration API's operations for the hedging flow, end to end against DynamoDB
 * Local: the latest exposure snapshot (as the evaluator commits it), the deployment-wide
 * kill switch (admin only), and `?expectedVersion` as the alternative to If-Match.
 */
import { describe, expect, it } from 'vitest';
import type { ExposureSnapshot } from '../../../shared/contracts/exposure-snapshot.ts';
import { initialHedgeState } from '../../../shared/domain/policy/hedge-state.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { ADMIN_KEY, createFixture, VALID_CONFIG, type ConfigApiFixture } from './config-api-fixture.ts';

/** A snapshot of a priced evaluation that decided to hedge (dry-run, so not dispatched). */
function pricedSnapshot(evaluationId: string, at: Date): ExposureSnapshot {
  return {
    evaluationId,
    at: at.toISOString(),
    underlying: 'ETH',
    status: 'priced',
    market: { spot: 3000, vol: 0.65, volSource: 'realised', oracleUpdatedAt: new Date(at.getTime() - 30_000).toISOString(), rate: 0.04, yield: 0 },
    risk: {
      delta: 6.2,
      inFlightUnits: 0,
      dollarDelta: 18_600,
      gamma: 0.01,
      vegaPerVolPoint: 12.5,
      thetaPerDay: -4.1,
      optionValueUsd: 1_250,
      optionNotionalUsd: 30_000,
      nearestExpiryYears: 0.08,
      positionCount: 2,
    },
    decision: { id: `dec-${evaluationId}`, action: 'hedge', reason: 'band-breached', message: 'delta 6.2 is outside ±5', numbers: { delta: 6.2, trigger: 5 }, dryRun: true, dispatched: false },
  };
}

describe('config API: hedging flow operations', () => {
  const ddb = useDynamoDbLocal();
  let cached: ConfigApiFixture | undefined;
  const api = (): ConfigApiFixture => (cached ??= createFixture(ddb().doc, ddb().tableName));

  async function commitSnapshot(accountId: string, exposure: ExposureSnapshot): Promise<void> {
    const now = new Date(exposure.at);
    await api().repos.evaluations.commit(accountId, {
      expectedVersion: 0,
      state: initialHedgeState(now.getTime()),
      exposure,
      lastEvaluation: { evaluationId: exposure.evaluationId, at: exposure.at, events: [] },
      hedgeRecords: [],
    });
  }

  it('GET exposure: 404 problem before the first evaluation, then the committed snapshot as stored', async () => {
    const { call, newAccount } = api();
    const { accountId, apiKey } = await newAccount();
    const path = `/accounts/${accountId}/exposure`;
    const none = await call('GET', path, { token: apiKey });
    expect(none.status).toBe(404);
    expect(none.headers['content-type']).toBe('application/problem+json');
    expect(none.json).toMatchObject({ type: 'urn:hedge:problem:not-found', status: 404 });

    const snapshot = pricedSnapshot('eval-1', new Date(Date.UTC(2026, 0, 5, 12, 0)));
    await commitSnapshot(accountId, snapshot);
    const read = await call('GET', path, { token: apiKey });
    expect(read.status).toBe(200);
    expect(read.headers['content-type']).toBe('application/json');
    expect(read.json).toEqual(snapshot);
  });

  it('GET exposure: a snapshot without a price (market unavailable) is served too', async () => {
    const { call, newAccount } = api();
    const { accountId, apiKey } = await newAccount();
    const snapshot: ExposureSnapshot = {
      evaluationId: 'eval-2',
      at: new Date(Date.UTC(2026, 0, 5, 12, 1)).toISOString(),
      underlying: 'ETH',
      status: 'market-unavailable',
      problem: { code: 'ORACLE_STALE', message: 'the oracle answer is older than its heartbeat' },
    };
    await commitSnapshot(accountId, snapshot);
    expect(await call('GET', `/accounts/${accountId}/exposure`, { token: apiKey })).toMatchObject({ status: 200, json: snapshot });
  });

  it("GET exposure with another account's key: 403, whether or not that account was evaluated", async () => {
    const { call, newAccount } = api();
    const evaluated = await newAccount();
    const never = await newAccount();
    const intruder = await newAccount();
    await commitSnapshot(evaluated.accountId, pricedSnapshot('eval-3', new Date()));
    for (const victim of [evaluated, never]) {
      const denied = await call('GET', `/accounts/${victim.accountId}/exposure`, { token: intruder.apiKey });
      expect(denied.status).toBe(403);
      expect(denied.json).toMatchObject({ type: 'urn:hedge:problem:forbidden' });
      expect(JSON.stringify(denied.json)).not.toContain('eval-3');
    }
  });

  it('kill switch: the admin reads and sets it; the dispatcher’s store sees the change', async () => {
    const { call, repos } = api();
    const initial = await call('GET', '/admin/kill-switch', { token: ADMIN_KEY });
    expect(initial).toMatchObject({ status: 200, json: { engaged: false } });

    const engaged = await call('PUT', '/admin/kill-switch', { token: ADMIN_KEY, body: { engaged: true, reason: 'oracle incident' } });
    expect(engaged).toMatchObject({ status: 200, json: { engaged: true, reason: 'oracle incident' } });
    expect(await repos.limits.globalKillSwitch()).toEqual({ engaged: true, reason: 'oracle incident' });
    expect((await call('GET', '/admin/kill-switch', { token: ADMIN_KEY })).json).toEqual({ engaged: true, reason: 'oracle incident' });

    const released = await call('PUT', '/admin/kill-switch', { token: ADMIN_KEY, body: { engaged: false, reason: 'oracle back' } });
    expect(released).toMatchObject({ status: 200, json: { engaged: false } });
    expect(await repos.limits.globalKillSwitch()).toEqual({ engaged: false });
  });

  it('kill switch: an account key, no key or a wrong key gets 401 (as POST /accounts) and changes nothing', async () => {
    const { call, newAccount, snapshot } = api();
    const { apiKey } = await newAccount();
    const before = await snapshot();
    for (const token of [apiKey, undefined, `${ADMIN_KEY}x`]) {
      const auth = token === undefined ? {} : { token };
      const read = await call('GET', '/admin/kill-switch', auth);
      expect(read.status).toBe(401);
      expect(read.headers['www-authenticate']).toBe('Bearer');
      const write = await call('PUT', '/admin/kill-switch', { ...auth, body: { engaged: true, reason: 'not mine to pull' } });
      expect(write.status).toBe(401);
      expect(write.headers['content-type']).toBe('application/problem+json');
    }
    expect(await snapshot()).toBe(before);
  });

  it('kill switch: an invalid body → 400 problem+json with field paths; nothing changes', async () => {
    const { call, snapshot } = api();
    const before = await snapshot();
    const cases: { body: unknown; paths: string[] }[] = [
      { body: { engaged: 'yes', reason: 'x' }, paths: ['body.engaged'] },
      { body: { engaged: true }, paths: ['body.reason'] },
      { body: { engaged: true, reason: '   ' }, paths: ['body.reason'] },
      { body: { engaged: true, reason: 'r'.repeat(501) }, paths: ['body.reason'] },
      { body: { engaged: true, reason: 'ok', actor: 'me' }, paths: ['body'] },
      { body: [], paths: ['body'] },
    ];
    for (const { body, paths } of cases) {
      const rejected = await call('PUT', '/admin/kill-switch', { token: ADMIN_KEY, body });
      expect(rejected.status, JSON.stringify(body)).toBe(400);
      expect(rejected.headers['content-type']).toBe('application/problem+json');
      expect(rejected.json).toMatchObject({ type: 'urn:hedge:problem:invalid-request', status: 400 });
      expect((rejected.json.errors as { path: string }[]).map((e) => e.path)).toEqual(paths);
    }
    const notJson = await call('PUT', '/admin/kill-switch', { token: ADMIN_KEY, body: '{"engaged":' });
    expect(notJson).toMatchObject({ status: 400, json: { type: 'urn:hedge:problem:invalid-json' } });
    expect(await snapshot()).toBe(before);
    expect((await call('GET', '/admin/kill-switch', { token: ADMIN_KEY })).json).toEqual({ engaged: false });
    // The bound is inclusive: 500 characters are accepted.
    const longest = await call('PUT', '/admin/kill-switch', { token: ADMIN_KEY, body: { engaged: true, reason: 'r'.repeat(500) } });
    expect(longest).toMatchObject({ status: 200, json: { engaged: true, reason: 'r'.repeat(500) } });
    await call('PUT', '/admin/kill-switch', { token: ADMIN_KEY, body: { engaged: false, reason: 'test over' } });
  });

  it('PUT config with ?expectedVersion: creates at 0, replaces at the current version, stale 409', async () => {
    const { call, newAccount, snapshot } = api();
    const { accountId, apiKey } = await newAccount();
    const path = `/accounts/${accountId}/config`;
    const v1 = await call('PUT', path, { token: apiKey, body: VALID_CONFIG, query: { expectedVersion: '0' } });
    expect(v1).toMatchObject({ status: 200, json: { version: 1 }, headers: { etag: '"1"' } });
    const v2 = await call('PUT', path, { token: apiKey, body: { ...VALID_CONFIG, band: { unit: 'units', trigger: 7 } }, query: { expectedVersion: '1' } });
    expect(v2).toMatchObject({ status: 200, json: { version: 2, config: { band: { trigger: 7 } } } });
    const before = await snapshot();
    const stale = await call('PUT', path, { token: apiKey, body: VALID_CONFIG, query: { expectedVersion: '1' } });
    expect(stale).toMatchObject({ status: 409, json: { type: 'urn:hedge:problem:conflict' } });
    expect(await snapshot()).toBe(before);
  });

  it('PUT config: If-Match and ?expectedVersion together must agree (400 otherwise); neither is 428; a bad value is 400', async () => {
    const { call, newAccount, snapshot } = api();
    const { accountId, apiKey } = await newAccount();
    const path = `/accounts/${accountId}/config`;
    await call('PUT', path, { token: apiKey, body: VALID_CONFIG, headers: { 'if-match': '"0"' } });
    const before = await snapshot();

    const disagree = await call('PUT', path, { token: apiKey, body: VALID_CONFIG, headers: { 'if-match': '"1"' }, query: { expectedVersion: '0' } });
    expect(disagree).toMatchObject({ status: 400, json: { type: 'urn:hedge:problem:invalid-request' } });
    expect((disagree.json.errors as { path: string }[]).map((e) => e.path)).toEqual(['query.expectedVersion']);

    const neither = await call('PUT', path, { token: apiKey, body: VALID_CONFIG });
    expect(neither).toMatchObject({ status: 428, json: { type: 'urn:hedge:problem:precondition-required' } });

    for (const expectedVersion of ['-1', '1.0', 'one', '', '01']) {
      const bad = await call('PUT', path, { token: apiKey, body: VALID_CONFIG, query: { expectedVersion } });
      expect(bad.status, expectedVersion).toBe(400);
      expect((bad.json.errors as { path: string }[]).map((e) => e.path)).toEqual(['query.expectedVersion']);
    }
    const unknownParam = await call('PUT', path, { token: apiKey, body: VALID_CONFIG, query: { version: '1' } });
    expect(unknownParam.status).toBe(400);
    // The body stays the config: a version field in it is rejected, not read.
    const inBody = await call('PUT', path, { token: apiKey, body: { ...VALID_CONFIG, version: 1 } });
    expect(inBody.status).toBe(428);
    const inBodyWithQuery = await call('PUT', path, { token: apiKey, body: { ...VALID_CONFIG, version: 1 }, query: { expectedVersion: '1' } });
    expect(inBodyWithQuery.status).toBe(400);
    expect(await snapshot()).toBe(before);

    const agree = await call('PUT', path, { token: apiKey, body: VALID_CONFIG, headers: { 'if-match': '"1"' }, query: { expectedVersion: '1' } });
    expect(agree).toMatchObject({ status: 200, json: { version: 2 } });
  });

  it('documents the new operations: exposure with the snapshot schema, the admin kill switch, expectedVersion on PUT config', async () => {
    const { call } = api();
    const document = (await call('GET', '/openapi.json')).json as {
      paths: Record<string, Record<string, { security?: Record<string, unknown>[]; parameters?: { name: string; in: string; required: boolean }[]; responses: Record<string, unknown> }>>;
    };
    const exposure = document.paths['/accounts/{accountId}/exposure']?.get;
    expect(exposure?.security).toEqual([{ apiKey: [] }]);
    expect(JSON.stringify(exposure?.responses['200'])).toContain('"market-unavailable"');
    expect(document.paths['/admin/kill-switch']?.get?.security).toEqual([{ adminKey: [] }]);
    expect(document.paths['/admin/kill-switch']?.put?.security).toEqual([{ adminKey: [] }]);
    const putConfig = document.paths['/accounts/{accountId}/config']?.put;
    expect(putConfig?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'expectedVersion', in: 'query', required: false }),
        expect.objectContaining({ name: 'If-Match', in: 'header', required: false }),
      ]),
    );
  });
});
