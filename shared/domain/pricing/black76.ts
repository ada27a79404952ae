/**
 * Black-76: European options on a forward or futures price F (no carry between now and
 * expiry, premium discounted at r). It is generalised BSM with S = F and q = r, except
 * that rho is taken with F held fixed: ∂V/∂r = −T·V.
 *
 * @see F. Black, "The pricing of commodity contracts", J. Financial Economics 3 (1976).
 */
import { bsmGreeksInto, greeksFromRow } from './black-scholes-merton.ts';
import { GREEK_COUNT, type OptionGreeks } from './greeks.ts';
import { validateBlack76Input, type Black76Input } from './option-inputs.ts';

/**
 * Writes the Black-76 Greeks of one option into `out[offset..offset+7]` (delta and gamma
 * with respect to the forward). No validation, no allocation.
 */
export function black76GreeksInto(
  isPut: boolean,
  forward: number,
  strike: number,
  maturity: number,
  vol: number,
  rate: number,
  out: Float64Array,
  offset: number,
): void {
  bsmGreeksInto(isPut, forward, strike, maturity, vol, rate, rate, out, offset);
  out[offset + 5] = -maturity * out[offset]!;
}

const scratch = new Float64Array(GREEK_COUNT);

/**
 * Price and Greeks of a European option on a forward (Black-76).
 *
 * @example
 * black76Greeks({ type: 'call', forward: 19, strike: 19, maturity: 0.75, vol: 0.28, rate: 0.1 }).price // 1.7011...
 */
export function black76Greeks(input: Black76Input): OptionGreeks {
  validateBlack76Input(input);
  black76GreeksInto(input.type === 'put', input.forward, input.strike, input.maturity, input.vol, input.rate, scratch, 0);
  return greeksFromRow(scratch);
}
