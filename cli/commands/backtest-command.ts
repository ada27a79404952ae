/**
 * `hedge backtest`: simulates writing and hedging an options book with the policy
 * engine, over many seeded price paths (GBM, Merton jumps) or a replayed CSV, and
 * reports what the hedging cost (see BACKTEST_HELP). `--sweep` runs one backtest per
 * value of a flag and draws the cost-versus-risk frontier.
 *
 * This file only sequences the jobs of backtest/: read the flags, prepare every run
 * (config, CSV, grid, spec), run them, write the report. Everything is validated before
 * anything runs: a bad flag, config, CSV or sweep value is one clear line on stderr and
 * exit status 2, with nothing written.
 */
import { dirname, resolve } from 'node:path';
import { DomainError } from '../../shared/domain/errors.ts';
import { processIo, type CommandIo } from './backtest/command-io.ts';
import { loadConfigSource } from './backtest/config-assembly.ts';
import { parseFlags, tokenizeArgs, type BacktestFlags } from './backtest/flags.ts';
import { BACKTEST_HELP } from './backtest/help.ts';
import { prepareRun, type CsvCache, type PreparedRun } from './backtest/prepare-run.ts';
import { hasDistribution, onePath } from './backtest/run-description.ts';
import { formatTable, summaryJson } from './backtest/single-run-report.ts';
import { planSweeps, type SweepSeries } from './backtest/sweep-plan.ts';
import { formatSweepTable, renderSweepChart, sweepFrontier, sweepJson } from './backtest/sweep-report.ts';
import { executeRun, runSweeps } from './backtest/sweep-runner.ts';
import { UsageError } from './backtest/usage-error.ts';

export { BACKTEST_HELP } from './backtest/help.ts';
export { tokenizeArgs } from './backtest/flags.ts';
export { UsageError } from './backtest/usage-error.ts';
export type { CommandIo } from './backtest/command-io.ts';

const DEFAULT_CHART = 'backtest-frontier.svg';

/** What the command will do, every input checked. */
type Plan =
  | { readonly kind: 'help' }
  | { readonly kind: 'single'; readonly flags: BacktestFlags; readonly run: PreparedRun }
  | { readonly kind: 'sweep'; readonly flags: BacktestFlags; readonly sweeps: readonly SweepSeries[]; readonly chartPath: string | undefined };

function plan(args: readonly string[], io: CommandIo): Plan {
  const flags = parseFlags(tokenizeArgs(args));
  if (flags.help) return { kind: 'help' };
  const sweeping = flags.sweep !== undefined && flags.sweep.length > 0;
  if (flags.chart !== undefined && !sweeping) throw new UsageError('--chart draws the frontier of a --sweep: add --sweep KEY=v1,v2,... (one run has no frontier to draw)');
  const source = loadConfigSource(flags, io);
  const csvCache: CsvCache = new Map();
  if (!sweeping) return { kind: 'single', flags, run: prepareRun(source, flags, source.file ?? 'flags', io, csvCache) };
  const sweeps = planSweeps(args, flags.sweep!, source, io, csvCache);
  const drawable = sweeps.some((s) => s.runs.some((r) => hasDistribution(r.spec)));
  if (!drawable) {
    const run = sweeps[0]!.runs[0]!;
    if (flags.chart !== undefined) throw new UsageError(`--chart: each run is ${onePath(run.spec)}, so no run has a std and there is no frontier to draw (drop --chart)`);
    return { kind: 'sweep', flags, sweeps, chartPath: undefined };
  }
  const chartPath = resolve(io.cwd, flags.chart ?? DEFAULT_CHART);
  if (!io.isDirectory(dirname(chartPath))) throw new UsageError(`--chart: the folder ${dirname(chartPath)} does not exist`);
  return { kind: 'sweep', flags, sweeps, chartPath };
}

/** Runs `hedge backtest` with its arguments (after the command name); returns the exit status. */
export function runBacktestCommand(args: readonly string[], io: CommandIo = processIo()): number {
  let planned: Plan;
  try {
    planned = plan(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`hedge backtest: ${error.message}\n(see hedge backtest --help)\n`);
      return 2;
    }
    throw error;
  }
  if (planned.kind === 'help') {
    io.stdout.write(BACKTEST_HELP);
    return 0;
  }
  try {
    if (planned.kind === 'single') {
      const { run, summary, seconds } = executeRun(planned.run, io, 'backtest');
      io.stdout.write(planned.flags.json ? JSON.stringify(summaryJson(run, summary)) + '\n' : formatTable(run, summary, seconds));
      return 0;
    }
    const results = runSweeps(planned.sweeps, io);
    const frontier = sweepFrontier(results);
    if (planned.chartPath !== undefined) io.writeFile(planned.chartPath, renderSweepChart(results, frontier));
    io.stdout.write(planned.flags.json ? JSON.stringify(sweepJson(results, frontier, planned.chartPath)) + '\n' : formatSweepTable(results, frontier, planned.chartPath));
    return 0;
  } catch (error) {
    if (error instanceof DomainError) {
      io.stderr.write(`hedge backtest: the run failed: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
