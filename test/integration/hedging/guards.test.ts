// Guards before anything is signed: each tripped guard leaves no transaction on chain,
// a record on the hedge (stage skipped, with its code) and a Hedge Failed event (stage
// guard). Stale oracles and paused accounts also stop the evaluator itself.
import { beforeEach, describe, expect, it } from 'vitest';
import { useHedgingWorld, type OpenedAccount, type OpenAccountOptions } from '../../support/hedging-world.ts';
import type { UniswapV3VenueConfig } from '../../../shared/contracts/execution-config.ts';

const world = useHedgingWorld();

beforeEach(async () => {
  await world().chain.reset();
  world().clock.nowMs = Date.now();
});

async function decided(options: OpenAccountOptions = {}): Promise<OpenedAccount> {
  const w = world();
  const account = await w.openAccount({ shortCalls: 4, ...options });
  const evaluation = await w.evaluate(account.accountId);
  if (evaluation.status !== 'decided' || !evaluation.dispatched) throw new Error(`expected a dispatched decision, got ${JSON.stringify(evaluation)}`);
  return account;
}

/** The dispatch was refused by `code`: nothing on chain, the record skipped, Hedge Failed (guard) published. */
async function expectRefused(account: OpenedAccount, code: string): Promise<void> {
  const w = world();
  const [outcome] = await w.dispatchLatest(account.accountId);
  expect(outcome).toMatchObject({ status: 'skipped', code });
  expect(await w.chain.publicClient.getTransactionCount({ address: account.signer })).toBe(0);
  const failed = w.publisher.of('Hedge Failed', account.accountId);
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatchObject({ stage: 'guard', code });
  const requested = w.publisher.of('Hedge Requested', account.accountId)[0]!;
  const record = await w.journal.get({ accountId: account.accountId, hedgeId: `${requested.decisionId}:0`, at: new Date(requested.occurredAt) });
  expect(record?.stage).toBe('skipped');
  expect(record?.transactions).toHaveLength(0);
  // A redelivery changes nothing.
  const [again] = await w.dispatchLatest(account.accountId);
  expect(again).toMatchObject({ status: 'duplicate', stage: 'skipped' });
}

describe('dispatch guards', () => {
  it('a stale oracle at dispatch time', async () => {
    const w = world();
    const account = await decided();
    await w.chain.testClient.increaseTime({ seconds: 2 * 3600 });
    await w.chain.testClient.mine({ blocks: 1 });
    w.clock.nowMs += 2 * 3600 * 1000;
    await expectRefused(account, 'ORACLE_STALE');
  });

  it('the oracle and the pool disagree by more than the limit', async () => {
    const w = world();
    const account = await decided();
    await w.setOraclePrice(3300); // the pool is still at ~3000: 10% apart
    await expectRefused(account, 'ORACLE_POOL_DEVIATION');
  });

  it('a trade above the per-trade notional cap', async () => {
    const account = await decided({ config: (c) => ({ ...c, execution: { ...c.execution!, maxTradeNotionalUsd: 1000 } }) });
    await expectRefused(account, 'TRADE_NOTIONAL_CAP');
  });

  it('a trade beyond what is left of the daily notional cap', async () => {
    const account = await decided({ config: (c) => ({ ...c, execution: { ...c.execution!, maxDailyNotionalUsd: 2000 } }) });
    await expectRefused(account, 'DAILY_NOTIONAL_CAP');
  });

  it('the account paused between decision and dispatch', async () => {
    const w = world();
    const account = await decided();
    await w.accounts.pauseAccount(account.accountId, { by: 'operator', reason: 'test' }, 'test:operator');
    await expectRefused(account, 'ACCOUNT_PAUSED');
  });

  it('the global kill switch', async () => {
    const w = world();
    const account = await decided();
    await w.dispatchDeps.limits.setGlobalKillSwitch(true, 'incident drill', 'test:admin');
    try {
      await expectRefused(account, 'GLOBAL_KILL_SWITCH');
    } finally {
      await w.dispatchDeps.limits.setGlobalKillSwitch(false, 'drill over', 'test:admin');
    }
  });

  it('a venue contract that is not on the allow-list', async () => {
    const w = world();
    const account = await decided();
    const [outcome] = await w.dispatchLatest(account.accountId, { allowedContracts: () => [w.chain.addresses.weth, w.chain.addresses.usdc] });
    expect(outcome).toMatchObject({ status: 'skipped', code: 'CONTRACT_NOT_ALLOWED' });
    expect(await w.chain.publicClient.getTransactionCount({ address: account.signer })).toBe(0);
  });

  it('a max fee below the base fee', async () => {
    const w = world();
    const account = await decided({ config: (c) => ({ ...c, execution: { ...c.execution!, maxFeePerGasGwei: 0.000001 } }) });
    const block = await w.chain.publicClient.getBlock();
    expect(block.baseFeePerGas).toBeGreaterThan(1000n); // the cap (1000 wei) is below it
    await expectRefused(account, 'FEE_ABOVE_CAP');
  });

  it('a quote worse than the slippage limit against the oracle', async () => {
    const account = await decided({ config: (c) => ({ ...c, execution: { ...c.execution!, maxSlippageBps: 5 } }) }); // 0.3% pool fee alone exceeds 5 bps
    await expectRefused(account, 'SLIPPAGE_ABOVE_LIMIT');
  });

  it('the venue changed after the decision: the units are not sent to another pool', async () => {
    const w = world();
    const account = await decided();
    const current = (await w.configs.getConfig(account.accountId))!;
    const operator = current.config.operator!;
    const execution = operator.execution!;
    const moved = { ...operator, execution: { ...execution, venues: [{ ...(execution.venues[0] as UniswapV3VenueConfig), pool: '0x00000000000000000000000000000000000000aa' }] } };
    await w.configs.putConfig(account.accountId, { ...current.config, operator: moved }, current.version, 'test:operator');
    await expectRefused(account, 'CONFIG_CHANGED');
  });

  it('dry-run switched on after the decision', async () => {
    const w = world();
    const account = await decided();
    const current = await w.configs.getConfig(account.accountId);
    const policy = current!.config.policy!;
    await w.configs.putConfig(account.accountId, { ...current!.config, policy: { ...policy, guards: { ...policy.guards, dryRun: true } } }, current!.version, 'test:operator');
    await expectRefused(account, 'DRY_RUN');
  });
});

