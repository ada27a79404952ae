/**
 * Trades the Uniswap pools to a target price with a market maker's account, as an
 * arbitrageur would after the oracle moved. Each V3 pool (the main one and the routing
 * one): one exactInputSingle whose sqrtPriceLimitX96 IS the target — the pool stops the
 * swap exactly at the limit and the router's callback pulls only what was swapped, so the
 * amount in is an upper bound (the maker's balance), not a computed size. The V2 pair: the
 * constant-product size to the target, sent to the pair and swapped directly (its own
 * arithmetic for the amount out), to within its fee.
 */
import { maxUint256, parseUnits, type Address } from 'viem';
import { testTokenAbi } from '../../shared/adapters/chain/artifacts/test-token.ts';
import { uniswapV2PairAbi } from '../../shared/adapters/chain/uniswap-routing-abi.ts';
import { uniswapV3PoolAbi, uniswapV3SwapRouterAbi } from '../../shared/adapters/chain/uniswap-v3-artifacts.ts';
import { v2AmountOut } from '../../shared/domain/market/uniswap-v2-math.ts';
import { POOL_FEE, ROUTE_POOL_FEE, USDC_DECIMALS, WETH_DECIMALS, wethPriceFromSqrtPriceX96, type LocalChain, type LocalWalletClient } from '../chain/local-chain.ts';

/** What the maker holds: far more than any move of the demo pool needs. */
const MAKER_BALANCES = { weth: parseUnits('1000000', WETH_DECIMALS), usdc: parseUnits('10000000000', USDC_DECIMALS) } as const;
/** Moves smaller than this (relative) are not worth a transaction. */
const MIN_MOVE = 1e-5;

/** Far above a single-pool swap's ~110k gas: see moveTo. */
const MAKER_SWAP_GAS = 1_000_000n;

export interface PoolMover {
  readonly maker: Address;
  /** The pool's price now, USDC per WETH. */
  price(): Promise<number>;
  /** Trades the pool to `usdPerWeth`; returns the price it ended at. */
  moveTo(usdPerWeth: number): Promise<number>;
}

/** sqrtPriceX96 of a USDC-per-WETH price for the pool's token order. */
export function sqrtPriceX96Of(usdPerWeth: number, wethIsToken0: boolean): bigint {
  const rawToken1PerToken0 = wethIsToken0 ? (usdPerWeth * 10 ** USDC_DECIMALS) / 10 ** WETH_DECIMALS : 10 ** WETH_DECIMALS / (usdPerWeth * 10 ** USDC_DECIMALS);
  return BigInt(Math.round(Math.sqrt(rawToken1PerToken0) * 2 ** 96));
}

