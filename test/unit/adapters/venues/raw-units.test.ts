/** Policy numbers to raw token amounts: exact in decimal, never the binary double's tail. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalToRaw, toRawUnits } from '../../../../shared/adapters/venues/raw-units.ts';

describe('raw units', () => {
  it.each([
    [0.1, 18, 100000000000000000n],
    [1.1, 18, 1100000000000000000n],
    [1.5, 18, 1500000000000000000n],
    [3000.5, 6, 3000500000n],
    [1e-18, 18, 1n],
    [1e-19, 18, 0n],
    [1.23456789, 6, 1234567n],
    [1e21, 6, 1000000000000000000000000000n],
    [123456789.123, 0, 123456789n],
  ])('%s at %s decimals is %s', (value, decimals, raw) => {
    expect(toRawUnits(value, decimals)).toBe(raw);
  });

  it('keeps the sign, and reads back as the same number (property)', () => {
    expect(decimalToRaw(-2.5e-7, 8)).toBe(-25n);
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 0, max: 6 }), (units, places) => {
        // units / 10^places, a number with at most `places` decimals: its raw amount is exact.
        const value = units / 10 ** places;
        expect(decimalToRaw(value, 18)).toBe(BigInt(units) * 10n ** BigInt(18 - places));
      }),
    );
  });

  it('refuses what is not a positive finite trade size', () => {
    for (const bad of [0, -1, Number.NaN, Infinity]) expect(() => toRawUnits(bad, 18)).toThrow(RangeError);
  });
});
