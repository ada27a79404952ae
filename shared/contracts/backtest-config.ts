/**
 * The backtest configuration file (`hedge backtest --config FILE`): the market, the book,
 * the hedge policy (exactly the per-account {@link HedgePolicyConfigSchema}), the trading
 * costs and the simulation. Durations are strings such as "20w", "0.5w", "1d", "4h",
 * "30m", "250ms" or a plain number of years (a week is 7/365 of a year); everything else
 * is in the units its name says. Unknown fields are errors (they are usually typos).
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
import { gridIntervalMs, honoursCadence, shortestSpacingMs, stepForCadence } from '../domain/backtest/cadence-grid.ts';
import { DURATION_EXAMPLES, durationText, readDuration } from '../domain/backtest/durations.ts';
import { MAX_PATHS, type BacktestSpec, type BookOption } from '../domain/backtest/simulate.ts';
import { dataSpacingMs, historyPathCount, historyRealisedVol, type HistoryMarket, type HistorySampling, type RecordedSeries } from '../domain/backtest/history-paths.ts';
import { realisedVol, replayGrid, totalVol, type GridSpacing, type MarketModel } from '../domain/backtest/market-paths.ts';
import { annualisedVolOf, garchLongRunVariance, type GarchMarket } from '../domain/backtest/garch-market.ts';
import type { BookLiquidity } from '../domain/backtest/liquidity-book.ts';
import { MAX_SEED } from '../domain/backtest/random.ts';
import { V2_FEE_PIPS, type FundingModel, type PoolSpec, type VenueSet } from '../domain/backtest/venue-costs.ts';
import { liquidityRangeOf, MAX_TICK, MIN_TICK } from '../domain/exposure/concentrated-liquidity.ts';
import { MS_PER_YEAR } from '../domain/exposure/positions.ts';
import { MAX_ABS_RATE_TIMES_MATURITY, MAX_PRICE_LEVEL, MIN_PRICE_LEVEL } from '../domain/pricing/option-inputs.ts';
import { HedgePolicyConfigSchema, type HedgePolicyConfig } from './hedge-policy-config.ts';

const finite = z.number({ error: 'expected a number' });
const positive = finite.positive({ error: 'must be > 0' });
const nonNegative = finite.nonnegative({ error: 'must be >= 0' });
/** A price the pricing code can work with (beyond this range present values over- or underflow). */
const priceLevel = positive
  .min(MIN_PRICE_LEVEL, { error: `must be at least ${MIN_PRICE_LEVEL}` })
  .max(MAX_PRICE_LEVEL, { error: `must be at most ${MAX_PRICE_LEVEL}` });

