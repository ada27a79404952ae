import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/domain/errors.ts';
import { bsmGreeks } from '../../../../shared/domain/pricing/black-scholes-merton.ts';
import { GREEK_COUNT, GREEK_FIELDS } from '../../../../shared/domain/pricing/greeks.ts';
import { bsmGreeksBatch, type BsmBatch } from '../../../../shared/domain/pricing/greeks-batch.ts';
import { loadReference } from '../../../support/reference-data.ts';

function batchOf(rows: { type: 'call' | 'put'; spot: number; strike: number; maturity: number; vol: number; rate: number; yield: number }[]): BsmBatch {
  return {
    isPut: Uint8Array.from(rows, (r) => (r.type === 'put' ? 1 : 0)),
    spot: Float64Array.from(rows, (r) => r.spot),
    strike: Float64Array.from(rows, (r) => r.strike),
    maturity: Float64Array.from(rows, (r) => r.maturity),
    vol: Float64Array.from(rows, (r) => r.vol),
    rate: Float64Array.from(rows, (r) => r.rate),
    yield: Float64Array.from(rows, (r) => r.yield),
  };
}

describe('batch Greeks over typed arrays', () => {
  const rows = loadReference('bsm-greeks.json').map((c) => ({
    type: c.type,
    spot: c.spot!,
    strike: c.strike,
    maturity: c.maturity,
    vol: c.vol,
    rate: c.rate,
    yield: c.yield!,
  }));

  it('gives exactly the per-option numbers, row-major in GREEK_FIELDS order', () => {
    const out = bsmGreeksBatch(batchOf(rows));
    expect(out.length).toBe(rows.length * GREEK_COUNT);
    rows.forEach((row, i) => {
      const single = bsmGreeks(row);
      GREEK_FIELDS.forEach((field, j) => expect(out[i * GREEK_COUNT + j]).toBe(single[field]));
    });
  });

  it('reuses a caller buffer', () => {
    const out = new Float64Array(4 * GREEK_COUNT);
    const result = bsmGreeksBatch(batchOf(rows.slice(0, 4)), out);
    expect(result).toBe(out);
    expect(out[0]).toBe(bsmGreeks(rows[0]!).price);
  });

  it('rejects a bad row by name before computing anything, leaving the buffer untouched', () => {
    const bad = rows.slice(0, 5).map((r, i) => (i === 3 ? { ...r, vol: Number.NaN } : r));
    const out = new Float64Array(5 * GREEK_COUNT).fill(7);
    expect(() => bsmGreeksBatch(batchOf(bad), out)).toThrow(new InvalidInputError('vol[3]', Number.NaN, 'must be a finite number >= 0'));
    expect(out.every((v) => v === 7)).toBe(true);
    const negativeSpot = rows.slice(0, 2).map((r, i) => (i === 1 ? { ...r, spot: -5 } : r));
    expect(() => bsmGreeksBatch(batchOf(negativeSpot))).toThrow('spot[1] must be a finite number > 0 (got -5)');
  });

  it('rejects arrays of different lengths', () => {
    const batch = { ...batchOf(rows.slice(0, 3)), vol: new Float64Array(2) };
    expect(() => bsmGreeksBatch(batch)).toThrow('vol.length must equal spot.length (3)');
  });
});
