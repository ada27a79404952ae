/**
 * Generalised Black-Scholes-Merton: European options on an underlying with continuous
 * carry/dividend yield q, price and seven raw Greeks in one pass.
 *
 * Precision: the price is formed like {@link normalisedBlackCall} (no cancellation out
 * of the money); delta, rho and the carry part of theta use N(±d) = φ·Y, which keeps
 * full relative precision in the tails; theta is assembled as
 *   θ = q·V + (q − r)·K·e^{−rT}·N(d2) − S·e^{−qT}·φ(d1)·σ/(2√T)         (call)
 * so that the two large, nearly equal terms of the textbook form never meet.
 * Limits: T = 0 (expiry) and σ = 0 return the T→0⁺ / σ→0⁺ limits (intrinsic value, a
 * step delta, zero gamma away from the strike and +Infinity exactly at it).
 *
 * @see M. Garman, S. Kohlhagen; E. G. Haug, "The Complete Guide to Option Pricing
 *      Formulas", 2nd ed., ch. 1 (generalised Black-Scholes-Merton and its Greeks).
 */
import { ERF_CENTRAL_LIMIT, erfcxLarge, erfcxMid, erfSmall } from '../math/error-function.ts';
import { ONE_OVER_SQRT_TWO, ONE_OVER_SQRT_TWO_PI, SQRT_HALF_PI } from '../math/normal-distribution.ts';
import { GREEK_COUNT, type OptionGreeks } from './greeks.ts';
import { FIRST_TERM_DOMINATES, millsDifferenceSeries, needsMillsSeries, normalisedBlackCall } from './normalised-black.ts';
import { allocateBsmBatch, type BsmBatch } from './option-batch.ts';
import { logForwardMoneyness, validateBsmInput, type BsmInput } from './option-inputs.ts';

/**
 * Writes price, delta, gamma, vega, theta, rho, vanna, volga (the {@link GREEK_FIELDS}
 * order) of row `row` of a batch into `out[offset..offset+7]`. No validation and no
 * allocation: the inner loop of the batch API. Callers validate first.
 *
 * The whole set costs one log, three exponentials, one square root and two Mills
 * ratios (erfcx): with h = x/s ≤ 0 the out-of-the-money side is priced as
 *   A·φ(h+t)·[Y(h+t) − Y(h−t)],
 * and the same two Mills ratios give N(±d1), N(±d2) for delta, rho and theta
 * (N(z) = φ(z)·Y(z)); the in-the-money option adds the forward intrinsic value
 * K·e^{−rT}·|expm1(x)| by parity. Where the bracket would cancel, the all-positive
 * series of {@link millsDifferenceSeries} replaces it (see normalised-black.ts).
 *
 */
