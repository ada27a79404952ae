/**
 * The Venue port (shared/app/venue-port.ts) on a Lyra v1 ("Avalon") option market, over
 * viem. Lyra's AMM sells and buys every listed series against its liquidity pool at a
 * Black-Scholes price with a traded (skewed) vol, plus fees; positions are OptionToken
 * ERC-721s, settled in cash (the quote asset, sUSD) after expiry.
 *
 * Quote: an eth_call of OptionMarket.openPosition itself (its Result is what the trade
 * would cost, fees and the trade's own vol impact included) from a quoting address the
 * call funds with state overrides (its quote-asset balance and allowance: their storage
 * slots are found once by probing). A sell is priced as the opening of a quote-collateral
 * short: closing a long of the same size is priced identically by Lyra (the same strike
 * exposure change, isBuy false both ways), so the quote does not depend on who sells.
 *
 * Trade: a buy closes (part of) a short the account holds of the series when that short
 * covers the whole order, else opens (or adds to) a long; a sell likewise closes a long
 * that covers it, else opens (or adds to) a quote-collateralised short, which only a
 * venue with `shortCollateralMultiple` does. Limits: minTotalCost/maxTotalCost from the
 * quote and the slippage. Lyra has no deadline parameter: a trade never expires, and
 * buildTrade returns no deadlineSec.
 *
 * Amounts: Lyra computes everything (contracts, strikes, premiums, collateral) in 18-decimal
 * fixed point and moves that many raw units of its quote asset, so the quote asset must
 * have 18 decimals (checked against the chain before the first quote).
 */
import { BaseError, ContractFunctionRevertedError, decodeEventLog, encodeAbiParameters, encodeFunctionData, erc20Abi, getAbiItem, getAddress, isAddress, isAddressEqual, keccak256, maxUint256, numberToHex, toEventSelector, toHex } from 'viem';
import type { Hex, PublicClient, StateOverride } from 'viem';
import { QuoteRejectedError } from '../../app/execution-ports.ts';
import type { Address, ChainLog, ContractCall } from '../../app/execution-ports.ts';
import type { OptionSeries, TradeContext, Venue, VenueCheck, VenueFill, VenueOrder, VenuePosition, VenueQuote, VenueTrade } from '../../app/venue-port.ts';
import type { LyraV1VenueConfig } from '../../contracts/execution-config.ts';
import {
  LYRA_DECIMALS,
  LYRA_OPTION_TYPE,
  LYRA_SIZE_LIMIT_ERRORS,
  LYRA_TRADE_DIRECTION,
  fromLyraFixed,
  lyraOptionGreekCacheAbi,
  lyraOptionMarketAbi,
  lyraTradeErrorsAbi,
  toLyraFixed,
} from '../chain/lyra-abi.ts';
import type { LyraOptionTypeCode } from '../chain/lyra-abi.ts';
import { readLyraAccountPositions } from '../chain/lyra-position-reader.ts';
import type { LyraPosition } from '../chain/lyra-position-reader.ts';
import { leastReceived as minimumTotalCost, mostPaid as maximumTotalCost } from './slippage-limits.ts';

const UNIT = 10n ** BigInt(LYRA_DECIMALS);
const BPS = 10_000n;
const DAY_MS = 86_400_000;
/** OptionMarket's functions with every error a trade can bubble up, so a revert decodes to its name. */
const marketAbi = [...lyraOptionMarketAbi, ...lyraTradeErrorsAbi] as const;
const TRADE_TOPIC: Hex = toEventSelector(getAbiItem({ abi: lyraOptionMarketAbi, name: 'Trade' }));

/**
 * The address quotes are simulated from: an address nobody holds a key of, funded only
 * inside the eth_call (state overrides), so a quote needs no account and moves nothing.
 */
