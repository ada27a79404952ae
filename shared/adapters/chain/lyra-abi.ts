// Typed ABI fragments (viem `parseAbi`) of what the Lyra v1 ("Avalon") venue adapter and
// position reader call and decode: OptionMarket (boards, strikes, open/close, the Trade
// event), OptionToken (an account's positions), OptionGreekCache (minimum collateral of a
// short, cache freshness) and the custom errors a trade can revert with. Written by hand
// so production code imports no JSON artifact; a test checks every fragment against the
// ABIs of @lyrafinance/protocol 0.1.3-alpha (local/chain/lyra-artifacts.ts).
//
// Solidity enums are uint8 on the ABI: OptionType (LYRA_OPTION_TYPE), TradeDirection
// (OPEN 0, CLOSE 1, LIQUIDATE 2), PositionState (LYRA_POSITION_STATE) and
// PositionUpdatedType (LYRA_POSITION_UPDATES).
import { formatUnits, parseAbi } from 'viem';
import { decimalToRaw } from '../venues/raw-units.ts';

/** OptionMarket.OptionType. */
export const LYRA_OPTION_TYPE = { LONG_CALL: 0, LONG_PUT: 1, SHORT_CALL_BASE: 2, SHORT_CALL_QUOTE: 3, SHORT_PUT_QUOTE: 4 } as const;
export type LyraOptionTypeCode = (typeof LYRA_OPTION_TYPE)[keyof typeof LYRA_OPTION_TYPE];

/** OptionMarket.TradeDirection. */
export const LYRA_TRADE_DIRECTION = { OPEN: 0, CLOSE: 1, LIQUIDATE: 2 } as const;

/** OptionToken.PositionUpdatedType, by code. */
export const LYRA_POSITION_UPDATES = ['OPENED', 'ADJUSTED', 'CLOSED', 'SPLIT_FROM', 'SPLIT_INTO', 'MERGED', 'MERGED_INTO', 'SETTLED', 'LIQUIDATED', 'TRANSFER'] as const;

/** OptionToken.PositionState. */
export const LYRA_POSITION_STATE = { EMPTY: 0, ACTIVE: 1, CLOSED: 2, LIQUIDATED: 3, SETTLED: 4, MERGED: 5 } as const;

/** Lyra's fixed point: amounts, strikes, prices and costs all carry 18 decimals. */
export const LYRA_DECIMALS = 18;

/**
 * A number in Lyra's fixed point, from its shortest round-trip decimal form (what
 * `String(value)` prints: 0.05 → 5e16 exactly, where `toFixed(18)` would give
 * 0.050000000000000003); digits past the 18th decimal are truncated toward zero.
 *
 * @example toLyraFixed(3000.5) // 3000500000000000000000n
 */
export function toLyraFixed(value: number): bigint {
  return decimalToRaw(value, LYRA_DECIMALS);
}

/** Lyra's fixed point as the double nearest its exact decimal value. */
export function fromLyraFixed(raw: bigint): number {
  return Number(formatUnits(raw, LYRA_DECIMALS));
}

export const lyraOptionMarketAbi = parseAbi([
  'struct OptionBoard { uint256 id; uint256 expiry; uint256 iv; bool frozen; uint256[] strikeIds; }',
  'struct Strike { uint256 id; uint256 strikePrice; uint256 skew; uint256 longCall; uint256 shortCallBase; uint256 shortCallQuote; uint256 longPut; uint256 shortPut; uint256 boardId; }',
  'struct TradeInputParameters { uint256 strikeId; uint256 positionId; uint256 iterations; uint8 optionType; uint256 amount; uint256 setCollateralTo; uint256 minTotalCost; uint256 maxTotalCost; }',
  'struct Result { uint256 positionId; uint256 totalCost; uint256 totalFee; }',
  'struct TradeEventData { uint256 expiry; uint256 strikePrice; uint8 optionType; uint8 tradeDirection; uint256 amount; uint256 setCollateralTo; bool isForceClose; uint256 spotPrice; uint256 reservedFee; uint256 totalCost; }',
  'struct VegaUtilFeeComponents { int256 preTradeAmmNetStdVega; int256 postTradeAmmNetStdVega; uint256 vegaUtil; uint256 volTraded; uint256 NAV; uint256 vegaUtilFee; }',
  'struct VarianceFeeComponents { uint256 varianceFeeCoefficient; uint256 vega; uint256 vegaCoefficient; uint256 skew; uint256 skewCoefficient; uint256 ivVariance; uint256 ivVarianceCoefficient; uint256 varianceFee; }',
  'struct TradeResult { uint256 amount; uint256 premium; uint256 optionPriceFee; uint256 spotPriceFee; VegaUtilFeeComponents vegaUtilFee; VarianceFeeComponents varianceFee; uint256 totalFee; uint256 totalCost; uint256 volTraded; uint256 newBaseIv; uint256 newSkew; }',
  'struct LiquidationEventData { address rewardBeneficiary; address caller; uint256 returnCollateral; uint256 lpPremiums; uint256 lpFee; uint256 liquidatorFee; uint256 smFee; uint256 insolventAmount; }',
  'function getLiveBoards() view returns (uint256[] _liveBoards)',
  'function getOptionBoard(uint256 boardId) view returns (OptionBoard)',
  'function getStrike(uint256 strikeId) view returns (Strike)',
  'function getStrikeAndExpiry(uint256 strikeId) view returns (uint256 strikePrice, uint256 expiry)',
  'function getSettlementParameters(uint256 strikeId) view returns (uint256 strikePrice, uint256 priceAtExpiry, uint256 strikeToBaseReturned)',
  'function openPosition(TradeInputParameters params) returns (Result result)',
  'function closePosition(TradeInputParameters params) returns (Result result)',
  'event Trade(address indexed trader, uint256 indexed strikeId, uint256 indexed positionId, TradeEventData trade, TradeResult[] tradeResults, LiquidationEventData liquidation, uint256 timestamp)',
  'event BoardSettled(uint256 indexed boardId, uint256 spotPriceAtExpiry, uint256 totalUserLongProfitQuote, uint256 totalBoardLongCallCollateral, uint256 totalBoardLongPutCollateral, uint256 totalAMMShortCallProfitBase, uint256 totalAMMShortCallProfitQuote, uint256 totalAMMShortPutProfitQuote)',
]);

