/**
 * The volatility forecast a policy scales with (`volScaling.source: "forecast"`), as pure
 * state transitions shared by the evaluator and the backtester:
 *
 *  - {@link prepareForecast}: the account's forecast state made consistent with its
 *    config (history kept to `window` observations, a fit of another model dropped);
 *  - {@link observeForecast} (called by observePrice): the new observation appended to
 *    the bounded history, and the conditional variance filtered with the stored fit in
 *    O(1): σ²ₙ₊₁ = ω + α·ε²ₙ + β·σ²ₙ;
 *  - {@link fitForecast}: a maximum-likelihood refit (GARCH(1,1) or EWMA) on the history;
 *    {@link adoptFit}: a fit (our own, or one stored per underlying by another evaluation)
 *    run over the history to get the current conditional variance (O(window));
 *  - {@link forecastVol}: the average vol over the hedge horizon, √(V(H)·steps per year).
 *
 * Irregular observations. The models work per sampling step; live evaluations are not
 * exactly regular (schedule jitter, Positions Changed between ticks, an outage). Every
 * return is rescaled to the fit's step τ (the mean spacing of the history fitted):
 * r̃ = r·√(τ/Δt), so a return over 2τ counts as one τ-step's worth of variance, not two.
 * On a regular grid r̃ = r.
 */
import { InvalidInputError } from '../errors.ts';
import { fitEwma, MIN_EWMA_RETURNS } from '../volatility/ewma.ts';
import { fitGarch, MIN_GARCH_RETURNS } from '../volatility/garch-fit.ts';
import { samplingIntervalMs } from '../volatility/sampling.ts';
import { averageVarianceOverHorizon } from '../volatility/variance-forecast.ts';
import { MS_PER_YEAR } from './policy-constants.ts';

export type ForecastModel = 'garch' | 'ewma';

/** A fitted variance model, per step of `intervalMs` (what is stored per underlying). */
export interface ForecastFit {
  readonly model: ForecastModel;
  readonly mu: number;
  readonly omega: number;
  readonly alpha: number;
  readonly beta: number;
  /** 1 − α − β as the fit computed it (0: integrated, as EWMA; no level to revert to). */
  readonly meanReversion: number;
  /** The sampling step the parameters are per (the mean spacing of the observations fitted), ms. */
  readonly intervalMs: number;
  /** When it was fitted (the last observation's time): fits only move forward in it. */
  readonly fittedAtMs: number;
  /** Returns fitted. */
  readonly observations: number;
}

/** One observation: [epoch ms, price]. */
export type PriceObservation = readonly [number, number];

/** What the hedge state keeps for a forecast. */
export interface ForecastState {
  readonly fit?: ForecastFit;
  /** σ²ₙ₊₁, the conditional variance of the next step's return (per step of fit.intervalMs). */
  readonly variance?: number;
  /** The most recent observations, oldest first, at most `window`; absent: none kept (a backtest with fixed parameters). */
  readonly history?: readonly PriceObservation[];
  /** How many observations `history` keeps. */
  readonly window?: number;
}

/** The forecast part of the policy config (hedge-policy-config.ts, VolForecastSchema). */
export interface ForecastConfig {
  readonly model: ForecastModel;
  readonly window: number;
  readonly refitEveryMs: number;
}

/** Prices a fit of `model` needs: its fewest returns + 1. */
export function minForecastObservations(model: ForecastModel): number {
  return (model === 'garch' ? MIN_GARCH_RETURNS : MIN_EWMA_RETURNS) + 1;
}

/**
 * The forecast state consistent with `config`: a history kept (trimmed to the last
 * `window` observations), and a fit of another model dropped (with its variance).
 *
 * @example prepareForecast(undefined, { model: 'garch', window: 720, refitEveryMs: 86_400_000 }) // { history: [], window: 720 }
 */
export function prepareForecast(forecast: ForecastState | undefined, config: ForecastConfig): ForecastState {
  const history = forecast?.history ?? [];
  const trimmed = history.length > config.window ? history.slice(history.length - config.window) : history;
  const keepFit = forecast?.fit !== undefined && forecast.fit.model === config.model;
  if (keepFit && trimmed === history && forecast?.window === config.window) return forecast;
  return {
    ...(keepFit ? { fit: forecast!.fit! } : {}),
    ...(keepFit && forecast!.variance !== undefined ? { variance: forecast!.variance } : {}),
    history: trimmed,
    window: config.window,
  };
}

/** A return rescaled to the fit's step, minus the fit's mean: the shock ε the variance reacts to. */
function shock(fit: ForecastFit, previousPrice: number, price: number, elapsedMs: number): number {
  return Math.log(price / previousPrice) * Math.sqrt(fit.intervalMs / elapsedMs) - fit.mu;
}

/** The variance the filter starts from without one: the fit's long-run level (the shock's square when integrated). */
function startingVariance(fit: ForecastFit, epsilon: number): number {
  return fit.meanReversion > 0 ? fit.omega / fit.meanReversion : epsilon * epsilon;
}

/**
 * The forecast after an observation at `atMs` (the previous one at `previousAtMs`, or none
 * yet). O(1) filtering; the history (when kept) grows by one and drops its oldest beyond
 * `window`. Callers (observePrice) guarantee valid prices and atMs > previousAtMs.
 */
