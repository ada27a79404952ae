import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OptionInstrument } from '../../../../shared/contracts/hedge-policy-config.ts';
import { bsmGreeks } from '../../../../shared/domain/pricing/black-scholes-merton.ts';
import { hedgeOptionQuote, solveGreekHedge, type HedgeOptionQuote } from '../../../../shared/domain/policy/greek-hedge.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 5, 12);
const market = { spot: 3000, impliedVol: 0.6, rate: 0.04, yield: 0.01 };
const call30: OptionInstrument = { id: 'c3200-30d', optionType: 'call', strike: 3200, expiryMs: NOW + 30 * DAY };
const put90: OptionInstrument = { id: 'p2800-90d', optionType: 'put', strike: 2800, expiryMs: NOW + 90 * DAY, vol: 0.65 };
const call30b: OptionInstrument = { id: 'c3000-30d', optionType: 'call', strike: 3000, expiryMs: NOW + 30 * DAY };
const q = (i: OptionInstrument): HedgeOptionQuote => hedgeOptionQuote(i, market, NOW)!;

const after = (value: number, quantities: readonly number[], coef: readonly number[]): number => value + quantities.reduce((s, x, i) => s + x * coef[i]!, 0);
const cost = (quantities: readonly number[], quotes: readonly HedgeOptionQuote[]): number =>
  quantities.reduce((s, x, i) => s + Math.abs(x) * (quotes[i]!.price + 1e-9 * market.spot), 0);

describe('hedge option quotes', () => {
  it('are the pricing core Greeks per unit, vega per vol point', () => {
    const g = bsmGreeks({ type: 'put', spot: 3000, strike: 2800, maturity: 90 / 365, vol: 0.65, rate: 0.04, yield: 0.01 });
    const quote = q(put90);
    expect(quote).toMatchObject({ id: 'p2800-90d', price: g.price, delta: g.delta, gamma: g.gamma, vegaPerVolPoint: g.vegaPerUnitVol / 100 });
    // The at-the-forward scale: an option struck at the forward has (nearly) the largest gamma and vega.
    const forward = 3000 * Math.exp((0.04 - 0.01) * (90 / 365));
    const atf = bsmGreeks({ type: 'put', spot: 3000, strike: forward, maturity: 90 / 365, vol: 0.65, rate: 0.04, yield: 0.01 });
    // At the forward d1 = σ√T/2, so the maxima (with φ(0)) are e^{σ²T/8} times its Greeks.
    const ratio = Math.exp((0.65 * 0.65 * (90 / 365)) / 8);
    expect(quote.atmVegaPerVolPoint / (atf.vegaPerUnitVol / 100)).toBeCloseTo(ratio, 10);
    expect(quote.atmGamma / atf.gamma).toBeCloseTo(ratio, 10);
    // Its own vol wins over the market's; the market's when absent.
    expect(q(call30).gamma).toBe(bsmGreeks({ type: 'call', spot: 3000, strike: 3200, maturity: 30 / 365, vol: 0.6, rate: 0.04, yield: 0.01 }).gamma);
  });
  it('an option too far from the money to carry gamma or vega is not used', () => {
    const wing = hedgeOptionQuote({ id: 'c9000-7d', optionType: 'call', strike: 9000, expiryMs: NOW + 7 * DAY }, market, NOW)!;
    expect(wing.gamma).toBeLessThan(1e-3 * wing.atmGamma);
    const s = solveGreekHedge({ gamma: -0.3, vegaPerVolPoint: 0, maxAbsGamma: 0.1, options: [wing], spot: 3000 });
    expect(s).toEqual({ quantities: [0], solved: 'none' });
    const mixed = solveGreekHedge({ gamma: -0.3, vegaPerVolPoint: 0, maxAbsGamma: 0.1, options: [wing, q(call30)], spot: 3000 });
    expect(mixed.quantities[0]).toBe(0);
    expect(after(-0.3, mixed.quantities, [wing.gamma, q(call30).gamma])).toBeCloseTo(-0.1, 12);
  });

  it('skip expired options', () => {
    expect(hedgeOptionQuote({ ...call30, expiryMs: NOW }, market, NOW)).toBeUndefined();
  });
});

