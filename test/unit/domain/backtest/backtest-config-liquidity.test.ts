/**
 * Liquidity positions in the backtest config's book: what the one schema accepts (a range
 * as prices or as the live position's ticks, a size as liquidity, USD or units, an
 * optional fee tier and fee APR), the spec it gives, and every mistake named by its field.
 */
import { describe, expect, it } from 'vitest';
import { BacktestConfigSchema, backtestSpecFromConfig, configAsInput, describeConfigProblems, formatConfigPath, type BacktestConfigInput } from '../../../../shared/contracts/backtest-config.ts';
import { MS_PER_DAY } from '../../../../shared/domain/backtest/durations.ts';
import { liquidityRangeOf } from '../../../../shared/domain/exposure/concentrated-liquidity.ts';

const LP = { type: 'uniswap-v3-liquidity', lowerPrice: 2500, upperPrice: 3600, valueUsd: 1_000_000 } as const;

const CONFIG: BacktestConfigInput = {
  market: { model: 'gbm', spot: 3000, vol: 0.7 },
  book: [LP],
  policy: { underlying: 'ETH', band: { unit: 'units', trigger: 5 } },
  simulation: { step: '1h', horizon: '30d', paths: 10 },
};

const problemsOf = (raw: unknown): string[] => {
  const parsed = BacktestConfigSchema.safeParse(raw);
  if (parsed.success) return [];
  return describeConfigProblems(parsed.error, raw).map((p) => `${formatConfigPath(p.path)}${p.missing ? ' ' : ': '}${p.message}`);
};

const withLp = (fields: Record<string, unknown>, drop: readonly string[] = []): unknown => {
  const lp: Record<string, unknown> = { ...LP, ...fields };
  for (const key of drop) delete lp[key];
  return { ...CONFIG, book: [lp] };
};

