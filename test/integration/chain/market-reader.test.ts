// The viem MarketReader on the local chain with the real contracts: our PriceAggregator
// read as a Chainlink feed (price and vol), the Uniswap V3 pool's slot0 as a price before
// and after a real swap, the chain's clock moved with anvil, and the domain's checks
// judging what was read.
import { maxUint256, parseUnits } from 'viem';
import type { Address, PublicClient } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { priceAggregatorAbi, priceAggregatorBytecode } from '../../../shared/adapters/chain/artifacts/price-aggregator.ts';
import { testTokenAbi } from '../../../shared/adapters/chain/artifacts/test-token.ts';
import { uniswapV3PoolAbi, uniswapV3SwapRouterAbi } from '../../../shared/adapters/chain/uniswap-v3-artifacts.ts';
import { createViemMarketReader } from '../../../shared/adapters/chain/viem-market-reader.ts';
import type { MarketReader, UniswapV3PoolRef } from '../../../shared/app/execution-ports.ts';
import { checkOracleReading, checkPoolDeviation, volFromFeed } from '../../../shared/domain/market/oracle-checks.ts';
import { AGGREGATOR_DECIMALS, INITIAL_PRICE_USD, POOL_FEE, USDC_DECIMALS, WETH_DECIMALS, startChainFixture, wethPriceFromSqrtPriceX96, SWAP_GAS_LIMIT } from '../../support/chain-fixture.ts';
import type { ChainFixture } from '../../support/chain-fixture.ts';

let chain: ChainFixture;
let market: MarketReader;
let wethUsdc: UniswapV3PoolRef;
const suiteStart = performance.now();

const HOUR_MS = 3_600_000;

beforeAll(async () => {
  chain = await startChainFixture();
  market = createViemMarketReader({ client: chain.publicClient, chainId: chain.chain.id });
  wethUsdc = { pool: chain.addresses.pool, baseToken: chain.addresses.weth, quoteToken: chain.addresses.usdc, baseDecimals: WETH_DECIMALS, quoteDecimals: USDC_DECIMALS };
  console.log(`[market-reader] chain fixture start-up: anvil ${chain.startup.anvilMs.toFixed(0)} ms, deploy ${chain.startup.deployMs.toFixed(0)} ms`);
}, 60_000);
beforeEach(async () => {
  await chain.reset();
});
afterAll(async () => {
  await chain?.stop();
  console.log(`[market-reader] suite run time ${(performance.now() - suiteStart).toFixed(0)} ms`);
});

const usd = (value: string): bigint => parseUnits(value, AGGREGATOR_DECIMALS);
const updateAnswer = async (aggregator: Address, answer: bigint): Promise<bigint> => {
  const receipt = await chain.confirm(await chain.deployer.writeContract({ address: aggregator, abi: priceAggregatorAbi, functionName: 'updateAnswer', args: [answer] }));
  return (await chain.publicClient.getBlock({ blockHash: receipt.blockHash })).timestamp;
};
const slot0 = async (): Promise<bigint> => {
  const [sqrtPriceX96] = await chain.publicClient.readContract({ address: chain.addresses.pool, abi: uniswapV3PoolAbi, functionName: 'slot0' });
  return sqrtPriceX96;
};
const sellThroughRouter = async (tokenIn: Address, tokenOut: Address, amountIn: bigint): Promise<void> => {
  const trader = chain.trader.account.address;
  await chain.confirm(await chain.trader.writeContract({ address: tokenIn, abi: testTokenAbi, functionName: 'approve', args: [chain.addresses.swapRouter, amountIn] }));
  await chain.confirm(
    await chain.trader.writeContract({
      address: chain.addresses.swapRouter,
      abi: uniswapV3SwapRouterAbi,
      functionName: 'exactInputSingle',
      args: [{ tokenIn, tokenOut, fee: POOL_FEE, recipient: trader, deadline: maxUint256, amountIn, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n }],
      gas: SWAP_GAS_LIMIT,
    }),
  );
};
/** Mines one block at exactly `timestampSec`. */
const mineAt = async (timestampSec: bigint): Promise<void> => {
  await chain.testClient.setNextBlockTimestamp({ timestamp: timestampSec });
  await chain.testClient.mine({ blocks: 1 });
};