/** "20w", "1d", "4h", "30m", "45s", "250ms", "2y" or a number of years → whole milliseconds. */
export const DurationSchema = z.union([finite, z.string()], { error: `expected a duration (${DURATION_EXAMPLES})` }).transform((value, ctx) => {
  const reading = typeof value === 'number' ? readDuration(String(value)) : readDuration(value);
  if ('error' in reading) {
    ctx.addIssue({ code: 'custom', message: reading.error });
    return z.NEVER;
  }
  return reading.ms;
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
  /**
   * The vol of the hedge's delta: `implied` (default: the options' pricing vol) or `path`
   * (the paths' own: the model's vol, jumps included; a replay's realised vol, known only
   * afterwards). Hedging a bought option at the vol that is realised locks in
   * V(realised) − V(implied).
   */
  hedgeWith: z.enum(['implied', 'path']).optional(),
};

export const GbmMarketSchema = z
  .object({ model: z.literal('gbm'), spot: priceLevel, drift: finite.default(0), vol: nonNegative, ...carryFields })
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
  .object({ model: z.literal('merton'), spot: priceLevel, drift: finite.default(0), vol: nonNegative, jumps: JumpsSchema, ...carryFields })
  .strict();

/**
 * A GARCH(1,1) market (volatility that clusters), with the parameters `hedge vol fit`
 * prints: ω, α, β per `interval` (the sampling interval of the fitted series) in squared
 * log-return units. The options are priced at its long-run vol unless `impliedVol` says
 * otherwise; `initialVol` (annualised) is where the variance starts, default the long run.
 */
export const GarchMarketSchema = z
  .object({
    model: z.literal('garch'),
    spot: priceLevel,
    drift: finite.default(0),
    interval: DurationSchema,
    omega: positive,
    alpha: nonNegative,
    beta: nonNegative,
    initialVol: positive.optional(),
    ...carryFields,
  })
  .strict()
  .superRefine((m, ctx) => {
    if (!(m.alpha + m.beta < 1)) {
      ctx.addIssue({ code: 'custom', path: ['beta'], message: `alpha + beta = ${m.alpha + m.beta} must be under 1 (a stationary variance; an integrated one has no long-run level to price at)` });
      return;
    }
    const longRun = m.omega / (1 - m.alpha - m.beta);
    if (!(longRun < 1)) ctx.addIssue({ code: 'custom', path: ['omega'], message: `gives a long-run variance of ${Number(longRun.toPrecision(3))} per interval (a move of 100 % or more each interval): omega is in squared log-return units, not percent` });
  });

/** The domain's GARCH market of a config's (the initial vol, annualised, as a variance per interval). */
export function garchMarketOf(m: z.output<typeof GarchMarketSchema>): GarchMarket {
  return {
    kind: 'garch',
    spot: m.spot,
    drift: m.drift,
    intervalMs: m.interval,
    omega: m.omega,
    alpha: m.alpha,
    beta: m.beta,
    ...(m.initialVol === undefined ? {} : { initialVariance: (m.initialVol ** 2 * m.interval) / MS_PER_YEAR }),
  };
}

/** At most this many CSVs in one replay. */
export const MAX_REPLAY_FILES = 1000;

export const ReplayMarketSchema = z
  .object({
    model: z.literal('replay'),
    /**
     * A CSV file of `timestamp,price` rows, relative to the config file's folder; or
     * several, each a path of the run (rescaled to start at `spot`).
     */
    csv: z.union([z.string().min(1), z.array(z.string().min(1)).min(1, { error: 'needs at least one CSV' }).max(MAX_REPLAY_FILES, { error: `at most ${MAX_REPLAY_FILES} CSVs` })], {
      error: 'expected a CSV file name or a list of them',
    }),
    /**
     * The price column of a CSV with more than two: its header name ("close") or its
     * number (1 is the timestamp). Default: the second column of a two-column file, else
     * the column named "close" (or "price").
     */
    column: z.union([z.string().min(1), z.number().int().min(2, { error: 'must be 2 or more (column 1 is the timestamp)' })]).optional(),
    /** Rolling windows of each series, each as long as the run, one starting every `every`: each a path. */
    windows: z.object({ every: DurationSchema }).strict().optional(),
    /** The stationary block bootstrap of the series' returns, blocks of `meanBlock` on average: simulation.paths paths. */
    bootstrap: z.object({ meanBlock: DurationSchema }).strict().optional(),
    /** The price every path of a replay of several paths starts at; default the first CSV's first price. */
    spot: priceLevel.optional(),
    ...carryFields,
  })
  .strict();

type ReplayFields = z.output<typeof ReplayMarketSchema>;

/** The CSV files of a replay, in order. */
export const replayFiles = (m: Pick<ReplayFields, 'csv'>): readonly string[] => (typeof m.csv === 'string' ? [m.csv] : m.csv);

/** Whether a replay makes several paths from its series (several CSVs, windows, bootstrap) rather than replaying one as recorded. */
export const replaysHistory = (m: Pick<ReplayFields, 'csv' | 'windows' | 'bootstrap'>): boolean => replayFiles(m).length > 1 || m.windows !== undefined || m.bootstrap !== undefined;

export const BacktestMarketSchema = z.discriminatedUnion('model', [GbmMarketSchema, MertonMarketSchema, GarchMarketSchema, ReplayMarketSchema]);

export const BookOptionSchema = z
  .object({
    id: z.string().min(1).optional(),
    type: z.enum(['call', 'put'], { error: 'expected "call" or "put"' }),
    strike: priceLevel,
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

// ---- venues: the cost model of each venue production executes on (see venue-costs.ts)

const venueId = (kind: string) => z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, { error: 'a venue id is 1-48 of [a-z0-9-], starting with a letter or digit' }).default(kind);
/** Units of the underlying a pool holds at the start price (a concentrated V3 pool: its virtual reserve). */
const depth = positive;
const gasUsd = nonNegative.default(0);
/** A V3 fee tier in hundredths of a basis point (100, 500, 3000, 10000), as production's venue config. */
const feeTier = z.number({ error: 'expected a number' }).int({ error: 'must be an integer (hundredths of a basis point: 500 = 0.05 %)' }).positive({ error: 'must be > 0' }).max(999_999, { error: 'must be below 1000000 (100 %)' });

export const BacktestPoolSchema = z.discriminatedUnion('version', [
  z.object({ version: z.literal('v3'), fee: feeTier, depth, gasUsd }).strict(),
  /** A V2 pair: its fee is 0.3 %. */
  z.object({ version: z.literal('v2'), depth, gasUsd }).strict(),
]);

export const FundingSchema = z.discriminatedUnion('model', [
  /** A constant annual funding rate (what a long pays; negative: longs receive). */
  z.object({ model: z.literal('constant'), annualRate: finite }).strict(),
  /** An Ornstein–Uhlenbeck premium: reverts to `mean` with this half-life, `vol` per √year; starts at `start` (default the mean). */
  z.object({ model: z.literal('meanReverting'), mean: finite, start: finite.optional(), halfLife: DurationSchema, vol: nonNegative }).strict(),
]);

export const BacktestVenueSchema = z.discriminatedUnion('kind', [
  /** One Uniswap V3 pool of a fee tier. */
  z.object({ kind: z.literal('uniswap-v3'), id: venueId('uniswap-v3'), fee: feeTier, depth, gasUsd }).strict(),
  /** Several pools of the pair, the order split where it costs least with each leg's gas (production's routing). */
  z
    .object({
      kind: z.literal('uniswap-routed'),
      id: venueId('uniswap-routed'),
      pools: z.array(BacktestPoolSchema).min(1, { error: 'needs at least one pool' }).max(8, { error: 'at most 8 pools (as production)' }),
      slices: z.number().int().min(1).max(50).default(10),
    })
    .strict(),
  /** A Perp v2 perpetual: exchange fee ratio, the depth of its virtual pool, funding (default: constant at market.fundingRate). */
  z
    .object({
      kind: z.literal('perp-v2'),
      id: venueId('perp-v2'),
      feeRatio: nonNegative.max(0.1, { error: 'must be at most 0.1 (10 %)' }).default(0.001),
      depth,
      gasUsd,
      funding: FundingSchema.optional(),
    })
    .strict(),
  /** A Lyra v1 option market: Black-Scholes at its vol (baseVol + skew·ln(K/S)) plus its fees. */
  z
    .object({
      kind: z.literal('lyra-v1'),
      id: venueId('lyra-v1'),
      baseVol: positive.max(10, { error: 'must be at most 10' }).optional(),
      skew: finite.default(0),
      premiumFee: nonNegative.max(1, { error: 'must be at most 1' }).default(0),
      spotFee: nonNegative.max(1, { error: 'must be at most 1' }).default(0),
      gasUsd,
    })
    .strict(),
]);

/** What each kind of venue trades (production's VENUE_INSTRUMENT). */
export const BACKTEST_VENUE_INSTRUMENT = { 'uniswap-v3': 'spot', 'uniswap-routed': 'spot', 'perp-v2': 'perp', 'lyra-v1': 'option' } as const;

export const VENUE_SET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

export const VenueSetSchema = z
  .object({
    /** The delta instrument the policy hedges with when this set is used (instead of policy.hedgeInstrument). */
    hedgeInstrument: z.enum(['perp', 'spot'], { error: 'expected "perp" or "spot"' }).optional(),
    venues: z.array(BacktestVenueSchema).min(1, { error: 'needs at least one venue' }).max(16),
  })
  .strict();

export const VenuesSchema = z
  .object({
    /** The set the run uses (--venues NAME); may be left out when there is one. */
    use: z.string().optional(),
    sets: z.record(z.string().regex(VENUE_SET_NAME, { error: 'a venue set name is 1-48 of [A-Za-z0-9_-], starting with a letter or digit' }), VenueSetSchema),
  })
  .strict();

// ---- Uniswap V3 liquidity positions in the book (liquidity-book.ts)

/** The book entry type of a liquidity position (the live position's kind). */
export const LIQUIDITY_TYPE = 'uniswap-v3-liquidity';

/** Tick spacing of Uniswap V3's standard fee tiers (UniswapV3Factory.feeAmountTickSpacing). */
const TICK_SPACING: Readonly<Record<number, number>> = { 100: 1, 500: 10, 3000: 60, 10000: 200 };

const tick = z.number({ error: 'expected a number' }).int({ error: 'must be a whole tick' }).min(MIN_TICK, { error: `must be at least ${MIN_TICK}` }).max(MAX_TICK, { error: `must be at most ${MAX_TICK}` });
const decimals = z.number({ error: 'expected a number' }).int({ error: 'must be an integer' }).min(0, { error: 'must be >= 0' }).max(36, { error: 'must be at most 36' });

/**
 * A concentrated-liquidity position held in the book: its range as prices (USD per unit
 * of the underlying) or as the pool's ticks (with its token order and decimals, as the
 * live position), and its size as a liquidity, or as its value at the start price (USD,
 * or units of the underlying). Optional: the pool's fee tier (ticks must then sit on its
 * tick spacing) and a fee APR earned while in range.
 */
export const BookLiquiditySchema = z
  .object({
    type: z.literal(LIQUIDITY_TYPE),
    id: z.string().min(1).optional(),
    /** The pool's fee tier, hundredths of a bp (500 = 0.05 %): with ticks, they must be multiples of its tick spacing. */
    fee: feeTier.optional(),
    /** The range as prices, USD per unit of the underlying... */
    lowerPrice: positive.optional(),
    upperPrice: positive.optional(),
    /** ...or as the pool's ticks: price = 1.0001^tick token1 per token0, turned into USD per base with the decimals (as the live position). */
    tickLower: tick.optional(),
    tickUpper: tick.optional(),
    /** With ticks: whether the underlying is the pool's token0 [true], and the tokens' decimals [0 and 0: 1.0001^tick is the price]. */
    baseIsToken0: z.boolean({ error: 'expected true or false' }).optional(),
    baseDecimals: decimals.optional(),
    quoteDecimals: decimals.optional(),
    /**
     * The size, one of: the liquidity L (a number, or the pool's uint128 as a decimal
     * string; with ticks and decimals it is the pool's raw L, converted as the live
     * position's; otherwise in √(USD·unit))...
     */
    liquidity: z.union([positive, z.string().regex(/^[0-9]{1,39}$/u, { error: 'must be the pool’s uint128 liquidity in decimal' })], { error: 'expected a number or the pool’s liquidity as a decimal string' }).optional(),
    /** ...or the position's value at the start price, USD... */
    valueUsd: positive.optional(),
    /** ...or that value in units of the underlying (valueUsd = units × start price). */
    units: positive.optional(),
    /** Fee income while in range, per year, a fraction of the position's value (0.15 = 15 %) [none]. */
    feeApr: nonNegative.max(10, { error: 'must be at most 10 (1,000 % a year): it is a fraction, 0.15 = 15 %' }).optional(),
  })
  .strict()
  .superRefine((lp, ctx) => {
    const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
    const prices = lp.lowerPrice !== undefined || lp.upperPrice !== undefined;
    const ticks = lp.tickLower !== undefined || lp.tickUpper !== undefined;
    if (prices && ticks) issue(['tickLower'], 'give the range as prices (lowerPrice, upperPrice) or as ticks (tickLower, tickUpper), not both');
    else if (!prices && !ticks) issue([], 'needs a range: lowerPrice and upperPrice (USD per unit of the underlying), or tickLower and tickUpper');
    else if (prices) {
      if (lp.lowerPrice === undefined) issue(['lowerPrice'], 'is missing: the range needs both lowerPrice and upperPrice');
      else if (lp.upperPrice === undefined) issue(['upperPrice'], 'is missing: the range needs both lowerPrice and upperPrice');
      else if (!(lp.lowerPrice < lp.upperPrice)) issue(['upperPrice'], `must be above lowerPrice (${lp.lowerPrice})`);
    } else {
      if (lp.tickLower === undefined) issue(['tickLower'], 'is missing: the range needs both tickLower and tickUpper');
      else if (lp.tickUpper === undefined) issue(['tickUpper'], 'is missing: the range needs both tickLower and tickUpper');
      else if (!(lp.tickLower < lp.tickUpper)) issue(['tickUpper'], `must be above tickLower (${lp.tickLower})`);
      const spacing = lp.fee === undefined ? undefined : TICK_SPACING[lp.fee];
      if (spacing !== undefined) {
        for (const key of ['tickLower', 'tickUpper'] as const) {
          const t = lp[key];
          if (t !== undefined && t % spacing !== 0) issue([key], `${t} is not a multiple of ${spacing}, the tick spacing of the ${lp.fee! / 10_000} % fee tier: the pool has no such tick`);
        }
      }
    }
    if (!ticks) {
      for (const key of ['baseIsToken0', 'baseDecimals', 'quoteDecimals'] as const) {
        if (lp[key] !== undefined) issue([key], 'is only used with a range in ticks (tickLower, tickUpper): a range in prices is already USD per unit');
      }
    }
    const sizes = (['liquidity', 'valueUsd', 'units'] as const).filter((key) => lp[key] !== undefined);
    if (sizes.length === 0) issue([], 'needs a size: liquidity, valueUsd (its value at the start price) or units (that value in units of the underlying)');
    else if (sizes.length > 1) issue([sizes[1]!], `and ${sizes[0]} both size the position: give one`);
    if (typeof lp.liquidity === 'string' && !(BigInt(lp.liquidity) > 0n && BigInt(lp.liquidity) < 2n ** 128n)) issue(['liquidity'], 'must be 0 < liquidity < 2^128 (the pool’s uint128)');
  });

/** A book entry: an option, or a liquidity position (`"type": "uniswap-v3-liquidity"`). */
export const BookEntrySchema = z.discriminatedUnion('type', [BookLiquiditySchema, BookOptionSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? `expected "call", "put" or "${LIQUIDITY_TYPE}"` : undefined),
});

type BookEntry = z.output<typeof BookEntrySchema>;
type BookOptionEntry = z.output<typeof BookOptionSchema>;
type BookLiquidityEntry = z.output<typeof BookLiquiditySchema>;

/** Whether a book entry is an option (not a liquidity position). */
export const isBookOption = (entry: BookEntry): entry is BookOptionEntry => entry.type !== LIQUIDITY_TYPE;

/** The book's options, each with its index in the book (for the paths of errors). */
export const bookOptions = (book: readonly BookEntry[]): { option: BookOptionEntry; index: number }[] => book.flatMap((option, index) => (isBookOption(option) ? [{ option, index }] : []));

/** The domain's position of a book entry (its range in USD per unit, its liquidity in the book's units). */
export function bookLiquidityOf(lp: BookLiquidityEntry, index: number): BookLiquidity {
  let lowerPrice = lp.lowerPrice;
  let upperPrice = lp.upperPrice;
  let scale = 1;
  if (lp.tickLower !== undefined && lp.tickUpper !== undefined) {
    // The live position's conversion, at liquidity 1 for the scale of L.
    const range = liquidityRangeOf({ tickLower: lp.tickLower, tickUpper: lp.tickUpper, liquidity: '1', baseIsToken0: lp.baseIsToken0 ?? true, baseDecimals: lp.baseDecimals ?? 0, quoteDecimals: lp.quoteDecimals ?? 0 });
    lowerPrice = range.lowerPrice;
    upperPrice = range.upperPrice;
    scale = range.liquidity;
  }
  if (lowerPrice === undefined || upperPrice === undefined) throw new BacktestConfigError(['book', index], 'needs a range (the schema checks it)');
  const size = lp.liquidity !== undefined ? { liquidity: Number(lp.liquidity) * scale } : lp.valueUsd !== undefined ? { valueUsd: lp.valueUsd } : { units: lp.units! };
  return { id: lp.id ?? `liquidity-${index + 1}`, lowerPrice, upperPrice, size, ...(lp.feeApr === undefined ? {} : { feeApr: lp.feeApr }) };
}

/** Paths of a simulated or bootstrapped run when the config names none. */
export const DEFAULT_PATHS = 10_000;

export const SimulationSchema = z
  .object({
    /** Simulated or bootstrapped paths [DEFAULT_PATHS]; for a replay of several CSVs or windows, the first this many of them [all]. */
    paths: z.number().int().min(1).max(MAX_PATHS).optional(),
    seed: z.number().int().min(0).max(MAX_SEED).default(1),
    /** Equal steps over the horizon... */
    steps: z.number().int().min(1).max(10_000_000).optional(),
    /** ...or one step every this long (default: the cadence's interval, else 100 steps). */
    step: DurationSchema.optional(),
    /** End of the run; default the book's last expiry (or the end of a replayed series). */
    horizon: DurationSchema.optional(),
    /** The clock at t0 (ISO-8601 or epoch ms); ignored by a replay, which starts at its first row. */
    start: z.union([z.iso.datetime({ offset: true }), z.number().int()]).default('2025-01-01T00:00:00Z'),
    /**
     * Run path N (0 … paths − 1) of the `paths` paths alone: the same prices and numbers as
     * in the whole run (each path has its own random stream per seed). Simulated markets only.
     */
    onlyPath: z.number({ error: 'expected a path id (an integer >= 0)' }).int({ error: 'must be an integer (a path id)' }).min(0, { error: 'must be >= 0 (path ids start at 0)' }).optional(),
  })
  .strict()
  .refine((s) => s.steps === undefined || s.step === undefined, { message: 'give either steps or step, not both' })
  .refine((s) => s.onlyPath === undefined || typeof s.paths !== 'number' || typeof s.onlyPath !== 'number' || s.onlyPath < s.paths, {
    path: ['onlyPath'],
    error: (issue) => {
      const s = issue.input as { paths: number; onlyPath: number };
      return `is path ${s.onlyPath}, and a run of ${s.paths} paths has paths 0 to ${s.paths - 1}`;
    },
  });

/** Sigmas of the log price a simulated path may plausibly reach (tails beyond are below 1e-15). */
const PLAUSIBLE_SIGMAS = 8;

type ConfigFields = {
  market: z.output<typeof BacktestMarketSchema>;
  book: z.output<typeof BookEntrySchema>[];
  simulation: z.output<typeof SimulationSchema>;
};

type VenueFields = {
  market: z.output<typeof BacktestMarketSchema>;
  policy: z.output<typeof HedgePolicyConfigSchema>;
  costs: z.output<typeof CostsSchema>;
  venues?: z.output<typeof VenuesSchema> | undefined;
};

/** The name of the venue set a config runs on, or why it names none (a message), or undefined without venues. */
export function venueSetName(venues: z.output<typeof VenuesSchema> | undefined): { name: string } | { problem: string } | undefined {
  if (venues === undefined || venues.sets === null || typeof venues.sets !== 'object') return undefined;
  const names = Object.keys(venues.sets);
  if (names.length === 0) return { problem: 'there is no venue set: give at least one' };
  if (venues.use === undefined) return names.length === 1 ? { name: names[0]! } : { problem: `name the venue set the run uses (use, or --venues NAME): one of ${names.join(', ')}` };
  if (!Object.hasOwn(venues.sets, venues.use)) return { problem: `there is no venue set ${JSON.stringify(venues.use)} (the sets: ${names.join(', ')})` };
  return { name: venues.use };
}

/**
 * The venues as production would run them, checked where the config is written: each
 * set has at most one venue per instrument (production sends an order to the first venue
 * of its instrument: a second would never trade), unique ids; the set the run uses names
 * an existing set and has a venue for every instrument the policy trades (the delta
 * instrument, and options when the policy has hedge options), as the live config API
 * refuses a policy without one; and nothing is accepted that the run would ignore (the
 * flat `costs`, or market.fundingRate beside a perp venue's own funding model).
 */
function checkVenues(c: VenueFields, ctx: z.core.$RefinementCtx<VenueFields>): void {
  const venues = c.venues;
  if (venues === undefined || venues.sets === null || typeof venues.sets !== 'object') return;
  for (const [name, set] of Object.entries(venues.sets)) {
    if (!set || !Array.isArray(set.venues)) continue;
    const seen = new Map<string, number>();
    const ids = new Set<string>();
    set.venues.forEach((venue, i) => {
      const instrument = venue && typeof venue.kind === 'string' ? (BACKTEST_VENUE_INSTRUMENT as Record<string, string | undefined>)[venue.kind] : undefined;
      if (instrument === undefined) return;
      const first = seen.get(instrument);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['venues', 'sets', name, 'venues', i],
          message: `is a second ${instrument} venue (venues[${first}] is one): production sends an order to the first venue of its instrument, so this one would never trade${instrument === 'spot' ? ' (to split orders across pools, list them in one uniswap-routed venue)' : ''}`,
        });
      } else seen.set(instrument, i);
      if (typeof venue.id === 'string') {
        if (ids.has(venue.id)) ctx.addIssue({ code: 'custom', path: ['venues', 'sets', name, 'venues', i, 'id'], message: `venue id "${venue.id}" is used twice in the set: give each venue its own id` });
        ids.add(venue.id);
      }
    });
  }
  const chosen = venueSetName(venues);
  if (chosen === undefined) return;
  if ('problem' in chosen) {
    ctx.addIssue({ code: 'custom', path: Object.keys(venues.sets).length === 0 ? ['venues', 'sets'] : ['venues', 'use'], message: chosen.problem });
    return;
  }
  const set = venues.sets[chosen.name]!;
  if (!set || !Array.isArray(set.venues)) return;
  const traded = new Set(set.venues.map((v) => (v && typeof v.kind === 'string' ? (BACKTEST_VENUE_INSTRUMENT as Record<string, string | undefined>)[v.kind] : undefined)).filter((i) => i !== undefined));
  const tradedList = [...traded].join(', ') || 'nothing';
  if (c.policy && typeof c.policy === 'object') {
    const instrument = set.hedgeInstrument ?? c.policy.hedgeInstrument;
    if (typeof instrument === 'string' && !traded.has(instrument)) {
      ctx.addIssue({
        code: 'custom',
        path: set.hedgeInstrument !== undefined ? ['venues', 'sets', chosen.name, 'hedgeInstrument'] : ['policy', 'hedgeInstrument'],
        message: `the policy hedges delta with ${instrument}, and venue set ${chosen.name} has no ${instrument} venue (its venues trade: ${tradedList}): add one, or hedge with what the set trades${set.hedgeInstrument === undefined ? ` (the set's hedgeInstrument)` : ''}`,
      });
    }
    if ((c.policy.limits?.hedgeOptions?.length ?? 0) > 0 && !traded.has('option')) {
      ctx.addIssue({
        code: 'custom',
        path: ['policy', 'limits', 'hedgeOptions'],
        message: `hedge options need an option venue, and venue set ${chosen.name} has none (its venues trade: ${tradedList}): add a lyra-v1 venue to it`,
      });
    }
  }
  const costs = c.costs;
  if (costs && typeof costs === 'object') {
    const ignored = `does not apply: the run executes on venue set ${chosen.name}, each venue with its own cost model (drop it, or drop "venues")`;
    if (costs.feeBps !== 0) ctx.addIssue({ code: 'custom', path: ['costs', 'feeBps'], message: ignored });
    if (costs.slippage && costs.slippage.model !== 'none') ctx.addIssue({ code: 'custom', path: ['costs', 'slippage'], message: ignored });
    if (costs.gasUsd !== 0) ctx.addIssue({ code: 'custom', path: ['costs', 'gasUsd'], message: ignored });
  }
  const perpIndex = set.venues.findIndex((v) => v?.kind === 'perp-v2');
  const perp = set.venues[perpIndex];
  if (perp?.kind === 'perp-v2' && perp.funding !== undefined && c.market && c.market.fundingRate !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['market', 'fundingRate'],
      message: `is not used: the perp venue of set ${chosen.name} has its own funding model (venues.sets.${chosen.name}.venues[${perpIndex}].funding); drop one`,
    });
  }
}

