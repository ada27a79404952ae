import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfig, type HedgePolicyConfigInput } from '../../../../shared/contracts/hedge-policy-config.ts';
import { decideHedge, decideHedgeDeferred } from '../../../../shared/domain/policy/decide-hedge.ts';
import { plainDecision } from '../../../../shared/domain/policy/deferred-decision.ts';
import { applyDecision, initialHedgeState } from '../../../../shared/domain/policy/hedge-state.ts';
import type { BookRisk, Decision, HedgeState, PolicyInput, PolicyMarket } from '../../../../shared/domain/policy/policy-types.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 5, 12);
const market: PolicyMarket = { spot: 3000, impliedVol: 0.6, rate: 0.04, yield: 0 };
const risk = (over: Partial<BookRisk> = {}): BookRisk => ({ delta: 0, gamma: 0, vegaPerVolPoint: 0, optionNotionalUsd: 0, yearsToExpiry: 0.1, ...over });
const cfg = (c: Omit<HedgePolicyConfigInput, 'underlying'>): HedgePolicyConfig => HedgePolicyConfigSchema.parse({ underlying: 'ETH', ...c });
const hedged: HedgeState = { ...initialHedgeState(NOW), lastHedgeAtMs: NOW - DAY, lastHedgeSpot: 3000 };
const band5 = cfg({ band: { unit: 'units', trigger: 5 } });
const sliced = cfg({ band: { unit: 'units', trigger: 5 }, slicing: { clipUnits: 10, slices: 4, windowMs: 10 * MIN } });
const input = (config: HedgePolicyConfig, delta: number, state: HedgeState = hedged, nowMs = NOW): PolicyInput => ({ risk: risk({ delta }), market, config, state, nowMs });

/** Every field as a consumer reads it, one by one (not through toJSON). */
const fields = (d: Decision): unknown[] => [d.id, d.action, d.reason, d.message, d.numbers, d.orders, d.plannedSlices, d.alerts, d.dryRun, d.wouldTrade];

