/**
 * The Venue port (shared/app/venue-port.ts) on one Perpetual Protocol v2 ("curie") market,
 * over viem. The hedge trades the perp's base (vETH) against its quote (vUSD, = USD):
 *   buy  = a long of an exact base amount (quote to base, exact output): the bound is the most quote paid;
 *   sell = a short of an exact base amount (base to quote, exact input): the bound is the least quote received.
 *
 * Quote: Perp replaces the pool's Uniswap fee by its own fee ratio, so the pool alone does
 * not price a trade. The quote simulates (eth_call) the very call ClearingHouse.openPosition
 * makes, Exchange.swap, from the ClearingHouse's address (the only caller Exchange accepts;
 * eth_call needs no signature): Perp's own fee arithmetic, tick limit and price band, with no
 * account and no collateral needed. Its result (position delta, notional, fee) is what
 * PositionChanged reports for the same block.
 *
 * Fillable: the whole order unless the simulation hits a market cap: the per-15-second tick
 * limit (EX_OPLAS) or the price band around the index (EX_OPB); then the largest size that
 * passes, found by bisection of simulations (within 1/4096 of the order, below). Perp keeps
 * the tick the limit is counted from private; the simulation uses the stored one, which the
 * trade itself refreshes first when 15 s have passed: a fill judged here can still revert
 * after a large move in the window (the dispatcher's simulation then refuses it).
 *
 * Margin (checkTrade, buildTrade): the account's margin ratio after the trade is
 *   (account value + Δ·mark + quote cash [+ deposit]) / (total |position value| with this market's size + Δ),
 * valued at the mark, as Perp values positions in the block of the trade. Collateral is
 * deposited before the trade when Perp would refuse it (its free collateral after the trade,
 * min(collateral, account value) − ratio·debt, at the initial-margin ratio, or maintenance for
 * a reduction) and, with `topUpToMarginRatio`, up to that ratio; always within the account's
 * wallet balance. buildTrade sizes the deposit for the worst fill its slippage bound accepts;
 * checkTrade judges the quoted fill with the deposit buildTrade would make, and refuses
 * (MARGIN_FLOOR) a trade that leaves the ratio under `minMarginRatio` unless the trade raises
 * the ratio (a reduction is never refused), and (MARGIN_INSUFFICIENT) one Perp would refuse
 * even after all the wallet can deposit.
 */
import { BaseError, ContractFunctionRevertedError, decodeEventLog, encodeFunctionData, erc20Abi, formatUnits, getAbiItem, getAddress, isAddress, isAddressEqual, toEventSelector, zeroAddress, zeroHash } from 'viem';
import type { PublicClient } from 'viem';
import { QuoteRejectedError } from '../../app/execution-ports.ts';
import type { Address, ChainLog, ContractCall, Hex } from '../../app/execution-ports.ts';
import type { MarginAccount, MarginTopUp, TradeContext, Venue, VenueCheck, VenueFill, VenueOrder, VenuePosition, VenueQuote, VenueTrade } from '../../app/venue-port.ts';
import type { PerpV2VenueConfig } from '../../contracts/execution-config.ts';
import {
  PERP_V2_REVERT,
  perpV2AccountBalanceAbi,
  perpV2BaseTokenAbi,
  perpV2ClearingHouseAbi,
  perpV2ClearingHouseConfigAbi,
  perpV2ExchangeAbi,
  perpV2MarketRegistryAbi,
  perpV2VaultAbi,
} from '../chain/perp-v2-abi.ts';
import { toRawUnits } from './raw-units.ts';
import { leastReceived, mostPaid } from './slippage-limits.ts';

/** Perp keeps base, quote and USD amounts in 18 decimals. */
const PERP_DECIMALS = 18;
const E18 = 10n ** 18n;
/** Perp's ratios are millionths. */
const RATIO_ONE = 1_000_000n;
/** Bisection steps when a cap cuts the order: the fillable size is found within 1/2^12 of the order. */
const FILLABLE_SEARCH_STEPS = 12;
/**
 * openPosition around its Exchange.swap (funding settlement, index TWAP cache, margin
 * check, accounting, event): measured 0.33-0.50 M gas on the local chain; the estimate
 * adds this to the swap's own eth_estimateGas.
 */
const CLEARING_HOUSE_GAS = 500_000n;
/**
 * A deposit Perp requires covers its ratio plus this much of the debt (millionths: 0.5 %),
 * so that the mark moving a tick between the quote and the block does not fail the trade.
 */