export const lyraOptionTokenAbi = parseAbi([
  'struct OptionPosition { uint256 positionId; uint256 strikeId; uint8 optionType; uint256 amount; uint256 collateral; uint8 state; }',
  'function getOwnerPositions(address target) view returns (OptionPosition[])',
  'function getOptionPosition(uint256 positionId) view returns (OptionPosition)',
  'function ownerOf(uint256 tokenId) view returns (address)',
  'event PositionUpdated(uint256 indexed positionId, address indexed owner, uint8 indexed updatedType, OptionPosition position, uint256 timestamp)',
]);

export const lyraOptionGreekCacheAbi = parseAbi([
  'struct NetGreeks { int256 netDelta; int256 netStdVega; int256 netOptionValue; }',
  'struct OptionBoardCache { uint256 id; uint256[] strikes; uint256 expiry; uint256 iv; NetGreeks netGreeks; uint256 updatedAt; uint256 updatedAtPrice; uint256 maxSkewVariance; uint256 ivVariance; }',
  'struct GreekCacheParameters { uint256 maxStrikesPerBoard; uint256 acceptableSpotPricePercentMove; uint256 staleUpdateDuration; uint256 varianceIvGWAVPeriod; uint256 varianceSkewGWAVPeriod; uint256 optionValueIvGWAVPeriod; uint256 optionValueSkewGWAVPeriod; uint256 gwavSkewFloor; uint256 gwavSkewCap; int256 rateAndCarry; }',
  'function getMinCollateral(uint8 optionType, uint256 strikePrice, uint256 expiry, uint256 spotPrice, uint256 amount) view returns (uint256 minCollateral)',
  'function getOptionBoardCache(uint256 boardId) view returns (OptionBoardCache)',
  'function getGreekCacheParams() view returns (GreekCacheParameters)',
  'function isBoardCacheStale(uint256 boardId) view returns (bool)',
]);

/**
 * The custom errors an openPosition/closePosition can revert with, from whichever contract
 * the market called (they bubble up unchanged): for decoding a quote's or a simulation's
 * revert into its name. Size-dependent ones are listed in LYRA_SIZE_LIMIT_ERRORS.
 */
