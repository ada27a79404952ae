// Portfolio insurance, the crash breaker and runaway protection in the live evaluator, on
// DynamoDB Local and anvil (the hedging world): an insured account's order and its
// high-water mark under concurrent duplicate evaluations; a crash switching each plan on
// and off with its events and audit entries; runaway protection pausing the account on a
// position mismatch and on hedges that keep failing to move the exposure.
import { randomUUID } from 'node:crypto';
import { parseUnits } from 'viem';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAuditLogRepository } from '../../../shared/adapters/dynamodb/audit-log-repository.ts';
import { evaluateAccount } from '../../../shared/app/evaluate/evaluate-account.ts';
import { encodeEvent } from '../../../shared/contracts/events/encode-event.ts';
import type { LocalAccountConfigInput } from '../../../local/chain/local-hedge-config.ts';
import { localMarketConfig } from '../../../local/chain/local-hedge-config.ts';
import { DAY_MS, useHedgingWorld, type OpenedAccount } from '../../support/hedging-world.ts';

const world = useHedgingWorld();
const MIN = 60_000;

beforeEach(async () => {
  await world().chain.reset();
  world().clock.nowMs = Date.now();
});

function evaluationEventId(accountId: string): string {
  const entry = encodeEvent('Evaluation Requested', { accountId, occurredAt: new Date().toISOString(), trigger: 'operator', triggerId: randomUUID() });
  return (JSON.parse(entry.Detail) as { eventId: string }).eventId;
}

/** The base config without its band (insurance sets its own), with a long oracle heartbeat (the test's clock runs ahead of the chain's). */
function withoutBand(base: LocalAccountConfigInput, extra: Partial<LocalAccountConfigInput>): LocalAccountConfigInput {
  const { band: _band, ...rest } = base;
  void _band;
  return { ...rest, market: localMarketConfig(world().chain, { maxStalenessMs: DAY_MS }), ...extra };
}

async function audit(accountId: string): Promise<{ action: string; details: Record<string, unknown> }[]> {
  const w = world();
  return (await createAuditLogRepository({ doc: w.doc, tableName: w.tableName }).listAuditEvents(accountId, { limit: 100 })).items;
}

describe('portfolio insurance in the evaluator', () => {
  it('buys the CPPI exposure, and keeps one high-water mark under concurrent duplicate evaluations', async () => {
    const w = world();
    const account = await w.openAccount({
      shortCalls: 0,
      config: (base) => withoutBand(base, { insurance: { method: 'cppi', capitalUsd: 10_000, floor: { kind: 'share-of-high', share: 0.8 }, multiplier: 4, band: 0.05 } }),
    });
    const first = await w.evaluate(account.accountId);
    if (first.status !== 'decided') throw new Error(`not decided: ${first.status}`);
    // Floor 8,000, cushion 2,000, m = 4: 8,000 USD of ETH at 3,000.
    expect(first.decision.reason).toBe('HEDGE_INSURANCE');
    expect(first.dispatched).toBe(true);
    const requested = w.publisher.of('Hedge Requested', account.accountId);
    expect(requested).toHaveLength(1);
    expect(requested[0]!.orders).toEqual([expect.objectContaining({ instrument: { kind: 'spot' }, side: 'buy' })]);
    expect(requested[0]!.orders[0]!.quantity).toBeCloseTo(8_000 / 3_000, 9);
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.guards?.insurance).toMatchObject({ valueUsd: 10_000, highValueUsd: 10_000, startValueUsd: 10_000 });

    // The hedge fills: the ledger holds the units from the next valuation on.
    expect((await w.dispatchLatest(account.accountId))[0]!.status).toBe('submitted');
    expect((await w.followUntilFinal(account.accountId)).status).toBe('confirmed');
    const held = (await w.positions.getPosition(account.accountId, 'hedge-ETH'))!.position.quantity;
    w.clock.nowMs += MIN;
    await w.evaluate(account.accountId); // values the units at 3,000
    const storedBefore = (await w.evaluateDeps.evaluations.load(account.accountId))!;
    const ledgerBefore = storedBefore.guards!.insurance!;
    expect(ledgerBefore.heldUnits).toBeCloseTo(held, 9);

    // The price rises; the same evaluation delivered four times at once, and two other triggers at the same instant.
    await w.setOraclePrice(3_300);
    w.clock.nowMs += MIN;
    const duplicated = evaluationEventId(account.accountId);
    const outcomes = await Promise.all([
      ...Array.from({ length: 4 }, () => evaluateAccount(w.evaluateDeps, { accountId: account.accountId, evaluationId: duplicated })),
      evaluateAccount(w.evaluateDeps, { accountId: account.accountId, evaluationId: evaluationEventId(account.accountId) }),
      evaluateAccount(w.evaluateDeps, { accountId: account.accountId, evaluationId: evaluationEventId(account.accountId) }),
    ]);
    // The duplicates decide once (the others replay it, after losing the state version or not); each distinct trigger commits once.
    expect(outcomes.map((o) => o.status).sort()).toEqual(['decided', 'decided', 'decided', 'replayed', 'replayed', 'replayed']);
    expect((await w.evaluateDeps.evaluations.load(account.accountId))!.version).toBe(storedBefore.version + 3);
    const ledger = (await w.evaluateDeps.evaluations.load(account.accountId))!.guards!.insurance!;
    // Counted once: the valuation of one instant changes the ledger once, whoever commits it.
    const expected = ledgerBefore.valueUsd + held * 300;
    expect(ledger.valueUsd).toBeCloseTo(expected, 6);
    expect(ledger.highValueUsd).toBeCloseTo(expected, 6);
    expect(ledger.startValueUsd).toBe(10_000);

    // The price falls back: the value follows, the high-water mark (and the floor on it) stays.
    await w.setOraclePrice(3_000);
    w.clock.nowMs += MIN;
    await w.evaluate(account.accountId);
    const after = (await w.evaluateDeps.evaluations.load(account.accountId))!.guards!.insurance!;
    expect(after.highValueUsd).toBeCloseTo(expected, 6);
    expect(after.valueUsd).toBeLessThan(expected);
  });
});