const REQUIRED_MARGIN_CUSHION = 5_000n;
const POSITION_CHANGED_TOPIC: Hex = toEventSelector(getAbiItem({ abi: perpV2ClearingHouseAbi, name: 'PositionChanged' }));
const FUNDING_SETTLED_TOPIC: Hex = toEventSelector(getAbiItem({ abi: perpV2ClearingHouseAbi, name: 'FundingPaymentSettled' }));

// ---------------------------------------------------------------- margin arithmetic (pure)

/** One market's balances of an account (Perp's getBase/getQuote) and its mark price, 18 decimals. */
export interface PerpMarketBalances {
  readonly base: bigint;
  readonly quote: bigint;
  readonly markPrice: bigint;
}

/** What the margin after a trade is computed from: the account on Perp now, 18 decimals (ratios in millionths). */
export interface PerpMarginState {
  readonly accountValue: bigint;
  readonly unrealizedPnl: bigint;
  readonly totalAbsPositionValue: bigint;
  /** This market: taker + maker size (what is valued), the taker's size and open notional (what P&L is realised from). */
  readonly positionSize: bigint;
  readonly takerPositionSize: bigint;
  readonly takerOpenNotional: bigint;
  readonly market: PerpMarketBalances;
  /** The account's other markets (cross margin). */
  readonly otherMarkets: readonly PerpMarketBalances[];
  readonly imRatio: bigint;
  readonly mmRatio: bigint;
}

/** A trade as Perp books it: base delta (+ long) and quote cash (− paid, + received, fee included), 18 decimals. */
export interface PerpTradeDelta {
  readonly positionDelta: bigint;
  readonly quoteDelta: bigint;
}

export interface PerpMarginAfter {
  readonly accountValue: bigint;
  readonly totalAbsPositionValue: bigint;
  /** min(collateral, account value) − ratio·debt after the trade, at the ratio Perp checks this trade at plus the cushion (18 decimals; < 0: deposit first). */
  readonly freeCollateral: bigint;
  readonly marginRatioBefore: number;
  readonly marginRatioAfter: number;
}

