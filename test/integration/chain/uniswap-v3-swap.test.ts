// Uniswap V3 on the local chain: the npm artifacts work together as published (pool init
// code hash), a swap through SwapRouter moves the pool price the expected way and pays
// exactly what QuoterV2 quoted, and each test starts from the deployed state (snapshots).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { encodeAbiParameters, getContractAddress, keccak256, maxUint256, parseEventLogs, parseUnits, toFunctionSignature, toEventSignature } from 'viem';
import type { Abi, AbiEvent, AbiFunction, Address } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testTokenAbi } from '../../../shared/adapters/chain/artifacts/test-token.ts';
import {
  uniswapV3Artifacts,
  uniswapV3FactoryAbi,
  uniswapV3PoolAbi,
  uniswapV3PoolInitCodeHash,
  uniswapV3PositionManagerAbi,
  uniswapV3QuoterV2Abi,
  uniswapV3SwapRouterAbi,
} from '../../../shared/adapters/chain/uniswap-v3-artifacts.ts';
import { INITIAL_PRICE_USD, POOL_FEE, TRADER_BALANCES, USDC_DECIMALS, WETH_DECIMALS, startChainFixture, wethPriceFromSqrtPriceX96, SWAP_GAS_LIMIT } from '../../support/chain-fixture.ts';
import type { ChainFixture } from '../../support/chain-fixture.ts';

let chain: ChainFixture;
const suiteStart = performance.now();

beforeAll(async () => {
  chain = await startChainFixture();
  console.log(`[uniswap-v3-swap] chain fixture start-up: anvil ${chain.startup.anvilMs.toFixed(0)} ms, deploy ${chain.startup.deployMs.toFixed(0)} ms`);
}, 60_000);
beforeEach(async () => {
  await chain.reset();
});
afterAll(async () => {
  await chain?.stop();
  console.log(`[uniswap-v3-swap] suite run time ${(performance.now() - suiteStart).toFixed(0)} ms`);
});

const slot0 = async (): Promise<bigint> => {
  const [sqrtPriceX96] = await chain.publicClient.readContract({ address: chain.addresses.pool, abi: uniswapV3PoolAbi, functionName: 'slot0' });
  return sqrtPriceX96;
};
const balanceOf = (token: Address, account: Address): Promise<bigint> =>
  chain.publicClient.readContract({ address: token, abi: testTokenAbi, functionName: 'balanceOf', args: [account] });

describe('Uniswap V3 artifacts from the npm packages', () => {
  it('the pool creation code hash equals the periphery POOL_INIT_CODE_HASH', () => {
    const require = createRequire(import.meta.url);
    const source = readFileSync(require.resolve('@uniswap/v3-periphery/contracts/libraries/PoolAddress.sol'), 'utf8');
    const constant = /POOL_INIT_CODE_HASH\s*=\s*(0x[0-9a-fA-F]{64})/.exec(source)?.[1];
    expect(constant).toBeDefined();
    expect(uniswapV3PoolInitCodeHash).toBe(constant?.toLowerCase());
  });

  it('every typed ABI fragment exists in the package ABI', () => {
    const signatures = (abi: Abi): Set<string> =>
      new Set(
        abi.flatMap((item) =>
          item.type === 'function' ? [toFunctionSignature(item)] : item.type === 'event' ? [toEventSignature(item)] : [],
        ),
      );
    const pairs: [Abi, Abi][] = [
      [uniswapV3FactoryAbi, uniswapV3Artifacts.factory.abi],
      [uniswapV3PoolAbi, uniswapV3Artifacts.pool.abi],
      [uniswapV3SwapRouterAbi, uniswapV3Artifacts.swapRouter.abi],
      [uniswapV3QuoterV2Abi, uniswapV3Artifacts.quoterV2.abi],
      [uniswapV3PositionManagerAbi, uniswapV3Artifacts.nonfungiblePositionManager.abi],
    ];
    for (const [fragment, full] of pairs) {
      const known = signatures(full);
      for (const item of fragment as readonly (AbiFunction | AbiEvent)[]) {
        const signature = item.type === 'function' ? toFunctionSignature(item) : toEventSignature(item);
        expect(known.has(signature), signature).toBe(true);
      }
    }
  });

  it('the factory deployed the pool at the CREATE2 address the periphery computes', () => {
    const { token0, token1 } = chain.pool;
    const salt = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'address' }, { type: 'uint24' }], [token0, token1, POOL_FEE]));
    const expected = getContractAddress({ opcode: 'CREATE2', from: chain.addresses.uniswapV3Factory, salt, bytecodeHash: uniswapV3PoolInitCodeHash });
    expect(chain.addresses.pool).toBe(expected);
  });
});

