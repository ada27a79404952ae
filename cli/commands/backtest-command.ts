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
import { pathRealisedVols } from '../../shared/domain/backtest/path-metrics.ts';
import { gridFor } from '../../shared/domain/backtest/simulate.ts';
import { checkChartPath, runChartSvg, type ChartPathChoice } from './backtest/chart-path.ts';
import { DomainError } from '../../shared/domain/errors.ts';
import { processIo, writeChunks, type CommandIo } from './backtest/command-io.ts';
import { loadConfigSource } from './backtest/config-assembly.ts';
import { parseFlags, tokenizeArgs, type BacktestFlags } from './backtest/flags.ts';
import { BACKTEST_HELP } from './backtest/help.ts';
import { prepareRun, type CsvCache, type PreparedRun } from './backtest/prepare-run.ts';
import { hasDistribution, onePath } from './backtest/run-description.ts';
import { pathsCsvChunks } from './backtest/paths-csv.ts';
import { replayCommand, runSizeLine } from './backtest/run-size.ts';
import { riskJson, runRisk } from './backtest/risk-report.ts';
import { formatTable, summaryJson } from './backtest/single-run-report.ts';
import { planSweeps, type SweepSeries } from './backtest/sweep-plan.ts';
import { formatSweepTable, renderSweepChart, sweepCsv, sweepFrontier, sweepJson } from './backtest/sweep-report.ts';
import { executeRun, runSweeps, type ProgressChoice } from './backtest/sweep-runner.ts';
import { UsageError } from './backtest/usage-error.ts';

export { BACKTEST_HELP } from './backtest/help.ts';
export { tokenizeArgs } from './backtest/flags.ts';
export { UsageError } from './backtest/usage-error.ts';
export type { CommandIo } from './backtest/command-io.ts';

const DEFAULT_CHART = 'backtest-frontier.svg';

/** What the command will do, every input checked. */
type Plan =
  | { readonly kind: 'help' }
  | { readonly kind: 'single'; readonly flags: BacktestFlags; readonly run: PreparedRun; readonly pathsOut: string | undefined; readonly chart: { readonly file: string; readonly path: ChartPathChoice } | undefined }
  | { readonly kind: 'sweep'; readonly flags: BacktestFlags; readonly sweeps: readonly SweepSeries[]; readonly chartPath: string | undefined; readonly sweepOut: string | undefined };

/** An output file's absolute path, its folder checked. */
function outputPath(io: CommandIo, flag: string, file: string): string {
  const path = resolve(io.cwd, file);
  if (!io.isDirectory(dirname(path))) throw new UsageError(`--${flag}: the folder ${dirname(path)} does not exist`);
  return path;
}

function plan(args: readonly string[], io: CommandIo): Plan {
  const flags = parseFlags(tokenizeArgs(args));
  if (flags.help) return { kind: 'help' };
  const sweeping = flags.sweep !== undefined && flags.sweep.length > 0;
  if (flags['chart-path'] !== undefined && sweeping) throw new UsageError("--chart-path chooses the path a run's --chart draws, and a --sweep's chart is its frontier: drop --chart-path");
  if (flags['chart-path'] !== undefined && flags.chart === undefined) throw new UsageError('--chart-path chooses the path that --chart draws: add --chart FILE.svg');
  if (flags['sweep-out'] !== undefined && !sweeping) throw new UsageError('--sweep-out writes the table of a --sweep: add --sweep KEY=v1,v2,... (for the paths of one run: --paths-out FILE.csv)');
  if (flags['paths-out'] !== undefined && sweeping) throw new UsageError('--paths-out writes the paths of one run, and --sweep makes several: drop one (--sweep-out FILE.csv writes the sweep\'s table)');
  const source = loadConfigSource(flags, io);
  const csvCache: CsvCache = new Map();
  if (!sweeping) {
    const run = prepareRun(source, flags, source.file ?? 'flags', io, csvCache);
    const choice = flags['chart-path'] ?? 'costliest';
    if (flags.chart !== undefined) checkChartPath(choice, run.spec, gridFor(run.spec).offsetsMs.length);
    return {
      kind: 'single',
      flags,
      run,
      pathsOut: flags['paths-out'] === undefined ? undefined : outputPath(io, 'paths-out', flags['paths-out']),
      chart: flags.chart === undefined ? undefined : { file: outputPath(io, 'chart', flags.chart), path: choice },
    };
  }
  const sweeps = planSweeps(args, flags.sweep!, source, io, csvCache);
  const sweepOut = flags['sweep-out'] === undefined ? undefined : outputPath(io, 'sweep-out', flags['sweep-out']);
  const drawable = sweeps.some((s) => s.runs.some((r) => hasDistribution(r.spec)));
  if (!drawable) {
    const run = sweeps[0]!.runs[0]!;
    if (flags.chart !== undefined) throw new UsageError(`--chart: each run is ${onePath(run.spec)}, so no run has a std and there is no frontier to draw (drop --chart)`);
    return { kind: 'sweep', flags, sweeps, chartPath: undefined, sweepOut };
  }
  const chartPath = outputPath(io, 'chart', flags.chart ?? DEFAULT_CHART);
  return { kind: 'sweep', flags, sweeps, chartPath, sweepOut };
}

