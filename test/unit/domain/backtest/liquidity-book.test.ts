/**
 * Uniswap V3 liquidity positions in the backtester's book (liquidity-book.ts and the
 * simulator's use of it): sized at the start price, valued with the pool's closed form,
 * their delta and gamma in the risk the policy hedges, marked exactly at the horizon.
 *
 * The hedged LP's textbook result ("loss-versus-rebalancing"): on GBM with no drift and
 * no rate, the delta-hedged position loses its gamma cost ∫½|Γ|S²σ²dt, with
 * ½|Γ|S² = L√S/4 in the range (0 outside). Its expectation has a closed form
 * (E[√S_t·1{a<S_t<b}] is a lognormal partial moment), which the mean P&L must match
 * within Monte-Carlo error. The P&L is path dependent (time spent in range), so its std
 * does not vanish as the interval shrinks; what the hedge leaves on top of the path's own
 * gamma cost does, like √Δt, with variance ½Δt·∫E[Γ²S⁴σ⁴]dt (Γ²S⁴ = L²S/4 in range).
 * A full-range position earning fees at σ²/8 a year of its value (its gamma cost rate,
 * σ²V/8) is the LP's "hedged at the realised vol": a zero mean P&L, a std that halves when
 * the steps quadruple.
 */
import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfigInput } from '../../../../shared/contracts/hedge-policy-config.ts';
import { MS_PER_DAY } from '../../../../shared/domain/backtest/durations.ts';
import { evaluateLiquidityBook, liquidityBookAt, liquidityForValue, validateBookLiquidity, type BookLiquidity } from '../../../../shared/domain/backtest/liquidity-book.ts';
import { createPathSource } from '../../../../shared/domain/backtest/market-paths.ts';
import { mergeBacktestResults } from '../../../../shared/domain/backtest/merge-results.ts';
import { POLICY_ENGINE } from '../../../../shared/domain/backtest/policy-engine.ts';
import { gridFor, runBacktest, type BacktestSpec, type PerPathResults } from '../../../../shared/domain/backtest/simulate.ts';
import { liquidityGreeks } from '../../../../shared/domain/exposure/concentrated-liquidity.ts';
import { normCdf } from '../../../../shared/domain/math/normal-distribution.ts';
import { standInPolicy } from './stand-in-policy.ts';

const START = Date.UTC(2026, 0, 1);
const S0 = 3000;
const LOWER = 2500;
const UPPER = 3600;

/**
 * The position's value from the whitepaper's amounts (Uniswap V3 §6.3, eq. 6.29–6.30), √P
 * clamped to the range: x = L(1/√P' − 1/√Pb), y = L(√P' − √Pa), V = P·x + y.
 */
function poolValue(L: number, lower: number, upper: number, price: number): number {
  const sp = Math.min(Math.max(Math.sqrt(price), Math.sqrt(lower)), Math.sqrt(upper));
  return price * L * (1 / sp - 1 / Math.sqrt(upper)) + L * (sp - Math.sqrt(lower));
}

/** A band no LP here reaches: the policy never trades. */
const UNHEDGED: HedgePolicyConfigInput = { underlying: 'ETH', hedgeInstrument: 'spot', band: { unit: 'units', trigger: 1e9 } };

const lp = (over: Partial<BookLiquidity> = {}): BookLiquidity => ({ id: 'lp', lowerPrice: LOWER, upperPrice: UPPER, size: { valueUsd: 100_000 }, ...over });

function lpSpec(over: Partial<BacktestSpec> = {}, policy: HedgePolicyConfigInput = UNHEDGED): BacktestSpec {
  return {
    market: { kind: 'gbm', spot: S0, drift: 0, vol: 0.8 },
    rate: 0,
    yield: 0,
    pricingVol: 0.8,
    fundingRate: 0,
    book: [],
    liquidity: [lp()],
    policy: HedgePolicyConfigSchema.parse(policy),
    costs: { feeBps: 0, slippage: { kind: 'none' }, gasUsd: 0 },
    paths: 500,
    seed: 3,
    startMs: START,
    horizonMs: 30 * MS_PER_DAY,
    grid: { steps: 60 },
    ...over,
  };
}

/** The prices of path p of a spec, as the simulator sees them. */
function pathPrices(spec: BacktestSpec): (p: number) => Float64Array {
  const grid = gridFor(spec);
  const source = createPathSource(spec.market, grid, spec.seed);
  return (p) => {
    const out = new Float64Array(grid.years.length);
    source.fill(p, out);
    return out;
  };
}

