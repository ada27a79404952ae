/**
 * The configuration API end to end: API Gateway v2 events through the middy router, the
 * use cases and the real repositories against DynamoDB Local.
 */
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../../shared/contracts/events/decode-event.ts';
import { initialHedgeState } from '../../../shared/domain/policy/hedge-state.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { CONFIG_API_ROUTES, type ConfigApiOperation } from '../../../shared/contracts/api/config-api-routes.ts';
import { ADMIN_KEY, BUS_NAME, createFixture, VALID_CONFIG, type ConfigApiFixture } from './config-api-fixture.ts';

function operationOf(route: { method: string; path: string }): ConfigApiOperation {
  const found = Object.entries(CONFIG_API_ROUTES).find(([, spec]) => spec.method === route.method && spec.path === route.path);
  if (found === undefined) throw new Error(`no route ${route.method} ${route.path}`);
  return found[0] as ConfigApiOperation;
}

describe('config API', () => {
  const ddb = useDynamoDbLocal();
  let cached: ConfigApiFixture | undefined;
  const api = (): ConfigApiFixture => (cached ??= createFixture(ddb().doc, ddb().tableName));

  it('creates an account with the admin key; the key it returns works, once-shown and hashed', async () => {
    const { call, snapshot } = api();
    const created = await call('POST', '/accounts', { token: ADMIN_KEY, body: { displayName: 'Desk 1', contactEmail: 'ops@example.com' } });
    expect(created.status).toBe(201);
    const { accountId, apiKey, keyId } = created.json as { accountId: string; apiKey: string; keyId: string };
    expect(apiKey).toMatch(/^hk_[A-Za-z0-9_-]{43}$/);
    expect(keyId).toMatch(/^key-/);
    expect(await snapshot()).not.toContain(apiKey);
    const noConfig = await call('GET', `/accounts/${accountId}/config`, { token: apiKey });
    expect(noConfig.status).toBe(404);
    expect(noConfig.headers['content-type']).toBe('application/problem+json');
    expect(noConfig.json).toMatchObject({ type: 'urn:hedge:problem:not-found', status: 404 });
  });

  it('answers 401 for a missing, malformed or wrong credential, and the account key is not an admin key', async () => {
    const { call, newAccount, snapshot } = api();
    const { accountId, apiKey } = await newAccount();
    const before = await snapshot();
    for (const token of [undefined, 'hk_wrong', `${ADMIN_KEY}x`]) {
      const denied = await call('POST', '/accounts', { ...(token === undefined ? {} : { token }), body: { displayName: 'x' } });
      expect(denied.status).toBe(401);
      expect(denied.headers['www-authenticate']).toBe('Bearer');
    }
    expect((await call('POST', '/accounts', { token: apiKey, body: { displayName: 'x' } })).status).toBe(401);
    // The operator reads an account's configuration (404: none yet), but cannot write its policy.
    expect((await call('GET', `/accounts/${accountId}/config`, { token: ADMIN_KEY })).status).toBe(404);
    expect((await call('PUT', `/accounts/${accountId}/config`, { token: ADMIN_KEY, body: VALID_CONFIG, headers: { 'if-match': '"0"' } })).status).toBe(401);
    expect((await call('PUT', `/accounts/${accountId}/operator-config`, { token: apiKey, body: {}, headers: { 'if-match': '"0"' } })).status).toBe(401);
    expect((await call('GET', `/accounts/${accountId}/config`, { headers: { authorization: `Basic ${apiKey}` } })).status).toBe(401);
    expect(await snapshot()).toBe(before);
  });

  it('versions the config: 428 without If-Match, ETag, stale 409, history newest first with actor, paginated', async () => {
    const { call, newAccount } = api();
    const { accountId, apiKey, keyId } = await newAccount();
    const path = `/accounts/${accountId}/config`;
    const missing = await call('PUT', path, { token: apiKey, body: VALID_CONFIG });
    expect(missing.status).toBe(428);
    const v1 = await call('PUT', path, { token: apiKey, body: VALID_CONFIG, headers: { 'If-Match': '"0"' } });
    expect(v1.status).toBe(200);
    expect(v1.headers.etag).toBe('"1"');
    expect(v1.json).toMatchObject({ version: 1, updatedBy: `key:${keyId}`, config: { underlying: 'ETH', hedgeInstrument: 'perp' } });
    const read = await call('GET', path, { token: apiKey });
    expect(read.headers.etag).toBe('"1"');
    const v2 = await call('PUT', path, { token: apiKey, body: { ...VALID_CONFIG, band: { unit: 'units', trigger: 7 } }, headers: { 'if-match': read.headers.etag ?? '' } });
    expect(v2.json).toMatchObject({ version: 2 });
    const stale = await call('PUT', path, { token: apiKey, body: VALID_CONFIG, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ type: 'urn:hedge:problem:conflict', status: 409 });
    expect(stale.json.detail).toContain('current is 2');
    await call('PUT', path, { token: apiKey, body: VALID_CONFIG, headers: { 'if-match': '2' } });
    const first = await call('GET', `${path}/history`, { token: apiKey, query: { limit: '2' } });
    expect(first.json.items?.map((v) => v.version)).toEqual([3, 2]);
    expect(first.json.items?.[0]).toMatchObject({ updatedBy: `key:${keyId}` });
    expect(typeof first.json.items?.[0]?.updatedAt).toBe('string');
    const second = await call('GET', `${path}/history`, { token: apiKey, query: { limit: '2', cursor: String(first.json.cursor) } });
    expect(second.json.items?.map((v) => v.version)).toEqual([1]);
    expect(second.json.cursor).toBeUndefined();
    const badCursor = await call('GET', `${path}/history`, { token: apiKey, query: { cursor: 'bm9wZQ' } });
    expect(badCursor.status).toBe(400);
  });

  it('invalid JSON → 400; an invalid config → 400 with field paths; neither changes anything', async () => {
    const { call, newAccount, snapshot } = api();
    const { accountId, apiKey } = await newAccount();
    const path = `/accounts/${accountId}/config`;
    const before = await snapshot();
    const notJson = await call('PUT', path, { token: apiKey, body: '{"underlying":', headers: { 'if-match': '"0"' } });
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ type: 'urn:hedge:problem:invalid-json' });
    const invalid = await call('PUT', path, { token: apiKey, body: { underlying: 'ETH', band: { unit: 'units', trigger: -1 }, extra: 1 }, headers: { 'if-match': '"0"' } });
    expect(invalid.status).toBe(400);
    const paths = (invalid.json.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toContain('body.band.trigger');
    expect(paths).toContain('body');
    const badIfMatch = await call('PUT', path, { token: apiKey, body: VALID_CONFIG, headers: { 'if-match': 'soon' } });
    expect(badIfMatch.status).toBe(400);
    expect(await snapshot()).toBe(before);
  });

  it('50 concurrent PUTs with the same If-Match: exactly one 200, 49 409', async () => {
    const { call, newAccount } = api();
    const { accountId, apiKey } = await newAccount();
    const path = `/accounts/${accountId}/config`;
    await call('PUT', path, { token: apiKey, body: VALID_CONFIG, headers: { 'if-match': '"0"' } });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => call('PUT', path, { token: apiKey, body: { ...VALID_CONFIG, band: { unit: 'units', trigger: 1 + i } }, headers: { 'if-match': '"1"' } })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    const history = await call('GET', `${path}/history`, { token: apiKey });
    expect(history.json.items?.map((v) => v.version)).toEqual([2, 1]);
  });

  it('rotates keys without downtime: the new key works beside the old, the revoked key is 401', async () => {
    const { call, newAccount } = api();
    const { accountId, apiKey: oldKey, keyId: oldKeyId } = await newAccount();
    const issued = await call('POST', `/accounts/${accountId}/keys`, { token: oldKey });
    expect(issued.status).toBe(201);
    const newKey = String(issued.json.apiKey);
    expect((await call('GET', `/accounts/${accountId}/positions`, { token: oldKey })).status).toBe(200);
    expect((await call('GET', `/accounts/${accountId}/positions`, { token: newKey })).status).toBe(200);
    expect((await call('DELETE', `/accounts/${accountId}/keys/${oldKeyId}`, { token: newKey })).status).toBe(204);
    expect((await call('GET', `/accounts/${accountId}/positions`, { token: oldKey })).status).toBe(401);
    expect((await call('GET', `/accounts/${accountId}/positions`, { token: newKey })).status).toBe(200);
    expect((await call('DELETE', `/accounts/${accountId}/keys/${oldKeyId}`, { token: newKey })).status).toBe(204);
    expect((await call('DELETE', `/accounts/${accountId}/keys/key-unknown`, { token: newKey })).status).toBe(404);
  });

  it('pauses and resumes; rebalance publishes exactly one Evaluation Requested event (409 while paused)', async () => {
    const { call, newAccount, published, repos } = api();
    const { accountId, apiKey } = await newAccount();
    const paused = await call('POST', `/accounts/${accountId}/pause`, { token: apiKey });
    expect(paused).toMatchObject({ status: 200, json: { accountId, status: 'paused' } });
    expect((await repos.accounts.getAccount(accountId))?.status).toBe('paused');
    const count = published.length;
    expect((await call('POST', `/accounts/${accountId}/rebalance`, { token: apiKey })).status).toBe(409);
    expect(published).toHaveLength(count);
    expect((await call('POST', `/accounts/${accountId}/resume`, { token: apiKey })).json).toEqual({ accountId, status: 'active' });
    expect((await repos.accounts.getAccount(accountId))?.status).toBe('active');
    const requested = await call('POST', `/accounts/${accountId}/rebalance`, { token: apiKey });
    expect(requested.status).toBe(202);
    expect(published).toHaveLength(count + 1);
    const entry = published[count];
    expect(entry?.EventBusName).toBe(BUS_NAME);
    if (entry === undefined) throw new Error('no event published');
    const event = decodeEvent(entry);
    expect(event).toMatchObject({ type: 'Evaluation Requested', detail: { accountId, trigger: 'operator', eventId: requested.json.eventId } });
    // The API request's id (API Gateway's requestId) is the flow's correlation id.
    expect(event.detail.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('positions: create, 428 on blind replace, replace at revision, stale 409, list, delete', async () => {
    const { call, newAccount } = api();
    const { accountId, apiKey } = await newAccount();
    const path = `/accounts/${accountId}/positions/p1`;
    const position = { id: 'p1', underlying: 'ETH', quantity: 2, kind: 'spot' };
    const created = await call('PUT', path, { token: apiKey, body: position });
    expect(created).toMatchObject({ status: 201, json: { revision: 1, source: 'manual', position } });
    expect((await call('PUT', path, { token: apiKey, body: position })).status).toBe(428);
    const replaced = await call('PUT', path, { token: apiKey, body: { ...position, quantity: 3 }, headers: { 'if-match': '"1"' } });
    expect(replaced).toMatchObject({ status: 200, json: { revision: 2 }, headers: { etag: '"2"' } });
    expect((await call('PUT', path, { token: apiKey, body: position, headers: { 'if-match': '"1"' } })).status).toBe(409);
    expect((await call('PUT', `/accounts/${accountId}/positions/p2`, { token: apiKey, body: position })).status).toBe(400);
    const list = await call('GET', `/accounts/${accountId}/positions`, { token: apiKey });
    expect(list.json.items?.map((p) => p.position)).toEqual([{ ...position, quantity: 3 }]);
    expect((await call('GET', path, { token: apiKey })).headers.etag).toBe('"2"');
    expect((await call('DELETE', path, { token: apiKey })).status).toBe(428);
    expect((await call('DELETE', path, { token: apiKey, headers: { 'if-match': '"1"' } })).status).toBe(409);
    expect((await call('DELETE', path, { token: apiKey, headers: { 'if-match': '"2"' } })).status).toBe(204);
    expect((await call('GET', path, { token: apiKey })).status).toBe(404);
    expect((await call('DELETE', path, { token: apiKey, headers: { 'if-match': '"2"' } })).status).toBe(404);
  });

  it('lists hedge records newest first, paginated by cursor', async () => {
    const { call, newAccount, repos } = api();
    const { accountId, apiKey } = await newAccount();
    for (let i = 0; i < 3; i += 1) {
      await repos.hedges.putHedgeRecord(accountId, { hedgeId: `h${i}`, at: new Date(Date.UTC(2026, 0, 1, 0, i)), record: { i } });
    }
    const first = await call('GET', `/accounts/${accountId}/hedges`, { token: apiKey, query: { limit: '2' } });
    expect(first.json.items?.map((h) => h.hedgeId)).toEqual(['h2', 'h1']);
    const second = await call('GET', `/accounts/${accountId}/hedges`, { token: apiKey, query: { limit: '2', cursor: String(first.json.cursor) } });
    expect(second.json.items?.map((h) => h.hedgeId)).toEqual(['h0']);
    expect((await call('GET', `/accounts/${accountId}/hedges`, { token: apiKey, query: { limit: '0' } })).status).toBe(400);
  });

  it("another account's key gets 403 on every account route and changes nothing", async () => {
    const { call, newAccount, snapshot, handler, published, repos } = api();
    const victim = await newAccount();
    const intruder = await newAccount();
    await call('PUT', `/accounts/${victim.accountId}/config`, { token: victim.apiKey, body: VALID_CONFIG, headers: { 'if-match': '"0"' } });
    await call('PUT', `/accounts/${victim.accountId}/positions/p1`, { token: victim.apiKey, body: { id: 'p1', underlying: 'ETH', quantity: 1, kind: 'spot' } });
    // The victim has been evaluated, so a 403 on exposure is not a disguised 404.
    const at = new Date().toISOString();
    await repos.evaluations.commit(victim.accountId, {
      expectedVersion: 0,
      state: initialHedgeState(Date.parse(at)),
      exposure: { evaluationId: 'eval-victim', at, underlying: 'ETH', status: 'no-market-source', problem: { code: 'NO_SOURCE', message: 'no market source' } },
      lastEvaluation: { evaluationId: 'eval-victim', at, events: [] },
      hedgeRecords: [],
    });
    const before = await snapshot();
    const events = published.length;
    // Every route an account key may call (the operator's are 401 for any account key, checked elsewhere).
    const accountRoutes = handler.routes.filter((r) => r.path.startsWith('/accounts/') && CONFIG_API_ROUTES[operationOf(r)].auth !== 'admin');
    expect(accountRoutes.length).toBeGreaterThanOrEqual(14);
    expect(accountRoutes.map((r) => `${r.method} ${r.path}`)).toContain('GET /accounts/{accountId}/exposure');
    for (const route of accountRoutes) {
      const path = route.path.replace('{accountId}', victim.accountId).replace('{keyId}', victim.keyId).replace('{positionId}', 'p1');
      const body = route.path.endsWith('/config') ? VALID_CONFIG : { id: 'p1', underlying: 'ETH', quantity: 9, kind: 'spot' };
      const response = await call(route.method, path, { token: intruder.apiKey, body, headers: { 'if-match': '"1"' } });
      expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 403 });
      expect(response.json).toMatchObject({ type: 'urn:hedge:problem:forbidden' });
    }
    expect(await snapshot()).toBe(before);
    expect(published).toHaveLength(events);
    expect((await call('GET', `/accounts/${victim.accountId}/config`, { token: victim.apiKey })).status).toBe(200);
    expect((await call('GET', `/accounts/${victim.accountId}/exposure`, { token: victim.apiKey })).json).toMatchObject({ evaluationId: 'eval-victim' });
  });
});
