/**
 * Forecast-driven policies in the backtester (policyEngineFor): the warm-up fit, the
 * filter on every step, refits on the path's history when the policy's refitEveryMs falls
 * within the run, and the same paths as any other policy.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BacktestConfigSchema, backtestSpecFromConfig, type BacktestConfigInput } from '../../../../shared/contracts/backtest-config.ts';
import { POLICY_ENGINE, policyEngineFor, warmupFit } from '../../../../shared/domain/backtest/policy-engine.ts';
import { runBacktest, type BacktestSpec } from '../../../../shared/domain/backtest/simulate.ts';
import { forecastVol } from '../../../../shared/domain/policy/vol-forecast.ts';

const example = (name: string): BacktestConfigInput => JSON.parse(readFileSync(new URL(`../../../../examples/backtest/${name}.json`, import.meta.url), 'utf8')) as BacktestConfigInput;
const specOf = (name: string, simulation: object = {}, policy?: object): BacktestSpec => {
  const base = example(name);
  return backtestSpecFromConfig(BacktestConfigSchema.parse({ ...base, ...(policy === undefined ? {} : { policy }), simulation: { ...base.simulation, ...simulation } }));
};

describe('forecast-driven policies in the backtester', () => {
  it('fits the warm-up sample of the GARCH market once, close to the market it was drawn from', () => {
    const spec = specOf('garch-forecast-band', { paths: 20 });
    const fit = warmupFit(spec, spec.policy.volScaling!.forecast!)!;
    expect(fit).toMatchObject({ model: 'garch', intervalMs: 3_600_000, fittedAtMs: spec.startMs, observations: 719 });
    // 720 hourly prices: a rough estimate of α = 0.06, β = 0.92, but a GARCH one.
    expect(fit.alpha).toBeGreaterThan(0.01);
    expect(fit.alpha + fit.beta).toBeGreaterThan(0.8);
    // The engine starts every path with it, its variance at the long-run level.
    const state = policyEngineFor(spec).initial(spec.startMs);
    expect(state.forecast?.fit).toEqual(fit);
    expect(forecastVol(state.forecast, 86_400_000)).toBeCloseTo(Math.sqrt((fit.omega / fit.meanReversion) * 8760), 10);
    // No refit within the 30-day run (refitEveryMs 30 days): no history kept.
    expect(state.forecast?.history).toBeUndefined();
    // A policy without a forecast runs the plain engine.
    expect(policyEngineFor(specOf('garch-vol-clusters'))).toBe(POLICY_ENGINE);
  });

  it('runs on the same paths as the other policies, deterministically, the band following the forecast', () => {
    const spec = specOf('garch-forecast-band', { paths: 40 });
    const a = runBacktest(spec, policyEngineFor(spec));
    const b = runBacktest(spec, policyEngineFor(spec));
    expect(a.summary.hedgeCost).toEqual(b.summary.hedgeCost);
    // The same paths (the same premium, the same payoffs) as the fixed band; different trades.
    const fixed = runBacktest(specOf('garch-vol-clusters', { paths: 40 }), POLICY_ENGINE);
    expect(a.summary.attribution.option).toBe(fixed.summary.attribution.option);
    expect(a.summary.tradesPerPath).not.toBe(fixed.summary.tradesPerPath);
    // Blocks of paths (as the CLI runs them) give the same per-path numbers.
    const tail = runBacktest({ ...spec, firstPath: 20, paths: 20 }, policyEngineFor(spec));
    expect(Array.from(tail.perPath.hedgeCost)).toEqual(Array.from(a.perPath.hedgeCost).slice(20));
  });

  it('refits on the path history when refitEveryMs falls within the run: other numbers, the same paths', () => {
    const warm = specOf('garch-forecast-band', { paths: 6 });
    const refit = specOf('garch-forecast-refit', { paths: 6 });
    const engine = policyEngineFor(refit);
    expect(engine.initial(refit.startMs).forecast).toMatchObject({ history: [], window: 720 });
    const w = runBacktest(warm, policyEngineFor(warm)).summary;
    const r = runBacktest(refit, engine).summary;
    expect(r.attribution.option).toBe(w.attribution.option);
    expect(r.hedgeCost.mean).not.toBe(w.hedgeCost.mean);
  });

  it('a replayed series has no independent warm-up (its own prices would be look-ahead): paths start on implied vol', () => {
    const spec = specOf('garch-forecast-band', { paths: 1 });
    const replay = { ...spec, market: { kind: 'replay', prices: [3000, 3010, 3005] } } as unknown as BacktestSpec;
    expect(warmupFit(replay, spec.policy.volScaling!.forecast!)).toBeUndefined();
  });
});
