/**
 * Just enough double-double arithmetic (a value as an unevaluated sum hi + lo, ~106 bits)
 * to compute a log-moneyness that cancels: ln(S/K) + (r − q)·T when the two terms nearly
 * cancel (a strike at the forward). Only that rare path uses it.
 *
 * @see T. J. Dekker, "A floating-point technique for extending the available precision",
 *      Numer. Math. 18 (1971) 224-242 (exact sum and product of two doubles).
 */

/** hi + lo with |lo| ≤ ulp(hi)/2. */
export interface DoubleDouble {
  readonly hi: number;
  readonly lo: number;
}

const SPLITTER = 134217729; // 2^27 + 1

/** a + b exactly, as hi + lo. */
export function twoSum(a: number, b: number): DoubleDouble {
  const hi = a + b;
  const bVirtual = hi - a;
  const lo = a - (hi - bVirtual) + (b - bVirtual);
  return { hi, lo };
}

/** a · b exactly, as hi + lo (Dekker's split; no fused multiply-add in JavaScript). */
export function twoProduct(a: number, b: number): DoubleDouble {
  const hi = a * b;
  let t = SPLITTER * a;
  const aHi = t - (t - a);
  const aLo = a - aHi;
  t = SPLITTER * b;
  const bHi = t - (t - b);
  const bLo = b - bHi;
  const lo = aHi * bHi - hi + aHi * bLo + aLo * bHi + aLo * bLo;
  return { hi, lo };
}

export function ddAdd(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const s = twoSum(a.hi, b.hi);
  const lo = s.lo + a.lo + b.lo;
  return twoSum(s.hi, lo);
}

export function ddMul(a: DoubleDouble, b: DoubleDouble): DoubleDouble {
  const p = twoProduct(a.hi, b.hi);
  const lo = p.lo + a.hi * b.lo + a.lo * b.hi;
  return twoSum(p.hi, lo);
}

export function ddMulNumber(a: DoubleDouble, b: number): DoubleDouble {
  const p = twoProduct(a.hi, b);
  return twoSum(p.hi, p.lo + a.lo * b);
}

export function ddDivNumber(a: DoubleDouble, b: number): DoubleDouble {
  const q1 = a.hi / b;
  const p = twoProduct(q1, b);
  const q2 = (a.hi - p.hi - p.lo + a.lo) / b;
  return twoSum(q1, q2);
}

/**
 * e^a − 1 in double-double for |a| ≤ ~40: the Taylor series after halving the argument
 * below 1/4, then (e^{2y} − 1) = (e^y − 1)·(e^y + 1) back up.
 */
export function ddExpm1(a: DoubleDouble): DoubleDouble {
  let halvings = 0;
  let y = a;
  while (Math.abs(y.hi) > 0.25) {
    y = { hi: y.hi / 2, lo: y.lo / 2 };
    halvings++;
  }
  // Σ_{k≥1} y^k / k!
  let term = y;
  let sum = y;
  for (let k = 2; k < 40; k++) {
    term = ddDivNumber(ddMul(term, y), k);
    sum = ddAdd(sum, term);
    if (Math.abs(term.hi) < 1e-34 * Math.abs(sum.hi)) break;
  }
  for (let i = 0; i < halvings; i++) {
    sum = ddMul(sum, ddAdd(sum, { hi: 2, lo: 0 }));
  }
  return sum;
}