/** a·b/d rounded toward zero, as Perp's signed mulDiv. */
function mulDiv(a: bigint, b: bigint, d: bigint): bigint {
  return (a * b) / d;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const ratioOf = (value: bigint, positionValue: bigint): number => (positionValue === 0n ? Infinity : Number(value) / Number(positionValue));

/** The P&L a trade realises on the taker position (Exchange._getPnlToBeRealized): zero unless it reduces, closes or flips. */
export function realizedPnlOf(takerPositionSize: bigint, takerOpenNotional: bigint, trade: PerpTradeDelta): bigint {
  const reducing = takerPositionSize !== 0n && takerPositionSize < 0n !== trade.positionDelta < 0n;
  if (!reducing || trade.positionDelta === 0n) return 0n;
  const closedRatio = (abs(trade.positionDelta) * E18) / abs(takerPositionSize);
  if (closedRatio <= E18) return trade.quoteDelta + mulDiv(takerOpenNotional, closedRatio, E18);
  return takerOpenNotional + mulDiv(trade.quoteDelta, E18, closedRatio);
}

/**
 * The account after `trade`, before any deposit: its value moves by the base bought at the
 * mark and the cash paid for it; its position value by this market's new size; its debt
 * (what Perp's free collateral charges the ratio on) by the new base and quote balances.
 */
export function marginAfterTrade(state: PerpMarginState, trade: PerpTradeDelta): PerpMarginAfter {
  const { market } = state;
  const { markPrice } = market;
  const realized = realizedPnlOf(state.takerPositionSize, state.takerOpenNotional, trade);
  const accountValue = state.accountValue + mulDiv(trade.positionDelta, markPrice, E18) + trade.quoteDelta;
  const collateralValue = state.accountValue - state.unrealizedPnl + realized;
  const totalAbsPositionValue =
    state.totalAbsPositionValue - abs(mulDiv(state.positionSize, markPrice, E18)) + abs(mulDiv(state.positionSize + trade.positionDelta, markPrice, E18));

  const baseAfter = market.base + trade.positionDelta;
  const quoteAfter = market.quote + trade.quoteDelta - realized;
  const totalQuote = state.otherMarkets.reduce((sum, m) => sum + m.quote, quoteAfter);
  const baseDebt = (m: { base: bigint; markPrice: bigint }): bigint => (m.base < 0n ? abs(mulDiv(m.base, m.markPrice, E18)) : 0n);
  const debt = (totalQuote < 0n ? -totalQuote : 0n) + state.otherMarkets.reduce((sum, m) => sum + baseDebt(m), baseDebt({ base: baseAfter, markPrice }));

  // Perp checks a reduction (not a flip) at the maintenance ratio, anything else at the initial one.
  const sizeAfter = state.takerPositionSize + trade.positionDelta;
  const reduces = state.takerPositionSize !== 0n && state.takerPositionSize < 0n !== trade.positionDelta < 0n;
  const flips = sizeAfter !== 0n && sizeAfter < 0n !== state.takerPositionSize < 0n;
  const ratio = reduces && !flips ? state.mmRatio : state.imRatio;
  const freeCollateral = min(collateralValue, accountValue) - (debt * (ratio + REQUIRED_MARGIN_CUSHION)) / RATIO_ONE;

  return {
    accountValue,
    totalAbsPositionValue,
    freeCollateral,
    marginRatioBefore: ratioOf(state.accountValue, state.totalAbsPositionValue),
    marginRatioAfter: ratioOf(accountValue, totalAbsPositionValue),
  };
}

/**
 * What to deposit before the trade (18 decimals): what Perp requires, and with a top-up
 * target what brings the margin ratio after the trade to it; at most what the wallet holds.
 */
export function depositFor(after: PerpMarginAfter, options: { readonly topUpToMarginRatio?: number | undefined; readonly walletBalance: bigint }): bigint {
  const required = max(0n, -after.freeCollateral);
  const target = options.topUpToMarginRatio === undefined ? 0n : BigInt(Math.round(options.topUpToMarginRatio * 1e6));
  const topUp = max(0n, (after.totalAbsPositionValue * target) / RATIO_ONE - after.accountValue);
  return min(max(required, topUp), max(0n, options.walletBalance));
}

// ---------------------------------------------------------------- the adapter

/**
 * The address, checksummed. viem's getAddress accepts any case, so a mixed-case address
 * is checked against its EIP-55 checksum first: that is what catches a mistyped digit.
 */
function checkedAddress(field: string, value: string): Address {
  if (!isAddress(value, { strict: true })) throw new Error(`${field} is not a valid address (or its checksum is wrong): ${value}`);
  return getAddress(value);
}


const toHuman = (raw: bigint, decimals = PERP_DECIMALS): number => Number(formatUnits(raw, decimals));
/** |quote / base| as USD per unit, both 18 decimals. */
const unitPrice = (quote: bigint, base: bigint): number => (base === 0n ? 0 : toHuman((abs(quote) * E18) / abs(base)));
const usd = (value: number): string => value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (ratio: number): string => (ratio === Infinity ? '∞' : `${(ratio * 100).toFixed(2)} %`);

/** The simulated Exchange.swap's answer, or the cap that refused it. */
type SwapOutcome =
  | { readonly kind: 'filled'; readonly positionDelta: bigint; readonly quoteDelta: bigint; readonly fee: bigint }
  | { readonly kind: 'capped'; readonly reason: string };

/** The raw trade a quote carries (bigints as decimal strings in `details`: journaled as JSON). */
interface PerpTradeDetails extends PerpTradeDelta {
  readonly side: VenueOrder['side'];
  /** openPosition's exact base amount. */
  readonly amount: bigint;
  readonly fee: bigint;
}

/**
 * @example
 * const venue = createPerpV2Venue({ client: publicClient, venue: venueConfig });
 * const quote = await venue.quote({ side: 'buy', quantity: 1.5 });
 * const check = await venue.checkTrade(quote, account);
 * const { prerequisites, trade } = await venue.buildTrade(quote, { account, slippageBps: 50, deadlineSec });
 */
export function createPerpV2Venue(options: { readonly client: PublicClient; readonly venue: PerpV2VenueConfig }): Venue {
  const { client, venue } = options;
  const clearingHouse = checkedAddress('clearingHouse', venue.clearingHouse);
  const vault = checkedAddress('vault', venue.vault);
  const accountBalance = checkedAddress('accountBalance', venue.accountBalance);
  const exchange = checkedAddress('exchange', venue.exchange);
  const baseToken = checkedAddress('baseToken', venue.baseToken);
  const collateralToken = checkedAddress('collateralToken', venue.collateralToken);
  const { collateralDecimals } = venue;
  const collateralScale = 10n ** BigInt(PERP_DECIMALS - collateralDecimals);

  /**
   * The config against the chain, once (again after a failed check, which may have been
   * the RPC): the ClearingHouse's own Vault, AccountBalance and Exchange, the Vault's
   * settlement token as the collateral with its decimals, a market for the base token.
   * Answers the ClearingHouseConfig the margin ratios are read from.
   */
  let wiring: Promise<{ readonly clearingHouseConfig: Address }> | undefined;
  const checkConfigAgainstChain = (): Promise<{ readonly clearingHouseConfig: Address }> => {
    wiring ??= (async () => {
      const [chVault, chAccountBalance, chExchange, clearingHouseConfig, settlementToken, tokenDecimals, marketRegistry] = await Promise.all([
        client.readContract({ address: clearingHouse, abi: perpV2ClearingHouseAbi, functionName: 'getVault' }),
        client.readContract({ address: clearingHouse, abi: perpV2ClearingHouseAbi, functionName: 'getAccountBalance' }),
        client.readContract({ address: clearingHouse, abi: perpV2ClearingHouseAbi, functionName: 'getExchange' }),
        client.readContract({ address: clearingHouse, abi: perpV2ClearingHouseAbi, functionName: 'getClearingHouseConfig' }),
        client.readContract({ address: vault, abi: perpV2VaultAbi, functionName: 'getSettlementToken' }),
        client.readContract({ address: collateralToken, abi: erc20Abi, functionName: 'decimals' }),
        client.readContract({ address: exchange, abi: perpV2ExchangeAbi, functionName: 'getMarketRegistry' }),
      ]);
      const listed = await client.readContract({ address: marketRegistry, abi: perpV2MarketRegistryAbi, functionName: 'hasPool', args: [baseToken] });
      const problems = [
        ...(isAddressEqual(chVault, vault) ? [] : [`the ClearingHouse's vault is ${chVault}, config says ${vault}`]),
        ...(isAddressEqual(chAccountBalance, accountBalance) ? [] : [`the ClearingHouse's accountBalance is ${chAccountBalance}, config says ${accountBalance}`]),
        ...(isAddressEqual(chExchange, exchange) ? [] : [`the ClearingHouse's exchange is ${chExchange}, config says ${exchange}`]),
        ...(isAddressEqual(settlementToken, collateralToken) ? [] : [`the vault settles in ${settlementToken}, config says collateral ${collateralToken}`]),
        ...(tokenDecimals === collateralDecimals ? [] : [`the collateral token has ${tokenDecimals} decimals, config says ${collateralDecimals}`]),
        ...(listed ? [] : [`no market for base token ${baseToken}`]),
      ];
      if (problems.length > 0) throw new QuoteRejectedError(`Perp v2 venue config does not match the chain: ${problems.join('; ')}`);
      return { clearingHouseConfig };
    })().catch((error: unknown) => {
      wiring = undefined;
      throw error;
    });
    return wiring;
  };

  async function requireMarketOpen(): Promise<void> {
    const [paused, open, maxTicks] = await Promise.all([
      client.readContract({ address: clearingHouse, abi: perpV2ClearingHouseAbi, functionName: 'paused' }),
      client.readContract({ address: baseToken, abi: perpV2BaseTokenAbi, functionName: 'isOpen' }),
      client.readContract({ address: exchange, abi: perpV2ExchangeAbi, functionName: 'getMaxTickCrossedWithinBlock', args: [baseToken] }),
    ]);
    if (paused) throw new QuoteRejectedError('the Perp ClearingHouse is paused');
    if (!open) throw new QuoteRejectedError(`the Perp market ${baseToken} is not open (paused or closed)`);
    if (maxTicks === 0) throw new QuoteRejectedError(`the Perp market ${baseToken} is paused (no ticks may be crossed)`);
  }

  const swapParams = (side: VenueOrder['side'], amount: bigint) =>
    ({ trader: zeroAddress, baseToken, isBaseToQuote: side === 'sell', isExactInput: side === 'sell', isClose: false, amount, sqrtPriceLimitX96: 0n }) as const;

  /** Exchange.swap as openPosition would call it, as an eth_call from the ClearingHouse. A cap is an answer; any other revert refuses the order. */
  async function simulateSwap(side: VenueOrder['side'], amount: bigint): Promise<SwapOutcome> {
    try {
      const { result } = await client.simulateContract({ account: clearingHouse, address: exchange, abi: perpV2ExchangeAbi, functionName: 'swap', args: [swapParams(side, amount)] });
      return { kind: 'filled', positionDelta: result.exchangedPositionSize, quoteDelta: result.exchangedPositionNotional - result.fee, fee: result.fee };
    } catch (error) {
      const revert = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
      if (!(revert instanceof ContractFunctionRevertedError)) throw error;
      const reason = revert.reason ?? revert.shortMessage;
      if (reason === PERP_V2_REVERT.overPriceLimit || reason === PERP_V2_REVERT.overPriceBand) return { kind: 'capped', reason };
      throw new QuoteRejectedError(`the Perp market refused the trade: ${reason}`, { cause: error });
    }
  }

  /** The largest size under `amount` that passes the caps (bisection), with its swap; 0 when none does. */
  async function largestFillable(side: VenueOrder['side'], amount: bigint): Promise<{ amount: bigint; outcome?: SwapOutcome & { kind: 'filled' } }> {
    let fits = 0n;
    let fitting: (SwapOutcome & { kind: 'filled' }) | undefined;
    let tooBig = amount;
    for (let step = 0; step < FILLABLE_SEARCH_STEPS && tooBig - fits > 1n; step += 1) {
      const size = (fits + tooBig) / 2n;
      const outcome = await simulateSwap(side, size);
      if (outcome.kind === 'filled') [fits, fitting] = [size, outcome];
      else tooBig = size;
    }
    return fitting === undefined ? { amount: 0n } : { amount: fits, outcome: fitting };
  }

  async function markPrice(): Promise<bigint> {
    return client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getMarkPrice', args: [baseToken] });
  }

  async function quote(order: VenueOrder): Promise<VenueQuote> {
    if (order.series !== undefined) throw new QuoteRejectedError(`venue ${venue.id} trades a perpetual, not options`);
    const requested = toRawUnits(order.quantity, PERP_DECIMALS);
    await checkConfigAgainstChain();
    await requireMarketOpen();
    const whole = await simulateSwap(order.side, requested);
    const { amount, outcome } = whole.kind === 'filled' ? { amount: requested, outcome: whole } : await largestFillable(order.side, requested);
    const [mark, swapGas] = await Promise.all([
      markPrice(),
      amount === 0n ? Promise.resolve(0n) : client.estimateContractGas({ account: clearingHouse, address: exchange, abi: perpV2ExchangeAbi, functionName: 'swap', args: [swapParams(order.side, amount)] }),
    ]);
    const trade = outcome ?? { positionDelta: 0n, quoteDelta: 0n, fee: 0n };
    return {
      venueId: venue.id,
      order,
      fillableQuantity: toHuman(amount),
      // Nothing fillable has no price of its own: the mark stands in (the dispatcher sends nothing).
      priceUsd: amount === 0n ? toHuman(mark) : unitPrice(trade.quoteDelta, trade.positionDelta),
      referencePriceUsd: toHuman(mark),
      gasEstimate: amount === 0n ? 0n : swapGas + CLEARING_HOUSE_GAS,
      details: {
        side: order.side,
        baseToken,
        amount: amount.toString(),
        positionDelta: trade.positionDelta.toString(),
        quoteDelta: trade.quoteDelta.toString(),
        fee: trade.fee.toString(),
        ...(whole.kind === 'capped' ? { cappedBy: whole.reason } : {}),
      },
    };
  }

  /** The raw trade a quote carries; a quote this venue did not make (other venue, other market) is refused. */
  function tradeOf(quote: VenueQuote): PerpTradeDetails {
    const d = quote.details;
    const side = d.side;
    if (quote.venueId !== venue.id || (side !== 'buy' && side !== 'sell') || typeof d.baseToken !== 'string' || !isAddressEqual(d.baseToken as Address, baseToken)) {
      throw new Error(`the quote of venue ${quote.venueId} is not a quote of this venue (${venue.id}, market ${baseToken})`);
    }
    const trade: PerpTradeDetails = {
      side,
      amount: BigInt(String(d.amount)),
      positionDelta: BigInt(String(d.positionDelta)),
      quoteDelta: BigInt(String(d.quoteDelta)),
      fee: BigInt(String(d.fee)),
    };
    if ((trade.side === 'buy') !== trade.positionDelta > 0n && trade.amount > 0n) throw new Error(`the quote's position delta ${trade.positionDelta} is not a ${trade.side}`);
    return trade;
  }

  /** The worst cash the trade's own limit accepts: the most paid for a long, the least received for a short. */
  function oppositeAmountBound(trade: PerpTradeDetails, slippageBps: number): bigint {
    const quoted = abs(trade.quoteDelta);
    return trade.side === 'buy' ? mostPaid(quoted, slippageBps) : leastReceived(quoted, slippageBps);
  }

  async function marginState(account: Address, clearingHouseConfig: Address): Promise<PerpMarginState> {
    const balances = async (market: Address): Promise<PerpMarketBalances> => {
      const [base, quote, price] = await Promise.all([
        client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getBase', args: [account, market] }),
        client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getQuote', args: [account, market] }),
        client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getMarkPrice', args: [market] }),
      ]);
      return { base, quote, markPrice: price };
    };
    const [accountValue, [, unrealizedPnl], totalAbsPositionValue, positionSize, takerPositionSize, info, markets, imRatio, mmRatio] = await Promise.all([
      client.readContract({ address: clearingHouse, abi: perpV2ClearingHouseAbi, functionName: 'getAccountValue', args: [account] }),
      client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getPnlAndPendingFee', args: [account] }),
      client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getTotalAbsPositionValue', args: [account] }),
      client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getTotalPositionSize', args: [account, baseToken] }),
      client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getTakerPositionSize', args: [account, baseToken] }),
      client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getAccountInfo', args: [account, baseToken] }),
      client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getBaseTokens', args: [account] }),
      client.readContract({ address: clearingHouseConfig, abi: perpV2ClearingHouseConfigAbi, functionName: 'getImRatio' }),
      client.readContract({ address: clearingHouseConfig, abi: perpV2ClearingHouseConfigAbi, functionName: 'getMmRatio' }),
    ]);
    const [market, ...otherMarkets] = await Promise.all([baseToken, ...markets.filter((m) => !isAddressEqual(m, baseToken))].map(balances));
    return {
      accountValue,
      unrealizedPnl,
      totalAbsPositionValue,
      positionSize,
      takerPositionSize,
      takerOpenNotional: info.takerOpenNotional,
      market: market!,
      otherMarkets,
      imRatio: BigInt(imRatio),
      mmRatio: BigInt(mmRatio),
    };
  }

  /** The margin after the trade and the deposit before it (collateral units, rounded up). */
  async function planMargin(trade: PerpTradeDelta, account: Address): Promise<{ after: PerpMarginAfter; deposit: bigint; walletBalance: bigint }> {
    const { clearingHouseConfig } = await checkConfigAgainstChain();
    const [state, walletBalance] = await Promise.all([
      marginState(account, clearingHouseConfig),
      client.readContract({ address: collateralToken, abi: erc20Abi, functionName: 'balanceOf', args: [account] }),
    ]);
    const after = marginAfterTrade(state, trade);
    const deposit18 = depositFor(after, { topUpToMarginRatio: venue.topUpToMarginRatio, walletBalance: walletBalance * collateralScale });
    const deposit = min((deposit18 + collateralScale - 1n) / collateralScale, walletBalance);
    return { after, deposit, walletBalance };
  }

  async function checkTrade(quote: VenueQuote, account: Address): Promise<VenueCheck> {
    const trade = tradeOf(quote);
    if (trade.amount === 0n) return { ok: true };
    const { after, deposit } = await planMargin(trade, checkedAddress('account', account));
    const deposited = deposit * collateralScale;
    const ratio = ratioOf(after.accountValue + deposited, after.totalAbsPositionValue);
    const depositText = deposit > 0n ? `, after a deposit of ${usd(toHuman(deposit, collateralDecimals))} from the wallet` : '';
    // A trade that leaves the margin better than it found it (a reduction) is never refused: refusing it would keep more risk on less margin.
    if (ratio < venue.minMarginRatio && ratio < after.marginRatioBefore) {
      return {
        ok: false,
        code: 'MARGIN_FLOOR',
        message:
          `The margin ratio after this trade would be ${pct(ratio)} (account value ${usd(toHuman(after.accountValue + deposited))} USD over positions of ` +
          `${usd(toHuman(after.totalAbsPositionValue))} USD${depositText}), under the floor of ${pct(venue.minMarginRatio)}: nothing is sent.`,
      };
    }
    if (after.freeCollateral + deposited < 0n) {
      return {
        ok: false,
        code: 'MARGIN_INSUFFICIENT',
        message:
          `Perp's margin requirement after this trade (its ratio on the debt, plus a 0.5 % cushion) exceeds the account's collateral by ` +
          `${usd(toHuman(-(after.freeCollateral + deposited)))} USD even after depositing all the wallet holds: nothing is sent.`,
      };
    }
    return { ok: true };
  }

  /**
   * The deposit (and its exact approval when the allowance is short) that the margin plan
   * asks for, computed at the worst fill the trade's limit accepts, then the trade.
   */
  async function buildTrade(quote: VenueQuote, context: TradeContext): Promise<VenueTrade> {
    const trade = tradeOf(quote);
    if (trade.amount === 0n) throw new Error(`the quote of venue ${venue.id} fills nothing: there is no trade to build`);
    const account = checkedAddress('account', context.account);
    if (context.deadlineSec <= 0n) throw new RangeError(`deadlineSec must be a positive unix time, got ${context.deadlineSec}`);
    const bound = oppositeAmountBound(trade, context.slippageBps);
    const worst: PerpTradeDelta = { positionDelta: trade.positionDelta, quoteDelta: trade.side === 'buy' ? -bound : bound };
    const [{ deposit }, allowance] = await Promise.all([
      planMargin(worst, account),
      client.readContract({ address: collateralToken, abi: erc20Abi, functionName: 'allowance', args: [account, vault] }),
    ]);
    const prerequisites: ContractCall[] = [];
    if (deposit > 0n) {
      if (allowance < deposit) prerequisites.push({ to: collateralToken, data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [vault, deposit] }), value: 0n });
      prerequisites.push({ to: vault, data: encodeFunctionData({ abi: perpV2VaultAbi, functionName: 'deposit', args: [collateralToken, deposit] }), value: 0n });
    }
    const data = encodeFunctionData({
      abi: perpV2ClearingHouseAbi,
      functionName: 'openPosition',
      args: [
        {
          baseToken,
          isBaseToQuote: trade.side === 'sell',
          isExactInput: trade.side === 'sell',
          amount: trade.amount,
          oppositeAmountBound: bound,
          deadline: context.deadlineSec,
          // No price limit: the trade runs to its exact amount or reverts; the bound guards the price.
          sqrtPriceLimitX96: 0n,
          referralCode: zeroHash,
        },
      ],
    });
    return { prerequisites, trade: { to: clearingHouse, data, value: 0n }, deadlineSec: context.deadlineSec };
  }

  /** The account's PositionChanged logs of this market, added up (a receipt normally holds one). */
  function decodeFill(logs: readonly ChainLog[], account: Address): VenueFill | undefined {
    const trader = checkedAddress('account', account);
    let size = 0n;
    let notional = 0n;
    let fee = 0n;
    let fundingPaid = 0n;
    let found = false;
    for (const log of logs) {
      if (!isAddressEqual(log.address, clearingHouse)) continue;
      const topic = log.topics[0]?.toLowerCase();
      if (topic === FUNDING_SETTLED_TOPIC) {
        const { args } = decodeEventLog({ abi: perpV2ClearingHouseAbi, eventName: 'FundingPaymentSettled', topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true });
        if (isAddressEqual(args.trader, trader) && isAddressEqual(args.baseToken, baseToken)) fundingPaid += args.fundingPayment;
        continue;
      }
      if (topic !== POSITION_CHANGED_TOPIC) continue;
      const { args } = decodeEventLog({ abi: perpV2ClearingHouseAbi, eventName: 'PositionChanged', topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true });
      if (!isAddressEqual(args.trader, trader) || !isAddressEqual(args.baseToken, baseToken)) continue;
      found = true;
      size += args.exchangedPositionSize;
      notional += args.exchangedPositionNotional;
      fee += args.fee;
    }
    if (!found) return undefined;
    // Perp reports the fee apart: the price is the notional's, the cash pays (or nets) the fee too.
    // Funding settled on the way is not the trade's cash (it moves the realised P&L): reported apart, as received.
    return { quantity: toHuman(size), priceUsd: unitPrice(notional, size), cashUsd: toHuman(notional - fee), feesUsd: toHuman(fee), fundingUsd: toHuman(-fundingPaid) };
  }

  async function readPosition(account: Address): Promise<VenuePosition> {
    const trader = checkedAddress('account', account);
    const { clearingHouseConfig } = await checkConfigAgainstChain();
    const [size, accountValue, [owedRealizedPnl, , pendingFee], totalAbsPositionValue, balance, pendingFundingPayment, freeCollateral, mmRatio] = await Promise.all([
      client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getTakerPositionSize', args: [trader, baseToken] }),
      client.readContract({ address: clearingHouse, abi: perpV2ClearingHouseAbi, functionName: 'getAccountValue', args: [trader] }),
      client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getPnlAndPendingFee', args: [trader] }),
      client.readContract({ address: accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getTotalAbsPositionValue', args: [trader] }),
      client.readContract({ address: vault, abi: perpV2VaultAbi, functionName: 'getBalanceByToken', args: [trader, collateralToken] }),
      client.readContract({ address: exchange, abi: perpV2ExchangeAbi, functionName: 'getAllPendingFundingPayment', args: [trader] }),
      client.readContract({ address: vault, abi: perpV2VaultAbi, functionName: 'getFreeCollateral', args: [trader] }),
      client.readContract({ address: clearingHouseConfig, abi: perpV2ClearingHouseConfigAbi, functionName: 'getMmRatio' }),
    ]);
    const margin: MarginAccount = {
      // Deposited, plus the P&L Perp has realised but not yet settled into the balance (and makers' fees).
      collateralUsd: toHuman(balance, collateralDecimals) + toHuman(owedRealizedPnl + pendingFee),
      accountValueUsd: toHuman(accountValue),
      marginRatio: ratioOf(accountValue, totalAbsPositionValue),
      maintenanceMarginRatio: Number(mmRatio) / Number(RATIO_ONE),
      // Perp counts a payment owed by the trader as positive; the port counts what the account receives.
      pendingFundingUsd: -toHuman(pendingFundingPayment),
      freeCollateralUsd: toHuman(freeCollateral, collateralDecimals),
    };
    return { quantity: toHuman(size), margin };
  }

  /**
   * The deposit between trades that brings the margin ratio to `targetMarginRatio` at
   * today's marks (rounded up to a collateral unit), at most what the wallet holds; its
   * exact approval first when the allowance is short.
   */
  async function buildMarginTopUp(account: Address, targetMarginRatio: number): Promise<MarginTopUp> {
    if (!(targetMarginRatio > 0) || !Number.isFinite(targetMarginRatio)) throw new RangeError(`targetMarginRatio must be a positive number, got ${targetMarginRatio}`);
    const trader = checkedAddress('account', account);
    const { clearingHouseConfig } = await checkConfigAgainstChain();
    const [state, walletBalance, allowance] = await Promise.all([
      marginState(trader, clearingHouseConfig),
      client.readContract({ address: collateralToken, abi: erc20Abi, functionName: 'balanceOf', args: [trader] }),
      client.readContract({ address: collateralToken, abi: erc20Abi, functionName: 'allowance', args: [trader, vault] }),
    ]);
    const marginRatio = ratioOf(state.accountValue, state.totalAbsPositionValue);
    const target = BigInt(Math.round(targetMarginRatio * Number(RATIO_ONE)));
    const needed18 = max(0n, (state.totalAbsPositionValue * target) / RATIO_ONE - state.accountValue);
    const needed = (needed18 + collateralScale - 1n) / collateralScale;
    if (needed === 0n) return { status: 'not-needed', marginRatio };
    if (walletBalance <= 0n) return { status: 'wallet-empty', marginRatio, neededUsd: toHuman(needed, collateralDecimals) };
    const deposit = min(needed, walletBalance);
    return {
      status: 'deposit',
      prerequisites:
        allowance < deposit ? [{ to: collateralToken, data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [vault, deposit] }), value: 0n }] : [],
      deposit: { to: vault, data: encodeFunctionData({ abi: perpV2VaultAbi, functionName: 'deposit', args: [collateralToken, deposit] }), value: 0n },
      depositUsd: toHuman(deposit, collateralDecimals),
      marginRatioBefore: marginRatio,
      marginRatioAfter: ratioOf(state.accountValue + deposit * collateralScale, state.totalAbsPositionValue),
      partial: deposit < needed,
    };
  }

  return {
    id: venue.id,
    kind: 'perp-v2',
    instrument: 'perp',
    contracts: [clearingHouse, vault, collateralToken],
    quote,
    checkTrade,
    buildTrade,
    decodeFill,
    readPosition,
    buildMarginTopUp,
  };
}
