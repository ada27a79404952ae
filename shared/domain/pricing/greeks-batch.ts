/**
 * Batch Greeks over typed arrays (struct of arrays in, row-major Float64Array out) for
 * large books: no objects per option, no allocation in the loop. Numbers are identical
 * to the per-option API, which calls the same kernel.
 */
import { InvalidInputError } from '../errors.ts';
import { bsmGreeksRowInto } from './black-scholes-merton.ts';
import type { BsmBatch } from './option-batch.ts';
import { GREEK_COUNT } from './greeks.ts';
import { MAX_ABS_RATE_TIMES_MATURITY, MAX_PRICE_LEVEL, MIN_PRICE_LEVEL, requirePriceLevel, requireRateHorizon } from './option-inputs.ts';

export type { BsmBatch } from './option-batch.ts';

/**
 * Checks a whole batch before anything is computed; the first bad row raises an
 * {@link InvalidInputError} naming the array and the row, e.g. `spot[12]`.
 */
export function validateBsmBatch(batch: BsmBatch): number {
  const n = batch.spot.length;
  const arrays = { strike: batch.strike, maturity: batch.maturity, vol: batch.vol, rate: batch.rate, yield: batch.yield, isPut: batch.isPut };
  for (const [name, array] of Object.entries(arrays)) {
    if (array.length !== n) throw new InvalidInputError(`${name}.length`, array.length, `must equal spot.length (${n})`);
  }
  const { isPut, spot, strike, maturity, vol, rate } = batch;
  const carry = batch.yield;
  for (let i = 0; i < n; i++) {
    // One combined test per row on the hot path (written positively, so NaN fails it);
    // the slow diagnosis below only runs for a bad row.
    const S = spot[i]!;
    const K = strike[i]!;
    const T = maturity[i]!;
    const v = vol[i]!;
    const r = rate[i]!;
    const q = carry[i]!;
    if (
      S >= MIN_PRICE_LEVEL && S <= MAX_PRICE_LEVEL && K >= MIN_PRICE_LEVEL && K <= MAX_PRICE_LEVEL &&
      T >= 0 && T < Infinity && v >= 0 && v < Infinity &&
      Math.abs(r * T) <= MAX_ABS_RATE_TIMES_MATURITY && Math.abs(q * T) <= MAX_ABS_RATE_TIMES_MATURITY &&
      isPut[i]! <= 1
    ) {
      continue;
    }
    diagnoseRow(batch, i);
  }
  return n;
}

function diagnoseRow(batch: BsmBatch, i: number): never {
  const positive = (name: 'spot' | 'strike', value: number): void => {
    if (!(value > 0 && value < Infinity)) throw new InvalidInputError(`${name}[${i}]`, value, 'must be a finite number > 0');
    requirePriceLevel(value, `${name}[${i}]`);
  };
  const nonNegative = (name: 'maturity' | 'vol', value: number): void => {
    if (!(value >= 0 && value < Infinity)) throw new InvalidInputError(`${name}[${i}]`, value, 'must be a finite number >= 0');
  };
  const finite = (name: 'rate' | 'yield', value: number): void => {
    if (!Number.isFinite(value)) throw new InvalidInputError(`${name}[${i}]`, value, 'must be a finite number');
  };
  if (!(batch.isPut[i]! <= 1)) throw new InvalidInputError(`isPut[${i}]`, batch.isPut[i], 'must be 0 (call) or 1 (put)');
  positive('spot', batch.spot[i]!);
  positive('strike', batch.strike[i]!);
  nonNegative('maturity', batch.maturity[i]!);
  nonNegative('vol', batch.vol[i]!);
  finite('rate', batch.rate[i]!);
  finite('yield', batch.yield[i]!);
  requireRateHorizon(batch.rate[i]!, batch.maturity[i]!, `rate[${i}]`);
  requireRateHorizon(batch.yield[i]!, batch.maturity[i]!, `yield[${i}]`);
  throw new InvalidInputError(`row[${i}]`, undefined, 'is invalid');
}

/**
 * Greeks of every option of the batch, row-major: row i holds price, delta, gamma,
 * vegaPerUnitVol, thetaPerYear, rhoPerUnitRate, vannaPerUnitVol, volgaPerUnitVol2 at
 * `out[8i .. 8i+7]` (see GREEK_FIELDS). Pass `out` to reuse a buffer.
 *
 * @example
 * const out = bsmGreeksBatch({ isPut: Uint8Array.of(0), spot: Float64Array.of(100), strike: Float64Array.of(100),
 *   maturity: Float64Array.of(1), vol: Float64Array.of(0.2), rate: Float64Array.of(0.05), yield: Float64Array.of(0) });
 * out[0] // 10.450583572185568 (price), out[1] // 0.6368306511756191 (delta)
 */
export function bsmGreeksBatch(batch: BsmBatch, out?: Float64Array): Float64Array {
  const n = validateBsmBatch(batch);
  const result = out ?? new Float64Array(n * GREEK_COUNT);
  if (result.length < n * GREEK_COUNT) throw new InvalidInputError('out.length', result.length, `must be at least ${n * GREEK_COUNT}`);
  for (let i = 0; i < n; i++) bsmGreeksRowInto(batch, i, result, i * GREEK_COUNT);
  return result;
}
