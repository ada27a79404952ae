/**
 * Portfolio insurance and the crash breaker in the backtester: the simulator runs the
 * evaluator's own guarded decision (insurance ledger, breaker window) path by path, and
 * reports what a risk officer asks: ending under the floor, shortfalls, upside given up,
 * turnover; crashes and the time spent in crash mode. Textbook behaviour stated here:
 * under GBM with frequent rebalancing a CPPI does not end under its floor; under Merton
 * jumps it does, more often the larger the multiplier.
 */
import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfigInput } from '../../../../shared/contracts/hedge-policy-config.ts';
import { mergeBacktestResults } from '../../../../shared/domain/backtest/merge-results.ts';
import type { MarketModel } from '../../../../shared/domain/backtest/market-paths.ts';
import { POLICY_ENGINE } from '../../../../shared/domain/backtest/policy-engine.ts';
import { runBacktest, type BacktestSpec } from '../../../../shared/domain/backtest/simulate.ts';
import type { CostModel } from '../../../../shared/domain/backtest/costs.ts';
import { MS_PER_YEAR } from '../../../../shared/domain/exposure/positions.ts';

const START = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CAPITAL = 100_000;
const NO_COSTS: CostModel = { feeBps: 0, slippage: { kind: 'none' }, gasUsd: 0 };
const GBM: MarketModel = { kind: 'gbm', spot: 100, drift: 0, vol: 0.6 };
/** Six jumps a year of about −20 %: a CPPI with m > 5 has its cushion taken by one. */
const MERTON: MarketModel = { kind: 'merton', spot: 100, drift: 0, vol: 0.5, jumpIntensity: 6, jumpMean: -0.2, jumpStd: 0.05 };

const cppi = (multiplier: number, band = 0.05) => ({ method: 'cppi', capitalUsd: CAPITAL, floor: { kind: 'share-of-start', share: 0.8 }, multiplier, band }) as const;

function spec(policy: Omit<HedgePolicyConfigInput, 'underlying'>, over: Partial<BacktestSpec> = {}): BacktestSpec {
  return {
    market: GBM,
    rate: 0,
    yield: 0,
    pricingVol: 0.6,
    fundingRate: 0,
    book: [],
    policy: HedgePolicyConfigSchema.parse({ underlying: 'X', hedgeInstrument: 'spot', ...policy }),
    costs: NO_COSTS,
    paths: 200,
    seed: 5,
    startMs: START,
    horizonMs: 30 * DAY,
    grid: { stepMs: 4 * HOUR },
    ...over,
  };
}

