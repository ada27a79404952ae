/**
 * `hedge backtest` with the policy's safeguards (a real child process): portfolio
 * insurance on a book of the underlying and cash, its report and its sweeps; the crash
 * breaker switched off and between plans on the same paths; and the flags and configs
 * that cannot apply refused with exit 2, naming the flag or field.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { hedgeBacktest, ROOT, type CliRun } from './backtest-process.ts';

vi.setConfig({ testTimeout: 180_000 });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const CPPI = join(ROOT, 'examples/backtest/eth-cppi.json');
const BREAKER = join(ROOT, 'examples/backtest/flash-crash-breaker.json');
/** Small and coarse enough for a test: 120 paths checked once a day. */
const SMALL = ['--paths', '120', '--step', '1d'];

const hedge = (args: string[]): CliRun => hedgeBacktest(args, 170_000);
/** A sweep's chart goes to a temporary folder (by default it is written in the working directory). */
const chartFile = (): string => join(mkdtempSync(join(tmpdir(), 'hedge-sweep-chart-')), 'frontier.svg');

describe('hedge backtest with portfolio insurance', () => {
  it('reports the floor, the shortfalls, the upside and the turnover; its --json config reproduces the run', () => {
    const first = hedge(['--config', CPPI, ...SMALL, '--json']);
    expect(first.status, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as Json;
    expect(out.bookValue).toBe(0);
    expect(out.ratio).toBeNull();
    const insurance = out.insurance;
    expect(insurance).toMatchObject({ method: 'cppi', capitalUsd: 100_000 });
    expect(insurance.probabilityUnderFloor).toBeGreaterThanOrEqual(0);
    expect(insurance.probabilityUnderFloor).toBeLessThanOrEqual(insurance.probabilityEverUnderFloor);
    expect(insurance.upsideCapture).toBeGreaterThan(0);
    expect(insurance.upsideCapture).toBeLessThan(1);
    expect(insurance.turnover).toBeGreaterThan(0);
    // The portfolio at the horizon is the capital plus the P&L (r = 0).
    expect(insurance.value.mean).toBeCloseTo(100_000 + out.pnl.mean, 4);
    expect(out.crashBreaker).toBeNull();
    expect(out.config.book).toEqual([]);
    expect(out.config.policy.insurance).toMatchObject({ method: 'cppi', multiplier: 4 });

    const dir = mkdtempSync(join(tmpdir(), 'hedge-insurance-'));
    const file = join(dir, 'again.json');
    writeFileSync(file, JSON.stringify(out.config));
    const again = JSON.parse(hedge(['--config', file, '--json']).stdout) as Json;
    expect(again.insurance).toEqual(insurance);

    const table = hedge(['--config', CPPI, ...SMALL]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain('no options: an insured portfolio of the underlying and cash');
    expect(table.stdout).toMatch(/policy {2}CPPI m 4 on \$100,000, floor 80% of the start, band 10%/);
    expect(table.stdout).toMatch(/ended under the floor +\d+\.\d\d% ± /);
    expect(table.stdout).toContain('upside capture');
    expect(readFileSync(CPPI, 'utf8')).toContain('"book": []');
  });

  it('sweeps the multiplier and the band on the same paths, with the insurance columns', () => {
    const run = hedge(['--config', CPPI, ...SMALL, '--sweep', 'cppi-multiplier=2,8', '--chart', chartFile(), '--json']);
    expect(run.status, run.stderr).toBe(0);
    const sweep = (JSON.parse(run.stdout) as Json).sweep as Json[];
    expect(sweep.map((r) => r.config.policy.insurance.multiplier)).toEqual([2, 8]);
    // More exposure for the same cushion: more turnover, and at least as many floor breaks.
    expect(sweep[1].insurance.turnover).toBeGreaterThan(sweep[0].insurance.turnover);
    expect(sweep[1].insurance.probabilityUnderFloor).toBeGreaterThanOrEqual(sweep[0].insurance.probabilityUnderFloor);
    const table = hedge(['--config', CPPI, ...SMALL, '--sweep', 'insurance-band=0.02,0.2', '--chart', chartFile()]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/insurance +mean value +P\(< floor\)/);
    expect(table.stdout).toContain('insurance-band=0.02');
  });

  it('refuses what cannot apply, naming the flag or the field, and runs nothing', () => {
    const noInsurance = hedge(['--cppi-multiplier', '3']);
    expect(noInsurance.status).toBe(2);
    expect(noInsurance.stderr).toContain('--cppi-multiplier changes the policy\'s insurance, and a quick run has none');
    const dir = mkdtempSync(join(tmpdir(), 'hedge-insurance-bad-'));
    const config = JSON.parse(readFileSync(CPPI, 'utf8')) as Json;
    const runaway = join(dir, 'runaway.json');
    writeFileSync(runaway, JSON.stringify({ ...config, policy: { ...config.policy, runaway: {} } }));
    const refused = hedge(['--config', runaway]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('policy.runaway: is not simulated: runaway protection compares the chain with the records');
    const noHorizon = join(dir, 'no-horizon.json');
    writeFileSync(noHorizon, JSON.stringify({ ...config, simulation: { paths: 10 } }));
    const missing = hedge(['--config', noHorizon]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('simulation.horizon: must be given: an insured portfolio without a book has no expiry to end the run at');
    expect(hedge(['--config', CPPI, '--crash-breaker', 'hold']).stderr).toContain('has no policy.crashBreaker');
  });
});

describe('hedge backtest with the crash breaker', () => {
  it('compares the breaker off and its plans on the same paths', () => {
    const run = hedge(['--config', BREAKER, '--paths', '80', '--sweep', 'crash-breaker=off,hold', '--chart', chartFile(), '--json']);
    expect(run.status, run.stderr).toBe(0);
    const [off, hold] = (JSON.parse(run.stdout) as Json).sweep as Json[];
    expect(off.crashBreaker).toBeNull();
    expect(off.config.policy.crashBreaker).toBeUndefined();
    expect(hold.config.policy.crashBreaker.plan).toEqual({ kind: 'hold' });
    expect(hold.crashBreaker.crashesPerPath).toBeGreaterThan(0);
    expect(hold.crashBreaker.timeInCrashMode).toBeGreaterThan(0);
    // The same paths: the book's payoffs are the same whatever the hedge does.
    expect(hold.attribution.option).toBe(off.attribution.option);
    const table = hedge(['--config', BREAKER, '--paths', '40']);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/crash breaker 4σ in 6h, or a 800 bps step \(risk-reducing\), calm 12h/);
    expect(table.stdout).toMatch(/Crash breaker +\d+\.\d\d crash\(es\) per path, in crash mode/);
  });
});