/**
 * What the pricing and path code would reject mid-run, said up front about the fields
 * that cause it: |rate × maturity| and |yield × maturity| beyond 100 (e^{−rT} under- or
 * overflows), and simulated prices that would leave the representable range.
 */
function checkRanges(c: ConfigFields, ctx: z.core.$RefinementCtx<ConfigFields>): void {
  // zod runs this even when a non-fatal check (a range) failed above: only look at
  // values that passed, so that one mistake is not reported twice.
  const m = c.market;
  const usable = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const validSpot = m.model === 'replay' || (usable(m.spot) && m.spot >= MIN_PRICE_LEVEL && m.spot <= MAX_PRICE_LEVEL);
  if (!Array.isArray(c.book) || !c.book.every((o) => !isBookOption(o) || (usable(o.maturity) && o.maturity > 0)) || !usable(m.rate) || !usable(m.yield)) return;
  bookOptions(c.book).forEach(({ option: o, index: i }) => {
    const years = o.maturity / MS_PER_YEAR;
    for (const [name, value] of [['rate', m.rate], ['yield', m.yield]] as const) {
      if (Math.abs(value * years) > MAX_ABS_RATE_TIMES_MATURITY) {
        ctx.addIssue({
          code: 'custom',
          path: ['book', i, 'maturity'],
          message: `${durationText(o.maturity)} is too long at ${name} ${value}: ${name} × maturity = ${Number((value * years).toPrecision(4))}, beyond ±${MAX_ABS_RATE_TIMES_MATURITY} (e^{−${name}·T} would over- or underflow)`,
        });
      }
    }
  });
  if (m.model === 'replay' || !validSpot || !usable(m.drift)) return;
  if (m.model === 'garch' && !(usable(m.omega) && m.omega > 0 && usable(m.alpha) && usable(m.beta) && m.alpha >= 0 && m.beta >= 0 && m.alpha + m.beta < 1 && usable(m.interval) && m.interval > 0)) return;
  if (m.model !== 'garch' && !(usable(m.vol) && m.vol >= 0)) return;
  if (m.model === 'merton' && !(usable(m.jumps.intensity) && usable(m.jumps.mean) && usable(m.jumps.std) && m.jumps.intensity >= 0 && m.jumps.std >= 0)) return;
  if (c.simulation.horizon !== undefined && !(usable(c.simulation.horizon) && c.simulation.horizon > 0)) return;
  const options = bookOptions(c.book);
  if (c.simulation.horizon === undefined && options.length === 0) return; // checkBookHorizon says so
  const horizonMs = c.simulation.horizon ?? Math.max(...options.map(({ option }) => option.maturity));
  const years = horizonMs / MS_PER_YEAR;
  // GARCH: its long-run vol, the level its variance reverts to (a start above it is checked at that start).
  const garchVol = m.model === 'garch' ? Math.max(annualisedVolOf(m.omega / (1 - m.alpha - m.beta), m.interval), m.initialVol ?? 0) : 0;
  const market: Parameters<typeof totalVol>[0] | undefined =
    m.model === 'gbm'
      ? { kind: 'gbm', spot: m.spot, drift: m.drift, vol: m.vol }
      : m.model === 'merton'
        ? { kind: 'merton', spot: m.spot, drift: m.drift, vol: m.vol, jumpIntensity: m.jumps.intensity, jumpMean: m.jumps.mean, jumpStd: m.jumps.std }
        : undefined;
  const sigma = market === undefined ? garchVol : totalVol(market);
  const kappa = m.model === 'merton' ? Math.expm1(m.jumps.mean + 0.5 * m.jumps.std ** 2) : 0;
  const jumpDrift = m.model === 'merton' ? m.jumps.intensity * (m.jumps.mean - kappa) : 0;
  const diffusionVol = m.model === 'garch' ? garchVol : m.vol;
  const meanLog = (m.drift - 0.5 * diffusionVol ** 2 + jumpDrift) * years;
  const reach = Math.abs(meanLog) + PLAUSIBLE_SIGMAS * sigma * Math.sqrt(years);
  const room = Math.min(Math.log(MAX_PRICE_LEVEL / m.spot), Math.log(m.spot / MIN_PRICE_LEVEL));
  if (!(reach < room)) {
    // Blamed on what sets the horizon: the horizon, else the longest maturity.
    const longest = (): number => options.reduce((best, o) => (o.option.maturity > best.option.maturity ? o : best), options[0]!).index;
    ctx.addIssue({
      code: 'custom',
      path: c.simulation.horizon !== undefined ? ['simulation', 'horizon'] : ['book', longest(), 'maturity'],
      message: `over ${durationText(horizonMs)} the ${m.model === 'gbm' ? 'GBM' : m.model === 'merton' ? 'Merton' : 'GARCH'} prices would leave [${MIN_PRICE_LEVEL}, ${MAX_PRICE_LEVEL}] (mean log move ${Number(meanLog.toPrecision(3))}, ${Number((sigma * Math.sqrt(years)).toPrecision(3))} per sigma): use a shorter maturity or horizon, or a smaller drift or vol`,
    });
  }
}

