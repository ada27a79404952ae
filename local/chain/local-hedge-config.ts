/**
 * The `market` and `execution` blocks of a hedge policy on the local chain: its price
 * aggregator as the oracle, a fixed 60% vol, its WETH/USDC Uniswap v3 pool as the venue and
 * a local signer by name. The local stack's demo account, the hedging test world and the
 * bench build their policies from these; each passes the values it needs different
 * (staleness, slippage, caps) as overrides.
 */
import type { HedgePolicyConfigInput } from '../../shared/contracts/hedge-policy-config.ts';
import { POOL_FEE, USDC_DECIMALS, WETH_DECIMALS, type LocalChain } from './local-chain.ts';

export type MarketConfigInput = NonNullable<HedgePolicyConfigInput['market']>;
export type ExecutionConfigInput = NonNullable<HedgePolicyConfigInput['execution']>;

/** The oracle's limits; the address is always the local chain's aggregator. */
export type LocalOracleOverrides = Partial<Omit<MarketConfigInput['oracle'], 'address'>>;
/** Everything but the venue and the signer, which are always the local pool and the named local key. */
export type LocalExecutionOverrides = Partial<Omit<ExecutionConfigInput, 'venue' | 'signer'>>;

/** The local price aggregator as the oracle (an hour of staleness, 200 bps from the pool) and a fixed 60% vol. */
export function localMarketConfig(chain: LocalChain, oracle: LocalOracleOverrides = {}): MarketConfigInput {
  return {
    chainId: chain.chain.id,
    oracle: { address: chain.addresses.priceAggregator, maxStalenessMs: 3_600_000, maxPoolDeviationBps: 200, ...oracle },
    vol: { source: 'fixed', value: 0.6 },
  };
}

/** Swaps on the local WETH/USDC pool, signed by the local key named `signerName`. */
export function localExecutionConfig(chain: LocalChain, signerName: string, overrides: LocalExecutionOverrides = {}): ExecutionConfigInput {
  const a = chain.addresses;
  return {
    venue: {
      kind: 'uniswap-v3',
      pool: a.pool,
      swapRouter: a.swapRouter,
      quoterV2: a.quoterV2,
      baseToken: a.weth,
      quoteToken: a.usdc,
      baseDecimals: WETH_DECIMALS,
      quoteDecimals: USDC_DECIMALS,
      fee: POOL_FEE,
    },
    signer: { kind: 'local', name: signerName },
    maxSlippageBps: 150,
    maxTradeNotionalUsd: 100_000,
    maxDailyNotionalUsd: 250_000,
    maxFeePerGasGwei: 500,
    maxPriorityFeePerGasGwei: 5,
    replaceAfterMs: 30_000,
    ...overrides,
  };
}
