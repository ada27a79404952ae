/**
 * Positions against DynamoDB Local: a revision per position settled by conditional
 * writes, listing past the 1000-item page, and validation before any write.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidItemError } from '../../../shared/adapters/dynamodb/errors.ts';
import { createPositionRepository, type PositionSource } from '../../../shared/adapters/dynamodb/position-repository.ts';
import type { FuturePosition, LinearPosition, OptionPosition, Position } from '../../../shared/domain/exposure/positions.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const EXPIRY = Date.parse('2026-06-26T08:00:00Z');
const call: OptionPosition = { id: 'opt-1', underlying: 'ETH', quantity: -10, kind: 'option', optionType: 'call', strike: 3500, expiryMs: EXPIRY, vol: 0.65 };
const put: OptionPosition = { id: 'opt-2', underlying: 'ETH', quantity: 5, kind: 'option', optionType: 'put', strike: 2800, expiryMs: EXPIRY };
const perp: LinearPosition = { id: 'perp-1', underlying: 'BTC', quantity: 0.5, kind: 'perp' };
const future: FuturePosition = { id: 'fut-1', underlying: 'ETH', quantity: -3, kind: 'future', expiryMs: EXPIRY };

// One DynamoDB Local (one JVM) for the whole file; tests use distinct keys.
const ddb = useDynamoDbLocal();

describe('position repository', () => {
  const positions = () => createPositionRepository({ doc: ddb().doc, tableName: ddb().tableName });

  it('stores every kind of position and lists them back exactly', async () => {
    const repo = positions();
    expect(await repo.listPositions('acc-kinds')).toEqual([]);
    for (const p of [call, put, perp, future]) expect(await repo.putPosition('acc-kinds', p, 'manual')).toBe(1);
    await repo.putPosition('acc-kinds', { id: 'spot-1', underlying: 'ETH', quantity: 12, kind: 'spot' }, 'chain');
    const listed = await repo.listPositions('acc-kinds');
    expect(listed.map((s) => s.position.id)).toEqual(['fut-1', 'opt-1', 'opt-2', 'perp-1', 'spot-1']);
    expect(listed.find((s) => s.position.id === 'opt-1')?.position).toEqual(call);
    expect(listed.find((s) => s.position.id === 'opt-2')?.position).toEqual(put);
    expect(listed.find((s) => s.position.id === 'spot-1')).toMatchObject({ source: 'chain', revision: 1 });
    expect(await repo.listPositions('acc-other')).toEqual([]);
  });

  it('updates at the expected revision; a stale or missing revision is a ConflictError and changes nothing', async () => {
    const repo = positions();
    expect(await repo.putPosition('acc-rev', perp, 'manual')).toBe(1);
    expect(await repo.putPosition('acc-rev', { ...perp, quantity: 1 }, 'chain', 1)).toBe(2);

    const stale = await repo.putPosition('acc-rev', { ...perp, quantity: 9 }, 'manual', 1).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale).toMatchObject({ expected: 1, current: 2, retryable: false });
    const recreate = await repo.putPosition('acc-rev', { ...perp, quantity: 9 }, 'manual').catch((e: unknown) => e);
    expect(recreate).toMatchObject({ expected: 'absent', current: 2 });
    const absent = await repo.putPosition('acc-rev', { ...perp, id: 'perp-none' }, 'manual', 3).catch((e: unknown) => e);
    expect(absent).toMatchObject({ expected: 3, current: null });

    expect(await repo.getPosition('acc-rev', 'perp-1')).toMatchObject({ revision: 2, source: 'chain', position: { quantity: 1 } });
    expect(await repo.getPosition('acc-rev', 'perp-none')).toBeUndefined();
  });

  it('10 concurrent updates at one revision: exactly one wins', async () => {
    const repo = positions();
    await repo.putPosition('acc-race', future, 'chain');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => repo.putPosition('acc-race', { ...future, quantity: 100 + i }, 'manual', 1)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.filter((r) => r.status === 'rejected');
    expect(lost).toHaveLength(9);
    for (const r of lost) expect(r.reason).toMatchObject({ expected: 1, current: 2 });
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect(await repo.getPosition('acc-race', 'fut-1')).toMatchObject({ revision: 2, position: { quantity: 100 + winner } });
  });

  it('deletes only at the expected revision', async () => {
    const repo = positions();
    await repo.putPosition('acc-del', call, 'manual');
    await repo.putPosition('acc-del', { ...call, quantity: -20 }, 'manual', 1);
    const stale = await repo.deletePosition('acc-del', 'opt-1', 1).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale).toMatchObject({ expected: 1, current: 2 });
    expect(await repo.getPosition('acc-del', 'opt-1')).toBeDefined();
    await repo.deletePosition('acc-del', 'opt-1', 2);
    expect(await repo.listPositions('acc-del')).toEqual([]);
    const gone = await repo.deletePosition('acc-del', 'opt-1', 2).catch((e: unknown) => e);
    expect(gone).toMatchObject({ expected: 2, current: null });
    // Recreated after a delete, it starts again at revision 1.
    expect(await repo.putPosition('acc-del', call, 'manual')).toBe(1);
  });

  it('lists every position past the 1000-item query page', async () => {
    const repo = positions();
    const count = 1030;
    const ids = Array.from({ length: count }, (_, i) => `p-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < count; i += 100) {
      await Promise.all(ids.slice(i, i + 100).map((id) => repo.putPosition('acc-many', { ...perp, id }, 'chain')));
    }
    const listed = await repo.listPositions('acc-many');
    expect(listed).toHaveLength(count);
    expect(listed.map((s) => s.position.id)).toEqual(ids);
  });

  it('rejects invalid positions and arguments before writing anything', async () => {
    const repo = positions();
    const bad: unknown[] = [
      { ...call, strike: -1 },
      { ...call, kind: 'swap' },
      { ...call, optionType: 'straddle' },
      { ...call, quantity: Number.NaN },
      { ...call, quantity: Number.POSITIVE_INFINITY },
      { ...call, expiryMs: 1.5 },
      { ...call, vol: undefined },
      { ...call, extra: true },
      { ...perp, expiryMs: EXPIRY },
      { id: '', underlying: 'ETH', quantity: 1, kind: 'spot' },
      { id: 'x', quantity: 1, kind: 'spot' },
      { id: 'fut-no-expiry', underlying: 'ETH', quantity: 1, kind: 'future' },
    ];
    for (const position of bad) {
      await expect(repo.putPosition('acc-bad', position as Position, 'manual')).rejects.toBeInstanceOf(InvalidItemError);
    }
    await expect(repo.putPosition('acc-bad', perp, 'oracle' as PositionSource)).rejects.toBeInstanceOf(InvalidItemError);
    await expect(repo.putPosition('acc-bad', perp, 'manual', 0)).rejects.toBeInstanceOf(InvalidItemError);
    await expect(repo.putPosition('acc#bad', perp, 'manual')).rejects.toBeInstanceOf(InvalidItemError);
    expect(await repo.listPositions('acc-bad')).toEqual([]);
    await repo.putPosition('acc-bad', perp, 'manual');
    await expect(repo.deletePosition('acc-bad', 'perp-1', 0)).rejects.toBeInstanceOf(InvalidItemError);
    await expect(repo.putPosition('acc-bad', { ...perp, quantity: Number.NaN }, 'manual', 1)).rejects.toBeInstanceOf(InvalidItemError);
    expect(await repo.listPositions('acc-bad')).toMatchObject([{ revision: 1, position: perp }]);
  });
});
