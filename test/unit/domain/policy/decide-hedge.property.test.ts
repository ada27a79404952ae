import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfig } from '../../../../shared/contracts/hedge-policy-config.ts';
import { decideHedge } from '../../../../shared/domain/policy/decide-hedge.ts';
import { applyDecision, initialHedgeState, observePrice } from '../../../../shared/domain/policy/hedge-state.ts';
import type { BookRisk, Decision, HedgeState, PlannedSlice, PolicyInput } from '../../../../shared/domain/policy/policy-types.ts';
import { utcDayStartMs } from '../../../../shared/domain/policy/utc-day.ts';
import { riskAfter } from '../../../support/risk-after-fills.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 5, 12);
const RUNS = 400;

const num = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const cents = (min: number, max: number) => fc.integer({ min: min * 100, max: max * 100 }).map((x) => x / 100);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const HEDGE_OPTIONS = [
  { id: 'c3200-30d', optionType: 'call', strike: 3200, expiryMs: NOW + 30 * DAY },
  { id: 'p2800-120d', optionType: 'put', strike: 2800, expiryMs: NOW + 120 * DAY, vol: 0.7 },
  { id: 'c3000-7d', optionType: 'call', strike: 3000, expiryMs: NOW + 7 * DAY },
] as const;

const arbConfig = (overrides: { dryRun?: boolean; paused?: boolean } = {}): fc.Arbitrary<HedgePolicyConfig> =>
  fc
    .record({
      band: maybe(
        fc.oneof(
          fc.record({ unit: fc.constant('units' as const), trigger: num(0.01, 50), target: fc.constantFrom('zero' as const, 'edge' as const), edgeFraction: num(0, 1) }),
          fc.record({ unit: fc.constant('usd' as const), trigger: num(10, 200_000), target: fc.constantFrom('zero' as const, 'edge' as const), edgeFraction: num(0, 1) }),
          fc.record({ unit: fc.constant('pctNotional' as const), trigger: num(0.01, 20), target: fc.constantFrom('zero' as const, 'edge' as const), edgeFraction: num(0, 1) }),
        ),
      ),
      priceMove: maybe(fc.record({ pct: num(0.1, 10) })),
      cadence: maybe(fc.record({ everyMs: fc.integer({ min: 1, max: 2 * DAY }) })),
      volScaling: maybe(
        fc.record({
          source: fc.constantFrom('realised' as const, 'implied' as const),
          mode: fc.constantFrom('ratio' as const, 'gammaRisk' as const),
          referenceVol: num(0.1, 2),
          scaleBand: fc.boolean(),
          scaleCadence: fc.boolean(),
          multiplier: num(0.1, 5),
          horizonMs: fc.integer({ min: 1, max: 7 * DAY }),
          minBandUnits: num(0, 5),
        }),
      ),
      whalleyWilmott: maybe(fc.record({ riskAversion: num(1e-6, 1), costBps: num(0.1, 100) })),
      limits: maybe(
        fc.record({
          maxAbsGamma: maybe(num(0.001, 1)),
          maxAbsVegaPerVolPoint: maybe(num(10, 50_000)),
          hedgeOptions: fc.subarray([...HEDGE_OPTIONS], { maxLength: 2 }),
        }),
      ),
      guards: fc.record({
        minTradeUnits: fc.oneof(fc.constant(0), num(0, 2)),
        maxTradeUnits: maybe(num(0.5, 200)),
        cooldownMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: HOUR_MS() })),
        cooldownBypassMultiple: num(1, 5),
        maxDailyNotionalUsd: maybe(num(1000, 5e6)),
        paused: fc.constant(overrides.paused ?? false),
        dryRun: overrides.dryRun === undefined ? fc.boolean() : fc.constant(overrides.dryRun),
      }),
      slicing: maybe(fc.record({ clipUnits: num(0.5, 50), slices: fc.integer({ min: 2, max: 12 }), windowMs: fc.integer({ min: 1, max: 3_600_000 }), volScaled: fc.boolean() })),
    })
    // Only configs the schema accepts (at least one trigger; no setting that would be ignored).
    .map((c) => HedgePolicyConfigSchema.safeParse({ underlying: 'ETH', hedgeInstrument: 'perp', ...c }))
    .filter((parsed) => parsed.success)
    .map((parsed) => parsed.data!);

function HOUR_MS(): number {
  return 3_600_000;
}

const arbRisk: fc.Arbitrary<BookRisk> = fc.record({
  // fc.double leans towards tiny magnitudes; the cents give ordinary books their share.
  delta: fc.oneof(num(-500, 500), num(-5, 5), fc.constant(0), cents(-500, 500), cents(-500, 500)),
  gamma: fc.oneof(num(-1, 1), num(-0.01, 0.01), fc.constant(0)),
  vegaPerVolPoint: fc.oneof(num(-100_000, 100_000), fc.constant(0)),
  optionNotionalUsd: fc.oneof(num(0, 1e7), fc.constant(0)),
  yearsToExpiry: num(0, 2),
});