describe('readOracle', () => {
  it('reads the initial 3000 USD answer of round 1 with its decimals and times', async () => {
    const reading = await market.readOracle(chain.addresses.priceAggregator);
    const nowMs = await market.latestBlockTimeMs();
    expect(reading).toMatchObject({ roundId: 1n, answer: INITIAL_PRICE_USD, answeredInRound: 1n, decimals: AGGREGATOR_DECIMALS });
    expect(reading.startedAtMs).toBe(reading.updatedAtMs);
    expect(reading.updatedAtMs % 1000).toBe(0);
    expect(reading.updatedAtMs).toBeLessThanOrEqual(nowMs);
    expect(checkOracleReading(reading, nowMs, HOUR_MS)).toMatchObject({ ok: true, price: INITIAL_PRICE_USD });
  });

  it('follows the oracle when it moves: a new round, updated at the block time', async () => {
    const updatedAtSec = await updateAnswer(chain.addresses.priceAggregator, usd('3123.45'));
    const reading = await market.readOracle(chain.addresses.priceAggregator);
    expect(reading).toEqual({ roundId: 2n, answer: 3123.45, startedAtMs: Number(updatedAtSec) * 1000, updatedAtMs: Number(updatedAtSec) * 1000, answeredInRound: 2n, decimals: 8 });
    expect(await market.latestBlockTimeMs()).toBe(Number(updatedAtSec) * 1000);
  });

  it('converts a raw answer above 2^53 exactly (the nearest double of the decimal value)', async () => {
    await updateAnswer(chain.addresses.priceAggregator, 123456789012345678901234n); // 1234567890123456.78901234 at 8 decimals
    expect((await market.readOracle(chain.addresses.priceAggregator)).answer).toBe(Number('1234567890123456.78901234'));
  });

  it('passes a negative answer through for the checks to reject', async () => {
    await updateAnswer(chain.addresses.priceAggregator, -usd('1'));
    const reading = await market.readOracle(chain.addresses.priceAggregator);
    expect(reading.answer).toBe(-1);
    expect(checkOracleReading(reading, await market.latestBlockTimeMs(), HOUR_MS)).toMatchObject({ ok: false, code: 'ORACLE_NON_POSITIVE_ANSWER' });
  });
});

describe('staleness by the chain clock', () => {
  it('an answer is fresh up to exactly maxStaleness of chain time and stale one second later', async () => {
    const { updatedAtMs } = await market.readOracle(chain.addresses.priceAggregator);
    const updatedAtSec = BigInt(updatedAtMs / 1000);
    await mineAt(updatedAtSec + BigInt(HOUR_MS / 1000));
    const reading = await market.readOracle(chain.addresses.priceAggregator);
    expect(checkOracleReading(reading, await market.latestBlockTimeMs(), HOUR_MS)).toEqual({ ok: true, price: INITIAL_PRICE_USD, ageMs: HOUR_MS });
    await mineAt(updatedAtSec + BigInt(HOUR_MS / 1000) + 1n);
    expect(checkOracleReading(reading, await market.latestBlockTimeMs(), HOUR_MS)).toMatchObject({ ok: false, code: 'ORACLE_STALE' });
  });

  it('time travel (increaseTime + mine) makes the answer stale; a new round makes it fresh again', async () => {
    await chain.testClient.increaseTime({ seconds: 2 * 3600 });
    await chain.testClient.mine({ blocks: 1 });
    const stale = checkOracleReading(await market.readOracle(chain.addresses.priceAggregator), await market.latestBlockTimeMs(), HOUR_MS);
    expect(stale).toMatchObject({ ok: false, code: 'ORACLE_STALE' });
    expect(stale.ok ? '' : stale.message).toMatch(/over the 3600000 ms limit/);

    await updateAnswer(chain.addresses.priceAggregator, usd('2999.5'));
    const fresh = checkOracleReading(await market.readOracle(chain.addresses.priceAggregator), await market.latestBlockTimeMs(), HOUR_MS);
    expect(fresh).toEqual({ ok: true, price: 2999.5, ageMs: 0 });
  });
});

