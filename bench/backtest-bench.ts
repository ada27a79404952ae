/**
 * Backtester throughput: 100,000 paths × 100 steps of a one-option book (a written
 * 30-day at-the-money ETH call, GBM, hedged by the production policy engine with a
 * ±5-unit band, 5 bp fee and $2 gas), on one core, measured two ways:
 *  - the library: runBacktest with POLICY_ENGINE, in this bundle;
 *  - the CLI: the same run as `hedge backtest --spot 3000 ... --paths 100000 --steps 100`
 *    through its own executable (bin/hedge.mjs, sources loaded by tsx: flags, config,
 *    progress, report), with the run time it reports and the wall time of the process
 *    (start-up included). Both runs give the same numbers: the ratio is printed beside each.
 * Also the simulator alone (a policy that never trades and allocates nothing), to show
 * where the time goes. CPU seconds are printed beside wall seconds: on a loaded machine
 * the wall time is longer than the work.
 *
 * Alone, without the rest of `npm run bench`:
 *   npx esbuild bench/backtest-bench.ts --bundle --platform=node --format=esm --target=node20 \
 *     --outfile=test/output/bench/backtest-bench.mjs && node test/output/bench/backtest-bench.mjs [--paths N] [--no-cli]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { HedgePolicyConfigSchema } from '../shared/contracts/hedge-policy-config.ts';
import { MS_PER_DAY } from '../shared/domain/backtest/durations.ts';
import { POLICY_ENGINE } from '../shared/domain/backtest/policy-engine.ts';
import { runBacktest, type BacktestSpec, type PolicyFunctions } from '../shared/domain/backtest/simulate.ts';
import type { Decision, HedgeState } from '../shared/domain/policy/policy-types.ts';

const PATHS = 100_000;
const STEPS = 100;
const SEED = 1;

function spec(paths: number): BacktestSpec {
  return {
    market: { kind: 'gbm', spot: 3000, drift: 0.04, vol: 0.6 },
    rate: 0.04,
    yield: 0,
    pricingVol: 0.6,
    fundingRate: 0.04,
    book: [{ id: 'eth-c-3000-30d', optionType: 'call', strike: 3000, maturityMs: 30 * MS_PER_DAY, quantity: -100 }],
    policy: HedgePolicyConfigSchema.parse({ underlying: 'ETH', band: { unit: 'units', trigger: 5 } }),
    costs: { feeBps: 5, slippage: { kind: 'none' }, gasUsd: 2 },
    paths,
    seed: SEED,
    startMs: Date.UTC(2025, 0, 1),
    grid: { steps: STEPS },
  };
}

/**
 * The same run as spec() from the CLI's flags (its defaults: start 2025-01-01, funding
 * at rate − yield, the band as the only trigger; its quick-run underlying is not ETH,
 * which only changes the names in messages).
 */
function cliArgs(paths: number): string[] {
  return [
    'backtest',
    ...['--spot', '3000', '--drift', '0.04', '--vol', '0.6', '--rate', '0.04', '--yield', '0'],
    ...['--type', 'call', '--strike', '3000', '--maturity', '30d', '--quantity', '-100'],
    ...['--band', '5', '--fee-bps', '5', '--gas-usd', '2'],
    ...['--paths', String(paths), '--steps', String(STEPS), '--seed', String(SEED)],
  ];
}

const NO_TRADE: Decision = { id: '', action: 'none', reason: 'NONE_WITHIN_BAND', message: '', numbers: {}, orders: [], plannedSlices: [], alerts: [], dryRun: false, wouldTrade: [] };
const STILL: HedgeState = { dayStartMs: 0, dailyNotionalUsd: 0, pendingSlices: [] };
const NEVER_TRADES: PolicyFunctions = { initial: () => STILL, observe: (s) => s, decide: () => NO_TRADE, apply: (s) => s };

interface Timed {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly ratio: number;
  readonly trades: number;
}

function timed(policy: PolicyFunctions, paths: number): Timed {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const { summary } = runBacktest(spec(paths), policy);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, ratio: summary.ratio, trades: summary.tradesPerPath };
}

const rate = (pathSteps: number, seconds: number): string => `${(pathSteps / seconds / 1e6).toFixed(2)} M path-steps/s`;

