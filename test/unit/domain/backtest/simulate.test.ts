/**
 * The simulator with a minimal stand-in policy (band and cadence to zero delta), so
 * that these tests check the simulator's own accounting whatever the policy engine
 * does; backtest-policy.test.ts runs the real engine.
 */
import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfigInput } from '../../../../shared/contracts/hedge-policy-config.ts';
import { MS_PER_WEEK } from '../../../../shared/domain/backtest/durations.ts';
import { runBacktest, type BacktestSpec } from '../../../../shared/domain/backtest/simulate.ts';
import { MS_PER_YEAR } from '../../../../shared/domain/exposure/positions.ts';
import { bsmGreeks, bsmPrice } from '../../../../shared/domain/pricing/black-scholes-merton.ts';
import { standInPolicy } from './stand-in-policy.ts';

const START = Date.UTC(2025, 0, 1);

/** Hull's example: 100,000 written calls, S 49, K 50, r 5%, σ 20%, 20 weeks, μ 13%. */
function hullSpec(overrides: Partial<BacktestSpec> = {}, policy: HedgePolicyConfigInput = { underlying: 'X', cadence: { everyMs: MS_PER_WEEK } }): BacktestSpec {
  return {
    market: { kind: 'gbm', spot: 49, drift: 0.13, vol: 0.2 },
    rate: 0.05,
    yield: 0,
    pricingVol: 0.2,
    fundingRate: 0.05,
    book: [{ id: 'call', optionType: 'call', strike: 50, maturityMs: 20 * MS_PER_WEEK, quantity: -100_000 }],
    policy: HedgePolicyConfigSchema.parse(policy),
    costs: { feeBps: 0, slippage: { kind: 'none' }, gasUsd: 0 },
    paths: 2000,
    seed: 1,
    startMs: START,
    grid: { stepMs: MS_PER_WEEK },
    ...overrides,
  };
}