const arbMarket = fc.record({ spot: num(1500, 5000), impliedVol: fc.oneof(num(0.05, 2), fc.constant(0)), rate: num(-0.02, 0.1), yield: num(0, 0.05) });

const arbSlices: fc.Arbitrary<PlannedSlice[]> = fc
  .tuple(fc.integer({ min: 0, max: 3 }), num(-30, 30).filter((q) => q !== 0), fc.integer({ min: -10, max: 10 }))
  .map(([n, q, offsetMin]) => Array.from({ length: n }, (_, i) => ({ quantity: q, notBeforeMs: NOW + (offsetMin + i * 5) * MIN, sliceIndex: i + 1, sliceCount: n + 1, decisionId: 'fedcba9876543210' })));

const arbState: fc.Arbitrary<HedgeState> = fc
  .record({
    sinceHedge: maybe(fc.integer({ min: 0, max: 2 * DAY })),
    hedgeSpot: maybe(num(1500, 5000)),
    dailyNotionalUsd: fc.oneof(fc.constant(0), num(0, 6e6)),
    dayShift: fc.integer({ min: -2, max: 0 }),
    ewmaVariance: maybe(num(0, 4)),
    pendingSlices: arbSlices,
  })
  .map((s) => {
    const state: { -readonly [K in keyof HedgeState]: HedgeState[K] } = {
      dayStartMs: utcDayStartMs(NOW) + s.dayShift * DAY,
      dailyNotionalUsd: s.dailyNotionalUsd,
      pendingSlices: s.pendingSlices,
    };
    if (s.sinceHedge !== undefined) state.lastHedgeAtMs = NOW - s.sinceHedge;
    if (s.hedgeSpot !== undefined) state.lastHedgeSpot = s.hedgeSpot;
    if (s.ewmaVariance !== undefined) state.ewmaVariance = s.ewmaVariance;
    return state;
  });

const arbInput = (config: fc.Arbitrary<HedgePolicyConfig>): fc.Arbitrary<PolicyInput> =>
  fc.record({ risk: arbRisk, market: arbMarket, config, state: arbState, nowMs: fc.constant(NOW) });

const allOrders = (d: Decision) => [...d.orders, ...d.wouldTrade];

function numbersOf(d: Decision): number[] {
  const out = [...Object.values(d.numbers)];
  for (const o of allOrders(d)) out.push(o.quantity, o.notionalUsd, o.notBeforeMs, o.sliceIndex, o.sliceCount);
  for (const s of d.plannedSlices) out.push(s.quantity, s.notBeforeMs, s.sliceIndex, s.sliceCount);
  for (const a of d.alerts) out.push(...Object.values(a.numbers));
  return out;
}