const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

/** Sample std and its Monte-Carlo standard error, √((m₄/s⁴ − 1)/(4n))·s (the delta method on s²). */
function stdWithError(a: readonly number[]): { std: number; stdError: number } {
  const m = mean(a);
  const n = a.length;
  const m2 = a.reduce((s, v) => s + (v - m) ** 2, 0) / n;
  const m4 = a.reduce((s, v) => s + (v - m) ** 4, 0) / n;
  const std = Math.sqrt((m2 * n) / (n - 1));
  return { std, stdError: std * Math.sqrt((m4 / (m2 * m2) - 1) / (4 * n)) };
}

/** Every attribution line of each path sums to its hedge cost; the P&L by Greek to its P&L. */
function expectSumsPathByPath(perPath: PerPathResults, premium: number): void {
  for (let p = 0; p < perPath.hedgeCost.length; p++) {
    const parts =
      perPath.option[p]! + perPath.hedge[p]! + perPath.hedgeOptions[p]! + perPath.optionSpread[p]! + perPath.financing[p]! + perPath.funding[p]! + perPath.fees[p]! + perPath.slippage[p]! + perPath.gas[p]! + perPath.liquidityFees[p]!;
    const scale = 1 + Math.abs(perPath.hedgeCost[p]!);
    expect(Math.abs(parts - perPath.hedgeCost[p]!) / scale).toBeLessThan(1e-12);
    const greeks = perPath.pnlGamma[p]! + perPath.pnlTheta[p]! + perPath.pnlDelta[p]! + perPath.pnlCarry[p]! + perPath.pnlCosts[p]! + perPath.pnlOther[p]!;
    expect(Math.abs(greeks - (premium - perPath.hedgeCost[p]!)) / scale).toBeLessThan(1e-12);
  }
}

describe('liquidity-book: positions sized at the start price, valued allocation-free', () => {
  it('sizes by value or units (L = value / V(L=1)), and sums value, delta, gamma as liquidityGreeks', () => {
    const L = liquidityForValue(LOWER, UPPER, S0, 100_000);
    expect(poolValue(L, LOWER, UPPER, S0)).toBeCloseTo(100_000, 6);
    const book = liquidityBookAt([lp(), lp({ id: 'b', size: { units: 10 }, lowerPrice: 3200, upperPrice: 4000 }), lp({ id: 'c', size: { liquidity: 500 }, feeApr: 0.2 })], S0);
    expect(book.valueAtStart).toBeCloseTo(100_000 + 10 * S0 + poolValue(500, LOWER, UPPER, S0), 6);
    for (const price of [1000, 2500, 2999, 3300, 3600, 3900, 9000]) {
      evaluateLiquidityBook(book, price);
      const each = book.ranges.map((r) => liquidityGreeks(r, price));
      expect(book.value).toBeCloseTo(each.reduce((s, g) => s + g.valueUsd, 0), 8);
      expect(book.delta).toBeCloseTo(each.reduce((s, g) => s + g.delta, 0), 12);
      expect(book.gamma).toBeCloseTo(each.reduce((s, g) => s + g.gamma, 0), 15);
      // Fees only from the position with a feeApr, and only in its range.
      expect(book.feesPerYear).toBeCloseTo(each[2]!.inRange ? 0.2 * each[2]!.valueUsd : 0, 8);
    }
  });

  it('refuses a bad position by its field', () => {
    expect(() => validateBookLiquidity([lp({ upperPrice: LOWER })])).toThrow(/liquidity\[0\]\.upperPrice must be above lowerPrice/);
    expect(() => validateBookLiquidity([lp({ size: { valueUsd: -1 } })])).toThrow(/liquidity\[0\]\.valueUsd must be > 0/);
    expect(() => validateBookLiquidity([lp({ feeApr: -0.1 })])).toThrow(/liquidity\[0\]\.feeApr must be >= 0/);
    expect(() => validateBookLiquidity([lp(), lp()])).toThrow(/liquidity\[1\]\.id is used twice/);
    const { horizonMs: _horizon, ...noHorizon } = lpSpec();
    expect(() => runBacktest(noHorizon, standInPolicy())).toThrow(/horizonMs is needed/);
  });
});