describe('the backtest config: liquidity positions in the book', () => {
  it('a range in prices sized in USD: the spec holds it apart from the options, ids by book position', () => {
    const config = BacktestConfigSchema.parse({ ...CONFIG, book: [{ type: 'call', strike: 3000, maturity: '20d', quantity: -10 }, { ...LP, feeApr: 0.3, fee: 500 }] });
    const spec = backtestSpecFromConfig(config);
    expect(spec.book.map((o) => o.id)).toEqual(['option-1']);
    expect(spec.liquidity).toEqual([{ id: 'liquidity-2', lowerPrice: 2500, upperPrice: 3600, size: { valueUsd: 1_000_000 }, feeApr: 0.3 }]);
    expect(spec.horizonMs).toBe(30 * MS_PER_DAY);
    // Written back as input, it reads as itself.
    expect(BacktestConfigSchema.parse(JSON.parse(JSON.stringify(configAsInput(config))))).toEqual(config);
  });

  it('sizes in units or liquidity; an options-free book needs its horizon, and the options still set the default one', () => {
    expect(backtestSpecFromConfig(BacktestConfigSchema.parse(withLp({ units: 300 }, ['valueUsd']))).liquidity![0]!.size).toEqual({ units: 300 });
    expect(backtestSpecFromConfig(BacktestConfigSchema.parse(withLp({ liquidity: 104_765.5 }, ['valueUsd']))).liquidity![0]!.size).toEqual({ liquidity: 104_765.5 });
    const mixed = BacktestConfigSchema.parse({ ...CONFIG, book: [LP, { type: 'put', strike: 2800, maturity: '14d', quantity: 5 }], simulation: { step: '1h', paths: 10 } });
    expect(backtestSpecFromConfig(mixed).grid).toEqual({ stepMs: 3_600_000 });
    expect(backtestSpecFromConfig(mixed).horizonMs).toBeUndefined(); // the put's expiry ends the run
  });

  it('ticks as the live position: the pool’s raw liquidity and decimals give the same range and L as liquidityRangeOf', () => {
    // WETH/USDC: token0 USDC (6 decimals), token1 WETH (18): the base is token1.
    const pool = { tickLower: 193_380, tickUpper: 197_020, liquidity: '25000000000000000', baseIsToken0: false, baseDecimals: 18, quoteDecimals: 6 };
    const { liquidity: raw, ...ticks } = pool;
    const spec = backtestSpecFromConfig(BacktestConfigSchema.parse(withLp({ ...ticks, liquidity: raw, fee: 500 }, ['lowerPrice', 'upperPrice', 'valueUsd'])));
    const live = liquidityRangeOf(pool);
    const lp = spec.liquidity![0]!;
    expect(lp.lowerPrice).toBeCloseTo(live.lowerPrice, 9);
    expect(lp.upperPrice).toBeCloseTo(live.upperPrice, 9);
    expect(live.lowerPrice).toBeGreaterThan(2000); // about 2,750–3,950 USD per ETH
    expect(live.upperPrice).toBeLessThan(5000);
    expect('liquidity' in lp.size && lp.size.liquidity).toBeCloseTo(live.liquidity, 9);
    // Without decimals, 1.0001^tick is the price itself.
    const plain = backtestSpecFromConfig(BacktestConfigSchema.parse(withLp({ tickLower: 78_240, tickUpper: 81_900 }, ['lowerPrice', 'upperPrice']))).liquidity![0]!;
    expect(plain.lowerPrice).toBeCloseTo(1.0001 ** 78_240, 9);
    expect(plain.upperPrice).toBeCloseTo(1.0001 ** 81_900, 9);
  });

  it.each([
    [withLp({ tickLower: 100, tickUpper: 200 }), 'book[0].tickLower: give the range as prices (lowerPrice, upperPrice) or as ticks (tickLower, tickUpper), not both'],
    [withLp({}, ['lowerPrice', 'upperPrice']), 'book[0]: needs a range: lowerPrice and upperPrice (USD per unit of the underlying), or tickLower and tickUpper'],
    [withLp({}, ['upperPrice']), 'book[0].upperPrice: is missing: the range needs both lowerPrice and upperPrice'],
    [withLp({ upperPrice: 2500 }), 'book[0].upperPrice: must be above lowerPrice (2500)'],
    [withLp({ tickLower: 200, tickUpper: 100 }, ['lowerPrice', 'upperPrice']), 'book[0].tickUpper: must be above tickLower (200)'],
    [withLp({ tickLower: 100, tickUpper: 600, fee: 3000 }, ['lowerPrice', 'upperPrice']), 'book[0].tickLower: 100 is not a multiple of 60, the tick spacing of the 0.3 % fee tier: the pool has no such tick'],
    [withLp({ tickLower: -900_000, tickUpper: 600 }, ['lowerPrice', 'upperPrice']), 'book[0].tickLower: must be at least -887272'],
    [withLp({ baseDecimals: 18 }), 'book[0].baseDecimals: is only used with a range in ticks (tickLower, tickUpper): a range in prices is already USD per unit'],
    [withLp({ units: 3 }), 'book[0].units: and valueUsd both size the position: give one'],
    [withLp({}, ['valueUsd']), 'book[0]: needs a size: liquidity, valueUsd (its value at the start price) or units (that value in units of the underlying)'],
    [withLp({ valueUsd: -5 }), 'book[0].valueUsd: must be > 0'],
    [withLp({ liquidity: '340282366920938463463374607431768211456' }, ['valueUsd']), 'book[0].liquidity: must be 0 < liquidity < 2^128 (the pool’s uint128)'],
    [withLp({ feeApr: 15 }), 'book[0].feeApr: must be at most 10 (1,000 % a year): it is a fraction, 0.15 = 15 %'],
    [withLp({ fee: 0.3 }), 'book[0].fee: must be an integer (hundredths of a basis point: 500 = 0.05 %)'],
    [withLp({ type: 'lp' }), 'book[0].type: expected "call", "put" or "uniswap-v3-liquidity"'],
    [{ ...CONFIG, simulation: { step: '1h' } }, 'simulation.horizon: must be given: a book of liquidity positions only has no expiry to end the run at (e.g. "horizon": "30d")'],
  ])('refuses %j naming the field', (raw, message) => {
    expect(problemsOf(raw)).toEqual([message]);
  });

  it('an unknown field lists the liquidity position’s fields (an option’s, its own)', () => {
    expect(problemsOf(withLp({ strike: 3000 }))).toEqual([
      'book[0]: unknown field(s): strike (it has: type, id, fee, lowerPrice, upperPrice, tickLower, tickUpper, baseIsToken0, baseDecimals, quoteDecimals, liquidity, valueUsd, units, feeApr)',
    ]);
    expect(problemsOf({ ...CONFIG, book: [{ type: 'call', strike: 3000, maturity: '20d', quantity: -10, lowerPrice: 1 }] })).toEqual(['book[0]: unknown field(s): lowerPrice (it has: id, type, strike, maturity, quantity, vol)']);
  });
});
