// A Uniswap V3 liquidity position's value, delta and gamma (shared/domain/exposure/
// concentrated-liquidity.ts) against the pool's own maths: a position minted through the
// real NonfungiblePositionManager on the local chain, its amounts read at several pool
// prices by a static call of decreaseLiquidity (what burning it would pay), and finite
// differences of that exact value across pool moves.
import { maxUint256, parseAbi, parseUnits, type Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTokenAbi } from '../../../shared/adapters/chain/artifacts/test-token.ts';
import { uniswapV3PoolAbi, uniswapV3PositionManagerAbi, uniswapV3TickSpacing } from '../../../shared/adapters/chain/uniswap-v3-artifacts.ts';
import { liquidityGreeks, liquidityRangeOf } from '../../../shared/domain/exposure/concentrated-liquidity.ts';
import { PositionSchema } from '../../../shared/contracts/position-schema.ts';
import { createPoolMover, type PoolMover } from '../../../local/market/pool-mover.ts';
import { POOL_FEE, USDC_DECIMALS, WETH_DECIMALS, startChainFixture, wethPriceFromSqrtPriceX96, type ChainFixture } from '../../support/chain-fixture.ts';
import { createWalletClient, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

// Not in the product's ABI (it never burns liquidity): the periphery's function, for the static call.
const decreaseLiquidityAbi = parseAbi([
  'struct DecreaseLiquidityParams { uint256 tokenId; uint128 liquidity; uint256 amount0Min; uint256 amount1Min; uint256 deadline; }',
  'function decreaseLiquidity(DecreaseLiquidityParams params) payable returns (uint256 amount0, uint256 amount1)',
]);

let chain: ChainFixture;
let mover: PoolMover;
let tokenId: bigint;
let position: Parameters<typeof liquidityRangeOf>[0];
let owner: Address;

beforeAll(async () => {
  chain = await startChainFixture();
  mover = await createPoolMover(chain, createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), chain: chain.chain, transport: http(chain.rpcUrl), pollingInterval: 10 }));
  const { weth, usdc, nonfungiblePositionManager } = chain.addresses;
  const { token0, token1, wethIsToken0 } = chain.pool;
  const lp = chain.trader;
  owner = lp.account.address;
  for (const token of [weth, usdc]) await chain.confirm(await lp.writeContract({ address: token, abi: testTokenAbi, functionName: 'approve', args: [nonfungiblePositionManager, maxUint256] }));
  // 2,500–3,600 USDC per WETH in the pool's ticks (token1 per token0, raw), on the 0.3% tier's spacing.
  const spacing = uniswapV3TickSpacing[POOL_FEE];
  const rawPrice = (usd: number): number => (wethIsToken0 ? usd * 10 ** (USDC_DECIMALS - WETH_DECIMALS) : 10 ** (WETH_DECIMALS - USDC_DECIMALS) / usd);
  const tickOf = (usd: number): number => Math.round(Math.log(rawPrice(usd)) / Math.log(1.0001) / spacing) * spacing;
  const [tickLower, tickUpper] = [tickOf(2500), tickOf(3600)].sort((a, b) => a - b) as [number, number];
  const [amount0Desired, amount1Desired] = wethIsToken0 ? [parseUnits('10', WETH_DECIMALS), parseUnits('30000', USDC_DECIMALS)] : [parseUnits('30000', USDC_DECIMALS), parseUnits('10', WETH_DECIMALS)];
  const params = { token0, token1, fee: POOL_FEE, tickLower, tickUpper, amount0Desired, amount1Desired, amount0Min: 0n, amount1Min: 0n, recipient: owner, deadline: maxUint256 } as const;
  const { result } = await chain.publicClient.simulateContract({ account: lp.account, address: nonfungiblePositionManager, abi: uniswapV3PositionManagerAbi, functionName: 'mint', args: [params] });
  await chain.confirm(await lp.writeContract({ address: nonfungiblePositionManager, abi: uniswapV3PositionManagerAbi, functionName: 'mint', args: [params], gas: 1_000_000n }));
  tokenId = result[0];
  const stored = await chain.publicClient.readContract({ address: nonfungiblePositionManager, abi: uniswapV3PositionManagerAbi, functionName: 'positions', args: [tokenId] });
  // The position as the API would store it: the pool's ticks and liquidity, read back from the chain.
  position = { tickLower: stored[5], tickUpper: stored[6], liquidity: stored[7].toString(), baseIsToken0: wethIsToken0, baseDecimals: WETH_DECIMALS, quoteDecimals: USDC_DECIMALS };
}, 60_000);
afterAll(async () => {
  await chain?.stop();
});

