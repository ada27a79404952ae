import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../../../shared/domain/backtest/random.ts';
import { bipowerJumpTest, shockJumps } from '../../../../shared/domain/volatility/jump-detection.ts';
import { volRegimeSignal } from '../../../../shared/domain/volatility/vol-regime.ts';

describe('shockJumps', () => {
  it('flags the returns beyond the threshold in conditional sigmas, with their z', () => {
    // σ = 1% each; residuals (r − μ) = 0.5%, −4.5%, 3.9%, 8% with μ = 0.1%.
    const shocks = shockJumps([0.006, -0.044, 0.04, 0.081], [1e-4, 1e-4, 1e-4, 1e-4, 1e-4], { mu: 0.001 });
    expect(shocks.map((s) => s.index)).toEqual([1, 3]);
    expect(shocks[0]!.z).toBeCloseTo(-4.5, 12);
    expect(shocks[1]!.z).toBeCloseTo(8, 12);
    expect(shockJumps([0.03], [1e-4], { threshold: 2 })).toHaveLength(1);
    expect(() => shockJumps([0.01, 0.02], [1e-4])).toThrow(/a variance for each/);
  });
});

describe('bipowerJumpTest', () => {
  it('computes RV, BV and RJ by hand on a small window', () => {
    // |r| = 1, 2, 1, 2, … (×0.01), n = 10: RV = (5·1 + 5·4)e-4 = 25e-4;
    // Σ|rⱼ||rⱼ₋₁| = 9 products of 2e-4 = 18e-4, BV = (π/2)·(10/9)·18e-4 = π·10e-4.
    const returns = Array.from({ length: 10 }, (_, i) => (i % 2 ? 0.02 : -0.01));
    const test = bipowerJumpTest(returns);
    expect(test.realisedVariance).toBeCloseTo(25e-4, 16);
    expect(test.bipowerVariation).toBeCloseTo(Math.PI * 1e-3, 16);
    expect(test.relativeJump).toBeCloseTo(1 - (Math.PI * 10) / 25, 12);
    expect(test.jump).toBe(false);
  });

  it('sees no jump in 500 Gaussian returns, and a clear one when a 15σ move is added', () => {
    const rng = new Xoshiro128(4);
    const calm = Array.from({ length: 500 }, () => 0.01 * rng.nextNormal());
    const quiet = bipowerJumpTest(calm);
    expect(quiet.jump).toBe(false);
    expect(Math.abs(quiet.statistic)).toBeLessThan(3);
    const jumped = [...calm];
    jumped[250] = 0.15;
    const test = bipowerJumpTest(jumped);
    expect(test.jump).toBe(true);
    expect(test.pValue).toBeLessThan(1e-4);
    // Replacing r₂₅₀ changes RV by 0.15² − r₂₅₀² and BV only through its two neighbours' products.
    const old = Math.abs(calm[250]!);
    expect(test.realisedVariance).toBeCloseTo(quiet.realisedVariance + 0.15 ** 2 - old ** 2, 15);
    const bvChange = (Math.PI / 2) * (500 / 499) * (0.15 - old) * (Math.abs(calm[249]!) + Math.abs(calm[251]!));
    expect(test.bipowerVariation).toBeCloseTo(quiet.bipowerVariation + bvChange, 15);
  });

  it('needs at least 10 returns and some variance', () => {
    expect(() => bipowerJumpTest([0.01, 0.02])).toThrow(/at least 10/);
    expect(() => bipowerJumpTest(new Array(12).fill(0))).toThrow(/not all be zero/);
  });
});

describe('volRegimeSignal', () => {
  it('compares realised with implied vol, with a neutral band', () => {
    const rich = volRegimeSignal({ realisedVol: 0.66, impliedVol: 0.5 });
    expect(rich.regime).toBe('realised-above-implied');
    expect(rich.realisedOverImplied).toBeCloseTo(1.32, 15);
    expect(rich.varianceSpread).toBeCloseTo(0.66 ** 2 - 0.25, 15);
    expect(volRegimeSignal({ realisedVol: 0.42, impliedVol: 0.5 }).regime).toBe('realised-below-implied');
    expect(volRegimeSignal({ realisedVol: 0.53, impliedVol: 0.5 }).regime).toBe('neutral');
    expect(volRegimeSignal({ realisedVol: 0.53, impliedVol: 0.5, neutralBand: 0.05 }).regime).toBe('realised-above-implied');
    expect(volRegimeSignal({ realisedVol: 0.5, impliedVol: 0.5, jump: true }).jump).toBe(true);
    expect(() => volRegimeSignal({ realisedVol: 0.5, impliedVol: 0 })).toThrow(/impliedVol/);
  });
});
