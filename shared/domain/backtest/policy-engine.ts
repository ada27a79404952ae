/**
 * The production policy engine (shared/domain/policy) as the simulator's injected
 * dependency: the backtester runs the very functions the evaluator runs. It decides with
 * decideHedgeDeferred — decideHedge's decisions, with the id and the message worked out
 * only when read: the simulator reads neither, and building them was most of its time.
 * A policy with insurance or a crash breaker decides with the evaluator's decideGuarded.
 *
 * A policy that scales with a vol forecast (`volScaling.source: "forecast"`) runs through
 * {@link policyEngineFor}: the same functions, with the forecast's state seeded and refitted
 * as live (see forecastEngine below).
 */
import { decideHedgeDeferred } from '../policy/decide-hedge.ts';
import { decideGuarded, type GuardInputs } from '../policy/guarded-decision.ts';
import { applyDecision, initialHedgeState, observePrice } from '../policy/hedge-state.ts';
import type { HedgeState, PolicyInput } from '../policy/policy-types.ts';
import { adoptFit, fitForecast, minForecastObservations, refitDue, type ForecastConfig, type ForecastFit, type ForecastState, type PriceObservation } from '../policy/vol-forecast.ts';
import { createPathSource } from './market-paths.ts';
import { gridFor, type BacktestSpec, type PolicyFunctions } from './simulate.ts';

/** The evaluator's guarded decision, with the engine's id and message deferred as decideHedgeDeferred's. */
const decideGuardedDeferred = (input: PolicyInput, inputs: GuardInputs): ReturnType<typeof decideGuarded> => decideGuarded(input, inputs, decideHedgeDeferred);

export const POLICY_ENGINE: PolicyFunctions = {
  initial: initialHedgeState,
  observe: observePrice,
  decide: decideHedgeDeferred,
  apply: applyDecision,
  decideGuarded: decideGuardedDeferred,
};

/** Mixed into the seed of the warm-up sample, so that it is independent of every path of the run. */
const WARMUP_SEED_SALT = 0x5eed_f00d;

/**
 * The engine for `spec`: {@link POLICY_ENGINE}, or for a forecast-driven policy the same
 * functions with the forecast handled as live:
 *
 *  - Warm-up. A simulated market (GBM, Merton, GARCH) first draws an independent sample of
 *    `window` prices on the run's grid (paths of the same market from another seed, end to
 *    end), and the model is fitted on it once per run: the history a desk would have had
 *    before the backtest starts. Every path starts with that fit, its variance at the fit's
 *    long-run level (the last variance of an unrelated sample would say nothing about the
 *    path). A replayed or recorded market has no independent sample (its own prices
 *    would be look-ahead): its paths start without a fit, on implied vol, as a new
 *    account does live.
 *  - Each step the conditional variance is filtered with the fit in force (O(1), observePrice).
 *  - Refits every `refitEveryMs` on the path's own history so far (its last `window`
 *    prices), exactly when the evaluator would refit. The history is kept only when a refit
 *    can fall within the run's horizon: with refitEveryMs at least the horizon the engine
 *    filters with the warm-up fit and nothing else (fast: the cost of a realised-EWMA run).
 *
 * @example runBacktest(spec, policyEngineFor(spec))
 */
export function policyEngineFor(spec: BacktestSpec): PolicyFunctions {
  const scaling = spec.policy.volScaling;
  if (scaling?.source !== 'forecast' || scaling.forecast === undefined) return POLICY_ENGINE;
  return forecastEngine(spec, scaling.forecast);
}

function forecastEngine(spec: BacktestSpec, config: ForecastConfig): PolicyFunctions {
  const grid = gridFor(spec);
  const horizonMs = grid.offsetsMs[grid.offsetsMs.length - 1]! - grid.offsetsMs[0]!;
  const refits = config.refitEveryMs < horizonMs;
  const warm = warmupFit(spec, config);
  const seeded: ForecastState = warm === undefined ? {} : adoptFit({}, warm);
  const start: ForecastState = refits ? { ...seeded, history: [], window: config.window } : seeded;
  return {
    initial(nowMs) {
      return { ...initialHedgeState(nowMs), forecast: start };
    },
    observe(state, price, atMs, ewmaLambda) {
      const next = observePrice(state, price, atMs, ewmaLambda);
      const forecast = next.forecast;
      if (!refits || forecast === undefined || !refitDue(forecast, config, atMs)) return next;
      return withRefit(next, forecast, config);
    },
    decide: decideHedgeDeferred,
    apply: applyDecision,
    decideGuarded: decideGuardedDeferred,
  };
}

/** A refit on the path's history; a history the model cannot fit (constant prices) keeps the fit in force. */
function withRefit(state: HedgeState, forecast: ForecastState, config: ForecastConfig): HedgeState {
  let fit: ForecastFit;
  try {
    fit = fitForecast(forecast.history!, config.model);
  } catch {
    // Dated now, so that the next attempt waits refitEveryMs (as the fit in force would have).
    const last = forecast.history![forecast.history!.length - 1]![0];
    return forecast.fit === undefined ? state : { ...state, forecast: { ...forecast, fit: { ...forecast.fit, fittedAtMs: last } } };
  }
  return { ...state, forecast: adoptFit(forecast, fit) };
}

/**
 * The warm-up fit of a simulated market: `window` prices drawn on the run's grid from
 * another seed (paths end to end, each path's times following the last), fitted once.
 * Undefined for a replay or recorded market (no independent sample).
 */
export function warmupFit(spec: BacktestSpec, config: ForecastConfig): ForecastFit | undefined {
  if (spec.market.kind === 'replay' || spec.market.kind === 'history') return undefined;
  const grid = gridFor(spec);
  const points = grid.offsetsMs.length;
  const source = createPathSource(spec.market, grid, (spec.seed ^ WARMUP_SEED_SALT) >>> 0);
  const prices = new Float64Array(points);
  const history: PriceObservation[] = [];
  let timeOffset = 0;
  let lastPrice = 0;
  for (let path = 0; history.length < config.window; path++) {
    source.fill(path, prices);
    // Paths start at the same spot: each next path is scaled to continue from the last price.
    const scale = history.length === 0 ? 1 : lastPrice / prices[0]!;
    for (let k = history.length === 0 ? 0 : 1; k < points && history.length < config.window; k++) {
      history.push([spec.startMs + timeOffset + grid.offsetsMs[k]!, prices[k]! * scale]);
      lastPrice = prices[k]! * scale;
    }
    timeOffset += grid.offsetsMs[points - 1]!;
  }
  if (history.length < minForecastObservations(config.model)) return undefined;
  const fit = fitForecast(history, config.model);
  return { ...fit, fittedAtMs: spec.startMs };
}