describe('a decision whose id and message are worked out when read', () => {
  // Ids and sentences as the engine gave them before they were deferred (it computed both on
  // every call): the idempotency keys downstream and the recorded messages must not change.
  const before: [string, PolicyInput, string, string][] = [
    ['a band hedge', input(band5, 12.4), '1b793c6fc9010011', 'Delta +12.40 ETH is outside the ±5.00 ETH band: sell 12.40 ETH of the perp to bring it to 0.'],
    ['a quiet step', input(band5, 3.2), '19c263b7b4765468', 'Delta +3.20 ETH is within the ±5.00 ETH band: no hedge.'],
    [
      'a dry run',
      input(cfg({ band: { unit: 'units', trigger: 5 }, guards: { dryRun: true } }), -8),
      '91a353201b09dbbd',
      'Delta -8.00 ETH is outside the ±5.00 ETH band: buy 8.00 ETH of the perp to bring it to 0. Dry run: nothing was sent.',
    ],
    [
      'a sliced hedge',
      input(sliced, 42),
      'd19132199a8aef39',
      'Delta +42.00 ETH is outside the ±5.00 ETH band: sell 42.00 ETH of the perp in 4 slices of 10.50 ETH over 10.0 min (the first now) to bring it to 0.',
    ],
  ];

  it.each(before)('%s keeps the id and message it had, eager or deferred', (_, given, id, message) => {
    for (const d of [decideHedge(given), decideHedgeDeferred(given)]) {
      expect(d.id).toBe(id);
      expect(d.message).toBe(message);
    }
  });

  it('names the later slices of a plan with its id, and the slice sent later names that plan', () => {
    const plan = decideHedgeDeferred(input(sliced, 42));
    expect(plan.plannedSlices.map((s) => s.decisionId)).toEqual(['d19132199a8aef39', 'd19132199a8aef39', 'd19132199a8aef39']);
    const state = applyDecision(hedged, plan, plan.orders.map((order) => ({ order, price: 3000 })), NOW);
    const due = decideHedgeDeferred(input(sliced, 42 - 10.5, state, NOW + 150_000));
    expect(due.reason).toBe('HEDGE_PENDING_SLICE');
    expect(due.id).toBe('e73945d116ddd601');
    expect(due.message).toBe('Sending slice 2 of 4 of the hedge planned by decision d19132199a8aef39: sell 10.50 ETH of the perp (delta +31.50 ETH, 0 ETH once all slices are done).');
  });

  it('read after the caller reused its input objects (as the backtester does), gives those of the call', () => {
    const live = { risk: { ...risk({ delta: 12.4, gamma: 0.01 }) }, market: { ...market }, config: band5, state: hedged, nowMs: NOW };
    const quiet = { ...live, risk: { ...live.risk, delta: 3.2 }, market: { ...live.market } };
    const expected = [decideHedge(structuredClone(live)), decideHedge(structuredClone(quiet))];
    const deferred = [decideHedgeDeferred(live), decideHedgeDeferred(quiet)];
    // The next step: the same objects, new numbers.
    for (const next of [live, quiet]) {
      next.risk.delta = -50;
      next.risk.gamma = 0.5;
      next.market.spot = 2500;
      next.nowMs = NOW + HOUR;
      next.state = initialHedgeState(NOW + HOUR);
    }
    deferred.forEach((d, i) => expect(fields(d)).toEqual(fields(expected[i]!)));
  });

  it('agrees with decideHedge field by field and in JSON, whatever the outcome', () => {
    const configs = [
      band5,
      sliced,
      cfg({ band: { unit: 'usd', trigger: 20_000, target: 'edge' }, guards: { minTradeUnits: 2, maxTradeUnits: 6, cooldownMs: 2 * HOUR, maxDailyNotionalUsd: 40_000 } }),
      cfg({ priceMove: { pct: 1 }, cadence: { everyMs: 4 * HOUR }, guards: { dryRun: true } }),
      cfg({ whalleyWilmott: { riskAversion: 0.001, costBps: 20 }, volScaling: { source: 'realised', mode: 'ratio', referenceVol: 0.5, scaleBand: false, scaleCadence: true } }),
      cfg({ band: { unit: 'units', trigger: 5 }, limits: { maxAbsGamma: 0.05, hedgeOptions: [{ id: 'c3200-30d', optionType: 'call', strike: 3200, expiryMs: NOW + 30 * DAY }] } }),
      cfg({ band: { unit: 'units', trigger: 5 }, guards: { paused: true } }),
    ];
    const states: HedgeState[] = [
      initialHedgeState(NOW),
      { ...hedged, lastHedgeAtMs: NOW - 30 * MIN, dailyNotionalUsd: 35_000, ewmaVariance: 0.5 },
      { ...hedged, pendingSlices: [{ quantity: -3, notBeforeMs: NOW - MIN, sliceIndex: 1, sliceCount: 3, decisionId: 'fedcba9876543210' }, { quantity: -3, notBeforeMs: NOW + 5 * MIN, sliceIndex: 2, sliceCount: 3, decisionId: 'not-one-of-ours' }] },
    ];
    const reasons = new Set<string>();
    for (const config of configs) {
      for (const state of states) {
        for (const delta of [0, 0.5, -3, 4.9, 5.5, -12, 60]) {
          for (const gamma of [0, 0.2]) {
            const given: PolicyInput = { risk: risk({ delta, gamma, vegaPerVolPoint: 500, optionNotionalUsd: 3e5 }), market, config, state, nowMs: NOW };
            const eager = decideHedge(given);
            const deferred = decideHedgeDeferred(given);
            expect(fields(deferred)).toEqual(fields(eager));
            expect(JSON.stringify(deferred)).toBe(JSON.stringify(eager));
            reasons.add(eager.reason);
          }
        }
      }
    }
    expect(reasons.size).toBeGreaterThanOrEqual(9);
  });

  it('decideHedge returns a plain object: id and message are own fields, in the usual order', () => {
    const d = decideHedge(input(band5, 12.4));
    expect(Object.keys(d)).toEqual(['id', 'action', 'reason', 'message', 'numbers', 'orders', 'plannedSlices', 'alerts', 'dryRun', 'wouldTrade']);
    expect({ ...d }.id).toBe('1b793c6fc9010011');
    // A deferred decision keeps them on its class: plainDecision makes the plain copy.
    const deferred = decideHedgeDeferred(input(band5, 12.4));
    expect(Object.keys(plainDecision(deferred))).toEqual(Object.keys(d));
    expect(plainDecision(deferred)).toEqual(d);
  });
});
