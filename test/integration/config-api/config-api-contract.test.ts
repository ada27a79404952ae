/**
 * The configuration API's contract: the OpenAPI document matches the router both ways,
 * and a fuzz of bodies and headers on the writing routes never gets a 5xx and, when
 * rejected, changes nothing in the table.
 */
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { fuzzConfigApi } from '../../support/fuzz/config-api-fuzz.ts';
import { createFixture, type ConfigApiFixture } from './config-api-fixture.ts';

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
    const fixture = api();
    const report = await fuzzConfigApi(fixture, { numRuns: 150, seed: 20260105 });
    // The generator reaches past authentication and validation, not only the 401 path.
    expect(report.statuses.get(401)).toBeGreaterThan(0);
    expect(report.statuses.get(400)).toBeGreaterThan(0);
    expect([...report.statuses.keys()].some((status) => status >= 200 && status < 300)).toBe(true);
  });
});
