// Following a hedge to its end on the local chain, with faults: a transaction stuck in
// the mempool (mining paused) is replaced at the same nonce with higher fees and
// confirmed; with no replacements left it is cancelled; a swap that reverts on chain is
// failed with its decoded reason; nonces used outside the system heal; repeated failures
// pause the account with an alert.
import { maxUint256, parseUnits } from 'viem';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followHedge, NONCE_CONSUMED_AFTER_MS } from '../../../shared/app/confirm-hedge/follow-hedge.ts';
import { LaneBusyError, type DispatchDeps } from '../../../shared/app/dispatch/dispatch-hedge.ts';
import { useHedgingWorld, type OpenedAccount, type OpenAccountOptions } from '../../support/hedging-world.ts';
import type { UniswapV3VenueConfig } from '../../../shared/contracts/execution-config.ts';

const world = useHedgingWorld();

beforeEach(async () => {
  await world().chain.reset();
  world().clock.nowMs = Date.now();
});
afterEach(async () => {
  await world().chain.testClient.setAutomine(true);
});

/** An account whose signer already approved the router (so a dispatch sends exactly one transaction), evaluated out of its band. */
async function decided(options: OpenAccountOptions = {}): Promise<{ account: OpenedAccount; quantity: number; wethBefore: number }> {
  const w = world();
  const account = await w.openAccount({ shortCalls: 4, ...options });
  const wallet = w.signerWallet(account);
  await w.chain.confirm(await wallet.writeContract({ address: w.chain.addresses.usdc, abi: w.tokenAbi, functionName: 'approve', args: [w.chain.addresses.swapRouter, maxUint256] }));
  const wethBefore = (await w.balances(account.signer)).weth;
  const evaluation = await w.evaluate(account.accountId);
  if (evaluation.status !== 'decided' || !evaluation.dispatched) throw new Error(`expected a dispatched decision, got ${JSON.stringify(evaluation)}`);
  return { account, quantity: evaluation.decision.orders[0]!.quantity, wethBefore };
}

async function followOnce(accountId: string) {
  return world().followUntilFinal(accountId, 1);
}

