import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfig, type HedgePolicyConfigInput } from '../../../../shared/contracts/hedge-policy-config.ts';
import { InvalidInputError } from '../../../../shared/domain/errors.ts';
import { bsmGreeks } from '../../../../shared/domain/pricing/black-scholes-merton.ts';
import { decideHedge } from '../../../../shared/domain/policy/decide-hedge.ts';
import { applyDecision, initialHedgeState } from '../../../../shared/domain/policy/hedge-state.ts';
import type { BookRisk, Decision, HedgeState, PolicyInput, PolicyMarket } from '../../../../shared/domain/policy/policy-types.ts';
import { whalleyWilmottHalfWidth } from '../../../../shared/domain/policy/whalley-wilmott-band.ts';
import { riskAfter } from '../../../support/risk-after-fills.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 5, 12);
const market: PolicyMarket = { spot: 3000, impliedVol: 0.6, rate: 0.04, yield: 0 };
const risk = (over: Partial<BookRisk> = {}): BookRisk => ({ delta: 0, gamma: 0, vegaPerVolPoint: 0, optionNotionalUsd: 0, yearsToExpiry: 0.1, ...over });
const cfg = (c: Omit<HedgePolicyConfigInput, 'underlying'>): HedgePolicyConfig => HedgePolicyConfigSchema.parse({ underlying: 'ETH', ...c });
const band5 = { band: { unit: 'units', trigger: 5 } } as const;
const hedged = (over: Partial<HedgeState> = {}): HedgeState => ({ ...initialHedgeState(NOW), lastHedgeAtMs: NOW - DAY, lastHedgeSpot: 3000, ...over });

function decide(config: HedgePolicyConfig, over: Partial<Omit<PolicyInput, 'config'>> = {}): Decision {
  return decideHedge({ risk: risk(), market, state: hedged(), nowMs: NOW, config, ...over });
}
/** Signed units of the perp/spot orders. */
const perpUnits = (d: Decision): number =>
  [...d.orders, ...d.wouldTrade].filter((o) => o.instrument.kind !== 'option').reduce((s, o) => s + (o.side === 'buy' ? o.quantity : -o.quantity), 0);

/** Decide, fill everything at the decision's prices, and decide again with otherwise unchanged inputs. */
function hedgeThenDecideAgain(input: PolicyInput): { first: Decision; second: Decision } {
  const first = decideHedge(input);
  const fills = first.orders.map((order) => ({ order, price: order.notionalUsd / order.quantity }));
  const state = applyDecision(input.state, first, fills, input.nowMs);
  const second = decideHedge({ ...input, risk: riskAfter(input, first), state });
  return { first, second };
}

describe('band trigger', () => {
  it('hedges a delta outside the band back to zero, with the sentence and the numbers', () => {
    const d = decide(cfg(band5), { risk: risk({ delta: 12.4 }) });
    expect(d.action).toBe('hedge');
    expect(d.reason).toBe('HEDGE_BAND');
    expect(d.message).toBe('Delta +12.40 ETH is outside the ±5.00 ETH band: sell 12.40 ETH of the perp to bring it to 0.');
    expect(d.orders).toEqual([{ instrument: { kind: 'perp' }, side: 'sell', quantity: 12.4, notionalUsd: 12.4 * 3000, sliceIndex: 0, sliceCount: 1, notBeforeMs: NOW }]);
    expect(d.numbers).toMatchObject({ delta: 12.4, bandUnits: 5, triggerUnits: 5, target: 0, drift: 12.4, orderUnits: -12.4, bandFired: 1 });
    expect(d.alerts).toEqual([]);
    expect(d.dryRun).toBe(false);
  });

  it('does nothing inside the band (and on its edge), in both directions', () => {
    for (const delta of [0, 4.99, -4.99, 5, -5]) {
      const d = decide(cfg(band5), { risk: risk({ delta }) });
      expect(d.action).toBe('none');
      expect(d.reason).toBe('NONE_WITHIN_BAND');
      expect(d.orders).toEqual([]);
    }
    expect(decide(cfg(band5), { risk: risk({ delta: -3 }) }).message).toBe('Delta -3.00 ETH is within the ±5.00 ETH band: no hedge.');
    expect(decide(cfg(band5), { risk: risk({ delta: -5.01 }) }).orders[0]).toMatchObject({ side: 'buy', quantity: 5.01 });
  });

  it('measures the band in USD (delta × spot)', () => {
    const c = cfg({ band: { unit: 'usd', trigger: 15_000 } });
    expect(decide(c, { risk: risk({ delta: 4.9 }) }).action).toBe('none');
    const d = decide(c, { risk: risk({ delta: 5.1 }) });
    expect(d.reason).toBe('HEDGE_BAND');
    expect(d.numbers.bandUnits).toBe(5);
    expect(d.message).toContain('±5.00 ETH band (15,000.00 USD)');
    // The same USD band is narrower in units when the price doubles.
    expect(decide(c, { risk: risk({ delta: 3 }), market: { ...market, spot: 6000 } }).reason).toBe('HEDGE_BAND');
  });

  it('measures the band in % of the option notional', () => {
    const c = cfg({ band: { unit: 'pctNotional', trigger: 2 } });
    // 2% of 1.5M USD = 30,000 USD = 10 ETH
    expect(decide(c, { risk: risk({ delta: 9.9, optionNotionalUsd: 1.5e6 }) }).action).toBe('none');
    const d = decide(c, { risk: risk({ delta: 10.1, optionNotionalUsd: 1.5e6 }) });
    expect(d.numbers.bandUnits).toBeCloseTo(10, 12);
    expect(d.reason).toBe('HEDGE_BAND');
    expect(d.message).toContain('2% of the 1,500,000.00 USD option notional');
    // A book without options has a zero-width band.
    expect(decide(c, { risk: risk({ delta: 0.01 }) }).reason).toBe('HEDGE_BAND');
  });
});

