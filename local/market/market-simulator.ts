/**
 * The local market: a seeded geometric Brownian motion for ETH/USD (each tick is
 * `stepYears` of market time at annualised vol `vol`, no drift), written to the chain the
 * way the real world would: the PriceAggregator gets the new answer (the oracle) and a
 * market maker trades the Uniswap pool to it (pool-mover.ts). On demand, a flash crash:
 * a drop of 15-25 % spread over a few ticks, then a partial recovery over a few more,
 * in place of the random steps.
 */
import { parseUnits } from 'viem';
import { priceAggregatorAbi } from '../../shared/adapters/chain/artifacts/price-aggregator.ts';
import { Xoshiro128 } from '../../shared/domain/backtest/random.ts';
import { AGGREGATOR_DECIMALS, INITIAL_PRICE_USD, type LocalChain } from '../chain/local-chain.ts';
import type { PoolMover } from './pool-mover.ts';

export interface MarketPoint {
  readonly t: number;
  readonly oracle: number;
  readonly pool: number;
}

export interface MarketSimulatorOptions {
  readonly chain: LocalChain;
  readonly pool: PoolMover;
  readonly seed: number;
  /** Annualised volatility of the random steps. */
  readonly vol: number;
  /** Market time per tick, in years (1/8760 = one hour per tick). */
  readonly stepYears: number;
  /** Where the price starts (default INITIAL_PRICE_USD): a restored chain's oracle answer, so the market goes on from there. */
  readonly initialSpot?: number;
  readonly now?: () => number;
}

export interface MarketSimulator {
  /** One tick: the next price, on the oracle and in the pool. */
  step(): Promise<MarketPoint>;
  /** Schedules a flash crash from the next tick on. */
  crash(): void;
  readonly crashing: boolean;
  readonly vol: number;
  readonly last: MarketPoint;
}

const CRASH_TICKS = 3;
const RECOVERY_TICKS = 4;

/** Per-tick price factors of one flash crash: drop 15-25 %, then win back 30-60 % of the loss. */
export function crashFactors(uniform: () => number): number[] {
  const drop = 0.15 + 0.1 * uniform();
  const recovered = 0.3 + 0.3 * uniform();
  const bottom = 1 - drop;
  const end = bottom + recovered * drop;
  const down = bottom ** (1 / CRASH_TICKS);
  const up = (end / bottom) ** (1 / RECOVERY_TICKS);
  return [...Array<number>(CRASH_TICKS).fill(down), ...Array<number>(RECOVERY_TICKS).fill(up)];
}

export function createMarketSimulator(options: MarketSimulatorOptions): MarketSimulator {
  const { chain, pool, vol, stepYears } = options;
  if (!(vol >= 0) || !(stepYears > 0)) throw new RangeError('vol must be ≥ 0 and stepYears > 0');
  const now = options.now ?? Date.now;
  const rng = new Xoshiro128(options.seed);
  const scheduled: number[] = [];
  let spot = options.initialSpot ?? INITIAL_PRICE_USD;
  if (!(spot > 0 && Number.isFinite(spot))) throw new RangeError(`initialSpot must be a positive price, got ${spot}`);
  let last: MarketPoint = { t: now(), oracle: spot, pool: spot };

  function nextFactor(): number {
    const forced = scheduled.shift();
    if (forced !== undefined) return forced;
    return Math.exp(-0.5 * vol * vol * stepYears + vol * Math.sqrt(stepYears) * rng.nextNormal());
  }

  return {
    get crashing() {
      return scheduled.length > 0;
    },
    get last() {
      return last;
    },
    vol,
    crash() {
      if (scheduled.length === 0) scheduled.push(...crashFactors(() => rng.nextDouble()));
    },
    async step() {
      spot = Math.round(spot * nextFactor() * 100) / 100;
      await chain.confirm(
        await chain.deployer.writeContract({
          address: chain.addresses.priceAggregator,
          abi: priceAggregatorAbi,
          functionName: 'updateAnswer',
          args: [parseUnits(spot.toFixed(2), AGGREGATOR_DECIMALS)],
        }),
      );
      const poolPrice = await pool.moveTo(spot);
      last = { t: now(), oracle: spot, pool: poolPrice };
      return last;
    },
  };
}
