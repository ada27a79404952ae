/**
 * One run made ready: the config assembled and validated, the replayed CSV read, the
 * grid fitted to the policy's cadence, and the domain spec checked, so that every
 * mistake is found before anything runs. Problems are reported in the user's terms: a
 * field a flag wrote is the flag's (`--spot: ...`), any other is the config's
 * (`config FILE: market.vol: ...`).
 */
import {
  BacktestConfigError,
  BacktestConfigSchema,
  backtestSpecFromConfig,
  describeConfigProblems,
  everyStepCadenceMs,
  fitStepToCadence,
  formatConfigPath,
  onVenueSet,
  replayFiles,
  venueSetName,
  type BacktestConfig,
  type ConfigProblem,
  type StepRefinement,
} from '../../../shared/contracts/backtest-config.ts';
import { checkBacktestSpec, type BacktestSpec } from '../../../shared/domain/backtest/simulate.ts';
import { DomainError } from '../../../shared/domain/errors.ts';
import { CsvError, readPriceTable, type PriceTable } from '../../price-csv.ts';
import { applyFlags, type ConfigSource } from './config-assembly.ts';
import type { CommandIo } from './command-io.ts';
import type { BacktestFlags } from './flags.ts';
import { UsageError } from './usage-error.ts';

export interface PreparedRun {
  /** How the output names the run: the config file, "flags", or a sweep's "key=value". */
  readonly label: string;
  /** The config as run (step refined, every-step cadence and CSV column filled in): it reproduces the run. */
  readonly config: BacktestConfig;
  readonly spec: BacktestSpec;
  /** A quick run without a trigger: the policy hedges at every step. */
  readonly everyStep: boolean;
  /** Set when the step was refined so that the cadence could be honoured. */
  readonly refinement?: StepRefinement;
  /** The replayed CSV's price column, when the file has more than two. */
  readonly csvColumn?: string;
  /** The replayed CSVs' first timestamps (epoch ms), in order: where each series' offsets start. */
  readonly seriesStartsMs?: readonly number[];
}

/** The CSVs read so far by path and column: a sweep reads each file once. */
export type CsvCache = Map<string, PriceTable>;

const valueAt = (raw: unknown, path: readonly (string | number)[]): unknown =>
  path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined), raw);

/** The flag that wrote `path` or a field above it, if any. */
function flagFor(path: readonly (string | number)[], flagFields: ReadonlyMap<string, string>): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const flag = flagFields.get(formatConfigPath(path.slice(0, n)));
    if (flag !== undefined) return flag;
  }
  return undefined;
}

/** One line for all the problems, each blamed on its flag or its config field. */
function describeProblems(problems: readonly ConfigProblem[], raw: unknown, flagFields: ReadonlyMap<string, string>, source: ConfigSource): string {
  const flagLines: string[] = [];
  const configLines: string[] = [];
  for (const p of problems) {
    const flag = flagFor(p.path, flagFields);
    const value = valueAt(raw, p.path);
    // The value is added unless the message already says it.
    const shown = typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;
    const got = !p.missing && shown !== undefined && !p.message.includes('(got ') && !p.message.includes(shown) ? ` (got ${JSON.stringify(value)})` : '';
    if (flag !== undefined) flagLines.push(`--${flag}: ${p.message}${got}`);
    else {
      const where = p.path.length === 0 ? '' : formatConfigPath(p.path);
      configLines.push(`${where}${p.missing ? ' ' : where ? ': ' : ''}${p.message}${got}`);
    }
  }
  // The flags' problems, then the config's under its name (a quick run's defaults have none).
  const configPart = configLines.length === 0 ? [] : [`${source.file !== undefined ? `config ${source.file}: ` : ''}${[...new Set(configLines)].join('; ')}`];
  return [...new Set(flagLines), ...configPart].join('; ');
}

