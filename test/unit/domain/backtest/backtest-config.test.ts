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
    expect(input.book[0]).toMatchObject({ maturity: '20w' });
    expect(input.simulation).toMatchObject({ step: '1.75d', horizon: '19w', paths: 7 });
    expect(BacktestConfigSchema.parse(JSON.parse(JSON.stringify(input)))).toEqual(config);
  });
});

describe('problems in the user terms', () => {
  it('a missing section says it is missing, not what its fields should be', () => {
    const { book: _book, ...noBook } = HULL;
    expect(problemsOf(noBook)).toEqual(['book is missing: a list of options, e.g. [{"type": "call", "strike": 50, "maturity": "20w", "quantity": -100000}]']);
    expect(problemsOf({ ...HULL, market: {} })).toEqual(['market.model is missing (one of "gbm", "merton", "garch", "replay")']);
  });

  it('an unknown field names its section and the section fields', () => {
    expect(problemsOf({ ...HULL, costs: { feeBsp: 1 } })).toEqual(['costs: unknown field(s): feeBsp (it has: feeBps, slippage, gasUsd)']);
    expect(problemsOf({ ...HULL, market: { ...HULL.market, jumps: 1 } })[0]).toBe('market: unknown field(s): jumps (it has: model, spot, drift, vol, rate, yield, impliedVol, fundingRate, hedgeWith)');
    expect(problemsOf({ ...HULL, market: { model: 'replay', csv: 'x', drift: 1 }, simulation: {} })).toEqual(['market: unknown field(s): drift (it has: model, csv, column, windows, bootstrap, spot, rate, yield, impliedVol, fundingRate, hedgeWith)']);
    expect(problemsOf({ ...HULL, book: [{ ...HULL.book[0], strik: 1 }] })).toContain('book[0]: unknown field(s): strik (it has: id, type, strike, maturity, quantity, vol)');
  });

  it('accepts insurance and the crash breaker, and refuses runaway protection, which a simulation could never trip', () => {
    const crashBreaker = { moveSigmas: 4, windowMs: 600_000, calmMs: 1_800_000, plan: { kind: 'hold' } };
    expect(problemsOf({ ...HULL, policy: { ...HULL.policy, crashBreaker } })).toEqual([]);
    expect(problemsOf({ ...HULL, policy: { ...HULL.policy, runaway: { maxIneffectiveHedges: 3, minEffectFraction: 0.5 } } })).toEqual([
      'policy.runaway: is not simulated: runaway protection compares the chain with the records, and in a backtest every fill is recorded as it happens (it could never trip); remove it to backtest the rest of the policy',
    ]);
    const insurance = { method: 'cppi', capitalUsd: 100_000, floor: { kind: 'share-of-start', share: 0.8 }, multiplier: 4, band: 0.05 };
    expect(problemsOf({ ...HULL, book: [], policy: { underlying: 'X', insurance }, simulation: { step: '1d', horizon: '90d' } })).toEqual([]);
  });

  it('ranges the pricing code would reject mid-run are found up front, on the field to blame', () => {
    expect(problemsOf({ ...HULL, book: [{ ...HULL.book[0], maturity: 5000 }] })[0]).toMatch(/^book\[0\]\.maturity: 5000y is too long at rate 0\.05: rate × maturity = 250/);
    expect(problemsOf({ ...HULL, market: { ...HULL.market, spot: 1e200 } })).toEqual(['market.spot: must be at most 1e+150']);
    expect(problemsOf({ ...HULL, market: { ...HULL.market, rate: 0 }, simulation: { horizon: 1e5 } })[0]).toMatch(/^simulation\.horizon: over 100000y the GBM prices would leave/);
    expect(problemsOf({ ...HULL, book: [{ ...HULL.book[0], maturity: 0 }] })).toEqual(['book[0].maturity: must be > 0 (got "0")']);
  });
});

