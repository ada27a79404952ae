/**
 * Black-76: European options on a forward or futures price F (no carry between now and
 * expiry, premium discounted at r). It is generalised BSM with S = F and q = r, except
 * that rho is taken with F held fixed: ∂V/∂r = −T·V.
 *
 * @see F. Black, "The pricing of commodity contracts", J. Financial Economics 3 (1976).
 */
import { bsmGreeksRowInto, greeksFromRow, writeRow } from './black-scholes-merton.ts';
import { GREEK_COUNT, type OptionGreeks } from './greeks.ts';
import { allocateBsmBatch } from './option-batch.ts';
import { validateBlack76Input, type Black76Input } from './option-inputs.ts';

const single = allocateBsmBatch(1);
const scratch = new Float64Array(GREEK_COUNT);

/**
 * Price and Greeks of a European option on a forward (Black-76).
 *
 * @example
 * black76Greeks({ type: 'call', forward: 19, strike: 19, maturity: 0.75, vol: 0.28, rate: 0.1 }).price // 1.7011...
 */
export function black76Greeks(input: Black76Input): OptionGreeks {
  validateBlack76Input(input);
  writeRow(single, 0, input.type === 'put', input.forward, input.strike, input.maturity, input.vol, input.rate, input.rate);
  bsmGreeksRowInto(single, 0, scratch, 0);
  scratch[5] = -input.maturity * scratch[0]!; // rho with F held fixed
  return greeksFromRow(scratch);
}
