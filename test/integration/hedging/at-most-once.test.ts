// At most one transaction per decision, whatever is redelivered, retried or crashed:
// duplicates (also concurrent), a crash after signing and before the journal, a crash
// after the broadcast and before the record, a lost broadcast answer, RPC outages
// through a faulty proxy on 127.0.0.1. Each test counts the swaps on chain: the signer's
// nonce (approval + swap = 2) and its WETH balance (exactly one order's quantity).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DispatchDeps } from '../../../shared/app/dispatch/dispatch-hedge.ts';
import { HedgeBusyError } from '../../../shared/app/dispatch/dispatch-hedge.ts';
import type { HedgeJournal } from '../../../shared/app/hedge-journal-ports.ts';
import { startFaultyRpcProxy, type FaultyRpcProxy } from '../../support/faulty-rpc-proxy.ts';
import { useHedgingWorld, type OpenedAccount } from '../../support/hedging-world.ts';

const world = useHedgingWorld();
let proxy: FaultyRpcProxy;

beforeAll(async () => {
  proxy = await startFaultyRpcProxy({ target: world().chain.rpcUrl });
});
afterAll(async () => {
  await proxy.stop();
});
beforeEach(async () => {
  await world().chain.reset();
  proxy.clear();
});

/** Opens an account out of its band and evaluates it: one Hedge Requested to dispatch. */
async function requested(): Promise<{ account: OpenedAccount; quantity: number; wethBefore: number }> {
  const w = world();
  const account = await w.openAccount({ shortCalls: 4 });
  const wethBefore = (await w.balances(account.signer)).weth;
  const evaluation = await w.evaluate(account.accountId);
  if (evaluation.status !== 'decided' || !evaluation.dispatched) throw new Error(`expected a dispatched decision, got ${JSON.stringify(evaluation)}`);
  return { account, quantity: evaluation.decision.orders[0]!.quantity, wethBefore };
}

/** Exactly one swap happened: nonce 2 (approval + swap), WETH up by one order, one Hedge Confirmed. */
async function expectExactlyOneSwap(account: OpenedAccount, quantity: number, wethBefore: number): Promise<void> {
  const w = world();
  const outcome = await w.followUntilFinal(account.accountId);
  expect(outcome.status).toBe('confirmed');
  expect(await w.chain.publicClient.getTransactionCount({ address: account.signer })).toBe(2);
  expect((await w.balances(account.signer)).weth - wethBefore).toBeCloseTo(quantity, 9);
  expect(w.publisher.of('Hedge Confirmed', account.accountId)).toHaveLength(1);
  const hedge = await w.positions.getPosition(account.accountId, 'hedge-ETH');
  expect(hedge?.position.quantity).toBeCloseTo(quantity, 9);
}

function withOwner(owner: string, extra: Partial<DispatchDeps> = {}): Partial<DispatchDeps> {
  return { owner, ...extra };
}