/**
 * What a replay's paths and grid are, so that nothing is accepted and then ignored: a
 * replay of one series is one path on its own rows (no paths, steps, step, onlyPath or
 * spot); several CSVs or windows make their own paths (`paths`, when given, runs the
 * first of them); a bootstrap draws `paths`; windows and bootstrap exclude each other.
 */
function checkReplay(c: { market: z.output<typeof BacktestMarketSchema>; simulation: z.output<typeof SimulationSchema> }, ctx: z.core.$RefinementCtx): void {
  const m = c.market;
  const s = c.simulation;
  if (m?.model !== 'replay' || !s) return;
  const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
  if (m.windows !== undefined && m.bootstrap !== undefined) issue(['market', 'bootstrap'], 'and market.windows both make the paths of a replay: give one');
  if (!replaysHistory(m)) {
    const single = 'a replay of one series is one path on its own rows';
    const more = 'several paths come from market.windows or market.bootstrap (or several CSVs)';
    if (s.onlyPath !== undefined) issue(['simulation', 'onlyPath'], 'a replay has one path (its series): there is no other path to pick');
    if (s.paths !== undefined) issue(['simulation', 'paths'], `is not used: ${single} (${more})`);
    if (s.steps !== undefined) issue(['simulation', 'steps'], `is not used: ${single}, its grid`);
    if (s.step !== undefined) issue(['simulation', 'step'], `is not used: ${single}, its grid (a step applies to ${more.replace('several paths come from ', '')})`);
    if (m.spot !== undefined) issue(['market', 'spot'], `is not used: ${single}, at its own prices (paths of several series, windows or a bootstrap are rescaled to start at it)`);
    return;
  }
  if (s.steps !== undefined) issue(['simulation', 'steps'], "is not used: a replay's grid is its data's spacing, or a coarser simulation.step");
}

