/**
 * The step-by-step trace of one path (path-trace.ts, runBacktest's `trace` option)
 * against the simulation it records: the same path's numbers as the run's per-path
 * results, the prices of the path source, the book's Greeks at t0 by Black-Scholes, and
 * a run that records a trace giving the same results as one that does not.
 */
import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfigInput } from '../../../../shared/contracts/hedge-policy-config.ts';
import { MS_PER_DAY, MS_PER_WEEK } from '../../../../shared/domain/backtest/durations.ts';
import { createPathSource } from '../../../../shared/domain/backtest/market-paths.ts';
import { allocatePathTrace } from '../../../../shared/domain/backtest/path-trace.ts';
import { POLICY_ENGINE } from '../../../../shared/domain/backtest/policy-engine.ts';
import { gridFor, runBacktest, type BacktestSpec, type PerPathResults } from '../../../../shared/domain/backtest/simulate.ts';
import { bsmGreeks } from '../../../../shared/domain/pricing/black-scholes-merton.ts';

const START = Date.UTC(2025, 0, 1);

function spec(overrides: Partial<BacktestSpec> = {}, policy: HedgePolicyConfigInput = { underlying: 'ETH', band: { unit: 'units', trigger: 3 } }): BacktestSpec {
  return {
    market: { kind: 'merton', spot: 3000, drift: 0.05, vol: 0.6, jumpIntensity: 4, jumpMean: -0.08, jumpStd: 0.04 },
    rate: 0.04,
    yield: 0,
    pricingVol: 0.65,
    fundingRate: 0.04,
    book: [
      { id: 'c', optionType: 'call', strike: 3100, maturityMs: 14 * MS_PER_DAY, quantity: -60 },
      { id: 'p', optionType: 'put', strike: 2800, maturityMs: 21 * MS_PER_DAY, quantity: -40 },
    ],
    policy: HedgePolicyConfigSchema.parse(policy),
    costs: { feeBps: 8, slippage: { kind: 'sqrt', k: 0.5, advUnits: 50_000 }, gasUsd: 2 },
    paths: 60,
    seed: 11,
    startMs: START,
    grid: { stepMs: 4 * 3_600_000 },
    ...overrides,
  };
}

const FIELDS: (keyof PerPathResults)[] = ['hedgeCost', 'trades', 'fees', 'slippage', 'gas', 'maxDrawdown', 'tradedUnits'];

