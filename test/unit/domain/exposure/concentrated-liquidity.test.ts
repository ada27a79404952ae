import { describe, expect, it } from 'vitest';
import { liquidityGreeks, liquidityRangeOf, MAX_TICK, type LiquidityRange } from '../../../../shared/domain/exposure/concentrated-liquidity.ts';
import { portfolioExposure } from '../../../../shared/domain/exposure/portfolio-exposure.ts';
import type { LiquidityPosition } from '../../../../shared/domain/exposure/positions.ts';

const range: LiquidityRange = { lowerPrice: 2500, upperPrice: 3600, liquidity: 1000 };
/** Central differences of the value: the Greeks must be the derivatives of the value they come with. */
const value = (price: number): number => liquidityGreeks(range, price).valueUsd;
const fdDelta = (p: number, h: number): number => (value(p + h) - value(p - h)) / (2 * h);
const fdGamma = (p: number, h: number): number => (value(p + h) - 2 * value(p) + value(p - h)) / (h * h);

describe('a concentrated-liquidity range', () => {
  it('inside the range: delta is the base held, gamma −L/(2P^1.5), both the derivatives of the value', () => {
    for (const p of [2600, 3000, 3500]) {
      const g = liquidityGreeks(range, p);
      expect(g.inRange).toBe(true);
      expect(g.delta).toBe(g.baseAmount);
      expect(g.gamma).toBeCloseTo(-1000 / (2 * p ** 1.5), 15);
      expect(fdDelta(p, 0.01)).toBeCloseTo(g.delta, 7);
      expect(fdGamma(p, 1) / g.gamma).toBeCloseTo(1, 5);
      // The amounts are the pool's: x = L(1/√P − 1/√Pb), y = L(√P − √Pa).
      expect(g.baseAmount).toBeCloseTo(1000 * (1 / Math.sqrt(p) - 1 / 60), 12);
      expect(g.quoteAmount).toBeCloseTo(1000 * (Math.sqrt(p) - 50), 9);
    }
  });

  it('below the range all base (delta constant, no gamma); above all quote (no delta)', () => {
    const below = liquidityGreeks(range, 2000);
    expect(below).toMatchObject({ inRange: false, gamma: 0, quoteAmount: 0 });
    expect(below.delta).toBeCloseTo(1000 * (1 / 50 - 1 / 60), 12);
    expect(fdDelta(2000, 0.01)).toBeCloseTo(below.delta, 8);
    const above = liquidityGreeks(range, 4000);
    expect(above).toMatchObject({ inRange: false, delta: 0, gamma: 0, baseAmount: 0 });
    expect(above.valueUsd).toBeCloseTo(1000 * (60 - 50), 9);
  });

  it('is continuous at both edges, in value and in delta', () => {
    for (const edge of [2500, 3600]) {
      const eps = edge * 1e-9;
      expect(liquidityGreeks(range, edge - eps).valueUsd).toBeCloseTo(liquidityGreeks(range, edge + eps).valueUsd, 4);
      expect(liquidityGreeks(range, edge - eps).delta).toBeCloseTo(liquidityGreeks(range, edge + eps).delta, 6);
    }
  });

  it('reads a pool position the same whichever token is the base: ticks, decimals and L', () => {
    // WETH (18) / USDC (6); the range 2500–3600 USDC per WETH in ticks of each token order.
    const tickOf = (rawPrice: number): number => Math.round(Math.log(rawPrice) / Math.log(1.0001));
    const wethToken0 = liquidityRangeOf({ tickLower: tickOf(2500e-12), tickUpper: tickOf(3600e-12), liquidity: '1000000000000000', baseIsToken0: true, baseDecimals: 18, quoteDecimals: 6 });
    const wethToken1 = liquidityRangeOf({ tickLower: tickOf(1e12 / 3600), tickUpper: tickOf(1e12 / 2500), liquidity: '1000000000000000', baseIsToken0: false, baseDecimals: 18, quoteDecimals: 6 });
    for (const r of [wethToken0, wethToken1]) {
      expect(r.lowerPrice / 2500).toBeCloseTo(1, 4); // a tick is 1 bp
      expect(r.upperPrice / 3600).toBeCloseTo(1, 4);
      expect(r.liquidity).toBeCloseTo(1e15 / 1e12, 9); // L / 10^((18+6)/2)
    }
  });

  it('refuses what the pool cannot hold', () => {
    const ok = { tickLower: -100, tickUpper: 100, liquidity: '1', baseIsToken0: true, baseDecimals: 18, quoteDecimals: 6 };
    expect(() => liquidityRangeOf({ ...ok, tickUpper: -100 })).toThrow(/tickLower < tickUpper/);
    expect(() => liquidityRangeOf({ ...ok, tickUpper: MAX_TICK + 1 })).toThrow(/tickUpper/);
    expect(() => liquidityRangeOf({ ...ok, liquidity: '0' })).toThrow(/liquidity/);
    expect(() => liquidityRangeOf({ ...ok, liquidity: (2n ** 128n).toString() })).toThrow(/2\^128/);
    expect(() => liquidityGreeks(range, 0)).toThrow(/price/);
  });

  it('adds its delta and short gamma to the book’s exposure, scaled by quantity', () => {
    const tickOf = (rawPrice: number): number => Math.round(Math.log(rawPrice) / Math.log(1.0001));
    const lp: LiquidityPosition = {
      id: 'lp-1',
      underlying: 'ETH',
      quantity: 2,
      kind: 'uniswap-v3-liquidity',
      pool: '0x0000000000000000000000000000000000000001',
      tickLower: tickOf(2500e-12),
      tickUpper: tickOf(3600e-12),
      liquidity: '1000000000000000',
      baseIsToken0: true,
      baseDecimals: 18,
      quoteDecimals: 6,
    };
    const [eth] = portfolioExposure([lp, { id: 'h', underlying: 'ETH', kind: 'perp', quantity: -1 }], { ETH: { spot: 3000, vol: 0.6, rate: 0, yield: 0 } }, 0);
    const one = liquidityGreeks(liquidityRangeOf(lp), 3000);
    expect(eth!.delta).toBeCloseTo(2 * one.delta - 1, 12);
    expect(eth!.gamma).toBeCloseTo(2 * one.gamma, 15);
    expect(eth!.vegaPerUnitVol).toBe(0);
    expect(eth!.optionValueUsd).toBe(0);
  });
});