/**
 * Runaway protection compares the hedge position on chain with the records and watches
 * hedges that fail to move the exposure: in a simulation every fill is recorded as it
 * happens, so it could never trip. A config that names it is refused rather than
 * backtested as if it had been tested. (Insurance and the crash breaker are simulated.)
 */
function checkLiveOnlyPolicy(config: { policy: HedgePolicyConfig }, ctx: z.RefinementCtx): void {
  if (config.policy?.runaway === undefined) return;
  ctx.addIssue({
    code: 'custom',
    path: ['policy', 'runaway'],
    message: 'is not simulated: runaway protection compares the chain with the records, and in a backtest every fill is recorded as it happens (it could never trip); remove it to backtest the rest of the policy',
  });
}

/**
 * A book without options (liquidity positions only, or none for an insured portfolio) has
 * no expiry to end the run at: it needs simulation.horizon.
 */
function checkBookHorizon(c: { book: BookEntry[]; policy: HedgePolicyConfig; simulation: z.output<typeof SimulationSchema> }, ctx: z.RefinementCtx): void {
  if (!Array.isArray(c.book) || c.book.some((o) => o?.type !== LIQUIDITY_TYPE) || c.simulation?.horizon !== undefined) return;
  if (c.book.length === 0 && c.policy?.insurance === undefined) return; // checkBookNeeded says what is missing
  const what = c.book.length === 0 ? 'an insured portfolio without a book' : 'a book of liquidity positions only';
  ctx.addIssue({ code: 'custom', path: ['simulation', 'horizon'], message: `must be given: ${what} has no expiry to end the run at (e.g. "horizon": "30d")` });
}

/** A book to hedge, unless the policy insures a portfolio of the underlying and cash (which needs none). */
function checkBookNeeded(config: { book: unknown[]; policy: HedgePolicyConfig }, ctx: z.RefinementCtx): void {
  if (!Array.isArray(config.book) || config.book.length > 0 || config.policy?.insurance !== undefined) return;
  ctx.addIssue({ code: 'custom', path: ['book'], message: 'needs at least one option or liquidity position (or the policy\'s insurance, which insures a portfolio of the underlying and cash and needs no book)' });
}

export const BacktestConfigSchema = z
  .object({
    /** Free text, ignored. */
    description: z.string().optional(),
    market: BacktestMarketSchema,
    /** Options and liquidity positions; [] for an insured portfolio (policy.insurance: the underlying and cash). */
    book: z.array(BookEntrySchema),
    policy: HedgePolicyConfigSchema,
    costs: CostsSchema.default(CostsSchema.parse({})),
    /** Named sets of venues with their cost models; the run executes on one (`use`). Absent: `costs`. */
    venues: VenuesSchema.optional(),
    simulation: SimulationSchema.default(SimulationSchema.parse({})),
  })
  .strict()
  .superRefine(checkRanges)
  .superRefine(checkVenues)
  .superRefine(checkReplay)
  .superRefine(checkLiveOnlyPolicy)
  .superRefine(checkBookNeeded)
  .superRefine(checkBookHorizon);

export type BacktestConfig = z.infer<typeof BacktestConfigSchema>;
export type BacktestConfigInput = z.input<typeof BacktestConfigSchema>;

// ---- errors in the user's terms

/** A config the run cannot honour, with the field to blame (a path as zod gives them). */
export class BacktestConfigError extends Error {
  constructor(
    readonly path: readonly (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

/** One problem of a config: where, and what ("is missing" problems say so with `missing`). */
export interface ConfigProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly missing?: true;
}

/** What each section holds, for "X is missing" messages. */
const SECTION_EXAMPLES: Readonly<Record<string, string>> = {
  market: '{"model": "gbm", "spot": 49, "vol": 0.2}',
  book: 'a list of options, e.g. [{"type": "call", "strike": 50, "maturity": "20w", "quantity": -100000}]',
  policy: '{"underlying": "XYZ", "band": {"unit": "units", "trigger": 5}}',
};

const valueAt = (raw: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), raw);

/** "book[0].maturity" for ["book", 0, "maturity"]. */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('');
}

