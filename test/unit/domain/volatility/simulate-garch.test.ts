import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../../../shared/domain/backtest/random.ts';
import { simulateGarch } from '../../../../shared/domain/volatility/simulate-garch.ts';

describe('simulateGarch', () => {
  it('has the stationary variance ω/(1 − α − β) and mean μ over a long path', () => {
    const params = { mu: 0.001, omega: 4e-5, alpha: 0.1, beta: 0.5 };
    const n = 200_000;
    const returns = simulateGarch(params, n, new Xoshiro128(8));
    const mean = returns.reduce((s, r) => s + r, 0) / n;
    const variance = returns.reduce((s, r) => s + (r - mean) ** 2, 0) / n;
    expect(variance / (4e-5 / 0.4)).toBeCloseTo(1, 1); // within 5%
    expect(Math.abs(mean - 0.001)).toBeLessThan(4 * Math.sqrt(1e-4 / n));
  });

  it('is reproducible from its seed and refuses non-stationary parameters', () => {
    const params = { mu: 0, omega: 1e-6, alpha: 0.08, beta: 0.9 };
    expect(simulateGarch(params, 50, new Xoshiro128(3))).toEqual(simulateGarch(params, 50, new Xoshiro128(3)));
    expect(() => simulateGarch({ ...params, beta: 0.92 }, 10, new Xoshiro128(1))).toThrow(/α \+ β < 1/);
  });
});
