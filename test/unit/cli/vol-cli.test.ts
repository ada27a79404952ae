/**
 * `hedge vol fit`: in-process against memory (flags, CSV, errors, JSON and table), and
 * end to end through bin/hedge.mjs (the subcommand is registered and exits as promised).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runVolCommand, VOL_FIT_HELP } from '../../../cli/commands/vol-command.ts';
import { memoryIo } from '../../support/memory-io.ts';
import { loadDem2gbp } from '../domain/volatility/support/dem2gbp.ts';

/** The CLI's JSON, read loosely: the assertions check its shape and numbers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;


function run(args: string[], files: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const io = memoryIo(files);
  const status = runVolCommand(args, io);
  return { status, stdout: io.out.join(''), stderr: io.err.join('') };
}

/** A CSV of prices from returns: P₀ = 100, Pₜ = Pₜ₋₁·e^{rₜ}, one row every `stepMs`. */
function csvOf(returns: ArrayLike<number>, stepMs: number, startMs = Date.UTC(2025, 0, 1)): string {
  const rows = ['timestamp,price'];
  let price = 100;
  rows.push(`${new Date(startMs).toISOString()},${price}`);
  for (let t = 0; t < returns.length; t++) {
    price *= Math.exp(returns[t]!);
    rows.push(`${new Date(startMs + (t + 1) * stepMs).toISOString()},${price}`);
  }
  return rows.join('\n') + '\n';
}

const ETH = readFileSync(join(ROOT, 'examples/backtest/eth-sample.csv'), 'utf8');

