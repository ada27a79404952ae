/**
 * `hedge backtest`: simulates writing and hedging an options book with the policy
 * engine, over many seeded price paths (GBM, Merton jumps) or a replayed CSV, and
 * reports what the hedging cost (see BACKTEST_HELP). `--sweep` runs one backtest per
 * value of a flag and draws the cost-versus-risk frontier.
 *
 * Everything is validated before anything runs: a bad flag, config, CSV or sweep value
 * is a clear message on stderr and exit status 2.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as z from 'zod';
import { BacktestConfigSchema, backtestSpecFromConfig, type BacktestConfig, type PriceSeries } from '../../shared/contracts/backtest-config.ts';
import { describeSchemaError } from '../../shared/contracts/option-lines.ts';
import { describeCosts } from '../../shared/domain/backtest/costs.ts';
import { formatDurationMs, parseDurationMs } from '../../shared/domain/backtest/durations.ts';
import { compareFrontiers, efficientMask, type FrontierPoint } from '../../shared/domain/backtest/frontier.ts';
import { POLICY_ENGINE } from '../../shared/domain/backtest/policy-engine.ts';
import { gridFor, runBacktest, type BacktestSpec, type BacktestSummary } from '../../shared/domain/backtest/simulate.ts';
import { createPathSource } from '../../shared/domain/backtest/market-paths.ts';
import { DomainError } from '../../shared/domain/errors.ts';
import type { HedgePolicyConfig } from '../../shared/contracts/hedge-policy-config.ts';
import { renderFrontierSvg, type ChartSeries } from '../frontier-chart.ts';
import { CsvError, parsePriceCsv } from '../price-csv.ts';
import { createProgress } from '../progress.ts';

export const BACKTEST_HELP = `hedge backtest — what hedging an options book costs, over simulated or replayed prices

Usage:
  hedge backtest --config FILE [flags]        a book, market, policy and costs from a file
  hedge backtest [flags]                      a one-option book and a simple policy from flags
  hedge backtest ... --sweep KEY=v1,v2,...    one backtest per value: the cost/risk frontier

What it does: writes (or buys) the book at t0 at its Black-Scholes value, then along
each price path calls the hedge policy engine at every step with the book's risk (BSM
Greeks at the pricing vol, the hedge position included), fills its orders at the step's
price with fees, slippage and gas, and settles the options at expiry. Seeded: the same
command gives the same numbers; path p is the same in every run with the same seed, so
runs of a sweep see the same paths (common random numbers).

Definitions (USD; PV = discounted to t0 at the risk-free rate):
  bookValue        Black-Scholes value of the book as held at t0 (Σ quantity × price:
                   negative for a written book). premium = −bookValue.
  hedgeCost        per path: the PV of every cash flow after the premium — option payoffs,
                   hedge gains/losses, carry, fees, slippage, gas — as money paid by the
                   hedger. The premium is NOT included (Hull's "cost of writing and
                   hedging"): for a written book the mean is close to the premium, and a
                   perfect hedge has std 0. Reported: mean, std, p05, p95 over the paths.
  pnl              per path: premium − hedgeCost.
  ratio            std(hedgeCost) / |bookValue|.
  tradesPerPath    executed orders per path, the unwind at the horizon included.
  transactionCosts fees + slippage + gas, PV per path.
  timeOutsideBand  fraction of the time the delta carried between steps (after the
                   policy's trades) was outside the configured band (band.trigger, no vol
                   scaling); decisionsOutsideBand: fraction of steps at which the policy
                   found it outside. null without a band.
  attribution      mean PV by source, same sign as hedgeCost, parts sum to its mean:
                   option (book payoffs/marks), hedge (−gains of the perp/spot hedge),
                   hedgeOptions (options traded by the policy: premiums − payoffs),
                   financing (carry of the hedge: perp funding, or for spot interest on
                   the cash tied up less the yield), fees, slippage, gas.
  Cash earns/pays the risk-free rate; in PV at that rate the interest nets to zero.
  At the horizon the perp/spot hedge is unwound (a trade with its costs) and options
  still alive (horizon or data ending before expiry) are marked at Black-Scholes.

Flags (override the config's fields; a value may also be written --flag=value):
 book (a one-option book; with --config the book must have one option):
  --type call|put       option type                                   [call]
  --strike K            strike, USD                                   [the spot]
  --maturity DUR        time to expiry                                [30d]
  --quantity Q          signed units of the underlying, negative = written   [-1]
 market:
  --spot S              initial price, USD                            [100]
  --drift MU            real-world drift of the price, per year        [0]
  --vol SIGMA           volatility of the price (diffusion part), per √year   [0.2]
  --rate R              risk-free rate (continuous), per year          [0]
  --yield Q             yield/carry of the underlying, per year        [0]
  --implied-vol V       vol the options are priced and hedged at
                        [GBM: --vol; Merton: √(σ² + λ(m² + s²)); replay: realised vol]
  --funding-rate F      annual funding paid by a long perp             [rate − yield]
  --jumps L,M,S         Merton jump-diffusion: L jumps/year, log size ~ N(M, S²)
                        (M < 0: flash crashes; drift stays compensated); "off" = GBM
  --csv FILE            replay a timestamp,price CSV instead (one path; see below)
 policy (HedgePolicyConfig; quick runs hedge at every step when no trigger is given):
  --hedge-every DUR     cadence: hedge to the target every DUR; "off" removes it
  --band X              delta band: trade when |delta| > X units; "off" removes it
  --min-trade X         skip orders below X units                      [0]
  --hedge-instrument perp|spot                                         [perp]
 costs:
  --fee-bps B           proportional fee, bps of traded notional       [0]
  --slippage-bps B      fixed slippage, bps of traded notional         [none]
  --impact-k K --adv A  square-root impact instead: slippage fraction k·σ_day·√(|q|/A),
                        σ_day = pricing vol/√365, A = average daily volume (units/day)
  --gas-usd G           fixed cost per trade, USD                      [0]
 simulation:
  --paths N             number of paths                                [10000]
  --seed S              seed (integer ≥ 0)                             [1]
  --steps N             N equal steps to the horizon, or
  --step DUR            one step every DUR    [a pure cadence: its interval; else 100 steps]
  --horizon DUR         end of the run                                 [last expiry]
  --start ISO           the clock at t0 (daily caps, cooldowns, hedge option expiries)
                        [2025-01-01T00:00:00Z]
 output:
  --json                one JSON object instead of the table
  --sweep KEY=v1,v2,..  one run per value of flag KEY (e.g. band=0.05,0.1,0.2 or
                        hedge-every=1d,2d,1w); repeat --sweep for several series on
                        the same frontier. Prints the frontier (mean cost against std)
                        and writes an SVG chart.
  --chart FILE          where the sweep's chart goes             [./backtest-frontier.svg]
  --help                this text

Durations: 20w, 0.5w, 1d, 4h, 30m, 45s, 2y, or a plain number of years (a week is 7/365
of a year, a day 1/365).

Config file (JSON; unknown fields are errors; examples in examples/backtest/):
  {
    "description": "free text",
    "market": {                     one of:
      "model": "gbm",    "spot": 49, "drift": 0.13, "vol": 0.2,
      "model": "merton", "spot", "drift", "vol", "jumps": {"intensity": 2, "mean": -0.15, "std": 0.05},
      "model": "replay", "csv": "prices.csv"      (path relative to the config file)
      and for all: "rate": 0.05, "yield": 0, "impliedVol": 0.2, "fundingRate": 0.05 (optional)
    },
    "book": [ {"id": "c1", "type": "call", "strike": 50, "maturity": "20w",
               "quantity": -100000, "vol": 0.2 (optional)} ],
    "policy": { the hedge policy config of the account (HedgePolicyConfig): "underlying",
                "hedgeInstrument", "band", "cadence" (everyMs), "priceMove", "volScaling",
                "whalleyWilmott", "limits" (with "hedgeOptions": options the policy may
                trade, priced at BSM; expiryMs is epoch ms on the run's clock), "guards",
                "slicing" — durations there are milliseconds },
    "costs": { "feeBps": 2, "gasUsd": 1.5,
               "slippage": {"model": "none"} | {"model": "fixed", "bps": 3}
                         | {"model": "sqrt", "k": 0.8, "adv": 500000} },
    "simulation": { "paths": 10000, "seed": 1, "steps": 100 | "step": "1d",
                    "horizon": "20w", "start": "2025-01-01T00:00:00Z" }
  }

Replay CSV: one "timestamp,price" row per observation, optional header line, in
increasing time order. Timestamps: ISO-8601 (no offset = UTC) or epoch numbers (seconds
below 1e11, milliseconds from 1e11). t0 is the first row; options settle at the first
row at or after their expiry; the grid is the rows themselves.

Models: GBM dS/S = μdt + σdW (exact log-normal steps). Merton: dS/S = (μ − λκ)dt + σdW +
jumps, log jump ~ N(m, s²), κ = e^{m+s²/2} − 1, so E[S_t] = S₀e^{μt}. Random numbers:
xoshiro128** streams per (seed, path), normals by inversion (Wichura AS 241).

Exit status: 0 done; 2 bad flags, config, CSV or sweep (nothing is run); 1 a run failed.
Progress is shown on stderr when it is a terminal.

Examples:
  hedge backtest --spot 49 --strike 50 --maturity 20w --quantity -100000 --vol 0.2 \\
    --rate 0.05 --drift 0.13 --hedge-every 1w
  hedge backtest --config examples/backtest/hull-weekly.json --json
  hedge backtest --config examples/backtest/eth-short-call.json \\
    --sweep band=2,5,10,20 --sweep hedge-every=4h,1d,3d,1w --chart frontier.svg
`;

const DEFAULT_CHART = 'backtest-frontier.svg';

/** A user's mistake: message on stderr, exit status 2, nothing run. */
export class UsageError extends Error {}

