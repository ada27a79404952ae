// The routed Uniswap venue on the local chain: three pools of one pair (the main 0.3 % V3
// pool, a shallower 0.05 % V3 pool, a V2 pair) through Uniswap's SwapRouter02 in one
// transaction. A split fills exactly what it quoted; executed on chain it is never worse
// than the best single pool, gas included; a venue at its capacity fills part; a leg made
// stale reverts the whole transaction, nothing moved.
import { decodeFunctionData, erc20Abi, formatUnits, maxUint256, parseUnits } from 'viem';
import type { Address, TransactionReceipt } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testTokenAbi } from '../../../shared/adapters/chain/artifacts/test-token.ts';
import { swapRouter02Abi, uniswapV2PairAbi } from '../../../shared/adapters/chain/uniswap-routing-abi.ts';
import { uniswapV3SwapRouterAbi } from '../../../shared/adapters/chain/uniswap-v3-artifacts.ts';
import { createUniswapRoutedVenue } from '../../../shared/adapters/venues/uniswap-routed-venue.ts';
import { QuoteRejectedError, type ChainLog, type ContractCall } from '../../../shared/app/execution-ports.ts';
import type { Venue, VenueQuote } from '../../../shared/app/venue-port.ts';
import { UniswapRoutedVenueSchema, type UniswapRoutedVenueConfig } from '../../../shared/contracts/execution-config.ts';
import { SWAP_ROUTER02_V2_INIT_CODE_HASH, uniswapRoutingArtifacts, uniswapV2PairInitCodeHash } from '../../../local/chain/uniswap-routing-artifacts.ts';
import { INITIAL_PRICE_USD, POOL_FEE, startChainFixture, SWAP_GAS_LIMIT, USDC_DECIMALS, WETH_DECIMALS, type ChainFixture } from '../../support/chain-fixture.ts';

/** 20 gwei at 3000 USD per ETH: what one unit of gas costs, USD. */
const GAS_USD_PER_UNIT = 20e-9 * INITIAL_PRICE_USD;

let chain: ChainFixture;

beforeAll(async () => {
  chain = await startChainFixture();
}, 60_000);
beforeEach(async () => {
  await chain.reset();
  await fundTrader();
});

/** Enough of both tokens for the largest order here (a reset takes the chain back to before it). */
async function fundTrader(): Promise<void> {
  for (const [token, amount] of [
    [chain.addresses.weth, parseUnits('1000', WETH_DECIMALS)],
    [chain.addresses.usdc, parseUnits('3000000', USDC_DECIMALS)],
  ] as const) {
    await chain.confirm(await chain.deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [chain.trader.account.address, amount] }));
  }
}
afterAll(async () => {
  await chain?.stop();
});

type PoolChoice = 'main' | 'route' | 'v2';

function config(choice: readonly PoolChoice[] = ['main', 'route', 'v2'], slices = 10): UniswapRoutedVenueConfig {
  const a = chain.addresses;
  const pools = choice.map((c) => (c === 'main' ? { version: 'v3' as const, pool: a.pool, fee: POOL_FEE } : c === 'route' ? { version: 'v3' as const, pool: a.routePool, fee: 500 } : { version: 'v2' as const, pair: a.v2Pair }));
  return UniswapRoutedVenueSchema.parse({ kind: 'uniswap-routed', id: `routed-${choice.join('-')}`, swapRouter02: a.swapRouter02, quoterV2: a.quoterV2, baseToken: a.weth, quoteToken: a.usdc, baseDecimals: WETH_DECIMALS, quoteDecimals: USDC_DECIMALS, pools, slices });
}

const venueOf = (choice?: readonly PoolChoice[], slices?: number): Venue => createUniswapRoutedVenue({ client: chain.publicClient, venue: config(choice, slices) });
const trader = (): Address => chain.trader.account.address;
const chainLogs = (receipt: TransactionReceipt): ChainLog[] => receipt.logs.map(({ address, topics, data, logIndex }) => ({ address, topics, data, logIndex }));
const send = async (call: ContractCall, gas?: bigint): Promise<TransactionReceipt> => {
  const hash = await chain.trader.sendTransaction({ to: call.to, data: call.data, value: call.value, ...(gas === undefined ? {} : { gas }) });
  return chain.publicClient.waitForTransactionReceipt({ hash });
};
const balances = async (): Promise<{ weth: bigint; usdc: bigint }> => ({
  weth: await chain.publicClient.readContract({ address: chain.addresses.weth, abi: erc20Abi, functionName: 'balanceOf', args: [trader()] }),
  usdc: await chain.publicClient.readContract({ address: chain.addresses.usdc, abi: erc20Abi, functionName: 'balanceOf', args: [trader()] }),
});
const latest = async (): Promise<bigint> => (await chain.publicClient.getBlock()).timestamp;
const legsOf = (quote: VenueQuote): { pool: { version: string } }[] => JSON.parse(String(quote.details.legs)) as { pool: { version: string } }[];

