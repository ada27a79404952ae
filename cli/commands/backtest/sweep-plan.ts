/**
 * `--sweep KEY=v1,v2,...`: one prepared run per value, the other flags as given. Checked
 * before anything runs: a key that is not a flag or cannot be swept, an empty value, a
 * key swept twice, and a flag that every sweep replaces (it would be accepted and then
 * used by no run). Beside another sweep such a flag is honoured: it is the value of that
 * sweep's runs (`--band off --sweep band=1,2 --sweep hedge-every=1d,1w`).
 */
import type { ConfigSource } from './config-assembly.ts';
import type { CommandIo } from './command-io.ts';
import { parseFlags, tokenizeArgs, VALUE_FLAGS, type BacktestFlags } from './flags.ts';
import { prepareRun, type CsvCache, type PreparedRun } from './prepare-run.ts';
import { hasDistribution, onePath } from './run-description.ts';
import { UsageError } from './usage-error.ts';

/** Flags a sweep cannot vary (files, output, or values with commas). */
const NOT_SWEEPABLE = new Set(['config', 'csv', 'csv-column', 'sweep', 'chart', 'chart-path', 'jumps', 'start', 'paths-out', 'sweep-out']);

/**
 * Keys whose values are choices of the hedger (the policy, how often it looks, where it trades):
 * their runs solve the same problem on the same paths, so a point can be efficient.
 * Other keys change the sample (paths, seed) or the problem (market, book, costs):
 * "lower cost at lower risk" across them says nothing about a policy.
 */
const FRONTIER_KEYS = new Set(['hedge-every', 'band', 'min-trade', 'hedge-instrument', 'venues', 'step', 'steps', 'crash-breaker', 'insurance-band', 'cppi-multiplier']);
const SAMPLE_KEYS = new Set(['paths', 'seed', 'only-path', 'windows-every', 'bootstrap-block']);

/** The flags a swept key replaces in each of its runs (--step and --steps set the same grid). */
const replacedBy = (key: string): readonly string[] => (key === 'step' ? ['step', 'steps'] : key === 'steps' ? ['steps', 'step'] : [key]);

export interface SweepSeries {
  readonly key: string;
  readonly values: readonly string[];
  readonly runs: readonly PreparedRun[];
  /** Whether its points are policy alternatives (can be efficient); see FRONTIER_KEYS. */
  readonly frontier: boolean;
  /** Why not, when not. */
  readonly notFrontierReason?: string;
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

/** The runs of every --sweep, prepared (validated) in order. */
export function planSweeps(args: readonly string[], sweeps: readonly string[], source: ConfigSource, io: CommandIo, csvCache: CsvCache): SweepSeries[] {
  const parsed = sweeps.map(parseSweep);
  const seen = new Set<string>();
  for (const { key } of parsed) {
    if (seen.has(key)) throw new UsageError(`--sweep ${key} is given twice`);
    seen.add(key);
  }
  const base = tokenizeArgs(args);
  delete base.sweep;
  for (const [flag, value] of Object.entries(base)) {
    if (!parsed.every(({ key }) => replacedBy(key).includes(flag))) continue;
    const sweep = parsed.find(({ key }) => replacedBy(key).includes(flag))!;
    throw new UsageError(
      `--${flag} ${String(value)} is replaced in every run by --sweep ${sweep.key}=${sweep.values.join(',')}: drop it (beside another --sweep it would be the value of that sweep's runs)`,
    );
  }
  return parsed.map(({ key, values }) => {
    const runs = values.map((value) => {
      const variantRaw = { ...base };
      for (const flag of replacedBy(key)) delete variantRaw[flag];
      variantRaw[key] = value;
      const label = `${key}=${value}`;
      try {
        const variant: BacktestFlags = parseFlags(variantRaw);
        return prepareRun(source, variant, label, io, csvCache);
      } catch (error) {
        if (error instanceof UsageError) throw new UsageError(`--sweep ${label}: ${error.message}`);
        throw error;
      }
    });
    const onePathEach = runs.every((r) => !hasDistribution(r.spec));
    const notFrontierReason = onePathEach
      ? `each run is ${onePath(runs[0]!.spec)}: there is no std to trade the cost against`
      : SAMPLE_KEYS.has(key)
        ? `--sweep ${key} varies the sample, not the policy`
        : !FRONTIER_KEYS.has(key)
          ? `--sweep ${key} changes the problem, not the policy`
          : undefined;
    return { key, values, runs, frontier: notFrontierReason === undefined, ...(notFrontierReason === undefined ? {} : { notFrontierReason }) };
  });
}