describe('the crash breaker in the evaluator', () => {
  const plans = [
    { kind: 'hold' as const, orders: 0 },
    { kind: 'risk-reducing' as const, orders: 1 },
    { kind: 'slices' as const, slices: 4, windowMs: 4 * MIN, maxSlippageBps: 20, orders: 1 },
  ];
  for (const { orders: expectedOrders, ...plan } of plans) {
    it(`a big move switches to crash mode (${plan.kind}), applies the plan, emits the event and the audit entry, and resumes after the calm period`, async () => {
      const w = world();
      // 3 σ of the book's 60% vol over 5 minutes is 0.55%: a 10% fall is a crash.
      const account: OpenedAccount = await w.openAccount({
        shortCalls: 0,
        config: (base) => ({ ...base, market: localMarketConfig(w.chain, { maxStalenessMs: DAY_MS }), crashBreaker: { moveSigmas: 3, windowMs: 5 * MIN, calmMs: 3 * MIN, plan } }),
      });
      for (let i = 0; i < 3; i++) {
        w.clock.nowMs += MIN;
        await w.evaluate(account.accountId);
      }
      // The crash, and a book that needs a hedge at the same time (short calls: buy).
      await w.setOraclePrice(2_700);
      await w.positions.putPosition(
        account.accountId,
        { id: 'calls-1', underlying: 'ETH', kind: 'option', optionType: 'call', strike: 2_700, expiryMs: w.clock.nowMs + 30 * DAY_MS, quantity: -4 },
        'manual',
      );
      w.clock.nowMs += MIN;
      const crash = await w.evaluate(account.accountId);
      if (crash.status !== 'decided') throw new Error(`not decided: ${crash.status}`);
      const switched = w.publisher.of('Crash Mode Changed', account.accountId);
      expect(switched).toEqual([expect.objectContaining({ from: 'normal', to: 'crash', triggers: ['MOVE'], plan: plan.kind, underlying: 'ETH' })]);
      expect(crash.decision.alerts.map((a) => a.code)).toContain('CRASH_MODE');
      expect(w.publisher.of('Risk Limit Breached', account.accountId).map((e) => e.code)).toContain('CRASH_MODE');
      const requested = w.publisher.of('Hedge Requested', account.accountId);
      expect(requested).toHaveLength(expectedOrders);
      if (plan.kind === 'hold') expect(crash.decision).toMatchObject({ reason: 'NONE_CRASH_MODE', orders: [] });
      if (plan.kind === 'risk-reducing') expect(requested[0]!.orders).toEqual([expect.objectContaining({ side: 'buy', sliceCount: 1 })]);
      if (plan.kind === 'slices') {
        expect(requested[0]!.orders).toEqual([expect.objectContaining({ side: 'buy', sliceCount: 4 })]);
        expect(requested[0]!.maxSlippageBps).toBe(20);
      }
      expect((await audit(account.accountId)).filter((e) => e.action.startsWith('crash-mode.')).map((e) => e.action)).toEqual(['crash-mode.entered']);
      expect((await w.evaluateDeps.evaluations.load(account.accountId))?.guards?.breaker?.breaker.mode).toBe('crash');

      // Flat after the crash. The realised vol (the breaker's σ from the next evaluation on) has
      // taken the crash in, so the same fall is no longer k σ: calm from the crash on, 3 minutes.
      let minutes = 0;
      while (w.publisher.of('Crash Mode Changed', account.accountId).length < 2 && minutes < 15) {
        w.clock.nowMs += MIN;
        minutes++;
        await w.evaluate(account.accountId);
      }
      expect(minutes).toBe(3);
      expect(w.publisher.of('Crash Mode Changed', account.accountId)[1]).toMatchObject({ from: 'crash', to: 'normal', triggers: [] });
      expect((await audit(account.accountId)).filter((e) => e.action.startsWith('crash-mode.')).map((e) => e.action)).toEqual(['crash-mode.exited', 'crash-mode.entered']);
      expect((await w.evaluateDeps.evaluations.load(account.accountId))?.guards?.breaker?.breaker.mode).toBe('normal');
    });
  }
});

