/**
 * "Demo spot desk": a smaller book of its own (a short strangle), delta hedged with spot
 * WETH through the routed Uniswap venue: one SwapRouter02 multicall split by cost across
 * the chain's three pools (the 0.3 % V3 pool, the 0.05 % V3 pool, the V2 pair). A ±0.25
 * ETH band makes its hedges a few times a run, and 1-2 ETH in a crash, sizes at which a
 * split beats any single pool.
 */
import { parseUnits, type Address } from 'viem';
import { testTokenAbi } from '../../shared/adapters/chain/artifacts/test-token.ts';
import type { UniswapRoutedVenueSchema } from '../../shared/contracts/execution-config.ts';
import { POOL_FEE, ROUTE_POOL_FEE, USDC_DECIMALS, WETH_DECIMALS, type LocalChain } from '../chain/local-chain.ts';
import { localMarketConfig, localOperatorExecution } from '../chain/local-hedge-config.ts';
import type * as z from 'zod';
import type { DemoConfig, DemoOption } from './demo-account.ts';

export const SPOT_DESK_NAME = 'Demo spot desk';

/** A short 14-day strangle: 5 contracts. */
export const SPOT_DESK_BOOK: readonly DemoOption[] = [
  { type: 'call', strike: 3000, days: 14, size: -3 },
  { type: 'put', strike: 2900, days: 14, size: -2 },
];

/** Every pool of the local WETH/USDC pair, split by SwapRouter02. */
export function routedVenue(chain: LocalChain): z.input<typeof UniswapRoutedVenueSchema> {
  const a = chain.addresses;
  return {
    kind: 'uniswap-routed',
    id: 'uniswap-routed',
    swapRouter02: a.swapRouter02,
    quoterV2: a.quoterV2,
    baseToken: a.weth,
    quoteToken: a.usdc,
    baseDecimals: WETH_DECIMALS,
    quoteDecimals: USDC_DECIMALS,
    pools: [
      { version: 'v3', pool: a.pool, fee: POOL_FEE },
      { version: 'v3', pool: a.routePool, fee: ROUTE_POOL_FEE },
      { version: 'v2', pair: a.v2Pair },
    ],
  };
}

export function spotDeskConfig(chain: LocalChain): DemoConfig {
  return {
    operator: {
      underlying: 'ETH',
      // The simulator's vol; staleness generous as headless ticks run faster than wall-clock minutes.
      market: { ...localMarketConfig(chain, { maxStalenessMs: 600_000, maxPoolDeviationBps: 300 }), vol: { source: 'fixed', value: 0.8 } },
      execution: {
        ...localOperatorExecution(chain, { maxSlippageBps: 300, maxTradeNotionalUsd: 150_000, maxDailyNotionalUsd: 10_000_000, maxConsecutiveFailures: 5 }),
        venues: [routedVenue(chain)],
      },
    },
    policy: {
      underlying: 'ETH',
      hedgeInstrument: 'spot',
      band: { unit: 'units', trigger: 0.25, target: 'zero' },
      guards: { minTradeUnits: 0.05, maxTradeUnits: 50 },
      // A crash breaker on the oracle's round-to-round step: a tick moves ~0.85 % (80 % vol,
      // an hour a tick), a flash-crash tick 5-9 %. In crash mode the desk's hedges go out in
      // 2 slices (a tick apart, the second at the next evaluation) at most 150 bps off the
      // quote, and it is calm again 6 s (3 interactive ticks) after the last big step. The
      // move trigger is left out: the market's hour a tick runs on a clock of seconds.
      crashBreaker: { maxOracleJumpBps: 400, calmMs: 6_000, plan: { kind: 'slices', slices: 2, windowMs: 1_000, maxSlippageBps: 150 } },
    },
  };
}

/** Gas, and both sides of the pair for the desk's signer. */
export async function fundSpotDesk(chain: LocalChain, signer: Address): Promise<void> {
  await chain.testClient.setBalance({ address: signer, value: parseUnits('100', 18) });
  for (const [token, amount] of [
    [chain.addresses.usdc, parseUnits('2000000', USDC_DECIMALS)],
    [chain.addresses.weth, parseUnits('200', WETH_DECIMALS)],
  ] as const) {
    await chain.confirm(await chain.deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [signer, amount] }));
  }
}
