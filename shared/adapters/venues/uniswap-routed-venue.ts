/**
 * The Venue port over several Uniswap pools of one pair at once (V3 pools of several fee
 * tiers, V2 pairs), in ONE transaction through Uniswap's SwapRouter02.
 *
 * quote: each pool is quoted at 1…N slices of the order (V3 through QuoterV2, V2 from the
 *   pair's reserves with its exact arithmetic), the split that costs least with each
 *   leg's gas (shared/domain/dispatch/split-order.ts) is chosen, and each leg is quoted
 *   again at its exact amount: the quote's legs are what the trade sends.
 * buildTrade: one exact approval of the input token to the router (the sum a sell pays in,
 *   or of a buy's per-leg maxima), and `multicall(deadline, legs)`: V3 exactInput/
 *   exactOutputSingle, V2 swapExactTokensFor/TokensForExactTokens, every leg with its own
 *   limit from the quote and the slippage, its output to the account. One transaction:
 *   every leg fills or none does, and the hedge keeps one nonce and one journal.
 * decodeFill: the Swap logs of the configured pools whose recipient is the account, added.
 *
 * Why one transaction rather than one per leg: the at-most-once machinery (a journaled
 * signed transaction per hedge, replaced at the same nonce) holds unchanged, a leg can
 * never fill while another fails, and the legs share one transaction's base gas.
 */
import { BaseError, ContractFunctionRevertedError, decodeEventLog, encodeFunctionData, erc20Abi, formatUnits, getAbiItem, getAddress, isAddress, isAddressEqual, toEventSelector } from 'viem';
import type { PublicClient } from 'viem';
import { QuoteRejectedError } from '../../app/execution-ports.ts';
import type { Address, ChainLog, ContractCall, Hex } from '../../app/execution-ports.ts';
import type { TradeContext, Venue, VenueFill, VenueOrder, VenueQuote, VenueTrade } from '../../app/venue-port.ts';
import type { UniswapRoutedVenueConfig } from '../../contracts/execution-config.ts';
import { splitOrder } from '../../domain/dispatch/split-order.ts';
import { priceFromSqrtPriceX96, ratioToNumber } from '../../domain/market/pool-price.ts';
import { v2AmountIn, v2AmountOut } from '../../domain/market/uniswap-v2-math.ts';
import { uniswapV3PoolAbi, uniswapV3QuoterV2Abi } from '../chain/uniswap-v3-artifacts.ts';
import { swapRouter02Abi, uniswapV2PairAbi } from '../chain/uniswap-routing-abi.ts';
import { toRawUnits } from './raw-units.ts';
import { maximumAmountIn, minimumAmountOut } from './uniswap-v3-venue.ts';

const V3_SWAP_TOPIC: Hex = toEventSelector(getAbiItem({ abi: uniswapV3PoolAbi, name: 'Swap' }));
const V2_SWAP_TOPIC: Hex = toEventSelector(getAbiItem({ abi: uniswapV2PairAbi, name: 'Swap' }));
/** A V2 leg through the router: the pair's swap and two transfers (V3 legs take the quoter's own estimate). */
const V2_LEG_GAS = 95_000n;
/** What the router adds to each V3 leg over the pool's swap the quoter measured. */
const V3_LEG_OVERHEAD_GAS = 25_000n;

type RoutePool = UniswapRoutedVenueConfig['pools'][number];

/** One leg of a quote: a pool and the raw amounts the quote expects it to move. */
interface Leg {
  readonly pool: RoutePool;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
}

function checkedAddress(field: string, value: string): Address {
  if (!isAddress(value, { strict: true })) throw new Error(`${field} is not a valid address (or its checksum is wrong): ${value}`);
  return getAddress(value);
}

const poolAddress = (pool: RoutePool): Address => getAddress(pool.version === 'v3' ? pool.pool : pool.pair);
const human = (raw: bigint, decimals: number): number => Number(formatUnits(raw, decimals));

/**
 * @example
 * const venue = createUniswapRoutedVenue({ client, venue: routedConfig });
 * const quote = await venue.quote({ side: 'buy', quantity: 40, gasUsdPerUnit: 3e-6 }); // legs in quote.details.legs
 */