describe('hysteresis', () => {
  it('target zero: hedge to 0, and the next decision with unchanged inputs is none', () => {
    const { first, second } = hedgeThenDecideAgain({ risk: risk({ delta: 7.3 }), market, config: cfg(band5), state: hedged(), nowMs: NOW });
    expect(perpUnits(first)).toBe(-7.3);
    expect(second.action).toBe('none');
    expect(second.reason).toBe('NONE_WITHIN_BAND');
  });

  it('target edge: hedge to the band edge × edgeFraction on the side the delta left', () => {
    const c = cfg({ band: { unit: 'units', trigger: 5, target: 'edge', edgeFraction: 0.6 } });
    const up = decide(c, { risk: risk({ delta: 12 }) });
    expect(perpUnits(up)).toBeCloseTo(-9, 12); // to +3
    expect(up.numbers.target).toBe(3);
    expect(up.message).toBe('Delta +12.00 ETH is outside the ±5.00 ETH band: sell 9.00 ETH of the perp to bring it to +3.00 ETH.');
    const down = decide(c, { risk: risk({ delta: -12 }) });
    expect(perpUnits(down)).toBeCloseTo(9, 12); // to -3
    for (const delta of [12, -12, 5.000001, 1e6]) {
      const { second } = hedgeThenDecideAgain({ risk: risk({ delta }), market, config: c, state: hedged(), nowMs: NOW });
      expect(second.action).toBe('none');
    }
  });

  it('target edge with edgeFraction 1 sits exactly on the edge and still does not re-fire', () => {
    const c = cfg({ band: { unit: 'usd', trigger: 10_000, target: 'edge' } });
    for (const delta of [3.4, -7.77, 123.456]) {
      const { first, second } = hedgeThenDecideAgain({ risk: risk({ delta }), market: { ...market, spot: 2999.99 }, config: c, state: hedged(), nowMs: NOW });
      expect(first.action).toBe('hedge');
      expect(second.action).toBe('none');
    }
  });
});

describe('price move trigger', () => {
  const c = cfg({ priceMove: { pct: 2 } });
  it('hedges to zero when the spot moved more than pct since the last hedge', () => {
    const d = decide(c, { risk: risk({ delta: 1.2 }), market: { ...market, spot: 3093 } });
    expect(d.reason).toBe('HEDGE_PRICE_MOVE');
    expect(perpUnits(d)).toBe(-1.2);
    expect(d.numbers.priceMovePct).toBeCloseTo(3.1, 10);
    expect(d.message).toBe('ETH moved +3.10% since the last hedge at 3,000.00 USD (trigger ±2%): sell 1.20 ETH of the perp to bring the delta +1.20 ETH to 0.');
    expect(decide(c, { risk: risk({ delta: 1.2 }), market: { ...market, spot: 2930 } }).reason).toBe('HEDGE_PRICE_MOVE');
  });
  it('does nothing within the move', () => {
    const d = decide(c, { risk: risk({ delta: 1.2 }), market: { ...market, spot: 3030 } });
    expect(d.reason).toBe('NONE_NO_TRIGGER');
    expect(d.message).toContain('price move +1.00% of ±2%');
  });
  it('fires without a reference price (never hedged)', () => {
    const d = decide(c, { risk: risk({ delta: 1.2 }), state: initialHedgeState(NOW) });
    expect(d.reason).toBe('HEDGE_PRICE_MOVE');
    expect(d.message).toMatch(/^No hedge yet/);
  });
  it('with a band, hedges to the band target: "edge" leaves a delta inside the edge alone', () => {
    const edge = cfg({ band: { unit: 'units', trigger: 5, target: 'edge', edgeFraction: 0.5 }, priceMove: { pct: 2 } });
    expect(decide(edge, { risk: risk({ delta: 2 }), market: { ...market, spot: 3100 } }).reason).toBe('NONE_BELOW_MIN_TRADE');
    expect(perpUnits(decide(edge, { risk: risk({ delta: 4 }), market: { ...market, spot: 3100 } }))).toBeCloseTo(-1.5, 12);
    const zero = cfg({ band: { unit: 'units', trigger: 5 }, priceMove: { pct: 2 } });
    expect(perpUnits(decide(zero, { risk: risk({ delta: 2 }), market: { ...market, spot: 3100 } }))).toBe(-2);
  });
});

