import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/domain/errors.ts';
import { portfolioExposure } from '../../../../shared/domain/exposure/portfolio-exposure.ts';
import { MS_PER_YEAR, type MarketSnapshot, type Position } from '../../../../shared/domain/exposure/positions.ts';
import { bsmGreeks } from '../../../../shared/domain/pricing/black-scholes-merton.ts';

const NOW = Date.UTC(2026, 10, 26);
const DAY = 86_400_000;
const market: MarketSnapshot = {
  ETH: { spot: 3000, vol: 0.6, rate: 0.04, yield: 0.01 },
  BTC: { spot: 90000, vol: 0.5, rate: 0.04, yield: 0 },
};
const callEth = (id: string, quantity: number, days: number, strike = 3200, vol?: number): Position => ({
  kind: 'option',
  id,
  underlying: 'ETH',
  optionType: 'call',
  strike,
  expiryMs: NOW + days * DAY,
  quantity,
  ...(vol === undefined ? {} : { vol }),
});

describe('portfolio exposure', () => {
  it('sums quantity-weighted option Greeks per underlying, in units and USD', () => {
    const positions: Position[] = [callEth('a', -10, 30), callEth('b', 4, 30), callEth('c', 2, 90, 2800, 0.7)];
    const [eth] = portfolioExposure(positions, market, NOW);
    const one = (days: number, strike: number, vol: number) =>
      bsmGreeks({ type: 'call', spot: 3000, strike, maturity: (days * DAY) / MS_PER_YEAR, vol, rate: 0.04, yield: 0.01 });
    const g30 = one(30, 3200, 0.6);
    const g90 = one(90, 2800, 0.7);
    const delta = -6 * g30.delta + 2 * g90.delta;
    expect(eth!.delta).toBeCloseTo(delta, 12);
    expect(eth!.gamma).toBeCloseTo(-6 * g30.gamma + 2 * g90.gamma, 12);
    expect(eth!.vegaPerUnitVol).toBeCloseTo(-6 * g30.vegaPerUnitVol + 2 * g90.vegaPerUnitVol, 9);
    expect(eth!.thetaPerYear).toBeCloseTo(-6 * g30.thetaPerYear + 2 * g90.thetaPerYear, 9);
    expect(eth!.optionValueUsd).toBeCloseTo(-6 * g30.price + 2 * g90.price, 9);
    expect(eth!.dollarDelta).toBeCloseTo(delta * 3000, 9);
    expect(eth!.deltaUsdPerPct).toBeCloseTo(delta * 30, 9);
    expect(eth!.gammaUsdPerPct).toBeCloseTo(0.5 * eth!.gamma * 30 * 30, 9);
    expect(eth!.vegaPerVolPoint).toBeCloseTo(eth!.vegaPerUnitVol / 100, 12);
    expect(eth!.thetaPerDay).toBeCloseTo(eth!.thetaPerYear / 365, 12);
    expect(eth!.byExpiry.map((b) => b.expiryMs)).toEqual([NOW + 30 * DAY, NOW + 90 * DAY]);
    expect(eth!.byExpiry[0]!.delta).toBeCloseTo(-6 * g30.delta, 12);
    expect(eth!.byExpiry[1]!.yearsToExpiry).toBeCloseTo(90 / 365, 15);
    expect(eth!.optionNotionalUsd).toBe((10 + 4 + 2) * 3000);
    expect(eth!.nearestExpiryYears).toBeCloseTo(30 / 365, 15);
  });

  it('adds linear positions: spot and perps delta one, futures e^{(r−q)τ}', () => {
    const positions: Position[] = [
      { kind: 'spot', id: 's', underlying: 'BTC', quantity: 1.5 },
      { kind: 'perp', id: 'p', underlying: 'BTC', quantity: -0.5 },
      { kind: 'future', id: 'f', underlying: 'BTC', quantity: 2, expiryMs: NOW + 365 * DAY },
    ];
    const [btc] = portfolioExposure(positions, market, NOW);
    expect(btc!.delta).toBeCloseTo(1 + 2 * Math.exp(0.04), 12);
    expect(btc!.gamma).toBe(0);
    expect(btc!.positionCount).toBe(3);
    expect(btc!.byExpiry).toHaveLength(1);
    expect(btc!.optionNotionalUsd).toBe(0);
    expect(btc!.nearestExpiryYears).toBe(0);
  });

  it('keeps underlyings apart and sorted', () => {
    const result = portfolioExposure([{ kind: 'perp', id: 'p', underlying: 'ETH', quantity: 1 }, { kind: 'spot', id: 's', underlying: 'BTC', quantity: 1 }], market, NOW);
    expect(result.map((e) => e.underlying)).toEqual(['BTC', 'ETH']);
  });

  it('lists expired options apart with their settlement value, and takes no risk from them', () => {
    const positions: Position[] = [callEth('live', -1, 10), callEth('gone', -3, -1, 2500), callEth('now', 2, 0, 2900)];
    const [eth] = portfolioExposure(positions, market, NOW);
    expect(eth!.expired).toEqual([
      { id: 'gone', expiryMs: NOW - DAY, settlementValueUsd: -3 * 500 },
      { id: 'now', expiryMs: NOW, settlementValueUsd: 2 * 100 },
    ]);
    const live = bsmGreeks({ type: 'call', spot: 3000, strike: 3200, maturity: (10 * DAY) / MS_PER_YEAR, vol: 0.6, rate: 0.04, yield: 0.01 });
    expect(eth!.delta).toBeCloseTo(-live.delta, 12);
    expect(eth!.positionCount).toBe(3);
  });

  it('handles a 20,000-option book through the batch kernel', () => {
    const positions: Position[] = Array.from({ length: 20_000 }, (_, i) => callEth(`o${i}`, i % 2 === 0 ? 1 : -1, 1 + (i % 180), 2000 + (i % 50) * 40));
    const [eth] = portfolioExposure(positions, market, NOW);
    expect(eth!.positionCount).toBe(20_000);
    expect(Number.isFinite(eth!.delta)).toBe(true);
    expect(eth!.byExpiry).toHaveLength(180);
  });

  it('rejects bad positions and markets by path, before computing anything', () => {
    expect(() => portfolioExposure([{ kind: 'perp', id: 'p', underlying: 'SOL', quantity: 1 }], market, NOW)).toThrow(
      new InvalidInputError('positions[0].underlying', 'SOL', 'has no market data in the snapshot'),
    );
    expect(() => portfolioExposure([callEth('x', Number.NaN, 5)], market, NOW)).toThrow('positions[0].quantity must be a finite number (got NaN)');
    expect(() => portfolioExposure([{ ...callEth('x', 1, 5), strike: -1 } as Position], market, NOW)).toThrow('positions[0].strike must be > 0');
    expect(() => portfolioExposure([], { ETH: { spot: 0, vol: 0.5, rate: 0, yield: 0 } }, NOW)).toThrow('market.ETH.spot must be > 0');
    expect(() => portfolioExposure([{ kind: 'swap', id: 'x', underlying: 'ETH', quantity: 1 } as unknown as Position], market, NOW)).toThrow('positions[0].kind must be');
  });
});
