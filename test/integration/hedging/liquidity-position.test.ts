// An LP hedging its Uniswap V3 liquidity position: the position stored as the API takes it
// (pool, ticks, liquidity), the evaluator's exposure counting its delta and short gamma,
// and the policy selling that delta on the local pool, confirmed on chain.
import { describe, expect, it } from 'vitest';
import { liquidityGreeks, liquidityRangeOf } from '../../../shared/domain/exposure/concentrated-liquidity.ts';
import type { LiquidityPosition } from '../../../shared/domain/exposure/positions.ts';
import { USDC_DECIMALS, WETH_DECIMALS } from '../../support/chain-fixture.ts';
import { useHedgingWorld } from '../../support/hedging-world.ts';

const world = useHedgingWorld();

describe('hedging a liquidity position', () => {
  it('sells the base the range holds and reports its short gamma', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 0 });
    const { wethIsToken0 } = w.chain.pool;
    const rawPrice = (usd: number): number => (wethIsToken0 ? usd * 10 ** (USDC_DECIMALS - WETH_DECIMALS) : 10 ** (WETH_DECIMALS - USDC_DECIMALS) / usd);
    const tickOf = (usd: number): number => Math.round(Math.log(rawPrice(usd)) / Math.log(1.0001) / 60) * 60;
    const [tickLower, tickUpper] = [tickOf(2400), tickOf(3800)].sort((a, b) => a - b) as [number, number];
    const lp: LiquidityPosition = {
      id: 'lp-1',
      underlying: 'ETH',
      quantity: 1,
      kind: 'uniswap-v3-liquidity',
      pool: w.chain.addresses.pool,
      tickLower,
      tickUpper,
      // L = 1,000 in √(WETH·USDC): about 2.0 WETH and 5,800 USDC at 3,000.
      liquidity: '1000000000000000',
      baseIsToken0: wethIsToken0,
      baseDecimals: WETH_DECIMALS,
      quoteDecimals: USDC_DECIMALS,
    };
    await w.positions.putPosition(account.accountId, lp, 'manual');
    const held = liquidityGreeks(liquidityRangeOf(lp), 3000);
    expect(held.delta).toBeGreaterThan(1); // outside the ±0.25 band

    const evaluation = await w.evaluate(account.accountId);
    expect(evaluation.status).toBe('decided');
    if (evaluation.status !== 'decided') return;
    const order = evaluation.decision.orders[0]!;
    expect(order.side).toBe('sell');
    expect(order.quantity).toBeCloseTo(held.delta, 6);
    const snapshot = (await w.evaluateDeps.evaluations.load(account.accountId))?.exposure;
    expect(snapshot?.risk?.gamma).toBeCloseTo(held.gamma, 12);

    const [dispatched] = await w.dispatchLatest(account.accountId);
    expect(dispatched).toMatchObject({ status: 'submitted' });
    const confirmed = await w.followUntilFinal(account.accountId);
    expect(confirmed.status).toBe('confirmed');
    const hedge = await w.positions.getPosition(account.accountId, 'hedge-ETH');
    expect(hedge?.position.quantity).toBeCloseTo(-held.delta, 6);
  });
});
