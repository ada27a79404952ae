import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/domain/errors.ts';
import { black76Greeks } from '../../../../shared/domain/pricing/black76.ts';
import { bsmGreeks, bsmPrice } from '../../../../shared/domain/pricing/black-scholes-merton.ts';
import { rhoPerBasisPoint, thetaPerDay, vegaPerVolPoint } from '../../../../shared/domain/pricing/greeks.ts';
import type { BsmInput } from '../../../../shared/domain/pricing/option-inputs.ts';

const base: BsmInput = { type: 'call', spot: 100, strike: 100, maturity: 1, vol: 0.2, rate: 0.05, yield: 0 };

describe('published reference values (Haug, The Complete Guide to Option Pricing Formulas)', () => {
  // Haug's tables give four decimals; each row is checked to that precision.
  const rows: { name: string; got: () => number; want: number }[] = [
    { name: 'BSM call price', got: () => bsmGreeks({ type: 'call', spot: 60, strike: 65, maturity: 0.25, vol: 0.3, rate: 0.08, yield: 0 }).price, want: 2.1334 },
    { name: 'BSM put price, q = 5%', got: () => bsmGreeks({ type: 'put', spot: 100, strike: 95, maturity: 0.5, vol: 0.2, rate: 0.1, yield: 0.05 }).price, want: 2.4648 },
    { name: 'Black-76 call price', got: () => black76Greeks({ type: 'call', forward: 19, strike: 19, maturity: 0.75, vol: 0.28, rate: 0.1 }).price, want: 1.7011 },
    { name: 'Black-76 put price', got: () => black76Greeks({ type: 'put', forward: 19, strike: 19, maturity: 0.75, vol: 0.28, rate: 0.1 }).price, want: 1.7011 },
    { name: 'call delta (futures option)', got: () => bsmGreeks({ type: 'call', spot: 105, strike: 100, maturity: 0.5, vol: 0.36, rate: 0.1, yield: 0.1 }).delta, want: 0.5946 },
    { name: 'put delta (futures option)', got: () => bsmGreeks({ type: 'put', spot: 105, strike: 100, maturity: 0.5, vol: 0.36, rate: 0.1, yield: 0.1 }).delta, want: -0.3566 },
    { name: 'gamma', got: () => bsmGreeks({ type: 'call', spot: 55, strike: 60, maturity: 0.75, vol: 0.3, rate: 0.1, yield: 0 }).gamma, want: 0.0278 },
    { name: 'put theta per year', got: () => bsmGreeks({ type: 'put', spot: 430, strike: 405, maturity: 0.0833, vol: 0.2, rate: 0.07, yield: 0.05 }).thetaPerYear, want: -31.1924 },
    { name: 'call rho', got: () => bsmGreeks({ type: 'call', spot: 72, strike: 75, maturity: 1, vol: 0.19, rate: 0.09, yield: 0 }).rhoPerUnitRate, want: 38.7325 },
  ];
  for (const row of rows) {
    it(row.name, () => expect(Math.abs(row.got() - row.want)).toBeLessThanOrEqual(0.00005 + 1e-12));
  }
});