describe('cadence trigger', () => {
  const c = cfg({ cadence: { everyMs: HOUR } });
  it('hedges to zero every interval whatever the drift, and at once when never hedged', () => {
    expect(decide(c, { risk: risk({ delta: 0.3 }), state: hedged({ lastHedgeAtMs: NOW - HOUR + 1 }) }).reason).toBe('NONE_NO_TRIGGER');
    const d = decide(c, { risk: risk({ delta: 0.3 }), state: hedged({ lastHedgeAtMs: NOW - HOUR }) });
    expect(d.reason).toBe('HEDGE_CADENCE');
    expect(perpUnits(d)).toBe(-0.3);
    expect(d.message).toBe('Cadence hedge due (1.0 h since the last hedge, every 1.0 h): sell 0.300 ETH of the perp to bring the delta +0.300 ETH to 0.');
    expect(decide(c, { risk: risk({ delta: 0.3 }), state: initialHedgeState(NOW) }).reason).toBe('HEDGE_CADENCE');
  });
  it('says so when the delta is already at its target', () => {
    const d = decide(c, { risk: risk({ delta: 0 }) });
    expect(d.reason).toBe('NONE_BELOW_MIN_TRADE');
    expect(d.message).toContain('already at its target');
  });
  it('a band trigger leads over the cadence when both fire', () => {
    const both = cfg({ ...band5, cadence: { everyMs: HOUR } });
    expect(decide(both, { risk: risk({ delta: 6 }) }).reason).toBe('HEDGE_BAND');
    expect(decide(both, { risk: risk({ delta: 4 }) }).reason).toBe('HEDGE_CADENCE');
  });
});

describe('volatility scaling', () => {
  it('ratio mode, implied: band × σ/referenceVol', () => {
    const c = cfg({ ...band5, volScaling: { source: 'implied', referenceVol: 0.6 } });
    const hi = { ...market, impliedVol: 0.9 }; // band 7.5
    expect(decide(c, { risk: risk({ delta: 7 }), market: hi }).action).toBe('none');
    const d = decide(c, { risk: risk({ delta: 8 }), market: hi });
    expect(d.reason).toBe('HEDGE_BAND');
    expect(d.numbers).toMatchObject({ vol: 0.9, volFromRealised: 0, bandUnits: 7.5 });
    expect(d.message).toContain('(5 ETH scaled by vol 90.0% / 60.0%)');
    expect(decide(c, { risk: risk({ delta: 3 }), market: { ...market, impliedVol: 0.3 } }).reason).toBe('HEDGE_BAND'); // band 2.5
  });

  it('ratio mode, realised: from the EWMA in the state, implied until there is one', () => {
    const c = cfg({ ...band5, volScaling: { source: 'realised', referenceVol: 0.6 } });
    const d = decide(c, { risk: risk({ delta: 6 }), state: hedged({ ewmaVariance: 0.64 }) }); // σ 0.8 → band 6.67
    expect(d.action).toBe('none');
    expect(d.numbers.vol).toBeCloseTo(0.8, 15);
    expect(d.numbers.volFromRealised).toBe(1);
    expect(d.numbers.bandUnits).toBeCloseTo(6.666666666666667, 12);
    const early = decide(c, { risk: risk({ delta: 6 }) });
    expect(early.numbers.volFromRealised).toBe(0);
    expect(early.reason).toBe('HEDGE_BAND'); // implied 0.6 = reference → band 5
  });

  it('gammaRisk mode: band = multiplier · |Γ| · S · σ · √horizon, floored', () => {
    const c = cfg({ ...band5, volScaling: { source: 'implied', mode: 'gammaRisk', multiplier: 2, horizonMs: HOUR, minBandUnits: 0.5 } });
    // 2 · 0.02 · 3000 · 0.6 · √(1/8760) = 0.7692729177072387
    const d = decide(c, { risk: risk({ delta: 0.8, gamma: -0.02 }) });
    expect(d.numbers.bandUnits).toBeCloseTo(0.7692729177072387, 13);
    expect(d.reason).toBe('HEDGE_BAND');
    expect(d.message).toContain('gamma-risk band at 60.0% vol over 1.0 h');
    expect(decide(c, { risk: risk({ delta: 0.75, gamma: -0.02 }) }).action).toBe('none');
    expect(decide(c, { risk: risk({ delta: 0.45, gamma: 0 }) }).numbers.bandUnits).toBe(0.5);
    const realised = cfg({ ...band5, volScaling: { source: 'realised', mode: 'gammaRisk', horizonMs: HOUR } });
    expect(decide(realised, { risk: risk({ gamma: 0.02 }), state: hedged({ ewmaVariance: 1.44 }) }).numbers.bandUnits).toBeCloseTo(0.7692729177072387, 13);
  });

  it('cadence scales by referenceVol/σ with scaleCadence', () => {
    const c = cfg({ cadence: { everyMs: HOUR }, volScaling: { source: 'implied', referenceVol: 0.6, scaleBand: false, scaleCadence: true } });
    const stressed = { ...market, impliedVol: 1.2 }; // every 30 min
    expect(decide(c, { risk: risk({ delta: 1 }), market: stressed, state: hedged({ lastHedgeAtMs: NOW - 31 * MIN }) }).reason).toBe('HEDGE_CADENCE');
    expect(decide(c, { risk: risk({ delta: 1 }), state: hedged({ lastHedgeAtMs: NOW - 31 * MIN }) }).reason).toBe('NONE_NO_TRIGGER');
    const realised = cfg({ cadence: { everyMs: HOUR }, volScaling: { source: 'realised', scaleCadence: true } });
    const d = decide(realised, { risk: risk({ delta: 1 }), state: hedged({ lastHedgeAtMs: NOW - 31 * MIN, ewmaVariance: 1.44 }) });
    expect(d.numbers.cadenceIntervalMs).toBeCloseTo(30 * MIN, 6);
    expect(d.reason).toBe('HEDGE_CADENCE');
  });
});