/** `alreadyFunded`: the maker holds its balances and approvals already (a restored chain): nothing is sent at creation. */
export async function createPoolMover(chain: LocalChain, maker: LocalWalletClient, options: { readonly alreadyFunded?: boolean } = {}): Promise<PoolMover> {
  const { weth, usdc, pool, swapRouter, routePool, v2Pair } = chain.addresses;
  const { wethIsToken0, token0, token1 } = chain.pool;
  if (options.alreadyFunded !== true) {
    await chain.testClient.setBalance({ address: maker.account.address, value: parseUnits('1000', 18) });
    for (const [token, amount] of [
      [weth, MAKER_BALANCES.weth],
      [usdc, MAKER_BALANCES.usdc],
    ] as const) {
      await chain.confirm(await chain.deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [maker.account.address, amount] }));
      await chain.confirm(await maker.writeContract({ address: token, abi: testTokenAbi, functionName: 'approve', args: [swapRouter, maxUint256] }));
    }
  }

  const sqrtPriceOf = async (address: Address): Promise<bigint> => (await chain.publicClient.readContract({ address, abi: uniswapV3PoolAbi, functionName: 'slot0' }))[0];
  const price = async (): Promise<number> => wethPriceFromSqrtPriceX96(await sqrtPriceOf(pool), wethIsToken0);

  async function moveV3(address: Address, fee: number, usdPerWeth: number): Promise<void> {
    const current = await sqrtPriceOf(address);
    const target = sqrtPriceX96Of(usdPerWeth, wethIsToken0);
    if (Math.abs(Number(target - current)) / Number(current) < MIN_MOVE) return;
    // token1 per token0 rises ⇔ token1 goes in (oneForZero); the limit caps the move either way.
    const oneForZero = target > current;
    const [tokenIn, tokenOut] = oneForZero ? [token1, token0] : [token0, token1];
    const balance = await chain.publicClient.readContract({ address: tokenIn, abi: testTokenAbi, functionName: 'balanceOf', args: [maker.account.address] });
    await chain.confirm(
      await maker.writeContract({
        address: swapRouter,
        abi: uniswapV3SwapRouterAbi,
        functionName: 'exactInputSingle',
        args: [{ tokenIn, tokenOut, fee, recipient: maker.account.address, deadline: maxUint256, amountIn: balance, amountOutMinimum: 0n, sqrtPriceLimitX96: target }],
        // A fixed, generous limit instead of an estimate: a hedge mined between the estimate
        // and this swap moves the pool, and the swap to the limit then needs more gas than
        // estimated (an out-of-gas revert was seen under load). Local chain: gas costs nothing.
        gas: MAKER_SWAP_GAS,
      }),
    );
  }

  /** The V2 pair to the target: reserves on the curve x·y = k at the target price, the input grossed up for the fee. */
  async function moveV2(usdPerWeth: number): Promise<void> {
    const [reserve0, reserve1] = await chain.publicClient.readContract({ address: v2Pair, abi: uniswapV2PairAbi, functionName: 'getReserves' });
    const [reserveWeth, reserveUsdc] = wethIsToken0 ? [reserve0, reserve1] : [reserve1, reserve0];
    const rawTarget = (usdPerWeth * 10 ** USDC_DECIMALS) / 10 ** WETH_DECIMALS; // raw USDC per raw WETH
    const current = Number(reserveUsdc) / Number(reserveWeth);
    if (Math.abs(rawTarget - current) / current < MIN_MOVE) return;
    const k = Number(reserveWeth) * Number(reserveUsdc);
    const wethIn = rawTarget < current; // the price falls: WETH goes in
    const [reserveIn, reserveOut] = wethIn ? [reserveWeth, reserveUsdc] : [reserveUsdc, reserveWeth];
    const targetReserveIn = wethIn ? Math.sqrt(k / rawTarget) : Math.sqrt(k * rawTarget);
    const amountIn = BigInt(Math.floor(((targetReserveIn - Number(reserveIn)) * 1000) / 997));
    const amountOut = amountIn > 0n ? v2AmountOut(amountIn, reserveIn, reserveOut) : undefined;
    if (amountOut === undefined || amountOut === 0n) return;
    const tokenIn = wethIn ? weth : usdc;
    const wethIsOut = !wethIn;
    const [amount0Out, amount1Out] = wethIsToken0 === wethIsOut ? [amountOut, 0n] : [0n, amountOut];
    await chain.confirm(await maker.writeContract({ address: tokenIn, abi: testTokenAbi, functionName: 'transfer', args: [v2Pair, amountIn] }));
    await chain.confirm(await maker.writeContract({ address: v2Pair, abi: uniswapV2PairAbi, functionName: 'swap', args: [amount0Out, amount1Out, maker.account.address, '0x'], gas: MAKER_SWAP_GAS }));
  }

  return {
    maker: maker.account.address,
    price,
    async moveTo(usdPerWeth) {
      await moveV3(pool, POOL_FEE, usdPerWeth);
      // The routing pools follow too, so that a split never trades a stale pool.
      await moveV3(routePool, ROUTE_POOL_FEE, usdPerWeth);
      await moveV2(usdPerWeth);
      return price();
    },
  };
}
