/**
 * The venue port: what dispatch, confirm and evaluate ask of any place a hedge can be
 * traded, whatever it is (an AMM pool, a perpetual market, an options market). One
 * adapter per venue kind under shared/adapters/venues/, chosen by the account's venue
 * configuration; the use cases never branch on the kind.
 *
 * Quantities the policy speaks in are numbers (units of the underlying; option
 * contracts), prices USD per unit; raw on-chain amounts stay inside the adapter (in
 * `VenueQuote.details` when a later step needs them, which is journaled with the
 * transaction so that a retry builds exactly the same trade).
 */
import type { InstrumentKind, VenueKind } from '../contracts/execution-config.ts';
import type { Address, ChainLog, ContractCall } from './execution-ports.ts';

/** An option series, as the policy names it. */
export interface OptionSeries {
  readonly optionType: 'call' | 'put';
  /** USD per unit of the underlying. */
  readonly strike: number;
  readonly expiryMs: number;
}

/** What a hedge asks of a venue. */
export interface VenueOrder {
  readonly side: 'buy' | 'sell';
  /** Units of the underlying (spot, perp) or option contracts (one contract = one unit), > 0. */
  readonly quantity: number;
  /** Options only: the series to trade. */
  readonly series?: OptionSeries;
  /** What one unit of gas costs now, USD: a venue that splits an order weighs each leg's gas with it (absent: 0). */
  readonly gasUsdPerUnit?: number;
}

export interface VenueQuote {
  readonly venueId: string;
  readonly order: VenueOrder;
  /**
   * What the venue can fill now, ≤ order.quantity: less at a venue cap (liquidity, an
   * open-interest limit, a trade cap). A partial quote is a partial hedge, not a failure.
   */
  readonly fillableQuantity: number;
  /** Average execution price of `fillableQuantity`, USD per unit (options: premium per contract), the venue's fees included. */
  readonly priceUsd: number;
  /** The venue's own price of the underlying now (pool mid, perp mark): the guards compare it with the oracle. Absent for options. */
  readonly referencePriceUsd?: number;
  readonly gasEstimate: bigint;
  /** Venue-specific, JSON-safe data `buildTrade` needs (raw amounts, ids): journaled with the transaction. */
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

export interface TradeContext {
  /** The account's signer: who trades, pays, receives and holds the position. */
  readonly account: Address;
  /** How much worse than the quote the trade may execute (basis points): the trade's own limit. */
  readonly slippageBps: number;
  readonly deadlineSec: bigint;
}

export interface VenueTrade {
  /**
   * Transactions that must be mined before the trade (an exact approval, a margin
   * deposit), in order; empty when the on-chain state already allows the trade. They are
   * computed from the chain's state now, so a retry after one was mined asks only for
   * what is still missing (a deposit sent twice would stay the account's collateral).
   */
  readonly prerequisites: readonly ContractCall[];
  readonly trade: ContractCall;
  /** Past this, the trade reverts on chain (the confirmer cancels rather than replaces it). */
  readonly deadlineSec?: bigint;
}

/** What a mined trade did, decoded from the receipt's logs (from the account's side). */
export interface VenueFill {
  /** Signed: + bought (long), − sold (short); units or contracts. */
  readonly quantity: number;
  /** |cashUsd / quantity| before fees where the venue reports them apart, else with them. */
  readonly priceUsd: number;
  /** Quote-token cash of the trade: − paid, + received (fees included). */
  readonly cashUsd: number;
  /** Fees the venue charged, USD, when it reports them. */
  readonly feesUsd?: number;
  /** How many pools (legs) the trade was split across, for a venue that splits orders. */
  readonly legs?: number;
  /** A perpetual's funding the transaction settled before the trade, USD: + received, − paid. */
  readonly fundingUsd?: number;
}

/** A perpetual's margin account on its venue. */
export interface MarginAccount {
  /** Collateral deposited, USD. */
  readonly collateralUsd: number;
  /** Collateral + unrealised P&L + pending funding (signed as received), USD. */
  readonly accountValueUsd: number;
  /** accountValue / |position notional|; Infinity without a position. */
  readonly marginRatio: number;
  /** Below this margin ratio the venue liquidates. */
  readonly maintenanceMarginRatio: number;
  /** Funding owed to (+) or by (−) the account and not yet settled, USD. */
  readonly pendingFundingUsd: number;
  /** Collateral free to withdraw or to back new positions, USD. */
  readonly freeCollateralUsd: number;
}

export interface VenuePosition {
  /** Signed size held on the venue (units; option contracts of the series asked for). */
  readonly quantity: number;
  readonly margin?: MarginAccount;
}

/** The result of a venue's own pre-trade check (a perp's margin floor): a guard that trips is recorded like any other. */
export type VenueCheck = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * A margin top-up between trades (a perpetual's collateral deposit up to a target margin
 * ratio, from the account's wallet): what the venue would send, or why it sends nothing.
 */
export type MarginTopUp =
  | {
      readonly status: 'deposit';
      /** Transactions that must be mined first (an exact approval), like a trade's; empty when the allowance suffices. */
      readonly prerequisites: readonly ContractCall[];
      /** The deposit itself: the transaction journaled and followed to its receipt. */
      readonly deposit: ContractCall;
      /** Collateral deposited, USD. */
      readonly depositUsd: number;
      readonly marginRatioBefore: number;
      /** The margin ratio the deposit brings the account to at today's marks (under the target when the wallet holds less). */
      readonly marginRatioAfter: number;
      /** The wallet held less than the target asks: the deposit is all it holds. */
      readonly partial: boolean;
    }
  | { readonly status: 'not-needed'; readonly marginRatio: number }
  | { readonly status: 'wallet-empty'; readonly marginRatio: number; readonly neededUsd: number };

export interface Venue {
  readonly id: string;
  readonly kind: VenueKind;
  readonly instrument: InstrumentKind;
  /** Every contract a transaction of this venue is sent to (router, tokens for approvals, vaults): checked against the allow-list. */
  readonly contracts: readonly Address[];
  /** Throws QuoteRejectedError when the venue refuses the order (no liquidity, unknown series); other errors are transient. */
  quote(order: VenueOrder): Promise<VenueQuote>;
  /** The venue's own checks of a quoted trade for this account (margin after the trade); ok when it has none. */
  checkTrade(quote: VenueQuote, account: Address): Promise<VenueCheck>;
  /** The transactions that carry the quoted trade out, limits from the quote and `slippageBps`. */
  buildTrade(quote: VenueQuote, context: TradeContext): Promise<VenueTrade>;
  /** The fill of `account` in a receipt's logs; undefined when the receipt holds none of this venue. */
  decodeFill(logs: readonly ChainLog[], account: Address): VenueFill | undefined;
  /** What `account` holds on the venue now (for options: of `series`). */
  readPosition(account: Address, series?: OptionSeries): Promise<VenuePosition>;
  /**
   * Venues with a margin account only (perpetuals): the deposit that brings `account`'s
   * margin ratio up to `targetMarginRatio` now, at most what its wallet holds.
   */
  buildMarginTopUp?(account: Address, targetMarginRatio: number): Promise<MarginTopUp>;
}
