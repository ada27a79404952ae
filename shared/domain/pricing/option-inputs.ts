/**
 * Domain checks for pricing inputs: the single place that decides what a valid option is.
 * Every entry point (scalar, batch, CLI, exposure) calls these before any arithmetic, so
 * a bad input is a clear error and never a silent NaN.
 */
import { InvalidInputError } from '../errors.ts';
import { ddAdd, ddDivNumber, ddExpm1, ddMulNumber, twoProduct, twoSum } from '../math/double-double.ts';
import type { OptionType, Years } from './greeks.ts';

/** A European option on a spot underlying with continuous carry (generalised BSM). */
export interface BsmInput {
  readonly type: OptionType;
  readonly spot: number;
  readonly strike: number;
  readonly maturity: Years;
  /** Volatility as a decimal (0.2 = 20%). */
  readonly vol: number;
  /** Continuously compounded risk-free rate, decimal. */
  readonly rate: number;
  /** Continuous dividend / carry / funding yield of the underlying, decimal. */
  readonly yield: number;
}

/** A European option on a forward or futures price (Black-76). */
export interface Black76Input {
  readonly type: OptionType;
  readonly forward: number;
  readonly strike: number;
  readonly maturity: Years;
  readonly vol: number;
  readonly rate: number;
}

/**
 * Domain limits beyond positivity. Prices outside [1e-150, 1e150] (in any currency unit,
 * wei-scaled ones included) and carry or discount exponents |r·T|, |q·T| above 100 would
 * make intermediate present values over- or underflow a double; they are rejected with
 * a clear error instead of producing Infinity or NaN downstream.
 */
export const MIN_PRICE_LEVEL = 1e-150;
export const MAX_PRICE_LEVEL = 1e150;
export const MAX_ABS_RATE_TIMES_MATURITY = 100;

export function requirePriceLevel(value: unknown, field: string): number {
  const n = requirePositive(value, field);
  if (!(n >= MIN_PRICE_LEVEL && n <= MAX_PRICE_LEVEL)) throw new InvalidInputError(field, value, `must be between ${MIN_PRICE_LEVEL} and ${MAX_PRICE_LEVEL}`);
  return n;
}

/** |rate × maturity| ≤ 100, so that e^{−rT} is a normal double. */
export function requireRateHorizon(rate: number, maturity: number, field: string): void {
  if (!(Math.abs(rate * maturity) <= MAX_ABS_RATE_TIMES_MATURITY)) {
    throw new InvalidInputError(field, rate, `times maturity must be within ±${MAX_ABS_RATE_TIMES_MATURITY} (e^{-${field}·T} would over- or underflow)`);
  }
}

export function requireOptionType(value: unknown, field = 'type'): OptionType {
  if (value === 'call' || value === 'put') return value;
  throw new InvalidInputError(field, value, 'must be "call" or "put"');
}

export function requireFinite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidInputError(field, value, 'must be a finite number');
  }
  return value;
}

export function requirePositive(value: unknown, field: string): number {
  const n = requireFinite(value, field);
  if (!(n > 0)) throw new InvalidInputError(field, value, 'must be > 0');
  return n;
}

export function requireNonNegative(value: unknown, field: string): number {
  const n = requireFinite(value, field);
  if (!(n >= 0)) throw new InvalidInputError(field, value, 'must be >= 0');
  return n;
}

/** Checks every field of a BSM input; returns it unchanged when valid. */
export function validateBsmInput(input: BsmInput, prefix = ''): BsmInput {
  requireOptionType(input.type, `${prefix}type`);
  requirePriceLevel(input.spot, `${prefix}spot`);
  requirePriceLevel(input.strike, `${prefix}strike`);
  requireNonNegative(input.maturity, `${prefix}maturity`);
  requireNonNegative(input.vol, `${prefix}vol`);
  requireFinite(input.rate, `${prefix}rate`);
  requireFinite(input.yield, `${prefix}yield`);
  requireRateHorizon(input.rate, input.maturity, `${prefix}rate`);
  requireRateHorizon(input.yield, input.maturity, `${prefix}yield`);
  return input;
}

/** Checks every field of a Black-76 input; returns it unchanged when valid. */
export function validateBlack76Input(input: Black76Input, prefix = ''): Black76Input {
  requireOptionType(input.type, `${prefix}type`);
  requirePriceLevel(input.forward, `${prefix}forward`);
  requirePriceLevel(input.strike, `${prefix}strike`);
  requireNonNegative(input.maturity, `${prefix}maturity`);
  requireNonNegative(input.vol, `${prefix}vol`);
  requireFinite(input.rate, `${prefix}rate`);
  requireRateHorizon(input.rate, input.maturity, `${prefix}rate`);
  return input;
}

/**
 * ln(S/K) with full relative precision also near the money, where S − K is exact
 * (Sterbenz) and log1p keeps the digits that log(S/K) would lose.
 */
export function logMoneyness(spot: number, strike: number): number {
  const ratio = spot / strike;
  return ratio > 0.5 && ratio < 2 ? Math.log1p((spot - strike) / strike) : Math.log(ratio);
}

/**
 * Log forward moneyness x = ln(F/K) = ln(S/K) + (r − q)·T, to full relative precision
 * even when the two terms cancel (a strike near the forward): there, x is formed in
 * double-double as log1p((S·e^{(r−q)T} − K)/K). Prices with a tiny σ√T are very
 * sensitive to x (a relative error ε in x becomes ~h²·ε in the price, h = x/σ√T), so
 * the plain sum would lose up to ten digits in exactly those cases.
 */
export function logForwardMoneyness(spot: number, strike: number, rate: number, carry: number, maturity: number): number {
  const logRatio = logMoneyness(spot, strike);
  const drift = (rate - carry) * maturity;
  const x = logRatio + drift;
  // More than 4 bits cancelled, and the drift matters: redo it exactly (rare, kept out of line).
  if (!(Math.abs(x) * 16 < Math.abs(logRatio)) || drift === 0 || Math.abs(drift) > 40) return x;
  return logForwardMoneynessExact(spot, strike, rate, carry, maturity);
}

/** The double-double path of {@link logForwardMoneyness}: log1p((S·e^{(r−q)T} − K)/K). */
export function logForwardMoneynessExact(spot: number, strike: number, rate: number, carry: number, maturity: number): number {
  const rateMinusCarry = twoSum(rate, -carry);
  const driftExact = ddAdd(twoProduct(rateMinusCarry.hi, maturity), { hi: rateMinusCarry.lo * maturity, lo: 0 });
  const growthMinusOne = ddExpm1(driftExact); // e^{(r−q)T} − 1
  // S·e^{(r−q)T} − K = (S − K) + S·(e^{(r−q)T} − 1)
  const numerator = ddAdd(twoSum(spot, -strike), ddMulNumber(growthMinusOne, spot));
  const u = ddDivNumber(numerator, strike);
  return Math.log1p(u.hi) + u.lo / (1 + u.hi);
}