describe('an LP in the backtest book', () => {
  it('(a) unhedged, its P&L on every path is the exact change of the position value (PV), from the pool maths', () => {
    const rate = 0.04;
    const spec = lpSpec({ rate, fundingRate: rate, paths: 400 });
    const { summary, perPath } = runBacktest(spec, standInPolicy());
    const L = liquidityForValue(LOWER, UPPER, S0, 100_000);
    expect(summary.bookValue).toBeCloseTo(100_000, 6); // held: a positive value, premium −100,000
    expect(summary.premium).toBeCloseTo(-100_000, 6);
    const prices = pathPrices(spec);
    const years = gridFor(spec).years;
    const discountT = Math.exp(-rate * (30 / 365));
    let crossed = 0;
    for (let p = 0; p < summary.paths; p++) {
      const path = prices(p);
      const sT = path[path.length - 1]!;
      const want = poolValue(L, LOWER, UPPER, sT) * discountT - poolValue(L, LOWER, UPPER, S0);
      expect(summary.premium - perPath.hedgeCost[p]!).toBeCloseTo(want, 6);
      expect(perPath.option[p]!).toBeCloseTo(-poolValue(L, LOWER, UPPER, sT) * discountT, 6); // the mark, in the option line
      expect(perPath.trades[p]).toBe(0);
      expect(perPath.pnlTheta[p]).toBe(0); // no fees: no theta
      // The drawdown of the book's value along the path (the LP at each step, PV), from its peak.
      let peak = 0;
      let drawdown = 0;
      for (let k = 0; k < path.length; k++) {
        const value = poolValue(L, LOWER, UPPER, path[k]!) * Math.exp(-rate * years[k]!) - 100_000;
        peak = Math.max(peak, value);
        drawdown = Math.max(drawdown, peak - value);
      }
      expect(perPath.maxDrawdown[p]!).toBeCloseTo(drawdown, 6);
      if (path.some((s) => s > UPPER) || path.some((s) => s < LOWER)) crossed++;
    }
    expect(crossed).toBeGreaterThan(100); // the paths leave the range on either side, often
    expectSumsPathByPath(perPath, summary.premium);
  });

  it('hedged on a replayed path across the range, the policy sees the LP delta and the P&L is the hedge gains plus the value change', () => {
    const prices = [3000, 3300, 3700, 3900, 3500, 2600, 2400, 2200, 2700, 3100];
    const spec = lpSpec(
      { market: { kind: 'replay', offsetsMs: prices.map((_, i) => i * 3_600_000), prices }, horizonMs: 9 * 3_600_000, grid: { steps: 1 }, liquidity: [lp({ size: { liquidity: 2000 } })], paths: 1 },
      { underlying: 'ETH', hedgeInstrument: 'spot', cadence: { everyMs: 3_600_000 } },
    );
    const { summary, perPath } = runBacktest(spec, standInPolicy());
    let gains = 0;
    for (let k = 0; k + 1 < prices.length; k++) gains += -liquidityGreeks({ lowerPrice: LOWER, upperPrice: UPPER, liquidity: 2000 }, prices[k]!).delta * (prices[k + 1]! - prices[k]!);
    const valueChange = poolValue(2000, LOWER, UPPER, prices.at(-1)!) - poolValue(2000, LOWER, UPPER, prices[0]!);
    expect(summary.pnl.mean).toBeCloseTo(valueChange + gains, 8);
    expect(perPath.hedge[0]).toBeCloseTo(-gains, 8);
    // A trade whenever the LP's delta moved: at t0, at 3300, 3700, 3500, 2600, 2400, 2700, and the unwind;
    // none at 3900 (above the range, as at 3700: no base) nor at 2200 (below it, as at 2400: all base).
    expect(summary.tradesPerPath).toBe(8);
    expectSumsPathByPath(perPath, summary.premium);
  });

  describe('(b) delta-hedged at every step on GBM (σ 80 %, μ = r = 0, 30 days), the production policy', () => {
    const SIGMA = 0.8;
    const YEARS = 30 / 365;
    const L = liquidityForValue(LOWER, UPPER, S0, 100_000);
    /** ∫₀ᵀ f(t) dt by Simpson's rule on 4,000 intervals. */
    const integrate = (f: (t: number) => number): number => {
      const n = 4000;
      let sum = 0;
      for (let i = 0; i <= n; i++) sum += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * f((YEARS * i) / n);
      return (sum * YEARS) / n / 3;
    };
    // E[√S_t·1{a<S_t<b}] = √S₀·e^{−v/8}·[Φ(ln(b/S₀)/√v) − Φ(ln(a/S₀)/√v)], v = σ²t (μ = 0).
    const inRangeRootMean = (t: number): number => {
      const v = SIGMA * SIGMA * t;
      if (v === 0) return Math.sqrt(S0);
      return Math.sqrt(S0) * Math.exp(-v / 8) * (normCdf(Math.log(UPPER / S0) / Math.sqrt(v)) - normCdf(Math.log(LOWER / S0) / Math.sqrt(v)));
    };
    // E[S_t·1{a<S_t<b}] = S₀·[Φ((ln(b/S₀) − v/2)/√v) − Φ((ln(a/S₀) − v/2)/√v)].
    const inRangeMean = (t: number): number => {
      const v = SIGMA * SIGMA * t;
      if (v === 0) return S0;
      return S0 * (normCdf((Math.log(UPPER / S0) - v / 2) / Math.sqrt(v)) - normCdf((Math.log(LOWER / S0) - v / 2) / Math.sqrt(v)));
    };
    /** E∫½|Γ|S²σ²dt = ∫σ²L/4·E[√S_t·1{in range}]dt: the expected gamma cost. */
    const GAMMA_COST = integrate((t) => ((SIGMA * SIGMA * L) / 4) * inRangeRootMean(t));
    /** ∫E[Γ²S⁴σ⁴]dt = ∫σ⁴L²/4·E[S_t·1{in range}]dt: the variance of the hedging error per unit of Δt/2. */
    const ERROR_RATE = integrate((t) => ((SIGMA ** 4 * L * L) / 4) * inRangeMean(t));
    const PATHS = 2000;
    const run = (steps: number, over: Partial<BacktestSpec> = {}): { spec: BacktestSpec; result: ReturnType<typeof runBacktest> } => {
      const spec = lpSpec({ paths: PATHS, grid: { steps }, ...over }, { underlying: 'ETH', hedgeInstrument: 'spot', cadence: { everyMs: (30 * MS_PER_DAY) / steps } });
      return { spec, result: runBacktest(spec, POLICY_ENGINE) };
    };
    const coarse = run(120);
    const fine = run(480);

    /** What the hedge leaves per path on top of the path's own gamma cost Σ½Γ_kS_k²σ²Δt. */
    const hedgingErrors = ({ spec, result }: typeof coarse): number[] => {
      const prices = pathPrices(spec);
      const grid = gridFor(spec);
      const range = { lowerPrice: LOWER, upperPrice: UPPER, liquidity: L };
      return Array.from(result.perPath.hedgeCost, (cost, p) => {
        const path = prices(p);
        let gammaCost = 0;
        for (let k = 0; k + 1 < path.length; k++) gammaCost += 0.5 * liquidityGreeks(range, path[k]!).gamma * path[k]! ** 2 * SIGMA * SIGMA * (grid.years[k + 1]! - grid.years[k]!);
        return result.summary.premium - cost - gammaCost;
      });
    };

    it('loses its gamma cost on average: mean P&L = −E∫½|Γ|S²σ²dt within 4 standard errors, at both intervals', () => {
      expect(GAMMA_COST).toBeGreaterThan(5000); // about 5.8 % of the position in a month at 80 % vol
      expect(GAMMA_COST).toBeLessThan(6500);
      for (const { result } of [coarse, fine]) {
        const s = result.summary;
        expect(Math.abs(s.pnl.mean + GAMMA_COST)).toBeLessThan(4 * s.pnl.stdError);
        // It is all gamma in the P&L by Greek: the delta line is hedged away, nothing is left over.
        expect(Math.abs(s.pnlByGreek.gamma + GAMMA_COST)).toBeLessThan(4 * s.pnl.stdError);
        expect(Math.abs(s.pnlByGreek.delta)).toBeLessThan(1e-9);
        expect(s.pnlByGreek.theta).toBe(0);
        expectSumsPathByPath(result.perPath, s.premium);
      }
    });

    it('what the hedge leaves on top of the path’s gamma cost has std √(½Δt·∫E[Γ²S⁴σ⁴]dt), within 4 s.e.: it halves when the steps quadruple', () => {
      const errors = [coarse, fine].map(hedgingErrors);
      const [c, f] = errors.map(stdWithError) as [ReturnType<typeof stdWithError>, ReturnType<typeof stdWithError>];
      for (const [{ std, stdError }, steps, e] of [[c, 120, errors[0]!], [f, 480, errors[1]!]] as const) {
        const predicted = Math.sqrt((0.5 * YEARS * ERROR_RATE) / steps);
        expect(Math.abs(std - predicted)).toBeLessThan(4 * stdError);
        expect(Math.abs(mean(e))).toBeLessThan(4 * (std / Math.sqrt(PATHS))); // no bias either
      }
      const ratio = f.std / c.std;
      const ratioError = ratio * Math.hypot(c.stdError / c.std, f.stdError / f.std);
      expect(Math.abs(ratio - 0.5)).toBeLessThan(4 * ratioError);
      // The P&L itself keeps the path dependence of the gamma cost (time in range): its std barely moves.
      expect(fine.result.summary.pnl.std / coarse.result.summary.pnl.std).toBeGreaterThan(0.9);
    });

    it('a full-range position earning fees of σ²/8 a year breaks even hedged: mean 0 within 4 s.e., a std that halves', () => {
      const full = { liquidity: [lp({ lowerPrice: S0 * 1e-6, upperPrice: S0 * 1e6, feeApr: (SIGMA * SIGMA) / 8 })] };
      const runs = [run(120, full), run(480, full)].map((r) => r.result);
      for (const { summary, perPath } of runs) {
        expect(Math.abs(summary.pnl.mean)).toBeLessThan(4 * summary.pnl.stdError);
        // The fees received (a negative cost) are the P&L's theta line, and pay the gamma.
        expect(summary.attribution.liquidityFees).toBeLessThan(0);
        expect(summary.pnlByGreek.theta).toBeCloseTo(-summary.attribution.liquidityFees, 9);
        expect(summary.attribution.total).toBeCloseTo(summary.hedgeCost.mean, 6);
        expectSumsPathByPath(perPath, summary.premium);
      }
      const [c, f] = runs.map((r) => stdWithError(Array.from(r.perPath.hedgeCost))) as [ReturnType<typeof stdWithError>, ReturnType<typeof stdWithError>];
      const ratio = f.std / c.std;
      expect(Math.abs(ratio - 0.5)).toBeLessThan(4 * ratio * Math.hypot(c.stdError / c.std, f.stdError / f.std));
    });
  });

  it('a mixed book (written options, an LP with fees) on jumps, with costs, spot or perp: every line sums path by path, blocks merge', () => {
    for (const hedgeInstrument of ['perp', 'spot'] as const) {
      const spec = lpSpec(
        {
          market: { kind: 'merton', spot: S0, drift: 0.05, vol: 0.6, jumpIntensity: 4, jumpMean: -0.1, jumpStd: 0.05 },
          rate: 0.04,
          yield: 0.01,
          fundingRate: 0.08,
          book: [{ id: 'c', optionType: 'call', strike: 3300, maturityMs: 20 * MS_PER_DAY, quantity: -20 }],
          liquidity: [lp({ feeApr: 0.3 }), lp({ id: 'wide', lowerPrice: 1500, upperPrice: 6000, size: { units: 15 } })],
          horizonMs: 30 * MS_PER_DAY,
          costs: { feeBps: 5, slippage: { kind: 'sqrt', k: 0.8, advUnits: 1e5 }, gasUsd: 2 },
          paths: 300,
          grid: { steps: 90 },
        },
        { underlying: 'ETH', hedgeInstrument, band: { unit: 'units', trigger: 2 } },
      );
      const whole = runBacktest(spec, POLICY_ENGINE);
      const { summary, perPath } = whole;
      expectSumsPathByPath(perPath, summary.premium);
      const a = summary.attribution;
      expect(a.option + a.hedge + a.hedgeOptions + a.optionSpread + a.financing + a.funding + a.fees + a.slippage + a.gas + a.liquidityFees).toBeCloseTo(a.total, 6);
      expect(a.total).toBeCloseTo(summary.hedgeCost.mean, 6);
      expect(a.liquidityFees).toBeLessThan(0);
      expect(summary.tradesPerPath).toBeGreaterThan(3);
      const merged = mergeBacktestResults([runBacktest({ ...spec, paths: 100 }, POLICY_ENGINE), runBacktest({ ...spec, firstPath: 100, paths: 200 }, POLICY_ENGINE)]);
      expect(merged.perPath.liquidityFees).toEqual(perPath.liquidityFees);
      expect(merged.summary.attribution.liquidityFees).toBeCloseTo(a.liquidityFees, 9);
    }
  });
});
