/**
 * Backtester throughput: 100,000 paths × 100 steps of a one-option book (a written
 * 30-day at-the-money ETH call, GBM, hedged by the production policy engine with a
 * ±5-unit band, 5 bp fee and $2 gas), on one core. Also the simulator alone (a policy
 * that never trades and allocates nothing), to show where the time goes.
 */
import { HedgePolicyConfigSchema } from '../shared/contracts/hedge-policy-config.ts';
import { MS_PER_DAY } from '../shared/domain/backtest/durations.ts';
import { POLICY_ENGINE } from '../shared/domain/backtest/policy-engine.ts';
import { runBacktest, type BacktestSpec, type PolicyFunctions } from '../shared/domain/backtest/simulate.ts';
import type { Decision, HedgeState } from '../shared/domain/policy/policy-types.ts';

const PATHS = 100_000;
const STEPS = 100;

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
    seed: 1,
    startMs: Date.UTC(2025, 0, 1),
    grid: { steps: STEPS },
  };
}

const NO_TRADE: Decision = { id: '', action: 'none', reason: 'NONE_WITHIN_BAND', message: '', numbers: {}, orders: [], plannedSlices: [], alerts: [], dryRun: false, wouldTrade: [] };
const STILL: HedgeState = { dayStartMs: 0, dailyNotionalUsd: 0, pendingSlices: [] };
const NEVER_TRADES: PolicyFunctions = { initial: () => STILL, observe: (s) => s, decide: () => NO_TRADE, apply: (s) => s };

function timed(policy: PolicyFunctions, paths: number): { seconds: number; ratio: number; trades: number } {
  const start = process.hrtime.bigint();
  const { summary } = runBacktest(spec(paths), policy);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, ratio: summary.ratio, trades: summary.tradesPerPath };
}

export function runBacktestBench(): void {
  console.log(`\nBacktester: ${PATHS.toLocaleString('en-US')} paths × ${STEPS} steps, one written ETH call, GBM, one core`);
  timed(POLICY_ENGINE, 2000); // warm up
  const full = timed(POLICY_ENGINE, PATHS);
  const rate = (PATHS * STEPS) / full.seconds;
  console.log(`  with the policy engine (±5 ETH band)  ${full.seconds.toFixed(1)} s wall, ${(rate / 1e6).toFixed(2)} M path-steps/s (ratio ${full.ratio.toFixed(3)}, ${full.trades.toFixed(1)} trades/path)`);
  timed(NEVER_TRADES, 2000);
  const bare = timed(NEVER_TRADES, PATHS);
  console.log(`  simulator alone (no-op policy)        ${bare.seconds.toFixed(1)} s wall, ${((PATHS * STEPS) / bare.seconds / 1e6).toFixed(2)} M path-steps/s (paths, BSM Greeks, accounting)`);
}
