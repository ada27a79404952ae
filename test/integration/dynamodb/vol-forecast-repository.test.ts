/**
 * Vol forecast fits per underlying on DynamoDB Local: the conditional write keeps the
 * newest fit whatever the order of the writes (a duplicate, a late retry, racing refits),
 * and the evaluator's refresh adopts a newer stored fit, refits when due and stores it.
 */
import { describe, expect, it } from 'vitest';
import { createEvaluationRepository } from '../../../shared/adapters/dynamodb/evaluation-repository.ts';
import { createVolForecastRepository } from '../../../shared/adapters/dynamodb/vol-forecast-repository.ts';
import { forecastKey, refreshForecast } from '../../../shared/app/evaluate/forecast-refresh.ts';
import { Xoshiro128 } from '../../../shared/domain/backtest/random.ts';
import { initialHedgeState, observePrice, withForecastConfig } from '../../../shared/domain/policy/hedge-state.ts';
import type { HedgeState } from '../../../shared/domain/policy/policy-types.ts';
import { fitForecast, type ForecastConfig, type ForecastFit, type PriceObservation } from '../../../shared/domain/policy/vol-forecast.ts';
import { simulateGarch } from '../../../shared/domain/volatility/simulate-garch.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const ddb = useDynamoDbLocal();
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 1);
const config: ForecastConfig = { model: 'garch', window: 300, refitEveryMs: 24 * HOUR };

function prices(n: number, seed: number): PriceObservation[] {
  const returns = simulateGarch({ mu: 0, omega: 2e-6, alpha: 0.08, beta: 0.9 }, n - 1, new Xoshiro128(seed));
  const out: PriceObservation[] = [[T0, 3000]];
  for (let t = 0; t < returns.length; t++) out.push([T0 + (t + 1) * HOUR, out[t]![1] * Math.exp(returns[t]!)]);
  return out;
}

const fitAt = (fittedAtMs: number, alpha = 0.08): ForecastFit => ({ model: 'garch', mu: 0, omega: 2e-6, alpha, beta: 0.9, meanReversion: 1 - alpha - 0.9, intervalMs: HOUR, fittedAtMs, observations: 299 });

/** The state after observing `history` one price at a time, as the evaluator does. */
function observed(history: readonly PriceObservation[]): HedgeState {
  let state = withForecastConfig(initialHedgeState(T0), config, T0);
  for (const [at, price] of history) state = observePrice(state, price, at, 0.94);
  return state;
}

describe('vol forecast fits per underlying', () => {
  it('keeps the newest fit: an older or equal fittedAtMs never overwrites it, in any order', async () => {
    const { doc, tableName } = ddb();
    const store = createVolForecastRepository({ doc, tableName });
    expect(await store.latest('ETH-a', 'garch#w300')).toBeUndefined();
    expect(await store.save('ETH-a', 'garch#w300', fitAt(T0 + 2 * HOUR))).toBe('stored');
    expect(await store.save('ETH-a', 'garch#w300', fitAt(T0 + HOUR, 0.05))).toBe('newer-kept');
    expect(await store.save('ETH-a', 'garch#w300', fitAt(T0 + 2 * HOUR, 0.05))).toBe('newer-kept'); // a duplicate
    expect(await store.latest('ETH-a', 'garch#w300')).toEqual(fitAt(T0 + 2 * HOUR));
    expect(await store.save('ETH-a', 'garch#w300', fitAt(T0 + 3 * HOUR, 0.07))).toBe('stored');
    expect((await store.latest('ETH-a', 'garch#w300'))?.alpha).toBe(0.07);
    // Other keys and underlyings are their own items.
    expect(await store.latest('ETH-a', 'ewma#w300')).toBeUndefined();
    expect(await store.latest('BTC-a', 'garch#w300')).toBeUndefined();
  });

  it('racing saves settle on the newest, whichever lands last', async () => {
    const { doc, tableName } = ddb();
    const store = createVolForecastRepository({ doc, tableName });
    const times = Array.from({ length: 12 }, (_, i) => T0 + ((i * 7) % 12) * HOUR);
    const outcomes = await Promise.all(times.map((t) => store.save('ETH-race', 'garch#w300', fitAt(t))));
    expect(outcomes).toContain('stored');
    expect((await store.latest('ETH-race', 'garch#w300'))?.fittedAtMs).toBe(T0 + 11 * HOUR);
  });

  it('refuses an invalid fit before writing anything', async () => {
    const { doc, tableName } = ddb();
    const store = createVolForecastRepository({ doc, tableName });
    await expect(store.save('ETH-bad', 'garch#w300', { ...fitAt(T0), omega: -1 })).rejects.toThrow(/vol fit is invalid/);
    expect(await store.latest('ETH-bad', 'garch#w300')).toBeUndefined();
  });

  it('the refresh: no fit with too few observations, a refit when due (stored), then adoption of a newer stored fit by another account', async () => {
    const { doc, tableName } = ddb();
    const store = createVolForecastRepository({ doc, tableName });
    const history = prices(400, 11);
    // 40 observations: too few for GARCH, nothing fitted or stored.
    const early = await refreshForecast(store, 'ETH-r', observed(history.slice(0, 40)), config, history[39]![0]);
    expect(early.forecast?.fit).toBeUndefined();
    expect(await store.latest('ETH-r', forecastKey(config))).toBeUndefined();
    // 300 observations: a fit, stored per underlying, the variance filtered over the history.
    const first = await refreshForecast(store, 'ETH-r', observed(history.slice(0, 300)), config, history[299]![0]);
    const stored = await store.latest('ETH-r', forecastKey(config));
    expect(first.forecast?.fit).toEqual(stored);
    expect(stored).toEqual(fitForecast(history.slice(0, 300), 'garch'));
    expect(first.forecast?.variance).toBeGreaterThan(0);
    // Not due an hour later: the fit in force stays, nothing is written.
    const later = observePrice(first, history[300]![1], history[300]![0], 0.94);
    const refreshed = await refreshForecast(store, 'ETH-r', later, config, history[300]![0]);
    expect(refreshed.forecast?.fit).toBe(first.forecast?.fit);
    // Another account (its own history) refits a day later; this one adopts that fit instead of fitting.
    const other = await refreshForecast(store, 'ETH-r', observed(history.slice(60, 330)), { ...config, refitEveryMs: HOUR }, history[329]![0]);
    expect(other.forecast?.fit?.fittedAtMs).toBe(history[329]![0]);
    const adopted = await refreshForecast(store, 'ETH-r', later, config, history[301]![0]);
    expect(adopted.forecast?.fit).toEqual(other.forecast?.fit);
  });

  it('the state with its bounded history round-trips through the evaluation store', async () => {
    const { doc, tableName } = ddb();
    const evaluations = createEvaluationRepository({ doc, tableName });
    const state = await refreshForecast(undefined, 'ETH-s', observed(prices(300, 5)), config, T0 + 299 * HOUR);
    expect(state.forecast?.history).toHaveLength(300);
    await evaluations.commit('acc-forecast', {
      expectedVersion: 0,
      state,
      exposure: { evaluationId: 'evt_x', at: new Date(T0).toISOString(), underlying: 'ETH', status: 'no-market-source', problem: { code: 'X', message: 'x' } },
      lastEvaluation: { evaluationId: 'evt_x', at: new Date(T0).toISOString(), events: [] },
      hedgeRecords: [],
    });
    expect((await evaluations.load('acc-forecast'))?.state).toEqual(state);
  });
});
