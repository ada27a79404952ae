/**
 * Unconstrained minimisation by BFGS (Broyden–Fletcher–Goldfarb–Shanno) with the
 * inverse-Hessian update and a backtracking Armijo line search: the workhorse of
 * maximum likelihood on a handful of smooth parameters, where the gradient is analytic.
 *
 *   pₖ = −Hₖ·gₖ,   xₖ₊₁ = xₖ + tₖ·pₖ  (tₖ halved until f falls by ≥ 10⁻⁴·tₖ·gₖᵀpₖ),
 *   Hₖ₊₁ = (I − ρ·s·yᵀ)·Hₖ·(I − ρ·y·sᵀ) + ρ·s·sᵀ,   s = xₖ₊₁ − xₖ, y = gₖ₊₁ − gₖ, ρ = 1/yᵀs.
 *
 * H₀ is the identity rescaled after the first step by yᵀs/yᵀy (Shanno's scaling), so the
 * first trial step of every later iteration is about the right length. The update is
 * skipped when yᵀs is not positive (the curvature condition fails on a backtracked
 * step), which keeps H positive definite. It stops when the gradient is below the
 * tolerance or when the decrease a full step promises is below f's rounding (no line
 * search could see it any more). A non-finite objective (parameters where
 * the model is undefined) is treated as "too far" and the step is shortened.
 *
 * @see J. Nocedal, S. J. Wright, "Numerical Optimization", 2nd ed. (2006), §6.1 and
 *      Algorithm 3.1.
 */

/** f(x), writing ∇f(x) into `gradientOut`. */
export type ObjectiveWithGradient = (x: Float64Array, gradientOut: Float64Array) => number;

export interface BfgsOptions {
  /** Stop when every |∂f/∂xᵢ| is below this. Default 1e-9. */
  readonly gradientTolerance?: number;
  /** Stop after this many iterations. Default 200. */
  readonly maxIterations?: number;
}

export interface BfgsResult {
  /** The minimiser found. */
  readonly x: Float64Array;
  /** f at x. */
  readonly value: number;
  /** ∇f at x. */
  readonly gradient: Float64Array;
  readonly iterations: number;
  /** Objective evaluations, line searches included. */
  readonly evaluations: number;
  /**
   * True when the gradient test passed, or when the decrease a full step promises is
   * below f's rounding (the gradient is then as small as f can resolve); false when the
   * search stalled otherwise or ran out of iterations.
   */
  readonly converged: boolean;
}

const ARMIJO = 1e-4;
const MAX_HALVINGS = 60;
/** A relative change of f that double rounding can still resolve (a few ulps). */
const ROUNDING_LIMIT = 4 * Number.EPSILON;

const maxAbs = (v: Float64Array): number => {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
};

/**
 * Minimises `objective` from `start` by BFGS.
 *
 * @example
 * // f(x, y) = (x − 1)² + 10·(y + 2)², minimum at (1, −2)
 * const f = (x: Float64Array, g: Float64Array) => {
 *   g[0] = 2 * (x[0]! - 1); g[1] = 20 * (x[1]! + 2);
 *   return (x[0]! - 1) ** 2 + 10 * (x[1]! + 2) ** 2;
 * };
 * minimiseBfgs(f, [0, 0]).x // Float64Array [1, −2] (to ~1e-10)
 */
export function minimiseBfgs(objective: ObjectiveWithGradient, start: ArrayLike<number>, options: BfgsOptions = {}): BfgsResult {
  const gradientTolerance = options.gradientTolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 200;
  const n = start.length;
  let x = Float64Array.from(start);
  let g = new Float64Array(n);
  let f = objective(x, g);
  let evaluations = 1;
  if (!Number.isFinite(f)) return { x, value: f, gradient: g, iterations: 0, evaluations, converged: false };

  const inverseHessian = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inverseHessian[i * n + i] = 1;
  const direction = new Float64Array(n);
  const hy = new Float64Array(n);
  let trialX = new Float64Array(n);
  let trialG = new Float64Array(n);
  let iterations = 0;
  let converged = maxAbs(g) < gradientTolerance;

  while (!converged && iterations < maxIterations) {
    iterations++;
    let slope = 0;
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0; j < n; j++) d -= inverseHessian[i * n + j]! * g[j]!;
      direction[i] = d;
      slope += d * g[i]!;
    }
    if (!(slope < 0)) {
      // Not a descent direction (H has lost its way): restart from steepest descent.
      inverseHessian.fill(0);
      for (let i = 0; i < n; i++) {
        inverseHessian[i * n + i] = 1;
        direction[i] = -g[i]!;
      }
      slope = -g.reduce((sum, gi) => sum + gi * gi, 0);
    }
    // The full step would lower f by about −slope/2: below f's rounding, no line search can
    // see it, and the gradient is as small as this objective can make it.
    if (-slope < ROUNDING_LIMIT * Math.abs(f)) {
      converged = true;
      break;
    }

    let step = 1;
    let trialF = NaN;
    let accepted = false;
    for (let k = 0; k < MAX_HALVINGS; k++) {
      for (let i = 0; i < n; i++) trialX[i] = x[i]! + step * direction[i]!;
      trialF = objective(trialX, trialG);
      evaluations++;
      if (Number.isFinite(trialF) && trialF <= f + ARMIJO * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break; // no decrease along a descent direction: f is flat to rounding here

    // s = Δx, y = Δg; update H unless the curvature yᵀs is not positive.
    let ys = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      const s = trialX[i]! - x[i]!;
      const y = trialG[i]! - g[i]!;
      direction[i] = s; // reuse: direction now holds s
      hy[i] = y; // and hy holds y until H·y is formed below
      ys += y * s;
      yy += y * y;
    }
    if (ys > 1e-300 && Number.isFinite(ys)) {
      if (iterations === 1) {
        const scale = ys / yy;
        for (let i = 0; i < n * n; i++) inverseHessian[i] = inverseHessian[i]! * scale;
      }
      const y = Float64Array.from(hy);
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += inverseHessian[i * n + j]! * y[j]!;
        hy[i] = v;
      }
      let yHy = 0;
      for (let i = 0; i < n; i++) yHy += y[i]! * hy[i]!;
      const rho = 1 / ys;
      const c = (1 + rho * yHy) * rho;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          inverseHessian[i * n + j] = inverseHessian[i * n + j]! - rho * (hy[i]! * direction[j]! + direction[i]! * hy[j]!) + c * direction[i]! * direction[j]!;
        }
      }
    }

    const previousF = f;
    [x, trialX] = [trialX, x];
    [g, trialG] = [trialG, g];
    f = trialF;
    converged = maxAbs(g) < gradientTolerance;
    // A full step that moves x by < 1e-12 and f by less than rounding: nothing left to gain.
    if (!converged && previousF - f <= 1e-16 * Math.abs(f) && step === 1 && maxAbs(direction) < 1e-12) break;
  }
  return { x, value: f, gradient: g, iterations, evaluations, converged };
}