describe('Whalley-Wilmott band', () => {
  const ww = { riskAversion: 0.001, costBps: 10 };
  const book = risk({ gamma: 0.05, yearsToExpiry: 0.5 });
  const h = whalleyWilmottHalfWidth({ gamma: 0.05, spot: 3000, rate: 0.04, yearsToExpiry: 0.5, costBps: 10, riskAversion: 0.001 }); // 2.2258…

  it('trades to the nearest edge when the delta leaves ±H', () => {
    const c = cfg({ whalleyWilmott: ww });
    expect(decide(c, { risk: { ...book, delta: 2.2 } }).action).toBe('none');
    const d = decide(c, { risk: { ...book, delta: 4 } });
    expect(d.reason).toBe('HEDGE_WHALLEY_WILMOTT');
    expect(d.numbers.wwHalfWidthUnits).toBeCloseTo(2.225814040375003, 13);
    expect(perpUnits(d)).toBeCloseTo(h - 4, 12);
    expect(d.message).toBe('Delta +4.00 ETH is outside the ±2.23 ETH Whalley-Wilmott band: sell 1.77 ETH of the perp to bring it to +2.23 ETH.');
    const { second } = hedgeThenDecideAgain({ risk: { ...book, delta: -40 }, market, config: c, state: hedged(), nowMs: NOW });
    expect(second.action).toBe('none');
  });

  it('composes with a band: the narrower one governs, with the band target', () => {
    const c = cfg({ band: { unit: 'units', trigger: 10 }, whalleyWilmott: ww });
    const d = decide(c, { risk: { ...book, delta: 4 } });
    expect(d.reason).toBe('HEDGE_WHALLEY_WILMOTT');
    expect(d.numbers.triggerUnits).toBeCloseTo(h, 12);
    expect(perpUnits(d)).toBe(-4); // band target "zero"
    const wide = decide(cfg({ band: { unit: 'units', trigger: 1 }, whalleyWilmott: ww }), { risk: { ...book, delta: 4 } });
    expect(wide.reason).toBe('HEDGE_BAND');
  });
});