/**
 * CPU seconds used by the children this process has waited for (Linux: /proc/self/stat's
 * cutime + cstime, in ticks of 1/100 s); undefined where there is no /proc.
 */
function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
    const ticks = Number(fields[13]) + Number(fields[14]); // fields 16 and 17
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** `hedge backtest` in its own process: the run time and ratio it prints, the process's wall and CPU time. */
function timedCli(paths: number): string {
  const cpuBefore = childCpuSeconds();
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['bin/hedge.mjs', ...cliArgs(paths)], { cwd: process.cwd(), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuAfter = childCpuSeconds();
  if (run.status !== 0) return `failed (exit ${run.status ?? run.signal}): ${(run.stderr || run.stdout || String(run.error)).trim().split('\n')[0]}`;
  const cpu = cpuBefore !== undefined && cpuAfter !== undefined ? `, ${(cpuAfter - cpuBefore).toFixed(1)} s CPU` : '';
  // The table's first line says "..., 10.02 s (1.00 M path-steps/s)"; its ratio line ends with the ratio.
  const header = /([\d.]+) s \([\d.]+ M path-steps\/s\)/u.exec(run.stdout);
  const ratio = /^Ratio std\(hedge cost\).*?(-?\d+(?:\.\d+)?)\s*$/mu.exec(run.stdout);
  const ratioNote = ratio ? ` (ratio ${ratio[1]})` : '';
  const whole = `${wall.toFixed(1)} s wall${cpu} with start-up`;
  if (!header) return `${whole}, ${rate(paths * STEPS, wall)}${ratioNote} (its timing line was not found)`;
  const seconds = Number(header[1]);
  return `${seconds.toFixed(1)} s run, ${rate(paths * STEPS, seconds)}; ${whole}${ratioNote}`;
}

export interface BacktestBenchOptions {
  /** Paths of the timed runs (default 100,000). */
  readonly paths?: number;
  /** Also run the CLI (default true). */
  readonly cli?: boolean;
}

export function runBacktestBench(options: BacktestBenchOptions = {}): void {
  const paths = options.paths ?? PATHS;
  const pathSteps = paths * STEPS;
  console.log(`\nBacktester: ${paths.toLocaleString('en-US')} paths × ${STEPS} steps, one written ETH call, GBM, one core`);
  timed(POLICY_ENGINE, 2000); // warm up
  const full = timed(POLICY_ENGINE, paths);
  console.log(
    `  library, policy engine (±5 ETH band)   ${full.seconds.toFixed(1)} s wall (${full.cpuSeconds.toFixed(1)} s CPU), ${rate(pathSteps, full.seconds)} (ratio ${full.ratio.toFixed(4)}, ${full.trades.toFixed(1)} trades/path)`,
  );
  if (options.cli ?? true) console.log(`  the same run through the CLI            ${timedCli(paths)}`);
  timed(NEVER_TRADES, 2000);
  const bare = timed(NEVER_TRADES, paths);
  console.log(`  simulator alone (no-op policy)         ${bare.seconds.toFixed(1)} s wall (${bare.cpuSeconds.toFixed(1)} s CPU), ${rate(pathSteps, bare.seconds)} (paths, BSM Greeks, accounting)`);
}

/** Run as its own bundle (see the module comment): `[--paths N] [--no-cli]`. */
function main(args: readonly string[]): number {
  let paths = PATHS;
  let cli = true;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--no-cli') cli = false;
    else if (flag === '--paths' && /^\d+$/u.test(args[i + 1] ?? '') && Number(args[i + 1]) >= 1) paths = Number(args[++i]);
    else {
      console.error(`backtest-bench: unknown or incomplete flag "${flag}"\nUsage: node test/output/bench/backtest-bench.mjs [--paths N] [--no-cli]`);
      return 2;
    }
  }
  runBacktestBench({ paths, cli });
  return 0;
}

// Only when this file is the bundle's entry (the full bench imports it and calls runBacktestBench).
if (/\/backtest-bench\.mjs$/u.test(import.meta.url) && process.argv[1] !== undefined && /backtest-bench\.mjs$/u.test(process.argv[1])) process.exitCode = main(process.argv.slice(2));