/** Exit status of a run stopped by Ctrl-C (128 + SIGINT), after its partial report. */
export const EXIT_INTERRUPTED = 130;

/**
 * Runs `hedge backtest` with its arguments (after the command name); resolves to the exit
 * status. A Ctrl-C stops the run after its current block of paths and reports what was
 * done (exit 130); a second one quits at once.
 */
const meanOf = (values: Float64Array): number => values.reduce((sum, v) => sum + v, 0) / values.length;

export async function runBacktestCommand(args: readonly string[], io: CommandIo = processIo()): Promise<number> {
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
  const progress: ProgressChoice = { lines: planned.flags.progress === true };
  const showsProgress = io.stderr.isTTY === true || progress.lines;
  const stop = { requested: false };
  const unsubscribe = io.onInterrupt?.(() => {
    stop.requested = true;
    unsubscribe?.(); // a second Ctrl-C quits at once
    io.stderr.write('\nhedge backtest: Ctrl-C — stopping after the current block of paths, then reporting what was done (Ctrl-C again to quit now)\n');
  });
  try {
    if (planned.kind === 'single') {
      if (showsProgress) io.stderr.write(runSizeLine([planned.run]) + '\n');
      const executed = await executeRun(planned.run, io, 'backtest', progress, stop);
      const { run, summary, seconds, interrupted } = executed;
      const risk = runRisk(executed);
      // Hedged at the paths' vol: what was realised, beside the implied (one more pass over the paths' prices).
      const realisedVol = run.spec.hedgeVol === undefined ? undefined : { mean: meanOf(pathRealisedVols(run.spec)) };
      if (planned.pathsOut !== undefined) writeChunks(io, planned.pathsOut, pathsCsvChunks(executed));
      const chart = planned.chart === undefined ? undefined : { file: planned.chart.file, ...runChartSvg(executed, risk, planned.chart.path) };
      if (chart !== undefined) io.writeFile(chart.file, chart.svg);
      const partial = interrupted ? { interrupted: { donePaths: summary.paths, requestedPaths: interrupted.requestedPaths } } : {};
      const note = interrupted
        ? `INTERRUPTED (Ctrl-C): the first ${summary.paths.toLocaleString('en-US')} of ${interrupted.requestedPaths.toLocaleString('en-US')} paths — the run of --paths ${summary.paths}, which reproduces it\n\n`
        : '';
      io.stdout.write(
        planned.flags.json
          ? JSON.stringify({
              ...summaryJson(run, summary),
              ...riskJson(risk, summary.premium),
              ...(realisedVol === undefined ? {} : { realisedVol }),
              pathsOut: planned.pathsOut ?? null,
              chart: chart === undefined ? null : { file: chart.file, path: chart.path, note: chart.note },
              ...partial,
            }) + '\n'
          : note + formatTable(run, summary, seconds, { risk, replayCommand: (path) => replayCommand(args, path), pathsOut: planned.pathsOut, realisedVol, chart }),
      );
      return interrupted ? EXIT_INTERRUPTED : 0;
    }
    if (showsProgress) io.stderr.write(runSizeLine(planned.sweeps.flatMap((s) => s.runs)) + '\n');
    const { results, notRun } = await runSweeps(planned.sweeps, io, progress, stop);
    if (results.length === 0) {
      io.stderr.write('hedge backtest: interrupted (Ctrl-C) before the first run of the sweep was done: nothing to report\n');
      return EXIT_INTERRUPTED;
    }
    const frontier = sweepFrontier(results);
    if (planned.chartPath !== undefined) io.writeFile(planned.chartPath, renderSweepChart(results, frontier));
    if (planned.sweepOut !== undefined) io.writeFile(planned.sweepOut, sweepCsv(results, frontier));
    const note = notRun.length > 0 ? `INTERRUPTED (Ctrl-C): ${results.length} of ${results.length + notRun.length} runs done; not run: ${notRun.join(', ')}\n\n` : '';
    io.stdout.write(
      planned.flags.json
        ? JSON.stringify({ ...sweepJson(results, frontier, planned.chartPath), sweepOut: planned.sweepOut ?? null, ...(notRun.length > 0 ? { interrupted: { notRun } } : {}) }) + '\n'
        : note + formatSweepTable(results, frontier, planned.chartPath, planned.sweepOut),
    );
    return notRun.length > 0 ? EXIT_INTERRUPTED : 0;
  } catch (error) {
    if (error instanceof DomainError) {
      io.stderr.write(`hedge backtest: the run failed: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    unsubscribe?.();
  }
}
