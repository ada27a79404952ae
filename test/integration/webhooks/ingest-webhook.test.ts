// POST /webhooks/{provider} end to end, per provider: a real middy handler, the real
// verifiers and payload schemas, the webhook delivery repository on DynamoDB Local, the
// OptionBook on anvil for real logs, and the confirmation consumer reading them back.
// The queue and the publisher are in-memory fakes of their ports (SQS and EventBridge
// have no local stand-in in this repo yet).
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Log } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPositionRepository } from '../../../shared/adapters/dynamodb/position-repository.ts';
import { createWebhookDeliveryRepository } from '../../../shared/adapters/dynamodb/webhook-delivery-repository.ts';
import { WEBHOOK_VERIFIERS } from '../../../shared/adapters/webhook-providers/webhook-verifiers.ts';
import { confirmPositions, type ConfirmPositionsDeps } from '../../../shared/app/confirm-positions/confirm-positions.ts';
import { createViemOptionBookReader } from '../../../shared/adapters/chain/option-book-reader.ts';
import { CHAIN_LOG_NAMESPACE, type IngestWebhookDeps, type WebhookSource } from '../../../shared/app/ingest-webhook/ingest-webhook.ts';
import { WEBHOOK_PAYLOAD_PARSERS } from '../../../shared/contracts/webhooks/webhook-payloads.ts';
import { createIngestWebhookHandler } from '../../../functions/ingest-webhook/handler.ts';
import { openOptionBookPosition, startChainFixture } from '../../support/chain-fixture.ts';
import type { ChainFixture } from '../../support/chain-fixture.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { createWebhookFuzzTarget, fuzzWebhooks } from '../../support/fuzz/webhook-fuzz.ts';
import { LAMBDA_CONTEXT, MemoryQueue, RecordingPublisher, SECRETS, WRONG_SECRET, apiEvent, irrelevantPayload, payload, sign } from './webhook-fixtures.ts';
import type { Provider } from './webhook-fixtures.ts';

const ddb = useDynamoDbLocal();
let chain: ChainFixture;
const suiteStart = performance.now();

beforeAll(async () => {
  chain = await startChainFixture();
}, 60_000);
afterAll(async () => {
  await chain?.stop();
  console.log(`[webhooks/ingest] suite run time ${(performance.now() - suiteStart).toFixed(0)} ms`);
});

const PROVIDERS: readonly Provider[] = ['alchemy', 'quicknode', 'standard'];
const MAX_BODY_BYTES = 16 * 1024;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function harness(accountId: string, options: { wrapDedupe?: (real: IngestWebhookDeps['dedupe']) => IngestWebhookDeps['dedupe'] } = {}) {
  const { doc, tableName } = ddb();
  const queue = new MemoryQueue();
  const publisher = new RecordingPublisher();
  const positions = createPositionRepository({ doc, tableName });
  const source = (provider: Provider): WebhookSource => ({
    verify: WEBHOOK_VERIFIERS[provider],
    parse: WEBHOOK_PAYLOAD_PARSERS[provider],
    secrets: SECRETS[provider],
    chainId: chain.chain.id,
    contracts: [chain.addresses.optionBook],
  });
  const deps: IngestWebhookDeps = {
    sources: { alchemy: source('alchemy'), quicknode: source('quicknode'), standard: source('standard') },
    dedupe: (options.wrapDedupe ?? ((real) => real))(createWebhookDeliveryRepository({ doc, tableName })),
    queue,
    now: () => new Date(),
  };
  const handler = createIngestWebhookHandler({ deps, maxBodyBytes: MAX_BODY_BYTES });
  const consumerDeps: ConfirmPositionsDeps = {
    readers: { [chain.chain.id]: createViemOptionBookReader({ client: chain.publicClient, chainId: chain.chain.id, optionBook: chain.addresses.optionBook }) },
    positions,
    directory: {
      accountFor: (_chainId, address) => Promise.resolve(address.toLowerCase() === chain.trader.account.address.toLowerCase() ? accountId : undefined),
      underlyingFor: (_chainId, token) => (token.toLowerCase() === chain.addresses.weth.toLowerCase() ? 'ETH' : undefined),
    },
    publisher,
    requiredConfirmations: 1,
    now: () => new Date(),
  };
  const post = (provider: string, request: { body: string; headers: Record<string, string> }, options: { base64?: boolean } = {}) =>
    handler(apiEvent(provider, request, options), LAMBDA_CONTEXT);
  const drain = async () => Promise.all(queue.drain().map((request) => confirmPositions(consumerDeps, request)));
  return { queue, publisher, positions, post, drain };
}

const openPosition = (): ReturnType<typeof openOptionBookPosition> => openOptionBookPosition(chain);

async function itemCount(): Promise<number> {
  const { doc, tableName } = ddb();
  const out = await doc.send(new ScanCommand({ TableName: tableName, Select: 'COUNT', ConsistentRead: true }));
  return out.Count ?? 0;
}

