/**
 * The MarketReader port (shared/app/execution-ports.ts) over viem: a Chainlink-style
 * aggregator's latest round, a Uniswap V3 pool's slot0 as a price, the chain's clock.
 * It reads and decodes; judging the readings (staleness, deviation) is the domain's
 * (shared/domain/market/oracle-checks.ts).
 */
import { formatUnits, getAddress } from 'viem';
import type { PublicClient } from 'viem';
import { priceAggregatorAbi } from './artifacts/price-aggregator.ts';
import { uniswapV3PoolAbi } from './uniswap-v3-artifacts.ts';
import { priceFromSqrtPriceX96 } from '../../domain/market/pool-price.ts';
import type { Address, MarketReader, OracleReading, PoolPriceReading, UniswapV3PoolRef } from '../../app/execution-ports.ts';

const MS_PER_SECOND = 1000;

/**
 * @example
 * const market = createViemMarketReader({ client: publicClient, chainId: 31337 });
 * const oracle = await market.readOracle('0x…');
 */
export function createViemMarketReader(options: { client: PublicClient; chainId: number }): MarketReader {
  const { client, chainId } = options;
  // A pool's token0 is fixed at its creation: one read per pool for the reader's lifetime.
  const token0ByPool = new Map<string, Promise<Address>>();

  function token0Of(pool: Address): Promise<Address> {
    const key = pool.toLowerCase();
    let token0 = token0ByPool.get(key);
    if (!token0) {
      token0 = client.readContract({ address: pool, abi: uniswapV3PoolAbi, functionName: 'token0' });
      token0ByPool.set(key, token0);
      // A failed read is not an answer: forget it so the next call asks again.
      token0.catch(() => token0ByPool.delete(key));
    }
    return token0;
  }

  // A feed's decimals are fixed for its life (Chainlink keeps them across aggregator
  // upgrades behind a proxy): one read per feed, which saves one RPC call per evaluation.
  const decimalsByFeed = new Map<string, Promise<number>>();

  function decimalsOf(address: Address): Promise<number> {
    const key = address.toLowerCase();
    let decimals = decimalsByFeed.get(key);
    if (!decimals) {
      decimals = client.readContract({ address, abi: priceAggregatorAbi, functionName: 'decimals' });
      decimalsByFeed.set(key, decimals);
      decimals.catch(() => decimalsByFeed.delete(key));
    }
    return decimals;
  }

  return {
    chainId,

    async readOracle(aggregator) {
      const address = getAddress(aggregator);
      const [round, decimals] = await Promise.all([
        client.readContract({ address, abi: priceAggregatorAbi, functionName: 'latestRoundData' }),
        decimalsOf(address),
      ]);
      const [roundId, answer, startedAt, updatedAt, answeredInRound] = round;
      return {
        roundId,
        answer: scaledToNumber(answer, decimals),
        startedAtMs: secondsToMs(startedAt),
        updatedAtMs: secondsToMs(updatedAt),
        answeredInRound,
        decimals,
      } satisfies OracleReading;
    },

    async readPoolPrice(ref) {
      const pool = getAddress(ref.pool);
      // slot0 at a pinned block, so the reading says which block its price is from.
      const [blockNumber, token0] = await Promise.all([client.getBlockNumber({ cacheTime: 0 }), token0Of(pool)]);
      const [sqrtPriceX96, tick] = await client.readContract({ address: pool, abi: uniswapV3PoolAbi, functionName: 'slot0', blockNumber });
      return {
        price: priceFromSqrtPriceX96(sqrtPriceX96, baseIsToken0(ref, token0), ref.baseDecimals, ref.quoteDecimals),
        sqrtPriceX96,
        tick,
        blockNumber: Number(blockNumber),
      } satisfies PoolPriceReading;
    },

    async latestBlockTimeMs() {
      const block = await client.getBlock({ blockTag: 'latest' });
      return secondsToMs(block.timestamp);
    },
  };
}

/** Which side of the pool the base token is; a pool holding neither configured token is a configuration error. */
function baseIsToken0(ref: UniswapV3PoolRef, token0: Address): boolean {
  const first = token0.toLowerCase();
  if (first === ref.baseToken.toLowerCase()) return true;
  if (first === ref.quoteToken.toLowerCase()) return false;
  throw new Error(`pool ${ref.pool} has token0 ${token0}, which is neither the base token ${ref.baseToken} nor the quote token ${ref.quoteToken}`);
}

/**
 * raw · 10^-decimals as the nearest double. Number(raw) / 10 ** decimals rounds twice (and
 * the first rounding is already lossy above 2^53); the exact decimal string, parsed once,
 * is rounded once, correctly.
 */
function scaledToNumber(raw: bigint, decimals: number): number {
  return Number(formatUnits(raw, decimals));
}

/** Chain timestamps are unix seconds; any plausible one is far below 2^53 / 1000. */
function secondsToMs(seconds: bigint): number {
  return Number(seconds) * MS_PER_SECOND;
}
