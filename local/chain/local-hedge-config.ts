/**
 * An account's configuration on the local chain: the operator's `market` (its price
 * aggregator as the oracle, a fixed 60% vol) and `execution` (its WETH/USDC Uniswap v3
 * pool as the venue, a local signer by name), and the policy. The local stack's demo
 * account, the hedging test world and the bench build their configurations from these;
 * each passes the values it needs different (staleness, slippage, caps) as overrides.
 *
 * Tests and the bench write the whole configuration flat (policy + market + execution,
 * as one object) and `localConfigDocument` splits it into the stored document's two parts
 * exactly as the config API would store them.
 */
import type * as z from 'zod';
import { AccountConfigDocumentSchema, type AccountConfigDocument } from '../../shared/contracts/account-config.ts';
import type { MarketSourceSchema, OperatorExecutionSchema, StoredOperatorExecutionSchema } from '../../shared/contracts/execution-config.ts';
import type { AccountPolicyInput } from '../../shared/contracts/hedge-policy-config.ts';
import { POOL_FEE, USDC_DECIMALS, WETH_DECIMALS, type LocalChain } from './local-chain.ts';

export type MarketConfigInput = z.input<typeof MarketSourceSchema>;
export type OperatorExecutionInput = z.input<typeof OperatorExecutionSchema>;
/** The operator's execution block with the signer the store adds (what tests write directly). */
export type ExecutionConfigInput = z.input<typeof StoredOperatorExecutionSchema>;

/** A whole local configuration written flat: the policy, and the operator's market and execution. */
export type LocalAccountConfigInput = AccountPolicyInput & { market?: MarketConfigInput; execution?: ExecutionConfigInput };

/** The oracle's limits; the address is always the local chain's aggregator. */
export type LocalOracleOverrides = Partial<Omit<MarketConfigInput['oracle'], 'address'>>;
/** Everything but the venues, which are always the local pool. */
export type LocalExecutionOverrides = Partial<Omit<OperatorExecutionInput, 'venues'>>;

/** The local price aggregator as the oracle (an hour of staleness, 200 bps from the pool) and a fixed 60% vol. */
export function localMarketConfig(chain: LocalChain, oracle: LocalOracleOverrides = {}): MarketConfigInput {
  return {
    chainId: chain.chain.id,
    oracle: { address: chain.addresses.priceAggregator, maxStalenessMs: 3_600_000, maxPoolDeviationBps: 200, ...oracle },
    vol: { source: 'fixed', value: 0.6 },
  };
}

/** The operator's execution block on the local chain: swaps on the local WETH/USDC pool (the signer is the account's). */
export function localOperatorExecution(chain: LocalChain, overrides: LocalExecutionOverrides = {}): OperatorExecutionInput {
  const a = chain.addresses;
  return {
    venues: [
      {
        kind: 'uniswap-v3',
        id: 'univ3-weth-usdc-30',
        pool: a.pool,
        swapRouter: a.swapRouter,
        quoterV2: a.quoterV2,
        baseToken: a.weth,
        quoteToken: a.usdc,
        baseDecimals: WETH_DECIMALS,
        quoteDecimals: USDC_DECIMALS,
        fee: POOL_FEE,
      },
    ],
    maxSlippageBps: 150,
    maxTradeNotionalUsd: 100_000,
    maxDailyNotionalUsd: 250_000,
    maxFeePerGasGwei: 500,
    maxPriorityFeePerGasGwei: 5,
    replaceAfterMs: 30_000,
    ...overrides,
  };
}

/** The stored execution block: the local venue, signed by the local key named `signerName`. */
export function localExecutionConfig(chain: LocalChain, signerName: string, overrides: LocalExecutionOverrides = {}): ExecutionConfigInput {
  return { ...localOperatorExecution(chain, overrides), signer: { kind: 'local', name: signerName } };
}

/** Splits a flat local configuration into the stored document (parsed: defaults applied, invalid input throws). */
export function localConfigDocument(flat: LocalAccountConfigInput): AccountConfigDocument {
  const { market, execution, ...policy } = flat;
  const operator = market === undefined ? undefined : { underlying: policy.underlying, market, ...(execution === undefined ? {} : { execution }) };
  if (operator === undefined && execution !== undefined) throw new Error('an execution block needs a market block (the oracle the guards check)');
  return AccountConfigDocumentSchema.parse({ policy, ...(operator === undefined ? {} : { operator }) });
}
