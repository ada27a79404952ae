// The dispatcher's limits on DynamoDB Local: the day's notional reserved atomically against
// its cap (concurrent reservations never overshoot; a redelivered hedge counts once; a
// release gives back exactly what was reserved), the failure streak counted once per
// hedge, and the global kill switch.
import { describe, expect, it } from 'vitest';
import { createDispatchLimitsRepository } from '../../../shared/adapters/dynamodb/dispatch-limits-repository.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const ddb = useDynamoDbLocal();
const DAY = '2026-11-27';

describe('dispatch limits', () => {
  it('reserves against the cap atomically: 20 concurrent reservations of 1,000 under a 7,500 cap → exactly 7', async () => {
    const limits = createDispatchLimitsRepository(ddb());
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => limits.reserveDailyNotional('acc-cap', DAY, `h-${i}`, 1000, 7500)));
    expect(results.filter((r) => r.status === 'reserved')).toHaveLength(7);
    expect(results.filter((r) => r.status === 'cap-exceeded')).toHaveLength(13);
  });

  it('a redelivered hedge counts once; a release gives back exactly its amount, once', async () => {
    const limits = createDispatchLimitsRepository(ddb());
    expect(await limits.reserveDailyNotional('acc-rel', DAY, 'h-1', 4000, 5000)).toEqual({ status: 'reserved' });
    expect(await limits.reserveDailyNotional('acc-rel', DAY, 'h-1', 4100, 5000)).toEqual({ status: 'already' }); // a retry priced a bit differently
    expect(await limits.reserveDailyNotional('acc-rel', DAY, 'h-2', 1500, 5000)).toMatchObject({ status: 'cap-exceeded', reservedUsd: 4000 });
    await limits.releaseDailyNotional('acc-rel', DAY, 'h-1');
    await limits.releaseDailyNotional('acc-rel', DAY, 'h-1'); // idempotent
    expect(await limits.reserveDailyNotional('acc-rel', DAY, 'h-2', 5000, 5000)).toEqual({ status: 'reserved' }); // exactly 0 left reserved before
    expect(await limits.reserveDailyNotional('acc-rel', DAY, 'h-3', 0.01, 5000)).toMatchObject({ status: 'cap-exceeded', reservedUsd: 5000 });
  });

  it('counts each failed hedge once in the streak', async () => {
    const limits = createDispatchLimitsRepository(ddb());
    expect(await limits.recordFailure('acc-streak', 'h-1')).toBe(1);
    expect(await limits.recordFailure('acc-streak', 'h-1')).toBe(1);
    expect(await limits.recordFailure('acc-streak', 'h-2')).toBe(2);
  });

  it('the global kill switch', async () => {
    const limits = createDispatchLimitsRepository(ddb());
    expect(await limits.globalKillSwitch()).toEqual({ engaged: false });
    await limits.setGlobalKillSwitch(true, 'incident', 'test:admin');
    expect(await limits.globalKillSwitch()).toEqual({ engaged: true, reason: 'incident' });
    await limits.setGlobalKillSwitch(false, 'over', 'test:admin');
    expect(await limits.globalKillSwitch()).toEqual({ engaged: false });
  });
});
