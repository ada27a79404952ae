/**
 * Gamma and vega limits with options as hedge instruments: choose option quantities that
 * bring the book's gamma (and vega) back within the account's limits at the least cost;
 * the policy then delta-hedges the result, the options' own delta included, with the
 * perp or spot (which have no gamma or vega).
 *
 * The problem, with qᵢ the signed quantity of option i (units of the underlying), Γ and
 * ν the book's gamma and vega per vol point, γᵢ, νᵢ those of one unit of option i, and
 * pᵢ its premium:
 *
 *   minimise  Σ cᵢ·|qᵢ|        with cᵢ = pᵢ + 1e-9·S (premium notional; the tiny spot
 *                                 term breaks ties and keeps a worthless option from
 *                                 being "free")
 *   subject to |Γ + Σ qᵢγᵢ| ≤ maxAbsGamma            (when configured)
 *              |ν + Σ qᵢνᵢ| ≤ maxAbsVegaPerVolPoint  (when configured)
 *
 * A limit that is configured but not breached is still a constraint, so fixing one Greek
 * never pushes the other out of its limit. Why to the limit and not to zero: the limits
 * are what the operator asked for, the cost grows with |q|, and the residual risk inside
 * the limits is accepted by definition; neutralising to zero would trade (and pay for)
 * more than needed on every breach. The delta side keeps its own hysteresis (band target).
 *
 * It is a linear programme in at most two variables. With one option the feasible set is
 * an interval and the answer is the point of it nearest to 0. With two, the objective is
 * linear on each quadrant and the feasible set is a polygon, so the minimum sits on an
 * intersection of two of the lines {constraint boundaries, q₁ = 0, q₂ = 0}: all such
 * points (at most 15) are enumerated and the cheapest feasible one wins (ties: the first
 * found, a fixed order). If the limits cannot all be met — two options of the same
 * expiry have proportional gamma and vega (ν = Γ·S²·σ·τ/100 for any BSM option), or one
 * option faces both limits — gamma takes priority: the problem is solved again with the
 * gamma limit alone, and the vega breach stays an alert.
 *
 * @see J. C. Hull, "Options, Futures, and Other Derivatives", ch. 19 (making a portfolio
 *      gamma and vega neutral with traded options, then delta neutral with the underlying).
 */
import type { OptionInstrument } from '../../contracts/hedge-policy-config.ts';
import { ONE_OVER_SQRT_TWO_PI } from '../math/normal-distribution.ts';
import { bsmGreeks } from '../pricing/black-scholes-merton.ts';
import { MS_PER_YEAR, THRESHOLD_TOLERANCE } from './policy-constants.ts';
import type { PolicyMarket } from './policy-types.ts';

/** One unit of a hedge option, valued now with the pricing core. */
export interface HedgeOptionQuote {
  readonly id: string;
  /** Premium, USD per unit of the underlying. */
  readonly price: number;
  readonly delta: number;
  /** Units of the underlying per 1 USD move, per unit. */
  readonly gamma: number;
  /** USD per volatility point, per unit. */
  readonly vegaPerVolPoint: number;
  /**
   * The largest gamma and vega (per vol point) an option of this expiry and vol can have
   * (at the forward: e^{−qT}·φ(0)/(S·σ·√T) and S·e^{−qT}·φ(0)·√T/100), the scale that
   * decides whether this one is usable as a hedge (see {@link MIN_USABLE_FRACTION}).
   */
  readonly atmGamma: number;
  readonly atmVegaPerVolPoint: number;
}

/**
 * Values one unit of a configured hedge option with generalised BSM (bsmGreeks) at the
 * market's spot, rate and yield, with its own vol or else the market's implied vol.
 * Returns undefined for an option that cannot hedge anything now: expired (expiryMs ≤
 * nowMs), or with a non-finite Greek (at the strike at expiry).
 */
