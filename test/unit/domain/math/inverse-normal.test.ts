import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inverseNormCdf } from '../../../../shared/domain/math/inverse-normal.ts';
import { normCdf, normPdf } from '../../../../shared/domain/math/normal-distribution.ts';

const EPS = Number.EPSILON; // 2^-52

/**
 * Exact quantiles N⁻¹(p) of the double p (40-digit mpmath: −√2·erfinv(1 − 2p), or a
 * root of ln N(z) = ln p in the far tail), rounded to 20 digits. The set straddles the
 * region boundaries of AS 241: |p − ½| = 0.425 (p = 0.075, 0.925) and r = √(−ln p) = 5
 * (p = e^{−25} ≈ 1.3887943864964021e-11). Quantiles are strings: Number() rounds them
 * correctly, and the literal keeps all 20 digits.
 */
const QUANTILES: readonly (readonly [number, string])[] = [
  [0.5, '0.0'],
  [0.5000001, '2.5066282733116483012e-7'],
  [0.51, '0.025068908258711058033'],
  [0.6, '0.25334710313579974132'],
  [0.75, '0.6744897501960817432'],
  [0.8413447460685429, '0.99999999999999990574'],
  [0.9, '1.2815515655446005935'],
  [0.925, '1.4395314709384562291'],
  [0.9250000000000002, '1.4395314709384570134'],
  [0.95, '1.6448536269514722843'],
  [0.975, '1.9599639845400538556'],
  [0.99, '2.3263478740408407676'],
  [0.999, '3.0902323061678132778'],
  [0.999999, '4.7534243088170877657'],
  [0.9999999999990905, '7.0477002566644087254'],
  [0.9999999999999999, '8.2095361516013868556'],
  [0.4, '-0.25334710313579974132'],
  [0.25, '-0.6744897501960817432'],
  [0.1586552539314571, '-0.99999999999999979103'],
  [0.1, '-1.2815515655446004353'],
  [0.075, '-1.4395314709384559349'],
  [0.07499999999999998, '-1.439531470938456033'],
  [0.05, '-1.644853626951472688'],
  [0.025, '-1.9599639845400542118'],
  [0.01, '-2.3263478740408410931'],
  [0.001, '-3.0902323061678135354'],
  [1e-5, '-4.2648907939228246102'],
  [1.3887943864964021e-11, '-6.6579046435011035837'],
  [1.388794386496402e-11, '-6.6579046435011036008'],
  [1e-12, '-7.0344838253011319326'],
  [1e-20, '-9.2623400897984075796'],
  [1e-50, '-14.933337534788488981'],
  [1e-100, '-21.273453560965324294'],
  [1e-200, '-30.205594179579643063'],
  [1e-300, '-37.047096299361199237'],
  [1e-310, '-37.663060331949523732'],
  [5e-324, '-38.467405617144346251'],
];

/**
 * How exactly z = N⁻¹(p) reproduces p. A relative error δ in z moves the smaller tail
 * probability P = min(p, 1 − p) by κ·δ with κ = |z|·φ(z)/P (≈ z² far out, e.g. ~1400 at
 * p = 1e-300), so even the correctly rounded quantile only reproduces p to ~κ·ε/2: the
 * round trip is checked against (4 + 4κ)·ε, i.e. z right to about 4 ulps, plus the
 * rounding of normCdf itself.
 */
function roundTripError(p: number): { error: number; allowed: number } {
  const z = inverseNormCdf(p);
  const tail = Math.min(p, 1 - p);
  const back = p < 0.5 ? normCdf(z) : normCdf(-z);
  const kappa = (Math.abs(z) * normPdf(z)) / tail;
  return { error: Math.abs(back - tail) / tail, allowed: (4 + 4 * kappa) * EPS };
}

describe('inverseNormCdf', () => {
  it('matches 40-digit quantiles to 3 ulps, across all three AS 241 regions', () => {
    for (const [p, digits] of QUANTILES) {
      const exact = Number(digits);
      const z = inverseNormCdf(p);
      if (exact === 0) {
        expect(z).toBe(0);
        continue;
      }
      expect(Math.abs(z - exact) / Math.abs(exact), `p = ${p}`).toBeLessThanOrEqual(3 * EPS);
    }
  });

  it('gives the familiar quantiles', () => {
    expect(inverseNormCdf(0.975)).toBeCloseTo(1.959963984540054, 15);
    expect(inverseNormCdf(0.025)).toBeCloseTo(-1.959963984540054, 15);
    expect(inverseNormCdf(0.5)).toBe(0);
    expect(inverseNormCdf(normCdf(1))).toBeCloseTo(1, 14); // normCdf(1) itself is rounded
  });

  it('has the limits and NaN of a Math function outside (0, 1)', () => {
    expect(inverseNormCdf(0)).toBe(-Infinity);
    expect(inverseNormCdf(1)).toBe(Infinity);
    expect(inverseNormCdf(-0.1)).toBeNaN();
    expect(inverseNormCdf(1.5)).toBeNaN();
    expect(inverseNormCdf(Number.NaN)).toBeNaN();
    expect(inverseNormCdf(Infinity)).toBeNaN();
  });

  it('is antisymmetric where 1 − p is exact, and monotone', () => {
    for (let k = 2; k <= 1074; k += 7) {
      const p = 2 ** -k;
      if (1 - p === 1) break; // 1 − p no longer representable
      expect(inverseNormCdf(1 - p)).toBe(-inverseNormCdf(p));
    }
    for (const q of [0.0625, 0.125, 0.25, 0.375, 0.40625, 0.4375, 0.46875]) {
      expect(inverseNormCdf(0.5 + q)).toBe(-inverseNormCdf(0.5 - q));
    }
    let previous = -Infinity;
    for (let e = -320; e < 0; e += 0.01) {
      const z = inverseNormCdf(10 ** e);
      expect(z).toBeGreaterThanOrEqual(previous);
      previous = z;
    }
    previous = -Infinity;
    for (let p = 0.01; p < 1; p += 0.0007) {
      const z = inverseNormCdf(p);
      expect(z).toBeGreaterThanOrEqual(previous);
      previous = z;
    }
  });

  it('round-trips with normCdf over p ∈ [1e-300, 1 − 1e-16] (log grid in both tails)', () => {
    let worst = 0;
    const grid: number[] = [];
    for (let e = -300; e <= -0.3; e += 0.05) grid.push(10 ** e);
    for (let e = -16; e <= -0.3; e += 0.05) grid.push(1 - 10 ** e);
    for (let i = 1; i < 1000; i++) grid.push(i / 1000);
    for (const p of grid) {
      const { error, allowed } = roundTripError(p);
      expect(error, `p = ${p}`).toBeLessThanOrEqual(allowed);
      worst = Math.max(worst, error / allowed);
    }
    expect(worst).toBeLessThan(1);
  });

  it('round-trips for random doubles (fast-check)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1 - 1e-16, noNaN: true }), (p) => {
        const { error, allowed } = roundTripError(p);
        return error <= allowed;
      }),
      { numRuns: 2000 },
    );
    // and uniformly in log scale, where the interesting tail lives
    fc.assert(
      fc.property(fc.double({ min: -300, max: -0.31, noNaN: true }), (e) => {
        const { error, allowed } = roundTripError(10 ** e);
        return error <= allowed;
      }),
      { numRuns: 2000 },
    );
  });
});
