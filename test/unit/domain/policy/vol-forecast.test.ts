import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfig } from '../../../../shared/contracts/hedge-policy-config.ts';
import { HedgeStateSchema } from '../../../../shared/contracts/hedge-state-schema.ts';
import { Xoshiro128 } from '../../../../shared/domain/backtest/random.ts';
import { decideHedge } from '../../../../shared/domain/policy/decide-hedge.ts';
import { initialHedgeState, observePrice, withForecastConfig } from '../../../../shared/domain/policy/hedge-state.ts';
import type { HedgeState } from '../../../../shared/domain/policy/policy-types.ts';
import {
  adoptFit,
  FORECAST_FALLBACK,
  fitForecast,
  forecastVol,
  minForecastObservations,
  observeForecast,
  prepareForecast,
  refitDue,
  rescaledReturns,
  type ForecastConfig,
  type ForecastFit,
  type PriceObservation,
} from '../../../../shared/domain/policy/vol-forecast.ts';
import { fitGarch } from '../../../../shared/domain/volatility/garch-fit.ts';
import { averageVarianceOverHorizon } from '../../../../shared/domain/volatility/variance-forecast.ts';
import { simulateGarch } from '../../../../shared/domain/volatility/simulate-garch.ts';
import { MS_PER_YEAR } from '../../../../shared/domain/policy/policy-constants.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
const GARCH = { mu: 0, omega: 2e-6, alpha: 0.08, beta: 0.9 };
const config: ForecastConfig = { model: 'garch', window: 400, refitEveryMs: 24 * HOUR };

/** Hourly prices from simulated GARCH returns. */
function hourlyHistory(n: number, seed = 3): PriceObservation[] {
  const returns = simulateGarch(GARCH, n - 1, new Xoshiro128(seed));
  const out: PriceObservation[] = [[T0, 3000]];
  for (let t = 0; t < returns.length; t++) out.push([T0 + (t + 1) * HOUR, out[t]![1] * Math.exp(returns[t]!)]);
  return out;
}