describe('portfolio insurance in the backtester', () => {
  it('values the portfolio as the capital plus what its risky leg made, against the asset held unhedged', () => {
    const result = runBacktest(spec({ insurance: cppi(3) }, { paths: 50 }), POLICY_ENGINE);
    const paths = result.insurancePaths!;
    for (let p = 0; p < 50; p++) expect(paths.value[p]).toBeCloseTo(CAPITAL - result.perPath.hedgeCost[p]!, 6);
    // A market that only drifts: unhedged = C·e^{μT}; the CPPI buys m × cushion and rides it up.
    const rising = runBacktest(spec({ insurance: cppi(3) }, { market: { kind: 'gbm', spot: 100, drift: 0.5, vol: 0 }, paths: 1 }), POLICY_ENGINE);
    const years = (30 * DAY) / MS_PER_YEAR;
    expect(rising.insurancePaths!.unhedged[0]).toBeCloseTo(CAPITAL * Math.exp(0.5 * years), 6);
    const r = rising.summary.insurance!;
    expect(r.value.mean).toBeGreaterThan(CAPITAL);
    expect(r.upsideCapture).toBeGreaterThan(0);
    expect(r.upsideCapture).toBeLessThan(1);
    expect(r.downsideCapture).toBeNull();
    expect(r.turnover).toBeGreaterThan(0.6); // it bought 60 % of the capital at least
  });

  it('under GBM, rebalanced every 4 hours without costs, a CPPI never ends under its floor', () => {
    const r = runBacktest(spec({ insurance: cppi(5) }), POLICY_ENGINE).summary.insurance!;
    expect(r.probabilityUnderFloor).toBe(0);
    expect(r.meanShortfall).toBeNull();
    expect(r.shortfall99.expectedShortfall).toBe(0);
    // The floor held and it still kept part of the upside.
    expect(r.upsideCapture!).toBeGreaterThan(0.3);
    expect(r.downsideCapture!).toBeLessThan(1);
  });

  it('under Merton jumps the floor breaks, more often the larger the multiplier (a gap larger than 1/m)', () => {
    const under = [2, 4, 8].map((m) => runBacktest(spec({ insurance: cppi(m) }, { market: MERTON }), POLICY_ENGINE).summary.insurance!);
    // m = 2 needs a 50 % gap: none in these paths; m = 8 loses its cushion to a 12.5 % one.
    expect(under[0]!.probabilityUnderFloor).toBe(0);
    expect(under[1]!.probabilityUnderFloor).toBeGreaterThanOrEqual(under[0]!.probabilityUnderFloor);
    expect(under[2]!.probabilityUnderFloor).toBeGreaterThan(under[1]!.probabilityUnderFloor);
    // Well beyond the Monte-Carlo error of either.
    const se = Math.hypot(under[2]!.probabilityUnderFloorStdError, under[1]!.probabilityUnderFloorStdError);
    expect(under[2]!.probabilityUnderFloor - under[1]!.probabilityUnderFloor).toBeGreaterThan(3 * se);
    expect(under[2]!.meanShortfall!).toBeGreaterThan(0);
    expect(under[2]!.shortfall99.expectedShortfall).toBeGreaterThanOrEqual(under[2]!.meanShortfall!);
  });

  it('costs paid come out of the portfolio, and the ledger the policy decides with leaves them out: they show as shortfalls', () => {
    const costs: CostModel = { feeBps: 30, slippage: { kind: 'fixed', bps: 20 }, gasUsd: 5 };
    const insurance = { ...cppi(5), floor: { kind: 'share-of-start', share: 0.9 } } as const;
    const withCosts = runBacktest(spec({ insurance }, { costs, paths: 100, horizonMs: 60 * DAY }), POLICY_ENGINE).summary.insurance!;
    const free = runBacktest(spec({ insurance }, { paths: 100, horizonMs: 60 * DAY }), POLICY_ENGINE).summary.insurance!;
    expect(free.probabilityUnderFloor).toBe(0);
    expect(withCosts.probabilityUnderFloor).toBeGreaterThan(0.1);
    // Small: the costs the paths paid (50 bp and $5 a trade near the floor), not a gap.
    expect(withCosts.meanShortfall!).toBeLessThan(0.02 * CAPITAL);
  });

  it('a synthetic put replicated every hour ends at its floor or above, up to the replication error', () => {
    const insurance = { method: 'syntheticPut', capitalUsd: CAPITAL, floor: { kind: 'share-of-start', share: 0.9 }, horizonEndMs: START + 30 * DAY, vol: 0.6, band: 0.02 } as const;
    const r = runBacktest(spec({ insurance }, { grid: { stepMs: HOUR }, paths: 60 }), POLICY_ENGINE).summary.insurance!;
    // The puts pay the floor back: the paths that end near it pin to it, a little either side.
    expect(r.value.min).toBeGreaterThan(0.99 * 0.9 * CAPITAL);
    expect(r.meanShortfall!).toBeLessThan(0.001 * 0.9 * CAPITAL);
    expect(r.upsideCapture!).toBeGreaterThan(0.5);
    expect(r.upsideCapture!).toBeLessThan(1);
    expect(r.downsideCapture!).toBeLessThan(1);
  });

  it('blocks of paths merge into the whole run’s report', () => {
    const s = spec({ insurance: cppi(6) }, { market: MERTON, paths: 60 });
    const whole = runBacktest(s, POLICY_ENGINE);
    const merged = mergeBacktestResults([runBacktest({ ...s, paths: 25 }, POLICY_ENGINE), runBacktest({ ...s, firstPath: 25, paths: 35 }, POLICY_ENGINE)]);
    expect(merged.summary.insurance).toEqual(whole.summary.insurance);
    expect(merged.insurancePaths!.value).toEqual(whole.insurancePaths!.value);
  });

  it('refuses what it cannot run: no book and no insurance, no horizon without options, runaway protection', () => {
    expect(() => runBacktest(spec({ band: { unit: 'units', trigger: 1 } }), POLICY_ENGINE)).toThrow(/book.*needs at least one option/);
    const { horizonMs: _h, ...noHorizon } = spec({ insurance: cppi(3) });
    expect(() => runBacktest(noHorizon, POLICY_ENGINE)).toThrow(/horizonMs.*is needed/);
    expect(() => runBacktest(spec({ insurance: cppi(3), runaway: {} }), POLICY_ENGINE)).toThrow(/policy\.runaway.*nothing to backtest/);
    expect(() => runBacktest(spec({ insurance: cppi(3) }), { ...POLICY_ENGINE, decideGuarded: undefined } as never)).toThrow(/decideGuarded/);
  });
});