describe('gamma and vega limits', () => {
  const call: HedgePolicyConfigInput['limits'] = {
    maxAbsGamma: 0.1,
    maxAbsVegaPerVolPoint: 3000,
    hedgeOptions: [{ id: 'c3200', optionType: 'call', strike: 3200, expiryMs: NOW + 30 * DAY }],
  };
  const twoOptions: HedgePolicyConfigInput['limits'] = {
    maxAbsGamma: 0.1,
    maxAbsVegaPerVolPoint: 3000,
    hedgeOptions: [
      { id: 'c3200-30d', optionType: 'call', strike: 3200, expiryMs: NOW + 30 * DAY },
      { id: 'p2800-120d', optionType: 'put', strike: 2800, expiryMs: NOW + 120 * DAY, vol: 0.65 },
    ],
  };
  const greeks = (type: 'call' | 'put', strike: number, days: number, vol: number) =>
    bsmGreeks({ type, spot: 3000, strike, maturity: days / 365, vol, rate: 0.04, yield: 0 });

  it('without hedge options: alerts only, the delta policy is unaffected', () => {
    const c = cfg({ ...band5, limits: { maxAbsGamma: 0.1, maxAbsVegaPerVolPoint: 3000 } });
    const quiet = decide(c, { risk: risk({ delta: 1, gamma: -0.3, vegaPerVolPoint: -5000 }) });
    expect(quiet.action).toBe('alert');
    expect(quiet.reason).toBe('NONE_WITHIN_BAND');
    expect(quiet.alerts.map((a) => a.code)).toEqual(['GAMMA_LIMIT_BREACHED', 'VEGA_LIMIT_BREACHED']);
    expect(quiet.alerts[0]!.numbers).toEqual({ gamma: -0.3, maxAbsGamma: 0.1 });
    expect(quiet.alerts[0]!.message).toBe('Gamma -0.3000 ETH/USD is beyond the ±0.100 limit; no hedge option is configured: alert only.');
    const hedging = decide(c, { risk: risk({ delta: 9, gamma: -0.3 }) });
    expect(hedging.action).toBe('hedge');
    expect(hedging.reason).toBe('HEDGE_BAND');
    expect(hedging.alerts.map((a) => a.code)).toEqual(['GAMMA_LIMIT_BREACHED']);
    expect(decide(c, { risk: risk({ gamma: 0.1, vegaPerVolPoint: -3000 }) }).alerts).toEqual([]); // on the limit is within
  });

  it('one option: gamma to the limit boundary, then the delta (options included) hedged to target, checked with the pricing core', () => {
    const c = cfg({ ...band5, limits: call });
    const input: PolicyInput = { risk: risk({ delta: 2, gamma: -0.4, vegaPerVolPoint: 1000 }), market, config: c, state: hedged(), nowMs: NOW };
    const d = decideHedge(input);
    expect(d.reason).toBe('HEDGE_GREEK_LIMITS');
    const g = greeks('call', 3200, 30, 0.6);
    const option = d.orders.find((o) => o.instrument.kind === 'option')!;
    expect(option).toMatchObject({ instrument: { kind: 'option', id: 'c3200' }, side: 'buy' });
    expect(option.notionalUsd).toBeCloseTo(option.quantity * g.price, 9);
    const gammaAfter = -0.4 + option.quantity * g.gamma;
    expect(gammaAfter).toBeCloseTo(-0.1, 12); // the boundary, the cheapest fix
    expect(Math.abs(1000 + (option.quantity * g.vegaPerUnitVol) / 100)).toBeLessThanOrEqual(3000);
    const deltaAfter = 2 + option.quantity * g.delta + perpUnits(d);
    expect(deltaAfter).toBeCloseTo(0, 10);
    expect(d.alerts[0]).toMatchObject({ code: 'GAMMA_LIMIT_BREACHED' });
    expect(d.alerts[0]!.numbers.gammaAfter).toBeCloseTo(-0.1, 12);
    expect(d.message).toMatch(/^Gamma -0\.4000 ETH\/USD is beyond the ±0\.100 limit: buy [\d.]+ of option c3200 and sell [\d.]+ ETH of the perp to bring the delta to 0\.$/);
    const { second } = hedgeThenDecideAgain(input);
    expect(second.action).toBe('none');
  });

  it('two options: gamma and vega within both limits at least cost, delta hedged, checked with the pricing core', () => {
    const c = cfg({ ...band5, limits: twoOptions });
    const input: PolicyInput = { risk: risk({ delta: -3, gamma: -0.5, vegaPerVolPoint: 20_000 }), market, config: c, state: hedged(), nowMs: NOW };
    const d = decideHedge(input);
    expect(d.reason).toBe('HEDGE_GREEK_LIMITS');
    const g1 = greeks('call', 3200, 30, 0.6);
    const g2 = greeks('put', 2800, 120, 0.65);
    const qOf = (id: string) => {
      const o = d.orders.find((x) => x.instrument.kind === 'option' && x.instrument.id === id);
      return o === undefined ? 0 : o.side === 'buy' ? o.quantity : -o.quantity;
    };
    const q1 = qOf('c3200-30d');
    const q2 = qOf('p2800-120d');
    const gammaAfter = -0.5 + q1 * g1.gamma + q2 * g2.gamma;
    const vegaAfter = 20_000 + (q1 * g1.vegaPerUnitVol + q2 * g2.vegaPerUnitVol) / 100;
    expect(Math.abs(gammaAfter)).toBeLessThanOrEqual(0.1 * (1 + 1e-9));
    expect(Math.abs(vegaAfter)).toBeLessThanOrEqual(3000 * (1 + 1e-9));
    expect(-3 + q1 * g1.delta + q2 * g2.delta + perpUnits(d)).toBeCloseTo(0, 9);
    // Least cost: no cheaper feasible combination along the edges of the feasible set.
    const costOf = (a: number, b: number) => Math.abs(a) * g1.price + Math.abs(b) * g2.price;
    for (let i = -50; i <= 50; i++) {
      for (let j = -50; j <= 50; j++) {
        const a = q1 * (1 + i / 100);
        const b = q2 * (1 + j / 100);
        const ga = -0.5 + a * g1.gamma + b * g2.gamma;
        const va = 20_000 + (a * g1.vegaPerUnitVol + b * g2.vegaPerUnitVol) / 100;
        if (Math.abs(ga) <= 0.1 && Math.abs(va) <= 3000) expect(costOf(a, b)).toBeGreaterThanOrEqual(costOf(q1, q2) * (1 - 1e-9));
      }
    }
    expect(d.alerts.map((a) => a.code)).toEqual(['GAMMA_LIMIT_BREACHED', 'VEGA_LIMIT_BREACHED']);
    expect(hedgeThenDecideAgain(input).second.action).toBe('none');
  });

  it('one option cannot fix both: gamma first, the vega breach stays an alert', () => {
    const c = cfg({ ...band5, limits: { ...call, maxAbsVegaPerVolPoint: 100 } });
    const d = decide(c, { risk: risk({ gamma: -0.4, vegaPerVolPoint: -20_000 }) });
    expect(d.reason).toBe('HEDGE_GREEK_LIMITS');
    expect(d.numbers.gammaAfter).toBeCloseTo(-0.1, 12);
    expect(Math.abs(d.numbers.vegaAfter!)).toBeGreaterThan(100);
    expect(d.alerts.map((a) => a.code)).toEqual(['GAMMA_LIMIT_BREACHED', 'VEGA_LIMIT_BREACHED']);
  });

  it('an expired hedge option only alerts', () => {
    const c = cfg({ ...band5, limits: { ...call, hedgeOptions: [{ ...call.hedgeOptions![0]!, expiryMs: NOW - 1 }] } });
    const d = decide(c, { risk: risk({ delta: 1, gamma: -0.4 }) });
    expect(d.action).toBe('alert');
    expect(d.orders).toEqual([]);
    expect(d.alerts[0]!.message).toContain('no option hedge is sent now');
  });

  it('option orders obey min and max trade size', () => {
    const clipped = decide(cfg({ ...band5, limits: call, guards: { maxTradeUnits: 10 } }), { risk: risk({ gamma: -0.4 }) });
    const option = clipped.orders.find((o) => o.instrument.kind === 'option')!;
    expect(option.quantity).toBe(10);
    expect(clipped.alerts.map((a) => a.code)).toContain('TRADE_CLIPPED');
    const tiny = decide(cfg({ ...band5, limits: call, guards: { minTradeUnits: 1000 } }), { risk: risk({ gamma: -0.4 }) });
    expect(tiny.orders).toEqual([]);
    expect(tiny.action).toBe('alert');
  });
});