type AnySchema = z.core.$ZodType;
const defOf = (schema: AnySchema): { type: string } & Record<string, unknown> => schema._zod.def as unknown as { type: string } & Record<string, unknown>;

/**
 * The object schema at `path` of `schema` (wrappers, arrays and discriminated unions
 * followed, the union's option chosen by the raw value), for listing a section's fields.
 */
function objectSchemaAt(schema: AnySchema, path: readonly PropertyKey[], raw: unknown): Record<string, AnySchema> | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
    case 'readonly':
    case 'nonoptional':
      return objectSchemaAt(def.innerType as AnySchema, path, raw);
    case 'pipe':
      return objectSchemaAt(def.in as AnySchema, path, raw);
    case 'array':
      return path.length === 0 ? undefined : objectSchemaAt(def.element as AnySchema, path.slice(1), (raw as unknown[] | undefined)?.[path[0] as number]);
    case 'record':
      return path.length === 0 ? undefined : objectSchemaAt(def.valueType as AnySchema, path.slice(1), (raw as Record<string, unknown> | undefined)?.[String(path[0])]);
    case 'union': {
      const here = raw as Record<string, unknown> | undefined;
      const discriminator = def.discriminator as string | undefined;
      for (const option of def.options as AnySchema[]) {
        const shape = objectSchemaAt(option, [], undefined);
        const literal = discriminator && shape?.[discriminator] ? (defOf(shape[discriminator]).values as unknown[] | undefined) : undefined;
        if (literal === undefined || literal.includes(here?.[discriminator!])) return objectSchemaAt(option, path, raw);
      }
      return undefined;
    }
    case 'object': {
      const shape = def.shape as Record<string, AnySchema>;
      if (path.length === 0) return shape;
      const key = String(path[0]);
      const child = shape[key];
      return child ? objectSchemaAt(child, path.slice(1), (raw as Record<string, unknown> | undefined)?.[key]) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The problems of a config that failed {@link BacktestConfigSchema}, in the user's terms:
 * a missing field or section says it is missing (not what the schema expected of it),
 * an unknown field names its section and that section's fields.
 */
export function describeConfigProblems(error: z.ZodError, raw: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = Object.keys(objectSchemaAt(BacktestConfigSchema, path, raw) ?? {});
      const fields = known.length > 0 ? ` (${path.length === 0 ? 'a config has' : 'it has'}: ${known.join(', ')})` : '';
      problems.push({ path, message: `unknown field(s)${path.length === 0 ? ' at the top level' : ''}: ${issue.keys.join(', ')}${fields}` });
      continue;
    }
    // A missing field says it is missing; a rule across fields (custom) says what it says.
    if (valueAt(raw, path) === undefined && path.length > 0 && issue.code !== 'custom') {
      const options = issue.code === 'invalid_union' && 'options' in issue ? ` (one of ${(issue.options as unknown[]).map((o) => JSON.stringify(o)).join(', ')})` : '';
      const example = path.length === 1 ? SECTION_EXAMPLES[String(path[0])] : undefined;
      problems.push({ path, message: `is missing${options}${example ? `: ${example}` : ''}`, missing: true });
      continue;
    }
    // A bad key of a record (a venue set's name): what is wrong with it, not "Invalid key".
    const keyIssues = issue.code === 'invalid_key' ? (issue.issues as { message: string }[]) : [];
    problems.push({ path, message: keyIssues.length > 0 ? keyIssues.map((i) => i.message).join('; ') : issue.message });
  }
  return problems;
}

// ---- the grid and the cadence

/** Steps when the config names none. */
export const DEFAULT_STEPS = 100;

/**
 * The default grid: a pure cadence policy decides once per interval (one step per
 * cadence interval); any other policy watches 100 equal steps, or the cadence interval
 * if that is finer.
 */
function defaultGrid(policy: BacktestConfig['policy'], horizonMs: number): GridSpacing {
  const cadence = policy.cadence;
  if (!cadence) return { steps: DEFAULT_STEPS };
  const cadenceOnly = !policy.band && !policy.priceMove && !policy.whalleyWilmott;
  return cadenceOnly || cadence.everyMs < horizonMs / DEFAULT_STEPS ? { stepMs: cadence.everyMs } : { steps: DEFAULT_STEPS };
}

const horizonMsOf = (config: BacktestConfig): number => config.simulation.horizon ?? Math.max(...bookOptions(config.book).map(({ option }) => option.maturity));

/** The grid spacing a (simulated) config asks for: its steps or step, else the default. */
function gridSpacing(config: BacktestConfig): GridSpacing {
  const s = config.simulation;
  return s.steps !== undefined ? { steps: s.steps } : s.step !== undefined ? { stepMs: s.step } : defaultGrid(config.policy, horizonMsOf(config));
}

/** A replayed series as read from its CSV: epoch ms and prices. */
export interface PriceSeries {
  readonly timesMs: readonly number[];
  readonly prices: readonly number[];
}

/** The series of a replay, one per CSV in order (one for a replay of one file). */
export type ReplaySeries = PriceSeries | readonly PriceSeries[];

const seriesList = (series: ReplaySeries | undefined): readonly PriceSeries[] => {
  if (series === undefined) throw new Error('a replay needs its price series');
  return 'timesMs' in series ? [series] : series;
};

const recorded = (series: PriceSeries): RecordedSeries => {
  const t0 = series.timesMs[0] ?? 0;
  return { offsetsMs: series.timesMs.map((t) => t - t0), prices: series.prices };
};

const replayMarket = (series: PriceSeries): Extract<MarketModel, { kind: 'replay' }> => ({ kind: 'replay', ...recorded(series) });

/** The config path that sets the horizon: simulation.horizon, else the longest maturity. */
const horizonPath = (config: BacktestConfig): (string | number)[] => {
  if (config.simulation.horizon !== undefined) return ['simulation', 'horizon'];
  const options = bookOptions(config.book);
  const longest = options.reduce((best, o) => (o.option.maturity > best.option.maturity ? o : best), options[0]!).index;
  return ['book', longest, 'maturity'];
};

/**
 * The history market of a replay of several paths (several CSVs, windows, bootstrap),
 * its data checked against the run: the grid step is simulation.step or the coarsest
 * spacing of the CSVs' rows (never finer than the rows), every path starts at
 * market.spot (default the first CSV's first price), a window or a CSV must cover the
 * horizon, a bootstrap's horizon is a whole number of steps and its blocks at least one.
 */