export function bsmGreeksRowInto(batch: BsmBatch, row: number, out: Float64Array, offset: number): void {
  const isPut = batch.isPut[row] === 1;
  const spot = batch.spot[row]!;
  const strike = batch.strike[row]!;
  const maturity = batch.maturity[row]!;
  const vol = batch.vol[row]!;
  const rate = batch.rate[row]!;
  const carry = batch.yield[row]!;
  const discountCarry = Math.exp(-carry * maturity);
  const discountRate = Math.exp(-rate * maturity);
  const sqrtT = Math.sqrt(maturity);
  const s = vol * sqrtT;
  const x = logForwardMoneyness(spot, strike, rate, carry, maturity);
  const spotPv = spot * discountCarry;
  const strikePv = strike * discountRate;
  const theta = isPut ? -1 : 1;

  const h = x / s;
  // σ√T = 0, or so small against |x| that x/σ√T overflows: the σ√T → 0 limit.
  if (!(s > 0) || !(h - h === 0)) {
    degenerateGreeksInto(theta, x, spotPv, strikePv, discountCarry, strike, maturity, sqrtT, vol, rate, carry, out, offset);
    return;
  }

  const t = 0.5 * s;
  const d1 = h + t;
  const d2 = h - t;
  // The out-of-the-money side: a call when x ≤ 0, a put when x > 0. Its two Black terms
  // have arguments zHigh = −|h| + t and zLow = −|h| − t; `weightHigh·φ(zHigh)` equals
  // `weightLow·φ(zLow)` (the identity S·e^{−qT}·φ(d1) = K·e^{−rT}·φ(d2)).
  const otmIsCall = x <= 0;
  const hOtm = otmIsCall ? h : -h;
  const zHigh = hOtm + t;
  const zLow = hOtm - t;
  const weightHigh = otmIsCall ? spotPv : strikePv;
  const weightLow = otmIsCall ? strikePv : spotPv;
  const pdfHigh = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * zHigh * zHigh);
  const pdfLow = (pdfHigh * weightHigh) / weightLow;

  // The two Mills ratios Y(zLow) and Y(±zHigh), evaluated in one loop body on purpose:
  // the erfcx pieces are then inlined once, which keeps the kernel within V8's inlining
  // budget (no boxed doubles crossing calls) — worth ~20% of batch throughput.
  // Every argument y = −z/√2 here is ≥ −0.46875, the central erf interval, because the
  // first-term-dominates switch sits at zHigh = 0.46875·√2.
  const zHighArg = zHigh > FIRST_TERM_DOMINATES ? -zHigh : zHigh;
  let millsLow = 0;
  let millsHighArg = 0;
  for (let k = 0; k < 2; k++) {
    const y = (k === 0 ? zLow : zHighArg) * -ONE_OVER_SQRT_TWO;
    const scaled = y <= ERF_CENTRAL_LIMIT ? (1 - erfSmall(y)) * Math.exp(y * y) : y <= 4 ? erfcxMid(y) : erfcxLarge(y);
    if (k === 0) millsLow = SQRT_HALF_PI * scaled;
    else millsHighArg = SQRT_HALF_PI * scaled;
  }
  const cdfLow = pdfLow * millsLow; // zLow < 0 always
  let cdfHigh: number; // N(zHigh)
  let tailHigh: number; // 1 − N(zHigh) = N(−zHigh), kept apart: it can be tiny
  let otmPrice: number;
  if (zHigh > FIRST_TERM_DOMINATES) {
    // N(zHigh) ≥ 0.75: its term dominates (cancellation ≤ ~2x); Y(zHigh) itself could overflow.
    tailHigh = pdfHigh * millsHighArg;
    cdfHigh = 1 - tailHigh;
    otmPrice = weightHigh * cdfHigh - weightLow * cdfLow;
  } else {
    cdfHigh = pdfHigh * millsHighArg;
    tailHigh = 1 - cdfHigh;
    const difference = needsMillsSeries(hOtm, t) ? millsDifferenceSeries(hOtm, t) : millsHighArg - millsLow;
    otmPrice = weightHigh * pdfHigh * difference;
  }

  // N(θ·d1), N(θ·d2) of the option asked for. For the out-of-the-money call they are
  // N(zHigh), N(zLow); for the out-of-the-money put N(zLow), N(zHigh); the in-the-money
  // option takes the complements (N(−z) = 1 − N(z), formed where it does not cancel).
  const isOtm = otmIsCall === !isPut;
  let cdf1: number;
  let cdf2: number;
  if (otmIsCall) {
    cdf1 = isOtm ? cdfHigh : tailHigh;
    cdf2 = isOtm ? cdfLow : 1 - cdfLow;
  } else {
    cdf1 = isOtm ? cdfLow : 1 - cdfLow;
    cdf2 = isOtm ? cdfHigh : tailHigh;
  }
  const pdf1 = otmIsCall ? pdfHigh : pdfLow;
  // Forward intrinsic value |S·e^{−qT} − K·e^{−rT}| = K·e^{−rT}·|e^x − 1|; expm1 where the
  // plain difference would cancel (|x| < 1/2 loses at most a factor of ~2.5 otherwise).
  const intrinsic = isOtm ? 0 : x < 0.5 && x > -0.5 ? strikePv * Math.abs(Math.expm1(x)) : Math.abs(spotPv - strikePv);
  const price = otmPrice + intrinsic;
  const vega = spotPv * pdf1 * sqrtT;

  out[offset] = price;
  out[offset + 1] = theta * discountCarry * cdf1;
  out[offset + 2] = (discountCarry * pdf1) / spot / s; // not /(spot·s): that product can underflow
  out[offset + 3] = vega;
  out[offset + 4] = carry * price + theta * (carry - rate) * strikePv * cdf2 - (0.5 * spotPv * pdf1 * vol) / sqrtT;
  out[offset + 5] = theta * strike * maturity * discountRate * cdf2;
  out[offset + 6] = (-discountCarry * pdf1 * d2) / vol;
  out[offset + 7] = (vega * d1 * d2) / vol;
}

/**
 * σ√T = 0: expiry (T = 0) or zero volatility. The option is worth its discounted forward
 * intrinsic value; d1 and d2 tend to ±∞ off the forward-money point and to 0 on it.
 */
