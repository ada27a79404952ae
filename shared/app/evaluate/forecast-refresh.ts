/**
 * The evaluator's part of a vol forecast (volScaling.source "forecast"): after the
 * observation (observePrice appended it to the bounded history and filtered the variance
 * with the fit in force), adopt a newer fit stored for the underlying by another
 * evaluation, and refit when due (`refitEveryMs` since the fit in force, and enough
 * observations), storing the new fit per underlying with a conditional write that never
 * moves the stored one back. The maths is the pure core's (vol-forecast.ts); this only reads
 * and writes.
 */
import { InvalidInputError } from '../../domain/errors.ts';
import type { HedgeState } from '../../domain/policy/policy-types.ts';
import { adoptFit, fitForecast, prepareForecast, refitDue, type ForecastConfig } from '../../domain/policy/vol-forecast.ts';
import { NO_TELEMETRY, type Telemetry } from '../telemetry.ts';
import type { VolForecastStore } from './ports.ts';

/** The key a fit is stored under per underlying: accounts forecasting the same way share it. */
export const forecastKey = (config: Pick<ForecastConfig, 'model' | 'window'>): string => `${config.model}#w${config.window}`;

/**
 * @example
 * const state = await refreshForecast(deps.volForecasts, 'ETH', observedState, { model: 'garch', window: 720, refitEveryMs: 86_400_000 }, nowMs);
 */
export async function refreshForecast(
  store: VolForecastStore | undefined,
  underlying: string,
  state: HedgeState,
  config: ForecastConfig,
  nowMs: number,
  telemetry: Telemetry = NO_TELEMETRY,
): Promise<HedgeState> {
  let forecast = state.forecast ?? prepareForecast(undefined, config);
  const key = forecastKey(config);
  if (store !== undefined) {
    const stored = await store.latest(underlying, key);
    if (stored !== undefined && stored.model === config.model && (forecast.fit === undefined || stored.fittedAtMs > forecast.fit.fittedAtMs)) {
      forecast = adoptFit(forecast, stored);
    }
  }
  if (refitDue(forecast, config, nowMs)) {
    try {
      const started = performance.now();
      const fit = fitForecast(forecast.history!, config.model);
      forecast = adoptFit(forecast, fit);
      const saved = store === undefined ? 'not-stored' : await store.save(underlying, key, fit);
      telemetry.info('vol forecast refitted', { underlying, key, saved, observations: fit.observations, alpha: fit.alpha, beta: fit.beta, ms: Math.round(performance.now() - started) });
    } catch (error) {
      // A series the model cannot fit (constant prices): keep the fit in force (or the implied fallback).
      if (!(error instanceof InvalidInputError)) throw error;
      telemetry.warn('vol forecast refit skipped', { underlying, key, reason: error.message });
    }
  }
  return forecast === state.forecast ? state : { ...state, forecast };
}