/**
 * Quotes, approves as asked, trades; returns the fill, the balance change and the trade's
 * cost with its gas (USD, less is better). The tokens are what the chain did; the gas is
 * the quote's estimate: the gas of one and the same swap varies by a few thousand units
 * from run to run (the pool's oracle observation write: ~$0.2 here), which would decide a
 * comparison of splits by noise, not by the split.
 */
async function execute(venue: Venue, side: 'buy' | 'sell', quantity: number) {
  const quote = await venue.quote({ side, quantity, gasUsdPerUnit: GAS_USD_PER_UNIT });
  const built = await venue.buildTrade(quote, { account: trader(), slippageBps: 30, deadlineSec: (await latest()) + 300n });
  for (const prerequisite of built.prerequisites) expect((await send(prerequisite)).status).toBe('success');
  const before = await balances();
  // A fixed, generous gas limit: an estimate from one block can fall short in the next (the pools' observation writes).
  const receipt = await send(built.trade, 3_000_000n);
  expect(receipt.status).toBe('success');
  const after = await balances();
  const fill = venue.decodeFill(chainLogs(receipt), trader());
  const usdcDelta = Number(formatUnits(after.usdc - before.usdc, USDC_DECIMALS));
  const gasUsd = Number(quote.gasEstimate) * GAS_USD_PER_UNIT;
  return { quote, fill, receipt, wethDelta: after.weth - before.weth, usdcDelta, costUsd: -usdcDelta + gasUsd };
}

describe('the published parts fit together', () => {
  it('the V2 pair bytecode hashes to the init code hash SwapRouter02 was built with; our fragments are in the packages\' ABIs', () => {
    expect(uniswapV2PairInitCodeHash).toBe(SWAP_ROUTER02_V2_INIT_CODE_HASH);
    const signatures = (abi: readonly { type: string; name?: string; inputs?: readonly { type: string }[] }[]) =>
      new Set(abi.filter((item) => item.type === 'function' || item.type === 'event').map((item) => `${item.type} ${item.name}(${(item.inputs ?? []).map((input) => input.type).join(',')})`));
    const router = signatures(uniswapRoutingArtifacts.swapRouter02.abi as never);
    for (const signature of signatures(swapRouter02Abi as never)) expect(router.has(signature.replace(/\(address,address,uint24,address,uint256,uint256,uint160\)/, '(tuple)')) || router.has(signature), signature).toBe(true);
    const pair = signatures(uniswapRoutingArtifacts.v2Pair.abi as never);
    for (const signature of signatures(uniswapV2PairAbi as never)) expect(pair.has(signature), signature).toBe(true);
  });
});

describe('quote → trade → fill', () => {
  it.each([
    { side: 'buy', quantity: 150 },
    { side: 'sell', quantity: 150 },
  ] as const)('a large $side is split across pools, fills exactly as quoted in one transaction', async ({ side, quantity }) => {
    const venue = venueOf();
    const { quote, fill, wethDelta } = await execute(venue, side, quantity);
    expect(legsOf(quote).length).toBeGreaterThan(1);
    expect(fill?.legs).toBe(legsOf(quote).length);
    expect(quote.fillableQuantity).toBe(quantity);
    // The fill is what the balances did; it is the order, but for SwapRouter02's V2 leg, which
    // pays out what the input it rounded up buys (a buy can receive a few wei more).
    expect(fill?.quantity).toBe(Number(formatUnits(wethDelta, WETH_DECIMALS)));
    expect(Math.abs((fill?.quantity ?? Number.NaN) - (side === 'buy' ? quantity : -quantity))).toBeLessThan(1e-9);
    // The pools did not move between quote and trade: the fill's price is the quote's.
    expect(fill?.priceUsd).toBeCloseTo(quote.priceUsd, 6);
    expect(quote.referencePriceUsd).toBeCloseTo(INITIAL_PRICE_USD, 6);
  });

  it('a small order stays on one pool: a second leg would not pay for its gas', async () => {
    const quote = await venueOf().quote({ side: 'buy', quantity: 0.5, gasUsdPerUnit: GAS_USD_PER_UNIT });
    expect(legsOf(quote)).toHaveLength(1);
  });

  it('the trade is one multicall with a deadline, one exact approval of what the legs may take', async () => {
    const venue = venueOf();
    const quote = await venue.quote({ side: 'buy', quantity: 150, gasUsdPerUnit: GAS_USD_PER_UNIT });
    const deadlineSec = (await latest()) + 300n;
    const built = await venue.buildTrade(quote, { account: trader(), slippageBps: 30, deadlineSec });
    const call = decodeFunctionData({ abi: swapRouter02Abi, data: built.trade.data });
    expect(call.functionName).toBe('multicall');
    expect(call.args[0]).toBe(deadlineSec);
    expect((call.args[1] as readonly unknown[]).length).toBe(legsOf(quote).length);
    expect(built.prerequisites).toHaveLength(1);
    const approval = decodeFunctionData({ abi: erc20Abi, data: built.prerequisites[0]!.data });
    expect(approval.args[0]).toBe(chain.addresses.swapRouter02);
  });
});

