/**
 * The backtest config (shared/contracts/backtest-config.ts) as the backtester reads it:
 * the step fitted to the cadence, the config written back as input, and problems said
 * in the user's terms.
 */
import { describe, expect, it } from 'vitest';
import {
  BacktestConfigError,
  BacktestConfigSchema,
  backtestSpecFromConfig,
  configAsInput,
  describeConfigProblems,
  everyStepCadenceMs,
  fitStepToCadence,
  formatConfigPath,
  type BacktestConfigInput,
} from '../../../../shared/contracts/backtest-config.ts';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_WEEK } from '../../../../shared/domain/backtest/durations.ts';

const HULL: BacktestConfigInput = {
  market: { model: 'gbm', spot: 49, drift: 0.13, vol: 0.2, rate: 0.05 },
  book: [{ type: 'call', strike: 50, maturity: '20w', quantity: -100_000 }],
  policy: { underlying: 'X', cadence: { everyMs: MS_PER_WEEK } },
  simulation: { step: '1w' },
};

const problemsOf = (raw: unknown): string[] => {
  const parsed = BacktestConfigSchema.safeParse(raw);
  if (parsed.success) return [];
  return describeConfigProblems(parsed.error, raw).map((p) => `${formatConfigPath(p.path)}${p.missing ? ' ' : ': '}${p.message}`);
};

describe('fitStepToCadence', () => {
  it('refines a step coarser than the cadence, and says from what to what', () => {
    const config = BacktestConfigSchema.parse({ ...HULL, policy: { underlying: 'X', cadence: { everyMs: MS_PER_WEEK / 4 } } });
    const { config: fitted, refinement } = fitStepToCadence(config);
    expect(refinement).toEqual({ fromMs: MS_PER_WEEK, asked: 'step', toMs: MS_PER_WEEK / 4, cadenceMs: MS_PER_WEEK / 4 });
    expect(fitted.simulation.step).toBe(MS_PER_WEEK / 4);
    expect(fitStepToCadence(fitted).refinement).toBeUndefined(); // idempotent
    expect(backtestSpecFromConfig(config).grid).toEqual({ stepMs: MS_PER_WEEK / 4 }); // the spec is refined too
  });

  it('refines equal steps and the default grid, and leaves an honoured cadence alone', () => {
    const steps = BacktestConfigSchema.parse({ ...HULL, simulation: { steps: 7 } });
    expect(fitStepToCadence(steps).refinement?.asked).toBe('steps');
    expect(fitStepToCadence(steps).config.simulation.steps).toBeUndefined();
    // A band with a 2-day cadence over 20 weeks: 100 steps of 1.4 d would hedge every 2.8 d.
    const banded = BacktestConfigSchema.parse({ ...HULL, policy: { underlying: 'X', band: { unit: 'units', trigger: 1000 }, cadence: { everyMs: 2 * MS_PER_DAY } }, simulation: {} });
    expect(fitStepToCadence(banded).refinement).toMatchObject({ asked: 'default', toMs: MS_PER_DAY });
    expect(fitStepToCadence(BacktestConfigSchema.parse(HULL)).refinement).toBeUndefined();
  });

  it('refuses a replay cadence finer than its rows', () => {
    const config = BacktestConfigSchema.parse({ ...HULL, market: { model: 'replay', csv: 'x.csv' }, policy: { underlying: 'X', cadence: { everyMs: MS_PER_HOUR } }, simulation: {} });
    const series = { timesMs: [0, MS_PER_DAY, 2 * MS_PER_DAY], prices: [100, 101, 102] };
    expect(() => fitStepToCadence(config, series)).toThrow(BacktestConfigError);
    expect(() => fitStepToCadence(config, series)).toThrow(/a cadence of 1h is finer than the replayed series, whose rows are 1d or more apart/);
    expect(everyStepCadenceMs(config, series)).toBe(MS_PER_DAY);
  });

  it('refuses a replay with zero realised vol and no implied vol', () => {
    const config = BacktestConfigSchema.parse({ ...HULL, market: { model: 'replay', csv: 'flat.csv' }, policy: { underlying: 'X', band: { unit: 'units', trigger: 1 } }, simulation: {} });
    const flat = { timesMs: [0, MS_PER_DAY], prices: [100, 100] };
    expect(() => backtestSpecFromConfig(config, flat)).toThrow(/flat\.csv: the series has zero realised vol .*--implied-vol/);
    const priced = BacktestConfigSchema.parse({ ...HULL, market: { model: 'replay', csv: 'flat.csv', impliedVol: 0.3 }, policy: { underlying: 'X', band: { unit: 'units', trigger: 1 } }, simulation: {} });
    expect(backtestSpecFromConfig(priced, flat).pricingVol).toBe(0.3);
  });
});

describe('configAsInput', () => {
  it('writes durations as text, so that the config reads back as itself', () => {
    const config = BacktestConfigSchema.parse({ ...HULL, simulation: { step: '0.25w', horizon: '19w', paths: 7 } });
    const input = configAsInput(config);
    expect(input.book[0]!.maturity).toBe('20w');
    expect(input.simulation).toMatchObject({ step: '1.75d', horizon: '19w', paths: 7 });
    expect(BacktestConfigSchema.parse(JSON.parse(JSON.stringify(input)))).toEqual(config);
  });
});

describe('problems in the user terms', () => {
  it('a missing section says it is missing, not what its fields should be', () => {
    const { book: _book, ...noBook } = HULL;
    expect(problemsOf(noBook)).toEqual(['book is missing: a list of options, e.g. [{"type": "call", "strike": 50, "maturity": "20w", "quantity": -100000}]']);
    expect(problemsOf({ ...HULL, market: {} })).toEqual(['market.model is missing (one of "gbm", "merton", "replay")']);
  });

  it('an unknown field names its section and the section fields', () => {
    expect(problemsOf({ ...HULL, costs: { feeBsp: 1 } })).toEqual(['costs: unknown field(s): feeBsp (it has: feeBps, slippage, gasUsd)']);
    expect(problemsOf({ ...HULL, market: { ...HULL.market, jumps: 1 } })[0]).toBe('market: unknown field(s): jumps (it has: model, spot, drift, vol, rate, yield, impliedVol, fundingRate)');
    expect(problemsOf({ ...HULL, market: { model: 'replay', csv: 'x', spot: 1 } })[0]).toMatch(/^market: unknown field\(s\): spot \(it has: model, csv, column,/);
    expect(problemsOf({ ...HULL, book: [{ ...HULL.book[0], strik: 1 }] })).toContain('book[0]: unknown field(s): strik (it has: id, type, strike, maturity, quantity, vol)');
  });

  it('ranges the pricing code would reject mid-run are found up front, on the field to blame', () => {
    expect(problemsOf({ ...HULL, book: [{ ...HULL.book[0], maturity: 5000 }] })[0]).toMatch(/^book\[0\]\.maturity: 5000y is too long at rate 0\.05: rate × maturity = 250/);
    expect(problemsOf({ ...HULL, market: { ...HULL.market, spot: 1e200 } })).toEqual(['market.spot: must be at most 1e+150']);
    expect(problemsOf({ ...HULL, market: { ...HULL.market, rate: 0 }, simulation: { horizon: 1e5 } })[0]).toMatch(/^simulation\.horizon: over 100000y the GBM prices would leave/);
    expect(problemsOf({ ...HULL, book: [{ ...HULL.book[0], maturity: 0 }] })).toEqual(['book[0].maturity: must be > 0 (got "0")']);
  });
});
