/**
 * The backtest configuration file (`hedge backtest --config FILE`): the market, the book,
 * the hedge policy (exactly the per-account {@link HedgePolicyConfigSchema}), the trading
 * costs and the simulation. Durations are strings such as "20w", "0.5w", "1d", "4h",
 * "30m" or a plain number of years (a week is 7/365 of a year); everything else is in
 * the units its name says. Unknown fields are errors (they are usually typos).
 *
 * @example
 * {
 *   "market": { "model": "gbm", "spot": 49, "drift": 0.13, "vol": 0.2, "rate": 0.05 },
 *   "book": [{ "type": "call", "strike": 50, "maturity": "20w", "quantity": -100000 }],
 *   "policy": { "underlying": "XYZ", "cadence": { "everyMs": 604800000 } },
 *   "costs": { "feeBps": 0 },
 *   "simulation": { "paths": 10000, "seed": 1, "step": "1w" }
 * }
 */
import * as z from 'zod';
import { parseDurationMs } from '../domain/backtest/durations.ts';
import { MAX_PATHS, type BacktestSpec, type BookOption } from '../domain/backtest/simulate.ts';
import { realisedVol, totalVol, type MarketModel } from '../domain/backtest/market-paths.ts';
import { MAX_SEED } from '../domain/backtest/random.ts';
import { HedgePolicyConfigSchema } from './hedge-policy-config.ts';

const finite = z.number({ error: 'expected a number' });
const positive = finite.positive({ error: 'must be > 0' });
const nonNegative = finite.nonnegative({ error: 'must be >= 0' });