describe('Greeks are the derivatives of the price (central finite differences)', () => {
  const price = (input: BsmInput): number => bsmPrice(input);
  // Step sizes balance truncation (h²) and rounding (ε/h) error.
  const cases: BsmInput[] = [
    base,
    { ...base, type: 'put' },
    { type: 'call', spot: 80, strike: 100, maturity: 0.25, vol: 0.6, rate: 0.03, yield: 0.02 },
    { type: 'put', spot: 120, strike: 100, maturity: 3, vol: 0.15, rate: -0.01, yield: 0.04 },
    { type: 'call', spot: 3000, strike: 2500, maturity: 0.05, vol: 0.9, rate: 0.05, yield: 0.1 },
  ];
  for (const input of cases) {
    it(`${input.type} S=${input.spot} K=${input.strike} T=${input.maturity}`, () => {
      const g = bsmGreeks(input);
      const hs = input.spot * 1e-4;
      const hv = 1e-5;
      const bump = (patch: Partial<BsmInput>): number => price({ ...input, ...patch });
      const delta = (bump({ spot: input.spot + hs }) - bump({ spot: input.spot - hs })) / (2 * hs);
      const gamma = (bump({ spot: input.spot + hs }) - 2 * g.price + bump({ spot: input.spot - hs })) / (hs * hs);
      const vega = (bump({ vol: input.vol + hv }) - bump({ vol: input.vol - hv })) / (2 * hv);
      const theta = -(bump({ maturity: input.maturity + 1e-6 }) - bump({ maturity: input.maturity - 1e-6 })) / 2e-6;
      const rho = (bump({ rate: input.rate + 1e-6 }) - bump({ rate: input.rate - 1e-6 })) / 2e-6;
      const vanna =
        (bsmGreeks({ ...input, vol: input.vol + hv }).delta - bsmGreeks({ ...input, vol: input.vol - hv }).delta) / (2 * hv);
      const volga =
        (bsmGreeks({ ...input, vol: input.vol + hv }).vegaPerUnitVol - bsmGreeks({ ...input, vol: input.vol - hv }).vegaPerUnitVol) / (2 * hv);
      const close = (fd: number, exact: number, tolerance: number): void => {
        expect(Math.abs(fd - exact)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(exact)));
      };
      close(delta, g.delta, 1e-7);
      close(gamma, g.gamma, 1e-4);
      close(vega, g.vegaPerUnitVol, 1e-7);
      close(theta, g.thetaPerYear, 1e-6);
      close(rho, g.rhoPerUnitRate, 1e-7);
      close(vanna, g.vannaPerUnitVol, 1e-6);
      close(volga, g.volgaPerUnitVol2, 1e-5);
    });
  }
});

