/**
 * Hedge state against DynamoDB Local: one conditional PutItem per save, so concurrent
 * evaluators on the same version cannot overwrite each other.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidItemError } from '../../../shared/adapters/dynamodb/errors.ts';
import { createHedgeStateRepository } from '../../../shared/adapters/dynamodb/hedge-state-repository.ts';
import type { HedgeState } from '../../../shared/domain/policy/policy-types.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const DAY = Date.parse('2026-03-01T00:00:00Z');

const stateWith = (dailyNotionalUsd: number, extra: Partial<HedgeState> = {}): HedgeState => ({
  dayStartMs: DAY,
  dailyNotionalUsd,
  pendingSlices: [],
  ...extra,
});

// One DynamoDB Local (one JVM) for the whole file; tests use distinct keys.
const ddb = useDynamoDbLocal();

describe('hedge state repository', () => {
  const states = () => createHedgeStateRepository({ doc: ddb().doc, tableName: ddb().tableName });

  it('saves version 1, then 2, and reads the state back with its version', async () => {
    const repo = states();
    expect(await repo.getHedgeState('acc-seq')).toBeUndefined();
    const full: HedgeState = stateWith(1000, {
      lastHedgeAtMs: DAY + 60_000,
      lastHedgeSpot: 3000.5,
      ewmaVariance: 0.36,
      lastPrice: 3001,
      lastPriceAtMs: DAY + 120_000,
      pendingSlices: [{ quantity: -2.5, notBeforeMs: DAY + 300_000, sliceIndex: 1, sliceCount: 4, decisionId: 'd-1' }],
    });
    expect(await repo.saveHedgeState('acc-seq', stateWith(0), 0)).toBe(1);
    expect(await repo.saveHedgeState('acc-seq', full, 1)).toBe(2);
    const current = await repo.getHedgeState('acc-seq');
    expect(current).toMatchObject({ version: 2, state: full });
    expect(current?.state).toEqual(full);
  });

  it('a stale version is a ConflictError naming expected and current, and changes nothing', async () => {
    const repo = states();
    await repo.saveHedgeState('acc-stale', stateWith(1), 0);
    await repo.saveHedgeState('acc-stale', stateWith(2), 1);
    const stale = await repo.saveHedgeState('acc-stale', stateWith(3), 1).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale).toMatchObject({ expected: 1, current: 2, retryable: false });
    const creating = await repo.saveHedgeState('acc-stale', stateWith(3), 0).catch((e: unknown) => e);
    expect(creating).toMatchObject({ expected: 0, current: 2 });
    const ahead = await repo.saveHedgeState('acc-none', stateWith(3), 5).catch((e: unknown) => e);
    expect(ahead).toMatchObject({ expected: 5, current: null });
    expect(await repo.getHedgeState('acc-none')).toBeUndefined();
    expect(await repo.getHedgeState('acc-stale')).toMatchObject({ version: 2, state: { dailyNotionalUsd: 2 } });
  });

  it('20 concurrent saves on the same version: exactly one wins, its state is stored', async () => {
    const repo = states();
    await repo.saveHedgeState('acc-race', stateWith(0), 0);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => repo.saveHedgeState('acc-race', stateWith(100 + i), 1)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ value: 2 });
    expect(lost).toHaveLength(19);
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(ConflictError);
      expect(r.reason).toMatchObject({ expected: 1, current: 2 });
    }
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect(await repo.getHedgeState('acc-race')).toMatchObject({ version: 2, state: { dailyNotionalUsd: 100 + winner } });
  });

  it('20 concurrent first saves (version 0): exactly one creates the state', async () => {
    const repo = states();
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => repo.saveHedgeState('acc-first', stateWith(i), 0)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect(await repo.getHedgeState('acc-first')).toMatchObject({ version: 1, state: { dailyNotionalUsd: winner } });
  });

  it('rejects an invalid state or version before writing anything', async () => {
    const repo = states();
    const bad: unknown[] = [
      { dayStartMs: DAY, dailyNotionalUsd: -1, pendingSlices: [] },
      { dayStartMs: DAY, dailyNotionalUsd: 1 },
      { dayStartMs: DAY, dailyNotionalUsd: Number.NaN, pendingSlices: [] },
      { dayStartMs: DAY, dailyNotionalUsd: 1, pendingSlices: [], unknownField: 1 },
      { dayStartMs: DAY, dailyNotionalUsd: 1, pendingSlices: [{ quantity: 1, notBeforeMs: DAY, sliceIndex: 0, sliceCount: 0, decisionId: 'd' }] },
      { dayStartMs: DAY, dailyNotionalUsd: 1, pendingSlices: [], lastPrice: undefined },
    ];
    for (const state of bad) {
      await expect(repo.saveHedgeState('acc-bad', state as HedgeState, 0)).rejects.toBeInstanceOf(InvalidItemError);
    }
    await expect(repo.saveHedgeState('acc-bad', stateWith(1), -1)).rejects.toBeInstanceOf(InvalidItemError);
    await expect(repo.saveHedgeState('acc-bad', stateWith(1), 1.5)).rejects.toBeInstanceOf(InvalidItemError);
    await expect(repo.saveHedgeState('acc#bad', stateWith(1), 0)).rejects.toBeInstanceOf(InvalidItemError);
    expect(await repo.getHedgeState('acc-bad')).toBeUndefined();
  });
});