describe('runaway protection in the evaluator', () => {
  it('pauses the account when the hedge position on chain parts from the records, once, and starts afresh after the acknowledgement', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 0, config: (base) => ({ ...base, runaway: { maxPositionMismatchUnits: 0.5 } }) });
    await w.evaluate(account.accountId); // the first reading: the signer's 100 WETH of funding are expected
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.guards?.runaway?.expectedOffsetUnits).toBeCloseTo(100, 9);
    w.clock.nowMs += MIN;
    await w.evaluate(account.accountId);
    expect((await w.accounts.getAccount(account.accountId))?.status).toBe('active');

    // 2 WETH leave the signer outside the system: the records no longer say what the chain holds.
    const wallet = w.signerWallet(account);
    await w.chain.confirm(await wallet.writeContract({ address: w.chain.addresses.weth, abi: w.tokenAbi, functionName: 'transfer', args: [w.chain.addresses.usdc, parseUnits('2', 18)] }));
    w.clock.nowMs += MIN;
    const tripped = await w.evaluate(account.accountId);
    if (tripped.status !== 'decided') throw new Error(`not decided: ${tripped.status}`);
    expect(tripped.decision).toMatchObject({ reason: 'NONE_PAUSED', orders: [] });
    const paused = await w.accounts.getAccount(account.accountId);
    expect(paused).toMatchObject({ status: 'paused', pause: { by: 'system', code: 'RUNAWAY_POSITION_MISMATCH' } });
    expect(w.publisher.of('Risk Limit Breached', account.accountId).filter((e) => e.code === 'RUNAWAY')).toEqual([
      expect.objectContaining({ numbers: expect.objectContaining({ driftUnits: expect.closeTo(-2, 9) as unknown }) as unknown }),
    ]);
    expect((await audit(account.accountId)).filter((e) => e.action === 'account.paused')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ pause: expect.objectContaining({ code: 'RUNAWAY_POSITION_MISMATCH' }) as unknown }) as unknown }),
    ]);

    // Evaluated again while paused: the same pause stays (its id is what the account acknowledges).
    w.clock.nowMs += MIN;
    await w.evaluate(account.accountId);
    expect((await w.accounts.getAccount(account.accountId))?.pause?.pauseId).toBe(paused?.pause?.pauseId);

    // Acknowledged: the difference seen now is the expected one, and hedging goes on.
    await w.accounts.resumeAccount(account.accountId, { upTo: 'system', pauseId: paused!.pause!.pauseId, note: 'the 2 WETH were withdrawn by the desk' }, 'key:key-1');
    w.clock.nowMs += MIN;
    await w.evaluate(account.accountId);
    expect((await w.accounts.getAccount(account.accountId))?.status).toBe('active');
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.guards?.runaway).toMatchObject({ expectedOffsetUnits: expect.closeTo(98, 9) as unknown });
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.guards?.runaway?.tripped).toBeUndefined();
  });

  it('pauses the account instead of trading again when hedges in one direction keep failing to move the exposure', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4, config: (base) => ({ ...base, runaway: { maxIneffectiveHedges: 2 } }) });
    // Every hedge is stopped at dispatch (its venue's contracts are not allow-listed): skipped, the exposure never moves.
    const refuse = { allowedContracts: () => [] as readonly string[] };
    for (let attempt = 1; attempt <= 2; attempt++) {
      const decided = await w.evaluate(account.accountId);
      if (decided.status !== 'decided') throw new Error(`not decided: ${decided.status}`);
      expect(decided.dispatched).toBe(true);
      expect((await w.dispatchLatest(account.accountId, refuse))[0]!.status).toBe('skipped');
      w.clock.nowMs += MIN;
    }
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(2);
    const third = await w.evaluate(account.accountId);
    if (third.status !== 'decided') throw new Error(`not decided: ${third.status}`);
    expect(third.dispatched).toBe(false);
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(2);
    expect(await w.accounts.getAccount(account.accountId)).toMatchObject({ status: 'paused', pause: { by: 'system', code: 'RUNAWAY_INEFFECTIVE_HEDGES' } });
    expect(w.publisher.of('Risk Limit Breached', account.accountId).map((e) => e.code)).toContain('RUNAWAY');
  });
});
