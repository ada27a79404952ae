import { describe, expect, it } from 'vitest';
import { whalleyWilmottHalfWidth } from '../../../../shared/domain/policy/whalley-wilmott-band.ts';

const base = { gamma: 0.05, spot: 3000, rate: 0.04, yearsToExpiry: 0.5, costBps: 10, riskAversion: 0.001 };

describe('Whalley-Wilmott half-width', () => {
  it('matches a hand computation: (3/2 · e^{-rτ} · k · S · Γ² / λ)^{1/3}', () => {
    // 1.5 · e^{-0.02} · 0.001 · 3000 · 0.05² / 0.001 = 11.027235…, cube root 2.225814040375003 (python, doubles)
    expect(whalleyWilmottHalfWidth(base)).toBeCloseTo(2.225814040375003, 13);
    // Without discounting and with round numbers: (1.5 · 1e-3 · 1000 · 0.2² / 1e-3)^{1/3} = 60^{1/3}
    expect(whalleyWilmottHalfWidth({ gamma: 0.2, spot: 1000, rate: 0, yearsToExpiry: 1, costBps: 10, riskAversion: 1e-3 })).toBeCloseTo(Math.cbrt(60), 13);
  });

  it('scales as Γ^{2/3}, k^{1/3}, λ^{-1/3}, S^{1/3}', () => {
    const h = whalleyWilmottHalfWidth(base);
    for (const f of [0.1, 2, 8, 1000]) {
      expect(whalleyWilmottHalfWidth({ ...base, gamma: base.gamma * f }) / h).toBeCloseTo(f ** (2 / 3), 12);
      expect(whalleyWilmottHalfWidth({ ...base, costBps: base.costBps * f }) / h).toBeCloseTo(f ** (1 / 3), 12);
      expect(whalleyWilmottHalfWidth({ ...base, riskAversion: base.riskAversion * f }) / h).toBeCloseTo(f ** (-1 / 3), 12);
      expect(whalleyWilmottHalfWidth({ ...base, spot: base.spot * f }) / h).toBeCloseTo(f ** (1 / 3), 12);
    }
  });

  it('discounts with e^{-rτ/3}, ignores the sign of gamma and the volatility', () => {
    const h = whalleyWilmottHalfWidth(base);
    expect(whalleyWilmottHalfWidth({ ...base, yearsToExpiry: 0 }) / h).toBeCloseTo(Math.exp((0.04 * 0.5) / 3), 13);
    expect(whalleyWilmottHalfWidth({ ...base, gamma: -base.gamma })).toBe(h);
    expect(whalleyWilmottHalfWidth({ ...base, vol: 0.3 })).toBe(whalleyWilmottHalfWidth({ ...base, vol: 1.5 }));
  });

  it('is zero without gamma (a linear book needs no band)', () => {
    expect(whalleyWilmottHalfWidth({ ...base, gamma: 0 })).toBe(0);
  });
});