describe('no-arbitrage relations and properties', () => {
  const inputArbitrary = fc.record({
    spot: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
    moneyness: fc.double({ min: -3, max: 3, noNaN: true }),
    maturity: fc.double({ min: 1e-6, max: 50, noNaN: true }),
    vol: fc.double({ min: 1e-4, max: 5, noNaN: true }),
    rate: fc.double({ min: -0.05, max: 0.3, noNaN: true }),
    yield: fc.double({ min: -0.05, max: 0.3, noNaN: true }),
  });
  const toInput = (type: 'call' | 'put', v: { spot: number; moneyness: number; maturity: number; vol: number; rate: number; yield: number }): BsmInput => ({
    type,
    spot: v.spot,
    strike: v.spot * Math.exp(v.moneyness),
    maturity: v.maturity,
    vol: v.vol,
    rate: v.rate,
    yield: v.yield,
  });

  it('put-call parity: C − P = S·e^{−qT} − K·e^{−rT}, and delta parity', () => {
    fc.assert(
      fc.property(inputArbitrary, (v) => {
        const call = bsmGreeks(toInput('call', v));
        const put = bsmGreeks(toInput('put', v));
        const input = toInput('call', v);
        const forwardValue = input.spot * Math.exp(-input.yield * input.maturity) - input.strike * Math.exp(-input.rate * input.maturity);
        const scale = input.spot * Math.exp(-input.yield * input.maturity) + input.strike * Math.exp(-input.rate * input.maturity);
        expect(Math.abs(call.price - put.price - forwardValue)).toBeLessThanOrEqual(1e-13 * scale);
        expect(Math.abs(call.delta - put.delta - Math.exp(-input.yield * input.maturity))).toBeLessThanOrEqual(1e-14);
        expect(Math.abs(call.gamma - put.gamma)).toBeLessThanOrEqual(1e-12 * call.gamma + 1e-300);
        expect(Math.abs(call.vegaPerUnitVol - put.vegaPerUnitVol)).toBeLessThanOrEqual(1e-12 * call.vegaPerUnitVol + 1e-300);
      }),
      { numRuns: 500 },
    );
  });

  it('never NaN on valid input; prices within their bounds; gamma and vega never negative', () => {
    fc.assert(
      fc.property(inputArbitrary, fc.constantFrom('call' as const, 'put' as const), (v, type) => {
        const input = toInput(type, v);
        const g = bsmGreeks(input);
        for (const value of Object.values(g)) expect(Number.isNaN(value)).toBe(false);
        const spotPv = input.spot * Math.exp(-input.yield * input.maturity);
        const strikePv = input.strike * Math.exp(-input.rate * input.maturity);
        const upper = type === 'call' ? spotPv : strikePv;
        const lower = type === 'call' ? Math.max(spotPv - strikePv, 0) : Math.max(strikePv - spotPv, 0);
        // The bounds themselves are formed here with rounding (a difference of two
        // rounded values), hence the few-ulp allowance on the scale of the terms.
        const slack = 4 * Number.EPSILON * (spotPv + strikePv);
        expect(g.price).toBeGreaterThanOrEqual(lower - slack);
        expect(g.price).toBeLessThanOrEqual(upper * (1 + 1e-14));
        expect(g.gamma).toBeGreaterThanOrEqual(0);
        expect(g.vegaPerUnitVol).toBeGreaterThanOrEqual(0);
        if (type === 'call') expect(g.delta).toBeGreaterThanOrEqual(0);
        else expect(g.delta).toBeLessThanOrEqual(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('monotone: calls fall with the strike, both types rise with the volatility', () => {
    // Up to the last-bit rounding where the price has saturated at its bound.
    const ulps = (x: number): number => 4 * Number.EPSILON * x;
    fc.assert(
      fc.property(inputArbitrary, fc.double({ min: 1e-3, max: 0.5, noNaN: true }), (v, step) => {
        const call = toInput('call', v);
        const callPrice = bsmPrice(call);
        expect(bsmPrice({ ...call, strike: call.strike * (1 + step) })).toBeLessThanOrEqual(callPrice + ulps(callPrice));
        expect(bsmPrice({ ...call, vol: call.vol * (1 + step) })).toBeGreaterThanOrEqual(callPrice - ulps(callPrice));
        const put = toInput('put', v);
        const putPrice = bsmPrice(put);
        expect(bsmPrice({ ...put, vol: put.vol * (1 + step) })).toBeGreaterThanOrEqual(putPrice - ulps(putPrice));
      }),
      { numRuns: 500 },
    );
  });
});

describe('the whole input domain', () => {
  it('never NaN, never a negative price, gamma or vega, at the edges of every range', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-150, max: 1e150, noNaN: true }),
        fc.double({ min: 1e-150, max: 1e150, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.constantFrom('call' as const, 'put' as const),
        (spot, strike, maturity, vol, rate, carry, type) => {
          const g = bsmGreeks({ type, spot, strike, maturity, vol, rate, yield: carry });
          for (const value of Object.values(g)) expect(value).not.toBeNaN();
          expect(g.price).toBeGreaterThanOrEqual(0);
          expect(g.gamma).toBeGreaterThanOrEqual(0);
          expect(g.vegaPerUnitVol).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('rejects inputs whose present values would not be representable', () => {
    expect(() => bsmGreeks({ ...base, spot: 1e200 })).toThrow('spot must be between 1e-150 and 1e+150 (got 1e+200)');
    expect(() => bsmGreeks({ ...base, rate: 2, maturity: 60 })).toThrow(/rate times maturity must be within ±100/);
    expect(() => bsmGreeks({ ...base, yield: -2, maturity: 60 })).toThrow(/yield times maturity must be within ±100/);
  });
});

describe('limits', () => {
  it('at expiry: intrinsic value, step delta, zero gamma and vega off the strike', () => {
    const itm = bsmGreeks({ ...base, spot: 110, maturity: 0 });
    expect(itm).toMatchObject({ price: 10, delta: 1, gamma: 0, vegaPerUnitVol: 0, rhoPerUnitRate: 0 });
    const otmPut = bsmGreeks({ ...base, type: 'put', spot: 110, maturity: 0 });
    expect(otmPut).toMatchObject({ price: 0, delta: -0, gamma: 0, vegaPerUnitVol: 0 });
    const atm = bsmGreeks({ ...base, maturity: 0 });
    expect(atm.price).toBe(0);
    expect(atm.delta).toBe(0.5);
    expect(atm.gamma).toBe(Infinity); // the T → 0⁺ limit at the strike
    expect(atm.thetaPerYear).toBe(-Infinity);
  });

  it('tends continuously to the expiry values as T → 0', () => {
    const near = bsmGreeks({ ...base, spot: 110, maturity: 1e-10 });
    expect(near.price).toBeCloseTo(10, 8);
    expect(near.delta).toBeCloseTo(1, 12);
  });

  it('zero volatility: discounted forward intrinsic value', () => {
    const g = bsmGreeks({ type: 'call', spot: 100, strike: 90, maturity: 2, vol: 0, rate: 0.05, yield: 0.01 });
    expect(g.price).toBeCloseTo(100 * Math.exp(-0.02) - 90 * Math.exp(-0.1), 12);
    expect(g.delta).toBeCloseTo(Math.exp(-0.02), 15);
    expect(g.gamma).toBe(0);
    expect(g.rhoPerUnitRate).toBeCloseTo(2 * 90 * Math.exp(-0.1), 12);
    const tiny = bsmGreeks({ type: 'call', spot: 100, strike: 90, maturity: 2, vol: 1e-12, rate: 0.05, yield: 0.01 });
    expect(tiny.price).toBeCloseTo(g.price, 12);
  });

  it('very high volatility: the call tends to the discounted spot, the put to the discounted strike', () => {
    const call = bsmGreeks({ ...base, vol: 50, maturity: 10 });
    expect(call.price).toBeCloseTo(100, 10);
    const put = bsmGreeks({ ...base, type: 'put', vol: 50, maturity: 10 });
    expect(put.price).toBeCloseTo(100 * Math.exp(-0.5), 10);
    expect(Number.isNaN(call.vannaPerUnitVol) || Number.isNaN(put.volgaPerUnitVol2)).toBe(false);
  });
});

describe('units and invalid input', () => {
  it('converts to per-point, per-day and per-basis-point units explicitly', () => {
    const g = bsmGreeks(base);
    expect(vegaPerVolPoint(g)).toBeCloseTo(g.vegaPerUnitVol / 100, 15);
    expect(thetaPerDay(g)).toBeCloseTo(g.thetaPerYear / 365, 15);
    expect(thetaPerDay(g, 252)).toBeCloseTo(g.thetaPerYear / 252, 15);
    expect(rhoPerBasisPoint(g)).toBeCloseTo(g.rhoPerUnitRate / 1e4, 15);
  });

  it.each([
    ['spot', { spot: Number.NaN }, 'spot must be a finite number (got NaN)'],
    ['spot', { spot: -1 }, 'spot must be > 0 (got -1)'],
    ['strike', { strike: 0 }, 'strike must be > 0 (got 0)'],
    ['maturity', { maturity: -0.5 }, 'maturity must be >= 0 (got -0.5)'],
    ['vol', { vol: -0.2 }, 'vol must be >= 0 (got -0.2)'],
    ['vol', { vol: Infinity }, 'vol must be a finite number (got Infinity)'],
    ['rate', { rate: Number.NaN }, 'rate must be a finite number (got NaN)'],
    ['type', { type: 'straddle' }, 'type must be "call" or "put" (got "straddle")'],
  ])('rejects a bad %s with a clear error', (field, patch, message) => {
    const input = { ...base, ...patch } as BsmInput;
    expect(() => bsmGreeks(input)).toThrow(InvalidInputError);
    expect(() => bsmGreeks(input)).toThrow(message);
    try {
      bsmGreeks(input);
    } catch (error) {
      expect((error as InvalidInputError).field).toBe(field);
    }
  });
});
