// Generated requests against the configuration API: random bodies, credentials, If-Match
// and query values on the writing routes (config, operator set-up, positions, accounts,
// pause/resume, the kill switch). Two rules, checked after every request: never a 5xx,
// and a rejected request (4xx) changes nothing in the table. Used by the test suite (a
// hundred runs, a fixed seed) and by the bench's fuzz mode (ten thousand, a fresh seed).
import fc from 'fast-check';
import type { ConfigApiFixture } from '../../integration/config-api/config-api-fixture.ts';
import { ADMIN_KEY, VALID_CONFIG } from '../../integration/config-api/config-api-fixture.ts';

export interface FuzzOptions {
  readonly numRuns: number;
  readonly seed: number;
}

export interface FuzzReport {
  readonly runs: number;
  /** How many answers of each status: evidence the generator reaches past authentication and validation. */
  readonly statuses: ReadonlyMap<number, number>;
}

export class FuzzViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuzzViolation';
  }
}

export async function fuzzConfigApi(api: ConfigApiFixture, options: FuzzOptions): Promise<FuzzReport> {
  const { call, newAccount, snapshot } = api;
  const { accountId, apiKey } = await newAccount();
  const other = await newAccount();
  await call('PUT', `/accounts/${accountId}/config`, { token: apiKey, body: VALID_CONFIG, headers: { 'if-match': '"0"' } });
  await call('PUT', `/accounts/${accountId}/positions/p1`, { token: apiKey, body: { id: 'p1', underlying: 'ETH', quantity: 1, kind: 'spot' } });

  const routes = fc.constantFrom(
    { method: 'PUT', path: `/accounts/${accountId}/config` },
    { method: 'PUT', path: `/accounts/${accountId}/operator-config` },
    { method: 'PUT', path: `/accounts/${accountId}/positions/p1` },
    { method: 'DELETE', path: `/accounts/${accountId}/positions/p1` },
    { method: 'POST', path: '/accounts' },
    { method: 'GET', path: `/accounts/${accountId}` },
    { method: 'GET', path: `/accounts/${accountId}/config/history` },
    { method: 'POST', path: `/accounts/${accountId}/pause` },
    { method: 'POST', path: `/accounts/${accountId}/resume` },
    { method: 'PUT', path: '/admin/kill-switch' },
    { method: 'PUT', path: `/accounts/${encodeURIComponent('bad#id')}/config` },
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
    fc
      .record({ executionLimits: fc.record({ maxSlippageBps: fc.oneof(fc.integer(), fc.double()), maxTradeNotionalUsd: fc.double() }, { requiredKeys: [] }), underlying: fc.constant('ETH'), band: fc.constant({ unit: 'units', trigger: 1 }) }, { requiredKeys: [] })
      .map((b) => JSON.stringify(b)),
  );
  const tokens = fc.constantFrom<string | undefined>(apiKey, apiKey, other.apiKey, ADMIN_KEY, undefined, 'hk_garbage', '');
  const ifMatch = fc.option(fc.oneof(fc.constantFrom('"1"', '"2"', '"0"', '*', 'W/"1"', '"999999999999999"'), fc.string()), { nil: undefined });
  const query = fc.option(fc.dictionary(fc.constantFrom('limit', 'cursor', 'expectedVersion', 'x'), fc.oneof(fc.string(), fc.constantFrom('0', '1', '2'))), { nil: undefined });

  const statuses = new Map<number, number>();
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
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (api.errors.length > 0) throw new FuzzViolation(`${route.method} ${route.path} logged an unexpected error: ${String(api.errors[0])}`);
      if (response.status >= 500) throw new FuzzViolation(`${route.method} ${route.path} answered ${response.status}: ${JSON.stringify(response.json)}`);
      if (response.status >= 400) {
        if (response.headers['content-type'] !== 'application/problem+json') throw new FuzzViolation(`${route.method} ${route.path}: a ${response.status} that is not problem+json`);
        if ((await snapshot()) !== before) throw new FuzzViolation(`${route.method} ${route.path}: a rejected request (${response.status}) changed the table`);
      }
    }),
    { numRuns: options.numRuns, seed: options.seed },
  );
  return { runs: options.numRuns, statuses };
}
