/**
 * A long-gamma book: one bought at-the-money call, implied vol 20%, the paths' vol 30%, no
 * costs, rate 0, hedged at every step by the production policy engine. The textbook
 * results (e.g. Ahmad & Wilmott, "Which free lunch would you like today, Sir?", 2005):
 *  - hedged at the vol that is realised, the P&L tends to V(σ_realised) − V(σ_implied) as
 *    the interval shrinks, with a standard deviation that shrinks like √Δt;
 *  - hedged at implied, the P&L is ½∫Γ_i S²(σ_r² − σ_i²)dt: positive on average but path
 *    dependent, with a standard deviation that does not shrink.
 * The P&L by Greek sums to the P&L path by path, and is all gamma and theta here.
 */
import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema } from '../../../../shared/contracts/hedge-policy-config.ts';
import { MS_PER_DAY } from '../../../../shared/domain/backtest/durations.ts';
import { POLICY_ENGINE } from '../../../../shared/domain/backtest/policy-engine.ts';
import { runBacktest, type BacktestSpec } from '../../../../shared/domain/backtest/simulate.ts';
import { bsmPrice } from '../../../../shared/domain/pricing/black-scholes-merton.ts';

const MATURITY_MS = 30 * MS_PER_DAY;
const value = (vol: number): number => bsmPrice({ type: 'call', spot: 100, strike: 100, maturity: 30 / 365, vol, rate: 0, yield: 0 });
const LOCKED_IN = value(0.3) - value(0.2);

function spec(steps: number, hedgeWith: 'implied' | 'path'): BacktestSpec {
  return {
    market: { kind: 'gbm', spot: 100, drift: 0, vol: 0.3 },
    rate: 0,
    yield: 0,
    pricingVol: 0.2,
    ...(hedgeWith === 'path' ? { hedgeVol: 0.3 } : {}),
    fundingRate: 0,
    book: [{ id: 'call', optionType: 'call', strike: 100, maturityMs: MATURITY_MS, quantity: 1 }],
    // Every step: a cadence as fine as the grid, to zero delta.
    policy: HedgePolicyConfigSchema.parse({ underlying: 'X', hedgeInstrument: 'spot', cadence: { everyMs: MATURITY_MS / steps } }),
    costs: { feeBps: 0, slippage: { kind: 'none' }, gasUsd: 0 },
    paths: 3000,
    seed: 11,
    startMs: Date.UTC(2026, 0, 1),
    grid: { steps },
  };
}

describe('gamma scalping: a bought call hedged at implied or at the paths’ vol', () => {
  const path100 = runBacktest(spec(100, 'path'), POLICY_ENGINE).summary;
  const path400 = runBacktest(spec(400, 'path'), POLICY_ENGINE).summary;
  const implied100 = runBacktest(spec(100, 'implied'), POLICY_ENGINE).summary;
  const implied400 = runBacktest(spec(400, 'implied'), POLICY_ENGINE);

  it('hedged at the realised vol, the P&L locks in V(σ_r) − V(σ_i), and its std halves when the steps quadruple', () => {
    expect(LOCKED_IN).toBeCloseTo(1.143, 3);
    for (const s of [path100, path400]) expect(Math.abs(s.pnl.mean - LOCKED_IN)).toBeLessThan(3 * s.pnl.stdError + 0.01);
    expect(path400.pnl.std / path100.pnl.std).toBeGreaterThan(0.4);
    expect(path400.pnl.std / path100.pnl.std).toBeLessThan(0.6);
    expect(path400.pnl.std / LOCKED_IN).toBeLessThan(0.2);
  });

  it('hedged at implied, the P&L is positive on average but path dependent: a std that does not shrink', () => {
    for (const s of [implied100, implied400.summary]) {
      expect(s.pnl.mean).toBeGreaterThan(0.8 * LOCKED_IN);
      expect(s.pnl.mean).toBeLessThan(1.25 * LOCKED_IN);
    }
    expect(implied400.summary.pnl.std / implied100.pnl.std).toBeGreaterThan(0.8);
    expect(implied400.summary.pnl.std).toBeGreaterThan(3 * path400.pnl.std);
  });

  it('the P&L by Greek sums to each path’s P&L; hedged at implied it is gamma against theta, little else', () => {
    const { summary, perPath } = implied400;
    for (let p = 0; p < 50; p++) {
      const parts = perPath.pnlGamma[p]! + perPath.pnlTheta[p]! + perPath.pnlDelta[p]! + perPath.pnlCarry[p]! + perPath.pnlCosts[p]! + perPath.pnlOther[p]!;
      expect(parts).toBeCloseTo(summary.premium - perPath.hedgeCost[p]!, 10);
    }
    const g = summary.pnlByGreek;
    expect(g.gamma).toBeGreaterThan(0);
    expect(g.theta).toBeLessThan(0);
    // The policy hedges to zero at the option's own delta: no delta P&L, no carry at r = 0, no costs.
    expect(Math.abs(g.delta)).toBeLessThan(1e-9);
    expect(g.carry).toBe(0);
    expect(g.costs).toBe(0);
    // Gamma earns the realised variance, theta pays the implied: ≈ (σ_r²/σ_i² − 1)·|theta| − … = the P&L.
    expect(g.gamma / -g.theta).toBeCloseTo(0.3 ** 2 / 0.2 ** 2, 0);
    expect(Math.abs(g.other)).toBeLessThan(0.02 * Math.abs(summary.pnl.mean));
  });

  it('reports the hedge vol only when asked: the implied run is the default run', () => {
    const defaultRun = runBacktest({ ...spec(100, 'implied') }, POLICY_ENGINE).summary;
    expect(defaultRun.pnl).toEqual(implied100.pnl);
    expect(() => runBacktest({ ...spec(10, 'path'), hedgeVol: 0 }, POLICY_ENGINE)).toThrow(/hedgeVol/);
  });
});