export const lyraTradeErrorsAbi = parseAbi([
  'struct VolComponents { uint256 vol; uint256 baseIv; uint256 skew; }',
  'struct Collateral { uint256 quote; uint256 base; }',
  'struct Liquidity { uint256 freeLiquidity; uint256 burnableLiquidity; uint256 usedCollatLiquidity; uint256 pendingDeltaLiquidity; uint256 usedDeltaLiquidity; uint256 NAV; }',
  'struct OptionPosition { uint256 positionId; uint256 strikeId; uint8 optionType; uint256 amount; uint256 collateral; uint8 state; }',
  'struct PositionWithOwner { uint256 positionId; uint256 strikeId; uint8 optionType; uint256 amount; uint256 collateral; uint8 state; address owner; }',
  // OptionMarket
  'error BoardAlreadySettled(address thrower, uint256 boardId)',
  'error BoardExpired(address thrower, uint256 boardId, uint256 boardExpiry, uint256 currentTime)',
  'error BoardIsFrozen(address thrower, uint256 boardId)',
  'error ExpectedNonZeroValue(address thrower, uint8 valueType)',
  'error InvalidBoardId(address thrower, uint256 boardId)',
  'error InvalidStrikeId(address thrower, uint256 strikeId)',
  'error TotalCostOutsideOfSpecifiedBounds(address thrower, uint256 totalCost, uint256 minCost, uint256 maxCost)',
  'error TradeIterationsHasRemainder(address thrower, uint256 iterations, uint256 expectedAmount, uint256 tradeAmount, uint256 totalAmount)',
  'error QuoteTransferFailed(address thrower, address from, address to, uint256 amount)',
  'error BaseTransferFailed(address thrower, address from, address to, uint256 amount)',
  // OptionMarketPricer
  'error TradingCutoffReached(address thrower, uint256 tradingCutoff, uint256 boardExpiry, uint256 currentTime)',
  'error TradeDeltaOutOfRange(address thrower, int256 strikeCallDelta, int256 minDelta, int256 maxDelta)',
  'error VolSkewOrBaseIvOutsideOfTradingBounds(address thrower, bool isBuy, VolComponents currentVol, VolComponents newVol, VolComponents tradeBounds)',
  'error ForceCloseDeltaOutOfRange(address thrower, int256 strikeCallDelta, int256 minDelta, int256 maxDelta)',
  'error ForceCloseSkewOutOfRange(address thrower, bool isBuy, uint256 newSkew, uint256 minSkew, uint256 maxSkew)',
  // OptionGreekCache and its libraries (GWAV, BlackScholes' math)
  'error CannotUpdateExpiredBoard(address thrower, uint256 boardId, uint256 expiry, uint256 currentTimestamp)',
  'error InvalidBlockTimestamp(address thrower, uint256 timestamp, uint256 lastObservedTimestamp)',
  'error LnNegativeUndefined()',
  'error Overflow()',
  // OptionToken
  'error AdjustmentResultsInMinimumCollateralNotBeingMet(address thrower, OptionPosition position, uint256 spotPrice)',
  'error CannotAdjustInvalidPosition(address thrower, uint256 positionId, bool invalidPositionId, bool positionInactive, bool strikeMismatch, bool optionTypeMismatch)',
  'error CannotClosePositionZero(address thrower)',
  'error CannotOpenZeroAmount(address thrower)',
  'error FullyClosingWithNonZeroSetCollateral(address thrower, uint256 positionId, uint256 setCollateralTo)',
  'error OnlyOwnerCanAdjustPosition(address thrower, uint256 positionId, address trader, address owner)',
  'error StrikeIsSettled(address thrower, uint256 strikeId)',
  // LiquidityPool
  'error LockingMoreQuoteThanIsFree(address thrower, uint256 quoteToLock, uint256 freeLiquidity, Collateral lockedCollateral)',
  'error SendPremiumNotEnoughCollateral(address thrower, uint256 premium, uint256 reservedFee, uint256 freeLiquidity)',
  'error InsufficientFreeLiquidityForBaseExchange(address thrower, uint256 pendingBase, uint256 estimatedExchangeCost, uint256 freeLiquidity)',
  'error NotEnoughFreeToReclaimInsolvency(address thrower, uint256 amountQuote, Liquidity liquidity)',
  'error OptionValueDebtExceedsTotalAssets(address thrower, int256 totalAssetValue, int256 optionValueDebt)',
  // ShortCollateral
  'error OutOfQuoteCollateralForTransfer(address thrower, uint256 balance, uint256 amount)',
  'error OutOfBaseCollateralForTransfer(address thrower, uint256 balance, uint256 amount)',
  'error OutOfBaseCollateralForExchangeAndTransfer(address thrower, uint256 balance, uint256 amount)',
  'error BoardMustBeSettled(address thrower, PositionWithOwner position)',
  // SynthetixAdapter
  'error AllMarketsPaused(address thrower, address marketAddress)',
  'error MarketIsPaused(address thrower, address marketAddress)',
  'error RateIsInvalid(address thrower, uint256 spotPrice, bool invalid)',
  'error ReceivedZeroFromExchange(address thrower, bytes32 fromKey, bytes32 toKey, uint256 amountSwapped, uint256 amountReceived)',
  'error QuoteBaseExchangeExceedsLimit(address thrower, uint256 amountBaseRequested, uint256 quoteToSpend, uint256 quoteLimit, uint256 spotPrice, bytes32 quoteKey, bytes32 baseKey)',
  'error BaseQuoteExchangeExceedsLimit(address thrower, uint256 amountQuoteRequested, uint256 baseToSpend, uint256 baseLimit, uint256 spotPrice, bytes32 baseKey, bytes32 quoteKey)',
]);

/**
 * Errors that a smaller trade of the same series may not hit: the traded vol moving past
 * the market's bounds (the vol impact grows with size) and the pool running out of free
 * liquidity (to lock, to pay a premium, or to buy the base a long call locks). What the venue bisects on to find the fillable size; any other error is the
 * series itself being untradeable now (delta range, cutoff, frozen, expired).
 */
export const LYRA_SIZE_LIMIT_ERRORS: ReadonlySet<string> = new Set([
  'VolSkewOrBaseIvOutsideOfTradingBounds',
  'LockingMoreQuoteThanIsFree',
  'SendPremiumNotEnoughCollateral',
  'InsufficientFreeLiquidityForBaseExchange',
  'QuoteBaseExchangeExceedsLimit',
  'BaseQuoteExchangeExceedsLimit',
]);