/** "20w", "1d", "4h", "30m", "45s", "2y" or a number of years → whole milliseconds. */
export const DurationSchema = z.union([finite, z.string()], { error: 'expected a duration such as "20w", "1d", "4h", "30m" or a number of years' }).transform((value, ctx) => {
  const ms = typeof value === 'number' ? (value > 0 ? Math.round(value * 365 * 86_400_000) : undefined) : parseDurationMs(value);
  if (ms === undefined || !(ms > 0)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a positive duration (e.g. "20w", "0.5w", "1d", "4h", "30m", or years)` });
    return z.NEVER;
  }
  return ms;
});

/** Rate, yield and the optional pricing-vol and funding overrides, common to every model. */
const carryFields = {
  /** Risk-free rate, continuously compounded, decimal. */
  rate: finite.default(0),
  /** Yield / carry of the underlying, decimal (used in pricing and in the carry of spot). */
  yield: finite.default(0),
  /** Vol the options are priced and hedged at; default: the model's vol (see the help). */
  impliedVol: nonNegative.optional(),
  /** Annual funding rate paid by a long perp; default rate − yield. */
  fundingRate: finite.optional(),
};

export const GbmMarketSchema = z
  .object({ model: z.literal('gbm'), spot: positive, drift: finite.default(0), vol: nonNegative, ...carryFields })
  .strict();

export const JumpsSchema = z
  .object({
    /** Expected jumps per year (λ). */
    intensity: nonNegative,
    /** Mean log jump size (negative: crashes), e.g. −0.15 ≈ a 14% drop. */
    mean: finite,
    /** Standard deviation of the log jump size. */
    std: nonNegative,
  })
  .strict();

export const MertonMarketSchema = z
  .object({ model: z.literal('merton'), spot: positive, drift: finite.default(0), vol: nonNegative, jumps: JumpsSchema, ...carryFields })
  .strict();

export const ReplayMarketSchema = z
  .object({
    model: z.literal('replay'),
    /** A CSV file of `timestamp,price` rows, relative to the config file's folder. */
    csv: z.string().min(1),
    ...carryFields,
  })
  .strict();

export const BacktestMarketSchema = z.discriminatedUnion('model', [GbmMarketSchema, MertonMarketSchema, ReplayMarketSchema]);

export const BookOptionSchema = z
  .object({
    id: z.string().min(1).optional(),
    type: z.enum(['call', 'put'], { error: 'expected "call" or "put"' }),
    strike: positive,
    /** Time to expiry from the start of the run. */
    maturity: DurationSchema,
    /** Signed units of the underlying: negative = written. */
    quantity: finite.refine((q) => q !== 0, { message: 'must not be 0' }),
    /** This option's implied vol; the market's pricing vol when absent. */
    vol: nonNegative.optional(),
  })
  .strict();

export const SlippageSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('none') }).strict(),
  z.object({ model: z.literal('fixed'), bps: nonNegative }).strict(),
  z
    .object({
      model: z.literal('sqrt'),
      /** Impact coefficient k (dimensionless, typically 0.5–1). */
      k: nonNegative,
      /** Average daily volume, units of the underlying per day. */
      adv: positive,
    })
    .strict(),
]);

export const CostsSchema = z
  .object({
    feeBps: nonNegative.default(0),
    slippage: SlippageSchema.default({ model: 'none' }),
    gasUsd: nonNegative.default(0),
  })
  .strict();

export const SimulationSchema = z
  .object({
    paths: z.number().int().min(1).max(MAX_PATHS).default(10_000),
    seed: z.number().int().min(0).max(MAX_SEED).default(1),
    /** Equal steps over the horizon... */
    steps: z.number().int().min(1).max(10_000_000).optional(),
    /** ...or one step every this long (default: the cadence's interval, else 100 steps). */
    step: DurationSchema.optional(),
    /** End of the run; default the book's last expiry (or the end of a replayed series). */
    horizon: DurationSchema.optional(),
    /** The clock at t0 (ISO-8601 or epoch ms); ignored by a replay, which starts at its first row. */
    start: z.union([z.iso.datetime({ offset: true }), z.number().int()]).default('2025-01-01T00:00:00Z'),
  })
  .strict()
  .refine((s) => s.steps === undefined || s.step === undefined, { message: 'give either steps or step, not both' });

export const BacktestConfigSchema = z
  .object({
    /** Free text, ignored. */
    description: z.string().optional(),
    market: BacktestMarketSchema,
    book: z.array(BookOptionSchema).min(1, { error: 'needs at least one option' }),
    policy: HedgePolicyConfigSchema,
    costs: CostsSchema.default(CostsSchema.parse({})),
    simulation: SimulationSchema.default(SimulationSchema.parse({})),
  })
  .strict();

export type BacktestConfig = z.infer<typeof BacktestConfigSchema>;
export type BacktestConfigInput = z.input<typeof BacktestConfigSchema>;

/** Steps when the config names none. */
export const DEFAULT_STEPS = 100;

/**
 * The default grid: a pure cadence policy decides once per interval (one step per
 * cadence interval); any other policy watches 100 equal steps, or the cadence interval
 * if that is finer.
 */
function defaultGrid(policy: BacktestConfig['policy'], horizonMs: number): { steps: number } | { stepMs: number } {
  const cadence = policy.cadence;
  if (!cadence) return { steps: DEFAULT_STEPS };
  const cadenceOnly = !policy.band && !policy.priceMove && !policy.whalleyWilmott;
  return cadenceOnly || cadence.everyMs < horizonMs / DEFAULT_STEPS ? { stepMs: cadence.everyMs } : { steps: DEFAULT_STEPS };
}

/** A replayed series as read from its CSV: epoch ms and prices. */
export interface PriceSeries {
  readonly timesMs: readonly number[];
  readonly prices: readonly number[];
}

/**
 * The domain spec of a validated config. A replay needs its series (read by the caller:
 * the contracts do no I/O); its first timestamp is t0.
 */
export function backtestSpecFromConfig(config: BacktestConfig, series?: PriceSeries): BacktestSpec {
  const m = config.market;
  let market: MarketModel;
  let defaultVol: number;
  let startMs = typeof config.simulation.start === 'number' ? config.simulation.start : Date.parse(config.simulation.start);
  if (m.model === 'replay') {
    if (!series) throw new Error('a replay needs its price series');
    const t0 = series.timesMs[0] ?? 0;
    const replay = { kind: 'replay', offsetsMs: series.timesMs.map((t) => t - t0), prices: series.prices } as const;
    market = replay;
    defaultVol = realisedVol(replay);
    startMs = t0;
  } else if (m.model === 'merton') {
    market = { kind: 'merton', spot: m.spot, drift: m.drift, vol: m.vol, jumpIntensity: m.jumps.intensity, jumpMean: m.jumps.mean, jumpStd: m.jumps.std };
    defaultVol = totalVol(market);
  } else {
    market = { kind: 'gbm', spot: m.spot, drift: m.drift, vol: m.vol };
    defaultVol = m.vol;
  }
  const book: BookOption[] = config.book.map((o, i) => ({
    id: o.id ?? `option-${i + 1}`,
    optionType: o.type,
    strike: o.strike,
    maturityMs: o.maturity,
    quantity: o.quantity,
    ...(o.vol === undefined ? {} : { vol: o.vol }),
  }));
  const s = config.simulation;
  const c = config.costs;
  const slippage = c.slippage.model === 'none' ? ({ kind: 'none' } as const) : c.slippage.model === 'fixed' ? ({ kind: 'fixed', bps: c.slippage.bps } as const) : ({ kind: 'sqrt', k: c.slippage.k, advUnits: c.slippage.adv } as const);
  const grid = s.steps !== undefined ? { steps: s.steps } : s.step !== undefined ? { stepMs: s.step } : defaultGrid(config.policy, s.horizon ?? Math.max(...book.map((o) => o.maturityMs)));
  return {
    market,
    rate: m.rate,
    yield: m.yield,
    pricingVol: m.impliedVol ?? defaultVol,
    fundingRate: m.fundingRate ?? m.rate - m.yield,
    book,
    policy: config.policy,
    costs: { feeBps: c.feeBps, slippage, gasUsd: c.gasUsd },
    paths: m.model === 'replay' ? 1 : s.paths,
    seed: s.seed,
    startMs,
    ...(s.horizon === undefined ? {} : { horizonMs: s.horizon }),
    grid,
  };
}