describe('the evaluator does not decide on a market it cannot trust', () => {
  it('a stale oracle: no decision, no request; the snapshot says why', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4 });
    await w.chain.testClient.increaseTime({ seconds: 2 * 3600 });
    await w.chain.testClient.mine({ blocks: 1 });
    const outcome = await w.evaluate(account.accountId);
    expect(outcome).toMatchObject({ status: 'market-unavailable', code: 'ORACLE_STALE' });
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(0);
    const stored = await w.evaluateDeps.evaluations.load(account.accountId);
    expect(stored?.exposure).toMatchObject({ status: 'market-unavailable', problem: { code: 'ORACLE_STALE' } });
  });

  it('a paused account: the policy decides nothing and alerts', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4, status: 'paused' });
    const outcome = await w.evaluate(account.accountId);
    expect(outcome.status).toBe('decided');
    if (outcome.status === 'decided') expect(outcome.decision.reason).toBe('NONE_PAUSED');
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(0);
    expect(w.publisher.of('Risk Limit Breached', account.accountId).map((e) => e.code)).toEqual(['ACCOUNT_PAUSED']);
  });

  it('dry-run: the decision is recorded as skipped with what it would have traded, nothing requested', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4, config: (c) => ({ ...c, guards: { dryRun: true } }) });
    const outcome = await w.evaluate(account.accountId);
    expect(outcome).toMatchObject({ status: 'decided', dispatched: false });
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(0);
    if (outcome.status !== 'decided') return;
    expect(outcome.decision.wouldTrade).toHaveLength(1);
    const record = await w.journal.get({ accountId: account.accountId, hedgeId: `${outcome.decision.id}:0`, at: new Date(w.clock.nowMs) });
    expect(record?.stage).toBe('skipped');
    expect(record?.record).toMatchObject({ skipped: 'dry-run', order: { side: 'buy' } });
  });

  it('a no-op tick writes one item', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 0 });
    const before = await w.evaluateDeps.evaluations.load(account.accountId);
    expect(before).toBeUndefined();
    const outcome = await w.evaluate(account.accountId);
    expect(outcome).toMatchObject({ status: 'decided', dispatched: false });
    const after = await w.evaluateDeps.evaluations.load(account.accountId);
    expect(after?.version).toBe(1);
    expect(after?.exposure?.decision?.action).toBe('none');
  });
});
