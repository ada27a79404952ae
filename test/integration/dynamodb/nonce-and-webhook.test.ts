/**
 * Nonce counters and webhook dedupe against DynamoDB Local: atomic counters and
 * conditional puts under real concurrency.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TTL_ATTRIBUTE } from '../../../shared/contracts/table-definition.ts';
import { ConflictError, NonceNotInitialisedError } from '../../../shared/adapters/dynamodb/errors.ts';
import { createNonceRepository } from '../../../shared/adapters/dynamodb/nonce-repository.ts';
import { createWebhookDeliveryRepository } from '../../../shared/adapters/dynamodb/webhook-delivery-repository.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const SIGNER = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48';

// One DynamoDB Local (one JVM) for the whole file; tests use distinct keys.
const ddb = useDynamoDbLocal();

describe('nonce repository', () => {
  const nonces = () => createNonceRepository({ doc: ddb().doc, tableName: ddb().tableName });

  it('refuses to allocate before the counter is reconciled with the chain', async () => {
    await expect(nonces().allocateNonce('0x0000000000000000000000000000000000000001', 1)).rejects.toBeInstanceOf(NonceNotInitialisedError);
  });

  it('200 concurrent allocations for one signer give 200 distinct consecutive nonces', async () => {
    const repo = nonces();
    await repo.resetNonce(SIGNER, 1, 42, null);
    const allocated = await Promise.all(Array.from({ length: 200 }, () => repo.allocateNonce(SIGNER, 1)));
    expect(new Set(allocated).size).toBe(200);
    expect([...allocated].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => 42 + i));
    expect(await repo.allocateNonce(SIGNER.toLowerCase(), 1)).toBe(242);
  });

  it('keeps one counter per chain', async () => {
    const repo = nonces();
    await repo.resetNonce(SIGNER, 10, 0, null);
    expect(await repo.allocateNonce(SIGNER, 10)).toBe(0);
    expect(await repo.allocateNonce(SIGNER, 10)).toBe(1);
  });

  it('resets only from the value the reconciler saw', async () => {
    const repo = nonces();
    await repo.resetNonce(SIGNER, 5, 7, null);
    await repo.allocateNonce(SIGNER, 5); // 7 handed out, next is 8
    const stale = await repo.resetNonce(SIGNER, 5, 3, 7).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale).toMatchObject({ expected: 7, current: 8 });
    const again = await repo.resetNonce(SIGNER, 5, 3, null).catch((e: unknown) => e);
    expect(again).toMatchObject({ expected: 'absent', current: 8 });
    await repo.resetNonce(SIGNER, 5, 3, 8);
    expect(await repo.allocateNonce(SIGNER, 5)).toBe(3);
  });
});

describe('webhook delivery repository', () => {

  it('the same delivery recorded 20 times concurrently: exactly one first', async () => {
    const repo = createWebhookDeliveryRepository({ doc: ddb().doc, tableName: ddb().tableName });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => repo.recordDelivery('alchemy', 'whevt_1', 3600)));
    expect(outcomes.filter((o) => o === 'first')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(19);
    expect(await repo.recordDelivery('alchemy', 'whevt_2', 3600)).toBe('first');
    expect(await repo.recordDelivery('other-provider', 'whevt_1', 3600)).toBe('first');
  });

  it('sets the TTL attribute to now + ttlSeconds (epoch seconds)', async () => {
    const { doc, tableName } = ddb();
    const now = new Date('2026-01-02T03:04:05.678Z');
    const repo = createWebhookDeliveryRepository({ doc, tableName, now: () => now });
    expect(await repo.recordDelivery('alchemy', 'ttl-1', 86_400)).toBe('first');
    const item = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'WEBHOOK#alchemy#ttl-1', sk: 'DELIVERY' } }));
    expect(item.Item?.[TTL_ATTRIBUTE]).toBe(Math.floor(now.getTime() / 1000) + 86_400);
  });

  it('treats an expired delivery not yet swept by TTL as new', async () => {
    const { doc, tableName } = ddb();
    let now = new Date('2026-01-01T00:00:00Z');
    const repo = createWebhookDeliveryRepository({ doc, tableName, now: () => now });
    expect(await repo.recordDelivery('alchemy', 'exp-1', 60)).toBe('first');
    now = new Date('2026-01-01T00:00:59Z');
    expect(await repo.recordDelivery('alchemy', 'exp-1', 60)).toBe('duplicate');
    now = new Date('2026-01-01T00:01:00Z');
    expect(await repo.recordDelivery('alchemy', 'exp-1', 60)).toBe('first');
  });
});
