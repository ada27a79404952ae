/**
 * The Venue port (shared/app/venue-port.ts) on one Uniswap V3 pool, over viem: quotes
 * from QuoterV2, the pool's mid price from slot0, swaps through the periphery v1
 * SwapRouter (the one whose single-pool params carry `deadline`), an exact ERC-20
 * approval as the trade's prerequisite, and the pool's Swap log decoded into the fill.
 *
 * The hedge always trades the base token against the quote token (WETH against USDC):
 *   sell = exact input of the base amount, paid out in quote (exactInputSingle);
 *   buy  = exact output of the base amount, paid for in quote (exactOutputSingle).
 *
 * Amounts stay bigint until they leave the port as human numbers; those conversions go
 * through decimal strings, so a number is the double nearest the exact value.
 */
import { BaseError, ContractFunctionRevertedError, decodeEventLog, encodeFunctionData, erc20Abi, formatUnits, getAbiItem, getAddress, isAddress, isAddressEqual, toEventSelector } from 'viem';
import type { PublicClient } from 'viem';
import { QuoteRejectedError } from '../../app/execution-ports.ts';
import type { Address, ChainLog, ContractCall, Hex } from '../../app/execution-ports.ts';
import type { TradeContext, Venue, VenueFill, VenueOrder, VenueQuote, VenueTrade } from '../../app/venue-port.ts';
import type { UniswapV3VenueConfig } from '../../contracts/execution-config.ts';
import { priceFromSqrtPriceX96 } from '../../domain/market/pool-price.ts';
import { uniswapV3PoolAbi, uniswapV3QuoterV2Abi, uniswapV3SwapRouterAbi } from '../chain/uniswap-v3-artifacts.ts';
import { toRawUnits } from './raw-units.ts';
import { leastReceived as minimumAmountOut, mostPaid as maximumAmountIn } from './slippage-limits.ts';

/** No price limit: the swap runs to its exact amount or reverts, and the slippage limit guards the price. */
const NO_PRICE_LIMIT = 0n;
const SWAP_EVENT_TOPIC: Hex = toEventSelector(getAbiItem({ abi: uniswapV3PoolAbi, name: 'Swap' }));

/** The least a sell may receive and the most a buy may pay (shared/adapters/venues/slippage-limits.ts). */
export { leastReceived as minimumAmountOut, mostPaid as maximumAmountIn } from './slippage-limits.ts';

/** Digits kept in a ratio before it becomes a double (which holds ~17): the truncation stays far below its rounding. */
const RATIO_SIGNIFICANT_DIGITS = 24;

/** numerator / denominator as the double nearest the exact quotient (up to a truncation at 24 significant digits). */
function ratioToNumber(numerator: bigint, denominator: bigint): number {
  if (denominator === 0n) throw new RangeError('ratio with a zero denominator');
  if (numerator === 0n) return 0;
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const shift = Math.max(0, RATIO_SIGNIFICANT_DIGITS - (n.toString().length - d.toString().length));
  const scaled = (n * 10n ** BigInt(shift)) / d;
  const value = Number(`${scaled}e-${shift}`);
  return negative ? -value : value;
}

/**
 * The address, checksummed. viem's getAddress accepts any case, so a mixed-case address
 * is checked against its EIP-55 checksum first: that is what catches a mistyped digit.
 */
function checkedAddress(field: string, value: string): Address {
  if (!isAddress(value, { strict: true })) throw new Error(`${field} is not a valid address (or its checksum is wrong): ${value}`);
  return getAddress(value);
}

function toHuman(raw: bigint, decimals: number): number {
  return Number(formatUnits(raw, decimals));
}

/** The raw amounts of a quote, as its `details` carry them (bigints as decimal strings: journaled as JSON). */
interface SwapDetails {
  readonly side: 'buy' | 'sell';
  readonly tokenIn: Address;
  readonly tokenOut: Address;
  readonly amountIn: bigint;
  readonly amountOut: bigint;
}

/**
 * @example
 * const venue = createUniswapV3Venue({ client: publicClient, venue: venueConfig });
 * const quote = await venue.quote({ side: 'sell', quantity: 1.5 });
 * const { prerequisites, trade } = await venue.buildTrade(quote, { account, slippageBps: 50, deadlineSec });
 */
