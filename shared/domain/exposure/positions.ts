/**
 * What a book holds, and the market it is valued in. Quantities are signed units of the
 * underlying (long > 0, short < 0): for options the number of contracts times the
 * contract size, so a quantity of −10 on a call is "short calls on 10 units".
 * Prices are quoted in USD per unit of the underlying.
 */
import type { OptionType } from '../pricing/greeks.ts';
import type { PoolLiquidity } from './concentrated-liquidity.ts';

interface PositionBase {
  readonly id: string;
  /** Symbol of the underlying, e.g. "ETH"; must have a market entry. */
  readonly underlying: string;
  /** Signed units of the underlying. */
  readonly quantity: number;
}

/** A European option, priced with generalised BSM on the underlying's spot. */
export interface OptionPosition extends PositionBase {
  readonly kind: 'option';
  readonly optionType: OptionType;
  readonly strike: number;
  /** Expiry instant, epoch milliseconds (UTC). */
  readonly expiryMs: number;
  /** Implied volatility of this option; the underlying's volatility when absent. */
  readonly vol?: number;
}

/** Spot holdings and perpetual swaps: delta one, no convexity. */
export interface LinearPosition extends PositionBase {
  readonly kind: 'spot' | 'perp';
}

/** A dated future (or forward) on the underlying: delta e^{(r−q)τ} per unit. */
export interface FuturePosition extends PositionBase {
  readonly kind: 'future';
  readonly expiryMs: number;
}

/**
 * A Uniswap V3 liquidity position, as the pool describes it (see concentrated-liquidity.ts
 * for its value and Greeks). `quantity` is how many such positions the book holds (1 for
 * one NFT position; negative for liquidity owed).
 */
export interface LiquidityPosition extends PositionBase, PoolLiquidity {
  readonly kind: 'uniswap-v3-liquidity';
  /** The pool's address, for the operator and for reconciliation. */
  readonly pool: string;
}

export type Position = OptionPosition | LinearPosition | FuturePosition | LiquidityPosition;

/** Market state of one underlying at the valuation instant. */
export interface UnderlyingMarket {
  /** USD per unit. */
  readonly spot: number;
  /** Volatility for options without their own, decimal. */
  readonly vol: number;
  /** Risk-free rate, continuously compounded, decimal. */
  readonly rate: number;
  /** Carry / dividend / funding yield of the underlying, decimal. */
  readonly yield: number;
}

export type MarketSnapshot = Readonly<Record<string, UnderlyingMarket>>;

/** ACT/365 fixed: the year fraction every maturity in the book is measured in. */
export const MS_PER_YEAR = 365 * 24 * 60 * 60 * 1000;