const QUOTER: Address = getAddress(`0x${keccak256(toHex('hedge-functions/lyra-v1-venue/quoter')).slice(-40)}`);
/** What the quoter is given: more quote asset than any trade takes (1e22 sUSD). */
const QUOTER_FUNDS = 10n ** 40n;
/** The collateral a quoted short posts: far above any minimum, within QUOTER_FUNDS. */
const QUOTER_SHORT_COLLATERAL = 10n ** 36n;
/** Mapping slots probed for the quote asset's balances and allowances (Solidity and Vyper layouts). */
const PROBED_SLOTS = 12;
const PROBE_MARKER = 0x5eed_1e55_0000_0000_0000_0000_0000_0000_0000_0001n;
/**
 * Head-room on the node's gas estimate: BlackScholes' and GWAV's gas depends on
 * block.timestamp, which differs between the estimate and the block that mines the trade
 * (an exact estimate has been seen to run out of gas).
 */
const GAS_HEADROOM_PCT = 30n;
/**
 * The estimate when the node will not estimate with state overrides (they are not part of
 * every node's eth_estimateGas): a Lyra open measured ~1.2 M gas, a close ~0.75 M, plus
 * the head-room. Only informative: the dispatcher simulates the built trade itself.
 */
const FALLBACK_GAS_ESTIMATE = 1_600_000n;
/** Halvings when a size limit caps a quote, and the grid the fillable size is floored to (0.001 contract). */
const FILLABLE_BISECTIONS = 12;
const FILLABLE_GRID = 10n ** 15n;

type Side = VenueOrder['side'];

/** The least a sell may receive and the most a buy may pay, of a total cost (shared/adapters/venues/slippage-limits.ts). */
export { leastReceived as minimumTotalCost, mostPaid as maximumTotalCost } from './slippage-limits.ts';

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

function checkedAddress(field: string, value: string): Address {
  if (!isAddress(value, { strict: true })) throw new Error(`${field} is not a valid address (or its checksum is wrong): ${value}`);
  return getAddress(value);
}

const human = fromLyraFixed;

/** "call 3000 2026-01-30": how errors name a series. */
export function seriesName(series: OptionSeries): string {
  return `${series.optionType} ${series.strike} ${Number.isFinite(series.expiryMs) ? new Date(series.expiryMs).toISOString().slice(0, 10) : String(series.expiryMs)}`;
}

/** A Lyra expiry (unix seconds) names the series' expiry when both fall on the same UTC day. */
export function sameExpiryDay(expirySec: bigint, expiryMs: number): boolean {
  return Math.floor((Number(expirySec) * 1000) / DAY_MS) === Math.floor(expiryMs / DAY_MS);
}

const isCall = (series: OptionSeries): boolean => series.optionType === 'call';
const longType = (series: OptionSeries): LyraOptionTypeCode => (isCall(series) ? LYRA_OPTION_TYPE.LONG_CALL : LYRA_OPTION_TYPE.LONG_PUT);
/** The short this venue opens: collateralised in the quote asset. */
const shortType = (series: OptionSeries): LyraOptionTypeCode => (isCall(series) ? LYRA_OPTION_TYPE.SHORT_CALL_QUOTE : LYRA_OPTION_TYPE.SHORT_PUT_QUOTE);

/** The listing and raw amounts of a quote, as its `details` carry them (bigints as decimal strings). */
interface LyraQuoteDetails {
  readonly side: Side;
  readonly series: OptionSeries;
  readonly boardId: bigint;
  readonly strikeId: bigint;
  readonly strikePrice: bigint;
  readonly expiry: bigint;
  /** The option type the quote simulated (a long for a buy, a quote-collateral short for a sell). */
  readonly quotedOptionType: LyraOptionTypeCode;
  readonly amount: bigint;
  readonly totalCost: bigint;
  readonly totalFee: bigint;
  readonly iterations: bigint;
}

/** What a trade does to the account's positions of the series. */
type TradePlan =
  | { readonly action: 'open'; readonly optionType: LyraOptionTypeCode; readonly position?: LyraPosition }
  | { readonly action: 'close'; readonly optionType: LyraOptionTypeCode; readonly position: LyraPosition };

interface Listing {
  readonly boardId: bigint;
  readonly strikeId: bigint;
  readonly strikePrice: bigint;
  readonly expiry: bigint;
}

/**
 * @example
 * const venue = createLyraV1Venue({ client: publicClient, venue: venueConfig });
 * const quote = await venue.quote({ side: 'buy', quantity: 2, series: { optionType: 'call', strike: 3000, expiryMs } });
 * const { prerequisites, trade } = await venue.buildTrade(quote, { account, slippageBps: 100, deadlineSec });
 */