const VALUE_FLAGS = [
  'config', 'type', 'strike', 'maturity', 'quantity', 'spot', 'drift', 'vol', 'rate', 'yield', 'implied-vol', 'funding-rate', 'jumps', 'csv',
  'hedge-every', 'band', 'min-trade', 'hedge-instrument', 'fee-bps', 'slippage-bps', 'impact-k', 'adv', 'gas-usd',
  'paths', 'seed', 'steps', 'step', 'horizon', 'start', 'sweep', 'chart',
] as const;
const BOOLEAN_FLAGS = ['json', 'help'] as const;
/** Flags a sweep cannot vary (files, output, or values with commas). */
const NOT_SWEEPABLE = new Set(['config', 'csv', 'sweep', 'chart', 'jumps', 'start']);

type RawFlags = Record<string, string | string[] | true>;

/** `--name value`, `--name=value`, booleans; values may start with "-" (negative numbers). */
export function tokenizeArgs(args: readonly string[]): RawFlags {
  const flags: RawFlags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') continue;
    if (arg === '-h') {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (flags start with --)`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if ((BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) throw new UsageError(`unknown flag --${name}`);
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (name === 'sweep') {
      const list = (flags.sweep as string[] | undefined) ?? [];
      list.push(value);
      flags.sweep = list;
    } else if (flags[name] !== undefined) throw new UsageError(`--${name} is given twice`);
    else flags[name] = value;
  }
  return flags;
}

// ---- flag values (one schema: every flag, its type and range)

const numberFlag = z.string().transform((text, ctx) => {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `expected a number, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return n;
});
const positiveFlag = numberFlag.pipe(z.number().positive({ error: 'must be > 0' }));
const nonNegativeFlag = numberFlag.pipe(z.number().nonnegative({ error: 'must be >= 0' }));
const integerFlag = (min: number) => numberFlag.pipe(z.number().int({ error: 'must be an integer' }).min(min, { error: `must be >= ${min}` }));
const durationFlag = z.string().transform((text, ctx) => {
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a duration (e.g. 20w, 0.5w, 1d, 4h, 30m, or years)` });
    return z.NEVER;
  }
  return { text: text.trim(), ms };
});
/** "off" (remove the rule), or a value of `schema`, keeping its error messages. */
const orOff = <T>(schema: z.ZodType<T, string>) =>
  z.string().transform((text, ctx): T | 'off' => {
    if (text.trim() === 'off') return 'off';
    const parsed = schema.safeParse(text);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  });
const jumpsFlag = z.string().transform((text, ctx) => {
  if (text.trim() === 'off') return 'off' as const;
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p)) || parts[0]! < 0 || parts[2]! < 0) {
    ctx.addIssue({ code: 'custom', message: `expected "intensity,mean,std" (e.g. 2,-0.15,0.05; intensity and std >= 0) or "off", got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return { intensity: parts[0]!, mean: parts[1]!, std: parts[2]! };
});

