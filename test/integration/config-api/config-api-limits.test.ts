/**
 * Request limits of the configuration API: a body over the limit is a 413 on every route,
 * a caller over its budget a 429 with Retry-After (counted in DynamoDB Local, exactly,
 * under concurrency), and a flood on the API leaves the webhook path untouched.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWebhookDeliveryRepository } from '../../../shared/adapters/dynamodb/webhook-delivery-repository.ts';
import { WEBHOOK_VERIFIERS } from '../../../shared/adapters/webhook-providers/webhook-verifiers.ts';
import { WEBHOOK_PAYLOAD_PARSERS } from '../../../shared/contracts/webhooks/webhook-payloads.ts';
import { createIngestWebhookHandler } from '../../../functions/ingest-webhook/handler.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { apiEvent as webhookEvent, irrelevantPayload, LAMBDA_CONTEXT, MemoryQueue, SECRETS, sign } from '../webhooks/webhook-fixtures.ts';
import { ADMIN_KEY, createFixture, VALID_CONFIG } from './config-api-fixture.ts';

describe('config API request limits', () => {
  const ddb = useDynamoDbLocal();

  it('a body over the limit is a 413 on every route that reads one and on those that do not, and changes nothing', async () => {
    const { call, newAccount, snapshot, handler } = createFixture(ddb().doc, ddb().tableName, { maxBodyBytes: 4096 });
    const { accountId, apiKey, keyId } = await newAccount();
    const before = await snapshot();
    const big = { ...VALID_CONFIG, padding: 'x'.repeat(5000) };
    for (const route of handler.routes) {
      const path = route.path.replace('{accountId}', accountId).replace('{keyId}', keyId).replace('{positionId}', 'p1');
      const response = await call(route.method, path, { token: route.path.startsWith('/admin') || route.path === '/accounts' ? ADMIN_KEY : apiKey, body: big, headers: { 'if-match': '"0"' } });
      expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 413 });
      expect(response.json).toMatchObject({ type: 'urn:hedge:problem:payload-too-large' });
    }
    expect(await snapshot()).toBe(before);
  });

  it('a caller over its budget gets 429 with Retry-After; another caller is not affected; a wrong key is limited as one caller too', async () => {
    const { call, newAccount } = createFixture(ddb().doc, ddb().tableName, { perMinute: 5 });
    // Two accounts made with the admin key (its own budget: 2 of 5).
    const a = await newAccount();
    const b = await newAccount();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call('GET', `/accounts/${a.accountId}/positions`, { token: a.apiKey })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await call('GET', `/accounts/${a.accountId}/positions`, { token: a.apiKey });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(limited.json).toMatchObject({ type: 'urn:hedge:problem:too-many-requests', status: 429 });
    expect((await call('GET', `/accounts/${b.accountId}/positions`, { token: b.apiKey })).status).toBe(200);
    const wrong = `hk_${randomUUID()}`;
    const wrongStatuses: number[] = [];
    for (let i = 0; i < 6; i++) wrongStatuses.push((await call('GET', `/accounts/${a.accountId}/positions`, { token: wrong })).status);
    expect(wrongStatuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('concurrent requests never take more than the budget (the store decides)', async () => {
    const { call, newAccount } = createFixture(ddb().doc, ddb().tableName, { perMinute: 8 });
    const { accountId, apiKey } = await newAccount();
    const results = await Promise.all(Array.from({ length: 30 }, () => call('GET', `/accounts/${accountId}/positions`, { token: apiKey })));
    const allowed = results.filter((r) => r.status === 200).length;
    // The budget is per minute window: a window edge inside the burst can allow one more window's share, never more.
    expect([8, 16]).toContain(allowed);
    expect(results.filter((r) => r.status === 429)).toHaveLength(30 - allowed);
  });

  it('a flood on the API (answered 429) leaves every webhook delivery accepted', async () => {
    const { doc, tableName } = ddb();
    const { call, newAccount } = createFixture(doc, tableName, { perMinute: 10 });
    const { accountId, apiKey } = await newAccount();
    const queue = new MemoryQueue();
    const ingest = createIngestWebhookHandler({
      deps: {
        sources: { standard: { verify: WEBHOOK_VERIFIERS.standard, parse: WEBHOOK_PAYLOAD_PARSERS.standard, secrets: SECRETS.standard, chainId: 31337, contracts: ['0x00000000000000000000000000000000000000e1'] } },
        dedupe: createWebhookDeliveryRepository({ doc, tableName }),
        queue,
        now: () => new Date(),
      },
    });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const flood = Array.from({ length: 200 }, () => call('GET', `/accounts/${accountId}/positions`, { token: apiKey }));
    const deliveries = Array.from({ length: 20 }, () => {
      const id = `dlv_${randomUUID()}`;
      return ingest(webhookEvent('standard', sign('standard', irrelevantPayload('standard', id), SECRETS.standard[0]!, nowSeconds, id)), LAMBDA_CONTEXT);
    });
    const [api, hooks] = await Promise.all([Promise.all(flood), Promise.all(deliveries)]);
    expect(hooks.map((r) => r.statusCode)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(api.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(180);
  });
});