export function createLyraV1Venue(options: { readonly client: PublicClient; readonly venue: LyraV1VenueConfig }): Venue {
  const { client, venue } = options;
  const optionMarket = checkedAddress('optionMarket', venue.optionMarket);
  const optionToken = checkedAddress('optionToken', venue.optionToken);
  const optionGreekCache = checkedAddress('optionGreekCache', venue.optionGreekCache);
  const quoteAsset = checkedAddress('quoteAsset', venue.quoteAsset);
  checkedAddress('shortCollateral', venue.shortCollateral);
  const iterations = BigInt(venue.iterations);
  const multipleBps = venue.shortCollateralMultiple === undefined ? undefined : BigInt(Math.ceil(venue.shortCollateralMultiple * 10_000));

  /** Once, before the first quote (again after a failure, which may have been the RPC): the config against the chain. */
  let configCheck: Promise<void> | undefined;
  const checkConfigAgainstChain = (): Promise<void> => {
    configCheck ??= (async () => {
      const [decimals] = await Promise.all([
        client.readContract({ address: quoteAsset, abi: erc20Abi, functionName: 'decimals' }),
        client.readContract({ address: optionMarket, abi: lyraOptionMarketAbi, functionName: 'getLiveBoards' }),
      ]);
      const problems = [
        ...(venue.quoteDecimals === LYRA_DECIMALS ? [] : [`config says the quote asset has ${venue.quoteDecimals} decimals; Lyra v1 pays in an 18-decimal asset`]),
        ...(decimals === LYRA_DECIMALS ? [] : [`the quote asset has ${decimals} decimals on chain; Lyra v1 pays in an 18-decimal asset`]),
      ];
      if (problems.length > 0) throw new QuoteRejectedError(`Lyra v1 venue config does not match the chain: ${problems.join('; ')}`);
    })().catch((error: unknown) => {
      configCheck = undefined;
      throw error;
    });
    return configCheck;
  };

  /**
   * State overrides that fund the quoter: its quote-asset balance and its allowance to the
   * market, written at the storage slots found by probing (once) the token's mappings.
   */
  let funding: Promise<StateOverride> | undefined;
  const quoterFunding = (): Promise<StateOverride> => {
    funding ??= findQuoterFunding(client, quoteAsset, optionMarket).catch((error: unknown) => {
      funding = undefined;
      throw error;
    });
    return funding;
  };

  async function findListing(series: OptionSeries): Promise<Listing> {
    const name = seriesName(series);
    if (!(series.strike > 0) || !Number.isFinite(series.expiryMs)) throw new QuoteRejectedError(`Lyra has no series ${name}`);
    const strikePrice = toLyraFixed(series.strike);
    const boardIds = await client.readContract({ address: optionMarket, abi: lyraOptionMarketAbi, functionName: 'getLiveBoards' });
    const boards = await Promise.all(boardIds.map((boardId) => client.readContract({ address: optionMarket, abi: lyraOptionMarketAbi, functionName: 'getOptionBoard', args: [boardId] })));
    for (const board of boards.filter((b) => sameExpiryDay(b.expiry, series.expiryMs))) {
      const strikes = await Promise.all(board.strikeIds.map((strikeId) => client.readContract({ address: optionMarket, abi: lyraOptionMarketAbi, functionName: 'getStrike', args: [strikeId] })));
      const strike = strikes.find((s) => s.strikePrice === strikePrice);
      if (strike === undefined) continue;
      if (board.frozen) throw new QuoteRejectedError(`Lyra's board of ${name} is frozen`);
      return { boardId: board.id, strikeId: strike.id, strikePrice, expiry: board.expiry };
    }
    throw new QuoteRejectedError(`Lyra lists no live series ${name}`);
  }

  /** openPosition as the funded quoter: Lyra's own price of the trade (Result.totalCost, totalFee). */
  async function simulateOpen(listing: Listing, optionType: LyraOptionTypeCode, amount: bigint, stateOverride: StateOverride) {
    const short = optionType !== LYRA_OPTION_TYPE.LONG_CALL && optionType !== LYRA_OPTION_TYPE.LONG_PUT;
    const params = {
      strikeId: listing.strikeId,
      positionId: 0n,
      iterations,
      optionType,
      amount,
      setCollateralTo: short ? QUOTER_SHORT_COLLATERAL : 0n,
      minTotalCost: 0n,
      maxTotalCost: maxUint256,
    };
    const request = { account: QUOTER, address: optionMarket, abi: marketAbi, functionName: 'openPosition', args: [params], stateOverride } as const;
    const { result } = await client.simulateContract(request);
    return { totalCost: result.totalCost, totalFee: result.totalFee, request };
  }

  /** The revert's custom error name, or undefined when the failure is not a revert (node, transport). */
  const revertNameOf = (error: unknown): string | undefined => {
    const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
    return reverted.data?.errorName ?? reverted.reason ?? reverted.shortMessage;
  };

  /**
   * The full size when Lyra takes it; else, when what refuses it is a size limit (the
   * traded vol past its bounds, the pool's free liquidity), the largest size it takes,
   * by bisection, floored to 0.001 contract. Any other refusal is the series' own.
   */
  async function priceFillable(listing: Listing, optionType: LyraOptionTypeCode, amount: bigint, name: string) {
    const stateOverride = await quoterFunding();
    const attempt = async (size: bigint) => {
      try {
        return { ok: true as const, size, ...(await simulateOpen(listing, optionType, size, stateOverride)) };
      } catch (error) {
        const reason = revertNameOf(error);
        if (reason === undefined) throw error;
        return { ok: false as const, reason, error };
      }
    };
    const full = await attempt(amount);
    if (full.ok) return full;
    if (!LYRA_SIZE_LIMIT_ERRORS.has(full.reason)) throw new QuoteRejectedError(`Lyra refuses ${name}: ${full.reason}`, { cause: full.error });
    let low = 0n;
    let high = amount;
    for (let i = 0; i < FILLABLE_BISECTIONS; i += 1) {
      const mid = (low + high) / 2n;
      const tried = await attempt(mid);
      if (tried.ok) low = mid;
      else if (LYRA_SIZE_LIMIT_ERRORS.has(tried.reason)) high = mid;
      else throw new QuoteRejectedError(`Lyra refuses ${name}: ${tried.reason}`, { cause: tried.error });
    }
    const floored = (low / FILLABLE_GRID) * FILLABLE_GRID;
    const capped = floored > 0n ? await attempt(floored) : undefined;
    if (capped === undefined || !capped.ok) throw new QuoteRejectedError(`Lyra refuses ${name} at any size: ${full.reason}`, { cause: full.error });
    return capped;
  }

  async function quote(order: VenueOrder): Promise<VenueQuote> {
    const { series } = order;
    if (series === undefined) throw new QuoteRejectedError(`venue ${venue.id} trades options: the order names no series`);
    if (!(order.quantity > 0 && Number.isFinite(order.quantity))) throw new RangeError(`quantity must be a positive finite number (got ${order.quantity})`);
    const amount = toLyraFixed(order.quantity);
    if (amount === 0n) throw new QuoteRejectedError(`${order.quantity} contracts is below Lyra's 18-decimal precision`);
    const name = seriesName(series);
    await checkConfigAgainstChain();
    const listing = await findListing(series);
    const quotedOptionType = order.side === 'buy' ? longType(series) : shortType(series);
    const priced = await priceFillable(listing, quotedOptionType, amount, name);
    const gasEstimate = await client
      .estimateContractGas(priced.request)
      .then((gas) => (gas * (100n + GAS_HEADROOM_PCT)) / 100n)
      .catch(() => FALLBACK_GAS_ESTIMATE);
    const details: LyraQuoteDetails = {
      side: order.side,
      series,
      ...listing,
      quotedOptionType,
      amount: priced.size,
      totalCost: priced.totalCost,
      totalFee: priced.totalFee,
      iterations,
    };
    return {
      venueId: venue.id,
      order,
      fillableQuantity: priced.size === amount ? order.quantity : human(priced.size),
      priceUsd: ratio(priced.totalCost, priced.size),
      gasEstimate,
      details: detailsToJson(details),
    };
  }

  const detailsOf = (quote: VenueQuote): LyraQuoteDetails => {
    if (quote.venueId !== venue.id) throw new Error(`quote of venue ${quote.venueId} given to venue ${venue.id}`);
    return detailsFromJson(quote.details);
  };

  /** Closing what the account holds against the order when it covers it; else opening (or adding to) the order's own side. */
  async function planTrade(details: LyraQuoteDetails, account: Address): Promise<{ plan: TradePlan; held: readonly LyraPosition[] }> {
    const held = (await readLyraAccountPositions(client, { optionMarket, optionToken }, account)).filter((p) => p.strikeId === details.strikeId);
    const long = longType(details.series);
    const reducible = held.filter((p) => (details.side === 'sell' ? typeOf(p) === long : p.size < 0n && p.optionType === details.series.optionType));
    const largest = [...reducible].sort((x, y) => (abs(y.size) > abs(x.size) ? 1 : abs(y.size) < abs(x.size) ? -1 : 0))[0];
    if (largest !== undefined && abs(largest.size) >= details.amount) return { plan: { action: 'close', optionType: typeOf(largest), position: largest }, held };
    const opened = details.side === 'buy' ? long : shortType(details.series);
    const same = held.find((p) => typeOf(p) === opened);
    return { plan: same === undefined ? { action: 'open', optionType: opened } : { action: 'open', optionType: opened, position: same }, held };
  }

  const opensShort = (plan: TradePlan): boolean => plan.action === 'open' && plan.optionType !== LYRA_OPTION_TYPE.LONG_CALL && plan.optionType !== LYRA_OPTION_TYPE.LONG_PUT;
  /** A quote-collateral short that stays open after the trade needs its minimum collateral computed. */
  const needsMinimumCollateral = (plan: TradePlan, details: LyraQuoteDetails): boolean =>
    opensShort(plan) || (plan.action === 'close' && plan.position.collateralAsset === 'quote' && abs(plan.position.size) > details.amount);

  async function checkTrade(quote: VenueQuote, account: Address): Promise<VenueCheck> {
    const details = detailsOf(quote);
    const { plan, held } = await planTrade(details, checkedAddress('account', account));
    if (opensShort(plan) && multipleBps === undefined) {
      const long = human(held.filter((p) => typeOf(p) === longType(details.series)).reduce((sum, p) => sum + p.size, 0n));
      return {
        ok: false,
        code: 'SHORT_NOT_ALLOWED',
        message: `Selling ${human(details.amount)} of ${seriesName(details.series)} would open a short, and venue ${venue.id} only buys and closes longs (no shortCollateralMultiple): the account holds ${long} long.`,
      };
    }
    if (needsMinimumCollateral(plan, details)) {
      const stale = await client.readContract({ address: optionGreekCache, abi: lyraOptionGreekCacheAbi, functionName: 'isBoardCacheStale', args: [details.boardId] });
      if (stale) {
        return {
          ok: false,
          code: 'GREEK_CACHE_STALE',
          message: `Lyra's greek cache of the board of ${seriesName(details.series)} is stale: a short's minimum collateral cannot be bounded until a keeper updates it.`,
        };
      }
    }
    return { ok: true };
  }

  /**
   * A short's minimum collateral, bounded from above: Lyra computes it at the current spot,
   * which no view of the market's configured contracts returns; the board's greek cache
   * holds the spot of its last update, and while the cache is not stale spot is within
   * acceptableSpotPricePercentMove of it. A call's minimum rises with spot, a put's falls,
   * so the minimum at the far end of that band is at least the current one.
   */
  async function minimumCollateralBound(details: LyraQuoteDetails, optionType: LyraOptionTypeCode, amount: bigint): Promise<bigint> {
    if (amount === 0n) return 0n;
    const [boardCache, params] = await Promise.all([
      client.readContract({ address: optionGreekCache, abi: lyraOptionGreekCacheAbi, functionName: 'getOptionBoardCache', args: [details.boardId] }),
      client.readContract({ address: optionGreekCache, abi: lyraOptionGreekCacheAbi, functionName: 'getGreekCacheParams' }),
    ]);
    const move = params.acceptableSpotPricePercentMove;
    const spot = optionType === LYRA_OPTION_TYPE.SHORT_PUT_QUOTE ? (boardCache.updatedAtPrice * (UNIT - move)) / UNIT : ceilDiv(boardCache.updatedAtPrice * (UNIT + move), UNIT);
    return client.readContract({
      address: optionGreekCache,
      abi: lyraOptionGreekCacheAbi,
      functionName: 'getMinCollateral',
      args: [optionType, details.strikePrice, details.expiry, spot, amount],
    });
  }

  /** The collateral to leave in the position and how much quote asset the market may pull from the account. */
  async function collateralOf(plan: TradePlan, details: LyraQuoteDetails, limits: { min: bigint; max: bigint }): Promise<{ setCollateralTo: bigint; quoteNeeded: bigint }> {
    const multiple = multipleBps ?? BPS;
    const withMultiple = (minimum: bigint): bigint => ceilDiv(minimum * multiple, BPS);
    if (plan.action === 'open') {
      if (plan.optionType === LYRA_OPTION_TYPE.LONG_CALL || plan.optionType === LYRA_OPTION_TYPE.LONG_PUT) return { setCollateralTo: 0n, quoteNeeded: limits.max };
      // A short: the premium is credited to the position's collateral; the account adds the rest.
      const held = plan.position === undefined ? { amount: 0n, collateral: 0n } : { amount: abs(plan.position.size), collateral: plan.position.collateral };
      const target = withMultiple(await minimumCollateralBound(details, plan.optionType, held.amount + details.amount));
      const setCollateralTo = target > held.collateral ? target : held.collateral;
      return { setCollateralTo, quoteNeeded: positive(setCollateralTo - held.collateral - limits.min) };
    }
    const { position } = plan;
    const remaining = abs(position.size) - details.amount;
    if (position.collateralAsset === 'none') return { setCollateralTo: 0n, quoteNeeded: 0n }; // the pool pays a long's premium
    if (position.collateralAsset === 'base') return { setCollateralTo: remaining === 0n ? 0n : position.collateral, quoteNeeded: limits.max }; // the account pays in quote, the base stays
    // A quote-collateral short pays its buy-back out of its collateral; what is left over returns to the account.
    if (remaining === 0n) return { setCollateralTo: 0n, quoteNeeded: 0n };
    const afterWorstCost = position.collateral - limits.max;
    const target = withMultiple(await minimumCollateralBound(details, plan.optionType, remaining));
    const setCollateralTo = target > afterWorstCost ? target : afterWorstCost;
    return { setCollateralTo, quoteNeeded: positive(setCollateralTo - afterWorstCost) };
  }

  /**
   * The trade and, when the allowance is short, an exact approval of the quote asset to
   * the market first (a buy's maximum cost; a short's collateral top-up): never unlimited,
   * so the market can take no more than the trade in flight. `approve` sets the allowance.
   */
  async function buildTrade(quote: VenueQuote, context: TradeContext): Promise<VenueTrade> {
    const details = detailsOf(quote);
    const account = checkedAddress('account', context.account);
    const { plan } = await planTrade(details, account);
    if (opensShort(plan) && multipleBps === undefined) throw new Error(`SHORT_NOT_ALLOWED: venue ${venue.id} does not open shorts (no shortCollateralMultiple)`);
    const buys = details.side === 'buy';
    const limits = buys ? { min: 0n, max: maximumTotalCost(details.totalCost, context.slippageBps) } : { min: minimumTotalCost(details.totalCost, context.slippageBps), max: maxUint256 };
    const { setCollateralTo, quoteNeeded } = await collateralOf(plan, details, limits);
    const data = encodeFunctionData({
      abi: lyraOptionMarketAbi,
      functionName: plan.action === 'open' ? 'openPosition' : 'closePosition',
      args: [
        {
          strikeId: details.strikeId,
          positionId: plan.position?.positionId ?? 0n,
          iterations: details.iterations,
          optionType: plan.optionType,
          amount: details.amount,
          setCollateralTo,
          minTotalCost: limits.min,
          maxTotalCost: limits.max,
        },
      ],
    });
    const prerequisites: ContractCall[] = [];
    if (quoteNeeded > 0n) {
      const allowance = await client.readContract({ address: quoteAsset, abi: erc20Abi, functionName: 'allowance', args: [account, optionMarket] });
      if (allowance < quoteNeeded) prerequisites.push({ to: quoteAsset, data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [optionMarket, quoteNeeded] }), value: 0n });
    }
    return { prerequisites, trade: { to: optionMarket, data, value: 0n } };
  }

  /**
   * OptionMarket's Trade logs of `account` (opens and closes; a liquidation is not a
   * trade of ours), added up. Contracts signed from the account's side: opening a long or
   * closing a short buys. Cash: a buy pays its total cost, a sell receives it (a short's
   * premium is credited to its collateral). Price: the premium before fees, per contract.
   */
  function decodeFill(logs: readonly ChainLog[], account: Address): VenueFill | undefined {
    const trader = checkedAddress('account', account);
    let contracts = 0n;
    let cash = 0n;
    let premium = 0n;
    let fees = 0n;
    let traded = 0n;
    let found = false;
    for (const log of logs) {
      if (!isAddressEqual(log.address, optionMarket) || log.topics[0]?.toLowerCase() !== TRADE_TOPIC) continue;
      const { args } = decodeEventLog({ abi: lyraOptionMarketAbi, eventName: 'Trade', topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true });
      if (!isAddressEqual(args.trader, trader) || args.trade.tradeDirection === LYRA_TRADE_DIRECTION.LIQUIDATE) continue;
      found = true;
      const long = args.trade.optionType === LYRA_OPTION_TYPE.LONG_CALL || args.trade.optionType === LYRA_OPTION_TYPE.LONG_PUT;
      const buys = long === (args.trade.tradeDirection === LYRA_TRADE_DIRECTION.OPEN);
      contracts += buys ? args.trade.amount : -args.trade.amount;
      cash += buys ? -args.trade.totalCost : args.trade.totalCost;
      traded += args.trade.amount;
      for (const result of args.tradeResults) {
        premium += result.premium;
        fees += result.totalFee;
      }
    }
    if (!found) return undefined;
    return { quantity: human(contracts), priceUsd: traded === 0n ? 0 : ratio(premium, traded), cashUsd: human(cash), feesUsd: human(fees) };
  }

  /** The signed contracts the account holds of the series: its open positions on that strike (+ long, − short). */
  async function readPosition(account: Address, series?: OptionSeries): Promise<VenuePosition> {
    if (series === undefined) throw new Error(`venue ${venue.id} holds option positions: readPosition needs the series`);
    const strike = toLyraFixed(series.strike);
    const positions = await readLyraAccountPositions(client, { optionMarket, optionToken }, checkedAddress('account', account));
    const held = positions
      .filter((p) => p.optionType === series.optionType && p.strike === strike && sameExpiryDay(p.expiry, series.expiryMs))
      .reduce((sum, p) => sum + p.size, 0n);
    return { quantity: human(held) };
  }

  return {
    id: venue.id,
    kind: 'lyra-v1',
    instrument: 'option',
    contracts: [optionMarket, quoteAsset],
    quote,
    checkTrade,
    buildTrade,
    decodeFill,
    readPosition,
  };
}