/** The pool's price now (USDC per WETH) and what burning the position would pay, in WETH and USDC. */
async function onChain(): Promise<{ price: number; weth: number; usdc: number; value: number }> {
  const [sqrtPriceX96] = await chain.publicClient.readContract({ address: chain.addresses.pool, abi: uniswapV3PoolAbi, functionName: 'slot0' });
  const price = wethPriceFromSqrtPriceX96(sqrtPriceX96, chain.pool.wethIsToken0);
  const { result } = await chain.publicClient.simulateContract({
    account: owner,
    address: chain.addresses.nonfungiblePositionManager,
    abi: decreaseLiquidityAbi,
    functionName: 'decreaseLiquidity',
    args: [{ tokenId, liquidity: BigInt(position.liquidity), amount0Min: 0n, amount1Min: 0n, deadline: maxUint256 }],
  });
  const [wethRaw, usdcRaw] = chain.pool.wethIsToken0 ? result : [result[1], result[0]];
  const weth = Number(wethRaw) / 10 ** WETH_DECIMALS;
  const usdc = Number(usdcRaw) / 10 ** USDC_DECIMALS;
  return { price, weth, usdc, value: price * weth + usdc };
}

describe('a Uniswap V3 liquidity position against the pool', () => {
  it('is a position the API accepts, with the range it was minted on', () => {
    const parsed = PositionSchema.safeParse({ id: `lp-${tokenId}`, underlying: 'ETH', quantity: 1, kind: 'uniswap-v3-liquidity', pool: chain.addresses.pool, ...position });
    expect(parsed.success).toBe(true);
    const range = liquidityRangeOf(position);
    expect(range.lowerPrice).toBeGreaterThan(2450);
    expect(range.upperPrice).toBeLessThan(3650);
  });

  it('holds, at each pool price in and out of its range, the amounts the closed form gives', async () => {
    const range = liquidityRangeOf(position);
    for (const target of [2000, 2600, 3000, 3400, 4000]) {
      await mover.moveTo(target);
      const chainSide = await onChain();
      const model = liquidityGreeks(range, chainSide.price);
      // Burns round down to the raw unit; a tick is 1 bp of price, hence the tolerances.
      expect(Math.abs(chainSide.weth - model.baseAmount)).toBeLessThan(1e-9 + 1e-9 * model.baseAmount);
      expect(Math.abs(chainSide.usdc - model.quoteAmount)).toBeLessThan(2e-6 + 1e-9 * model.quoteAmount);
      expect(model.inRange).toBe(target > range.lowerPrice && target < range.upperPrice);
    }
  });

  it('delta and gamma are the derivatives of the pool’s exact value (finite differences across pool moves)', async () => {
    const range = liquidityRangeOf(position);
    for (const centre of [2700, 3000, 3300]) {
      const h = centre * 0.004;
      await mover.moveTo(centre - h);
      const down = await onChain();
      await mover.moveTo(centre);
      const mid = await onChain();
      await mover.moveTo(centre + h);
      const up = await onChain();
      const fdDelta = (up.value - down.value) / (up.price - down.price);
      const model = liquidityGreeks(range, mid.price);
      expect(Math.abs(fdDelta / model.delta - 1)).toBeLessThan(1e-4);
      // Second difference on the (slightly uneven) grid the pool landed on.
      const hUp = up.price - mid.price;
      const hDown = mid.price - down.price;
      const fdGamma = (2 * ((up.value - mid.value) / hUp - (mid.value - down.value) / hDown)) / (hUp + hDown);
      expect(Math.abs(fdGamma / model.gamma - 1)).toBeLessThan(2e-3);
      expect(model.gamma).toBeLessThan(0); // an LP is short gamma in its range
    }
  });
});
