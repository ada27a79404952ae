/**
 * A Uniswap V3 liquidity position (liquidity L between two ticks) valued in the book's
 * units: USD per unit of the underlying (the "base" token), the quote token counted at
 * 1 USD. In those units the pool's invariant holds as it does on chain: at price P inside
 * the range [Pa, Pb] the position holds
 *     x = L·(1/√P − 1/√Pb) units of the base and y = L·(√P − √Pa) of the quote,
 * all base below Pa (x = L·(1/√Pa − 1/√Pb), y = 0) and all quote above Pb
 * (x = 0, y = L·(√Pb − √Pa)). Its value V = P·x + y, and
 *     delta = ∂V/∂P = x  (the base it holds: ∂x/∂P·P + ∂y/∂P = 0 inside the range),
 *     gamma = ∂²V/∂P² = −L/(2·P^{3/2}) inside, 0 outside:
 * an LP is short gamma inside its range and has no vega or theta (fees are not modelled).
 *
 * From the pool's own description: the range's prices are 1.0001^tick in token1 per
 * token0 (raw units), turned into USD per base with the decimals (inverted when the base is
 * token1), and L in these units is the pool's L / 10^((base decimals + quote decimals)/2).
 */
import { InvalidInputError } from '../errors.ts';

/** The tick bounds of Uniswap V3 (TickMath.MIN_TICK / MAX_TICK). */
export const MIN_TICK = -887272;
export const MAX_TICK = 887272;

export interface LiquidityRange {
  /** Price bounds, USD (quote) per unit of the base, lower < upper. */
  readonly lowerPrice: number;
  readonly upperPrice: number;
  /** Liquidity in √(base·quote) units. */
  readonly liquidity: number;
}

export interface PoolLiquidity {
  readonly tickLower: number;
  readonly tickUpper: number;
  /** As the pool stores it (uint128), a decimal string. */
  readonly liquidity: string;
  /** True when the underlying is the pool's token0 (then the pool's price is quote per base). */
  readonly baseIsToken0: boolean;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
}

export interface LiquidityGreeks {
  /** USD, the quote at 1. */
  readonly valueUsd: number;
  /** Units of the base held: ∂V/∂P. */
  readonly delta: number;
  /** ∂²V/∂P², units per USD. */
  readonly gamma: number;
  /** Units of the base and of the quote held. */
  readonly baseAmount: number;
  readonly quoteAmount: number;
  readonly inRange: boolean;
}

/** The position of a pool, in the book's units. */
export function liquidityRangeOf(pool: PoolLiquidity): LiquidityRange {
  const { tickLower, tickUpper, baseIsToken0, baseDecimals, quoteDecimals } = pool;
  if (!Number.isInteger(tickLower) || !Number.isInteger(tickUpper) || tickLower < MIN_TICK || tickUpper > MAX_TICK || tickLower >= tickUpper) {
    throw new InvalidInputError('tickLower/tickUpper', `${tickLower}/${tickUpper}`, `must be whole ticks with ${MIN_TICK} ≤ tickLower < tickUpper ≤ ${MAX_TICK}`);
  }
  if (!/^[0-9]+$/u.test(pool.liquidity) || BigInt(pool.liquidity) === 0n || BigInt(pool.liquidity) >= 2n ** 128n) {
    throw new InvalidInputError('liquidity', pool.liquidity, 'must be a whole number 0 < L < 2^128 (the pool’s uint128), written in decimal');
  }
  const scale = 10 ** (baseDecimals - quoteDecimals);
  const priceAt = (tick: number): number => (baseIsToken0 ? 1.0001 ** tick * scale : scale / 1.0001 ** tick);
  const [lowerPrice, upperPrice] = baseIsToken0 ? [priceAt(tickLower), priceAt(tickUpper)] : [priceAt(tickUpper), priceAt(tickLower)];
  return { lowerPrice, upperPrice, liquidity: Number(pool.liquidity) / 10 ** ((baseDecimals + quoteDecimals) / 2) };
}

/** The fields of {@link LiquidityGreeks}, writable: the result of {@link liquidityGreeksInto}. */
export type LiquidityGreeksOut = { -readonly [K in keyof LiquidityGreeks]: LiquidityGreeks[K] };

/** A blank result for {@link liquidityGreeksInto}, allocated once by its caller. */
export const emptyLiquidityGreeks = (): LiquidityGreeksOut => ({ valueUsd: 0, delta: 0, gamma: 0, baseAmount: 0, quoteAmount: 0, inRange: false });

/** Value, delta and gamma of a liquidity range at `price` (USD per base). */
export function liquidityGreeks(range: LiquidityRange, price: number): LiquidityGreeks {
  const { lowerPrice, upperPrice, liquidity: L } = range;
  if (!(price > 0) || !Number.isFinite(price)) throw new InvalidInputError('price', price, 'must be a positive finite number');
  if (!(lowerPrice > 0 && upperPrice > lowerPrice && Number.isFinite(upperPrice))) throw new InvalidInputError('range', `${lowerPrice}..${upperPrice}`, 'must satisfy 0 < lowerPrice < upperPrice < ∞');
  if (!(L >= 0) || !Number.isFinite(L)) throw new InvalidInputError('liquidity', L, 'must be a finite number ≥ 0');
  return liquidityGreeksInto(range, price, emptyLiquidityGreeks());
}

/**
 * {@link liquidityGreeks} written into `out` (returned), without checking its inputs: for
 * loops that checked the range once and must not allocate (the backtester's steps).
 */
export function liquidityGreeksInto(range: LiquidityRange, price: number, out: LiquidityGreeksOut): LiquidityGreeksOut {
  const { lowerPrice, upperPrice, liquidity: L } = range;
  const sa = Math.sqrt(lowerPrice);
  const sb = Math.sqrt(upperPrice);
  if (price <= lowerPrice) {
    const base = L * (1 / sa - 1 / sb);
    out.valueUsd = price * base;
    out.delta = base;
    out.gamma = 0;
    out.baseAmount = base;
    out.quoteAmount = 0;
    out.inRange = false;
    return out;
  }
  if (price >= upperPrice) {
    const quote = L * (sb - sa);
    out.valueUsd = quote;
    out.delta = 0;
    out.gamma = 0;
    out.baseAmount = 0;
    out.quoteAmount = quote;
    out.inRange = false;
    return out;
  }
  const sp = Math.sqrt(price);
  // (1/√P − 1/√Pb) as (√Pb − √P)/(√P·√Pb): no cancellation between two reciprocals.
  const base = (L * (sb - sp)) / (sp * sb);
  const quote = L * (sp - sa);
  out.valueUsd = price * base + quote;
  out.delta = base;
  out.gamma = -L / (2 * price * sp);
  out.baseAmount = base;
  out.quoteAmount = quote;
  out.inRange = true;
  return out;
}