describe('hedge vol fit --json', () => {
  it('prints the promised fields for GARCH, annualised from hourly timestamps (8,760 steps a year)', () => {
    const { status, stdout, stderr } = run(['fit', '--csv', 'eth.csv', '--json', '--horizon', '1h,1d'], { 'eth.csv': ETH });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const out = JSON.parse(stdout) as Json;
    expect(Object.keys(out).slice(0, 9)).toEqual(['model', 'observations', 'params', 'standardErrors', 'logLikelihood', 'persistence', 'halfLife', 'annualisedVol', 'longRunVol']);
    expect(out.model).toBe('garch');
    expect(out.observations).toBe(192); // 193 prices in the sample
    expect(Object.keys(out.params)).toEqual(['mu', 'omega', 'alpha', 'beta']);
    expect(out.sampling).toEqual({ intervalMs: HOUR, interval: '1h', stepsPerYear: 8760 });
    expect(out.persistence).toBeCloseTo(out.params.alpha + out.params.beta, 12);
    // Long-run vol = √(ω/(1 − α − β)·8760), worked from the printed parameters.
    expect(out.longRunVol).toBeCloseTo(Math.sqrt((out.params.omega / (1 - out.params.alpha - out.params.beta)) * 8760), 10);
    expect(out.forecast.map((f: Json) => [f.horizon, f.steps])).toEqual([
      ['1h', 1],
      ['1d', 24],
    ]);
    // One step ahead is the next step's vol.
    expect(out.forecast[0].vol).toBeCloseTo(out.annualisedVol, 12);
    // The day's vol lies between the next step's and the long-run vol (mean reversion).
    const [low, high] = [Math.min(out.annualisedVol, out.longRunVol), Math.max(out.annualisedVol, out.longRunVol)];
    expect(out.forecast[1].vol).toBeGreaterThanOrEqual(low);
    expect(out.forecast[1].vol).toBeLessThanOrEqual(high);
    expect(out.jumps.threshold).toBe(4);
  });

  it('fits EWMA with a given λ: a flat forecast at the next step vol, and no standard error', () => {
    const { status, stdout } = run(['fit', '--csv', 'eth.csv', '--model', 'ewma', '--lambda', '0.94', '--json', '--horizon', '4h,7d'], { 'eth.csv': ETH });
    expect(status).toBe(0);
    const out = JSON.parse(stdout) as Json;
    expect(out.params).toEqual({ lambda: 0.94 });
    expect(out.standardErrors).toEqual({ lambda: null });
    expect(out.persistence).toBe(1);
    expect(out.longRunVol).toBeNull();
    for (const f of out.forecast) expect(f.vol).toBeCloseTo(out.annualisedVol, 12);
    // The weights' half-life: ln ½ / ln 0.94 = 11.2 hourly steps.
    expect(out.halfLife.steps).toBeCloseTo(Math.log(0.5) / Math.log(0.94), 12);
    expect(out.halfLife.text).toBe('11.2h');
  });

  it('annualises weekday closes by their mean spacing (5 returns a week: 260.7 a year)', () => {
    const returns = Array.from({ length: 300 }, (_, i) => 0.01 * Math.sin(i * 1.7) * (1 + (i % 5)));
    const starts = Date.UTC(2024, 0, 1); // a Monday
    const rows = ['timestamp,price'];
    let price = 50;
    let day = 0;
    rows.push(`${starts},${price}`);
    for (const r of returns) {
      day += day % 7 === 4 ? 3 : 1; // Friday → Monday
      price *= Math.exp(r);
      rows.push(`${(starts + day * DAY) / 1000},${price}`);
    }
    const out = JSON.parse(run(['fit', '--csv', 'wk.csv', '--json'], { 'wk.csv': rows.join('\n') }).stdout) as Json;
    // 300 returns span 59 weeks + 5 days = 420 days ⇒ 1.4 days a step.
    expect(out.sampling.stepsPerYear).toBeCloseTo(365 / 1.4, 9);
  });

  it('adds the regime signal against --implied-vol', () => {
    const out = JSON.parse(run(['fit', '--csv', 'eth.csv', '--json', '--implied-vol', '0.3'], { 'eth.csv': ETH }).stdout) as Json;
    expect(out.regime.impliedVol).toBe(0.3);
    expect(out.regime.realisedVol).toBeCloseTo(out.forecast[0].vol, 15);
    expect(out.regime.regime).toBe(out.forecast[0].vol > 0.33 ? 'realised-above-implied' : out.forecast[0].vol < 0.27 ? 'realised-below-implied' : 'neutral');
  });

  const dem2gbp = loadDem2gbp();
  it.skipIf(!('returns' in dem2gbp))('reproduces the FCP benchmark from a CSV of DEM/GBP prices (returns in units, not percent)', () => {
    const returns = (dem2gbp as { returns: Float64Array }).returns.map((r) => r / 100);
    const out = JSON.parse(run(['fit', '--csv', 'dem.csv', '--start', 'presample', '--json'], { 'dem.csv': csvOf(returns, DAY) }).stdout) as Json;
    // Bollerslev–Ghysels / FCP (see the domain benchmark test), rescaled by 1/100: μ/100, ω/100².
    expect(out.params.mu * 100).toBeCloseTo(-0.006190408379994, 8);
    expect(out.params.omega * 1e4).toBeCloseTo(0.0107613978518, 8);
    expect(out.params.alpha).toBeCloseTo(0.15313406182, 7);
    expect(out.params.beta).toBeCloseTo(0.805973670305, 7);
    expect(out.standardErrors.alpha).toBeCloseTo(0.0265228, 6);
    // ℓ of returns/100 = ℓ of percent returns + n·ln 100.
    expect(out.logLikelihood).toBeCloseTo(-1106.607881041288 + 1974 * Math.log(100), 5);
  });
});

describe('hedge vol fit (table)', () => {
  it('prints the estimates, the forecast and the jumps for people', () => {
    const { status, stdout } = run(['fit', '--csv', 'eth.csv', '--horizon', '4h,1d'], { 'eth.csv': ETH });
    expect(status).toBe(0);
    expect(stdout).toMatch(/^GARCH\(1,1\) fit of eth\.csv: 192 returns, one every 1h \(8760\.0 a year\)/);
    expect(stdout).toMatch(/\n {2}alpha +\d\.\d{4}/);
    expect(stdout).toMatch(/log-likelihood +\d+\.\d{4}/);
    expect(stdout).toMatch(/\n {4}4h +4\.00 +\d+\.\d\d% +\d+\.\d\d%/);
    expect(stdout).toMatch(/\n {4}1d +24\.00 /);
    expect(stdout).toContain('Jumps:');
  });
});

