// Typed ABI fragments (viem `parseAbi`) of the Perpetual Protocol v2 ("curie") functions
// and events the perp venue adapter uses, so calls and results are type-checked without
// importing the packages' JSON artifacts into production code. A test checks every
// fragment against the full ABIs of @perp/curie-contract 2.8.4 (local/chain/perp-v2-artifacts.ts).
//
// Perp declares no custom errors: it reverts with Error(string) codes, of which the
// adapter reads those in PERP_V2_REVERT.
import { parseAbi } from 'viem';

export const perpV2ClearingHouseAbi = parseAbi([
  'struct OpenPositionParams { address baseToken; bool isBaseToQuote; bool isExactInput; uint256 amount; uint256 oppositeAmountBound; uint256 deadline; uint160 sqrtPriceLimitX96; bytes32 referralCode; }',
  'function openPosition(OpenPositionParams params) returns (uint256 base, uint256 quote)',
  /** Collateral + owed and unrealised P&L − pending funding, 18 decimals. */
  'function getAccountValue(address trader) view returns (int256)',
  'function getClearingHouseConfig() view returns (address)',
  'function getVault() view returns (address)',
  'function getExchange() view returns (address)',
  'function getAccountBalance() view returns (address)',
  'function paused() view returns (bool)',
  /** One taker trade: position size and notional signed from the trader's side (notional < 0 = paid), fee apart. */
  'event PositionChanged(address indexed trader, address indexed baseToken, int256 exchangedPositionSize, int256 exchangedPositionNotional, uint256 fee, int256 openNotional, int256 realizedPnl, uint256 sqrtPriceAfterX96)',
  /** Funding settled into the trader's realised P&L before a trade (or any settlement): > 0 paid, < 0 received. */
  'event FundingPaymentSettled(address indexed trader, address indexed baseToken, int256 fundingPayment)',
]);

export const perpV2VaultAbi = parseAbi([
  'function deposit(address token, uint256 amount)',
  'function getSettlementToken() view returns (address)',
  'function decimals() view returns (uint8)',
  'function getBalanceByToken(address trader, address token) view returns (int256)',
  /** Free collateral by the initial-margin ratio, in the settlement token's decimals. */
  'function getFreeCollateral(address trader) view returns (uint256)',
]);

export const perpV2AccountBalanceAbi = parseAbi([
  'function getBaseTokens(address trader) view returns (address[])',
  'struct AccountMarketInfo { int256 takerPositionSize; int256 takerOpenNotional; int256 lastTwPremiumGrowthGlobalX96; }',
  'function getAccountInfo(address trader, address baseToken) view returns (AccountMarketInfo)',
  'function getTakerPositionSize(address trader, address baseToken) view returns (int256)',
  /** Taker + maker position, the size margin is computed on. */
  'function getTotalPositionSize(address trader, address baseToken) view returns (int256)',
  'function getTotalAbsPositionValue(address trader) view returns (uint256)',
  /** Base and quote balances of a market (taker balance − order debt): what the Vault's debt value is computed from. */
  'function getBase(address trader, address baseToken) view returns (int256)',
  'function getQuote(address trader, address baseToken) view returns (int256)',
  'function getPnlAndPendingFee(address trader) view returns (int256, int256, uint256)',
  'function getMarkPrice(address baseToken) view returns (uint256)',
]);

export const perpV2ExchangeAbi = parseAbi([
  'struct SwapParams { address trader; address baseToken; bool isBaseToQuote; bool isExactInput; bool isClose; uint256 amount; uint160 sqrtPriceLimitX96; }',
  'struct SwapResponse { uint256 base; uint256 quote; int256 exchangedPositionSize; int256 exchangedPositionNotional; uint256 fee; uint256 insuranceFundFee; int256 pnlToBeRealized; uint256 sqrtPriceAfterX96; int24 tick; bool isPartialClose; uint24 closedRatio; }',
  /** The swap of ClearingHouse.openPosition; only the ClearingHouse may call it (the quote simulates it from there). */
  'function swap(SwapParams params) returns (SwapResponse)',
  /** Funding the trader owes (+) or is owed (−) across its markets, not yet settled, 18 decimals. */
  'function getAllPendingFundingPayment(address trader) view returns (int256 pendingFundingPayment)',
  /** 0 = the market is paused for trading. */
  'function getMaxTickCrossedWithinBlock(address baseToken) view returns (uint24)',
  'function getMarketRegistry() view returns (address)',
]);

export const perpV2ClearingHouseConfigAbi = parseAbi([
  /** Ratios in millionths (0.1e6 = 10 %). */
  'function getImRatio() view returns (uint24)',
  'function getMmRatio() view returns (uint24)',
]);

export const perpV2MarketRegistryAbi = parseAbi(['function hasPool(address baseToken) view returns (bool)']);

export const perpV2BaseTokenAbi = parseAbi([
  'function isOpen() view returns (bool)',
  /** The index (oracle) price, 18 decimals; interval 0 = the latest. */
  'function getIndexPrice(uint256 interval) view returns (uint256)',
]);

/** The Error(string) codes the adapter tells apart. */
export const PERP_V2_REVERT = {
  /** Exchange: the swap would move the price further than the market allows within a block (the tick limit). */
  overPriceLimit: 'EX_OPLAS',
  /** Exchange: the swap would take the market price out of its band around the index. */
  overPriceBand: 'EX_OPB',
} as const;
