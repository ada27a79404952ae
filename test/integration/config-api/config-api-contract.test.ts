/**
 * The configuration API's contract: the OpenAPI document matches the router both ways,
 * and a fuzz of bodies and headers on the writing routes never gets a 5xx and, when
 * rejected, changes nothing in the table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { ADMIN_KEY, createFixture, VALID_CONFIG, type ConfigApiFixture } from './config-api-fixture.ts';

const METHODS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'];

describe('config API contract', () => {
  const ddb = useDynamoDbLocal();
  let cached: ConfigApiFixture | undefined;
  const api = (): ConfigApiFixture => (cached ??= createFixture(ddb().doc, ddb().tableName));

  it('serves an OpenAPI 3.1 document whose operations are exactly the routes of the router', async () => {
    const { call, handler } = api();
    const response = await call('GET', '/openapi.json');
    expect(response.status).toBe(200);
    const document = response.json as { openapi: string; paths: Record<string, Record<string, { operationId: string; requestBody?: unknown }>> };
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).filter((key) => METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const routed = handler.routes.map((r) => `${r.method} ${r.path}`);
    expect([...documented].sort()).toEqual([...routed].sort());
    expect(new Set(routed).size).toBe(routed.length);
    // Each documented operation reaches a route (no "route-not-found") when called as documented.
    for (const entry of documented) {
      const [method = '', path = ''] = entry.split(' ');
      const concrete = path.replace('{accountId}', 'acc-x').replace('{keyId}', 'key-x').replace('{positionId}', 'p1');
      const reached = await call(method, concrete);
      expect(reached.json.type, entry).not.toBe('urn:hedge:problem:route-not-found');
    }
    expect((await call('GET', '/nowhere')).json).toMatchObject({ status: 404, type: 'urn:hedge:problem:route-not-found' });
    // The config body is the HedgePolicyConfigSchema's JSON Schema.
    const putConfig = document.paths['/accounts/{accountId}/config']?.put;
    expect(JSON.stringify(putConfig?.requestBody)).toContain('"whalleyWilmott"');
  });

  it('fuzz: random bodies and headers on writing routes never get a 5xx; a rejected request changes nothing', async () => {
    const { call, newAccount, snapshot, errors } = api();
    const { accountId, apiKey } = await newAccount();
    const other = await newAccount();
    await call('PUT', `/accounts/${accountId}/config`, { token: apiKey, body: VALID_CONFIG, headers: { 'if-match': '"0"' } });
    const position = { id: 'p1', underlying: 'ETH', quantity: 1, kind: 'spot' };
    await call('PUT', `/accounts/${accountId}/positions/p1`, { token: apiKey, body: position });

    const routes = fc.constantFrom(
      { method: 'PUT', path: `/accounts/${accountId}/config` },
      { method: 'PUT', path: `/accounts/${accountId}/positions/p1` },
      { method: 'DELETE', path: `/accounts/${accountId}/positions/p1` },
      { method: 'POST', path: '/accounts' },
      { method: 'GET', path: `/accounts/${accountId}/config/history` },
      { method: 'PUT', path: '/admin/kill-switch' },
      { method: 'PUT', path: `/accounts/${encodeURIComponent('bad#id')}/config` },
      { method: 'PUT', path: `/accounts/${accountId}/operator-config` },
      { method: 'POST', path: `/accounts/${accountId}/pause` },
      { method: 'POST', path: `/accounts/${accountId}/resume` },
      { method: 'GET', path: `/accounts/${accountId}` },
    );
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc.constant('{"underlying":'),
      fc.record({ underlying: fc.oneof(fc.string(), fc.integer()), band: fc.anything() }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
      fc.record({ id: fc.string(), underlying: fc.string(), quantity: fc.oneof(fc.double(), fc.string()), kind: fc.constantFrom('spot', 'option', 'x') }).map((b) => JSON.stringify(b)),
      fc.record({ displayName: fc.oneof(fc.string(), fc.integer()), contactEmail: fc.string() }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
      fc.record({ engaged: fc.oneof(fc.boolean(), fc.string()), reason: fc.oneof(fc.string({ maxLength: 600 }), fc.integer()) }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
      fc.record({ underlying: fc.constantFrom('ETH', 'BTC', ''), market: fc.anything(), execution: fc.anything() }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
      fc.record({ acknowledgePauseId: fc.string(), note: fc.oneof(fc.string({ maxLength: 600 }), fc.integer()), reason: fc.string() }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
      fc.record({ executionLimits: fc.record({ maxSlippageBps: fc.oneof(fc.integer(), fc.double()), maxTradeNotionalUsd: fc.double() }, { requiredKeys: [] }), underlying: fc.constant('ETH'), band: fc.constant({ unit: 'units', trigger: 1 }) }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
    );
    const tokens = fc.constantFrom<string | undefined>(apiKey, apiKey, other.apiKey, ADMIN_KEY, undefined, 'hk_garbage', '');
    const ifMatch = fc.option(fc.oneof(fc.constantFrom('"1"', '"2"', '"0"', '*', 'W/"1"', '"999999999999999"'), fc.string()), { nil: undefined });
    const query = fc.option(fc.dictionary(fc.constantFrom('limit', 'cursor', 'expectedVersion', 'x'), fc.oneof(fc.string(), fc.constantFrom('0', '1', '2'))), { nil: undefined });

    await fc.assert(
      fc.asyncProperty(routes, bodies, tokens, ifMatch, query, fc.boolean(), async (route, body, token, match, q, base64) => {
        const before = await snapshot();
        const response = await call(route.method, route.path, {
          ...(token === undefined ? {} : { token }),
          body: base64 ? Buffer.from(body).toString('base64') : body,
          isBase64Encoded: base64,
          ...(match === undefined ? {} : { headers: { 'if-match': match } }),
          ...(q === undefined ? {} : { query: q }),
        });
        expect(response.status, JSON.stringify(response.json)).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.headers['content-type']).toBe('application/problem+json');
          expect(await snapshot()).toBe(before);
        }
      }),
      { numRuns: 100, seed: 20260105 },
    );
    expect(errors).toEqual([]);
  });
});