describe('runBacktest: definitions and accounting', () => {
  it('values the book at Black-Scholes (written: negative) and reports the premium', () => {
    const { summary } = runBacktest(hullSpec({ paths: 10 }), standInPolicy());
    const call = bsmPrice({ type: 'call', spot: 49, strike: 50, maturity: (20 * 7) / 365, vol: 0.2, rate: 0.05, yield: 0 });
    expect(summary.bookValue).toBeCloseTo(-100_000 * call, 6);
    expect(summary.premium).toBeCloseTo(100_000 * call, 6);
    expect(call).toBeCloseTo(2.4, 1); // Hull's $240,000 for the block
  });

  it('is reproducible: same seed, same numbers bit for bit; another seed, other numbers', () => {
    const spec = hullSpec({ paths: 300, costs: { feeBps: 5, slippage: { kind: 'sqrt', k: 0.7, advUnits: 1e6 }, gasUsd: 3 } });
    const a = runBacktest(spec, standInPolicy());
    const b = runBacktest(spec, standInPolicy());
    expect(b.perPath.hedgeCost).toEqual(a.perPath.hedgeCost);
    expect(b.summary).toEqual(a.summary);
    const c = runBacktest({ ...spec, seed: 2 }, standInPolicy());
    expect(c.summary.hedgeCost.mean).not.toBe(a.summary.hedgeCost.mean);
  });

  it('path p does not depend on how many paths run, nor on the progress callback', () => {
    const few = runBacktest(hullSpec({ paths: 50 }), standInPolicy());
    const calls: [number, number][] = [];
    const many = runBacktest(hullSpec({ paths: 200 }), standInPolicy(), { onProgress: (done, total) => calls.push([done, total]), progressEvery: 64 });
    expect(many.perPath.hedgeCost.subarray(0, 50)).toEqual(few.perPath.hedgeCost);
    expect(calls).toEqual([
      [64, 200],
      [128, 200],
      [192, 200],
      [200, 200],
    ]);
  });

  it('splits every path\'s hedge cost into parts that sum to it (costs, jumps, spot and perp)', () => {
    for (const hedgeInstrument of ['perp', 'spot'] as const) {
      const spec = hullSpec(
        {
          market: { kind: 'merton', spot: 49, drift: 0.05, vol: 0.2, jumpIntensity: 3, jumpMean: -0.1, jumpStd: 0.05 },
          yield: 0.02,
          fundingRate: 0.08,
          paths: 500,
          grid: { steps: 40 },
          costs: { feeBps: 4, slippage: { kind: 'sqrt', k: 1, advUnits: 5e5 }, gasUsd: 2 },
        },
        { underlying: 'X', hedgeInstrument, band: { unit: 'units', trigger: 5000 } },
      );
      const { perPath, summary } = runBacktest(spec, standInPolicy());
      for (let p = 0; p < summary.paths; p++) {
        const parts = perPath.option[p]! + perPath.hedge[p]! + perPath.hedgeOptions[p]! + perPath.optionSpread[p]! + perPath.financing[p]! + perPath.funding[p]! + perPath.fees[p]! + perPath.slippage[p]! + perPath.gas[p]! + perPath.liquidityFees[p]!;
        expect(Math.abs(parts - perPath.hedgeCost[p]!)).toBeLessThan(1e-9 * 1e6);
      }
      const a = summary.attribution;
      expect(a.option + a.hedge + a.hedgeOptions + a.optionSpread + a.financing + a.funding + a.fees + a.slippage + a.gas).toBeCloseTo(a.total, 6);
      expect(a.total).toBeCloseTo(summary.hedgeCost.mean, 6);
      expect(summary.transactionCosts.mean).toBeCloseTo(a.fees + a.slippage + a.gas, 6);
      expect(a.fees).toBeGreaterThan(0);
      // The carry of spot is financing, the perp's funding (at the spec's funding rate) its own line.
      expect(a.financing === 0).toBe(hedgeInstrument === 'perp');
      expect(a.funding === 0).toBe(hedgeInstrument === 'spot');
      expect(summary.pnl.mean).toBeCloseTo(summary.premium - summary.hedgeCost.mean, 6);
      expect(summary.jumpsPerPath).toBeGreaterThan(0);
    }
  });

  it('with zero vol on the forward, every path costs the forward intrinsic value, whatever the hedge', () => {
    // S 100, K 90, r 5%, q 2%: the drift r − q keeps the price on the forward, the perp
    // funds at r − q, so the hedge neither gains nor pays and the payoff is deterministic.
    for (const pricingVol of [0, 0.3]) {
      const spec = hullSpec(
        {
          market: { kind: 'gbm', spot: 100, drift: 0.03, vol: 0 },
          rate: 0.05,
          yield: 0.02,
          fundingRate: 0.03,
          pricingVol,
          book: [{ id: 'c', optionType: 'call', strike: 90, maturityMs: MS_PER_YEAR, quantity: -1 }],
          paths: 20,
          grid: { steps: 52 },
        },
        { underlying: 'X', cadence: { everyMs: Math.floor(MS_PER_YEAR / 52) } }, // every step
      );
      const { summary, perPath } = runBacktest(spec, standInPolicy());
      const forwardIntrinsic = 100 * Math.exp(-0.02) - 90 * Math.exp(-0.05);
      expect(summary.hedgeCost.std).toBeLessThan(1e-12);
      expect(summary.hedgeCost.p05).toBe(summary.hedgeCost.p95); // every path the same
      for (const cost of perPath.hedgeCost) expect(cost).toBeCloseTo(forwardIntrinsic, 10);
      if (pricingVol === 0) expect(summary.bookValue).toBeCloseTo(-forwardIntrinsic, 12);
      expect(Math.abs(summary.attribution.hedge + summary.attribution.financing + summary.attribution.funding)).toBeLessThan(1e-10);
      expect(summary.attribution.financing).toBe(0); // a perp hedge: its carry is funding
      expect(summary.attribution.funding).not.toBe(0);
    }
  });

  it('charges fees, slippage and gas on the trades, the unwind at the horizon included', () => {
    // Deep in the money, zero vol, q = 0: buy 1 unit at t0, hold, sell it at expiry.
    const spec = hullSpec(
      {
        market: { kind: 'gbm', spot: 100, drift: 0.05, vol: 0 },
        rate: 0.05,
        fundingRate: 0.05,
        pricingVol: 0,
        book: [{ id: 'c', optionType: 'call', strike: 50, maturityMs: MS_PER_YEAR, quantity: -1 }],
        paths: 3,
        grid: { steps: 12 },
        costs: { feeBps: 10, slippage: { kind: 'fixed', bps: 5 }, gasUsd: 2 },
      },
      { underlying: 'X', cadence: { everyMs: MS_PER_YEAR / 12 } }, // every step
    );
    const { summary } = runBacktest(spec, standInPolicy());
    // Notional at t0: 100; at T: 100·e^{0.05}, worth 100 in PV.
    expect(summary.attribution.fees).toBeCloseTo(2 * 100 * 10e-4, 10);
    expect(summary.attribution.slippage).toBeCloseTo(2 * 100 * 5e-4, 10);
    expect(summary.attribution.gas).toBeCloseTo(2 + 2 * Math.exp(-0.05), 10);
    expect(summary.tradesPerPath).toBe(2);
    expect(summary.tradedUnitsPerPath).toBeCloseTo(2, 12);
    expect(summary.hedgeCost.mean - summary.transactionCosts.mean).toBeCloseTo(100 - 50 * Math.exp(-0.05), 10);
  });

  it('replays a series by hand: delta-hedged at each observation, settled at expiry', () => {
    const offsetsMs = [0, MS_PER_WEEK, 2 * MS_PER_WEEK];
    const prices = [100, 105, 95];
    const spec = hullSpec({
      market: { kind: 'replay', offsetsMs, prices },
      rate: 0,
      fundingRate: 0,
      pricingVol: 0.5,
      book: [{ id: 'c', optionType: 'call', strike: 100, maturityMs: 2 * MS_PER_WEEK, quantity: -1 }],
      paths: 100,
    });
    const { summary } = runBacktest(spec, standInPolicy());
    const week = 7 / 365;
    const h0 = bsmGreeks({ type: 'call', spot: 100, strike: 100, maturity: 2 * week, vol: 0.5, rate: 0, yield: 0 }).delta;
    const h1 = bsmGreeks({ type: 'call', spot: 105, strike: 100, maturity: week, vol: 0.5, rate: 0, yield: 0 }).delta;
    const want = 0 - (h0 * 5 + h1 * -10); // the payoff at 95 is 0; the hedge's gains reduce the cost
    expect(summary.paths).toBe(1);
    expect(summary.hedgeCost.mean).toBeCloseTo(want, 12);
    expect(summary.tradesPerPath).toBe(3); // t0, week 1, the unwind
  });

  it('marks an option still alive at the end of the data at its Black-Scholes value', () => {
    const spec = hullSpec({
      market: { kind: 'replay', offsetsMs: [0, MS_PER_WEEK], prices: [100, 100] },
      rate: 0.03,
      fundingRate: 0,
      pricingVol: 0.4,
      book: [{ id: 'p', optionType: 'put', strike: 100, maturityMs: 4 * MS_PER_WEEK, quantity: 2 }],
    });
    const { summary } = runBacktest(spec, standInPolicy());
    const mark = bsmPrice({ type: 'put', spot: 100, strike: 100, maturity: (3 * 7) / 365, vol: 0.4, rate: 0.03, yield: 0 });
    expect(summary.attribution.option).toBeCloseTo(-2 * mark * Math.exp((-0.03 * 7) / 365), 10);
    expect(summary.horizonYears).toBeCloseTo(7 / 365, 15);
  });

  it('trades the options the policy orders at their BSM value: a matching option hedges the book exactly', () => {
    const maturityMs = 10 * MS_PER_WEEK;
    const spec = hullSpec(
      { book: [{ id: 'book', optionType: 'call', strike: 50, maturityMs, quantity: -1 }], paths: 200, grid: { steps: 10 } },
      { underlying: 'X', cadence: { everyMs: MS_PER_WEEK }, limits: { hedgeOptions: [{ id: 'h', optionType: 'call', strike: 50, expiryMs: START + maturityMs }] } },
    );
    const { summary } = runBacktest(spec, standInPolicy());
    expect(summary.hedgeCost.std).toBeLessThan(1e-9);
    expect(summary.hedgeCost.mean).toBeCloseTo(summary.premium, 10);
    expect(summary.attribution.hedgeOptions).toBeCloseTo(-summary.attribution.option + summary.premium, 8);
    expect(summary.skippedOrders).toBe(0);
  });

  it('measures the time spent outside the band', () => {
    const spec = hullSpec({ paths: 200, grid: { steps: 100 } }, { underlying: 'X', band: { unit: 'units', trigger: 5000 } });
    const { summary } = runBacktest(spec, standInPolicy());
    expect(summary.timeOutsideBand).toBe(0); // the stand-in always hedges back to zero
    expect(summary.decisionsOutsideBand).toBeGreaterThan(0.05);
    expect(summary.decisionsOutsideBand! * 100).toBeCloseTo(summary.tradesPerPath - 1, 0);
    const cadence = runBacktest({ ...spec, policy: HedgePolicyConfigSchema.parse({ underlying: 'X', cadence: { everyMs: 4 * MS_PER_WEEK }, band: { unit: 'usd', trigger: 1e12 } }) }, standInPolicy());
    expect(cadence.summary.timeOutsideBand).toBe(0);
    const none = runBacktest({ ...spec, policy: HedgePolicyConfigSchema.parse({ underlying: 'X', cadence: { everyMs: MS_PER_WEEK } }) }, standInPolicy());
    expect(none.summary.timeOutsideBand).toBeNull();
  });

  it('rejects a bad spec with the field named', () => {
    expect(() => runBacktest(hullSpec({ paths: 0 }), standInPolicy())).toThrow(/paths/);
    expect(() => runBacktest(hullSpec({ book: [] }), standInPolicy())).toThrow(/book/);
    expect(() => runBacktest(hullSpec({ costs: { feeBps: -1, slippage: { kind: 'none' }, gasUsd: 0 } }), standInPolicy())).toThrow(/feeBps/);
    expect(() => runBacktest(hullSpec({ book: [{ id: 'c', optionType: 'call', strike: -1, maturityMs: 1000, quantity: 1 }] }), standInPolicy())).toThrow(/strike/);
  });
});