export function hedgeOptionQuote(instrument: OptionInstrument, market: PolicyMarket, nowMs: number): HedgeOptionQuote | undefined {
  if (!(instrument.expiryMs > nowMs)) return undefined;
  const maturity = (instrument.expiryMs - nowMs) / MS_PER_YEAR;
  const vol = instrument.vol ?? market.impliedVol;
  const g = bsmGreeks({ type: instrument.optionType, spot: market.spot, strike: instrument.strike, maturity, vol, rate: market.rate, yield: market.yield });
  const vegaPerVolPoint = g.vegaPerUnitVol / 100;
  if (!(Number.isFinite(g.price) && Number.isFinite(g.delta) && Number.isFinite(g.gamma) && Number.isFinite(vegaPerVolPoint))) return undefined;
  const sqrtT = Math.sqrt(maturity);
  const carryPdf = Math.exp(-market.yield * maturity) * ONE_OVER_SQRT_TWO_PI;
  const atmGamma = carryPdf / (market.spot * vol * sqrtT); // +Infinity at σ = 0: nothing is usable
  const atmVegaPerVolPoint = (market.spot * carryPdf * sqrtT) / 100;
  return { id: instrument.id, price: g.price, delta: g.delta, gamma: g.gamma, vegaPerVolPoint, atmGamma, atmVegaPerVolPoint };
}

export interface GreekHedgeProblem {
  /** The book's net gamma (units per 1 USD move). */
  readonly gamma: number;
  /** The book's net vega (USD per vol point). */
  readonly vegaPerVolPoint: number;
  readonly maxAbsGamma?: number | undefined;
  readonly maxAbsVegaPerVolPoint?: number | undefined;
  /** One or two instruments (more are ignored). */
  readonly options: readonly HedgeOptionQuote[];
  /** Spot, for the tie-breaking cost term. */
  readonly spot: number;
}

export interface GreekHedgeSolution {
  /** Signed quantity per option of `problem.options` (0 when unused). */
  readonly quantities: readonly number[];
  /** Which limits the quantities satisfy: all configured, gamma alone, or none (no trade). */
  readonly solved: 'all' | 'gamma' | 'none';
}

interface Constraint {
  /** Exposure now. */
  readonly value: number;
  readonly limit: number;
  /** Per-unit contribution of each option. */
  readonly a1: number;
  readonly a2: number;
}

const NO_TRADE_1: readonly number[] = Object.freeze([0]);
const NO_TRADE_2: readonly number[] = Object.freeze([0, 0]);

/**
 * An option is used to fix a Greek only if one unit of it carries at least this fraction
 * of the largest such Greek an option of its expiry and vol can have (the at-the-forward
 * one): far in or out of the money, or at zero vol, gamma and vega underflow towards 0,
 * and "fixing" a breach with such an option would take astronomically many units. A
 * 1-delta wing still has a few % of the at-the-money gamma; 0.1% excludes only options
 * that cannot hedge anything. An unusable option gets quantity 0.
 */
export const MIN_USABLE_FRACTION = 1e-3;

function usable(o: HedgeOptionQuote, problem: GreekHedgeProblem): boolean {
  return (
    (problem.maxAbsGamma !== undefined && Math.abs(o.gamma) >= MIN_USABLE_FRACTION * o.atmGamma) ||
    (problem.maxAbsVegaPerVolPoint !== undefined && Math.abs(o.vegaPerVolPoint) >= MIN_USABLE_FRACTION * o.atmVegaPerVolPoint)
  );
}

/** Least-cost option quantities that bring gamma (and vega) within the limits; see the module comment. */
export function solveGreekHedge(problem: GreekHedgeProblem): GreekHedgeSolution {
  const count = Math.min(problem.options.length, 2);
  if (count === 0) return { quantities: [], solved: 'none' };
  const usableIndexes: number[] = [];
  for (let i = 0; i < count; i++) if (usable(problem.options[i]!, problem)) usableIndexes.push(i);
  const inner = solveUsable({ ...problem, options: usableIndexes.map((i) => problem.options[i]!) });
  const quantities = count === 2 ? [0, 0] : [0];
  usableIndexes.forEach((optionIndex, k) => (quantities[optionIndex] = inner.quantities[k] ?? 0));
  return { quantities, solved: inner.solved };
}

