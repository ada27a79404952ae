/**
 * Running prepared backtests with the production policy engine: one run, or every run
 * of every sweep in order, each timed and with a progress line on a terminal.
 */
import { performance } from 'node:perf_hooks';
import { POLICY_ENGINE } from '../../../shared/domain/backtest/policy-engine.ts';
import { runBacktest, type BacktestSummary } from '../../../shared/domain/backtest/simulate.ts';
import { createProgress } from '../../progress.ts';
import type { CommandIo } from './command-io.ts';
import type { PreparedRun } from './prepare-run.ts';
import type { SweepSeries } from './sweep-plan.ts';

export interface ExecutedRun {
  readonly run: PreparedRun;
  readonly summary: BacktestSummary;
  readonly seconds: number;
}

export function executeRun(run: PreparedRun, io: CommandIo, progressLabel: string): ExecutedRun {
  const progress = createProgress(io.stderr, progressLabel);
  const start = performance.now();
  try {
    const { summary } = runBacktest(run.spec, POLICY_ENGINE, { onProgress: (done, total) => progress.update(done, total) });
    return { run, summary, seconds: (performance.now() - start) / 1000 };
  } finally {
    progress.finish();
  }
}

export interface SweepResult extends ExecutedRun {
  readonly series: SweepSeries;
  readonly value: string;
}

export function runSweeps(sweeps: readonly SweepSeries[], io: CommandIo): SweepResult[] {
  const total = sweeps.reduce((n, s) => n + s.runs.length, 0);
  const results: SweepResult[] = [];
  for (const series of sweeps) {
    series.runs.forEach((run, i) => {
      const executed = executeRun(run, io, `sweep ${results.length + 1}/${total} ${run.label}`);
      results.push({ ...executed, series, value: series.values[i]! });
    });
  }
  return results;
}