describe('the crash breaker in the backtester', () => {
  /** A written 30-day put hedged on a 1-unit band every 4 hours. */
  const book = [{ id: 'put', optionType: 'put' as const, strike: 90, maturityMs: 30 * DAY, quantity: -100 }];
  const hedged = (crashBreaker?: HedgePolicyConfigInput['crashBreaker']) => ({ band: { unit: 'units' as const, trigger: 1 }, ...(crashBreaker === undefined ? {} : { crashBreaker }) });
  const hold = { moveSigmas: 4, windowMs: DAY, calmMs: 2 * DAY, plan: { kind: 'hold' } } as const;

  it('trips on Merton jumps and holds the hedge while in crash mode, on the same paths as without it', () => {
    const over = { market: MERTON, book, paths: 200 } as const;
    const { horizonMs: _h, ...base } = spec(hedged(), over);
    const without = runBacktest(base, POLICY_ENGINE);
    const withBreaker = runBacktest({ ...base, policy: HedgePolicyConfigSchema.parse({ underlying: 'X', hedgeInstrument: 'spot', ...hedged(hold) }) }, POLICY_ENGINE);
    const activity = withBreaker.summary.crashBreaker!;
    expect(without.summary.crashBreaker).toBeUndefined();
    expect(activity.crashesPerPath).toBeGreaterThan(0.5 * withBreaker.summary.jumpsPerPath);
    expect(activity.crashesPerPath).toBeLessThanOrEqual(withBreaker.summary.jumpsPerPath + 0.05);
    expect(activity.timeInCrashMode).toBeGreaterThan(0);
    // Holding means trading less; every crash-mode decision alerts.
    expect(withBreaker.summary.tradesPerPath).toBeLessThan(without.summary.tradesPerPath);
    expect(withBreaker.summary.alertsPerPath).toBeGreaterThan(without.summary.alertsPerPath);
    // The same paths: the options pay the same.
    expect(withBreaker.perPath.option).toEqual(without.perPath.option);
  });

  it('does not trip on a calm diffusion', () => {
    const { horizonMs: _h, ...base } = spec(hedged(hold), { market: { kind: 'gbm', spot: 100, drift: 0, vol: 0.3 }, book, paths: 100 });
    const activity = runBacktest({ ...base, pricingVol: 0.3 }, POLICY_ENGINE).summary.crashBreaker!;
    expect(activity.crashesPerPath).toBe(0);
    expect(activity.timeInCrashMode).toBe(0);
  });

  it('the slices plan refuses an order whose slippage is beyond its limit, as dispatch does', () => {
    const slices = { ...hold, moveSigmas: 2, plan: { kind: 'slices', slices: 2, windowMs: 4 * HOUR, maxSlippageBps: 1 } } as const;
    const costs: CostModel = { feeBps: 0, slippage: { kind: 'sqrt', k: 1, advUnits: 1000 }, gasUsd: 0 };
    const { horizonMs: _h, ...base } = spec(hedged(slices), { market: MERTON, book, costs, paths: 100 });
    const activity = runBacktest(base, POLICY_ENGINE).summary.crashBreaker!;
    expect(activity.crashesPerPath).toBeGreaterThan(0);
    expect(activity.slippageRefusals).toBeGreaterThan(0);
  });
});
