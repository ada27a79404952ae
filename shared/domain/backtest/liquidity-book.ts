/**
 * The Uniswap V3 liquidity positions of a backtest's book: sized at the start price, then
 * valued at every step with the pool's closed form (exposure/concentrated-liquidity.ts,
 * used as is: value V = P·x + y, delta = x, gamma = −L/(2P^{3/2}) inside the range, 0
 * outside). The simulator adds their delta and gamma to the book's risk the policy sees,
 * their value at t0 to the book's value, and marks them at their exact value at the
 * horizon; this module holds what it needs per step, in flat fields, so that a step
 * allocates nothing.
 *
 * Fee income is optional and explicit: a position with `feeApr` earns feeApr × V(P) per
 * year while the price is inside its range (V at the price at the start of each step,
 * not compounded, received as cash). It stands for the fees the pool's volume pays the
 * range; the simulator reports it as its own attribution line (liquidityFees) and, in
 * the P&L by Greek, as the position's theta (the income that pays for its short gamma).
 */
import { InvalidInputError } from '../errors.ts';
import { emptyLiquidityGreeks, liquidityGreeks, liquidityGreeksInto, type LiquidityRange } from '../exposure/concentrated-liquidity.ts';
import { requireNonNegative, requirePositive } from '../pricing/option-inputs.ts';

/** How a position is sized: its liquidity, or what it is worth at the start price. */
export type LiquiditySize =
  /** L in √(base·quote) units: the book's units (USD per unit of the underlying). */
  | { readonly liquidity: number }
  /** The position's value at the start price, USD: L is what makes it worth that. */
  | { readonly valueUsd: number }
  /** The position's value at the start price in units of the underlying (valueUsd = units × start price). */
  | { readonly units: number };

/** A concentrated-liquidity position of a backtest's book (a bought position: the LP owns it). */
export interface BookLiquidity {
  readonly id: string;
  /** The range, USD per unit of the underlying, lowerPrice < upperPrice. */
  readonly lowerPrice: number;
  readonly upperPrice: number;
  readonly size: LiquiditySize;
  /** Fee income while in range, per year, as a fraction of the position's value (0.2 = 20 %); none when absent. */
  readonly feeApr?: number;
}

/** The positions of a run sized at the start price, and their sums at the last {@link evaluateLiquidityBook}. */
export interface LiquidityBook {
  readonly count: number;
  /** Each position's range and liquidity (book units), sized at the start price. */
  readonly ranges: readonly LiquidityRange[];
  readonly feeApr: Float64Array;
  /** Σ value at the start price, USD. */
  readonly valueAtStart: number;
  /** Σ value, delta, gamma at the last price evaluated. */
  value: number;
  delta: number;
  gamma: number;
  /** Σ feeApr × value over the positions in range at that price: fee income, USD per year. */
  feesPerYear: number;
}

/** The checks of a run's positions (before their sizes are known). */
export function validateBookLiquidity(list: readonly BookLiquidity[]): void {
  const ids = new Set<string>();
  list.forEach((lp, i) => {
    const at = `liquidity[${i}]`;
    if (ids.has(lp.id)) throw new InvalidInputError(`${at}.id`, lp.id, 'is used twice: give each liquidity position its own id');
    ids.add(lp.id);
    requirePositive(lp.lowerPrice, `${at}.lowerPrice`);
    requirePositive(lp.upperPrice, `${at}.upperPrice`);
    if (!(lp.lowerPrice < lp.upperPrice)) throw new InvalidInputError(`${at}.upperPrice`, lp.upperPrice, `must be above lowerPrice (${lp.lowerPrice})`);
    const size = lp.size;
    if ('liquidity' in size) requirePositive(size.liquidity, `${at}.liquidity`);
    else if ('valueUsd' in size) requirePositive(size.valueUsd, `${at}.valueUsd`);
    else if ('units' in size) requirePositive(size.units, `${at}.units`);
    else throw new InvalidInputError(`${at}.size`, JSON.stringify(size), 'must give liquidity, valueUsd or units');
    if (lp.feeApr !== undefined) requireNonNegative(lp.feeApr, `${at}.feeApr`);
  });
}

/**
 * The liquidity that makes a range worth `valueUsd` at `price`: V is linear in L, so
 * L = valueUsd / V(L = 1).
 */
export function liquidityForValue(lowerPrice: number, upperPrice: number, price: number, valueUsd: number): number {
  const perUnit = liquidityGreeks({ lowerPrice, upperPrice, liquidity: 1 }, price).valueUsd;
  if (!(perUnit > 0)) throw new InvalidInputError('price', price, `gives a range ${lowerPrice}..${upperPrice} of liquidity 1 no value`);
  return valueUsd / perUnit;
}

/** The positions sized at the start price `spot0`, evaluated there. */
export function liquidityBookAt(list: readonly BookLiquidity[], spot0: number): LiquidityBook {
  validateBookLiquidity(list);
  const ranges = list.map((lp): LiquidityRange => {
    const s = lp.size;
    const liquidity = 'liquidity' in s ? s.liquidity : liquidityForValue(lp.lowerPrice, lp.upperPrice, spot0, 'valueUsd' in s ? s.valueUsd : s.units * spot0);
    return { lowerPrice: lp.lowerPrice, upperPrice: lp.upperPrice, liquidity };
  });
  const book: LiquidityBook = {
    count: list.length,
    ranges,
    feeApr: Float64Array.from(list, (lp) => lp.feeApr ?? 0),
    valueAtStart: 0,
    value: 0,
    delta: 0,
    gamma: 0,
    feesPerYear: 0,
  };
  evaluateLiquidityBook(book, spot0);
  return { ...book, valueAtStart: book.value };
}

/** One reused result: evaluating allocates nothing. */
const scratch = emptyLiquidityGreeks();

/** Sets the book's value, delta, gamma and fee income at `price` (positive, finite: the simulator's prices are). */
export function evaluateLiquidityBook(book: LiquidityBook, price: number): void {
  let value = 0;
  let delta = 0;
  let gamma = 0;
  let fees = 0;
  for (let i = 0; i < book.count; i++) {
    const g = liquidityGreeksInto(book.ranges[i]!, price, scratch);
    value += g.valueUsd;
    delta += g.delta;
    gamma += g.gamma;
    if (g.inRange) fees += book.feeApr[i]! * g.valueUsd;
  }
  book.value = value;
  book.delta = delta;
  book.gamma = gamma;
  book.feesPerYear = fees;
}
