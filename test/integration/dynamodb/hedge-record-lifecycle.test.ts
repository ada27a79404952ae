/**
 * A hedge's life in its record, against DynamoDB Local: transitions are settled by the
 * update's condition (allowed predecessor stage, step key not applied yet), so redelivered
 * events change nothing and racing outcomes cannot both win.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../shared/adapters/dynamodb/errors.ts';
import { createHedgeRecordRepository, type HedgeStep } from '../../../shared/adapters/dynamodb/hedge-record-repository.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const ddb = useDynamoDbLocal();
const AT = new Date('2026-03-02T10:00:00Z');
const step = (stage: HedgeStep['stage'], key: string, data: Record<string, unknown> = {}): HedgeStep => ({ stage, key, at: new Date(AT.getTime() + 1000), data });

describe('hedge record lifecycle', () => {
  it('goes decision → order → transaction (replaced once) → outcome, in order, on the record', async () => {
    const { doc, tableName } = ddb();
    const repo = createHedgeRecordRepository({ doc, tableName });
    const hedge = { hedgeId: 'h-life', at: AT };
    expect(await repo.putHedgeRecord('acc-life', { ...hedge, record: { side: 'sell', quantity: 12.4 } })).toBe('created');
    expect(await repo.advanceHedgeRecord('acc-life', hedge, step('ordered', 'evt-order', { venue: 'uniswap-v3' }))).toBe('advanced');
    expect(await repo.advanceHedgeRecord('acc-life', hedge, step('submitted', '0xaaa', { nonce: 7 }))).toBe('advanced');
    expect(await repo.advanceHedgeRecord('acc-life', hedge, step('submitted', '0xbbb', { nonce: 7, replaces: '0xaaa' }))).toBe('advanced');
    expect(await repo.advanceHedgeRecord('acc-life', hedge, step('confirmed', 'evt-confirmed', { blockNumber: 123 }))).toBe('advanced');

    const { items } = await repo.listHedgeRecords('acc-life');
    expect(items).toHaveLength(1);
    expect(items[0]!.stage).toBe('confirmed');
    expect(items[0]!.steps.map((s) => [s.stage, s.key])).toEqual([
      ['ordered', 'evt-order'],
      ['submitted', '0xaaa'],
      ['submitted', '0xbbb'],
      ['confirmed', 'evt-confirmed'],
    ]);
    expect(items[0]!.record).toEqual({ side: 'sell', quantity: 12.4 });
  });

  it('recognises a redelivered step (10 at once: one advances, the rest are "already")', async () => {
    const { doc, tableName } = ddb();
    const repo = createHedgeRecordRepository({ doc, tableName });
    const hedge = { hedgeId: 'h-dup', at: AT };
    await repo.putHedgeRecord('acc-dup', { ...hedge, record: {} });
    const results = await Promise.all(Array.from({ length: 10 }, () => repo.advanceHedgeRecord('acc-dup', hedge, step('ordered', 'evt-1'))));
    expect(results.filter((r) => r === 'advanced')).toHaveLength(1);
    expect(results.filter((r) => r === 'already')).toHaveLength(9);
    const { items } = await repo.listHedgeRecords('acc-dup');
    expect(items[0]!.steps).toHaveLength(1);
  });

  it('lets exactly one of two racing outcomes win', async () => {
    const { doc, tableName } = ddb();
    const repo = createHedgeRecordRepository({ doc, tableName });
    const hedge = { hedgeId: 'h-race', at: AT };
    await repo.putHedgeRecord('acc-race', { ...hedge, record: {} });
    await repo.advanceHedgeRecord('acc-race', hedge, step('ordered', 'o'));
    await repo.advanceHedgeRecord('acc-race', hedge, step('submitted', 's'));
    const settled = await Promise.allSettled([
      repo.advanceHedgeRecord('acc-race', hedge, step('confirmed', 'receipt')),
      repo.advanceHedgeRecord('acc-race', hedge, step('failed', 'timeout')),
    ]);
    expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = settled.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConflictError);
    const { items } = await repo.listHedgeRecords('acc-race');
    expect(['confirmed', 'failed']).toContain(items[0]!.stage);
    expect(items[0]!.steps).toHaveLength(3);
  });

  it('refuses transitions the life does not allow, naming the current stage, and changes nothing', async () => {
    const { doc, tableName } = ddb();
    const repo = createHedgeRecordRepository({ doc, tableName });
    const hedge = { hedgeId: 'h-bad', at: AT };
    await repo.putHedgeRecord('acc-bad', { ...hedge, record: {} });
    await expect(repo.advanceHedgeRecord('acc-bad', hedge, step('confirmed', 'too-early'))).rejects.toThrow(
      'hedge h-bad of account acc-bad cannot move to confirmed: expected submitted, current is decided',
    );
    await repo.advanceHedgeRecord('acc-bad', hedge, step('skipped', 'dry-run'));
    await expect(repo.advanceHedgeRecord('acc-bad', hedge, step('ordered', 'late'))).rejects.toBeInstanceOf(ConflictError);
    await expect(repo.advanceHedgeRecord('acc-bad', { hedgeId: 'nope', at: AT }, step('ordered', 'x'))).rejects.toThrow('current is absent');
    const { items } = await repo.listHedgeRecords('acc-bad');
    expect(items[0]!.stage).toBe('skipped');
    expect(items[0]!.steps.map((s) => s.key)).toEqual(['dry-run']);
  });
});