export const BacktestFlagsSchema = z
  .object({
    config: z.string().min(1).optional(),
    type: z.enum(['call', 'put'], { error: 'expected call or put' }).optional(),
    strike: positiveFlag.optional(),
    maturity: durationFlag.optional(),
    quantity: numberFlag.pipe(z.number().refine((q) => q !== 0, { message: 'must not be 0' })).optional(),
    spot: positiveFlag.optional(),
    drift: numberFlag.optional(),
    vol: nonNegativeFlag.optional(),
    rate: numberFlag.optional(),
    yield: numberFlag.optional(),
    'implied-vol': nonNegativeFlag.optional(),
    'funding-rate': numberFlag.optional(),
    jumps: jumpsFlag.optional(),
    csv: z.string().min(1).optional(),
    'hedge-every': orOff(durationFlag).optional(),
    band: orOff(positiveFlag).optional(),
    'min-trade': nonNegativeFlag.optional(),
    'hedge-instrument': z.enum(['perp', 'spot'], { error: 'expected perp or spot' }).optional(),
    'fee-bps': nonNegativeFlag.optional(),
    'slippage-bps': nonNegativeFlag.optional(),
    'impact-k': nonNegativeFlag.optional(),
    adv: positiveFlag.optional(),
    'gas-usd': nonNegativeFlag.optional(),
    paths: integerFlag(1).optional(),
    seed: integerFlag(0).optional(),
    steps: integerFlag(1).optional(),
    step: durationFlag.optional(),
    horizon: durationFlag.optional(),
    start: z.string().min(1).optional(),
    sweep: z.array(z.string()).optional(),
    chart: z.string().min(1).optional(),
    json: z.literal(true).optional(),
    help: z.literal(true).optional(),
  })
  .strict();

export type BacktestFlags = z.infer<typeof BacktestFlagsSchema>;