describe('the deployed WETH/USDC pool', () => {
  it('starts at 3000 USDC per WETH with liquidity', async () => {
    expect(await slot0()).toBe(chain.pool.initialSqrtPriceX96);
    expect(wethPriceFromSqrtPriceX96(await slot0(), chain.pool.wethIsToken0)).toBeCloseTo(INITIAL_PRICE_USD, 6);
    const liquidity = await chain.publicClient.readContract({ address: chain.addresses.pool, abi: uniswapV3PoolAbi, functionName: 'liquidity' });
    expect(liquidity).toBeGreaterThan(0n);
  });

  const cases = [
    { sell: 'WETH', amountIn: parseUnits('10', WETH_DECIMALS), priceOfWeth: 'falls' },
    { sell: 'USDC', amountIn: parseUnits('30000', USDC_DECIMALS), priceOfWeth: 'rises' },
  ] as const;

  it.each(cases)('selling $sell through SwapRouter.exactInputSingle pays the QuoterV2 quote and the WETH price $priceOfWeth', async ({ sell, amountIn, priceOfWeth }) => {
    // Prepare
    const { weth, usdc, swapRouter, quoterV2, pool } = chain.addresses;
    const [tokenIn, tokenOut] = sell === 'WETH' ? [weth, usdc] : [usdc, weth];
    const trader = chain.trader.account.address;
    await chain.confirm(await chain.trader.writeContract({ address: tokenIn, abi: testTokenAbi, functionName: 'approve', args: [swapRouter, amountIn] }));
    const before = { sqrtPriceX96: await slot0(), out: await balanceOf(tokenOut, trader), in: await balanceOf(tokenIn, trader) };
    const { result: quote } = await chain.publicClient.simulateContract({
      address: quoterV2,
      abi: uniswapV3QuoterV2Abi,
      functionName: 'quoteExactInputSingle',
      args: [{ tokenIn, tokenOut, amountIn, fee: POOL_FEE, sqrtPriceLimitX96: 0n }],
    });
    const [quotedOut, quotedSqrtPriceX96After] = quote;

    // Act
    const hash = await chain.trader.writeContract({
      address: swapRouter,
      abi: uniswapV3SwapRouterAbi,
      functionName: 'exactInputSingle',
      args: [{ tokenIn, tokenOut, fee: POOL_FEE, recipient: trader, deadline: maxUint256, amountIn, amountOutMinimum: quotedOut, sqrtPriceLimitX96: 0n }],
      gas: SWAP_GAS_LIMIT,
    });
    const receipt = await chain.confirm(hash);

    // Assess
    const after = { sqrtPriceX96: await slot0(), out: await balanceOf(tokenOut, trader), in: await balanceOf(tokenIn, trader) };
    expect(after.out - before.out).toBe(quotedOut);
    expect(before.in - after.in).toBe(amountIn);
    expect(after.sqrtPriceX96).toBe(quotedSqrtPriceX96After);
    // sqrtPriceX96 is token1 per token0: selling token0 lowers it, selling token1 raises it.
    const soldToken0 = tokenIn === chain.pool.token0;
    expect(after.sqrtPriceX96 < before.sqrtPriceX96).toBe(soldToken0);
    const priceBefore = wethPriceFromSqrtPriceX96(before.sqrtPriceX96, chain.pool.wethIsToken0);
    const priceAfter = wethPriceFromSqrtPriceX96(after.sqrtPriceX96, chain.pool.wethIsToken0);
    expect(priceOfWeth === 'falls' ? priceAfter < priceBefore : priceAfter > priceBefore).toBe(true);

    const [swap, ...others] = parseEventLogs({ abi: uniswapV3PoolAbi, eventName: 'Swap', logs: receipt.logs });
    expect(others).toHaveLength(0);
    expect(swap?.address.toLowerCase()).toBe(pool.toLowerCase());
    expect(swap?.args.recipient).toBe(trader);
    expect(swap?.args.sqrtPriceX96).toBe(after.sqrtPriceX96);
    const [amount0, amount1] = soldToken0 ? [amountIn, -quotedOut] : [-quotedOut, amountIn];
    expect([swap?.args.amount0, swap?.args.amount1]).toEqual([amount0, amount1]);
  });
});

describe('snapshot isolation', () => {
  it('a test changes the chain: swaps and mints', async () => {
    const { weth, usdc, swapRouter } = chain.addresses;
    const trader = chain.trader.account.address;
    const amountIn = parseUnits('50', WETH_DECIMALS);
    await chain.confirm(await chain.trader.writeContract({ address: weth, abi: testTokenAbi, functionName: 'approve', args: [swapRouter, amountIn] }));
    await chain.confirm(
      await chain.trader.writeContract({
        address: swapRouter,
        abi: uniswapV3SwapRouterAbi,
        functionName: 'exactInputSingle',
        args: [{ tokenIn: weth, tokenOut: usdc, fee: POOL_FEE, recipient: trader, deadline: maxUint256, amountIn, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n }],
        gas: SWAP_GAS_LIMIT,
      }),
    );
    await chain.confirm(await chain.deployer.writeContract({ address: usdc, abi: testTokenAbi, functionName: 'mint', args: [trader, 1n] }));
    expect(await slot0()).not.toBe(chain.pool.initialSqrtPriceX96);
  });

  it('the next test starts from the deployed state', async () => {
    const trader = chain.trader.account.address;
    expect(await slot0()).toBe(chain.pool.initialSqrtPriceX96);
    expect(await balanceOf(chain.addresses.weth, trader)).toBe(TRADER_BALANCES.weth);
    expect(await balanceOf(chain.addresses.usdc, trader)).toBe(TRADER_BALANCES.usdc);
    expect(await chain.publicClient.readContract({ address: chain.addresses.weth, abi: testTokenAbi, functionName: 'allowance', args: [trader, chain.addresses.swapRouter] })).toBe(0n);
  });
});
