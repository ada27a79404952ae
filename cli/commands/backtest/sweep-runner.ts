/**
 * Running prepared backtests with the production policy engine: one run, or every run
 * of every sweep in order, each timed, with progress on stderr.
 *
 * A run goes in blocks of paths (about BLOCK_PATH_STEPS path-steps each; the block size
 * depends on the run's shape only, so the numbers do not depend on the machine), with a
 * turn of the event loop between blocks: a Ctrl-C is seen there, the run stops, and what
 * was done is reported as what it is — the run of the first N paths, whose config says
 * `paths: N` and reproduces it. Each path's numbers do not depend on its block, and the
 * summary is recomputed from the joined per-path results (merge-results.ts).
 */
import { performance } from 'node:perf_hooks';
import { mergeBacktestResults } from '../../../shared/domain/backtest/merge-results.ts';
import { policyEngineFor } from '../../../shared/domain/backtest/policy-engine.ts';
import { gridFor, runBacktest, type BacktestResult, type BacktestSummary, type PerPathResults } from '../../../shared/domain/backtest/simulate.ts';
import { mean } from '../../../shared/domain/backtest/statistics.ts';
import { tailRisk, type TailEstimate } from '../../../shared/domain/backtest/tail-risk.ts';
import { createProgress } from '../../progress.ts';
import type { CommandIo } from './command-io.ts';
import type { PreparedRun } from './prepare-run.ts';
import type { SweepSeries } from './sweep-plan.ts';
import { hasDistribution } from './run-description.ts';

/** Path-steps per block: a fraction of a second to a few seconds of work. */
export const BLOCK_PATH_STEPS = 250_000;

export interface ExecutedRun {
  /** The run as done: after a Ctrl-C, the run of the paths done (its config says so). */
  readonly run: PreparedRun;
  readonly summary: BacktestSummary;
  /** Per-path results; index i is path (run.spec.firstPath ?? 0) + i. */
  readonly perPath: PerPathResults;
  readonly seconds: number;
  /** Set when a Ctrl-C stopped the run early: the paths asked for. */
  readonly interrupted?: { readonly requestedPaths: number };
}

/** How progress is shown: on a terminal always; off one only with --progress (a line every 10%). */
export interface ProgressChoice {
  readonly lines: boolean;
}

/** Whether a stop was asked for (a Ctrl-C), read between blocks. */
export interface StopSignal {
  readonly requested: boolean;
}

const NEVER: StopSignal = { requested: false };

/** Lets pending events (a SIGINT) run. */
const turnOfTheLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Paths per block for this run. */
export function blockPaths(run: PreparedRun): number {
  const steps = Math.max(1, gridFor(run.spec).offsetsMs.length - 1);
  return Math.max(1, Math.floor(BLOCK_PATH_STEPS / steps));
}

/** The run of the first `paths` paths of `run` (what an interrupted run did). */
function firstPathsOf(run: PreparedRun, paths: number): PreparedRun {
  return {
    ...run,
    config: { ...run.config, simulation: { ...run.config.simulation, paths } },
    spec: { ...run.spec, paths },
  };
}

export async function executeRun(run: PreparedRun, io: CommandIo, progressLabel: string, progressChoice: ProgressChoice = { lines: false }, stop: StopSignal = NEVER): Promise<ExecutedRun> {
  const progress = createProgress(io.stderr, progressLabel, 100, { lines: progressChoice.lines });
  const start = performance.now();
  try {
    const total = run.spec.paths;
    const block = blockPaths(run);
    const first = run.spec.firstPath ?? 0;
    const parts: BacktestResult[] = [];
    let done = 0;
    // One engine for the run's blocks (a forecast policy fits its warm-up sample once).
    const engine = policyEngineFor(run.spec);
    while (done < total) {
      const size = Math.min(block, total - done);
      const spec = size === total ? run.spec : { ...run.spec, firstPath: first + done, paths: size };
      const offset = done;
      parts.push(runBacktest(spec, engine, { onProgress: (d) => progress.update(offset + d, total) }));
      done += size;
      if (done < total) {
        await turnOfTheLoop();
        if (stop.requested) break;
      }
    }
    const { summary, perPath } = mergeBacktestResults(parts);
    const seconds = (performance.now() - start) / 1000;
    if (done < total) return { run: firstPathsOf(run, done), summary, perPath, seconds, interrupted: { requestedPaths: total } };
    return { run, summary, perPath, seconds };
  } finally {
    progress.finish();
  }
}

/** A run of a sweep: its summary and tail (its per-path results are not kept: a sweep may be large). */
export interface SweepResult extends Omit<ExecutedRun, 'perPath'> {
  readonly series: SweepSeries;
  readonly value: string;
  /** VaR/CVaR of the hedge cost at 95% and 99%; null for one path. */
  readonly tail: readonly TailEstimate[] | null;
  /** The mean over the paths of each path's max drawdown. */
  readonly meanMaxDrawdown: number;
}

export interface SweepRuns {
  /** The runs done, in order (an interrupted run is left out: its sample differs from the others'). */
  readonly results: readonly SweepResult[];
  /** The labels of the runs a Ctrl-C left undone (the interrupted one included). */
  readonly notRun: readonly string[];
}

export async function runSweeps(sweeps: readonly SweepSeries[], io: CommandIo, progressChoice: ProgressChoice = { lines: false }, stop: StopSignal = NEVER): Promise<SweepRuns> {
  const all = sweeps.flatMap((series) => series.runs.map((run, i) => ({ series, run, value: series.values[i]! })));
  const results: SweepResult[] = [];
  for (const [n, { series, run, value }] of all.entries()) {
    const { perPath, ...executed } = await executeRun(run, io, `sweep ${n + 1}/${all.length} ${run.label}`, progressChoice, stop);
    if (executed.interrupted) return { results, notRun: all.slice(n).map((r) => r.run.label) };
    results.push({ ...executed, series, value, tail: hasDistribution(run.spec) ? tailRisk(perPath.hedgeCost) : null, meanMaxDrawdown: mean(perPath.maxDrawdown) });
    await turnOfTheLoop();
    if (stop.requested && n + 1 < all.length) return { results, notRun: all.slice(n + 1).map((r) => r.run.label) };
  }
  return { results, notRun: [] };
}
