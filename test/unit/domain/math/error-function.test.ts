import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { erf, erfc, erfcx } from '../../../../shared/domain/math/error-function.ts';
import { normCdf, normMillsRatio, normPdf } from '../../../../shared/domain/math/normal-distribution.ts';

const relativeError = (got: number, want: number): number => Math.abs(got - want) / Math.abs(want);

// Values from mpmath at 50 digits, rounded to 17 significant digits.
const ERFC_TABLE: [number, number][] = [
  [0.1, 0.88753708398171505],
  [0.5, 0.47950012218695348],
  [1, 0.15729920705028513],
  [3, 2.2090496998585441e-5],
  [5, 1.5374597944280349e-12],
  [10, 2.0884875837625449e-45],
  [26, 5.6631924088561432e-296],
  [-2, 1.9953222650189528],
];
const ERFCX_TABLE: [number, number][] = [
  [0.3, 0.73459933456765514],
  [2, 0.25539567631050575],
  [30, 0.018795888861416751],
  [1e8, 5.6418958354775623e-9],
  [-1, 5.0089800807622833],
  [-20, 1.0442939379528289e174],
];

describe('error function family', () => {
  it('matches high-precision values to a few ulps, deep in the tail too', () => {
    for (const [x, want] of ERFC_TABLE) expect(relativeError(erfc(x), want)).toBeLessThan(1e-15);
    for (const [x, want] of ERFCX_TABLE) expect(relativeError(erfcx(x), want)).toBeLessThan(1e-15);
    expect(relativeError(erf(1e-10), 1.1283791670955126e-10)).toBeLessThan(1e-15);
    expect(relativeError(erf(0.5), 0.52049987781304652)).toBeLessThan(1e-15);
  });

  it('keeps the identities erf + erfc = 1 and erfcx = exp(x²)·erfc', () => {
    fc.assert(
      fc.property(fc.double({ min: -6, max: 6, noNaN: true }), (x) => {
        expect(Math.abs(erf(x) + erfc(x) - 1)).toBeLessThan(4e-16);
        expect(relativeError(erfcx(x), Math.exp(x * x) * erfc(x))).toBeLessThan(1e-13);
      }),
    );
  });

  it('normal distribution: symmetric, monotone, tails exact', () => {
    expect(normPdf(0)).toBeCloseTo(0.3989422804014327, 16);
    expect(relativeError(normCdf(-1.959963984540054), 0.025)).toBeLessThan(1e-15);
    expect(relativeError(normCdf(-37), 5.7255712225245771e-300)).toBeLessThan(1e-13);
    expect(relativeError(normMillsRatio(-30) * normPdf(-30), normCdf(-30))).toBeLessThan(1e-13);
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 1e-6, max: 1, noNaN: true }), (z, dz) => {
        expect(Math.abs(normCdf(z) + normCdf(-z) - 1)).toBeLessThan(4e-16);
        expect(normCdf(z + dz)).toBeGreaterThanOrEqual(normCdf(z));
        expect(normMillsRatio(z)).toBeGreaterThan(0);
      }),
    );
  });
});
