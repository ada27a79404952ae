/**
 * `hedge backtest` as a user runs it: a real child process of bin/hedge.mjs from the
 * repository's root, its exit status and both streams (shared by the CLI tests).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/hedge.mjs');

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `hedge backtest ARGS` (killed after `timeoutMs`). */
export function hedgeBacktest(args: readonly string[], timeoutMs = 100_000): CliRun {
  const run = spawnSync(process.execPath, [BIN, 'backtest', ...args], { encoding: 'utf8', timeout: timeoutMs, cwd: ROOT });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