function parseFlags(raw: RawFlags): BacktestFlags {
  const parsed = BacktestFlagsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new UsageError(
    parsed.error.issues
      .map((issue) => {
        const name = issue.path[0];
        return name === undefined ? issue.message : `--${String(name)}: ${issue.message}`;
      })
      .join('; '),
  );
}

// ---- the config: a file or the quick-run defaults, then the flags over it

const QUICK_RUN_UNDERLYING = 'ASSET';

/** Where a config came from, for messages and for relative CSV paths. */
interface ConfigSource {
  readonly raw: Record<string, unknown>;
  /** Folder that a relative market.csv is read from. */
  readonly baseDir: string;
  readonly fromFile: boolean;
}

type Json = Record<string, unknown>;
const obj = (parent: Json, key: string): Json => {
  const v = parent[key];
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Json;
  const fresh: Json = {};
  parent[key] = fresh;
  return fresh;
};

function loadConfigSource(flags: BacktestFlags, io: CommandIo): ConfigSource {
  if (flags.config === undefined) {
    return {
      raw: {
        market: { model: 'gbm', spot: 100, drift: 0, vol: 0.2, rate: 0, yield: 0 },
        book: [{ type: 'call', maturity: '30d', quantity: -1 }],
        policy: { underlying: QUICK_RUN_UNDERLYING },
        simulation: {},
      },
      baseDir: io.cwd,
      fromFile: false,
    };
  }
  const path = resolve(io.cwd, flags.config);
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read the config ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the config ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`the config ${path} must be a JSON object`);
  return { raw: raw as Json, baseDir: dirname(path), fromFile: true };
}

/** The flags written over a (deep-copied) raw config; returns the copy. */
export function applyFlags(source: ConfigSource, flags: BacktestFlags, cwd: string): { raw: Json; everyStep: boolean } {
  const raw = structuredClone(source.raw);
  const market = obj(raw, 'market');
  const policy = obj(raw, 'policy');
  const costs = obj(raw, 'costs');
  const simulation = obj(raw, 'simulation');

  // The book.
  const bookFlags = { type: flags.type, strike: flags.strike, maturity: flags.maturity?.text, quantity: flags.quantity };
  const bookFlagsGiven = Object.entries(bookFlags).filter(([, v]) => v !== undefined);
  if (!Array.isArray(raw.book)) raw.book = [{}];
  const book = raw.book as Json[];
  if (bookFlagsGiven.length > 0) {
    if (book.length !== 1) throw new UsageError(`--${bookFlagsGiven.map(([k]) => k).join(', --')} need a one-option book (the config has ${book.length} options)`);
    const option = book[0] !== null && typeof book[0] === 'object' ? { ...book[0] } : {};
    for (const [key, value] of bookFlagsGiven) option[key] = value;
    book[0] = option;
  }

  // The market.
  if (flags.csv !== undefined) {
    for (const key of ['spot', 'drift', 'vol', 'jumps'] as const) if (flags[key] !== undefined) throw new UsageError(`--${key} does not apply to a --csv replay`);
    const keep = Object.fromEntries(Object.entries(market).filter(([k]) => ['rate', 'yield', 'impliedVol', 'fundingRate'].includes(k)));
    raw.market = { ...keep, model: 'replay', csv: resolve(cwd, flags.csv) };
  }
  const m = raw.market as Json;
  if (m.model === 'replay' && typeof m.csv === 'string' && flags.csv === undefined) m.csv = resolve(source.baseDir, m.csv);
  if (m.model === 'replay') {
    for (const key of ['spot', 'drift', 'vol', 'jumps'] as const) if (flags[key] !== undefined) throw new UsageError(`--${key} does not apply to a replay market`);
  }
  if (flags.jumps !== undefined) {
    if (flags.jumps === 'off') {
      m.model = 'gbm';
      delete m.jumps;
    } else {
      m.model = 'merton';
      m.jumps = flags.jumps;
    }
  }
  const marketFlags = { spot: flags.spot, drift: flags.drift, vol: flags.vol, rate: flags.rate, yield: flags.yield, impliedVol: flags['implied-vol'], fundingRate: flags['funding-rate'] };
  for (const [key, value] of Object.entries(marketFlags)) if (value !== undefined) m[key] = value;
  // A quick run's strike defaults to the spot (at the money).
  if (!source.fromFile && book.length === 1 && book[0]!.strike === undefined) {
    if (typeof m.spot !== 'number') throw new UsageError('a replay needs --strike (there is no --spot to default it to)');
    book[0]!.strike = m.spot;
  }

  // The policy.
  if (flags['hedge-every'] !== undefined) {
    if (flags['hedge-every'] === 'off') delete policy.cadence;
    else policy.cadence = { ...obj(policy, 'cadence'), everyMs: flags['hedge-every'].ms };
  }
  if (flags.band !== undefined) {
    if (flags.band === 'off') delete policy.band;
    else policy.band = { ...obj(policy, 'band'), unit: 'units', trigger: flags.band };
  }
  if (flags['min-trade'] !== undefined) obj(policy, 'guards').minTradeUnits = flags['min-trade'];
  if (flags['hedge-instrument'] !== undefined) policy.hedgeInstrument = flags['hedge-instrument'];
  let everyStep = false;
  if (!source.fromFile && policy.band === undefined && policy.cadence === undefined && policy.priceMove === undefined && policy.whalleyWilmott === undefined) {
    // A quick run without a trigger hedges at every step: a 1 ms cadence, on the grid.
    policy.cadence = { everyMs: 1 };
    everyStep = true;
  }

  // Costs.
  if (flags['fee-bps'] !== undefined) costs.feeBps = flags['fee-bps'];
  if (flags['slippage-bps'] !== undefined) {
    if (flags['impact-k'] !== undefined || flags.adv !== undefined) throw new UsageError('--slippage-bps and --impact-k/--adv are two slippage models: give one');
    costs.slippage = { model: 'fixed', bps: flags['slippage-bps'] };
  }
  if (flags['impact-k'] !== undefined || flags.adv !== undefined) {
    const current = obj(costs, 'slippage');
    const k = flags['impact-k'] ?? (current.model === 'sqrt' ? current.k : undefined);
    const adv = flags.adv ?? (current.model === 'sqrt' ? current.adv : undefined);
    if (k === undefined || adv === undefined) throw new UsageError('square-root impact needs both --impact-k and --adv');
    costs.slippage = { model: 'sqrt', k, adv };
  }
  if (flags['gas-usd'] !== undefined) costs.gasUsd = flags['gas-usd'];

  // Simulation.
  if (flags.paths !== undefined) simulation.paths = flags.paths;
  if (flags.seed !== undefined) simulation.seed = flags.seed;
  if (flags.steps !== undefined) {
    simulation.steps = flags.steps;
    delete simulation.step;
  }
  if (flags.step !== undefined) {
    simulation.step = flags.step.text;
    delete simulation.steps;
  }
  if (everyStep && simulation.steps === undefined && simulation.step === undefined) simulation.steps = 100;
  if (flags.horizon !== undefined) simulation.horizon = flags.horizon.text;
  if (flags.start !== undefined) simulation.start = /^\d+$/.test(flags.start) ? Number(flags.start) : flags.start;
  return { raw, everyStep };
}