describe('runBacktest: the theory', () => {
  it("matches Hull's table of delta-hedging performance (ratio of std to the BS price)", () => {
    // Hull, Options, Futures and Other Derivatives, table "Performance of delta hedging":
    // rebalancing every 5, 4, 2, 1, 0.5 weeks → 0.42, 0.34, 0.26, 0.19, 0.14 (1,000 paths there).
    const hull: [number, number][] = [
      [4, 0.34],
      [2, 0.26],
      [1, 0.19],
      [0.5, 0.14],
    ];
    for (const [weeks, ratio] of hull) {
      const everyMs = weeks * MS_PER_WEEK;
      const { summary } = runBacktest(hullSpec({ paths: 4000, grid: { stepMs: everyMs } }, { underlying: 'X', cadence: { everyMs } }), standInPolicy());
      expect(Math.abs(summary.ratio - ratio), `${weeks} weeks: ${summary.ratio}`).toBeLessThan(0.15 * ratio);
    }
  });

  it('without costs, the std of the hedge cost shrinks like the square root of the rebalancing interval', () => {
    const intervals = [4, 2, 1, 0.5].map((w) => w * MS_PER_WEEK);
    const points = intervals.map((everyMs) => {
      const { summary } = runBacktest(hullSpec({ paths: 6000, grid: { stepMs: everyMs } }, { underlying: 'X', cadence: { everyMs } }), standInPolicy());
      return [Math.log(everyMs), Math.log(summary.hedgeCost.std)] as const;
    });
    const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
    const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
    const slope = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
    expect(Math.abs(slope - 0.5), `slope ${slope}`).toBeLessThan(0.1);
  });
});
