/**
 * What a run will take, said before it starts (on stderr, with the progress line), and
 * the command that replays one of its paths alone.
 */
import { gridFor } from '../../../shared/domain/backtest/simulate.ts';
import type { PreparedRun } from './prepare-run.ts';

/**
 * Path-steps per second assumed for the estimate: the production policy on one core
 * (README, "Measured"); a loaded machine is slower, and the progress line measures it.
 */
export const NOMINAL_PATH_STEPS_PER_SECOND = 1e6;

/** Bytes a path's results take in memory (one Float64 per per-path array). */
const BYTES_PER_PATH = 8 * 15;

const compact = (n: number): string => (n >= 1e6 ? `${Number((n / 1e6).toPrecision(3))} M` : n >= 1e3 ? `${Number((n / 1e3).toPrecision(3))} k` : String(n));

/** "2 runs: 20,000 paths × 100 steps = 2 M path-steps, ~16 MB of per-path results; about 2 s at ~1 M path-steps/s". */
export function runSizeLine(runs: readonly PreparedRun[]): string {
  let pathSteps = 0;
  let paths = 0;
  let steps = 0;
  for (const run of runs) {
    const runSteps = gridFor(run.spec).offsetsMs.length - 1;
    pathSteps += run.spec.paths * runSteps;
    paths += run.spec.paths;
    steps = Math.max(steps, runSteps);
  }
  const seconds = pathSteps / NOMINAL_PATH_STEPS_PER_SECOND;
  const perRun = Math.max(...runs.map((r) => r.spec.paths)) * BYTES_PER_PATH;
  const shape = runs.length === 1 ? `${paths.toLocaleString('en-US')} path(s) × ${steps.toLocaleString('en-US')} steps` : `${runs.length} runs, ${paths.toLocaleString('en-US')} paths in all, up to ${steps.toLocaleString('en-US')} steps`;
  return `hedge backtest: ${shape} = ${compact(pathSteps)} path-steps, ${compact(perRun)}B of per-path results per run; about ${seconds < 1 ? '1 s or less' : `${Math.ceil(seconds)} s`} at ~${compact(NOMINAL_PATH_STEPS_PER_SECOND)} path-steps/s (the progress line measures it)`;
}


/** Flags that only shape the output, left out of a replay command. */
const OUTPUT_FLAGS_WITH_VALUE = new Set(['paths-out', 'sweep-out', 'chart', 'chart-path', 'only-path']);
const OUTPUT_FLAGS = new Set(['json', 'progress']);

const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The command line that runs path `path` of this run alone: the same arguments, output
 * flags left out, plus --only-path.
 *
 * @example
 * replayCommand(['--config', 'a.json', '--paths-out', 'p.csv'], 17); // "hedge backtest --config a.json --only-path 17"
 */
export function replayCommand(args: readonly string[], path: number): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0]! : '';
    if (OUTPUT_FLAGS.has(name)) continue;
    if (OUTPUT_FLAGS_WITH_VALUE.has(name)) {
      if (!arg.includes('=')) i++;
      continue;
    }
    kept.push(shellWord(arg));
  }
  return ['hedge backtest', ...kept, '--only-path', String(path)].join(' ');
}