function validateConfig(raw: Json, label: string): BacktestConfig {
  const parsed = BacktestConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new UsageError(`${label}: ${describeSchemaError(parsed.error)}`);
}

// ---- one prepared run

interface PreparedRun {
  readonly label: string;
  readonly config: BacktestConfig;
  readonly spec: BacktestSpec;
  readonly everyStep: boolean;
}

function readSeries(config: BacktestConfig, io: CommandIo, cache: Map<string, PriceSeries>): PriceSeries | undefined {
  if (config.market.model !== 'replay') return undefined;
  const path = config.market.csv;
  const cached = cache.get(path);
  if (cached) return cached;
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read the price CSV ${path}: ${(error as Error).message}`);
  }
  try {
    const series = parsePriceCsv(text, path);
    cache.set(path, series);
    return series;
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(error.message);
    throw error;
  }
}

function prepare(source: ConfigSource, flags: BacktestFlags, label: string, io: CommandIo, csvCache: Map<string, PriceSeries>): PreparedRun {
  const { raw, everyStep } = applyFlags(source, flags, io.cwd);
  const config = validateConfig(raw, source.fromFile ? `config ${label}` : label);
  const series = readSeries(config, io, csvCache);
  let spec: BacktestSpec;
  try {
    spec = backtestSpecFromConfig(config, series);
    // Everything the run would reject up front: the spec, the grid, the market's parameters.
    const grid = gridFor(spec);
    createPathSource(spec.market, grid, spec.seed);
  } catch (error) {
    if (error instanceof DomainError) throw new UsageError(`${label}: ${error.message}`);
    throw error;
  }
  return { label, config, spec, everyStep };
}

// ---- output

const usd = (v: number): string => {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const digits = Math.abs(v) >= 1000 ? 0 : Math.abs(v) >= 1 ? 2 : 4;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};
const pct = (v: number | null): string => (v === null ? '—' : `${(100 * v).toFixed(2)}%`);

export function describePolicy(policy: HedgePolicyConfig, everyStep: boolean): string {
  const parts: string[] = [];
  if (everyStep) parts.push('hedge to zero delta at every step');
  else {
    if (policy.band) parts.push(`band ±${policy.band.trigger} ${policy.band.unit === 'units' ? 'units' : policy.band.unit === 'usd' ? 'USD' : '% of notional'} → ${policy.band.target}`);
    if (policy.cadence) parts.push(`every ${formatDurationMs(policy.cadence.everyMs)}`);
    if (policy.priceMove) parts.push(`on a ${policy.priceMove.pct}% move`);
    if (policy.whalleyWilmott) parts.push(`Whalley-Wilmott (λ ${policy.whalleyWilmott.riskAversion}, ${policy.whalleyWilmott.costBps} bps)`);
    if (policy.volScaling) parts.push(`vol-scaled (${policy.volScaling.source}, ${policy.volScaling.mode})`);
    if (policy.limits) parts.push(`Greek limits (${policy.limits.hedgeOptions.length} hedge option(s))`);
    if (policy.slicing) parts.push(`sliced above ${policy.slicing.clipUnits} units`);
  }
  const g = policy.guards;
  if (g.minTradeUnits > 0) parts.push(`min trade ${g.minTradeUnits}`);
  if (g.cooldownMs > 0) parts.push(`cooldown ${formatDurationMs(g.cooldownMs)}`);
  if (g.maxTradeUnits !== undefined) parts.push(`max trade ${g.maxTradeUnits}`);
  return `${parts.join(', ')}; hedged with ${policy.hedgeInstrument}`;
}

function describeMarket(config: BacktestConfig, spec: BacktestSpec): string {
  const m = config.market;
  const carry = `r ${m.rate}, q ${m.yield}, pricing vol ${Number(spec.pricingVol.toPrecision(4))}`;
  if (m.model === 'replay') return `replay of ${m.csv} (${spec.market.kind === 'replay' ? spec.market.prices.length : 0} rows), ${carry}`;
  const base = `${m.model === 'gbm' ? 'GBM' : 'Merton'} S0 ${m.spot}, drift ${m.drift}, vol ${m.vol}`;
  return m.model === 'merton' ? `${base}, jumps λ ${m.jumps.intensity}/y log-size N(${m.jumps.mean}, ${m.jumps.std}²), ${carry}` : `${base}, ${carry}`;
}

function describeBook(config: BacktestConfig): string {
  return config.book
    .map((o) => `${o.quantity < 0 ? 'short' : 'long'} ${Math.abs(o.quantity).toLocaleString('en-US')} ${o.type} K ${o.strike} ${formatDurationMs(o.maturity)}`)
    .join('; ');
}

export function formatTable(run: PreparedRun, s: BacktestSummary, seconds: number): string {
  const { config, spec } = run;
  const lines: string[] = [];
  const rate = (s.paths * s.steps) / Math.max(seconds, 1e-9);
  lines.push(`hedge backtest — ${s.paths.toLocaleString('en-US')} path(s) × ${s.steps} steps over ${formatDurationMs(s.horizonYears * 365 * 86_400_000)}, seed ${spec.seed}, ${seconds.toFixed(2)} s (${(rate / 1e6).toFixed(2)} M path-steps/s)`);
  lines.push(`  market  ${describeMarket(config, spec)}`);
  lines.push(`  book    ${describeBook(config)}`);
  lines.push(`  policy  ${describePolicy(config.policy, run.everyStep)}`);
  lines.push(`  costs   ${describeCosts(spec.costs)}`);
  lines.push('');
  lines.push(`Book value (Black-Scholes, as held)   ${usd(s.bookValue).padStart(16)}   premium ${usd(s.premium)}`);
  lines.push('');
  lines.push('USD, PV at t0                 mean          std          p05          p95');
  const row = (name: string, x: { mean: number; std: number; p05: number; p95: number }): string =>
    `${name.padEnd(18)}${usd(x.mean).padStart(15)}${usd(x.std).padStart(13)}${usd(x.p05).padStart(13)}${usd(x.p95).padStart(13)}`;
  lines.push(row('hedge cost', s.hedgeCost));
  lines.push(row('P&L (premium−cost)', s.pnl));
  lines.push(row('transaction costs', s.transactionCosts));
  lines.push(`  (mean ± ${usd(2 * s.hedgeCost.stdError)} at 95% confidence)`);
  lines.push('');
  lines.push(`Ratio std(hedge cost) / |book value|   ${s.ratio.toFixed(4)}`);
  lines.push(`Trades per path                        ${s.tradesPerPath.toFixed(2)}   (${s.tradedUnitsPerPath.toLocaleString('en-US', { maximumFractionDigits: 2 })} units traded)`);
  lines.push(
    s.timeOutsideBand === null
      ? 'Time outside the band                  —   (the policy has no band)'
      : `Time outside the band                  ${pct(s.timeOutsideBand)}   (found outside at ${pct(s.decisionsOutsideBand)} of the steps)`,
  );
  if (s.alertsPerPath > 0) lines.push(`Policy alerts per path                 ${s.alertsPerPath.toFixed(2)}`);
  if (s.jumpsPerPath > 0) lines.push(`Jumps per path                         ${s.jumpsPerPath.toFixed(2)}`);
  if (s.skippedOrders > 0) lines.push(`Orders not filled (expired option)     ${s.skippedOrders}`);
  lines.push('');
  lines.push('Attribution of the mean hedge cost (USD, PV; negative = a gain)');
  const a = s.attribution;
  const parts: [string, number][] = [
    ['option payoffs', a.option],
    ['hedge (perp/spot moves)', a.hedge],
    ['hedge options', a.hedgeOptions],
    ['financing (carry)', a.financing],
    ['fees', a.fees],
    ['slippage', a.slippage],
    ['gas', a.gas],
  ];
  for (const [name, value] of parts) lines.push(`  ${name.padEnd(26)}${usd(value).padStart(15)}`);
  lines.push(`  ${'total = mean hedge cost'.padEnd(26)}${usd(a.total).padStart(15)}`);
  return lines.join('\n') + '\n';
}

export function summaryJson(run: PreparedRun, s: BacktestSummary): Record<string, unknown> {
  return {
    bookValue: s.bookValue,
    premium: s.premium,
    hedgeCost: s.hedgeCost,
    pnl: s.pnl,
    ratio: s.ratio,
    tradesPerPath: s.tradesPerPath,
    tradedUnitsPerPath: s.tradedUnitsPerPath,
    transactionCosts: s.transactionCosts,
    timeOutsideBand: s.timeOutsideBand,
    decisionsOutsideBand: s.decisionsOutsideBand,
    attribution: s.attribution,
    alertsPerPath: s.alertsPerPath,
    jumpsPerPath: s.jumpsPerPath,
    skippedOrders: s.skippedOrders,
    paths: s.paths,
    steps: s.steps,
    horizonYears: s.horizonYears,
    seed: run.spec.seed,
    pricingVol: run.spec.pricingVol,
    units: 'USD, present value at t0; hedgeCost excludes the premium (premium = -bookValue)',
    config: run.config,
  };
}

// ---- sweeps

interface SweepSeries {
  readonly key: string;
  readonly runs: PreparedRun[];
  readonly values: string[];
}

function parseSweep(text: string): { key: string; values: string[] } {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--sweep expects KEY=v1,v2,... (e.g. band=0.1,0.2), got ${JSON.stringify(text)}`);
  const key = text.slice(0, eq).trim().replace(/^--/, '');
  if (!(VALUE_FLAGS as readonly string[]).includes(key)) throw new UsageError(`--sweep: ${JSON.stringify(key)} is not a flag (see --help)`);
  if (NOT_SWEEPABLE.has(key)) throw new UsageError(`--sweep: --${key} cannot be swept`);
  const values = text.slice(eq + 1).split(',').map((v) => v.trim());
  if (values.length === 0 || values.some((v) => v === '')) throw new UsageError(`--sweep ${key}: empty value in ${JSON.stringify(text)}`);
  return { key, values };
}