export function historyMarketOf(config: BacktestConfig, series: ReplaySeries): HistoryMarket {
  const m = config.market;
  if (m.model !== 'replay') throw new Error('not a replay');
  const files = replayFiles(m);
  const list = seriesList(series).map(recorded);
  const spacings = list.map(dataSpacingMs);
  const coarsest = Math.max(...spacings);
  const at = spacings.indexOf(coarsest);
  const stepMs = config.simulation.step ?? coarsest;
  if (stepMs < coarsest) {
    throw new BacktestConfigError(['simulation', 'step'], `a step of ${durationText(stepMs)} is finer than the rows of ${files[at]} (${durationText(coarsest)} apart): the replay can only be read at its rows or coarser`);
  }
  const horizonMs = horizonMsOf(config);
  const sampling: HistorySampling = m.windows !== undefined ? { kind: 'windows', everyMs: m.windows.every } : m.bootstrap !== undefined ? { kind: 'bootstrap', meanBlockMs: m.bootstrap.meanBlock } : { kind: 'series' };
  const market: HistoryMarket = { kind: 'history', series: list, spot: m.spot ?? seriesList(series)[0]!.prices[0]!, stepMs, sampling };
  const spans = list.map((s) => s.offsetsMs[s.offsetsMs.length - 1]!);
  if (sampling.kind === 'series') {
    const short = spans.findIndex((span) => span < horizonMs);
    if (short >= 0) throw new BacktestConfigError(['market', 'csv'], `${files[short]} spans ${durationText(spans[short]!)}, shorter than the run (${durationText(horizonMs)}): each CSV is a path and must cover the horizon (give a shorter run, or cut windows of it: market.windows, --windows-every)`);
  } else if (sampling.kind === 'windows') {
    if (historyPathCount(market, horizonMs) === 0) {
      throw new BacktestConfigError(horizonPath(config), `a run of ${durationText(horizonMs)} is longer than the longest series (${durationText(Math.max(...spans))}): no window fits`);
    }
  } else {
    if (sampling.meanBlockMs < stepMs) throw new BacktestConfigError(['market', 'bootstrap', 'meanBlock'], `a mean block of ${durationText(sampling.meanBlockMs)} is shorter than one step of the replay (${durationText(stepMs)})`);
    if (horizonMs % stepMs !== 0) throw new BacktestConfigError(horizonPath(config), `a run of ${durationText(horizonMs)} is not a whole number of the replay's ${durationText(stepMs)} steps: a bootstrap draws one return per step`);
    if (spans.every((span) => span < stepMs)) throw new BacktestConfigError(['simulation', 'step'], `a step of ${durationText(stepMs)} is longer than every series: there is no return to resample`);
  }
  return market;
}

/**
 * The paths a replay of several paths runs: simulation.paths bootstrapped; or its CSVs or
 * windows, all of them, or the first simulation.paths of them (what an interrupted run
 * did), never more than it has.
 */
export function historyPaths(config: BacktestConfig, market: HistoryMarket): number {
  const asked = config.simulation.paths;
  if (market.sampling.kind === 'bootstrap') return asked ?? DEFAULT_PATHS;
  const count = historyPathCount(market, horizonMsOf(config));
  if (asked !== undefined && asked > count) {
    const what = market.sampling.kind === 'windows' ? 'windows' : 'CSVs';
    throw new BacktestConfigError(['simulation', 'paths'], `asks for ${asked.toLocaleString('en-US')} paths, and the replay has ${count.toLocaleString('en-US')} (its ${what}, one path each): give at most ${count.toLocaleString('en-US')}, or leave it out to run them all (more paths come from market.bootstrap)`);
  }
  return asked ?? count;
}

/** How the step was changed so that the cadence is honoured. */
export interface StepRefinement {
  /** The spacing asked for (the config's step, or its equal steps), ms. */
  readonly fromMs: number;
  /** What was asked: "step", "steps" or the default grid. */
  readonly asked: 'step' | 'steps' | 'default';
  /** The step the run uses, ms: it divides the cadence. */
  readonly toMs: number;
  readonly cadenceMs: number;
}

/**
 * The config with a simulation step on which the policy's cadence fires exactly (a
 * cadence finer than the step, or not a whole number of steps, would otherwise be
 * silently coarsened: see cadence-grid.ts). The step is refined, never coarsened, and
 * the change is returned so that the caller can say so. A replay cannot be refined: a
 * cadence finer than its rows is an error. A vol-scaled cadence varies and is left alone.
 */
export function fitStepToCadence(config: BacktestConfig, series?: ReplaySeries): { config: BacktestConfig; refinement?: StepRefinement } {
  const cadence = config.policy.cadence;
  if (cadence === undefined || config.policy.volScaling?.scaleCadence === true) return { config };
  const horizonMs = horizonMsOf(config);
  if (config.market.model === 'replay' && replaysHistory(config.market)) {
    if (!series) return { config };
    const stepMs = historyMarketOf(config, series).stepMs;
    if (!honoursCadence(cadence.everyMs, stepMs)) {
      throw new BacktestConfigError(['policy', 'cadence', 'everyMs'], `a cadence of ${durationText(cadence.everyMs)} is not a whole number of the replay's ${durationText(stepMs)} steps (its rows${config.simulation.step === undefined ? '' : ', read every simulation.step'}): a replay cannot hedge between them`);
    }
    return { config };
  }
  if (config.market.model === 'replay') {
    if (!series) return { config };
    const rowsMs = shortestSpacingMs(replayGrid(replayMarket(seriesList(series)[0]!), horizonMs).offsetsMs);
    if (cadence.everyMs < rowsMs) {
      throw new BacktestConfigError(['policy', 'cadence', 'everyMs'], `a cadence of ${durationText(cadence.everyMs)} is finer than the replayed series, whose rows are ${durationText(rowsMs)} or more apart: a replay cannot hedge between its rows (use ${durationText(rowsMs)} or more)`);
    }
    return { config };
  }
  const spacing = gridSpacing(config);
  const intervalMs = gridIntervalMs(spacing, horizonMs);
  if (honoursCadence(cadence.everyMs, intervalMs)) return { config };
  const stepMs = stepForCadence(cadence.everyMs, intervalMs, horizonMs);
  if (stepMs === undefined) {
    throw new BacktestConfigError(['policy', 'cadence', 'everyMs'], `a cadence of ${durationText(cadence.everyMs)} needs a simulation step that divides it, and over ${durationText(horizonMs)} that is more than 10 million steps: give a cadence that is a whole number of steps`);
  }
  const { steps: _steps, ...simulation } = config.simulation;
  const asked = config.simulation.steps !== undefined ? 'steps' : config.simulation.step !== undefined ? 'step' : 'default';
  return { config: { ...config, simulation: { ...simulation, step: stepMs } }, refinement: { fromMs: intervalMs, asked, toMs: stepMs, cadenceMs: cadence.everyMs } };
}

/**
 * The cadence of a policy that hedges at every instant of the config's grid (a quick
 * run without a trigger): the shortest spacing of the grid, so that it fires at every
 * step — and, unlike a 1 ms cadence, one that a config file read back honours as is.
 */
export function everyStepCadenceMs(config: BacktestConfig, series?: ReplaySeries): number {
  const horizonMs = horizonMsOf(config);
  if (config.market.model === 'replay' && replaysHistory(config.market)) return historyMarketOf(config, seriesList(series)).stepMs;
  if (config.market.model === 'replay') return shortestSpacingMs(replayGrid(replayMarket(seriesList(series)[0]!), horizonMs).offsetsMs);
  return Math.max(1, Math.floor(gridIntervalMs(gridSpacing(config), horizonMs)));
}

// ---- the spec, and the config written back

/**
 * The domain spec of a validated config. A replay needs its series (read by the caller:
 * the contracts do no I/O); its first timestamp is t0. The step is refined to the
 * cadence as {@link fitStepToCadence} does (callers that report it call that first).
 */
