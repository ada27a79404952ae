// The evaluator with volScaling.source "forecast" on real parts (DynamoDB Local, anvil's
// oracle): the implied fallback (with its reason) until the history holds enough prices
// for a GARCH fit, then a fit stored per underlying, the band scaled with the forecast,
// the history bounded by the window, and refits only when due.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../../shared/domain/backtest/random.ts';
import { useHedgingWorld } from '../../support/hedging-world.ts';

const world = useHedgingWorld();

beforeEach(async () => {
  await world().chain.reset();
  world().clock.nowMs = Date.now();
});

const MINUTE = 60_000;

describe('the evaluator with a GARCH vol forecast', () => {
  it('falls back to implied until 51 prices were seen, then scales the band with the stored fit', async () => {
    const w = world();
    const underlying = 'ETH';
    const account = await w.openAccount({
      shortCalls: 4,
      config: (c) => ({
        ...c,
        guards: { dryRun: true },
        market: { ...c.market!, oracle: { ...c.market!.oracle, maxStalenessMs: 86_400_000 }, vol: { source: 'fixed', value: 0.6 } },
        volScaling: { source: 'forecast', referenceVol: 0.6, horizonMs: 30 * MINUTE, forecast: { model: 'garch', window: 60, refitEveryMs: 20 * MINUTE } },
      }),
    });
    const rng = new Xoshiro128(17);
    let price = 3000;
    const numbersSeen: Record<string, number>[] = [];
    for (let i = 0; i < 56; i++) {
      // Clustered moves: calm, then a rough patch.
      price *= Math.exp((i > 30 && i < 45 ? 0.01 : 0.002) * rng.nextNormal());
      await w.setOraclePrice(price);
      const outcome = await w.evaluate(account.accountId);
      expect(outcome.status).toBe('decided');
      if (outcome.status === 'decided') numbersSeen.push(outcome.decision.numbers);
      w.clock.nowMs += MINUTE;
    }
    // Before the 51st price: implied (0.6) with the reason.
    expect(numbersSeen[49]).toMatchObject({ volFromForecast: 0, forecastFallback: 1, forecastObservations: 50, vol: 0.6 });
    // From the 51st: a fit, the band scaled with the forecast's average over 30 minutes.
    const forecastDecision = numbersSeen[55]!;
    expect(forecastDecision).toMatchObject({ volFromForecast: 1, forecastObservations: 56 });
    expect(forecastDecision.forecastFallback).toBeUndefined();
    expect(forecastDecision.bandUnits).toBeCloseTo(0.25 * (forecastDecision.forecastVol! / 0.6), 12);

    const stored = await w.evaluateDeps.evaluations.load(account.accountId);
    const forecast = stored!.state.forecast!;
    expect(forecast.window).toBe(60);
    expect(forecast.history).toHaveLength(56);
    // The fit is stored per underlying; it was fitted once (at the 51st price: not due again within 20 minutes).
    const item = await w.doc.send(new GetCommand({ TableName: w.tableName, Key: { pk: `VOLFIT#${underlying}`, sk: 'MODEL#garch#w60' } }));
    expect(item.Item?.fit).toEqual(forecast.fit);
    expect(forecast.fit!.observations).toBe(50);
    expect(forecast.fit!.intervalMs).toBe(MINUTE);

    // 20 minutes on (10 more prices, history bounded at 60): refitted on the last 60 prices and stored.
    for (let i = 0; i < 15; i++) {
      price *= Math.exp(0.004 * rng.nextNormal());
      await w.setOraclePrice(price);
      await w.evaluate(account.accountId);
      w.clock.nowMs += MINUTE;
    }
    const after = (await w.evaluateDeps.evaluations.load(account.accountId))!.state.forecast!;
    expect(after.history).toHaveLength(60);
    expect(after.fit!.fittedAtMs).toBeGreaterThan(forecast.fit!.fittedAtMs);
    expect(after.fit!.observations).toBe(59);
    const again = await w.doc.send(new GetCommand({ TableName: w.tableName, Key: { pk: `VOLFIT#${underlying}`, sk: 'MODEL#garch#w60' } }));
    expect(again.Item?.fittedAtMs).toBe(after.fit!.fittedAtMs);
  }, 120_000);
});
