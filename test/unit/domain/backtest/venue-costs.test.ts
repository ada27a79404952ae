/**
 * The venue cost models of the backtester (shared/domain/backtest/venue-costs.ts): the
 * pool model against Uniswap V2's own arithmetic, routing against the best single pool
 * and against brute force, the perp's fee and impact, the option venue's price, and the
 * funding premium's law.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  constantProductBuy,
  constantProductSell,
  deltaVenueOf,
  emptyFillCost,
  fillFundingRates,
  keepOf,
  optionVenueCash,
  poolLiquidity,
  poolReserves,
  routedVenue,
  singlePoolTrade,
  V2_FEE_PIPS,
  venueVol,
  type FundingModel,
  type OptionVenueModel,
  type PoolSpec,
} from '../../../../shared/domain/backtest/venue-costs.ts';
import { splitOrder } from '../../../../shared/domain/dispatch/split-order.ts';
import { v2AmountIn, v2AmountOut } from '../../../../shared/domain/market/uniswap-v2-math.ts';

const WAD = 10n ** 18n; // WETH raw units
const USDC = 10n ** 6n;

describe('the pool model', () => {
  it('a V2 pair: the amounts equal getAmountOut / getAmountIn on the same reserves, to the raw unit', () => {
    // 1,000 WETH and 3,000,000 USDC; sell 1 WETH, buy 1 WETH.
    const keep = keepOf(V2_FEE_PIPS);
    expect(keep).toBe(0.997);
    const out = constantProductSell(1, 1000, 3_000_000, keep);
    expect(out).toBeCloseTo((1 * 0.997 * 3_000_000) / (1000 + 0.997), 9); // 2,988.02 by hand: 2991/1.000997
    const rawOut = v2AmountOut(WAD, 1000n * WAD, 3_000_000n * USDC)!;
    expect(Math.abs(out * 1e6 - Number(rawOut))).toBeLessThan(1); // floor of the same rational
    const paid = constantProductBuy(1, 1000, 3_000_000, keep);
    expect(paid).toBeCloseTo((3_000_000 * 1) / (999 * 0.997), 9); // 3,012.04
    const rawIn = v2AmountIn(WAD, 3_000_000n * USDC, 1000n * WAD)!;
    expect(Number(rawIn) - paid * 1e6).toBeGreaterThan(0); // floor + 1
    expect(Number(rawIn) - paid * 1e6).toBeLessThanOrEqual(1);
    expect(constantProductBuy(1000, 1000, 3_000_000, keep)).toBe(Infinity); // not the whole reserve
    expect(v2AmountIn(1000n * WAD, 3_000_000n * USDC, 1000n * WAD)).toBeUndefined();
  });

  it('equals the V2 arithmetic on any reserves and amount (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }), // WETH reserve
        fc.integer({ min: 100, max: 100_000 }), // price
        fc.double({ min: 1e-4, max: 0.9, noNaN: true }), // order as a share of the reserve
        (reserve, price, share) => {
          const base = BigInt(reserve) * WAD;
          const quote = BigInt(reserve) * BigInt(price) * USDC;
          const amount = BigInt(Math.floor(share * reserve * 1e6)) * 10n ** 12n; // 6 decimals of WETH
          if (amount === 0n) return;
          const units = Number(amount) / 1e18;
          const keep = keepOf(V2_FEE_PIPS);
          const out = constantProductSell(units, reserve, reserve * price, keep) * 1e6;
          const rawOut = Number(v2AmountOut(amount, base, quote)!);
          expect(Math.abs(out - rawOut)).toBeLessThanOrEqual(1 + 1e-12 * rawOut);
          const paid = constantProductBuy(units, reserve, reserve * price, keep) * 1e6;
          const rawIn = Number(v2AmountIn(amount, quote, base)!);
          expect(Math.abs(paid - rawIn)).toBeLessThanOrEqual(1 + 1e-12 * rawIn);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sizes the pool from its depth at the start price and moves along its curve', () => {
    const L = poolLiquidity(1000, 3000);
    const at = poolReserves(L, 3000);
    expect(at.base).toBeCloseTo(1000, 9);
    expect(at.quote).toBeCloseTo(3_000_000, 3);
    const later = poolReserves(L, 3000 * 4); // the price ×4: half the units, twice the USD
    expect(later.base).toBeCloseTo(500, 9);
    expect(later.quote).toBeCloseTo(6_000_000, 3);
    expect(later.quote / later.base).toBeCloseTo(12_000, 6);
  });

  it('splits a trade into its fee and its price impact (a V3 0.05 % pool, by hand)', () => {
    const pool: PoolSpec = { version: 'v3', feePips: 500, depthUnits: 1000, gasUsd: 2 };
    const sell = singlePoolTrade(pool, 3000, 'sell', 10, 3000);
    const received = (3_000_000 * 10 * 0.9995) / (1000 + 10 * 0.9995);
    expect(sell.cash).toBeCloseTo(-received, 6);
    expect(sell.fee).toBeCloseTo(10 * 0.0005 * 3000, 9); // 15 USD
    expect(sell.impact).toBeCloseTo(10 * 0.9995 * 3000 - received, 6); // 296.73 USD: ≈ 1 % for 1 % of the pool
    expect(sell.fee + sell.impact).toBeCloseTo(30_000 + sell.cash, 6);
    expect(sell).toMatchObject({ filledUnits: 10, gas: 2, legs: 1 });
    const buy = singlePoolTrade(pool, 3000, 'buy', 10, 3000);
    const paid = (3_000_000 * 10) / (990 * 0.9995);
    expect(buy.cash).toBeCloseTo(paid, 6);
    expect(buy.fee).toBeCloseTo(paid * 0.0005, 9);
    expect(buy.fee + buy.impact).toBeCloseTo(paid - 30_000, 6);
  });
});

// ---- routing

const poolArb = fc.record({
  version: fc.constantFrom('v2' as const, 'v3' as const),
  tier: fc.constantFrom(100, 500, 3000, 10_000),
  depthUnits: fc.double({ min: 5, max: 50_000, noNaN: true }),
  gasUsd: fc.double({ min: 0, max: 20, noNaN: true }),
}).map(({ version, tier, depthUnits, gasUsd }): PoolSpec => ({ version, feePips: version === 'v2' ? V2_FEE_PIPS : tier, depthUnits, gasUsd }));

describe('routing across pools', () => {
  it('is never worse than the best single pool, gas included, and equals brute force on the ladder (property)', () => {
    fc.assert(
      fc.property(
        fc.array(poolArb, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('buy' as const, 'sell' as const),
        fc.double({ min: 0.01, max: 2000, noNaN: true }),
        fc.double({ min: 0.5, max: 2, noNaN: true }),
        (pools, slices, side, units, move) => {
          const start = 3000;
          const price = start * move;
          const routed = routedVenue(pools, slices, start);
          const out = emptyFillCost();
          routed.trade(side, units, price, out);
          const total = out.cash + out.gas;
          let anyAlone = false;
          for (const pool of pools) {
            const alone = singlePoolTrade(pool, start, side, units, price);
            if (alone.filledUnits === 0) continue;
            anyAlone = true;
            expect(out.filledUnits).toBeCloseTo(units, 9);
            expect(total).toBeLessThanOrEqual(alone.cash + alone.gas + 1e-9 * Math.abs(alone.cash));
          }
          if (anyAlone) expect(out.filledUnits).toBeCloseTo(units, 9);
          // Brute force over every allocation of the slices (small ladders only).
          if (slices <= 6 && pools.length <= 3 && out.filledUnits === units) {
            let best = Infinity;
            const walk = (v: number, left: number, cost: number): void => {
              if (v === pools.length) {
                if (left === 0) best = Math.min(best, cost);
                return;
              }
              for (let k = 0; k <= left; k++) {
                if (k === 0) {
                  walk(v + 1, left, cost);
                  continue;
                }
                const leg = singlePoolTrade(pools[v]!, start, side, k === slices ? units : (units * k) / slices, price);
                if (leg.filledUnits === 0) continue;
                walk(v + 1, left - k, cost + leg.cash + leg.gas);
              }
            };
            walk(0, slices, 0);
            expect(total).toBeCloseTo(best, 6);
          }
          // Cash and costs agree: |cash| = units·S ± (fees + impact).
          if (out.filledUnits > 0) expect(out.cash).toBeCloseTo((side === 'buy' ? 1 : -1) * out.filledUnits * price + out.fee + out.impact, 6);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('splits a large order across two equal pools half and half (by hand)', () => {
    // Two identical 0.3 % pools of 1,000 units: 100 units on one cost more than 50 on each.
    const pool: PoolSpec = { version: 'v3', feePips: 3000, depthUnits: 1000, gasUsd: 1 };
    const routed = routedVenue([pool, pool], 10, 100);
    const out = emptyFillCost();
    routed.trade('buy', 100, 100, out);
    const half = (100_000 * 50) / (950 * 0.997);
    expect(out.legs).toBe(2);
    expect(out.cash).toBeCloseTo(2 * half, 6);
    expect(out.gas).toBe(2);
    const one = singlePoolTrade(pool, 100, 'buy', 100, 100);
    expect(one.cash - out.cash).toBeGreaterThan(1); // 11,144.54 against 10,557.99 (and one more leg of gas)
    // A small order stays in one pool: a second leg would not save its gas.
    routed.trade('buy', 0.5, 100, out);
    expect(out.legs).toBe(1);
  });

  it('uses splitOrder itself: the legs are the split of the ladder it would be given', () => {
    const pools: PoolSpec[] = [
      { version: 'v3', feePips: 500, depthUnits: 800, gasUsd: 3 },
      { version: 'v3', feePips: 3000, depthUnits: 5000, gasUsd: 3 },
      { version: 'v2', feePips: V2_FEE_PIPS, depthUnits: 1500, gasUsd: 2 },
    ];
    const slices = 8;
    const units = 60;
    const ladders = pools.map((pool) => ({
      costs: Array.from({ length: slices + 1 }, (_, k) => (k === 0 ? 0 : singlePoolTrade(pool, 3000, 'sell', (units * k) / slices, 3000).cash)),
      gas: pool.gasUsd,
    }));
    const split = splitOrder({ slices, venues: ladders });
    const out = emptyFillCost();
    routedVenue(pools, slices, 3000).trade('sell', units, 3000, out);
    expect(out.legs).toBe(split.allocation.filter((k) => k > 0).length);
    expect(out.cash + out.gas).toBeCloseTo(split.totalCost, 6);
  });

  it('fills what the pools can when no combination fills it all (a partial fill)', () => {
    const pools: PoolSpec[] = [
      { version: 'v2', feePips: V2_FEE_PIPS, depthUnits: 10, gasUsd: 0 },
      { version: 'v3', feePips: 500, depthUnits: 10, gasUsd: 0 },
    ];
    const out = emptyFillCost();
    routedVenue(pools, 10, 100).trade('buy', 30, 100, out); // 20 units in all, and no pool gives its last unit
    expect(out.filledUnits).toBeCloseTo(18, 12); // 6 slices of 3 (9 units on each)
    expect(out.legs).toBe(2);
    const single = deltaVenueOf({ kind: 'uniswap-v3', id: 'p', pool: pools[1]! }, 100);
    single.trade('buy', 30, 100, out);
    expect(out.filledUnits).toBe(0); // one pool alone: production's quote fails, nothing is sent
  });
});

describe('the perp', () => {
  it('charges its fee ratio on the quote amount and the impact of its virtual pool (by hand)', () => {
    const perp = deltaVenueOf({ kind: 'perp-v2', id: 'perp', feeRatio: 0.001, depthUnits: 1000, gasUsd: 0.5, funding: { kind: 'constant', annualRate: 0 } }, 3000);
    const out = emptyFillCost();
    perp.trade('buy', 10, 3000, out);
    const quote = (3_000_000 * 10) / 990; // no pool fee: 30,303.03
    expect(out.impact).toBeCloseTo(quote - 30_000, 6);
    expect(out.fee).toBeCloseTo(0.001 * quote, 9);
    expect(out.cash).toBeCloseTo(quote * 1.001, 6);
    expect(out).toMatchObject({ filledUnits: 10, gas: 0.5, legs: 1 });
    perp.trade('sell', 10, 3000, out);
    const received = (3_000_000 * 10) / 1010;
    expect(out.cash).toBeCloseTo(-received * 0.999, 6);
    expect(out.impact).toBeCloseTo(30_000 - received, 6);
  });
});

describe('the option venue', () => {
  const lyra: OptionVenueModel = { kind: 'lyra-v1', id: 'lyra', baseVol: 0.6, skew: -0.2, premiumFee: 0.01, spotFee: 0.001, gasUsd: 1 };

  it("prices at base vol + skew·ln(K/S), floored at 0; the option's own vol without a base", () => {
    expect(venueVol(lyra, 0.5, 3000, 3000)).toBe(0.6);
    expect(venueVol(lyra, 0.5, 2700, 3000)).toBeCloseTo(0.6 - 0.2 * Math.log(0.9), 15); // a 10 % OTM put: +2.1 vol points
    const { baseVol: _base, ...noBase } = lyra;
    expect(venueVol(noBase, 0.5, 3000, 3000)).toBe(0.5);
    expect(venueVol({ ...lyra, skew: -10 }, 0.5, 30_000, 3000)).toBe(0);
  });

  it('a buy pays premium × (1 + premium fee) + spot fee; a sell receives the premium less the fees, never below 0', () => {
    expect(optionVenueCash({ ...lyra, spotFee: 0 }, true, 2, 150, 3000)).toEqual({ cash: 2 * 150 * 1.01, fee: 2 * 1.5 });
    const buy = optionVenueCash(lyra, true, 2, 150, 3000);
    expect(buy.cash).toBeCloseTo(2 * (150 * 1.01 + 3), 12);
    const sell = optionVenueCash(lyra, false, 2, 150, 3000);
    expect(sell.cash).toBeCloseTo(-2 * (150 * 0.99 - 3), 12);
    expect(sell.fee).toBeCloseTo(2 * 4.5, 12);
    expect(optionVenueCash(lyra, false, 2, 2, 3000)).toEqual({ cash: -0, fee: 4 }); // fees 3.02 > premium 2: receives nothing
  });
});

describe('the funding premium', () => {
  const years = Float64Array.from({ length: 366 }, (_, k) => k / 365);

  it('a constant rate is that rate at every instant', () => {
    const out = new Float64Array(years.length);
    fillFundingRates({ kind: 'constant', annualRate: -0.02 }, years, 1, 0, out);
    expect(out.every((f) => f === -0.02)).toBe(true);
  });

  it('the OU premium has its mean, its stationary std η/√(2κ) and its one-day autocorrelation e^{−κ/365}', () => {
    const model: FundingModel = { kind: 'meanReverting', mean: 0.1, start: 0.1, reversionPerYear: Math.LN2 / (7 / 365), volPerYear: 1 };
    const out = new Float64Array(years.length);
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    let lagged = 0;
    for (let p = 0; p < 400; p++) {
      fillFundingRates(model, years, 5, p, out);
      for (let k = 30; k < out.length; k++) {
        const x = out[k]! - 0.1;
        n++;
        sum += x;
        sumSq += x * x;
        lagged += x * (out[k - 1]! - 0.1);
      }
    }
    const kappa = model.reversionPerYear;
    const stationary = 1 / Math.sqrt(2 * kappa); // 0.118
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.sqrt(sumSq / n)).toBeCloseTo(stationary, 2);
    expect(lagged / sumSq).toBeCloseTo(Math.exp(-kappa / 365), 2);
  });

  it('is seeded per (seed, path), and vol 0 decays to the mean as e^{−κt}', () => {
    const model: FundingModel = { kind: 'meanReverting', mean: 0.05, start: 0.3, reversionPerYear: 10, volPerYear: 0.5 };
    const a = new Float64Array(years.length);
    const b = new Float64Array(years.length);
    fillFundingRates(model, years, 9, 3, a);
    fillFundingRates(model, years, 9, 3, b);
    expect(b).toEqual(a);
    fillFundingRates(model, years, 9, 4, b);
    expect(b).not.toEqual(a);
    fillFundingRates({ ...model, volPerYear: 0 }, years, 9, 3, a);
    expect(a[365]).toBeCloseTo(0.05 + 0.25 * Math.exp(-10), 12);
  });
});
