/**
 * Volatility models (shared/domain/volatility): how long a fit takes, and how well the
 * fitted models forecast out of sample.
 *  - Fit time for 2,000 returns (median of 21 timed runs after warm-up, one core):
 *    GARCH(1,1) with each start convention and with variance targeting, and EWMA with λ
 *    fitted. The issue's budget: well under 100 ms, so a Lambda can refit on a schedule.
 *  - Forecast accuracy, QLIKE and MSE against squared returns (forecast-evaluation.ts),
 *    one step ahead and summed over a horizon, parameters fitted on a training window
 *    and then held fixed over the test window:
 *      · simulated GARCH(1,1) data (daily-like: ω = 2e-6, α = 0.08, β = 0.9), 20 paths of
 *        2,000 training + 4,000 test returns, horizon 10 steps, losses averaged over paths;
 *      · the sample ETH series (examples/backtest/eth-sample.csv, 192 hourly returns:
 *        the first 128 to fit, the last 64 to test), horizon 24 steps (a day).
 *    Beside GARCH and EWMA (λ fitted, and RiskMetrics' 0.94): the training sample's
 *    constant variance as the naive benchmark, and on simulated data the true
 *    parameters as the oracle. Lower is better for both losses.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePriceCsv } from '../cli/price-csv.ts';
import { Xoshiro128 } from '../shared/domain/backtest/random.ts';
import { ewmaAsGarch, fitEwma, RISKMETRICS_DAILY_LAMBDA } from '../shared/domain/volatility/ewma.ts';
import { evaluateOutOfSample, type ForecastingModel, type OutOfSampleEvaluation } from '../shared/domain/volatility/forecast-evaluation.ts';
import { fitGarch } from '../shared/domain/volatility/garch-fit.ts';
import { garchConditionalVariances } from '../shared/domain/volatility/garch-likelihood.ts';
import type { GarchParams } from '../shared/domain/volatility/garch-types.ts';
import { logReturns } from '../shared/domain/volatility/log-returns.ts';
import { simulateGarch } from '../shared/domain/volatility/simulate-garch.ts';

const TRUTH: GarchParams = { mu: 0.0003, omega: 2e-6, alpha: 0.08, beta: 0.9 };
const FIT_POINTS = 2000;
const TIMED_RUNS = 21;

function medianMs(run: () => unknown): { median: number; max: number } {
  for (let i = 0; i < 5; i++) run(); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, max: times[times.length - 1]! };
}

/** The models compared, each fitted on `training` and returning what the evaluation runs. */
function forecastingModels(training: Float64Array, truth?: GarchParams): [string, ForecastingModel][] {
  const n = training.length;
  const garch = fitGarch(training);
  const ewma = fitEwma(training);
  const riskMetrics = fitEwma(training, { lambda: RISKMETRICS_DAILY_LAMBDA });
  const mean = training.reduce((s, r) => s + r, 0) / n;
  const variance = training.reduce((s, r) => s + (r - mean) ** 2, 0) / n;
  const models: [string, ForecastingModel][] = [
    ['GARCH(1,1), fitted', { params: garch.params, meanReversion: garch.dynamics.meanReversion, nextVariance: garch.dynamics.nextVariance }],
    [`EWMA, λ fitted (${ewma.lambda.toFixed(4)})`, { params: ewmaAsGarch(ewma.lambda), meanReversion: 0, nextVariance: ewma.dynamics.nextVariance }],
    ['EWMA, λ = 0.94 (RiskMetrics)', { params: ewmaAsGarch(RISKMETRICS_DAILY_LAMBDA), meanReversion: 0, nextVariance: riskMetrics.dynamics.nextVariance }],
    ['constant (training variance)', { params: { mu: mean, omega: variance, alpha: 0, beta: 0 }, meanReversion: 1, nextVariance: variance }],
  ];
  if (truth) {
    const next = garchConditionalVariances(training, truth)[n]!;
    models.push(['true parameters (oracle)', { params: truth, meanReversion: 1 - truth.alpha - truth.beta, nextVariance: next }]);
  }
  return models;
}