describe('never worse than the best single pool, gas included (executed on chain)', () => {
  it.each([
    { side: 'buy', quantity: 1 },
    { side: 'buy', quantity: 60 },
    { side: 'sell', quantity: 200 },
  ] as const)('a $side of $quantity WETH', async ({ side, quantity }) => {
    const routed = await execute(venueOf(), side, quantity);
    const singles: number[] = [];
    for (const pool of ['main', 'route', 'v2'] as const) {
      await chain.reset();
      await fundTrader();
      const single = venueOf([pool], 1);
      const result = await execute(single, side, quantity).catch((error: unknown) => {
        if (error instanceof QuoteRejectedError) return undefined; // this pool alone cannot fill it
        throw error;
      });
      if (result !== undefined) singles.push(result.costUsd);
    }
    expect(singles.length).toBeGreaterThan(0);
    expect(routed.costUsd).toBeLessThanOrEqual(Math.min(...singles) + 1e-6);
  });
});

describe('capacity and failure', () => {
  it('at its capacity a venue fills part (a partial hedge), not nothing', async () => {
    // The V2 pair alone holds 200 WETH: a buy of 250 fills what whole slices it can.
    const quote = await venueOf(['v2'], 10).quote({ side: 'buy', quantity: 250, gasUsdPerUnit: GAS_USD_PER_UNIT });
    expect(quote.fillableQuantity).toBeGreaterThan(0);
    expect(quote.fillableQuantity).toBeLessThan(200);
    await expect(venueOf(['v2'], 1).quote({ side: 'buy', quantity: 250 })).rejects.toBeInstanceOf(QuoteRejectedError);
  });

  it('one leg made stale reverts the whole transaction: nothing moves, the remainder is decided again', async () => {
    const venue = venueOf();
    const quote = await venue.quote({ side: 'buy', quantity: 150, gasUsdPerUnit: GAS_USD_PER_UNIT });
    const built = await venue.buildTrade(quote, { account: trader(), slippageBps: 5, deadlineSec: (await latest()) + 300n });
    for (const prerequisite of built.prerequisites) await send(prerequisite);
    // Someone buys through the main pool first: its leg's limit no longer holds.
    const deployer = chain.deployer.account.address;
    const amount = parseUnits('500000', USDC_DECIMALS);
    await chain.confirm(await chain.deployer.writeContract({ address: chain.addresses.usdc, abi: testTokenAbi, functionName: 'mint', args: [deployer, amount] }));
    await chain.confirm(await chain.deployer.writeContract({ address: chain.addresses.usdc, abi: testTokenAbi, functionName: 'approve', args: [chain.addresses.swapRouter, maxUint256] }));
    await chain.confirm(
      await chain.deployer.writeContract({
        address: chain.addresses.swapRouter,
        abi: uniswapV3SwapRouterAbi,
        functionName: 'exactInputSingle',
        args: [{ tokenIn: chain.addresses.usdc, tokenOut: chain.addresses.weth, fee: POOL_FEE, recipient: deployer, deadline: maxUint256, amountIn: amount, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n }],
        gas: SWAP_GAS_LIMIT,
      }),
    );
    const before = await balances();
    const receipt = await send(built.trade, 3_000_000n);
    expect(receipt.status).toBe('reverted');
    expect(venue.decodeFill(chainLogs(receipt), trader())).toBeUndefined();
    expect(await balances()).toEqual(before);
  });
});
