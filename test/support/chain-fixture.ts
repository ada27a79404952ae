// The local chain for integration tests: the product's deployment (local/chain/local-chain.ts:
// anvil, two tokens, Uniswap V3 with a WETH/USDC pool, our PriceAggregator and OptionBook)
// under its test names, plus revertOf for asserting custom errors.
//
//   let chain: ChainFixture;
//   beforeAll(async () => { chain = await startChainFixture(); });
//   beforeEach(async () => { await chain.reset(); });   // back to the deployed state
//   afterAll(async () => { await chain.stop(); });
import { BaseError, ContractFunctionRevertedError, parseEventLogs, parseUnits, type Log } from 'viem';
import { optionBookAbi } from '../../shared/adapters/chain/artifacts/option-book.ts';
import { AGGREGATOR_DECIMALS, startLocalChain, WETH_DECIMALS, type LocalChain, type LocalChainAddresses, type LocalPublicClient, type LocalTestClient, type LocalWalletClient } from '../../local/chain/local-chain.ts';

export {
  AGGREGATOR_DECIMALS,
  encodeSqrtPriceX96,
  INITIAL_PRICE_USD,
  PLACEHOLDER_TOKEN_DESCRIPTOR,
  POOL_FEE,
  POOL_LIQUIDITY,
  sqrtBigInt,
  TRADER_BALANCES,
  USDC_DECIMALS,
  WETH_DECIMALS,
  wethPriceFromSqrtPriceX96,
} from '../../local/chain/local-chain.ts';

export type ChainFixture = LocalChain;
export type ChainFixtureAddresses = LocalChainAddresses;
export type FixturePublicClient = LocalPublicClient;
export type FixtureWalletClient = LocalWalletClient;
export type FixtureTestClient = LocalTestClient;

export function startChainFixture(): Promise<ChainFixture> {
  return startLocalChain();
}

/** Opens a real position on OptionBook from the trader (2.5 short calls at 3,500, a week); its logs as the chain has them. */
export async function openOptionBookPosition(chain: ChainFixture): Promise<{ logs: Log<bigint, number, false>[]; positionId: bigint }> {
  const expiry = (await chain.publicClient.getBlock()).timestamp + 7n * 86_400n;
  const receipt = await chain.confirm(
    await chain.trader.writeContract({
      address: chain.addresses.optionBook,
      abi: optionBookAbi,
      functionName: 'openPosition',
      args: [chain.addresses.weth, 0, parseUnits('3500', AGGREGATOR_DECIMALS), expiry, -parseUnits('2.5', WETH_DECIMALS)],
    }),
  );
  const [opened] = parseEventLogs({ abi: optionBookAbi, eventName: 'PositionOpened', logs: receipt.logs });
  if (opened === undefined) throw new Error('no PositionOpened');
  return { logs: receipt.logs, positionId: opened.args.positionId };
}

/** The custom error a call reverted with, decoded with the ABI. */
export async function revertOf(call: Promise<unknown>): Promise<{ name: string | undefined; args: readonly unknown[] | undefined }> {
  try {
    await call;
  } catch (error) {
    const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (reverted instanceof ContractFunctionRevertedError) return { name: reverted.data?.errorName, args: reverted.data?.args };
    throw error;
  }
  throw new Error('expected the call to revert');
}

/**
 * The gas limit tests give swaps instead of an estimate: a Uniswap V3 swap writes a price
 * observation only in the first swap of a block, so an estimate made against one block
 * can be ~1.5k short in the next (seen under load as an out-of-gas revert at 99 %).
 * The dispatcher adds 20 % to its estimates for the same reason.
 */
export const SWAP_GAS_LIMIT = 1_000_000n;