export function createUniswapV3Venue(options: { readonly client: PublicClient; readonly venue: UniswapV3VenueConfig }): Venue {
  const { client, venue } = options;
  const pool = checkedAddress('pool', venue.pool);
  const swapRouter = checkedAddress('swapRouter', venue.swapRouter);
  const quoterV2 = checkedAddress('quoterV2', venue.quoterV2);
  const baseToken = checkedAddress('baseToken', venue.baseToken);
  const quoteToken = checkedAddress('quoteToken', venue.quoteToken);
  const { baseDecimals, quoteDecimals, fee } = venue;
  if (isAddressEqual(baseToken, quoteToken)) throw new Error('the venue base and quote tokens must differ');
  // Uniswap orders a pool's tokens by address: token0 is the lower one.
  const baseIsToken0 = BigInt(baseToken) < BigInt(quoteToken);

  /** Human quote-token units per human base unit, from raw amounts. */
  const humanPrice = (quoteRaw: bigint, baseRaw: bigint): number =>
    ratioToNumber(quoteRaw * 10n ** BigInt(baseDecimals), baseRaw * 10n ** BigInt(quoteDecimals));

  /**
   * The quoter and the router find their pool from (tokens, fee), the decoder reads the
   * configured `pool`: a config where they differ, or whose decimals are not the tokens',
   * would quote one market and account another. Checked once, before the first quote
   * (again after a failed check, which may have been the RPC).
   */
  let configCheck: Promise<void> | undefined;
  const checkConfigAgainstChain = (): Promise<void> => {
    configCheck ??= (async () => {
      const [token0, token1, poolFee, baseOnChainDecimals, quoteOnChainDecimals] = await Promise.all([
        client.readContract({ address: pool, abi: uniswapV3PoolAbi, functionName: 'token0' }),
        client.readContract({ address: pool, abi: uniswapV3PoolAbi, functionName: 'token1' }),
        client.readContract({ address: pool, abi: uniswapV3PoolAbi, functionName: 'fee' }),
        client.readContract({ address: baseToken, abi: erc20Abi, functionName: 'decimals' }),
        client.readContract({ address: quoteToken, abi: erc20Abi, functionName: 'decimals' }),
      ]);
      const [expected0, expected1] = baseIsToken0 ? [baseToken, quoteToken] : [quoteToken, baseToken];
      const problems = [
        ...(isAddressEqual(token0, expected0) && isAddressEqual(token1, expected1) ? [] : [`pool tokens are ${token0}/${token1}, config says ${expected0}/${expected1}`]),
        ...(poolFee === fee ? [] : [`pool fee is ${poolFee}, config says ${fee}`]),
        ...(baseOnChainDecimals === baseDecimals ? [] : [`base token has ${baseOnChainDecimals} decimals, config says ${baseDecimals}`]),
        ...(quoteOnChainDecimals === quoteDecimals ? [] : [`quote token has ${quoteOnChainDecimals} decimals, config says ${quoteDecimals}`]),
      ];
      if (problems.length > 0) throw new QuoteRejectedError(`Uniswap V3 venue config does not match the chain: ${problems.join('; ')}`);
    })().catch((error: unknown) => {
      configCheck = undefined;
      throw error;
    });
    return configCheck;
  };

  const sideTokens = (side: VenueOrder['side']): { tokenIn: Address; tokenOut: Address } =>
    side === 'sell' ? { tokenIn: baseToken, tokenOut: quoteToken } : { tokenIn: quoteToken, tokenOut: baseToken };

  /** The raw swap a quote carries; a quote this venue did not make (other venue, tokens not matching its side) is refused. */
  const swapOf = (quote: VenueQuote): SwapDetails => {
    const d = quote.details;
    if (quote.venueId !== venue.id || (d.side !== 'buy' && d.side !== 'sell') || typeof d.tokenIn !== 'string' || typeof d.tokenOut !== 'string') {
      throw new Error(`the quote of venue ${quote.venueId} is not a quote of this venue (${venue.id})`);
    }
    const expected = sideTokens(d.side);
    if (!isAddressEqual(d.tokenIn as Address, expected.tokenIn) || !isAddressEqual(d.tokenOut as Address, expected.tokenOut)) {
      throw new Error(`the quote (${d.tokenIn} -> ${d.tokenOut}) is not a ${d.side} on this venue`);
    }
    return { side: d.side, tokenIn: expected.tokenIn, tokenOut: expected.tokenOut, amountIn: BigInt(String(d.amountIn)), amountOut: BigInt(String(d.amountOut)) };
  };

  async function midPrice(): Promise<number> {
    const [sqrtPriceX96] = await client.readContract({ address: pool, abi: uniswapV3PoolAbi, functionName: 'slot0' });
    return priceFromSqrtPriceX96(sqrtPriceX96, baseIsToken0, baseDecimals, quoteDecimals);
  }

  /** The quoter's revert is the venue's answer; anything else (node, transport) passes through unchanged. */
  async function quote(order: VenueOrder): Promise<VenueQuote> {
    if (order.series !== undefined) throw new QuoteRejectedError(`venue ${venue.id} trades the underlying, not options`);
    const baseAmount = toRawUnits(order.quantity, baseDecimals);
    await checkConfigAgainstChain();
    try {
      const [swap, reference] = await Promise.all([quoteSwap(order.side, baseAmount), midPrice()]);
      return {
        venueId: venue.id,
        order,
        fillableQuantity: order.quantity,
        priceUsd: humanPrice(swap.side === 'sell' ? swap.amountOut : swap.amountIn, baseAmount),
        referencePriceUsd: reference,
        gasEstimate: swap.gasEstimate,
        details: { side: swap.side, tokenIn: swap.tokenIn, tokenOut: swap.tokenOut, amountIn: swap.amountIn.toString(), amountOut: swap.amountOut.toString() },
      };
    } catch (error) {
      const revert = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
      if (revert instanceof ContractFunctionRevertedError) throw new QuoteRejectedError(`the quoter reverted: ${revert.reason ?? revert.shortMessage}`, { cause: error });
      throw error;
    }
  }

  async function quoteSwap(side: VenueOrder['side'], baseAmount: bigint): Promise<SwapDetails & { readonly gasEstimate: bigint }> {
    const { tokenIn, tokenOut } = sideTokens(side);
    // QuoterV2's functions run the swap and revert with its result, so they are not
    // `view`: simulateContract makes them an eth_call.
    if (side === 'sell') {
      const { result } = await client.simulateContract({
        address: quoterV2,
        abi: uniswapV3QuoterV2Abi,
        functionName: 'quoteExactInputSingle',
        args: [{ tokenIn, tokenOut, amountIn: baseAmount, fee, sqrtPriceLimitX96: NO_PRICE_LIMIT }],
      });
      const [amountOut, , , gasEstimate] = result;
      return { side, tokenIn, tokenOut, amountIn: baseAmount, amountOut, gasEstimate };
    }
    const { result } = await client.simulateContract({
      address: quoterV2,
      abi: uniswapV3QuoterV2Abi,
      functionName: 'quoteExactOutputSingle',
      args: [{ tokenIn, tokenOut, amount: baseAmount, fee, sqrtPriceLimitX96: NO_PRICE_LIMIT }],
    });
    const [amountIn, , , gasEstimate] = result;
    return { side, tokenIn, tokenOut, amountIn, amountOut: baseAmount, gasEstimate };
  }

  /** The router call of a quoted swap: the exact amount, the limit from the quote and the slippage, the deadline. */
  function swapCall(swap: SwapDetails, context: TradeContext): ContractCall & { readonly limitAmount: bigint } {
    const recipient = checkedAddress('account', context.account);
    const { slippageBps, deadlineSec } = context;
    if (deadlineSec <= 0n) throw new RangeError(`deadlineSec must be a positive unix time, got ${deadlineSec}`);
    const { tokenIn, tokenOut } = swap;
    if (swap.side === 'sell') {
      const amountOutMinimum = minimumAmountOut(swap.amountOut, slippageBps);
      const data = encodeFunctionData({
        abi: uniswapV3SwapRouterAbi,
        functionName: 'exactInputSingle',
        args: [{ tokenIn, tokenOut, fee, recipient, deadline: deadlineSec, amountIn: swap.amountIn, amountOutMinimum, sqrtPriceLimitX96: NO_PRICE_LIMIT }],
      });
      return { to: swapRouter, data, value: 0n, limitAmount: amountOutMinimum };
    }
    const amountInMaximum = maximumAmountIn(swap.amountIn, slippageBps);
    const data = encodeFunctionData({
      abi: uniswapV3SwapRouterAbi,
      functionName: 'exactOutputSingle',
      args: [{ tokenIn, tokenOut, fee, recipient, deadline: deadlineSec, amountOut: swap.amountOut, amountInMaximum, sqrtPriceLimitX96: NO_PRICE_LIMIT }],
    });
    return { to: swapRouter, data, value: 0n, limitAmount: amountInMaximum };
  }

  /**
   * The trade, and its approval when the allowance is short. Approvals are for the exact
   * amount the swap may take (the input of a sell, the maximum of a buy), never unlimited:
   * a compromised or buggy router can then take no more than the trade in flight, at the
   * cost of one approval transaction per trade. `approve` sets the allowance (it does not
   * add), so a leftover allowance is replaced.
   *
   * A consequence for buys: the router pays the pool inside the swap callback and checks
   * `amountInMaximum` only afterwards, so when the price has moved past the limit the
   * transfer of more than the allowance fails first and the revert reads "STF"
   * (TransferHelper's safeTransferFrom failed), not "Too much requested". Either way the
   * swap reverts whole; the dispatcher reads both as the limit breached.
   */
  async function buildTrade(quote: VenueQuote, context: TradeContext): Promise<VenueTrade> {
    const swap = swapOf(quote);
    const { limitAmount, ...trade } = swapCall(swap, context);
    const needed = swap.side === 'sell' ? swap.amountIn : limitAmount;
    const owner = checkedAddress('account', context.account);
    const allowance = await client.readContract({ address: swap.tokenIn, abi: erc20Abi, functionName: 'allowance', args: [owner, swapRouter] });
    const prerequisites: ContractCall[] =
      allowance >= needed ? [] : [{ to: getAddress(swap.tokenIn), data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [swapRouter, needed] }), value: 0n }];
    return { prerequisites, trade, deadlineSec: context.deadlineSec };
  }

  /**
   * The pool reports its own deltas (positive = the pool received), so the recipient's
   * are their negation. A receipt holds one swap of ours; should it hold several to the
   * same recipient, they are added up, which is what the recipient's balances did.
   */
  function decodeFill(logs: readonly ChainLog[], account: Address): VenueFill | undefined {
    const recipient = checkedAddress('account', account);
    let poolBase = 0n;
    let poolQuote = 0n;
    let found = false;
    for (const log of logs) {
      if (!isAddressEqual(log.address, pool) || log.topics[0]?.toLowerCase() !== SWAP_EVENT_TOPIC) continue;
      const { args } = decodeEventLog({ abi: uniswapV3PoolAbi, eventName: 'Swap', topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true });
      if (!isAddressEqual(args.recipient, recipient)) continue;
      found = true;
      poolBase += baseIsToken0 ? args.amount0 : args.amount1;
      poolQuote += baseIsToken0 ? args.amount1 : args.amount0;
    }
    if (!found) return undefined;
    const baseRaw = -poolBase;
    const quoteRaw = -poolQuote;
    // A swap whose base leg rounds to zero has no price; Infinity rather than NaN keeps |quote/base| ordered.
    const priceUsd = baseRaw === 0n ? (quoteRaw === 0n ? 0 : Infinity) : Math.abs(humanPrice(quoteRaw, baseRaw));
    return { quantity: toHuman(baseRaw, baseDecimals), cashUsd: toHuman(quoteRaw, quoteDecimals), priceUsd };
  }

  /** Spot is held in the wallet: the position is the account's base-token balance. */
  async function readPosition(account: Address): Promise<{ quantity: number }> {
    const balance = await client.readContract({ address: baseToken, abi: erc20Abi, functionName: 'balanceOf', args: [checkedAddress('account', account)] });
    return { quantity: toHuman(balance, baseDecimals) };
  }

  return {
    id: venue.id,
    kind: 'uniswap-v3',
    instrument: 'spot',
    contracts: [swapRouter, baseToken, quoteToken],
    quote,
    checkTrade: () => Promise.resolve({ ok: true }),
    buildTrade,
    decodeFill,
    readPosition,
  };
}