describe('readPoolPrice', () => {
  it('reads the deployed pool at 3000 USDC per WETH, with slot0 and the block it read at', async () => {
    const reading = await market.readPoolPrice(wethUsdc);
    const [sqrtPriceX96, tick] = await chain.publicClient.readContract({ address: chain.addresses.pool, abi: uniswapV3PoolAbi, functionName: 'slot0' });
    expect(Math.abs(reading.price / INITIAL_PRICE_USD - 1)).toBeLessThan(1e-9);
    expect(reading).toMatchObject({ sqrtPriceX96, tick, blockNumber: Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 })) });
    expect(checkPoolDeviation(INITIAL_PRICE_USD, reading.price, 0.0001)).toMatchObject({ ok: true });
  });

  it.each([
    { sell: 'WETH', amount: '25', priceOfWeth: 'falls' },
    { sell: 'USDC', amount: '90000', priceOfWeth: 'rises' },
  ] as const)('after a real swap selling $sell the WETH price $priceOfWeth and equals the slot0 price', async ({ sell, amount, priceOfWeth }) => {
    const { weth, usdc } = chain.addresses;
    const [tokenIn, tokenOut, decimals] = sell === 'WETH' ? [weth, usdc, WETH_DECIMALS] : [usdc, weth, USDC_DECIMALS];
    await sellThroughRouter(tokenIn, tokenOut, parseUnits(amount, decimals));

    const reading = await market.readPoolPrice(wethUsdc);
    const sqrtPriceX96 = await slot0();
    expect(reading.sqrtPriceX96).toBe(sqrtPriceX96);
    // The fixture's formula squares a double of sqrtPriceX96 (a few ulps off); ours is correctly rounded.
    expect(Math.abs(reading.price / wethPriceFromSqrtPriceX96(sqrtPriceX96, chain.pool.wethIsToken0) - 1)).toBeLessThan(1e-14);
    expect(priceOfWeth === 'falls' ? reading.price < INITIAL_PRICE_USD : reading.price > INITIAL_PRICE_USD).toBe(true);
    const deviation = checkPoolDeviation(INITIAL_PRICE_USD, reading.price, 200);
    expect(deviation).toMatchObject({ ok: false, code: 'ORACLE_POOL_DEVIATION' });
  });

  it('quotes the inverse price when base and quote are swapped', async () => {
    const inverse = await market.readPoolPrice({ pool: chain.addresses.pool, baseToken: chain.addresses.usdc, quoteToken: chain.addresses.weth, baseDecimals: USDC_DECIMALS, quoteDecimals: WETH_DECIMALS });
    expect(Math.abs(inverse.price * INITIAL_PRICE_USD - 1)).toBeLessThan(1e-9);
  });

  it('reads token0 once per pool', async () => {
    const reads: string[] = [];
    const counting = new Proxy(chain.publicClient, {
      get(target, property, receiver) {
        if (property !== 'readContract') return Reflect.get(target, property, receiver) as unknown;
        return (args: { functionName: string }) => {
          reads.push(args.functionName);
          return target.readContract(args as Parameters<typeof target.readContract>[0]);
        };
      },
    }) as PublicClient;
    const reader = createViemMarketReader({ client: counting, chainId: chain.chain.id });
    await reader.readPoolPrice(wethUsdc);
    await reader.readPoolPrice(wethUsdc);
    await reader.readPoolPrice({ ...wethUsdc, pool: wethUsdc.pool.toLowerCase() as Address });
    expect(reads.filter((name) => name === 'token0')).toHaveLength(1);
    expect(reads.filter((name) => name === 'slot0')).toHaveLength(3);
  });

  it('refuses a pool that holds neither configured token', async () => {
    const stranger = '0x00000000000000000000000000000000000000aa';
    await expect(market.readPoolPrice({ ...wethUsdc, baseToken: stranger, quoteToken: stranger })).rejects.toThrow(/neither the base token/);
  });
});

describe('a vol feed (a second PriceAggregator answering 0.65)', () => {
  it('is read through readOracle and judged by volFromFeed', async () => {
    const receipt = await chain.confirm(
      await chain.deployer.deployContract({ abi: priceAggregatorAbi, bytecode: priceAggregatorBytecode, args: [8, 'ETH 30d implied vol', parseUnits('0.65', 8)] }),
    );
    const volFeed = receipt.contractAddress;
    if (!volFeed) throw new Error('the vol feed was not deployed');

    const reading = await market.readOracle(volFeed);
    expect(reading).toMatchObject({ roundId: 1n, answer: 0.65, decimals: 8 });
    expect(volFromFeed(reading, await market.latestBlockTimeMs(), HOUR_MS)).toMatchObject({ ok: true, vol: 0.65 });

    await updateAnswer(volFeed, parseUnits('12', 8));
    expect(volFromFeed(await market.readOracle(volFeed), await market.latestBlockTimeMs(), HOUR_MS)).toMatchObject({ ok: false, code: 'VOL_NOT_PLAUSIBLE' });

    await chain.testClient.increaseTime({ seconds: 3601 });
    await chain.testClient.mine({ blocks: 1 });
    await updateAnswer(volFeed, parseUnits('0.7', 8));
    await chain.testClient.increaseTime({ seconds: 3601 });
    await chain.testClient.mine({ blocks: 1 });
    expect(volFromFeed(await market.readOracle(volFeed), await market.latestBlockTimeMs(), HOUR_MS)).toMatchObject({ ok: false, code: 'ORACLE_STALE' });
  });
});