describe('cooldown', () => {
  const c = cfg({ ...band5, guards: { cooldownMs: 10 * MIN, cooldownBypassMultiple: 2 } });
  it('holds a trigger back within the cooldown after the last hedge', () => {
    const d = decide(c, { risk: risk({ delta: 8 }), state: hedged({ lastHedgeAtMs: NOW - 4 * MIN }) });
    expect(d.action).toBe('none');
    expect(d.reason).toBe('NONE_COOLDOWN');
    expect(d.message).toBe(
      'Delta +8.00 ETH is outside the ±5.00 ETH band, but the last hedge was 4.0 min ago (cooldown 10.0 min; a delta beyond ±10.00 ETH would bypass it): no hedge.',
    );
    expect(decide(c, { risk: risk({ delta: 8 }), state: hedged({ lastHedgeAtMs: NOW - 10 * MIN }) }).reason).toBe('HEDGE_BAND');
  });
  it('is bypassed by a drift beyond the multiple of the trigger', () => {
    const d = decide(c, { risk: risk({ delta: -10.5 }), state: hedged({ lastHedgeAtMs: NOW - MIN }) });
    expect(d.reason).toBe('HEDGE_BAND');
    expect(d.numbers.cooldownBypassed).toBe(1);
  });
  it('has no bypass without a delta band', () => {
    const cad = cfg({ cadence: { everyMs: MIN }, guards: { cooldownMs: 10 * MIN } });
    expect(decide(cad, { risk: risk({ delta: 1e6 }), state: hedged({ lastHedgeAtMs: NOW - 5 * MIN }) }).reason).toBe('NONE_COOLDOWN');
  });
});

describe('trade size guards', () => {
  it('skips a hedge below minTradeUnits', () => {
    const c = cfg({ band: { unit: 'units', trigger: 5, target: 'edge' }, guards: { minTradeUnits: 0.5 } });
    const d = decide(c, { risk: risk({ delta: 5.3 }) });
    expect(d.reason).toBe('NONE_BELOW_MIN_TRADE');
    expect(d.message).toBe('Delta +5.30 ETH is outside the ±5.00 ETH band, but the 0.300 ETH hedge is below the 0.500 ETH minimum trade: no hedge.');
    expect(decide(c, { risk: risk({ delta: 5.5 }) }).reason).toBe('HEDGE_BAND');
  });
  it('clips to maxTradeUnits with an alert carrying the numbers', () => {
    const d = decide(cfg({ ...band5, guards: { maxTradeUnits: 50 } }), { risk: risk({ delta: -80 }) });
    expect(d.orders[0]).toMatchObject({ side: 'buy', quantity: 50 });
    expect(d.alerts).toEqual([
      { code: 'TRADE_CLIPPED', message: 'The 80.00 ETH perp order is clipped to the max trade size of 50.00 ETH.', numbers: { requestedUnits: 80, clippedUnits: 50, maxTradeUnits: 50 } },
    ]);
    expect(d.message).toContain('buy 50.00 ETH (clipped from 80.00) of the perp to bring it towards 0.');
  });
});

describe('daily notional cap', () => {
  const c = cfg({ ...band5, guards: { maxDailyNotionalUsd: 100_000 } });
  const lateNight = Date.UTC(2026, 0, 5, 23, 50);
  it('clips to what remains of the UTC day, with an alert', () => {
    const d = decide(c, { risk: risk({ delta: 20 }), state: hedged({ dailyNotionalUsd: 70_000 }) });
    expect(d.orders[0]!.notionalUsd).toBeLessThanOrEqual(30_000);
    expect(d.orders[0]!.quantity).toBeCloseTo(10, 9);
    expect(d.alerts.map((a) => a.code)).toEqual(['DAILY_NOTIONAL_CAP']);
    expect(d.numbers.dailyNotionalRemainingUsd).toBeCloseTo(0, 6);
  });
  it('trades nothing when the cap is used up, and again after UTC midnight', () => {
    const state = hedged({ dayStartMs: Date.UTC(2026, 0, 5), dailyNotionalUsd: 100_000, lastHedgeAtMs: lateNight - HOUR });
    const blocked = decide(c, { risk: risk({ delta: 20 }), state, nowMs: lateNight });
    expect(blocked.action).toBe('alert');
    expect(blocked.reason).toBe('NONE_DAILY_CAP_REACHED');
    expect(blocked.alerts.map((a) => a.code)).toEqual(['DAILY_NOTIONAL_CAP']);
    expect(blocked.message).toBe(
      'Delta +20.00 ETH is outside the ±5.00 ETH band, but the 100,000.00 USD daily notional cap is used up (100,000.00 USD traded today): no hedge.',
    );
    const nextDay = decide(c, { risk: risk({ delta: 20 }), state, nowMs: Date.UTC(2026, 0, 6, 0, 5) });
    expect(nextDay.reason).toBe('HEDGE_BAND');
    expect(nextDay.orders[0]!.quantity).toBe(20);
  });
  it('counts across decisions through applyDecision, day by day', () => {
    let state = initialHedgeState(lateNight - 2 * HOUR);
    let delta = 0;
    const traded = new Map<number, number>();
    for (let t = lateNight - 2 * HOUR; t < lateNight + 3 * HOUR; t += 5 * MIN) {
      delta += 12; // drifts 12 ETH (36k USD) every 5 minutes
      const d = decide(c, { risk: risk({ delta }), state, nowMs: t });
      const day = Math.floor(t / DAY);
      for (const o of d.orders) traded.set(day, (traded.get(day) ?? 0) + o.notionalUsd);
      delta += perpUnits(d);
      state = applyDecision(state, d, d.orders.map((order) => ({ order, price: 3000 })), t);
    }
    expect([...traded.values()].every((v) => v <= 100_000)).toBe(true);
    expect(traded.size).toBe(2);
  });
});