describe('the trace of one path', () => {
  it('ends at the P&L, the trades and the costs that the run reports for that path', () => {
    const s = spec();
    const whole = runBacktest(s, POLICY_ENGINE);
    const premium = whole.summary.premium;
    for (const path of [0, 7, 59]) {
      const traced = runBacktest(s, POLICY_ENGINE, { trace: { path } });
      const trace = traced.trace!;
      const last = trace.pnl.length - 1;
      expect(trace.path).toBe(path);
      expect(last).toBe(whole.summary.steps);
      // The final cumulative P&L is the path's P&L (premium − hedge cost), exactly.
      expect(trace.pnl[last]).toBe(premium - whole.perPath.hedgeCost[path]!);
      expect(trace.trades[last]).toBe(whole.perPath.trades[path]);
      expect(trace.transactionCosts[last]).toBe(whole.perPath.fees[path]! + whole.perPath.slippage[path]! + whole.perPath.gas[path]!);
      // Recording a trace changes nothing in the run.
      for (const field of FIELDS) expect(traced.perPath[field]).toEqual(whole.perPath[field]);
      expect(traced.summary).toEqual(whole.summary);
      // The drawdown of the path is the worst fall of the traced value (its peak starts at 0).
      let peak = 0;
      let worst = 0;
      for (let k = 0; k <= last; k++) {
        peak = Math.max(peak, trace.pnl[k]!);
        worst = Math.max(worst, peak - trace.pnl[k]!);
      }
      expect(worst).toBeCloseTo(whole.perPath.maxDrawdown[path]!, 6);
    }
  });

  it("reads the path source's prices, and the book's Greeks at t0 by Black-Scholes", () => {
    const s = spec();
    const { trace, grid } = runBacktest({ ...s, paths: 1, firstPath: 23 }, POLICY_ENGINE, { trace: { path: 23 } });
    const prices = new Float64Array(grid.offsetsMs.length);
    createPathSource(s.market, gridFor(s), s.seed).fill(23, prices);
    expect(Array.from(trace!.spot)).toEqual(Array.from(prices));
    const greeks = s.book.map((o) => bsmGreeks({ type: o.optionType, spot: 3000, strike: o.strike, maturity: o.maturityMs / (365 * MS_PER_DAY), vol: s.pricingVol, rate: s.rate, yield: s.yield }));
    const sum = (f: (g: (typeof greeks)[number], q: number) => number): number => greeks.reduce((a, g, i) => a + f(g, s.book[i]!.quantity), 0);
    expect(trace!.optionDelta[0]).toBeCloseTo(sum((g, q) => q * g.delta), 9);
    expect(trace!.gamma[0]).toBeCloseTo(sum((g, q) => q * g.gamma), 12);
    expect(trace!.vegaPerVolPoint[0]).toBeCloseTo(sum((g, q) => (q * g.vegaPerUnitVol) / 100), 9);
    // The first trade hedges the book's delta (outside the ±3 band) back to zero.
    expect(trace!.trades[0]).toBe(1);
    expect(trace!.optionDelta[0]! + trace!.hedgeUnits[0]!).toBeCloseTo(0, 9);
    expect(trace!.bandUnits[0]).toBe(3);
  });

  it('the hedge changes only where a trade is counted, and the net delta stays in the band after each trade', () => {
    const { trace } = runBacktest(spec({ paths: 1, firstPath: 5 }), POLICY_ENGINE, { trace: { path: 5 } });
    const t = trace!;
    const last = t.spot.length - 1;
    let tradeInstants = 0;
    for (let k = 0; k < last; k++) {
      const traded = t.trades[k]! > (k === 0 ? 0 : t.trades[k - 1]!);
      const moved = t.hedgeUnits[k] !== (k === 0 ? 0 : t.hedgeUnits[k - 1]);
      expect(moved, `instant ${k}`).toBe(traded);
      if (traded) {
        tradeInstants++;
        expect(Math.abs(t.optionDelta[k]! + t.hedgeUnits[k]!)).toBeLessThanOrEqual(3 + 1e-9);
      }
      expect(Math.abs(t.optionDelta[k]! + t.hedgeUnits[k]!)).toBeLessThanOrEqual(3 * (1 + 1e-12)); // a band policy carries its delta inside the band
    }
    expect(tradeInstants).toBeGreaterThan(5);
    // At the horizon: the hedge unwound, the options settled, the Greeks 0.
    expect(t.hedgeUnits[last]).toBe(0);
    expect(t.optionDelta[last]).toBe(0);
    expect(t.gamma[last]).toBe(0);
    expect(Number.isNaN(t.bandUnits[last]!)).toBe(true);
  });

  it("includes the options the policy buys in the Greeks after the trade (gamma limits)", () => {
    const expiryMs = START + 20 * MS_PER_WEEK;
    const s: BacktestSpec = {
      ...spec({ market: { kind: 'gbm', spot: 49, drift: 0.1, vol: 0.2 }, pricingVol: 0.2, book: [{ id: 'w', optionType: 'call', strike: 50, maturityMs: 20 * MS_PER_WEEK, quantity: -1000 }], costs: { feeBps: 0, slippage: { kind: 'none' }, gasUsd: 0 }, grid: { stepMs: MS_PER_WEEK } }),
      policy: HedgePolicyConfigSchema.parse({ underlying: 'X', cadence: { everyMs: MS_PER_WEEK }, limits: { maxAbsGamma: 20, hedgeOptions: [{ id: 'h', optionType: 'call', strike: 50, expiryMs }] } }),
    };
    const { trace, perPath } = runBacktest({ ...s, paths: 1 }, POLICY_ENGINE, { trace: { path: 0 } });
    const t = trace!;
    const bookGamma = -1000 * bsmGreeks({ type: 'call', spot: 49, strike: 50, maturity: (20 * 7) / 365, vol: 0.2, rate: 0.04, yield: 0 }).gamma;
    expect(Math.abs(bookGamma)).toBeGreaterThan(20); // the limit binds at t0
    expect(perPath.hedgeOptions[0]).not.toBe(0); // and the policy bought options
    expect(Math.abs(t.gamma[0]!)).toBeLessThan(Math.abs(bookGamma)); // which the trace's gamma includes
    expect(t.pnl[t.pnl.length - 1]).toBe(runBacktest({ ...s, paths: 1 }, POLICY_ENGINE).summary.pnl.mean);
  });

  it('records nothing for a path outside the run, and refuses a path that is no id', () => {
    expect(runBacktest(spec({ paths: 5 }), POLICY_ENGINE, { trace: { path: 5 } }).trace).toBeUndefined();
    expect(runBacktest(spec({ paths: 5, firstPath: 10 }), POLICY_ENGINE, { trace: { path: 9 } }).trace).toBeUndefined();
    expect(runBacktest(spec({ paths: 5, firstPath: 10 }), POLICY_ENGINE, { trace: { path: 12 } }).trace?.path).toBe(12);
    expect(() => allocatePathTrace(-1, 10)).toThrow(/trace.path/);
    expect(() => allocatePathTrace(1.5, 10)).toThrow(/trace.path/);
  });
});
