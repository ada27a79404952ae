/**
 * The Hessian of a function at a point, by central differences of its analytic
 * gradient: column j is (∇f(x + hⱼeⱼ) − ∇f(x − hⱼeⱼ)) / 2hⱼ, then symmetrised.
 *
 * Differencing the gradient rather than f itself is what makes the standard errors of a
 * maximum-likelihood fit trustworthy to 6-8 digits: the truncation error is O(h²) and
 * the rounding error O(ε/h) instead of O(ε/h²), so with h ≈ ε^⅓·scale both stay near
 * 10⁻¹⁰ relative.
 *
 * @see J. Nocedal, S. J. Wright, "Numerical Optimization", 2nd ed. (2006), §8.1.
 */

/** ∇f(x) written into `out`. */
export type Gradient = (x: Float64Array, out: Float64Array) => void;

/** The relative step, ε^⅓ ≈ 6e-6, balancing truncation against rounding. */
const RELATIVE_STEP = Math.cbrt(Number.EPSILON);

/**
 * The symmetric Hessian of f at x from its gradient. `scales[i]` is the typical size of
 * xᵢ (the step is RELATIVE_STEP·max(|xᵢ|, scales[i])), so a parameter near 0 still gets a
 * step of a sensible size. Rows are arrays of length n.
 *
 * @example
 * // f(x, y) = x²y + y³ has ∇f = (2xy, x² + 3y²) and Hessian [[2y, 2x], [2x, 6y]]
 * const grad = (x: Float64Array, out: Float64Array) => { out[0] = 2 * x[0]! * x[1]!; out[1] = x[0]! ** 2 + 3 * x[1]! ** 2; };
 * hessianFromGradient(grad, [1, 2], [1, 1]) // [[4, 2], [2, 12]] (to ~1e-10)
 */
export function hessianFromGradient(gradient: Gradient, x: ArrayLike<number>, scales: ArrayLike<number>): number[][] {
  const n = x.length;
  const point = Float64Array.from(x);
  const plus = new Float64Array(n);
  const minus = new Float64Array(n);
  const columns: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const xj = point[j]!;
    // A step that is exactly representable, so (x + h) − (x − h) is exactly 2h.
    const h = xj + RELATIVE_STEP * Math.max(Math.abs(xj), scales[j]!) - xj;
    point[j] = xj + h;
    gradient(point, plus);
    point[j] = xj - h;
    gradient(point, minus);
    point[j] = xj;
    const column = new Float64Array(n);
    for (let i = 0; i < n; i++) column[i] = (plus[i]! - minus[i]!) / (2 * h);
    columns.push(column);
  }
  const hessian: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) row.push(0.5 * (columns[j]![i]! + columns[i]![j]!));
    hessian.push(row);
  }
  return hessian;
}

/**
 * The inverse of a symmetric positive-definite matrix by its Cholesky factor, or
 * undefined when the matrix is not positive definite (a pivot ≤ 0 or not finite): the
 * caller then knows that the information matrix is singular and the standard errors
 * do not exist, instead of getting garbage from a general inverse.
 *
 * @example
 * invertPositiveDefinite([[4, 2], [2, 3]]) // [[0.375, −0.25], [−0.25, 0.5]]
 * invertPositiveDefinite([[1, 2], [2, 1]]) // undefined (eigenvalues 3 and −1)
 */
export function invertPositiveDefinite(matrix: readonly (readonly number[])[]): number[][] | undefined {
  const n = matrix.length;
  // L with A = L·Lᵀ.
  const lower: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i]![j]!;
      for (let k = 0; k < j; k++) sum -= lower[i]![k]! * lower[j]![k]!;
      if (i === j) {
        if (!(sum > 0 && Number.isFinite(sum))) return undefined;
        lower[i]![i] = Math.sqrt(sum);
      } else {
        lower[i]![j] = sum / lower[j]![j]!;
      }
    }
  }
  // A⁻¹ = L⁻ᵀ·L⁻¹: solve L·Lᵀ·x = eₖ for each unit vector.
  const inverse: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const y = new Array<number>(n);
  for (let col = 0; col < n; col++) {
    for (let i = 0; i < n; i++) {
      let sum = i === col ? 1 : 0;
      for (let k = 0; k < i; k++) sum -= lower[i]![k]! * y[k]!;
      y[i] = sum / lower[i]![i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = y[i]!;
      for (let k = i + 1; k < n; k++) sum -= lower[k]![i]! * inverse[k]![col]!;
      inverse[i]![col] = sum / lower[i]![i]!;
    }
  }
  return inverse;
}