function typeOf(position: LyraPosition): LyraOptionTypeCode {
  return LYRA_OPTION_TYPE[position.lyraOptionType];
}

const abs = (value: bigint): bigint => (value < 0n ? -value : value);
const positive = (value: bigint): bigint => (value > 0n ? value : 0n);

/** numerator / denominator (both 18-decimal raw) as the double nearest the exact quotient, to 18 decimals. */
function ratio(numerator: bigint, denominator: bigint): number {
  if (denominator === 0n) throw new RangeError('ratio with a zero denominator');
  return human((numerator * UNIT) / denominator);
}

function detailsToJson(d: LyraQuoteDetails): Record<string, string | number | boolean> {
  return {
    side: d.side,
    optionType: d.series.optionType,
    strike: d.series.strike,
    expiryMs: d.series.expiryMs,
    boardId: d.boardId.toString(),
    strikeId: d.strikeId.toString(),
    strikePrice: d.strikePrice.toString(),
    expiry: d.expiry.toString(),
    quotedOptionType: d.quotedOptionType,
    amount: d.amount.toString(),
    totalCost: d.totalCost.toString(),
    totalFee: d.totalFee.toString(),
    iterations: d.iterations.toString(),
  };
}

function detailsFromJson(json: Readonly<Record<string, string | number | boolean>>): LyraQuoteDetails {
  const text = (field: string): string => {
    const value = json[field];
    if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new Error(`Lyra quote details: ${field} is not a raw amount`);
    return value;
  };
  const num = (field: string): number => {
    const value = json[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`Lyra quote details: ${field} is not a number`);
    return value;
  };
  const side = json.side;
  const optionType = json.optionType;
  const quotedOptionType = num('quotedOptionType');
  if ((side !== 'buy' && side !== 'sell') || (optionType !== 'call' && optionType !== 'put') || !Object.values(LYRA_OPTION_TYPE).includes(quotedOptionType as LyraOptionTypeCode)) {
    throw new Error('Lyra quote details: not a quote of this venue (side, option type)');
  }
  return {
    side,
    series: { optionType, strike: num('strike'), expiryMs: num('expiryMs') },
    boardId: BigInt(text('boardId')),
    strikeId: BigInt(text('strikeId')),
    strikePrice: BigInt(text('strikePrice')),
    expiry: BigInt(text('expiry')),
    quotedOptionType: quotedOptionType as LyraOptionTypeCode,
    amount: BigInt(text('amount')),
    totalCost: BigInt(text('totalCost')),
    totalFee: BigInt(text('totalFee')),
    iterations: BigInt(text('iterations')),
  };
}