describe('least-cost Greek hedge, one option', () => {
  it('brings gamma exactly to the near limit (not to zero)', () => {
    const o = q(call30);
    const s = solveGreekHedge({ gamma: -0.3, vegaPerVolPoint: 0, maxAbsGamma: 0.1, options: [o], spot: 3000 });
    expect(s.solved).toBe('all');
    expect(after(-0.3, s.quantities, [o.gamma])).toBeCloseTo(-0.1, 12);
    expect(s.quantities[0]).toBeCloseTo(0.2 / o.gamma, 9);
    const long = solveGreekHedge({ gamma: 0.3, vegaPerVolPoint: 0, maxAbsGamma: 0.1, options: [o], spot: 3000 });
    expect(after(0.3, long.quantities, [o.gamma])).toBeCloseTo(0.1, 12);
    expect(long.quantities[0]).toBeLessThan(0);
  });

  it('trades nothing when within the limits', () => {
    const s = solveGreekHedge({ gamma: 0.05, vegaPerVolPoint: 10, maxAbsGamma: 0.1, maxAbsVegaPerVolPoint: 100, options: [q(call30)], spot: 3000 });
    expect(s).toEqual({ quantities: [0], solved: 'all' });
  });

  it('fixes vega alone when only vega is limited, and never pushes gamma out of its limit', () => {
    const o = q(call30);
    const s = solveGreekHedge({ gamma: 0, vegaPerVolPoint: -5000, maxAbsVegaPerVolPoint: 1000, options: [o], spot: 3000 });
    expect(after(-5000, s.quantities, [o.vegaPerVolPoint])).toBeCloseTo(-1000, 8);
    // With a gamma limit that the vega fix would break: gamma priority, vega stays out.
    const qVega = 4000 / o.vegaPerVolPoint;
    const tight = (qVega * o.gamma) / 4;
    const both = solveGreekHedge({ gamma: 0, vegaPerVolPoint: -5000, maxAbsGamma: tight, maxAbsVegaPerVolPoint: 1000, options: [o], spot: 3000 });
    expect(both.solved).toBe('gamma');
    expect(both.quantities).toEqual([0]);
  });

  it('meets both limits where the two intervals overlap, at the point nearest zero', () => {
    const o = q(call30);
    const s = solveGreekHedge({ gamma: -0.3, vegaPerVolPoint: -5000, maxAbsGamma: 0.1, maxAbsVegaPerVolPoint: 1e6, options: [o], spot: 3000 });
    expect(s.solved).toBe('all');
    expect(after(-0.3, s.quantities, [o.gamma])).toBeCloseTo(-0.1, 12);
  });
});