describe('paused account and dry run', () => {
  it('paused: alert ACCOUNT_PAUSED, no orders, pending slices cancelled', () => {
    const pending = [{ quantity: -5, notBeforeMs: NOW, sliceIndex: 1, sliceCount: 2, decisionId: 'x' }];
    const d = decide(cfg({ ...band5, guards: { paused: true } }), { risk: risk({ delta: 50 }), state: hedged({ pendingSlices: pending }) });
    expect(d).toMatchObject({ action: 'alert', reason: 'NONE_PAUSED', orders: [], plannedSlices: [], wouldTrade: [] });
    expect(d.alerts).toEqual([{ code: 'ACCOUNT_PAUSED', message: d.message, numbers: { delta: 50, cancelledSlices: 1 } }]);
    expect(d.message).toBe('Account paused (kill switch): no hedge for delta +50.00 ETH; 1 pending slice(s) cancelled.');
  });
  it('dry run: decided normally, orders in wouldTrade, none sent, state untouched', () => {
    const live = decide(cfg({ ...band5, slicing: { clipUnits: 10, slices: 2, windowMs: MIN } }), { risk: risk({ delta: 30 }) });
    const dry = decide(cfg({ ...band5, slicing: { clipUnits: 10, slices: 2, windowMs: MIN }, guards: { dryRun: true } }), { risk: risk({ delta: 30 }) });
    expect(dry.dryRun).toBe(true);
    expect(dry.orders).toEqual([]);
    expect(dry.wouldTrade).toEqual(live.orders);
    expect(dry.action).toBe('hedge');
    expect(dry.reason).toBe(live.reason);
    expect(dry.message).toBe(`${live.message} Dry run: nothing was sent.`);
    expect(dry.plannedSlices).toHaveLength(1);
    const state = hedged();
    expect(applyDecision(state, dry, [], NOW)).toBe(state);
  });
});