/**
 * Finds where the quote asset keeps balances and allowances: for each candidate mapping
 * slot, an eth_call of balanceOf (allowance) with a marker written where that slot would
 * keep the quoter's entry; the slot whose read returns the marker is the one. Solidity
 * (keccak(key . slot)) and Vyper (keccak(slot . key)) layouts, slots 0-11. A token that
 * keeps balances elsewhere (e.g. Synthetix's proxy with a separate TokenState) cannot be
 * quoted this way: that is a QuoteRejectedError.
 */
async function findQuoterFunding(client: PublicClient, token: Address, spender: Address): Promise<StateOverride> {
  const marker = numberToHex(PROBE_MARKER, { size: 32 });
  const at = (a: { type: string; value: Hex | bigint }, b: { type: string; value: Hex | bigint }): Hex =>
    keccak256(encodeAbiParameters([{ type: a.type }, { type: b.type }], [a.value, b.value]));
  const candidates = Array.from({ length: PROBED_SLOTS }, (_, i) => BigInt(i));
  const address = (value: Address) => ({ type: 'address', value });
  const uint = (value: bigint) => ({ type: 'uint256', value });
  const bytes32 = (value: Hex) => ({ type: 'bytes32', value });

  const probe = async (slots: readonly Hex[], read: (stateOverride: StateOverride) => Promise<bigint>): Promise<Hex | undefined> => {
    const hits = await Promise.all(slots.map(async (slot) => (await read([{ address: token, stateDiff: [{ slot, value: marker }] }])) === PROBE_MARKER));
    return slots[hits.indexOf(true)];
  };
  const balanceSlots = candidates.flatMap((i) => [at(address(QUOTER), uint(i)), at(uint(i), address(QUOTER))]);
  const allowanceSlots = candidates.flatMap((i) => [at(address(spender), bytes32(at(address(QUOTER), uint(i)))), at(bytes32(at(uint(i), address(QUOTER))), address(spender))]);
  const [balanceSlot, allowanceSlot] = await Promise.all([
    probe(balanceSlots, (stateOverride) => client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [QUOTER], stateOverride })),
    probe(allowanceSlots, (stateOverride) => client.readContract({ address: token, abi: erc20Abi, functionName: 'allowance', args: [QUOTER, spender], stateOverride })),
  ]);
  if (balanceSlot === undefined || allowanceSlot === undefined) {
    throw new QuoteRejectedError(`the quote asset ${token} keeps its balances or allowances where the venue cannot fund a quote (no plain mapping in slots 0-${PROBED_SLOTS - 1})`);
  }
  return [
    {
      address: token,
      stateDiff: [
        { slot: balanceSlot, value: numberToHex(QUOTER_FUNDS, { size: 32 }) },
        { slot: allowanceSlot, value: numberToHex(maxUint256, { size: 32 }) },
      ],
    },
  ];
}
