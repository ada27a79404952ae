import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimiseBfgs } from '../../../../shared/domain/volatility/bfgs.ts';
import { hessianFromGradient, invertPositiveDefinite } from '../../../../shared/domain/volatility/numerical-hessian.ts';

describe('minimiseBfgs', () => {
  it("finds Rosenbrock's minimum (1, 1) from the classic start (−1.2, 1)", () => {
    const rosenbrock = (x: Float64Array, g: Float64Array): number => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -400 * a * (b - a * a) - 2 * (1 - a);
      g[1] = 200 * (b - a * a);
      return 100 * (b - a * a) ** 2 + (1 - a) ** 2;
    };
    const result = minimiseBfgs(rosenbrock, [-1.2, 1], { maxIterations: 500 });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 7);
    expect(result.x[1]).toBeCloseTo(1, 7);
    expect(result.value).toBeLessThan(1e-14);
  });

  it('minimises any positive-definite quadratic ½xᵀAx − bᵀx at the solution of Ax = b', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 100, noNaN: true }), fc.double({ min: 0.1, max: 100, noNaN: true }), fc.double({ min: -0.9, max: 0.9, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), (d1, d2, rho, b1, b2) => {
        const off = rho * Math.sqrt(d1 * d2);
        const f = (x: Float64Array, g: Float64Array): number => {
          g[0] = d1 * x[0]! + off * x[1]! - b1;
          g[1] = off * x[0]! + d2 * x[1]! - b2;
          return 0.5 * (d1 * x[0]! ** 2 + 2 * off * x[0]! * x[1]! + d2 * x[1]! ** 2) - b1 * x[0]! - b2 * x[1]!;
        };
        // Cramer's rule, worked independently of the optimiser.
        const det = d1 * d2 - off * off;
        const result = minimiseBfgs(f, [0, 0], { gradientTolerance: 1e-10, maxIterations: 200 });
        expect(result.x[0]).toBeCloseTo((b1 * d2 - off * b2) / det, 5);
        expect(result.x[1]).toBeCloseTo((d1 * b2 - off * b1) / det, 5);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it('backs off from points where the objective is not finite', () => {
    // −ln x + 10x: minimum at x = 0.1, undefined for x ≤ 0. From x = 1 the first step (to −8) lands outside.
    let outside = 0;
    const f = (x: Float64Array, g: Float64Array): number => {
      g[0] = -1 / x[0]! + 10;
      if (!(x[0]! > 0)) outside++;
      return x[0]! > 0 ? -Math.log(x[0]!) + 10 * x[0]! : NaN;
    };
    const result = minimiseBfgs(f, [1]);
    expect(outside).toBeGreaterThan(0);
    // f resolves x only to about √ε around its minimum.
    expect(result.x[0]).toBeCloseTo(0.1, 7);
    expect(result.converged).toBe(true);
  });
});

describe('hessianFromGradient', () => {
  it('differentiates the gradient of x²y + y³ to [[2y, 2x], [2x, 6y]]', () => {
    const gradient = (x: Float64Array, out: Float64Array): void => {
      out[0] = 2 * x[0]! * x[1]!;
      out[1] = x[0]! ** 2 + 3 * x[1]! ** 2;
    };
    const h = hessianFromGradient(gradient, [1, 2], [1, 1]);
    expect(h[0]![0]).toBeCloseTo(4, 9);
    expect(h[0]![1]).toBeCloseTo(2, 9);
    expect(h[1]![0]).toBeCloseTo(2, 9);
    expect(h[1]![1]).toBeCloseTo(12, 9);
  });
});

describe('invertPositiveDefinite', () => {
  it('inverts [[4, 2], [2, 3]] to [[3/8, −1/4], [−1/4, 1/2]] and refuses an indefinite matrix', () => {
    const inverse = invertPositiveDefinite([
      [4, 2],
      [2, 3],
    ])!;
    expect(inverse[0]![0]).toBeCloseTo(0.375, 15);
    expect(inverse[0]![1]).toBeCloseTo(-0.25, 15);
    expect(inverse[1]![0]).toBeCloseTo(-0.25, 15);
    expect(inverse[1]![1]).toBeCloseTo(0.5, 15);
    expect(
      invertPositiveDefinite([
        [1, 2],
        [2, 1],
      ]),
    ).toBeUndefined();
  });

  it('gives A·A⁻¹ = I for any A = BᵀB + I (positive definite by construction)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 16, maxLength: 16 }), (entries) => {
        const b = [0, 1, 2, 3].map((i) => entries.slice(4 * i, 4 * i + 4));
        const a = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => b.reduce((sum, row) => sum + row[i]! * row[j]!, 0) + (i === j ? 1 : 0)));
        const inverse = invertPositiveDefinite(a)!;
        for (let i = 0; i < 4; i++) {
          for (let j = 0; j < 4; j++) {
            const product = a[i]!.reduce((sum, v, k) => sum + v * inverse[k]![j]!, 0);
            expect(product).toBeCloseTo(i === j ? 1 : 0, 9);
          }
        }
      }),
      { numRuns: 100, seed: 3 },
    );
  });
});