/** A signed delivery of `logs` by `provider`. */
function delivery(provider: Provider, logs: Log<bigint, number, false>[], options: { secret?: string; at?: number; deliveryId?: string } = {}) {
  const deliveryId = options.deliveryId ?? `dlv_${provider}_${Math.random().toString(36).slice(2)}`;
  return sign(provider, payload(provider, logs, deliveryId), options.secret ?? SECRETS[provider][0], options.at ?? nowSeconds(), deliveryId);
}

describe.each(PROVIDERS)('POST /webhooks/%s', (provider) => {
  it('a validly signed delivery is accepted (202) and handed to the consumer once', async () => {
    const h = harness(`acct-${provider}-valid`);
    const { logs } = await openPosition();
    const response = await h.post(provider, delivery(provider, logs));
    expect(response.statusCode).toBe(202);
    expect(h.queue.items).toHaveLength(1);
    expect(h.queue.items[0]).toMatchObject({ provider, chainId: chain.chain.id, txHash: logs[0]?.transactionHash.toLowerCase() });
  });

  it('accepts a signature made with the second active secret (rotation)', async () => {
    const h = harness(`acct-${provider}-rotation`);
    const { logs } = await openPosition();
    expect((await h.post(provider, delivery(provider, logs, { secret: SECRETS[provider][1] }))).statusCode).toBe(202);
  });

  it('accepts a base64-encoded body from API Gateway', async () => {
    const h = harness(`acct-${provider}-b64`);
    const { logs } = await openPosition();
    expect((await h.post(provider, delivery(provider, logs), { base64: true })).statusCode).toBe(202);
  });

  it('a tampered body is 401 and changes nothing', async () => {
    const h = harness(`acct-${provider}-tampered`);
    const { logs } = await openPosition();
    const signed = delivery(provider, logs);
    const before = await itemCount();
    const response = await h.post(provider, { ...signed, body: signed.body.replace('"removed":false', '"removed":true') });
    expect(response.statusCode).toBe(401);
    expect(h.queue.items).toHaveLength(0);
    expect(await itemCount()).toBe(before);
  });

  it('a wrong secret is 401', async () => {
    const h = harness(`acct-${provider}-wrong`);
    const { logs } = await openPosition();
    const response = await h.post(provider, delivery(provider, logs, { secret: WRONG_SECRET[provider] }));
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ reason: 'signature-mismatch' });
  });

  if (provider === 'alchemy') {
    it('Alchemy signs no timestamp: a replay of an accepted delivery is a 200 duplicate', async () => {
      const h = harness('acct-alchemy-replay');
      const { logs } = await openPosition();
      const signed = delivery(provider, logs);
      expect((await h.post(provider, signed)).statusCode).toBe(202);
      const replay = await h.post(provider, signed);
      expect(replay.statusCode).toBe(200);
      expect(JSON.parse(replay.body ?? '{}')).toMatchObject({ status: 'duplicate' });
    });
  } else {
    it('a timestamp older (or newer) than 5 minutes is 401', async () => {
      const h = harness(`acct-${provider}-stale`);
      const { logs } = await openPosition();
      for (const at of [nowSeconds() - 301, nowSeconds() + 301]) {
        const response = await h.post(provider, delivery(provider, logs, { at }));
        expect(response.statusCode).toBe(401);
        expect(JSON.parse(response.body ?? '{}')).toMatchObject({ reason: 'stale-timestamp' });
      }
      expect(h.queue.items).toHaveLength(0);
      expect((await h.post(provider, delivery(provider, logs, { at: nowSeconds() - 240 }))).statusCode).toBe(202);
    });
  }

  it('the same delivery 10 times concurrently: one 202, the rest 200 (done) or 409 (in flight), the position written once', async () => {
    const accountId = `acct-${provider}-tenfold`;
    const h = harness(accountId);
    const { logs, positionId } = await openPosition();
    const signed = delivery(provider, logs);
    const responses = await Promise.all(Array.from({ length: 10 }, () => h.post(provider, signed)));
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200 || s === 409)).toHaveLength(9);
    const outcomes = await h.drain();
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ status: 'applied', changes: [{ accountId, change: 'created', underlying: 'ETH' }] });
    const stored = await h.positions.listPositions(accountId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ revision: 1, source: 'chain', position: { kind: 'option', optionType: 'call', strike: 3500, quantity: -2.5 } });
    expect(stored[0]?.position.id).toContain(`-${positionId}`);
    expect(h.publisher.types()).toEqual(['Positions Changed', 'Evaluation Requested']);
  });

  it('a failed hand-off gives the claims back: the provider\'s retry is accepted, not lost as a duplicate', async () => {
    const h = harness(`acct-${provider}-handoff`);
    const { logs } = await openPosition();
    const signed = delivery(provider, logs);
    h.queue.failNext = true;
    const failed = await h.post(provider, signed);
    expect(failed.statusCode).toBe(500);
    expect(h.queue.items).toHaveLength(0);
    const retry = await h.post(provider, signed);
    expect(retry.statusCode).toBe(202);
    expect(h.queue.items).toHaveLength(1);
    expect((await h.post(provider, signed)).statusCode).toBe(200);
  });

  it('a sibling claim that fails gives back the claims already taken: the retry hands off every log at once', async () => {
    let failOnce = true;
    const h = harness(`acct-${provider}-sibling`, {
      // The store fails the claim of the second log of the delivery (once), after the first one was taken.
      wrapDedupe: (real) => ({
        ...real,
        async claimDelivery(namespace, id, lease, ttl) {
          if (namespace === CHAIN_LOG_NAMESPACE && failOnce && id.includes(second)) {
            failOnce = false;
            await new Promise((resolve) => setTimeout(resolve, 50));
            throw new Error('ProvisionedThroughputExceeded (injected)');
          }
          return real.claimDelivery(namespace, id, lease, ttl);
        },
      }),
    });
    const first = await openPosition();
    const secondOpened = await openPosition();
    const second = secondOpened.logs[0]!.transactionHash.toLowerCase();
    const signed = delivery(provider, [...first.logs, ...secondOpened.logs]);
    const failed = await h.post(provider, signed);
    expect(failed.statusCode).toBe(500);
    expect(h.queue.items).toHaveLength(0);
    const retry = await h.post(provider, signed);
    expect(retry.statusCode).toBe(202);
    // Both transactions handed off by the retry: the first log's claim was given back, not left to its lease.
    expect(h.queue.items.map((item) => item.txHash.toLowerCase()).sort()).toEqual([first.logs[0]!.transactionHash.toLowerCase(), second].sort());
  });

  it('the same logs under a new delivery id are a duplicate (chain identity)', async () => {
    const h = harness(`acct-${provider}-chainid`);
    const { logs } = await openPosition();
    expect((await h.post(provider, delivery(provider, logs))).statusCode).toBe(202);
    const again = await h.post(provider, delivery(provider, logs));
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body ?? '{}')).toMatchObject({ status: 'duplicate' });
    expect(h.queue.items).toHaveLength(1);
  });

  it('malformed JSON with a valid signature is 400 and changes nothing', async () => {
    const h = harness(`acct-${provider}-malformed`);
    const before = await itemCount();
    const notJson = sign(provider, '{"id": "x", "type":', SECRETS[provider][0], nowSeconds());
    expect((await h.post(provider, notJson)).statusCode).toBe(400);
    const wrongShape = sign(provider, provider === 'quicknode' ? '{"data":[{"topics":"nope"}]}' : '{"id":"d1","type":"ADDRESS_ACTIVITY","event":{}}', SECRETS[provider][0], nowSeconds());
    expect((await h.post(provider, wrongShape)).statusCode).toBe(400);
    expect(await itemCount()).toBe(before);
  });

  it('a body over the limit is 413, before any verification', async () => {
    const h = harness(`acct-${provider}-big`);
    const big = sign(provider, JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES) }), SECRETS[provider][0], nowSeconds());
    expect((await h.post(provider, big)).statusCode).toBe(413);
    expect((await h.post(provider, big, { base64: true })).statusCode).toBe(413);
  });

  it('an event about nothing we watch is 200 and writes nothing', async () => {
    const h = harness(`acct-${provider}-irrelevant`);
    const before = await itemCount();
    const id = `dlv_irrelevant_${provider}`;
    const response = await h.post(provider, sign(provider, irrelevantPayload(provider, id), SECRETS[provider][0], nowSeconds(), id));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ status: 'irrelevant' });
    expect(await itemCount()).toBe(before);
    expect(h.queue.items).toHaveLength(0);
  });
});

describe('POST /webhooks/{provider}: routing and encoding', () => {
  it('an unknown provider is 404; a compressed body is 415', async () => {
    const h = harness('acct-routing');
    const signed = sign('alchemy', '{}', SECRETS.alchemy[0], nowSeconds());
    expect((await h.post('github', signed)).statusCode).toBe(404);
    expect((await h.post('__proto__', signed)).statusCode).toBe(404);
    expect((await h.post('alchemy', { ...signed, headers: { ...signed.headers, 'content-encoding': 'gzip' } })).statusCode).toBe(415);
  });
});

describe('fuzz: arbitrary payloads and headers', () => {
  it('never answers 5xx and never changes state unless it accepts', async () => {
    const { doc, tableName } = ddb();
    const target = await createWebhookFuzzTarget({ doc, tableName, chain, maxBodyBytes: MAX_BODY_BYTES });
    const report = await fuzzWebhooks(target, { numRuns: 150, seed: 20261203 });
    const seen = new Set(report.statuses.keys());
    // The generator reaches past the signature check, not only the 401 path.
    expect(seen).toContain(401);
    expect([...seen].some((status) => status === 200 || status === 400)).toBe(true);
  }, 120_000);
});