describe('slicing', () => {
  const c = cfg({ ...band5, slicing: { clipUnits: 20, slices: 4, windowMs: 10 * MIN } });

  it('splits an order above the clip into equal children spread over the window', () => {
    const d = decide(c, { risk: risk({ delta: 42 }) });
    expect(d.orders).toHaveLength(1);
    expect(d.orders[0]).toMatchObject({ side: 'sell', quantity: 10.5, sliceIndex: 0, sliceCount: 4, notBeforeMs: NOW });
    expect(d.plannedSlices).toEqual([1, 2, 3].map((i) => ({ quantity: -10.5, notBeforeMs: NOW + i * 150_000, sliceIndex: i, sliceCount: 4, decisionId: d.id })));
    const total = d.orders[0]!.quantity + d.plannedSlices.reduce((s, p) => s - p.quantity, 0);
    expect(total).toBeCloseTo(42, 12);
    expect(d.numbers.orderNotionalUsd).toBeCloseTo(42 * 3000, 6);
    expect(decide(c, { risk: risk({ delta: 20 }) }).orders[0]!.sliceCount).toBe(1);
  });

  it('scales the window by referenceVol/σ when volScaled', () => {
    const v = cfg({ ...band5, volScaling: { source: 'implied', referenceVol: 0.6, scaleBand: false }, slicing: { clipUnits: 20, slices: 4, windowMs: 10 * MIN, volScaled: true } });
    const d = decide(v, { risk: risk({ delta: 42 }), market: { ...market, impliedVol: 1.2 } });
    expect(d.plannedSlices.map((p) => p.notBeforeMs - NOW)).toEqual([75_000, 150_000, 225_000]);
  });

  it('runs the plan: pending slices are not hedged twice, and go when due', () => {
    const first = decide(c, { risk: risk({ delta: 42 }) });
    let state = applyDecision(hedged(), first, first.orders.map((order) => ({ order, price: 3000 })), NOW);
    let delta = 42 + perpUnits(first); // 31.5, projected 0
    const early = decide(c, { risk: risk({ delta }), state, nowMs: NOW + MIN });
    expect(early.reason).toBe('NONE_WITHIN_BAND');
    expect(early.plannedSlices).toBe(state.pendingSlices);
    expect(early.message).toBe('Delta 0 ETH (+31.50 ETH now, 3 slice(s) pending) is within the ±5.00 ETH band: no hedge.');
    const sent: Decision[] = [];
    for (let t = NOW + 2.5 * MIN; t <= NOW + 10 * MIN; t += 2.5 * MIN) {
      const d = decide(c, { risk: risk({ delta }), state, nowMs: t });
      expect(d.reason).toBe('HEDGE_PENDING_SLICE');
      sent.push(d);
      delta += perpUnits(d);
      state = applyDecision(state, d, d.orders.map((order) => ({ order, price: 3000 })), t);
      if (state.pendingSlices.length === 0) break;
    }
    expect(sent.map((d) => d.orders[0]!.sliceIndex)).toEqual([1, 2, 3]);
    expect(sent[0]!.message).toBe(
      `Sending slice 2 of 4 of the hedge planned by decision ${first.id}: sell 10.50 ETH of the perp (delta +31.50 ETH, 0 ETH once all slices are done).`,
    );
    expect(delta).toBeCloseTo(0, 12);
    expect(decide(c, { risk: risk({ delta }), state, nowMs: NOW + 11 * MIN }).action).toBe('none');
  });

  it('sends every overdue slice at once', () => {
    const first = decide(c, { risk: risk({ delta: 42 }) });
    const state = applyDecision(hedged(), first, first.orders.map((order) => ({ order, price: 3000 })), NOW);
    const d = decide(c, { risk: risk({ delta: 31.5 }), state, nowMs: NOW + HOUR });
    expect(d.orders.map((o) => o.sliceIndex)).toEqual([1, 2, 3]);
    expect(d.plannedSlices).toEqual([]);
    expect(d.message).toContain('Sending 3 due slices');
  });

  it('a new trigger supersedes the pending slices and re-plans from the current delta', () => {
    const first = decide(c, { risk: risk({ delta: 42 }) });
    const state = applyDecision(hedged(), first, first.orders.map((order) => ({ order, price: 3000 })), NOW);
    // The book moved by another +30 ETH: projected +30 is outside the band.
    const d = decide(c, { risk: risk({ delta: 61.5 }), state, nowMs: NOW + MIN });
    expect(d.reason).toBe('HEDGE_BAND');
    expect(d.numbers.cancelledSlices).toBe(3);
    expect(perpUnits(d) * 4).toBeCloseTo(-61.5, 10);
    expect(d.plannedSlices.every((p) => p.decisionId === d.id)).toBe(true);
    expect(d.message).toContain('Replaces 3 pending slice(s).');
    // Slices that now push the delta the wrong way are cancelled without a trade.
    const reversed = decide(c, { risk: risk({ delta: 0 }), state, nowMs: NOW + MIN });
    expect(reversed.reason).toBe('NONE_BELOW_MIN_TRADE');
    expect(reversed.plannedSlices).toEqual([]);
  });

  it('pending slices obey the daily cap and max trade at the time they are sent', () => {
    const capped = cfg({ ...band5, slicing: { clipUnits: 20, slices: 4, windowMs: 10 * MIN }, guards: { maxDailyNotionalUsd: 40_000 } });
    const pending = [1, 2, 3].map((i) => ({ quantity: -10.5, notBeforeMs: NOW + i * MIN, sliceIndex: i, sliceCount: 4, decisionId: 'p' }));
    const state = hedged({ pendingSlices: pending, dailyNotionalUsd: 35_000 });
    const d = decide(capped, { risk: risk({ delta: 31.5 }), state, nowMs: NOW + 2 * MIN });
    expect(d.reason).toBe('HEDGE_PENDING_SLICE');
    expect(d.orders.reduce((s, o) => s + o.notionalUsd, 0)).toBeLessThanOrEqual(5000);
    expect(d.alerts.map((a) => a.code)).toEqual(['DAILY_NOTIONAL_CAP']);
    const full = decide(capped, { risk: risk({ delta: 31.5 }), state: { ...state, dailyNotionalUsd: 40_000 }, nowMs: NOW + 2 * MIN });
    expect(full.reason).toBe('NONE_DAILY_CAP_REACHED');
    expect(full.plannedSlices).toBe(state.pendingSlices);
  });
});

describe('input validation', () => {
  const c = cfg(band5);
  const bad: [string, Partial<Omit<PolicyInput, 'config'>>][] = [
    ['market.spot', { market: { ...market, spot: Number.NaN } }],
    ['market.spot', { market: { ...market, spot: -3000 } }],
    ['market.spot', { market: { ...market, spot: 0 } }],
    ['market.impliedVol', { market: { ...market, impliedVol: -0.1 } }],
    ['market.rate', { market: { ...market, rate: Number.POSITIVE_INFINITY } }],
    ['risk.delta', { risk: risk({ delta: Number.NaN }) }],
    ['risk.gamma', { risk: risk({ gamma: Number.NEGATIVE_INFINITY }) }],
    ['risk.optionNotionalUsd', { risk: risk({ optionNotionalUsd: -1 }) }],
    ['risk.yearsToExpiry', { risk: risk({ yearsToExpiry: -1 }) }],
    ['nowMs', { nowMs: Number.NaN }],
    ['state.dailyNotionalUsd', { state: hedged({ dailyNotionalUsd: -5 }) }],
    ['state.lastHedgeSpot', { state: hedged({ lastHedgeSpot: 0 }) }],
    ['state.ewmaVariance', { state: hedged({ ewmaVariance: Number.NaN }) }],
    ['state.pendingSlices[0].quantity', { state: hedged({ pendingSlices: [{ quantity: Number.NaN, notBeforeMs: NOW, sliceIndex: 1, sliceCount: 2, decisionId: 'x' }] }) }],
    ['state.pendingSlices[0].sliceIndex', { state: hedged({ pendingSlices: [{ quantity: 1, notBeforeMs: NOW, sliceIndex: 2, sliceCount: 2, decisionId: 'x' }] }) }],
  ];
  it.each(bad)('rejects a bad %s with InvalidInputError', (field, over) => {
    let error: unknown;
    try {
      decide(c, over);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
  });
});