function degenerateGreeksInto(
  theta: number,
  x: number,
  spotPv: number,
  strikePv: number,
  discountCarry: number,
  strike: number,
  maturity: number,
  sqrtT: number,
  vol: number,
  rate: number,
  carry: number,
  out: Float64Array,
  offset: number,
): void {
  const moneyness = theta * x; // > 0 in the money
  const step = moneyness > 0 ? 1 : moneyness < 0 ? 0 : 0.5; // N(θ·d) in the limit
  const atTheMoney = x === 0;
  const pdf = atTheMoney ? ONE_OVER_SQRT_TWO_PI : 0;
  const price = moneyness > 0 ? Math.max(theta * (spotPv - strikePv), 0) : 0;
  let timeDecay = 0;
  if (atTheMoney && vol > 0) timeDecay = -Infinity; // T → 0⁺ at the strike: −σ·S·φ(0)/(2√T)
  out[offset] = price;
  out[offset + 1] = theta * discountCarry * step;
  out[offset + 2] = atTheMoney ? Infinity : 0;
  out[offset + 3] = spotPv * pdf * sqrtT;
  out[offset + 4] = carry * price + theta * (carry - rate) * strikePv * step + timeDecay;
  out[offset + 5] = theta * strike * maturity * (strikePv / strike) * step;
  out[offset + 6] = 0.5 * discountCarry * pdf * sqrtT;
  out[offset + 7] = 0;
}

// One-row batch and output for the per-option API (the functions stay pure: nothing
// survives a call).
const single = allocateBsmBatch(1);
const scratch = new Float64Array(GREEK_COUNT);

/** Sets row `row` of a batch. */
export function writeRow(
  batch: BsmBatch,
  row: number,
  isPut: boolean,
  spot: number,
  strike: number,
  maturity: number,
  vol: number,
  rate: number,
  carry: number,
): void {
  batch.isPut[row] = isPut ? 1 : 0;
  batch.spot[row] = spot;
  batch.strike[row] = strike;
  batch.maturity[row] = maturity;
  batch.vol[row] = vol;
  batch.rate[row] = rate;
  batch.yield[row] = carry;
}

/** Builds the Greeks object from a flat row. */
export function greeksFromRow(row: Float64Array, offset = 0): OptionGreeks {
  return {
    price: row[offset]!,
    delta: row[offset + 1]!,
    gamma: row[offset + 2]!,
    vegaPerUnitVol: row[offset + 3]!,
    thetaPerYear: row[offset + 4]!,
    rhoPerUnitRate: row[offset + 5]!,
    vannaPerUnitVol: row[offset + 6]!,
    volgaPerUnitVol2: row[offset + 7]!,
  };
}

/**
 * Price and Greeks of a European option under generalised Black-Scholes-Merton.
 * Throws {@link InvalidInputError} on NaN, infinite or out-of-domain inputs.
 *
 * @example
 * bsmGreeks({ type: 'call', spot: 100, strike: 100, maturity: 1, vol: 0.2, rate: 0.05, yield: 0 })
 * // { price: 10.450583572185565, delta: 0.6368306511756191, gamma: 0.018762017345846895, ... }
 */
export function bsmGreeks(input: BsmInput): OptionGreeks {
  validateBsmInput(input);
  writeRow(single, 0, input.type === 'put', input.spot, input.strike, input.maturity, input.vol, input.rate, input.yield);
  bsmGreeksRowInto(single, 0, scratch, 0);
  return greeksFromRow(scratch);
}

/**
 * Price only (same precision as {@link bsmGreeks}, less work).
 *
 * @example bsmPrice({ type: 'put', spot: 100, strike: 95, maturity: 0.5, vol: 0.2, rate: 0.1, yield: 0.05 }) // 2.4648...
 */
export function bsmPrice(input: BsmInput): number {
  validateBsmInput(input);
  const { spot, strike, maturity: T, vol, rate, yield: q } = input;
  const s = vol * Math.sqrt(T);
  const x = logForwardMoneyness(spot, strike, rate, q, T);
  const theta = input.type === 'put' ? -1 : 1;
  const spotPv = spot * Math.exp(-q * T);
  const strikePv = strike * Math.exp(-rate * T);
  if (!(s > 0)) return theta * x > 0 ? Math.max(theta * (spotPv - strikePv), 0) : 0;
  return Math.sqrt(spotPv * strikePv) * normalisedBlackCall(theta * x, s);
}