describe('policy properties', () => {
  it('after a hedge to target, the next decision with unchanged inputs trades nothing', () => {
    let checked = 0;
    fc.assert(
      fc.property(arbInput(arbConfig({ dryRun: false })), fc.boolean(), (generated, plain) => {
        // Fewer clipped or sliced hedges, so that most runs reach their target.
        const { slicing: _slicing, ...unsliced } = generated.config;
        const config = plain ? HedgePolicyConfigSchema.parse({ ...unsliced, guards: { ...generated.config.guards, maxTradeUnits: undefined, maxDailyNotionalUsd: undefined } }) : generated.config;
        const input: PolicyInput = { ...generated, config, state: plain ? { ...generated.state, dailyNotionalUsd: 0, pendingSlices: [] } : generated.state };
        const first = decideHedge(input);
        const reachedTarget =
          first.orders.length > 0 &&
          first.reason !== 'HEDGE_PENDING_SLICE' &&
          first.plannedSlices.length === 0 &&
          !first.alerts.some((a) => a.code === 'TRADE_CLIPPED' || a.code === 'DAILY_NOTIONAL_CAP');
        if (!reachedTarget) return;
        checked++;
        const fills = first.orders.map((order) => ({ order, price: order.notionalUsd / order.quantity }));
        const state = applyDecision(input.state, first, fills, input.nowMs);
        const second = decideHedge({ ...input, risk: riskAfter(input, first), state });
        expect(second.orders, `${first.message} → ${second.message}`).toEqual([]);
        expect(second.action).not.toBe('hedge');
      }),
      { numRuns: 3000 },
    );
    expect(checked).toBeGreaterThan(300);
  });

  it('after the first child of a sliced hedge, the same inputs only ever send due slices', () => {
    fc.assert(
      fc.property(arbInput(arbConfig({ dryRun: false })), (input) => {
        const first = decideHedge(input);
        if (first.orders.length === 0 || first.reason === 'HEDGE_PENDING_SLICE' || first.plannedSlices.length === 0) return;
        if (first.alerts.some((a) => a.code === 'TRADE_CLIPPED' || a.code === 'DAILY_NOTIONAL_CAP')) return;
        const fills = first.orders.map((order) => ({ order, price: order.notionalUsd / order.quantity }));
        const state = applyDecision(input.state, first, fills, input.nowMs);
        const second = decideHedge({ ...input, risk: riskAfter(input, first), state });
        // No new plan: at most the slices that are due (a cooldown or a Greek alert may say why nothing else).
        expect(second.reason === 'HEDGE_PENDING_SLICE' || second.reason.startsWith('NONE_'), second.message).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('no order exceeds maxTradeUnits, and no decision exceeds what is left of the daily cap', () => {
    fc.assert(
      fc.property(arbInput(arbConfig()), (input) => {
        const d = decideHedge(input);
        const { maxTradeUnits, maxDailyNotionalUsd } = input.config.guards;
        for (const o of allOrders(d)) {
          expect(o.quantity).toBeGreaterThan(0);
          if (maxTradeUnits !== undefined) expect(o.quantity).toBeLessThanOrEqual(maxTradeUnits);
        }
        if (maxDailyNotionalUsd !== undefined) {
          const used = utcDayStartMs(input.nowMs) > input.state.dayStartMs ? 0 : input.state.dailyNotionalUsd;
          const later = d.plannedSlices.filter((s) => s.decisionId === d.id).reduce((s, p) => s + Math.abs(p.quantity) * input.market.spot, 0);
          const total = allOrders(d).reduce((s, o) => s + o.notionalUsd, 0) + later;
          expect(total).toBeLessThanOrEqual(Math.max(maxDailyNotionalUsd - used, 0) * (1 + 1e-12) + 1e-9);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('over days of simulated trading, daily notional never exceeds the cap and no order the max size', () => {
    fc.assert(
      fc.property(
        arbConfig({ dryRun: false }).filter((c) => c.guards.maxDailyNotionalUsd !== undefined),
        fc.array(fc.tuple(num(-40, 40), num(-0.02, 0.02)), { minLength: 50, maxLength: 150 }),
        (config, steps) => {
          const cap = config.guards.maxDailyNotionalUsd!;
          let state = initialHedgeState(NOW);
          let delta = 0;
          let spot = 3000;
          const perDay = new Map<number, number>();
          steps.forEach(([dDelta, ret], i) => {
            const t = NOW + i * 37 * MIN;
            delta += dDelta;
            spot *= Math.exp(ret);
            state = observePrice(state, spot, t, 0.94);
            const input: PolicyInput = { risk: { delta, gamma: 0.01, vegaPerVolPoint: 0, optionNotionalUsd: 1e6, yearsToExpiry: 0.2 }, market: { spot, impliedVol: 0.6, rate: 0.03, yield: 0 }, config, state, nowMs: t };
            const d = decideHedge(input);
            for (const o of d.orders) {
              if (config.guards.maxTradeUnits !== undefined) expect(o.quantity).toBeLessThanOrEqual(config.guards.maxTradeUnits);
              const day = utcDayStartMs(t);
              perDay.set(day, (perDay.get(day) ?? 0) + o.notionalUsd);
              if (o.instrument.kind !== 'option') delta += o.side === 'buy' ? o.quantity : -o.quantity;
            }
            state = applyDecision(state, d, d.orders.map((order) => ({ order, price: order.notionalUsd / order.quantity })), t);
            expect(state.dailyNotionalUsd).toBeLessThanOrEqual(cap * (1 + 1e-12));
          });
          for (const v of perDay.values()) expect(v).toBeLessThanOrEqual(cap * (1 + 1e-12));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never produces a NaN (or an infinity) anywhere in a decision', () => {
    fc.assert(
      fc.property(arbInput(fc.oneof(arbConfig(), arbConfig({ paused: true }))), (input) => {
        const d = decideHedge(input);
        for (const x of numbersOf(d)) expect(Number.isFinite(x)).toBe(true);
        expect(d.message.length).toBeGreaterThan(0);
        expect(d.message).not.toMatch(/NaN|undefined|Infinity/);
        expect(d.action === 'hedge').toBe(allOrders(d).length > 0);
        expect(d.dryRun ? d.orders.length : d.wouldTrade.length).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('is deterministic: equal inputs give deep-equal decisions, ids included', () => {
    fc.assert(
      fc.property(arbInput(arbConfig()), (input) => {
        const a = decideHedge(input);
        const b = decideHedge(structuredClone(input));
        expect(b).toEqual(a);
        expect(decideHedge(input)).toEqual(a);
      }),
      { numRuns: RUNS },
    );
  });
});