describe('at most one transaction per decision', () => {
  it('the same Hedge Requested three times, two of them concurrent: one transaction', async () => {
    const w = world();
    const { account, quantity, wethBefore } = await requested();
    const concurrent = await Promise.allSettled([w.dispatchLatest(account.accountId, withOwner('a')), w.dispatchLatest(account.accountId, withOwner('b'))]);
    const fulfilled = concurrent.filter((r) => r.status === 'fulfilled');
    const rejected = concurrent.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(HedgeBusyError); // the platform redelivers it later
    const third = await w.dispatchLatest(account.accountId, withOwner('c'));
    expect(third[0]!.status).toBe('resubmitted'); // the journaled bytes again, nothing new signed
    await expectExactlyOneSwap(account, quantity, wethBefore);
    const again = await w.dispatchLatest(account.accountId, withOwner('d'));
    expect(again[0]).toMatchObject({ status: 'duplicate', stage: 'confirmed' });
    expect(new Set(w.publisher.of('Hedge Submitted', account.accountId).map((e) => e.eventId)).size).toBe(1);
  });

  it('a crash after signing and before the journal: the redelivery signs again (the first never left), one transaction', async () => {
    const w = world();
    const { account, quantity, wethBefore } = await requested();
    const crashing: HedgeJournal = {
      ...w.journal,
      journalFirst: () => Promise.reject(new Error('process killed after signing (injected)')),
    };
    await expect(w.dispatchLatest(account.accountId, withOwner('first', { journal: crashing }))).rejects.toThrow('injected');
    // The first dispatcher's claim holds until its lease ends; the redelivery comes after that.
    w.clock.nowMs += 121_000;
    const [outcome] = await w.dispatchLatest(account.accountId, withOwner('second'));
    expect(outcome!.status).toBe('submitted');
    await expectExactlyOneSwap(account, quantity, wethBefore);
  });

  it('a crash after the broadcast and before the record: the redelivery rebroadcasts the same bytes, one transaction', async () => {
    const w = world();
    const { account, quantity, wethBefore } = await requested();
    const crashing: HedgeJournal = {
      ...w.journal,
      advance: (ref, step) => (step.stage === 'submitted' ? Promise.reject(new Error('process killed after broadcast (injected)')) : w.journal.advance(ref, step)),
    };
    await expect(w.dispatchLatest(account.accountId, withOwner('first', { journal: crashing }))).rejects.toThrow('injected');
    expect(w.publisher.of('Hedge Submitted', account.accountId)).toHaveLength(0);
    const [outcome] = await w.dispatchLatest(account.accountId, withOwner('second'));
    expect(outcome!.status).toBe('resubmitted');
    await expectExactlyOneSwap(account, quantity, wethBefore);
  });

  it('a crash after the journal and before the broadcast: the redelivery broadcasts the journaled transaction', async () => {
    const w = world();
    const { account, quantity, wethBefore } = await requested();
    const chains = w.dispatchDeps.chains;
    let broadcastCalls = 0;
    const dying: DispatchDeps['chains'] = (chainId) => {
      const chain = chains(chainId)!;
      return {
        ...chain,
        gateway: {
          ...chain.gateway,
          broadcast: (raw) => (++broadcastCalls === 2 ? Promise.reject(new Error('process killed before broadcast (injected)')) : chain.gateway.broadcast(raw)),
        },
      };
    };
    // Call 1 is the approval, call 2 the swap.
    await expect(w.dispatchLatest(account.accountId, withOwner('first', { chains: dying }))).rejects.toThrow('injected');
    expect(await w.chain.publicClient.getTransactionCount({ address: account.signer })).toBe(1);
    const [outcome] = await w.dispatchLatest(account.accountId, withOwner('second'));
    expect(outcome!.status).toBe('resubmitted');
    await expectExactlyOneSwap(account, quantity, wethBefore);
  });

  it('the broadcast reaches the node but its answer is lost (faulty proxy): retried, one transaction', async () => {
    const w = world();
    const { account, quantity, wethBefore } = await requested();
    const gateway = w.gatewayAt(proxy.url);
    const market = w.dispatchDeps.chains(w.chain.chain.id)!.market;
    proxy.inject({ kind: 'forward-then-drop', method: 'eth_sendRawTransaction', times: 2 });
    const [outcome] = await w.dispatchLatest(account.accountId, withOwner('proxied', { chains: () => ({ gateway, market }) }));
    expect(outcome!.status).toBe('submitted');
    expect(proxy.received.filter((r) => r.fault === 'forward-then-drop')).toHaveLength(2);
    await expectExactlyOneSwap(account, quantity, wethBefore);
  });

  it('an RPC outage longer than the retries: the dispatch fails retryably, nothing is sent, the redelivery completes', async () => {
    const w = world();
    const { account, quantity, wethBefore } = await requested();
    const gateway = w.gatewayAt(proxy.url, { retries: 1, timeoutMs: 300 });
    const market = w.dispatchDeps.chains(w.chain.chain.id)!.market;
    proxy.inject({ kind: 'http-502', times: 50 });
    await expect(w.dispatchLatest(account.accountId, withOwner('outage', { chains: () => ({ gateway, market }) }))).rejects.toMatchObject({ name: 'ChainUnavailableError' });
    expect(await w.chain.publicClient.getTransactionCount({ address: account.signer })).toBe(0);
    proxy.clear();
    w.clock.nowMs += 121_000; // the failed attempt's claim has lapsed
    proxy.inject({ kind: 'reset', times: 1 });
    proxy.inject({ kind: 'hang', method: 'eth_estimateGas', times: 1 });
    const [outcome] = await w.dispatchLatest(account.accountId, withOwner('after-outage', { chains: () => ({ gateway, market }) }));
    expect(outcome!.status).toBe('submitted');
    await expectExactlyOneSwap(account, quantity, wethBefore);
  });
});