// ---- the command

export interface CommandIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { readonly isTTY?: boolean; write(text: string): boolean };
  readonly cwd: string;
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  isDirectory(path: string): boolean;
}

const defaultIo = (): CommandIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  readFile: (path) => readFileSync(path, 'utf8'),
  writeFile: (path, text) => writeFileSync(path, text),
  isDirectory: (path) => existsSync(path) && statSync(path).isDirectory(),
});

function execute(run: PreparedRun, io: CommandIo, progressLabel: string): { summary: BacktestSummary; seconds: number } {
  const progress = createProgress(io.stderr, progressLabel);
  const start = performance.now();
  try {
    const { summary } = runBacktest(run.spec, POLICY_ENGINE, { onProgress: (done, total) => progress.update(done, total) });
    return { summary, seconds: (performance.now() - start) / 1000 };
  } finally {
    progress.finish();
  }
}

/** Runs `hedge backtest` with its arguments (after the command name); returns the exit status. */
export function runBacktestCommand(args: readonly string[], io: CommandIo = defaultIo()): number {
  let flags: BacktestFlags;
  let runs: PreparedRun[];
  let sweeps: SweepSeries[] = [];
  try {
    flags = parseFlags(tokenizeArgs(args));
    if (flags.help) {
      io.stdout.write(BACKTEST_HELP);
      return 0;
    }
    const source = loadConfigSource(flags, io);
    const csvCache = new Map<string, PriceSeries>();
    if (flags.sweep && flags.sweep.length > 0) {
      const seen = new Set<string>();
      for (const text of flags.sweep) {
        const { key, values } = parseSweep(text);
        if (seen.has(key)) throw new UsageError(`--sweep ${key} is given twice`);
        seen.add(key);
        const series: SweepSeries = { key, runs: [], values };
        for (const value of values) {
          const variantRaw = { ...tokenizeArgs(args), [key]: value };
          delete variantRaw.sweep;
          let variant: BacktestFlags;
          try {
            variant = parseFlags(variantRaw);
          } catch (error) {
            throw new UsageError(`--sweep ${key}=${value}: ${(error as Error).message}`);
          }
          series.runs.push(prepare(source, variant, `${key}=${value}`, io, csvCache));
        }
        sweeps.push(series);
      }
      runs = sweeps.flatMap((s) => s.runs);
      const chartDir = dirname(resolve(io.cwd, flags.chart ?? DEFAULT_CHART));
      if (!io.isDirectory(chartDir)) throw new UsageError(`--chart: the folder ${chartDir} does not exist`);
    } else {
      runs = [prepare(source, flags, source.fromFile ? (flags.config ?? '') : 'flags', io, csvCache)];
      sweeps = [];
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`hedge backtest: ${error.message}\n(see hedge backtest --help)\n`);
      return 2;
    }
    throw error;
  }

  try {
    if (sweeps.length === 0) {
      const run = runs[0]!;
      const { summary, seconds } = execute(run, io, 'backtest');
      io.stdout.write(flags.json ? JSON.stringify(summaryJson(run, summary)) + '\n' : formatTable(run, summary, seconds));
      return 0;
    }
    return runSweeps(sweeps, flags, io);
  } catch (error) {
    if (error instanceof DomainError) {
      io.stderr.write(`hedge backtest: the run failed: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function runSweeps(sweeps: readonly SweepSeries[], flags: BacktestFlags, io: CommandIo): number {
  const total = sweeps.reduce((n, s) => n + s.runs.length, 0);
  let index = 0;
  const results: { key: string; value: string; run: PreparedRun; summary: BacktestSummary; seconds: number }[] = [];
  for (const series of sweeps) {
    series.runs.forEach((run, i) => {
      index++;
      const { summary, seconds } = execute(run, io, `sweep ${index}/${total} ${run.label}`);
      results.push({ key: series.key, value: series.values[i]!, run, summary, seconds });
    });
  }
  const chartSeries: ChartSeries[] = sweeps.map((s) => ({
    name: `--sweep ${s.key}`,
    points: results.filter((r) => r.key === s.key).map((r) => ({ label: `${r.key}=${r.value}`, std: r.summary.hedgeCost.std, mean: r.summary.hedgeCost.mean })),
  }));
  const allPoints: FrontierPoint[] = chartSeries.flatMap((s) => s.points);
  const efficient = efficientMask(allPoints);
  const first = results[0]!;
  const title = `Hedging cost vs risk — ${describeBook(first.run.config)}, ${first.summary.paths.toLocaleString('en-US')} paths`;
  const chartPath = resolve(io.cwd, flags.chart ?? DEFAULT_CHART);
  io.writeFile(chartPath, renderFrontierSvg(chartSeries, title));

  const comparisons =
    chartSeries.length >= 2
      ? chartSeries.slice(1).map((other) => ({ candidate: chartSeries[0]!.name, other: other.name, ...compareFrontiers(chartSeries[0]!.points, other.points) }))
      : [];

  if (flags.json) {
    io.stdout.write(
      JSON.stringify({
        sweep: results.map((r, i) => ({ key: r.key, value: r.value, efficient: efficient[i], ...summaryJson(r.run, r.summary), config: undefined })),
        frontier: allPoints.map((p, i) => ({ ...p, efficient: efficient[i] })),
        comparisons,
        chart: chartPath,
        config: first.run.config,
      }) + '\n',
    );
    return 0;
  }
  const lines: string[] = [];
  const seedSwept = sweeps.some((s) => s.key === 'seed');
  lines.push(
    `hedge backtest --sweep — ${describeBook(first.run.config)}; ${first.summary.paths.toLocaleString('en-US')} paths, ${seedSwept ? 'seed swept' : `seed ${first.run.spec.seed}: every run sees the same paths`}`,
  );
  lines.push(`  costs ${describeCosts(first.run.spec.costs)}; hedge cost = PV at t0 of everything after the premium (${usd(first.summary.premium)})`);
  lines.push('');
  lines.push(`${'run'.padEnd(22)}${'mean cost'.padStart(14)}${'± 2se'.padStart(11)}${'std'.padStart(13)}${'ratio'.padStart(9)}${'trades'.padStart(9)}${'tx costs'.padStart(12)}  frontier`);
  results.forEach((r, i) => {
    const s = r.summary;
    lines.push(
      `${r.run.label.padEnd(22)}${usd(s.hedgeCost.mean).padStart(14)}${usd(2 * s.hedgeCost.stdError).padStart(11)}${usd(s.hedgeCost.std).padStart(13)}${s.ratio.toFixed(4).padStart(9)}${s.tradesPerPath.toFixed(1).padStart(9)}${usd(s.transactionCosts.mean).padStart(12)}  ${efficient[i] ? '*' : ''}`,
    );
  });
  lines.push('  * efficient: no other run has both a lower (or equal) mean cost and a lower (or equal) std');
  for (const c of comparisons) {
    lines.push('');
    lines.push(`${c.candidate} against ${c.other} at equal risk (std):`);
    if (c.samples.length === 0) lines.push('  no overlap of their std ranges: widen the sweeps to compare');
    for (const x of c.samples) lines.push(`  std ${usd(x.std).padStart(12)}: ${c.candidate.replace('--sweep ', '')} costs ${usd(x.candidateMean)} vs ${usd(x.otherMean)} (${x.label})`);
  }
  lines.push('');
  lines.push(`frontier chart: ${chartPath}`);
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
}
