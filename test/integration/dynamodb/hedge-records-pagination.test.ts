/**
 * Listing past DynamoDB's 1 MB per-query cut: 25 hedge records of ~100 KB (2.5 MB in one
 * partition) paged 20 at a time must give 20 then 5, newest first, nothing lost or repeated.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createHedgeRecordRepository } from '../../../shared/adapters/dynamodb/hedge-record-repository.ts';
import { createPriceHistoryRepository } from '../../../shared/adapters/dynamodb/price-history-repository.ts';
import { TTL_ATTRIBUTE } from '../../../shared/contracts/table-definition.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const RECORDS = 25;
const PADDING = 'x'.repeat(100_000);

// One DynamoDB Local (one JVM) for the whole file; tests use distinct keys.
const ddb = useDynamoDbLocal();

describe('hedge record repository', () => {

  it('pages newest first past the 1 MB query limit', async () => {
    const { doc, tableName } = ddb();
    const repo = createHedgeRecordRepository({ doc, tableName });
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    await Promise.all(
      Array.from({ length: RECORDS }, (_, i) =>
        repo.putHedgeRecord('acc-big', { hedgeId: `h${String(i).padStart(2, '0')}`, at: new Date(t0 + i * 60_000), record: { i, padding: PADDING } }),
      ),
    );

    // The premise: one raw query asking for 20 stops at 1 MB with fewer items.
    const raw = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ACCOUNT#acc-big' },
        Limit: 20,
      }),
    );
    expect(raw.Items?.length).toBeLessThan(20);
    expect(raw.LastEvaluatedKey).toBeDefined();

    const first = await repo.listHedgeRecords('acc-big', { limit: 20 });
    expect(first.items).toHaveLength(20);
    expect(first.queries).toBeGreaterThan(1);
    expect(first.cursor).toBeDefined();
    const second = await repo.listHedgeRecords('acc-big', { limit: 20, cursor: first.cursor ?? '' });
    expect(second.items).toHaveLength(5);
    expect(second.cursor).toBeUndefined();

    const ids = [...first.items, ...second.items].map((r) => r.hedgeId);
    expect(ids).toEqual(Array.from({ length: RECORDS }, (_, i) => `h${String(RECORDS - 1 - i).padStart(2, '0')}`));
    expect(first.items[0]?.record).toMatchObject({ i: RECORDS - 1 });
  });

  it('records a hedge once (a redelivered event does not duplicate it)', async () => {
    const repo = createHedgeRecordRepository({ doc: ddb().doc, tableName: ddb().tableName });
    const hedge = { hedgeId: 'dup', at: new Date('2026-03-02T00:00:00Z'), record: { qty: 1 } };
    expect(await repo.putHedgeRecord('acc-dup', hedge)).toBe('created');
    expect(await repo.putHedgeRecord('acc-dup', { ...hedge, record: { qty: 2 } })).toBe('exists');
    const page = await repo.listHedgeRecords('acc-dup');
    expect(page.items.map((r) => r.record)).toEqual([{ qty: 1 }]);
  });
});

describe('price history repository', () => {

  it('returns the most recent points oldest first, each with its TTL', async () => {
    const { doc, tableName } = ddb();
    const repo = createPriceHistoryRepository({ doc, tableName });
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 5; i++) await repo.recordPrice('ETH', new Date(t0 + i * 300_000), 3000 + i, 86_400);
    const points = await repo.recentPrices('ETH', 3);
    expect(points.map((p) => p.price)).toEqual([3002, 3003, 3004]);
    const raw = await doc.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'PRICE#ETH' }, Limit: 1 }),
    );
    expect(raw.Items?.[0]?.[TTL_ATTRIBUTE]).toBe(t0 / 1000 + 86_400);
  });
});