describe('least-cost Greek hedge, two options', () => {
  const o1 = q(call30);
  const o2 = q(put90);
  const problem = { gamma: -0.5, vegaPerVolPoint: 20_000, maxAbsGamma: 0.1, maxAbsVegaPerVolPoint: 2000, options: [o1, o2], spot: 3000 };

  it('brings gamma and vega within both limits', () => {
    const s = solveGreekHedge(problem);
    expect(s.solved).toBe('all');
    const g = after(problem.gamma, s.quantities, [o1.gamma, o2.gamma]);
    const v = after(problem.vegaPerVolPoint, s.quantities, [o1.vegaPerVolPoint, o2.vegaPerVolPoint]);
    expect(Math.abs(g)).toBeLessThanOrEqual(0.1 * (1 + 1e-9));
    expect(Math.abs(v)).toBeLessThanOrEqual(2000 * (1 + 1e-9));
  });

  it('is no more expensive than any feasible point of a fine grid around it', () => {
    const s = solveGreekHedge(problem);
    const best = cost(s.quantities, [o1, o2]);
    const [a, b] = s.quantities as [number, number];
    let checked = 0;
    for (let i = -60; i <= 60; i++) {
      for (let j = -60; j <= 60; j++) {
        const x = [a * (1 + i / 40) + i, b * (1 + j / 40) + j];
        const g = after(problem.gamma, x, [o1.gamma, o2.gamma]);
        const v = after(problem.vegaPerVolPoint, x, [o1.vegaPerVolPoint, o2.vegaPerVolPoint]);
        if (Math.abs(g) <= 0.1 && Math.abs(v) <= 2000) {
          checked++;
          expect(cost(x, [o1, o2])).toBeGreaterThanOrEqual(best * (1 - 1e-12));
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('property: any breach is solved within the limits and no feasible random point is cheaper', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: -50_000, max: 50_000, noNaN: true }),
        fc.array(fc.tuple(fc.double({ min: -3000, max: 3000, noNaN: true }), fc.double({ min: -3000, max: 3000, noNaN: true })), { minLength: 20, maxLength: 20 }),
        (gamma, vega, probes) => {
          const p = { ...problem, gamma, vegaPerVolPoint: vega };
          const s = solveGreekHedge(p);
          expect(s.solved).toBe('all'); // two options of different expiries span (gamma, vega)
          const coef = (k: 'gamma' | 'vegaPerVolPoint') => [o1[k], o2[k]];
          expect(Math.abs(after(gamma, s.quantities, coef('gamma')))).toBeLessThanOrEqual(0.1 * (1 + 1e-9) + 1e-12 * Math.abs(gamma));
          expect(Math.abs(after(vega, s.quantities, coef('vegaPerVolPoint')))).toBeLessThanOrEqual(2000 * (1 + 1e-9) + 1e-12 * Math.abs(vega));
          const best = cost(s.quantities, [o1, o2]);
          for (const x of probes) {
            if (Math.abs(after(gamma, x, coef('gamma'))) <= 0.1 && Math.abs(after(vega, x, coef('vegaPerVolPoint'))) <= 2000) {
              expect(cost(x, [o1, o2])).toBeGreaterThanOrEqual(best * (1 - 1e-9));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('with gamma limited only, uses the option that buys gamma cheapest', () => {
    const s = solveGreekHedge({ ...problem, maxAbsVegaPerVolPoint: undefined });
    const perGamma = [(o1.price + 3e-6) / Math.abs(o1.gamma), (o2.price + 3e-6) / Math.abs(o2.gamma)];
    const cheap = perGamma[0]! < perGamma[1]! ? 0 : 1;
    expect(s.quantities[1 - cheap]).toBe(0);
    expect(after(problem.gamma, s.quantities, [o1.gamma, o2.gamma])).toBeCloseTo(-0.1, 10);
  });

  it('two options of the same expiry and vol cannot separate gamma from vega: gamma first', () => {
    const a = q(call30);
    const b = q(call30b);
    // Same T and σ: vega/gamma = S²στ/100 for both, the columns are parallel.
    expect(a.vegaPerVolPoint / a.gamma).toBeCloseTo(b.vegaPerVolPoint / b.gamma, 6);
    const s = solveGreekHedge({ gamma: -0.5, vegaPerVolPoint: 20_000, maxAbsGamma: 0.1, maxAbsVegaPerVolPoint: 2000, options: [a, b], spot: 3000 });
    expect(s.solved).toBe('gamma');
    expect(Math.abs(after(-0.5, s.quantities, [a.gamma, b.gamma]))).toBeCloseTo(0.1, 10);
  });

  it('no option, or no limit configured: no trade', () => {
    expect(solveGreekHedge({ ...problem, options: [] }).quantities).toEqual([]);
    expect(solveGreekHedge({ ...problem, maxAbsGamma: undefined, maxAbsVegaPerVolPoint: undefined })).toEqual({ quantities: [0, 0], solved: 'none' });
  });
});