function printAccuracy(title: string, rows: [string, OutOfSampleEvaluation][]): void {
  const horizon = rows[0]![1].horizonSteps;
  console.log(`  ${title}`);
  console.log(`    ${'model'.padEnd(32)} ${'QLIKE 1-step'.padStart(13)} ${'MSE 1-step'.padStart(11)} ${`QLIKE ${horizon}-step`.padStart(14)} ${`MSE ${horizon}-step`.padStart(12)}`);
  for (const [name, e] of rows) {
    console.log(
      `    ${name.padEnd(32)} ${e.oneStep.qlike.toFixed(4).padStart(13)} ${e.oneStep.mse.toExponential(3).padStart(11)} ${e.horizon.qlike.toFixed(4).padStart(14)} ${e.horizon.mse.toExponential(3).padStart(12)}`,
    );
  }
}

/** Prints the volatility-model benchmark. */
export function runVolatilityBench(): void {
  console.log(`\nVolatility models (shared/domain/volatility), one core`);

  const series = simulateGarch(TRUTH, FIT_POINTS, new Xoshiro128(20261601));
  const timings: [string, () => unknown][] = [
    ['GARCH(1,1), σ²₁ = s²', () => fitGarch(series)],
    ['GARCH(1,1), presample start', () => fitGarch(series, { start: 'presample' })],
    ['GARCH(1,1), variance targeting', () => fitGarch(series, { varianceTargeting: true })],
    ['EWMA, λ by maximum likelihood', () => fitEwma(series)],
  ];
  console.log(`  Fit time, ${FIT_POINTS.toLocaleString('en-US')} returns (median of ${TIMED_RUNS} runs; budget: well under 100 ms)`);
  for (const [name, run] of timings) {
    const { median, max } = medianMs(run);
    console.log(`    ${name.padEnd(32)} ${median.toFixed(2).padStart(7)} ms   (slowest ${max.toFixed(2)} ms)`);
  }

  // Simulated GARCH: losses averaged over paths.
  const paths = 20;
  const horizon = 10;
  const totals = new Map<string, { oneQ: number; oneM: number; hQ: number; hM: number }>();
  for (let p = 0; p < paths; p++) {
    const path = simulateGarch(TRUTH, 6000, new Xoshiro128(7, p));
    const training = path.subarray(0, 2000);
    const test = path.subarray(2000);
    forecastingModels(training, TRUTH).forEach(([name, model], i) => {
      const e = evaluateOutOfSample(model, test, horizon);
      const key = i === 1 ? 'EWMA, λ fitted' : name; // fitted λ differs per path: one row
      const t = totals.get(key) ?? { oneQ: 0, oneM: 0, hQ: 0, hM: 0 };
      totals.set(key, { oneQ: t.oneQ + e.oneStep.qlike / paths, oneM: t.oneM + e.oneStep.mse / paths, hQ: t.hQ + e.horizon.qlike / paths, hM: t.hM + e.horizon.mse / paths });
    });
  }
  const simulatedRows: [string, OutOfSampleEvaluation][] = [...totals].map(([name, t]) => [
    name,
    { oneStep: { qlike: t.oneQ, mse: t.oneM, count: 4000 }, horizon: { qlike: t.hQ, mse: t.hM, count: 4000 - horizon + 1 }, horizonSteps: horizon },
  ]);
  console.log('\n  Out-of-sample forecast accuracy (lower is better)');
  printAccuracy(`simulated GARCH(1,1) ω=2e-6 α=0.08 β=0.9: ${paths} paths, fit on 2,000, test on 4,000, horizon ${horizon} steps (mean over paths)`, simulatedRows);

  const eth = parsePriceCsv(readFileSync(resolve('examples/backtest/eth-sample.csv'), 'utf8'), 'eth-sample.csv');
  const ethReturns = logReturns(eth.prices);
  const split = 128;
  const ethRows = forecastingModels(ethReturns.subarray(0, split)).map(([name, model]): [string, OutOfSampleEvaluation] => [name, evaluateOutOfSample(model, ethReturns.subarray(split), 24)]);
  printAccuracy(`examples/backtest/eth-sample.csv: ${ethReturns.length} hourly returns, fit on the first ${split}, test on the last ${ethReturns.length - split}, horizon 24 steps (1d)`, ethRows);
}
