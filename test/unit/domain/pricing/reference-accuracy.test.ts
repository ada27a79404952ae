/**
 * Accuracy against the mpmath reference tables (80 digits, exact double inputs).
 *
 * Rule: every field (price and all seven Greeks) must be within 1e-12 relative of the
 * reference wherever |reference| ≥ 1e-250 — no "negligible" exemption is needed, the
 * core keeps full relative precision deep out of the money. Below 1e-250 (where the
 * values approach underflow) the result must be tiny, finite and of the right sign:
 * never a negative price, gamma or vega, never a delta of the wrong sign.
 */
import { describe, expect, it } from 'vitest';
import { black76Greeks } from '../../../../shared/domain/pricing/black76.ts';
import { bsmGreeks } from '../../../../shared/domain/pricing/black-scholes-merton.ts';
import type { OptionGreeks } from '../../../../shared/domain/pricing/greeks.ts';
import { loadReference, REFERENCE_FIELDS, referenceNumber, type ReferenceCase, type ReferenceField } from '../../../support/reference-data.ts';

const FIELD_OF: Record<ReferenceField, keyof OptionGreeks> = {
  price: 'price',
  delta: 'delta',
  gamma: 'gamma',
  vega: 'vegaPerUnitVol',
  theta: 'thetaPerYear',
  rho: 'rhoPerUnitRate',
  vanna: 'vannaPerUnitVol',
  volga: 'volgaPerUnitVol2',
};
const RELATIVE_TOLERANCE = 1e-12;
const RELATIVE_FLOOR = 1e-250;

interface Worst {
  error: number;
  tag: string;
}

function checkTable(cases: ReferenceCase[], greeksOf: (c: ReferenceCase) => OptionGreeks): Map<ReferenceField, Worst> {
  const worst = new Map<ReferenceField, Worst>(REFERENCE_FIELDS.map((f) => [f, { error: 0, tag: '' }]));
  const failures: string[] = [];
  for (const c of cases) {
    const greeks = greeksOf(c);
    for (const field of REFERENCE_FIELDS) {
      const want = referenceNumber(c[field]);
      const got = greeks[FIELD_OF[field]];
      if (!Number.isFinite(got)) {
        failures.push(`${field} not finite (${got}) for ${JSON.stringify(c)}`);
        continue;
      }
      if (Math.abs(want) >= RELATIVE_FLOOR) {
        const error = Math.abs(got - want) / Math.abs(want);
        if (error > worst.get(field)!.error) worst.set(field, { error, tag: c.tag });
        if (error > RELATIVE_TOLERANCE) failures.push(`${field}: relative error ${error.toExponential(2)} for ${JSON.stringify(c)} (got ${got})`);
      } else {
        if (Math.abs(got) > 1e-240) failures.push(`${field}: ${got} should be tiny for ${JSON.stringify(c)}`);
        if (got !== 0 && want !== 0 && Math.sign(got) !== Math.sign(want)) failures.push(`${field}: wrong sign ${got} vs ${want}`);
      }
    }
    if (greeks.price < 0 || greeks.gamma < 0 || greeks.vegaPerUnitVol < 0) failures.push(`negative price/gamma/vega for ${JSON.stringify(c)}`);
    if (c.type === 'call' ? greeks.delta < 0 : greeks.delta > 0) failures.push(`delta of the wrong sign for ${JSON.stringify(c)}`);
  }
  expect(failures.slice(0, 10)).toEqual([]);
  return worst;
}

describe('accuracy against the high-precision reference', () => {
  it('generalised Black-Scholes-Merton: all fields within 1e-12 relative, down to 1e-250', () => {
    const cases = loadReference('bsm-greeks.json');
    expect(cases.length).toBeGreaterThan(2000);
    const tags = new Set(cases.map((c) => c.tag));
    for (const tag of ['deep-otm', 'deep-itm', 'short-t', 'long-t', 'high-vol', 'low-vol', 'tiny-s', 'atm-forward']) expect(tags).toContain(tag);
    const worst = checkTable(cases, (c) =>
      bsmGreeks({ type: c.type, spot: c.spot!, strike: c.strike, maturity: c.maturity, vol: c.vol, rate: c.rate, yield: c.yield! }),
    );
    for (const [, w] of worst) expect(w.error).toBeLessThanOrEqual(RELATIVE_TOLERANCE);
  });

  it('covers prices down to 1e-250 and below, with the tails checked', () => {
    const prices = loadReference('bsm-greeks.json').map((c) => referenceNumber(c.price));
    expect(Math.min(...prices.filter((p) => p > 0))).toBeLessThan(1e-250);
  });

  it('Black-76: all fields within 1e-12 relative, down to 1e-250', () => {
    const cases = loadReference('black76-greeks.json');
    expect(cases.length).toBeGreaterThan(500);
    checkTable(cases, (c) => black76Greeks({ type: c.type, forward: c.forward!, strike: c.strike, maturity: c.maturity, vol: c.vol, rate: c.rate }));
  });
});