describe('confirmation', () => {
  it('a transaction stuck while mining is paused is replaced with fees raised ≥ 10% and confirmed', async () => {
    const w = world();
    const { account, quantity, wethBefore } = await decided();
    await w.chain.testClient.setAutomine(false);
    const [sent] = await w.dispatchLatest(account.accountId);
    expect(sent!.status).toBe('submitted');
    expect(await followOnce(account.accountId)).toMatchObject({ status: 'pending', reason: 'not-mined' });

    w.clock.nowMs += 31_000; // past replaceAfterMs (30 s)
    const replaced = await followOnce(account.accountId);
    expect(replaced).toMatchObject({ status: 'pending', reason: 'replaced' });
    const submissions = w.publisher.of('Hedge Submitted', account.accountId);
    expect(submissions).toHaveLength(2);
    expect(submissions[1]!.nonce).toBe(submissions[0]!.nonce);
    const requested = w.publisher.of('Hedge Requested', account.accountId)[0]!;
    const journal = (await w.journal.get({ accountId: account.accountId, hedgeId: `${requested.decisionId}:0`, at: new Date(requested.occurredAt) }))!.transactions;
    expect(journal.map((t) => t.hash)).toEqual(submissions.map((s) => s.txHash));
    expect(BigInt(journal[1]!.maxFeePerGas) * 100n).toBeGreaterThanOrEqual(BigInt(journal[0]!.maxFeePerGas) * 110n);
    expect(BigInt(journal[1]!.maxPriorityFeePerGas) * 100n).toBeGreaterThanOrEqual(BigInt(journal[0]!.maxPriorityFeePerGas) * 110n);

    await w.chain.testClient.mine({ blocks: 1 });
    const done = await followOnce(account.accountId);
    expect(done).toMatchObject({ status: 'confirmed', txHash: submissions[1]!.txHash });
    expect((await w.balances(account.signer)).weth - wethBefore).toBeCloseTo(quantity, 9);
    expect(await w.chain.publicClient.getTransactionCount({ address: account.signer })).toBe(2); // approve + one swap
  });

  it('a second hedge of the lane waits while the first is not mined (its quote, approval and simulation would see the wrong state)', async () => {
    const w = world();
    const { account } = await decided();
    await w.chain.testClient.setAutomine(false);
    expect((await w.dispatchLatest(account.accountId))[0]!.status).toBe('submitted');
    await w.positions.putPosition(
      account.accountId,
      { id: 'calls-2', underlying: 'ETH', kind: 'option', optionType: 'call', strike: 3000, expiryMs: w.clock.nowMs + 30 * 86_400_000, quantity: -2 },
      'manual',
    );
    w.clock.nowMs += 1_000;
    const second = await w.evaluate(account.accountId);
    if (second.status !== 'decided' || !second.dispatched) throw new Error('expected a second hedge');
    await expect(w.dispatchLatest(account.accountId)).rejects.toBeInstanceOf(LaneBusyError);
    await w.chain.testClient.mine({ blocks: 1 });
    await w.chain.testClient.setAutomine(true);
    const firstSubmitted = w.publisher.of('Hedge Submitted', account.accountId)[0]!;
    expect((await followHedge(w.followDeps, firstSubmitted)).status).toBe('confirmed');
    expect((await w.dispatchLatest(account.accountId))[0]!.status).toBe('submitted');
    expect((await w.followUntilFinal(account.accountId)).status).toBe('confirmed');
  });

  it('with no replacements left, the stuck hedge is cancelled by a zero-value transfer to self', async () => {
    const w = world();
    const { account, wethBefore } = await decided({ config: (c) => ({ ...c, execution: { ...c.execution!, maxReplacements: 0 } }) });
    await w.chain.testClient.setAutomine(false);
    await w.dispatchLatest(account.accountId);
    w.clock.nowMs += 31_000;
    expect(await followOnce(account.accountId)).toMatchObject({ status: 'pending', reason: 'cancel-sent' });
    await w.chain.testClient.mine({ blocks: 1 });
    expect(await followOnce(account.accountId)).toMatchObject({ status: 'failed', code: 'CANCELLED' });
    expect((await w.balances(account.signer)).weth).toBe(wethBefore);
    expect(w.publisher.of('Hedge Failed', account.accountId)).toMatchObject([{ stage: 'receipt', code: 'CANCELLED' }]);
    const hedge = await w.positions.getPosition(account.accountId, 'hedge-ETH');
    expect(hedge).toBeUndefined();
  });

  it('a cancel that is not mined either is re-priced (uncapped) until it is', async () => {
    const w = world();
    const { account, wethBefore } = await decided({ config: (c) => ({ ...c, execution: { ...c.execution!, maxReplacements: 0 } }) });
    await w.chain.testClient.setAutomine(false);
    await w.dispatchLatest(account.accountId);
    w.clock.nowMs += 31_000;
    expect(await followOnce(account.accountId)).toMatchObject({ status: 'pending', reason: 'cancel-sent' });
    w.clock.nowMs += 31_000;
    expect(await followOnce(account.accountId)).toMatchObject({ status: 'pending', reason: 'cancel-sent' });
    const requested = w.publisher.of('Hedge Requested', account.accountId)[0]!;
    const journal = (await w.journal.get({ accountId: account.accountId, hedgeId: `${requested.decisionId}:0`, at: new Date(requested.occurredAt) }))!.transactions;
    expect(journal.map((t) => t.purpose)).toEqual(['swap', 'cancel', 'cancel']);
    expect(BigInt(journal[2]!.maxFeePerGas) * 100n).toBeGreaterThanOrEqual(BigInt(journal[1]!.maxFeePerGas) * 110n);
    await w.chain.testClient.mine({ blocks: 1 });
    expect(await followOnce(account.accountId)).toMatchObject({ status: 'failed', code: 'CANCELLED' });
    expect((await w.balances(account.signer)).weth).toBe(wethBefore);
  });

  it('a configuration changed after the swap was sent does not change how it is followed (journaled venue and signer)', async () => {
    const w = world();
    const { account, quantity, wethBefore } = await decided();
    await w.chain.testClient.setAutomine(false);
    await w.dispatchLatest(account.accountId);
    const current = (await w.configs.getConfig(account.accountId))!;
    const elsewhere = '0x00000000000000000000000000000000000000aa';
    await w.configs.putConfig(
      account.accountId,
      {
        ...current.config,
        operator: {
          ...current.config.operator!,
          execution: { ...current.config.operator!.execution!, venues: [{ ...(current.config.operator!.execution!.venues[0] as UniswapV3VenueConfig), pool: elsewhere }], signer: { kind: 'local', name: 'someone-else' } },
        },
      },
      current.version,
      'test:operator',
    );
    w.clock.nowMs += 31_000; // due for a replacement: signed by the journaled signer, not "someone-else"
    expect(await followOnce(account.accountId)).toMatchObject({ status: 'pending', reason: 'replaced' });
    await w.chain.testClient.mine({ blocks: 1 });
    const done = await followOnce(account.accountId);
    expect(done).toMatchObject({ status: 'confirmed' });
    expect((await w.balances(account.signer)).weth - wethBefore).toBeCloseTo(quantity, 9);
    expect((await w.positions.getPosition(account.accountId, 'hedge-ETH'))?.position.quantity).toBeCloseTo(quantity, 9);
  });

  it('a swap that reverts on chain (its deadline passed before it was mined) fails with the decoded reason', async () => {
    const w = world();
    const { account, wethBefore } = await decided({ config: (c) => ({ ...c, execution: { ...c.execution!, deadlineSeconds: 10 } }) });
    await w.chain.testClient.setAutomine(false);
    await w.dispatchLatest(account.accountId);
    await w.chain.testClient.increaseTime({ seconds: 120 });
    await w.chain.testClient.mine({ blocks: 1 });
    const outcome = await followOnce(account.accountId);
    expect(outcome).toMatchObject({ status: 'failed', code: 'REVERTED' });
    if (outcome.status === 'failed') expect(outcome.message).toContain('Transaction too old');
    expect((await w.balances(account.signer)).weth).toBe(wethBefore);
    const requested = w.publisher.of('Hedge Requested', account.accountId)[0]!;
    const record = await w.journal.get({ accountId: account.accountId, hedgeId: `${requested.decisionId}:0`, at: new Date(requested.occurredAt) });
    expect(record?.stage).toBe('failed');
  });

  it('a nonce used outside the system before a dispatch is healed: the hedge goes through', async () => {
    const w = world();
    const { account, quantity, wethBefore } = await decided();
    await w.dispatchLatest(account.accountId);
    expect((await w.followUntilFinal(account.accountId)).status).toBe('confirmed');
    // An operator uses the key directly: the DynamoDB counter is now behind the chain.
    const wallet = w.signerWallet(account);
    await w.chain.confirm(await wallet.sendTransaction({ to: account.signer, value: 0n }));
    // The book grows: a second hedge is needed.
    await w.positions.putPosition(
      account.accountId,
      { id: 'calls-2', underlying: 'ETH', kind: 'option', optionType: 'call', strike: 3000, expiryMs: w.clock.nowMs + 30 * 86_400_000, quantity: -2 },
      'manual',
    );
    w.clock.nowMs += 60_000;
    const second = await w.evaluate(account.accountId);
    if (second.status !== 'decided' || !second.dispatched) throw new Error('expected a second hedge');
    const [sent] = await w.dispatchLatest(account.accountId);
    expect(sent!.status).toBe('submitted');
    expect((await w.followUntilFinal(account.accountId)).status).toBe('confirmed');
    expect((await w.balances(account.signer)).weth - wethBefore).toBeCloseTo(quantity + second.decision.orders[0]!.quantity, 9);
  });

  it('a nonce taken between signing and broadcast ("nonce too low"): the hedge fails cleanly and the next one heals', async () => {
    const w = world();
    const { account, wethBefore } = await decided();
    const wallet = w.signerWallet(account);
    const chains = w.dispatchDeps.chains;
    const racing: DispatchDeps['chains'] = (chainId) => {
      const chain = chains(chainId)!;
      return {
        ...chain,
        gateway: {
          ...chain.gateway,
          broadcast: async (raw) => {
            // Someone sends with the key just before our broadcast: our nonce is gone.
            await w.chain.confirm(await wallet.sendTransaction({ to: account.signer, value: 0n }));
            return chain.gateway.broadcast(raw);
          },
        },
      };
    };
    const [outcome] = await w.dispatchLatest(account.accountId, { chains: racing });
    expect(outcome).toMatchObject({ status: 'failed', code: 'NONCE_CONSUMED' });
    expect((await w.balances(account.signer)).weth).toBe(wethBefore);

    w.clock.nowMs += 60_000;
    const next = await w.evaluate(account.accountId);
    if (next.status !== 'decided' || !next.dispatched) throw new Error('expected the book to be hedged again');
    expect((await w.dispatchLatest(account.accountId))[0]!.status).toBe('submitted');
    expect((await w.followUntilFinal(account.accountId)).status).toBe('confirmed');
  });

  it('a swap mined between the receipt look and the nonce look is not mistaken for a consumed nonce', async () => {
    const w = world();
    const { account } = await decided();
    await w.dispatchLatest(account.accountId);
    const gateways = w.followDeps.gateways;
    let firstLook = true;
    const racing: typeof gateways = (chainId) => {
      const gateway = gateways(chainId)!;
      return {
        ...gateway,
        // The first receipt read answers "not mined yet", as if the block landed right after it.
        receipt: (hash) => (firstLook ? ((firstLook = false), Promise.resolve(undefined)) : gateway.receipt(hash)),
      };
    };
    const submitted = w.publisher.of('Hedge Submitted', account.accountId)[0]!;
    const outcome = await followHedge({ ...w.followDeps, gateways: racing }, submitted);
    expect(outcome.status).not.toBe('failed');
    expect((await w.followUntilFinal(account.accountId)).status).toBe('confirmed');
  });

  it('a node that counts the nonce used before it has our receipt: pending for 30 s, not a lost hedge', async () => {
    const w = world();
    const { account } = await decided();
    await w.dispatchLatest(account.accountId);
    const gateways = w.followDeps.gateways;
    // A node behind a load balancer: it has the nonce count of the block with our swap, not yet the receipt.
    const lagging: typeof gateways = (chainId) => ({ ...gateways(chainId)!, receipt: () => Promise.resolve(undefined) });
    const submitted = w.publisher.of('Hedge Submitted', account.accountId)[0]!;
    const early = await followHedge({ ...w.followDeps, gateways: lagging }, submitted);
    expect(early).toMatchObject({ status: 'pending', reason: 'nonce-used-no-receipt' });
    expect(w.publisher.of('Hedge Failed', account.accountId)).toHaveLength(0);
    // The next look reaches a node that has the receipt: the hedge is confirmed.
    expect((await w.followUntilFinal(account.accountId)).status).toBe('confirmed');
  });

  it('a used nonce with no receipt of ours 30 s after signing is another transaction: the hedge failed (NONCE_CONSUMED)', async () => {
    const w = world();
    const { account } = await decided();
    await w.dispatchLatest(account.accountId);
    const gateways = w.followDeps.gateways;
    const noReceipt: typeof gateways = (chainId) => ({ ...gateways(chainId)!, receipt: () => Promise.resolve(undefined) });
    const submitted = w.publisher.of('Hedge Submitted', account.accountId)[0]!;
    w.clock.nowMs += NONCE_CONSUMED_AFTER_MS + 1_000;
    expect(await followHedge({ ...w.followDeps, gateways: noReceipt }, submitted)).toMatchObject({ status: 'failed', code: 'NONCE_CONSUMED' });
  });

  it('failed hedges in a row pause the account with an alert', async () => {
    const w = world();
    const { account } = await decided({ config: (c) => ({ ...c, execution: { ...c.execution!, maxConsecutiveFailures: 2 } }) });
    // The signer has no USDC left to pay with: every swap simulation reverts.
    const wallet = w.signerWallet(account);
    await w.chain.confirm(
      await wallet.writeContract({ address: w.chain.addresses.usdc, abi: w.tokenAbi, functionName: 'transfer', args: [w.chain.deployer.account.address, parseUnits('1000000', 6)] }),
    );
    expect((await w.dispatchLatest(account.accountId))[0]).toMatchObject({ status: 'failed', code: 'SIMULATION_REVERTED' });
    expect((await w.accounts.getAccount(account.accountId))?.status).toBe('active');
    w.clock.nowMs += 60_000;
    const again = await w.evaluate(account.accountId);
    if (again.status !== 'decided' || !again.dispatched) throw new Error('expected another hedge');
    expect((await w.dispatchLatest(account.accountId))[0]).toMatchObject({ status: 'failed', code: 'SIMULATION_REVERTED' });
    expect((await w.accounts.getAccount(account.accountId))?.status).toBe('paused');
    expect(w.publisher.of('Risk Limit Breached', account.accountId).map((e) => e.code)).toContain('ACCOUNT_PAUSED');
    // Paused: the next evaluation decides nothing.
    w.clock.nowMs += 60_000;
    const paused = await w.evaluate(account.accountId);
    if (paused.status === 'decided') expect(paused.decision.reason).toBe('NONE_PAUSED');
  });
});
