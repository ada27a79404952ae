/**
 * The backtester with the production policy engine (shared/domain/policy): the theory
 * the issue asks for, on the example books of examples/backtest.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BacktestConfigSchema, backtestSpecFromConfig, type BacktestConfigInput } from '../../../../shared/contracts/backtest-config.ts';
import { compareFrontiers, type FrontierPoint } from '../../../../shared/domain/backtest/frontier.ts';
import { POLICY_ENGINE } from '../../../../shared/domain/backtest/policy-engine.ts';
import { runBacktest } from '../../../../shared/domain/backtest/simulate.ts';

const example = (name: string): BacktestConfigInput => JSON.parse(readFileSync(new URL(`../../../../examples/backtest/${name}.json`, import.meta.url), 'utf8')) as BacktestConfigInput;

function run(base: BacktestConfigInput, policy: object, simulation: object) {
  const config = BacktestConfigSchema.parse({ ...base, policy: { underlying: 'X', ...policy }, simulation: { ...base.simulation, ...simulation } });
  return runBacktest(backtestSpecFromConfig(config), POLICY_ENGINE).summary;
}

describe('backtests with the policy engine', () => {
  it('without costs, the std of the hedge cost shrinks like √(rebalancing interval): log-log slope 0.5 ± 0.1', () => {
    // Hull's book, hedged every 4, 2, 1 and 0.5 weeks by the cadence policy.
    const hull = example('hull-weekly');
    const weeks = [4, 2, 1, 0.5];
    const points = weeks.map((w) => {
      const s = run(hull, { cadence: { everyMs: w * 604_800_000 } }, { paths: 5000, seed: 3, step: `${w}w` });
      return { x: Math.log(w), y: Math.log(s.hedgeCost.std), ratio: s.ratio };
    });
    const mx = points.reduce((a, p) => a + p.x, 0) / points.length;
    const my = points.reduce((a, p) => a + p.y, 0) / points.length;
    const slope = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
    expect(Math.abs(slope - 0.5), `slope ${slope}`).toBeLessThan(0.1);
    // And the level is Hull's: 0.19 for weekly rebalancing.
    expect(points[2]!.ratio).toBeGreaterThan(0.17);
    expect(points[2]!.ratio).toBeLessThan(0.21);
  });

  it('with costs, band policies beat fixed-interval hedging on the frontier: cheaper at equal risk', () => {
    // examples/backtest/eth-short-call.json (20 bp fee, square-root impact, $2 gas):
    // bands checked every 4 h against cadences of 8, 16 and 24 h, on the same 1,000
    // paths. When this test was written seeds 1-4 all passed (the band cheaper at every
    // compared std, by 9 to 440 USD on a premium of 21,000; seed 1: by ~360).
    const eth = example('eth-short-call');
    const bands: FrontierPoint[] = [2, 4, 8, 12].map((b) => {
      const s = run(eth, { band: { unit: 'units', trigger: b } }, { paths: 1000, seed: 1, step: '4h' });
      return { label: `band ${b}`, std: s.hedgeCost.std, mean: s.hedgeCost.mean };
    });
    const cadences: FrontierPoint[] = [8, 16, 24].map((h) => {
      const s = run(eth, { cadence: { everyMs: h * 3_600_000 } }, { paths: 1000, seed: 1, step: '4h' });
      return { label: `every ${h}h`, std: s.hedgeCost.std, mean: s.hedgeCost.mean };
    });
    const comparison = compareFrontiers(bands, cadences);
    expect(comparison.samples.length).toBeGreaterThanOrEqual(2);
    expect(comparison.candidateCheaperEverywhere, JSON.stringify(comparison.samples)).toBe(true);
  });

  it('runs every example config', () => {
    for (const name of ['hull-weekly', 'eth-short-call', 'flash-crash', 'gamma-limits']) {
      const config = BacktestConfigSchema.parse({ ...example(name), simulation: { ...example(name).simulation, paths: 50 } });
      const { summary } = runBacktest(backtestSpecFromConfig(config), POLICY_ENGINE);
      expect(Number.isFinite(summary.hedgeCost.mean), name).toBe(true);
      expect(summary.attribution.total).toBeCloseTo(summary.hedgeCost.mean, 6);
    }
  });

  it('trades the hedge option when the gamma limit binds', () => {
    const config = BacktestConfigSchema.parse({ ...example('gamma-limits'), simulation: { ...example('gamma-limits').simulation, paths: 200 } });
    const { summary } = runBacktest(backtestSpecFromConfig(config), POLICY_ENGINE);
    expect(summary.attribution.hedgeOptions).not.toBe(0);
    expect(summary.skippedOrders).toBe(0);
  });
});
