// From a book out of its band to a confirmed swap on the local chain: evaluate → dispatch
// → follow, on DynamoDB Local and anvil with Uniswap V3. Balances are checked on chain.
import { describe, expect, it } from 'vitest';
import { useHedgingWorld } from '../../support/hedging-world.ts';

const world = useHedgingWorld();

describe('hedging flow: the happy path', () => {
  it('buys the delta of a short-call book on Uniswap and records the fill', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4 });
    const before = await w.balances(account.signer);

    const evaluation = await w.evaluate(account.accountId);
    expect(evaluation.status).toBe('decided');
    if (evaluation.status !== 'decided') return;
    expect(evaluation.decision.action).toBe('hedge');
    expect(evaluation.dispatched).toBe(true);
    const order = evaluation.decision.orders[0]!;
    expect(order.side).toBe('buy');
    expect(order.quantity).toBeGreaterThan(1.5);
    expect(order.quantity).toBeLessThan(2.5);

    const [dispatched] = await w.dispatchLatest(account.accountId);
    expect(dispatched).toMatchObject({ status: 'submitted' });
    // A tick before the confirmation: the hedge is in flight, its units count, nothing new is requested.
    w.clock.nowMs += 1_000;
    const meanwhile = await w.evaluate(account.accountId);
    if (meanwhile.status === 'decided') expect(meanwhile.decision.action).toBe('none');
    expect(meanwhile.status).toBe('decided');
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.exposure?.risk?.inFlightUnits).toBeCloseTo(order.quantity, 12);
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(1);
    const confirmed = await w.followUntilFinal(account.accountId);
    expect(confirmed.status).toBe('confirmed');
    if (confirmed.status !== 'confirmed') return;

    const after = await w.balances(account.signer);
    expect(after.weth - before.weth).toBeCloseTo(order.quantity, 9);
    expect(confirmed.baseDelta).toBeCloseTo(order.quantity, 9);
    expect(before.usdc - after.usdc).toBeCloseTo(order.quantity * confirmed.priceUsd, 2);
    expect(confirmed.priceUsd).toBeGreaterThan(3000);
    expect(confirmed.priceUsd).toBeLessThan(3000 * 1.015);

    const hedge = await w.positions.getPosition(account.accountId, 'hedge-ETH');
    expect(hedge?.position.quantity).toBeCloseTo(order.quantity, 9);
    expect(hedge?.source).toBe('hedge');
    const events = w.publisher;
    expect(events.of('Hedge Confirmed', account.accountId)).toHaveLength(1);
    expect(events.of('Hedge Submitted', account.accountId)).toHaveLength(1);

    // The next evaluation sees the hedge position (and nothing in flight): the book is inside its band.
    w.clock.nowMs += 1_000;
    const next = await w.evaluate(account.accountId);
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.exposure?.risk?.inFlightUnits).toBe(0);
    expect(next.status).toBe('decided');
    if (next.status === 'decided') expect(next.decision.action).toBe('none');
  });
});