export function createUniswapRoutedVenue(options: { readonly client: PublicClient; readonly venue: UniswapRoutedVenueConfig }): Venue {
  const { client, venue } = options;
  const router = checkedAddress('swapRouter02', venue.swapRouter02);
  const quoterV2 = checkedAddress('quoterV2', venue.quoterV2);
  const baseToken = checkedAddress('baseToken', venue.baseToken);
  const quoteToken = checkedAddress('quoteToken', venue.quoteToken);
  const { baseDecimals, quoteDecimals, slices } = venue;
  const pools = venue.pools.map((pool) => (pool.version === 'v3' ? { ...pool, pool: checkedAddress('pool', pool.pool) } : { ...pool, pair: checkedAddress('pair', pool.pair) }));
  if (isAddressEqual(baseToken, quoteToken)) throw new Error('the venue base and quote tokens must differ');
  const baseIsToken0 = BigInt(baseToken) < BigInt(quoteToken);

  const tokensOf = (side: VenueOrder['side']): { tokenIn: Address; tokenOut: Address } =>
    side === 'sell' ? { tokenIn: baseToken, tokenOut: quoteToken } : { tokenIn: quoteToken, tokenOut: baseToken };

  /** Raw amounts of one pool for a base amount: undefined when the pool cannot fill it. */
  async function quotePool(pool: RoutePool, side: VenueOrder['side'], baseAmount: bigint): Promise<{ amountIn: bigint; amountOut: bigint; gas: bigint } | undefined> {
    const { tokenIn, tokenOut } = tokensOf(side);
    if (pool.version === 'v2') {
      const [reserve0, reserve1] = await client.readContract({ address: poolAddress(pool), abi: uniswapV2PairAbi, functionName: 'getReserves' });
      const [reserveBase, reserveQuote] = baseIsToken0 ? [reserve0, reserve1] : [reserve1, reserve0];
      if (side === 'sell') {
        const out = v2AmountOut(baseAmount, reserveBase, reserveQuote);
        return out === undefined || out === 0n ? undefined : { amountIn: baseAmount, amountOut: out, gas: V2_LEG_GAS };
      }
      const paid = v2AmountIn(baseAmount, reserveQuote, reserveBase);
      return paid === undefined ? undefined : { amountIn: paid, amountOut: baseAmount, gas: V2_LEG_GAS };
    }
    try {
      // QuoterV2 runs the swap and reverts with its result: an eth_call through simulateContract.
      if (side === 'sell') {
        const { result } = await client.simulateContract({
          address: quoterV2,
          abi: uniswapV3QuoterV2Abi,
          functionName: 'quoteExactInputSingle',
          args: [{ tokenIn, tokenOut, amountIn: baseAmount, fee: pool.fee, sqrtPriceLimitX96: 0n }],
        });
        return { amountIn: baseAmount, amountOut: result[0], gas: result[3] + V3_LEG_OVERHEAD_GAS };
      }
      const { result } = await client.simulateContract({
        address: quoterV2,
        abi: uniswapV3QuoterV2Abi,
        functionName: 'quoteExactOutputSingle',
        args: [{ tokenIn, tokenOut, amount: baseAmount, fee: pool.fee, sqrtPriceLimitX96: 0n }],
      });
      return { amountIn: result[0], amountOut: baseAmount, gas: result[3] + V3_LEG_OVERHEAD_GAS };
    } catch (error) {
      // The quoter's revert is this pool saying no for this size (not enough liquidity); the node's failure is not.
      const revert = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
      if (revert instanceof ContractFunctionRevertedError) return undefined;
      throw error;
    }
  }

  /** The first pool's mid price: the operator lists the main pool first. */
  async function referencePrice(): Promise<number> {
    const first = pools[0]!;
    if (first.version === 'v3') {
      const [sqrtPriceX96] = await client.readContract({ address: poolAddress(first), abi: uniswapV3PoolAbi, functionName: 'slot0' });
      return priceFromSqrtPriceX96(sqrtPriceX96, baseIsToken0, baseDecimals, quoteDecimals);
    }
    const [reserve0, reserve1] = await client.readContract({ address: poolAddress(first), abi: uniswapV2PairAbi, functionName: 'getReserves' });
    const [reserveBase, reserveQuote] = baseIsToken0 ? [reserve0, reserve1] : [reserve1, reserve0];
    return ratioToNumber(reserveQuote * 10n ** BigInt(baseDecimals), reserveBase * 10n ** BigInt(quoteDecimals));
  }

  async function quote(order: VenueOrder): Promise<VenueQuote> {
    if (order.series !== undefined) throw new QuoteRejectedError(`venue ${venue.id} trades the underlying, not options`);
    const total = toRawUnits(order.quantity, baseDecimals);
    const sliceAmount = (k: number): bigint => (total * BigInt(k)) / BigInt(slices);
    // Each pool's ladder: the cost of 1…N slices (quote paid for a buy, minus quote received for a sell).
    const ladders = await Promise.all(
      pools.map(async (pool) => {
        const quotes = await Promise.all(Array.from({ length: slices }, (_, i) => (sliceAmount(i + 1) > 0n ? quotePool(pool, order.side, sliceAmount(i + 1)) : Promise.resolve(undefined))));
        return quotes;
      }),
    );
    const gasUsdPerUnit = order.gasUsdPerUnit ?? 0;
    const split = splitOrder({
      slices,
      venues: ladders.map((quotes) => {
        const costs = [0, ...quotes.map((q) => (q === undefined ? undefined : order.side === 'buy' ? human(q.amountIn, quoteDecimals) : -human(q.amountOut, quoteDecimals)))];
        // A pool's leg gas: its estimate at the largest size it can fill (gas grows with ticks crossed).
        const gas = [...quotes].reverse().find((q) => q !== undefined)?.gas ?? 0n;
        return { costs, gas: Number(gas) * gasUsdPerUnit };
      }),
    });
    if (split.filledSlices === 0) throw new QuoteRejectedError(`no pool of venue ${venue.id} can fill even 1/${slices} of ${order.quantity}`);
    // Exact leg amounts: the slices' share of the order, the last leg taking the rounding, each quoted again at that amount.
    const filledTotal = split.filledSlices === slices ? total : sliceAmount(split.filledSlices);
    const used = split.allocation.flatMap((k, index) => (k > 0 ? [{ index, k }] : []));
    let assigned = 0n;
    const legs: Leg[] = [];
    let gas = 0n;
    for (const [position, { index, k }] of used.entries()) {
      const amount = position === used.length - 1 ? filledTotal - assigned : sliceAmount(k);
      assigned += amount;
      const exact = await quotePool(pools[index]!, order.side, amount);
      if (exact === undefined) throw new QuoteRejectedError(`pool ${poolAddress(pools[index]!)} could not be quoted again for its leg of ${amount}`);
      legs.push({ pool: pools[index]!, amountIn: exact.amountIn, amountOut: exact.amountOut });
      gas += exact.gas;
    }
    const quoteTotal = legs.reduce((sum, leg) => sum + (order.side === 'buy' ? leg.amountIn : leg.amountOut), 0n);
    const { tokenIn, tokenOut } = tokensOf(order.side);
    return {
      venueId: venue.id,
      order,
      fillableQuantity: split.filledSlices === slices ? order.quantity : human(filledTotal, baseDecimals),
      priceUsd: ratioToNumber(quoteTotal * 10n ** BigInt(baseDecimals), filledTotal * 10n ** BigInt(quoteDecimals)),
      referencePriceUsd: await referencePrice(),
      gasEstimate: gas,
      details: {
        side: order.side,
        tokenIn,
        tokenOut,
        legs: JSON.stringify(legs.map((leg) => ({ pool: leg.pool, amountIn: leg.amountIn.toString(), amountOut: leg.amountOut.toString() }))),
      },
    };
  }

  function legsOf(quote: VenueQuote): { side: 'buy' | 'sell'; legs: Leg[] } {
    const d = quote.details;
    if (quote.venueId !== venue.id || (d.side !== 'buy' && d.side !== 'sell') || typeof d.legs !== 'string') {
      throw new Error(`the quote of venue ${quote.venueId} is not a quote of this venue (${venue.id})`);
    }
    const raw = JSON.parse(d.legs) as { pool: RoutePool; amountIn: string; amountOut: string }[];
    const legs = raw.map((leg) => {
      const pool = pools.find((candidate) => isAddressEqual(poolAddress(candidate), poolAddress(leg.pool)));
      if (pool === undefined) throw new Error(`the quote names pool ${poolAddress(leg.pool)}, which is not a pool of venue ${venue.id}`);
      return { pool, amountIn: BigInt(leg.amountIn), amountOut: BigInt(leg.amountOut) };
    });
    return { side: d.side, legs };
  }

  /** One leg's router call, its limit from the quote and the slippage. */
  function legCall(side: 'buy' | 'sell', leg: Leg, recipient: Address, slippageBps: number): { data: Hex; paysAtMost: bigint } {
    const { tokenIn, tokenOut } = tokensOf(side);
    if (leg.pool.version === 'v3') {
      if (side === 'sell') {
        const data = encodeFunctionData({
          abi: swapRouter02Abi,
          functionName: 'exactInputSingle',
          args: [{ tokenIn, tokenOut, fee: leg.pool.fee, recipient, amountIn: leg.amountIn, amountOutMinimum: minimumAmountOut(leg.amountOut, slippageBps), sqrtPriceLimitX96: 0n }],
        });
        return { data, paysAtMost: leg.amountIn };
      }
      const amountInMaximum = maximumAmountIn(leg.amountIn, slippageBps);
      const data = encodeFunctionData({
        abi: swapRouter02Abi,
        functionName: 'exactOutputSingle',
        args: [{ tokenIn, tokenOut, fee: leg.pool.fee, recipient, amountOut: leg.amountOut, amountInMaximum, sqrtPriceLimitX96: 0n }],
      });
      return { data, paysAtMost: amountInMaximum };
    }
    if (side === 'sell') {
      const data = encodeFunctionData({ abi: swapRouter02Abi, functionName: 'swapExactTokensForTokens', args: [leg.amountIn, minimumAmountOut(leg.amountOut, slippageBps), [tokenIn, tokenOut], recipient] });
      return { data, paysAtMost: leg.amountIn };
    }
    const amountInMax = maximumAmountIn(leg.amountIn, slippageBps);
    const data = encodeFunctionData({ abi: swapRouter02Abi, functionName: 'swapTokensForExactTokens', args: [leg.amountOut, amountInMax, [tokenIn, tokenOut], recipient] });
    return { data, paysAtMost: amountInMax };
  }

  async function buildTrade(quote: VenueQuote, context: TradeContext): Promise<VenueTrade> {
    const { side, legs } = legsOf(quote);
    const account = checkedAddress('account', context.account);
    if (context.deadlineSec <= 0n) throw new RangeError(`deadlineSec must be a positive unix time, got ${context.deadlineSec}`);
    const calls = legs.map((leg) => legCall(side, leg, account, context.slippageBps));
    // The router pulls each leg's input from the account: one exact approval of the sum (a buy's per-leg maxima).
    const needed = calls.reduce((sum, call) => sum + call.paysAtMost, 0n);
    const { tokenIn } = tokensOf(side);
    const allowance = await client.readContract({ address: tokenIn, abi: erc20Abi, functionName: 'allowance', args: [account, router] });
    const prerequisites: ContractCall[] = allowance >= needed ? [] : [{ to: tokenIn, data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [router, needed] }), value: 0n }];
    const trade: ContractCall = { to: router, data: encodeFunctionData({ abi: swapRouter02Abi, functionName: 'multicall', args: [context.deadlineSec, calls.map((call) => call.data)] }), value: 0n };
    return { prerequisites, trade, deadlineSec: context.deadlineSec };
  }

  /** Every Swap of a configured pool paid to the account, added up (the account paid each leg's input through the router). */
  function decodeFill(logs: readonly ChainLog[], accountAddress: Address): VenueFill | undefined {
    const account = checkedAddress('account', accountAddress);
    let base = 0n;
    let quoteAmount = 0n;
    let found = false;
    let legs = 0;
    for (const log of logs) {
      const pool = pools.find((candidate) => isAddressEqual(poolAddress(candidate), log.address));
      if (pool === undefined) continue;
      const topic = log.topics[0]?.toLowerCase();
      if (pool.version === 'v3' && topic === V3_SWAP_TOPIC) {
        const { args } = decodeEventLog({ abi: uniswapV3PoolAbi, eventName: 'Swap', topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true });
        if (!isAddressEqual(args.recipient, account)) continue;
        found = true;
        legs++;
        // The pool's deltas (+ = the pool received): the account's are their negation.
        base -= baseIsToken0 ? args.amount0 : args.amount1;
        quoteAmount -= baseIsToken0 ? args.amount1 : args.amount0;
      } else if (pool.version === 'v2' && topic === V2_SWAP_TOPIC) {
        const { args } = decodeEventLog({ abi: uniswapV2PairAbi, eventName: 'Swap', topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true });
        if (!isAddressEqual(args.to, account)) continue;
        found = true;
        legs++;
        const [baseIn, quoteIn, baseOut, quoteOut] = baseIsToken0 ? [args.amount0In, args.amount1In, args.amount0Out, args.amount1Out] : [args.amount1In, args.amount0In, args.amount1Out, args.amount0Out];
        base += baseOut - baseIn;
        quoteAmount += quoteOut - quoteIn;
      }
    }
    if (!found) return undefined;
    const priceUsd = base === 0n ? 0 : Math.abs(human(quoteAmount, quoteDecimals) / human(base, baseDecimals));
    return { quantity: human(base, baseDecimals), cashUsd: human(quoteAmount, quoteDecimals), priceUsd, legs };
  }

  async function readPosition(account: Address): Promise<{ quantity: number }> {
    const balance = await client.readContract({ address: baseToken, abi: erc20Abi, functionName: 'balanceOf', args: [checkedAddress('account', account)] });
    return { quantity: human(balance, baseDecimals) };
  }

  return {
    id: venue.id,
    kind: 'uniswap-routed',
    instrument: 'spot',
    contracts: [router, baseToken, quoteToken],
    quote,
    checkTrade: () => Promise.resolve({ ok: true }),
    buildTrade,
    decodeFill,
    readPosition,
  };
}