describe('venues', () => {
  const ETH: BacktestConfigInput = {
    market: { model: 'gbm', spot: 3000, vol: 0.6, rate: 0.04 },
    book: [{ type: 'call', strike: 3000, maturity: '30d', quantity: -100 }],
    policy: { underlying: 'ETH', band: { unit: 'units', trigger: 5 } },
    venues: {
      use: 'routed',
      sets: {
        routed: {
          hedgeInstrument: 'spot',
          venues: [
            { kind: 'uniswap-routed', pools: [{ version: 'v3', fee: 500, depth: 2000, gasUsd: 2 }, { version: 'v2', depth: 1000 }] },
            { kind: 'lyra-v1', baseVol: 0.65, skew: -0.1, premiumFee: 0.01, spotFee: 0.001 },
          ],
        },
        perp: { venues: [{ kind: 'perp-v2', depth: 5000, funding: { model: 'meanReverting', mean: 0.1, halfLife: '7d', vol: 1 } }] },
        'one-pool': { venues: [{ kind: 'uniswap-v3', fee: 3000, depth: 4000 }] },
      },
    },
    simulation: { step: '4h' },
  };
  type Sets = NonNullable<BacktestConfigInput['venues']>['sets'];
  const withVenues = (use: string | undefined, sets: Sets = ETH.venues!.sets): BacktestConfigInput => ({ ...ETH, venues: { ...(use === undefined ? {} : { use }), sets } });

  it('maps the set the run uses to the domain: the first venue of each instrument, fees in pips, funding in years', () => {
    const spec = backtestSpecFromConfig(BacktestConfigSchema.parse(ETH));
    expect(spec.policy.hedgeInstrument).toBe('spot'); // the set's delta instrument
    expect(spec.venues).toEqual({
      name: 'routed',
      spot: {
        kind: 'uniswap-routed',
        id: 'uniswap-routed',
        slices: 10,
        pools: [
          { version: 'v3', feePips: 500, depthUnits: 2000, gasUsd: 2 },
          { version: 'v2', feePips: 3000, depthUnits: 1000, gasUsd: 0 },
        ],
      },
      option: { kind: 'lyra-v1', id: 'lyra-v1', baseVol: 0.65, skew: -0.1, premiumFee: 0.01, spotFee: 0.001, gasUsd: 0 },
    });
    const perp = backtestSpecFromConfig(BacktestConfigSchema.parse(withVenues('perp'))).venues!.perp!;
    expect(perp.feeRatio).toBe(0.001); // Perp v2's default exchange fee
    expect(perp.funding).toEqual({ kind: 'meanReverting', mean: 0.1, start: 0.1, reversionPerYear: Math.LN2 / (7 / 365), volPerYear: 1 });
    // Without a funding model: constant at the market's funding rate (r − q unless given).
    const sets = { perp: { venues: [{ kind: 'perp-v2' as const, depth: 5000 }] } };
    expect(backtestSpecFromConfig(BacktestConfigSchema.parse(withVenues(undefined, sets))).venues!.perp!.funding).toEqual({ kind: 'constant', annualRate: 0.04 });
    expect(backtestSpecFromConfig(BacktestConfigSchema.parse({ ...withVenues(undefined, sets), market: { ...ETH.market, fundingRate: 0.12 } })).venues!.perp!.funding).toEqual({ kind: 'constant', annualRate: 0.12 });
  });

  it('writes the venues back as input that reads back as itself', () => {
    const config = BacktestConfigSchema.parse(withVenues('perp'));
    const input = configAsInput(config);
    expect(JSON.stringify(input)).toContain('"halfLife":"1w"');
    expect(BacktestConfigSchema.parse(JSON.parse(JSON.stringify(input)))).toEqual(config);
  });

  it('refuses, on the field to blame, what production would refuse or the run would ignore', () => {
    const sets = ETH.venues!.sets;
    expect(problemsOf(withVenues(undefined))).toEqual(['venues.use: name the venue set the run uses (use, or --venues NAME): one of routed, perp, one-pool']);
    expect(problemsOf(withVenues('nope'))).toEqual(['venues.use: there is no venue set "nope" (the sets: routed, perp, one-pool)']);
    expect(problemsOf(withVenues(undefined, {}))).toEqual(['venues.sets: there is no venue set: give at least one']);
    // A second venue of an instrument would never trade (production uses the first).
    const twoSpot = { ...sets, routed: { ...sets.routed!, venues: [...sets.routed!.venues, { kind: 'uniswap-v3' as const, fee: 500, depth: 10 }] } };
    expect(problemsOf(withVenues('routed', twoSpot))[0]).toMatch(/^venues\.sets\.routed\.venues\[2\]: is a second spot venue \(venues\[0\] is one\).*one uniswap-routed venue/);
    // The policy's instrument needs a venue in the set.
    expect(problemsOf(withVenues('one-pool'))).toEqual(['policy.hedgeInstrument: the policy hedges delta with perp, and venue set one-pool has no perp venue (its venues trade: spot): add one, or hedge with what the set trades (the set\'s hedgeInstrument)']);
    expect(problemsOf({ ...withVenues('one-pool'), policy: { ...ETH.policy, hedgeInstrument: 'spot' } })).toEqual([]);
    const hedgeOptions = [{ id: 'h', optionType: 'call' as const, strike: 3000, expiryMs: Date.UTC(2025, 1, 1) }];
    expect(problemsOf({ ...withVenues('perp'), policy: { ...ETH.policy, limits: { maxAbsGamma: 1, hedgeOptions } } })[0]).toMatch(/^policy\.limits\.hedgeOptions: hedge options need an option venue, and venue set perp has none/);
    expect(problemsOf({ ...withVenues('routed'), policy: { ...ETH.policy, limits: { maxAbsGamma: 1, hedgeOptions } } })).toEqual([]);
    // Flat costs and a market funding rate the run would not use.
    expect(problemsOf({ ...ETH, costs: { feeBps: 3, gasUsd: 1 } })).toEqual([
      'costs.feeBps: does not apply: the run executes on venue set routed, each venue with its own cost model (drop it, or drop "venues")',
      'costs.gasUsd: does not apply: the run executes on venue set routed, each venue with its own cost model (drop it, or drop "venues")',
    ]);
    expect(problemsOf({ ...withVenues('perp'), market: { ...ETH.market, fundingRate: 0.1 } })).toEqual(['market.fundingRate: is not used: the perp venue of set perp has its own funding model (venues.sets.perp.venues[0].funding); drop one']);
    // Fields: an unknown one lists the venue's fields; tiers are hundredths of a bp.
    const typo = { ...sets, 'one-pool': { venues: [{ kind: 'uniswap-v3' as const, fee: 3000, deph: 1 }] } };
    expect(problemsOf(withVenues('routed', typo as unknown as Sets))).toContain('venues.sets.one-pool.venues[0]: unknown field(s): deph (it has: kind, id, fee, depth, gasUsd)');
    const tier = { ...sets, 'one-pool': { venues: [{ kind: 'uniswap-v3' as const, fee: 0.3, depth: 1 }] } };
    expect(problemsOf(withVenues('routed', tier))).toEqual(['venues.sets.one-pool.venues[0].fee: must be an integer (hundredths of a basis point: 500 = 0.05 %)']);
    expect(problemsOf(withVenues('routed', { 'a,b': sets.perp! }))).toContain('venues.sets.a,b: a venue set name is 1-48 of [A-Za-z0-9_-], starting with a letter or digit');
  });
});