export function observeForecast(
  forecast: ForecastState,
  previous: { readonly price: number; readonly atMs: number } | undefined,
  price: number,
  atMs: number,
): ForecastState {
  const { fit, history, window } = forecast;
  let variance = forecast.variance;
  if (fit !== undefined && previous !== undefined) {
    const epsilon = shock(fit, previous.price, price, atMs - previous.atMs);
    const before = variance ?? startingVariance(fit, epsilon);
    variance = fit.omega + fit.alpha * epsilon * epsilon + fit.beta * before;
  }
  const next: { -readonly [K in keyof ForecastState]: ForecastState[K] } = {};
  if (fit !== undefined) next.fit = fit;
  if (variance !== undefined) next.variance = variance;
  if (history !== undefined) {
    const capacity = window ?? history.length + 1;
    const start = history.length + 1 > capacity ? history.length + 1 - capacity : 0;
    const grown = history.slice(start);
    grown.push([atMs, price]);
    next.history = grown;
  }
  if (window !== undefined) next.window = window;
  return next;
}

/** The returns of the observations rescaled to their mean spacing τ: r·√(τ/Δt). */
export function rescaledReturns(history: readonly PriceObservation[]): { readonly returns: Float64Array; readonly intervalMs: number } {
  const times = history.map((o) => o[0]);
  const intervalMs = samplingIntervalMs(times);
  const returns = new Float64Array(history.length - 1);
  for (let t = 1; t < history.length; t++) {
    const elapsed = history[t]![0] - history[t - 1]![0];
    if (!(elapsed > 0)) throw new InvalidInputError(`history[${t}]`, history[t]![0], 'must be later than the observation before it');
    returns[t - 1] = Math.log(history[t]![1] / history[t - 1]![1]) * Math.sqrt(intervalMs / elapsed);
  }
  return { returns, intervalMs };
}

/**
 * Fits `model` by maximum likelihood on the observations (at least
 * {@link minForecastObservations}); the fit is dated by the last observation.
 * Throws InvalidInputError on too few observations or a constant series.
 *
 * @example fitForecast(history, 'garch').alpha // the ARCH term per step of the history's mean spacing
 */
export function fitForecast(history: readonly PriceObservation[], model: ForecastModel): ForecastFit {
  const needed = minForecastObservations(model);
  if (history.length < needed) throw new InvalidInputError('history', history.length, `must hold at least ${needed} observations to fit ${model}`);
  const { returns, intervalMs } = rescaledReturns(history);
  const fittedAtMs = history[history.length - 1]![0];
  if (model === 'ewma') {
    const fit = fitEwma(returns);
    return { model, mu: 0, omega: 0, alpha: 1 - fit.lambda, beta: fit.lambda, meanReversion: 0, intervalMs, fittedAtMs, observations: returns.length };
  }
  const fit = fitGarch(returns);
  const { mu, omega, alpha, beta } = fit.params;
  return { model, mu, omega, alpha, beta, meanReversion: fit.dynamics.meanReversion, intervalMs, fittedAtMs, observations: returns.length };
}

/**
 * The forecast with `fit` in force: the conditional variance re-filtered over the kept
 * history, started as the fit starts it (σ²₁ = the mean squared residual of the history's
 * returns, garch-types.ts's "sample" convention), so that adopting a fit over the history it
 * was fitted on gives the fit's own σ²ₙ₊₁; without a history (or a single observation), the
 * fit's long-run level (none when integrated).
 */
export function adoptFit(forecast: ForecastState, fit: ForecastFit): ForecastState {
  const history = forecast.history ?? [];
  const shocks: number[] = [];
  for (let t = 1; t < history.length; t++) {
    const elapsed = history[t]![0] - history[t - 1]![0];
    if (elapsed > 0) shocks.push(shock(fit, history[t - 1]![1], history[t]![1], elapsed));
  }
  let variance: number | undefined;
  if (shocks.length > 0) {
    let squares = 0;
    for (const e of shocks) squares += e * e;
    variance = squares / shocks.length;
    for (const e of shocks) variance = fit.omega + fit.alpha * e * e + fit.beta * variance;
  } else if (fit.meanReversion > 0) {
    variance = fit.omega / fit.meanReversion;
  }
  const { variance: _previous, ...rest } = forecast;
  return { ...rest, fit, ...(variance === undefined ? {} : { variance }) };
}

/** Whether a refit is due: none yet or `refitEveryMs` old, and enough observations to fit. */
export function refitDue(forecast: ForecastState, config: ForecastConfig, nowMs: number): boolean {
  const observations = forecast.history?.length ?? 0;
  if (observations < minForecastObservations(config.model)) return false;
  const fit = forecast.fit;
  return fit === undefined || fit.model !== config.model || nowMs - fit.fittedAtMs >= config.refitEveryMs;
}

/** Why a forecast could not give a vol (decision `numbers.forecastFallback`). */
export const FORECAST_FALLBACK = {
  /** Fewer observations than a fit needs, and no fit stored yet. */
  TOO_FEW_OBSERVATIONS: 1,
} as const;

/**
 * The forecast's average vol over `horizonMs`, annualised: √(V(H)·steps per year) with
 * H = horizonMs/τ steps (a horizon under one step is forecast as one step); undefined
 * without a fit and a filtered variance.
 *
 * @example forecastVol({ fit, variance }, 3_600_000) // e.g. 0.72 when the last hours were rough
 */
export function forecastVol(forecast: ForecastState | undefined, horizonMs: number): number | undefined {
  const fit = forecast?.fit;
  const variance = forecast?.variance;
  if (fit === undefined || variance === undefined) return undefined;
  const steps = Math.max(horizonMs / fit.intervalMs, 1);
  const average = averageVarianceOverHorizon({ omega: fit.omega, meanReversion: fit.meanReversion, nextVariance: variance }, steps);
  return Math.sqrt((average * MS_PER_YEAR) / fit.intervalMs);
}
