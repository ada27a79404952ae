/**
 * The raw config of a run: a config file, or the quick-run defaults, with the flags
 * written over it. The result is still unvalidated JSON; it remembers which config
 * field each flag wrote, so that a problem with that field is reported as the flag's.
 */
import { dirname, resolve } from 'node:path';
import type { CommandIo } from './command-io.ts';
import type { BacktestFlags } from './flags.ts';
import { UsageError } from './usage-error.ts';

/** The underlying of a quick run's policy (its sizes are then said in "units"). */
export const QUICK_RUN_UNDERLYING = 'ASSET';

type Json = Record<string, unknown>;

/** Where a config came from, for messages and for relative CSV paths. */
export interface ConfigSource {
  readonly raw: Json;
  /** Folder that a relative market.csv is read from. */
  readonly baseDir: string;
  /** The config file as given on the command line; undefined for a quick run. */
  readonly file?: string;
}

export function loadConfigSource(flags: BacktestFlags, io: CommandIo): ConfigSource {
  if (flags.config === undefined) {
    return {
      raw: {
        market: { model: 'gbm', spot: 100, drift: 0, vol: 0.2, rate: 0, yield: 0 },
        book: [{ type: 'call', maturity: '30d', quantity: -1 }],
        policy: { underlying: QUICK_RUN_UNDERLYING },
        simulation: {},
      },
      baseDir: io.cwd,
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
  return { raw: raw as Json, baseDir: dirname(path), file: flags.config };
}

/** The config as the flags left it, and what the flags did to it. */
export interface AssembledConfig {
  readonly raw: Json;
  /**
   * A quick run without a trigger: the policy hedges at every step. Its cadence here is
   * a placeholder (the policy schema wants a trigger); the run sets the real one, the
   * grid's step, once the grid is known.
   */
  readonly everyStep: boolean;
  /** Config paths ("market.spot", "book[0].strike") and the flag that wrote each. */
  readonly flagFields: ReadonlyMap<string, string>;
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The object at `key` of `parent`, created when absent (only for sections a flag writes to). */
const section = (parent: Json, key: string): Json => {
  const v = parent[key];
  if (isObject(v)) return v;
  const fresh: Json = {};
  parent[key] = fresh;
  return fresh;
};

/** The flags written over a (deep-copied) raw config. */
export function applyFlags(source: ConfigSource, flags: BacktestFlags, cwd: string): AssembledConfig {
  const raw = structuredClone(source.raw);
  const flagFields = new Map<string, string>();
  const quickRun = source.file === undefined;
  const wrote = (path: string, flag: string): void => void flagFields.set(path, flag);
  // Sections are created only when a flag writes to them: a file without "book" or
  // "policy" is reported as such, not as a list of the fields of an empty one.
  const given = (...names: (keyof BacktestFlags)[]): boolean => names.some((n) => flags[n] !== undefined);

  // The book.
  const bookFlags = { type: flags.type, strike: flags.strike, maturity: flags.maturity?.text, quantity: flags.quantity };
  const bookFlagsGiven = Object.entries(bookFlags).filter(([, v]) => v !== undefined);
  if (bookFlagsGiven.length > 0) {
    if (!Array.isArray(raw.book)) throw new UsageError(`--${bookFlagsGiven.map(([k]) => k).join(', --')} change the config's one-option book, and ${source.file} has no "book"`);
    const book = raw.book as unknown[];
    if (book.length !== 1) throw new UsageError(`--${bookFlagsGiven.map(([k]) => k).join(', --')} need a one-option book (the config has ${book.length} options)`);
    const option: Json = isObject(book[0]) ? { ...book[0] } : {};
    for (const [key, value] of bookFlagsGiven) {
      option[key] = value;
      wrote(`book[0].${key}`, key);
    }
    book[0] = option;
  }

  // The market.
  if (flags.csv !== undefined) {
    for (const key of ['drift', 'vol', 'jumps'] as const) if (flags[key] !== undefined) throw new UsageError(`--${key} does not apply to a --csv replay`);
    const current = isObject(raw.market) ? raw.market : {};
    // A replay config keeps how it makes its paths; any other keeps only the carry.
    const kept = current.model === 'replay' ? ['windows', 'bootstrap', 'spot'] : [];
    const keep = Object.fromEntries(Object.entries(current).filter(([k]) => ['rate', 'yield', 'impliedVol', 'fundingRate', 'hedgeWith', ...kept].includes(k)));
    const files = flags.csv.map((f) => resolve(cwd, f));
    raw.market = { ...keep, model: 'replay', csv: files.length === 1 ? files[0] : files };
    wrote('market.csv', 'csv');
  }
  if (given('spot', 'drift', 'vol', 'rate', 'yield', 'implied-vol', 'funding-rate', 'hedge-with', 'jumps', 'csv-column', 'windows-every', 'bootstrap-block')) section(raw, 'market');
  const m = isObject(raw.market) ? raw.market : undefined;
  if (m?.model === 'replay' && flags.csv === undefined) {
    if (typeof m.csv === 'string') m.csv = resolve(source.baseDir, m.csv);
    else if (Array.isArray(m.csv)) m.csv = m.csv.map((f) => (typeof f === 'string' ? resolve(source.baseDir, f) : f));
  }
  if (m?.model === 'replay') {
    for (const key of ['drift', 'vol', 'jumps'] as const) if (flags[key] !== undefined) throw new UsageError(`--${key} does not apply to a replay market`);
  }
  if (m?.model === 'garch') {
    for (const key of ['vol', 'jumps'] as const) {
      if (flags[key] !== undefined) throw new UsageError(`--${key} does not apply to a GARCH market: its vol is the model's (market.omega, alpha, beta; market.initialVol to start elsewhere)`);
    }
  }
  // How a replay makes its paths: rolling windows, or a block bootstrap (a flag replaces the config's choice).
  if (flags['windows-every'] !== undefined && flags['bootstrap-block'] !== undefined) throw new UsageError('--windows-every and --bootstrap-block are two ways to make the paths of a replay: give one');
  for (const [flag, key, value] of [
    ['windows-every', 'windows', { every: flags['windows-every']?.text }],
    ['bootstrap-block', 'bootstrap', { meanBlock: flags['bootstrap-block']?.text }],
  ] as const) {
    if (flags[flag] === undefined) continue;
    if (m?.model !== 'replay') throw new UsageError(`--${flag} makes paths from a replayed series: it needs --csv FILE (or a replay config)`);
    delete m.windows;
    delete m.bootstrap;
    m[key] = value;
    wrote(`market.${key}`, flag);
  }
  if (flags['csv-column'] !== undefined) {
    if (m?.model !== 'replay') throw new UsageError('--csv-column chooses the price column of a replayed CSV: it needs --csv (or a replay config)');
    m.column = flags['csv-column'];
    wrote('market.column', 'csv-column');
  }
  if (m && flags.jumps !== undefined) {
    if (flags.jumps === 'off') {
      m.model = 'gbm';
      delete m.jumps;
    } else {
      m.model = 'merton';
      m.jumps = flags.jumps;
    }
    wrote('market.jumps', 'jumps');
  }
  const marketFlags = { spot: flags.spot, drift: flags.drift, vol: flags.vol, rate: flags.rate, yield: flags.yield, impliedVol: flags['implied-vol'], fundingRate: flags['funding-rate'], hedgeWith: flags['hedge-with'] };
  const marketFlagNames: Record<string, string> = { impliedVol: 'implied-vol', fundingRate: 'funding-rate', hedgeWith: 'hedge-with' };
  for (const [key, value] of Object.entries(marketFlags)) {
    if (value === undefined || !m) continue;
    m[key] = value;
    wrote(`market.${key}`, marketFlagNames[key] ?? key);
  }
  // A quick run's strike defaults to the spot (at the money): a bad --spot is then also a bad strike.
  const book = Array.isArray(raw.book) ? (raw.book as Json[]) : [];
  if (quickRun && book.length === 1 && book[0]!.strike === undefined) {
    if (typeof m?.spot !== 'number') throw new UsageError('a replay needs --strike (there is no --spot to default it to)');
    book[0]!.strike = m.spot;
    if (flags.spot !== undefined) wrote('book[0].strike', 'spot');
  }

  // The policy.
  if (given('hedge-every', 'band', 'min-trade', 'hedge-instrument') || quickRun) section(raw, 'policy');
  const policy = isObject(raw.policy) ? raw.policy : undefined;
  if (policy && flags['hedge-every'] !== undefined) {
    if (flags['hedge-every'] === 'off') delete policy.cadence;
    else policy.cadence = { ...section(policy, 'cadence'), everyMs: flags['hedge-every'].ms };
    wrote('policy.cadence', 'hedge-every');
  }
  if (policy && flags.band !== undefined) {
    if (flags.band === 'off') delete policy.band;
    else policy.band = { ...section(policy, 'band'), unit: 'units', trigger: flags.band };
    wrote('policy.band', 'band');
  }
  if (policy && flags['min-trade'] !== undefined) {
    section(policy, 'guards').minTradeUnits = flags['min-trade'];
    wrote('policy.guards.minTradeUnits', 'min-trade');
  }
  if (policy && flags['hedge-instrument'] !== undefined) {
    policy.hedgeInstrument = flags['hedge-instrument'];
    wrote('policy.hedgeInstrument', 'hedge-instrument');
  }
  // Insurance and the crash breaker: a policy choice of the config, varied (or removed) by a flag.
  const insurance = policy && isObject(policy.insurance) ? policy.insurance : undefined;
  for (const [flag, key] of [['cppi-multiplier', 'multiplier'], ['insurance-band', 'band']] as const) {
    if (flags[flag] === undefined) continue;
    if (!insurance) throw new UsageError(`--${flag} changes the policy's insurance, and ${source.file === undefined ? 'a quick run has none (give --config FILE with policy.insurance)' : `${source.file} has no policy.insurance`}`);
    if (key === 'multiplier' && insurance.method !== 'cppi') throw new UsageError(`--cppi-multiplier changes a CPPI's multiplier, and the policy's insurance is ${JSON.stringify(insurance.method)}`);
    insurance[key] = flags[flag];
    wrote(`policy.insurance.${key}`, flag);
  }
  if (flags['crash-breaker'] !== undefined) {
    if (!policy || !isObject(policy.crashBreaker)) throw new UsageError(`--crash-breaker ${flags['crash-breaker']} switches the policy's crash breaker, and ${source.file === undefined ? 'a quick run has none (give --config FILE with policy.crashBreaker)' : `${source.file} has no policy.crashBreaker`}`);
    if (flags['crash-breaker'] === 'off') delete policy.crashBreaker;
    else if (flags['crash-breaker'] !== 'on') policy.crashBreaker.plan = { kind: flags['crash-breaker'] };
    wrote('policy.crashBreaker', 'crash-breaker');
  }
  let everyStep = false;
  if (quickRun && policy && policy.band === undefined && policy.cadence === undefined && policy.priceMove === undefined && policy.whalleyWilmott === undefined) {
    policy.cadence = { everyMs: 1 }; // the placeholder: see AssembledConfig.everyStep
    everyStep = true;
  }

  // Costs.
  if (given('fee-bps', 'slippage-bps', 'impact-k', 'adv', 'gas-usd')) section(raw, 'costs');
  const costs = isObject(raw.costs) ? raw.costs : {};
  if (flags['fee-bps'] !== undefined) {
    costs.feeBps = flags['fee-bps'];
    wrote('costs.feeBps', 'fee-bps');
  }
  if (flags['slippage-bps'] !== undefined) {
    if (flags['impact-k'] !== undefined || flags.adv !== undefined) throw new UsageError('--slippage-bps and --impact-k/--adv are two slippage models: give one');
    costs.slippage = { model: 'fixed', bps: flags['slippage-bps'] };
    wrote('costs.slippage', 'slippage-bps');
  }
  if (flags['impact-k'] !== undefined || flags.adv !== undefined) {
    const current = section(costs, 'slippage');
    const k = flags['impact-k'] ?? (current.model === 'sqrt' ? current.k : undefined);
    const adv = flags.adv ?? (current.model === 'sqrt' ? current.adv : undefined);
    if (k === undefined || adv === undefined) throw new UsageError('square-root impact needs both --impact-k and --adv');
    costs.slippage = { model: 'sqrt', k, adv };
    wrote('costs.slippage', flags['impact-k'] !== undefined ? 'impact-k' : 'adv');
  }
  if (flags['gas-usd'] !== undefined) {
    costs.gasUsd = flags['gas-usd'];
    wrote('costs.gasUsd', 'gas-usd');
  }

  // Venues: --venues chooses one of the config's venue sets.
  if (flags.venues !== undefined) {
    if (!isObject(raw.venues)) throw new UsageError(`--venues ${flags.venues} chooses a venue set of the config's "venues" section, and ${source.file === undefined ? 'a quick run has none (give --config FILE)' : `${source.file} has none`}`);
    raw.venues.use = flags.venues;
    wrote('venues.use', 'venues');
  }

  // Simulation.
  if (flags.steps !== undefined && flags.step !== undefined) throw new UsageError('--steps and --step both set the grid: give one');
  if (given('paths', 'seed', 'steps', 'step', 'horizon', 'start', 'only-path') || everyStep) section(raw, 'simulation');
  const simulation = isObject(raw.simulation) ? raw.simulation : {};
  const simulationFlags = { paths: flags.paths, seed: flags.seed, steps: flags.steps, step: flags.step?.text, horizon: flags.horizon?.text };
  for (const [key, value] of Object.entries(simulationFlags)) {
    if (value === undefined) continue;
    simulation[key] = value;
    wrote(`simulation.${key}`, key);
  }
  if (flags.steps !== undefined) delete simulation.step;
  if (flags.step !== undefined) delete simulation.steps;
  if (everyStep && simulation.steps === undefined && simulation.step === undefined && m?.model !== 'replay') simulation.steps = 100;
  if (flags.start !== undefined) {
    simulation.start = /^\d+$/.test(flags.start) ? Number(flags.start) : flags.start;
    wrote('simulation.start', 'start');
  }
  if (flags['only-path'] !== undefined) {
    simulation.onlyPath = flags['only-path'];
    wrote('simulation.onlyPath', 'only-path');
  }
  return { raw, everyStep, flagFields };
}