/**
 * A venue set that names the hedge instrument chooses it for the run: an instrument the
 * policy also names explicitly, and differently, would be ignored, so it is refused.
 */
function checkInstrumentChoice(config: BacktestConfig, raw: unknown, flagFields: ReadonlyMap<string, string>, source: ConfigSource): void {
  const chosen = venueSetName(config.venues);
  if (chosen === undefined || 'problem' in chosen) return;
  const setInstrument = config.venues!.sets[chosen.name]!.hedgeInstrument;
  const written = valueAt(raw, ['policy', 'hedgeInstrument']);
  if (setInstrument === undefined || written === undefined || written === setInstrument) return;
  const message = `${JSON.stringify(written)} is not what the run would use: venue set ${chosen.name} hedges with ${setInstrument} (venues.sets.${chosen.name}.hedgeInstrument); drop one`;
  const flag = flagFor(['policy', 'hedgeInstrument'], flagFields);
  throw new UsageError(flag !== undefined ? `--${flag}: ${message}` : `${source.file !== undefined ? `config ${source.file}: ` : ''}policy.hedgeInstrument: ${message}`);
}

function readTables(config: BacktestConfig, io: CommandIo, cache: CsvCache): PriceTable[] | undefined {
  if (config.market.model !== 'replay') return undefined;
  const { column } = config.market;
  return replayFiles(config.market).map((path) => readTable(path, column, io, cache));
}

function readTable(path: string, column: string | number | undefined, io: CommandIo, cache: CsvCache): PriceTable {
  const key = `${path}\n${column ?? ''}`;
  const cached = cache.get(key);
  if (cached) return cached;
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read the price CSV ${path}: ${(error as Error).message}`);
  }
  try {
    const table = readPriceTable(text, path, column === undefined ? {} : { column });
    cache.set(key, table);
    return table;
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(error.message);
    throw error;
  }
}

export function prepareRun(source: ConfigSource, flags: BacktestFlags, label: string, io: CommandIo, csvCache: CsvCache): PreparedRun {
  const { raw, everyStep, flagFields } = applyFlags(source, flags, io.cwd);
  const parsed = BacktestConfigSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(describeProblems(describeConfigProblems(parsed.error, raw), raw, flagFields, source));
  let config = parsed.data;
  checkInstrumentChoice(config, raw, flagFields, source);
  config = onVenueSet(config);
  const tables = readTables(config, io, csvCache);
  const series = tables?.map((t) => t.series);
  // The config as run says which column was read (when every file read the same one): reading it back gives the same series.
  const table = tables?.[0];
  const oneColumn = tables !== undefined && tables.every((t) => t.width > 2 && t.columnChoice === table!.columnChoice);
  if (table && oneColumn && config.market.model === 'replay') config = { ...config, market: { ...config.market, column: table.columnChoice } };
  try {
    if (everyStep) config = { ...config, policy: { ...config.policy, cadence: { everyMs: everyStepCadenceMs(config, series) } } };
    const fitted = fitStepToCadence(config, series);
    config = fitted.config;
    const spec = backtestSpecFromConfig(config, series);
    checkBacktestSpec(spec);
    return {
      label,
      config,
      spec,
      everyStep,
      ...(fitted.refinement ? { refinement: fitted.refinement } : {}),
      ...(table && oneColumn ? { csvColumn: table.column } : {}),
      ...(series ? { seriesStartsMs: series.map((s) => s.timesMs[0]!) } : {}),
    };
  } catch (error) {
    if (error instanceof BacktestConfigError) {
      // Its message is a whole sentence: the path only says which flag, if any, to blame.
      const flag = flagFor(error.path, flagFields);
      throw new UsageError(flag !== undefined ? `--${flag}: ${error.message}` : source.file !== undefined ? `config ${source.file}: ${error.message}` : error.message);
    }
    if (error instanceof DomainError) throw new UsageError(source.file !== undefined ? `config ${source.file}: ${error.message}` : error.message);
    throw error;
  }
}