describe('the vol forecast state', () => {
  it('keeps a bounded history: prepare trims to the window, observe drops the oldest', () => {
    const history = hourlyHistory(10);
    const prepared = prepareForecast({ history }, { ...config, window: 4 });
    expect(prepared.history).toEqual(history.slice(6));
    const next = observeForecast(prepared, { price: history[9]![1], atMs: history[9]![0] }, 3100, T0 + 10 * HOUR);
    expect(next.history).toHaveLength(4);
    expect(next.history![3]).toEqual([T0 + 10 * HOUR, 3100]);
    expect(next.history![0]).toEqual(history[7]);
    expect(prepared.history).toHaveLength(4); // not mutated
  });

  it('drops a fit of another model and keeps one of the same', () => {
    const fit = fitForecast(hourlyHistory(200), 'garch');
    expect(prepareForecast({ fit, variance: 1e-4, history: [] }, { ...config, model: 'ewma' })).toEqual({ history: [], window: 400 });
    expect(prepareForecast({ fit, variance: 1e-4, history: [] }, config)).toMatchObject({ fit, variance: 1e-4 });
  });

  it('fits the history with the GARCH fit of the core (regular steps: the returns as they are)', () => {
    const history = hourlyHistory(1000);
    const fit = fitForecast(history, 'garch');
    const { returns, intervalMs } = rescaledReturns(history);
    expect(intervalMs).toBe(HOUR);
    const direct = fitGarch(returns);
    expect(fit).toMatchObject({ model: 'garch', alpha: direct.params.alpha, beta: direct.params.beta, omega: direct.params.omega, intervalMs: HOUR, fittedAtMs: history[999]![0], observations: 999 });
    // Adopting the fit over the same history gives the fit's own one-step-ahead variance.
    const adopted = adoptFit({ history }, fit);
    expect(adopted.variance).toBeCloseTo(direct.conditionalVariances[999]!, 15);
    // Also where the start is never forgotten (α = 0: a deterministic variance path).
    const flat = { ...fit, alpha: 0, beta: 0.999, omega: 1e-12, meanReversion: 0.001 };
    const deterministic = adoptFit({ history }, flat).variance!;
    let expected = Array.from(returns).reduce((a, r) => a + (r - flat.mu) ** 2, 0) / returns.length;
    for (let t = 0; t < returns.length; t++) expected = flat.omega + flat.beta * expected;
    expect(deterministic).toBeCloseTo(expected, 15);
  });

  it('filters the variance one return at a time, exactly as a fit over the longer history would (O(1) per observation)', () => {
    const history = hourlyHistory(501);
    const fit = fitForecast(history.slice(0, 400), 'garch');
    let state: HedgeState = { ...initialHedgeState(T0), forecast: adoptFit({ history: history.slice(0, 400), window: 400 }, fit) };
    state = { ...state, lastPrice: history[399]![1], lastPriceAtMs: history[399]![0] };
    for (let t = 400; t < 501; t++) state = observePrice(state, history[t]![1], history[t]![0], 0.94);
    const refiltered = adoptFit({ history }, fit);
    expect(state.forecast!.variance).toBeCloseTo(refiltered.variance!, 15);
    expect(state.forecast!.history).toHaveLength(400);
  });

  it('rescales an irregular return to the fit step: a 4-hour return counts as one hour of variance', () => {
    const fit: ForecastFit = { model: 'garch', mu: 0, omega: 1e-6, alpha: 0.1, beta: 0.85, meanReversion: 0.05, intervalMs: HOUR, fittedAtMs: T0, observations: 100 };
    const forecast = { fit, variance: 4e-5 };
    const r = 0.01;
    const fourHours = observeForecast(forecast, { price: 100, atMs: T0 }, 100 * Math.exp(r), T0 + 4 * HOUR);
    expect(fourHours.variance).toBeCloseTo(1e-6 + 0.1 * (r * r) / 4 + 0.85 * 4e-5, 18);
  });

  it('is due for a refit when there is none or it is refitEveryMs old, and only with enough observations', () => {
    const short = { history: hourlyHistory(minForecastObservations('garch') - 1) };
    expect(refitDue(short, config, T0 + 100 * HOUR)).toBe(false);
    const history = hourlyHistory(minForecastObservations('garch'));
    expect(refitDue({ history }, config, T0)).toBe(true);
    const fit = fitForecast(history, 'garch');
    expect(refitDue({ history, fit }, config, fit.fittedAtMs + 23 * HOUR)).toBe(false);
    expect(refitDue({ history, fit }, config, fit.fittedAtMs + 24 * HOUR)).toBe(true);
    expect(minForecastObservations('ewma')).toBe(21);
  });

  it('gives the average vol over the horizon from the closed form V(H)', () => {
    const fit: ForecastFit = { model: 'garch', mu: 0, omega: 2e-6, alpha: 0.08, beta: 0.9, meanReversion: 0.02, intervalMs: HOUR, fittedAtMs: T0, observations: 500 };
    const variance = 4e-4;
    const expected = Math.sqrt((averageVarianceOverHorizon({ omega: 2e-6, meanReversion: 0.02, nextVariance: variance }, 24) * MS_PER_YEAR) / HOUR);
    expect(forecastVol({ fit, variance }, 24 * HOUR)).toBeCloseTo(expected, 14);
    // Mean reversion: a high current variance forecasts a lower average over a longer horizon.
    expect(forecastVol({ fit, variance }, 240 * HOUR)!).toBeLessThan(forecastVol({ fit, variance }, 24 * HOUR)!);
    // A horizon under one step is one step.
    expect(forecastVol({ fit, variance }, HOUR / 10)).toBeCloseTo(Math.sqrt((variance * MS_PER_YEAR) / HOUR), 14);
    expect(forecastVol({ history: [] }, HOUR)).toBeUndefined();
  });

  it('fits EWMA as the integrated special case (flat term structure)', () => {
    const fit = fitForecast(hourlyHistory(300), 'ewma');
    expect(fit).toMatchObject({ model: 'ewma', omega: 0, mu: 0, meanReversion: 0 });
    expect(fit.alpha + fit.beta).toBeCloseTo(1, 15);
    const adopted = adoptFit({ history: hourlyHistory(300) }, fit);
    expect(forecastVol(adopted, 100 * HOUR)).toBeCloseTo(forecastVol(adopted, HOUR)!, 12);
  });

  it('refuses to fit too few observations or a constant series, with a clear error', () => {
    expect(() => fitForecast(hourlyHistory(50), 'garch')).toThrow(/history must hold at least 51 observations to fit garch/);
    const flat: PriceObservation[] = Array.from({ length: 60 }, (_, i) => [T0 + i * HOUR, 3000]);
    expect(() => fitForecast(flat, 'garch')).toThrow(/constant/);
  });

  it('round-trips through the stored state schema (bounded history)', () => {
    const history = hourlyHistory(100);
    const fit = fitForecast(history, 'garch');
    const state: HedgeState = { ...initialHedgeState(T0), forecast: adoptFit({ history, window: 100 }, fit) };
    expect(HedgeStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(HedgeStateSchema.safeParse({ ...state, forecast: { history: Array.from({ length: 2001 }, (_, i) => [i, 1]) } }).success).toBe(false);
  });

  it('withForecastConfig adds the block for a forecasting policy and drops it for one that stopped', () => {
    const added = withForecastConfig(undefined, config, T0);
    expect(added.forecast).toEqual({ history: [], window: 400 });
    expect(withForecastConfig(added, undefined, T0).forecast).toBeUndefined();
  });
});

describe('decisions with volScaling.source "forecast"', () => {
  const policy = (over: object = {}): HedgePolicyConfig =>
    HedgePolicyConfigSchema.parse({
      underlying: 'ETH',
      band: { unit: 'units', trigger: 5 },
      volScaling: { source: 'forecast', referenceVol: 0.6, horizonMs: 24 * HOUR, forecast: { model: 'garch', window: 400, refitEveryMs: 24 * HOUR }, ...over },
    });
  const market = { spot: 3000, impliedVol: 0.5, rate: 0, yield: 0 };
  const risk = { delta: 1, gamma: 0.01, vegaPerVolPoint: 0, optionNotionalUsd: 0, yearsToExpiry: 0.1 };

  it('falls back to implied vol, saying why, while there are too few observations for a fit', () => {
    const state = withForecastConfig(undefined, { model: 'garch', window: 400, refitEveryMs: 24 * HOUR }, T0);
    const d = decideHedge({ risk, market, config: policy(), state, nowMs: T0 });
    expect(d.numbers).toMatchObject({ vol: 0.5, volFromForecast: 0, forecastFallback: FORECAST_FALLBACK.TOO_FEW_OBSERVATIONS, forecastObservations: 0 });
    expect(d.numbers.bandUnits).toBeCloseTo(5 * (0.5 / 0.6), 12);
  });

  it('scales the band with the forecast average vol over the horizon', () => {
    const history = hourlyHistory(400);
    const fit = fitForecast(history, 'garch');
    const forecast = adoptFit({ history, window: 400 }, fit);
    const vol = forecastVol(forecast, 24 * HOUR)!;
    const state: HedgeState = { ...initialHedgeState(T0), forecast };
    const d = decideHedge({ risk, market, config: policy(), state, nowMs: T0 + 400 * HOUR });
    expect(d.numbers).toMatchObject({ volFromForecast: 1, forecastVol: vol, vol, forecastObservations: 400 });
    expect(d.numbers.forecastFallback).toBeUndefined();
    expect(d.numbers.bandUnits).toBeCloseTo(5 * (vol / 0.6), 12);
  });

  it('is validated like every field: a clear error naming the path, nothing parsed', () => {
    const issues = (value: unknown): string[] => {
      const parsed = HedgePolicyConfigSchema.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    const base = { underlying: 'ETH', band: { unit: 'units', trigger: 5 } };
    expect(issues({ ...base, volScaling: { source: 'forecast' } })).toEqual([expect.stringMatching(/^volScaling\.forecast: volScaling.source "forecast" needs a forecast block/)]);
    expect(issues({ ...base, volScaling: { source: 'forecast', forecast: { window: 10 } } })).toEqual([expect.stringMatching(/^volScaling\.forecast\.window: .*51/)]);
    expect(issues({ ...base, volScaling: { source: 'forecast', forecast: { model: 'heston' } } })).toEqual([expect.stringMatching(/^volScaling\.forecast\.model: /)]);
    expect(issues({ ...base, volScaling: { source: 'realised', forecast: {} } })).toEqual(['volScaling.forecast: volScaling.forecast is used only with source "forecast" (the source is "realised")']);
    expect(issues({ ...base, volScaling: { source: 'forecast', forecast: { refitEveryMs: 1000 } } })).toEqual([expect.stringMatching(/^volScaling\.forecast\.refitEveryMs: /)]);
    expect(HedgePolicyConfigSchema.parse({ ...base, volScaling: { source: 'forecast', forecast: {} } }).volScaling?.forecast).toEqual({ model: 'garch', window: 720, refitEveryMs: 86_400_000 });
  });
});

describe('the decision id with a forecast', () => {
  it('changes with the filtered variance (an input that sets the band), and not without a forecast', () => {
    const history = hourlyHistory(200);
    const fit = fitForecast(history, 'garch');
    const forecast = adoptFit({ history, window: 400 }, fit);
    const config = HedgePolicyConfigSchema.parse({ underlying: 'ETH', band: { unit: 'units', trigger: 5 }, volScaling: { source: 'forecast', forecast: {} } });
    const input = { risk: { delta: 1, gamma: 0, vegaPerVolPoint: 0, optionNotionalUsd: 0, yearsToExpiry: 0.1 }, market: { spot: 3000, impliedVol: 0.5, rate: 0, yield: 0 }, config, nowMs: T0 };
    const plain = decideHedge({ ...input, state: initialHedgeState(T0) }).id;
    const a = decideHedge({ ...input, state: { ...initialHedgeState(T0), forecast } }).id;
    const b = decideHedge({ ...input, state: { ...initialHedgeState(T0), forecast: { ...forecast, variance: forecast.variance! * 2 } } }).id;
    expect(new Set([plain, a, b]).size).toBe(3);
    expect(decideHedge({ ...input, state: { ...initialHedgeState(T0), forecast: { history: [] } } }).id).toBe(plain);
  });
});