describe('hedge vol errors', () => {
  const oneLine = (result: { status: number; stdout: string; stderr: string }, pattern: RegExp): void => {
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(pattern);
  };

  it('a bad CSV row names the file and the line', () => {
    oneLine(run(['fit', '--csv', 'bad.csv'], { 'bad.csv': 'timestamp,price\n2025-01-01,100\n2025-01-02,abc\n' }), /^hedge vol fit: bad\.csv line 3: price "abc" must be a number > 0/);
  });

  it('too few points says how many the model needs', () => {
    const csv = csvOf(Array.from({ length: 30 }, (_, i) => (i % 2 ? 0.01 : -0.012)), HOUR);
    oneLine(run(['fit', '--csv', 'few.csv'], { 'few.csv': csv }), /few\.csv has 31 prices: a GARCH\(1,1\) fit needs at least 51/);
    expect(run(['fit', '--csv', 'few.csv', '--model', 'ewma'], { 'few.csv': csv }).status).toBe(0);
  });

  it('a constant series has no volatility to fit', () => {
    const rows = ['timestamp,price', ...Array.from({ length: 80 }, (_, i) => `${1_700_000_000 + i * 3600},2500`)];
    oneLine(run(['fit', '--csv', 'flat.csv'], { 'flat.csv': rows.join('\n') }), /flat\.csv: the series is constant \(all 79 returns are zero\)/);
    // Prices growing at an exactly steady rate: constant returns up to rounding, refused by the core.
    const steady = ['timestamp,price', ...Array.from({ length: 80 }, (_, i) => `${1_700_000_000 + i * 3600},${100 * 1.001 ** i}`)];
    oneLine(run(['fit', '--csv', 'steady.csv'], { 'steady.csv': steady.join('\n') }), /steady\.csv: returns must vary: the series is constant/);
  });

  it('flags: a missing file, a missing --csv, bad values and flags of the other model', () => {
    oneLine(run(['fit', '--csv', 'nope.csv']), /cannot read --csv nope\.csv: no such file/);
    oneLine(run(['fit']), /--csv FILE is required/);
    oneLine(run(['fit', '--csv', 'x', '--model', 'arch']), /--model: expected garch or ewma/);
    oneLine(run(['fit', '--csv', 'x', '--horizon', '1d,soon']), /--horizon: "soon" is not a duration/);
    oneLine(run(['fit', '--csv', 'x', '--lambda', '0.94']), /--lambda is the EWMA decay/);
    oneLine(run(['fit', '--csv', 'x', '--model', 'ewma', '--lambda', '1.2']), /--lambda: must be in \(0, 1\)/);
    oneLine(run(['fit', '--csv', 'x', '--model', 'ewma', '--variance-targeting']), /--variance-targeting is a GARCH fit/);
    oneLine(run(['fit', '--csv', 'x', '--wat']), /unknown flag --wat/);
    oneLine(run(['forecast']), /^hedge vol: unknown command "forecast"/);
  });

  it('--help prints the help and exits 0', () => {
    const result = run(['fit', '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(VOL_FIT_HELP);
    expect(run(['--help']).stdout).toMatch(/^hedge vol — volatility models/);
  });
});

describe('hedge vol (end to end)', () => {
  const hedge = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/hedge.mjs'), 'vol', ...args], { encoding: 'utf8', timeout: 60_000, cwd: ROOT });

  it('is a subcommand of hedge: --json on the sample exits 0, a bad file exits 2 with one line', () => {
    const ok = hedge(['fit', '--csv', 'examples/backtest/eth-sample.csv', '--model', 'ewma', '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as Json).model).toBe('ewma');
    const bad = hedge(['fit', '--csv', 'examples/backtest/missing.csv']);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