export function backtestSpecFromConfig(input: BacktestConfig, series?: ReplaySeries): BacktestSpec {
  const config = onVenueSet(fitStepToCadence(input, series).config);
  const m = config.market;
  const s = config.simulation;
  let market: MarketModel;
  let defaultVol: number;
  let startMs = typeof s.start === 'number' ? s.start : Date.parse(s.start);
  let paths = s.paths ?? DEFAULT_PATHS;
  if (m.model === 'replay') {
    const list = seriesList(series);
    startMs = list[0]!.timesMs[0] ?? 0;
    if (replaysHistory(m)) {
      const history = historyMarketOf(config, list);
      market = history;
      defaultVol = historyRealisedVol(history);
      paths = historyPaths(config, history);
    } else {
      const replay = replayMarket(list[0]!);
      market = replay;
      defaultVol = realisedVol(replay);
      paths = 1;
    }
    if (defaultVol === 0 && m.impliedVol === undefined) {
      throw new BacktestConfigError(['market', 'impliedVol'], `${replayFiles(m).join(', ')}: the series has zero realised vol (its price never changes), so there is no vol to price and hedge the options at: give one with --implied-vol (market.impliedVol in a config)`);
    }
  } else if (m.model === 'merton') {
    market = { kind: 'merton', spot: m.spot, drift: m.drift, vol: m.vol, jumpIntensity: m.jumps.intensity, jumpMean: m.jumps.mean, jumpStd: m.jumps.std };
    defaultVol = totalVol(market);
  } else if (m.model === 'garch') {
    const garch = garchMarketOf(m);
    market = garch;
    defaultVol = annualisedVolOf(garchLongRunVariance(garch), garch.intervalMs);
  } else {
    market = { kind: 'gbm', spot: m.spot, drift: m.drift, vol: m.vol };
    defaultVol = m.vol;
  }
  const book: BookOption[] = bookOptions(config.book).map(({ option: o, index: i }) => ({
    id: o.id ?? `option-${i + 1}`,
    optionType: o.type,
    strike: o.strike,
    maturityMs: o.maturity,
    quantity: o.quantity,
    ...(o.vol === undefined ? {} : { vol: o.vol }),
  }));
  const liquidity = config.book.flatMap((o, i) => (isBookOption(o) ? [] : [bookLiquidityOf(o, i)]));
  if (s.onlyPath !== undefined && s.onlyPath >= paths) {
    const what = market.kind === 'history' ? (market.sampling.kind === 'windows' ? 'windows' : market.sampling.kind === 'series' ? 'CSVs' : 'paths') : 'paths';
    throw new BacktestConfigError(['simulation', 'onlyPath'], `is path ${s.onlyPath}, and the run has ${paths.toLocaleString('en-US')} ${what}: paths 0 to ${paths - 1}`);
  }
  const c = config.costs;
  const slippage = c.slippage.model === 'none' ? ({ kind: 'none' } as const) : c.slippage.model === 'fixed' ? ({ kind: 'fixed', bps: c.slippage.bps } as const) : ({ kind: 'sqrt', k: c.slippage.k, advUnits: c.slippage.adv } as const);
  return {
    market,
    rate: m.rate,
    yield: m.yield,
    pricingVol: m.impliedVol ?? defaultVol,
    ...(m.hedgeWith === 'path' ? { hedgeVol: defaultVol } : {}),
    fundingRate: m.fundingRate ?? m.rate - m.yield,
    book,
    ...(liquidity.length === 0 ? {} : { liquidity }),
    policy: config.policy,
    costs: { feeBps: c.feeBps, slippage, gasUsd: c.gasUsd },
    paths: s.onlyPath !== undefined ? 1 : paths,
    seed: s.seed,
    ...(s.onlyPath === undefined ? {} : { firstPath: s.onlyPath }),
    startMs,
    ...(s.horizon === undefined ? {} : { horizonMs: s.horizon }),
    grid: market.kind === 'history' ? { stepMs: market.stepMs } : gridSpacing(config),
    ...(config.venues === undefined ? {} : { venues: venueSetModel(config, m.fundingRate ?? m.rate - m.yield) }),
  };
}

type BacktestVenue = z.output<typeof BacktestVenueSchema>;
type BacktestPool = z.output<typeof BacktestPoolSchema>;

/** The set a config runs on, by name (it was checked by the schema). */
function usedSet(config: BacktestConfig): { name: string; set: z.output<typeof VenueSetSchema> } | undefined {
  const chosen = venueSetName(config.venues);
  if (chosen === undefined) return undefined;
  if ('problem' in chosen) throw new BacktestConfigError(['venues', 'use'], chosen.problem);
  return { name: chosen.name, set: config.venues!.sets[chosen.name]! };
}

/**
 * The config as it runs on its venue set: the set's hedgeInstrument, when it names one,
 * is the policy's (so that the config written back says what ran). Idempotent.
 */
export function onVenueSet(config: BacktestConfig): BacktestConfig {
  const instrument = usedSet(config)?.set.hedgeInstrument;
  return instrument === undefined || instrument === config.policy.hedgeInstrument ? config : { ...config, policy: { ...config.policy, hedgeInstrument: instrument } };
}

const poolModel = (pool: BacktestPool): PoolSpec => ({ version: pool.version, feePips: pool.version === 'v3' ? pool.fee : V2_FEE_PIPS, depthUnits: pool.depth, gasUsd: pool.gasUsd });

/** The domain's venue set: the first venue of each instrument (the schema refuses a second). */
function venueSetModel(config: BacktestConfig, marketFunding: number): VenueSet {
  const { name, set } = usedSet(config)!;
  const first = <K extends BacktestVenue['kind']>(kinds: readonly K[]): Extract<BacktestVenue, { kind: K }> | undefined =>
    set.venues.find((v): v is Extract<BacktestVenue, { kind: K }> => (kinds as readonly string[]).includes(v.kind));
  const spot = first(['uniswap-v3', 'uniswap-routed'] as const);
  const perp = first(['perp-v2'] as const);
  const option = first(['lyra-v1'] as const);
  const funding = (f: z.output<typeof FundingSchema> | undefined): FundingModel =>
    f === undefined
      ? { kind: 'constant', annualRate: marketFunding }
      : f.model === 'constant'
        ? { kind: 'constant', annualRate: f.annualRate }
        : { kind: 'meanReverting', mean: f.mean, start: f.start ?? f.mean, reversionPerYear: Math.LN2 / (f.halfLife / MS_PER_YEAR), volPerYear: f.vol };
  return {
    name,
    ...(spot === undefined
      ? {}
      : {
          spot:
            spot.kind === 'uniswap-v3'
              ? { kind: 'uniswap-v3', id: spot.id, pool: { version: 'v3', feePips: spot.fee, depthUnits: spot.depth, gasUsd: spot.gasUsd } }
              : { kind: 'uniswap-routed', id: spot.id, pools: spot.pools.map(poolModel), slices: spot.slices },
        }),
    ...(perp === undefined ? {} : { perp: { kind: 'perp-v2', id: perp.id, feeRatio: perp.feeRatio, depthUnits: perp.depth, gasUsd: perp.gasUsd, funding: funding(perp.funding) } }),
    ...(option === undefined
      ? {}
      : { option: { kind: 'lyra-v1', id: option.id, ...(option.baseVol === undefined ? {} : { baseVol: option.baseVol }), skew: option.skew, premiumFee: option.premiumFee, spotFee: option.spotFee, gasUsd: option.gasUsd } }),
  };
}

/**
 * A validated config written back as input: what it parses to is the same config. The
 * parsed form holds durations in milliseconds, which a config file would read as years;
 * here they are duration strings that read back exactly ("20w", "3.5d", "370285.714s").
 */
export function configAsInput(config: BacktestConfig): BacktestConfigInput {
  const { step, horizon, ...simulation } = config.simulation;
  const venues = config.venues;
  const m = config.market;
  const market =
    m.model === 'garch'
      ? { ...m, interval: durationText(m.interval) }
      : m.model !== 'replay'
        ? m
        : {
          ...m,
          ...(m.windows === undefined ? {} : { windows: { every: durationText(m.windows.every) } }),
          ...(m.bootstrap === undefined ? {} : { bootstrap: { meanBlock: durationText(m.bootstrap.meanBlock) } }),
        };
  return {
    ...config,
    market,
    ...(venues === undefined
      ? {}
      : {
          venues: {
            ...venues,
            sets: Object.fromEntries(
              Object.entries(venues.sets).map(([name, set]) => [
                name,
                { ...set, venues: set.venues.map((v) => (v.kind === 'perp-v2' && v.funding?.model === 'meanReverting' ? { ...v, funding: { ...v.funding, halfLife: durationText(v.funding.halfLife) } } : v)) },
              ]),
            ),
          },
        }),
    book: config.book.map((o) => (isBookOption(o) ? { ...o, maturity: durationText(o.maturity) } : o)),
    simulation: {
      ...simulation,
      ...(step === undefined ? {} : { step: durationText(step) }),
      ...(horizon === undefined ? {} : { horizon: durationText(horizon) }),
    },
  };
}