function solveUsable(problem: GreekHedgeProblem): GreekHedgeSolution {
  const n = problem.options.length;
  const noTrade = n === 2 ? NO_TRADE_2 : NO_TRADE_1;
  if (n === 0) return { quantities: [], solved: 'none' };
  const o1 = problem.options[0]!;
  const o2 = n === 2 ? problem.options[1]! : undefined;
  const gammaC: Constraint | undefined =
    problem.maxAbsGamma === undefined ? undefined : { value: problem.gamma, limit: problem.maxAbsGamma, a1: o1.gamma, a2: o2 ? o2.gamma : 0 };
  const vegaC: Constraint | undefined =
    problem.maxAbsVegaPerVolPoint === undefined
      ? undefined
      : { value: problem.vegaPerVolPoint, limit: problem.maxAbsVegaPerVolPoint, a1: o1.vegaPerVolPoint, a2: o2 ? o2.vegaPerVolPoint : 0 };
  const all = [gammaC, vegaC].filter((c): c is Constraint => c !== undefined);
  if (all.length === 0) return { quantities: noTrade, solved: 'none' };
  const tie = 1e-9 * problem.spot;
  const c1 = o1.price + tie;
  const c2 = o2 ? o2.price + tie : 0;

  const solve = (cs: readonly Constraint[]): readonly number[] | undefined => (n === 1 ? solve1(cs) : solve2(cs, c1, c2));
  const full = solve(all);
  if (full) return { quantities: full, solved: 'all' };
  if (gammaC && vegaC) {
    const gammaOnly = solve([gammaC]);
    if (gammaOnly) return { quantities: gammaOnly, solved: 'gamma' };
  }
  return { quantities: noTrade, solved: 'none' };
}

function satisfies(c: Constraint, q1: number, q2: number): boolean {
  const t1 = c.a1 * q1;
  const t2 = c.a2 * q2;
  const after = c.value + t1 + t2;
  // Relative slack for the limit, plus rounding of the terms that cancel to get there.
  const slack = c.limit * THRESHOLD_TOLERANCE + 1e-12 * (Math.abs(c.value) + Math.abs(t1) + Math.abs(t2));
  return Math.abs(after) <= c.limit + slack;
}

/** One option: the intersection of the constraints' intervals, and its point nearest 0. */
function solve1(cs: readonly Constraint[]): readonly number[] | undefined {
  if (cs.every((c) => satisfies(c, 0, 0))) return NO_TRADE_1; // within the limits (up to the slack): nothing to do
  let lo = -Infinity;
  let hi = Infinity;
  for (const c of cs) {
    if (c.a1 === 0) {
      if (!satisfies(c, 0, 0)) return undefined;
      continue;
    }
    const x = (-c.limit - c.value) / c.a1;
    const y = (c.limit - c.value) / c.a1;
    lo = Math.max(lo, Math.min(x, y));
    hi = Math.min(hi, Math.max(x, y));
  }
  const q = lo > 0 ? lo : hi < 0 ? hi : 0;
  if (!Number.isFinite(q)) return undefined;
  for (const c of cs) if (!satisfies(c, q, 0)) return undefined;
  return [q];
}

/** Two options: enumerate the vertices of the arrangement of lines, keep the cheapest feasible. */
function solve2(cs: readonly Constraint[], c1: number, c2: number): readonly number[] | undefined {
  // Lines a·q1 + b·q2 = r: both boundaries of each constraint, then the two axes.
  const la: number[] = [];
  const lb: number[] = [];
  const lr: number[] = [];
  for (const c of cs) {
    if (c.a1 === 0 && c.a2 === 0) continue;
    la.push(c.a1, c.a1);
    lb.push(c.a2, c.a2);
    lr.push(-c.limit - c.value, c.limit - c.value);
  }
  la.push(1, 0);
  lb.push(0, 1);
  lr.push(0, 0);
  let best: readonly number[] | undefined;
  let bestCost = Infinity;
  for (let i = 0; i < la.length; i++) {
    for (let j = i + 1; j < la.length; j++) {
      const det = la[i]! * lb[j]! - la[j]! * lb[i]!;
      const scale = Math.abs(la[i]! * lb[j]!) + Math.abs(la[j]! * lb[i]!);
      if (!(Math.abs(det) > 1e-12 * scale)) continue; // parallel (or nearly)
      const q1 = (lr[i]! * lb[j]! - lr[j]! * lb[i]!) / det;
      const q2 = (la[i]! * lr[j]! - la[j]! * lr[i]!) / det;
      if (!(Number.isFinite(q1) && Number.isFinite(q2))) continue;
      let ok = true;
      for (const c of cs) {
        if (!satisfies(c, q1, q2)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      const cost = c1 * Math.abs(q1) + c2 * Math.abs(q2);
      if (cost < bestCost) {
        bestCost = cost;
        best = [q1 + 0, q2 + 0];
      }
    }
  }
  return best;
}
