/**
 * `hedge backtest` end to end (a real child process) on the inputs that used to give a
 * wrong answer without a word (issue 15, part 1): each is now honoured or refused with
 * one clear line and exit status 2, and nothing else is written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

// Each test spawns the CLI a few times (a few seconds each on a loaded machine): time is the bench's business, not the tests'.
vi.setConfig({ testTimeout: 120_000 });

/** The CLI's JSON, read loosely: the assertions check its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/hedge.mjs');
const HULL = join(ROOT, 'examples/backtest/hull-weekly.json');

function hedge(args: string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, 'backtest', ...args], { encoding: 'utf8', timeout: 120_000, cwd });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A refusal: exit 2, one line of message (plus the pointer to --help), nothing on stdout. */
function refused(args: string[], message: RegExp, cwd = ROOT): string {
  const { status, stdout, stderr } = hedge(args, cwd);
  expect(stderr).toMatch(message);
  expect(status).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.trim().split('\n')).toHaveLength(2);
  expect(stderr).toMatch(/\(see hedge backtest --help\)\n$/);
  return stderr;
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'hedge-backtest-'));

/** Daily OHLC rows whose open and close differ, so that the column read shows in the numbers. */
const OHLC = [
  ['2025-01-01', 100, 101, 98, 100],
  ['2025-01-02', 100.5, 104, 99, 103],
  ['2025-01-03', 102, 105, 97, 98],
  ['2025-01-04', 98.5, 102, 96, 101],
  ['2025-01-05', 100, 103, 99, 102],
] as const;

function writeOhlc(dir: string): void {
  writeFileSync(join(dir, 'ohlc.csv'), ['date,open,high,low,close', ...OHLC.map((r) => r.join(','))].join('\n'));
  writeFileSync(join(dir, 'close.csv'), ['date,price', ...OHLC.map((r) => `${r[0]},${r[4]}`)].join('\n'));
  writeFileSync(join(dir, 'open.csv'), OHLC.map((r) => `${r[0]},${r[1]}`).join('\n'));
}

const REPLAY = ['--strike', '100', '--maturity', '4d', '--json'];

describe('a cadence finer than the simulation step refines the step', () => {
  it("reproduces Hull's table below the config's weekly step, and says the step was refined", () => {
    const { status, stdout, stderr } = hedge(['--config', HULL, '--paths', '4000', '--sweep', 'hedge-every=1w,0.5w,0.25w', '--json', '--chart', join(tempDir(), 'f.svg')]);
    expect(status, stderr).toBe(0);
    const runs = (JSON.parse(stdout) as Json).sweep as Json[];
    const ratios = runs.map((r) => r.ratio as number);
    // Hull: 0.19, 0.14, 0.09 — before, all three were the weekly 0.19.
    expect(ratios[0]).toBeCloseTo(0.19, 1);
    expect(ratios[1]).toBeCloseTo(0.14, 1);
    expect(ratios[2]).toBeGreaterThan(0.08);
    expect(ratios[2]).toBeLessThan(0.11);
    expect(runs.map((r) => r.steps)).toEqual([20, 40, 80]);
    expect(runs[0].stepRefined).toBeUndefined();
    expect(runs[1].stepRefined).toMatchObject({ fromMs: 604_800_000, toMs: 302_400_000 });
    expect(runs[2].config.simulation.step).toBe('1.75d');
  });

  it('prints the refinement in the table', () => {
    const { status, stdout } = hedge(['--config', HULL, '--paths', '200', '--hedge-every', '0.5w']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/grid {4}step refined from 1w to 3\.5d so that the policy can hedge every 3\.5d/);
    expect(stdout).toMatch(/× 40 steps/);
  });

  it('refines a step the cadence is not a whole number of (6h on 4h steps: 3h), and a quick run still hedges at every step', () => {
    const odd = JSON.parse(hedge(['--paths', '50', '--step', '4h', '--hedge-every', '6h', '--maturity', '3d', '--json']).stdout) as Json;
    expect(odd.stepRefined.toMs).toBe(3 * 3_600_000);
    expect(odd.steps).toBe(24);
    const everyStep = JSON.parse(hedge(['--paths', '50', '--steps', '7', '--json']).stdout) as Json;
    expect(everyStep.steps).toBe(7);
    expect(everyStep.stepRefined).toBeUndefined();
    expect(everyStep.tradesPerPath).toBeCloseTo(8, 0); // 7 decisions and the unwind
  });

  it('refuses a cadence finer than the rows of a replay', () => {
    const dir = tempDir();
    writeOhlc(dir);
    refused(['--csv', 'close.csv', '--hedge-every', '12h', ...REPLAY], /--hedge-every: a cadence of 12h is finer than the replayed series, whose rows are 1d or more apart/, dir);
  });
});

describe('a replay CSV reads the column it is told, and refuses ragged rows', () => {
  it('reads an OHLC file at its close column, or at the column --csv-column names', () => {
    const dir = tempDir();
    writeOhlc(dir);
    const run = (args: string[]): Json => {
      const { status, stdout, stderr } = hedge([...args, ...REPLAY], dir);
      expect(status, stderr).toBe(0);
      return JSON.parse(stdout) as Json;
    };
    const ohlc = run(['--csv', 'ohlc.csv']);
    const close = run(['--csv', 'close.csv']);
    const open = run(['--csv', 'open.csv']);
    expect(ohlc.hedgeCost.mean).toBe(close.hedgeCost.mean);
    expect(ohlc.config.market.column).toBe('close');
    expect(run(['--csv', 'ohlc.csv', '--csv-column', 'OPEN']).hedgeCost.mean).toBe(open.hedgeCost.mean);
    expect(run(['--csv', 'ohlc.csv', '--csv-column', '2']).hedgeCost.mean).toBe(open.hedgeCost.mean);
    expect(open.hedgeCost.mean).not.toBe(close.hedgeCost.mean);
    const table = hedge(['--csv', 'ohlc.csv', '--strike', '100', '--maturity', '4d'], dir).stdout;
    expect(table).toContain('ohlc.csv column close (5 rows)');
  });

  it('reads market.column from a config', () => {
    const dir = tempDir();
    writeOhlc(dir);
    const config = { market: { model: 'replay', csv: 'ohlc.csv', column: 'open' }, book: [{ type: 'call', strike: 100, maturity: '4d', quantity: -1 }], policy: { underlying: 'X', band: { unit: 'units', trigger: 0.1 } } };
    writeFileSync(join(dir, 'c.json'), JSON.stringify(config));
    const viaConfig = JSON.parse(hedge(['--config', 'c.json', '--json'], dir).stdout) as Json;
    const viaFlags = JSON.parse(hedge(['--config', 'c.json', '--csv', 'open.csv', '--json'], dir).stdout) as Json;
    expect(viaConfig.hedgeCost.mean).toBe(viaFlags.hedgeCost.mean);
  });

  it('refuses a wide file without a price column, a ragged row, and --csv-column without a replay', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'mid.csv'), 'date,bid,ask\n2025-01-01,99,101\n2025-01-02,100,102\n');
    writeFileSync(join(dir, 'bare.csv'), '2025-01-01,99,101\n2025-01-02,100,102\n');
    writeFileSync(join(dir, 'ragged.csv'), 'date,price\n2025-01-01,100\n2025-01-02,101,7\n2025-01-03,102\n');
    refused(['--csv', 'mid.csv', ...REPLAY], /mid\.csv has 3 columns \(columns: date, bid, ask\) and none is named close or price: choose the price with --csv-column NAME/, dir);
    refused(['--csv', 'bare.csv', ...REPLAY], /bare\.csv has 3 values per row and no header: choose the price column with --csv-column N, 2 to 3/, dir);
    refused(['--csv', 'mid.csv', '--csv-column', 'mid', ...REPLAY], /mid\.csv has no column "mid" \(columns: date, bid, ask\)/, dir);
    refused(['--csv', 'ragged.csv', ...REPLAY], /ragged\.csv line 3: 3 values where line 1 has 2: every row needs the same columns \(date,price\)/, dir);
    refused(['--csv-column', 'close'], /--csv-column chooses the price column of a replayed CSV: it needs --csv/);
    const ok = hedge(['--csv', 'bare.csv', '--csv-column', '3', ...REPLAY], dir);
    expect(ok.status, ok.stderr).toBe(0);
  });
});

describe('flags are honoured or refused, never accepted and ignored', () => {
  it('honours --chart without --sweep (the run and one path), and refuses --chart-path without --chart, writing nothing', () => {
    const dir = tempDir();
    const { status, stdout, stderr } = hedge(['--paths', '10', '--chart', 'f.svg', '--json'], dir);
    expect(status, stderr).toBe(0);
    expect((JSON.parse(stdout) as Json).chart).toMatchObject({ file: join(dir, 'f.svg'), path: expect.any(Number) });
    expect(readFileSync(join(dir, 'f.svg'), 'utf8')).toContain('Spot (USD) and the trades');
    const empty = tempDir();
    refused(['--paths', '10', '--chart-path', 'median'], /--chart-path chooses the path that --chart draws: add --chart FILE\.svg/, empty);
    expect(existsSync(join(empty, 'f.svg'))).toBe(false);
  });

  it('refuses a flag that its own sweep replaces in every run, and honours it beside another sweep', () => {
    refused(['--paths', '10', '--band', '3', '--sweep', 'band=1,2'], /--band 3 is replaced in every run by --sweep band=1,2: drop it/);
    refused(['--config', HULL, '--hedge-every', 'off', '--sweep', 'hedge-every=1w,2w'], /--hedge-every off is replaced in every run by --sweep hedge-every=1w,2w/);
    refused(['--paths', '10', '--steps', '50', '--sweep', 'step=1d,2d'], /--steps 50 is replaced in every run by --sweep step=1d,2d/);
    refused(['--paths', '10', '--steps', '50', '--step', '1d'], /--steps and --step both set the grid: give one/);
    const dir = tempDir();
    const { status, stdout, stderr } = hedge(['--paths', '50', '--band', '3', '--sweep', 'band=1,2', '--sweep', 'hedge-every=1d,1w', '--json'], dir);
    expect(status, stderr).toBe(0);
    const runs = (JSON.parse(stdout) as Json).sweep as Json[];
    expect(runs.map((r) => r.config.policy.band?.trigger)).toEqual([1, 2, 3, 3]);
  });

  it('does not mark runs of a seed or paths sweep "efficient": they vary the sample, not the policy', () => {
    const dir = tempDir();
    const json = hedge(['--paths', '100', '--sweep', 'seed=1,2,3', '--json'], dir);
    expect(json.status, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as Json;
    expect(out.sweep.map((r: Json) => r.efficient)).toEqual([null, null, null]);
    expect(out.frontier.map((p: Json) => p.efficient)).toEqual([null, null, null]);
    const table = hedge(['--paths', '100', '--sweep', 'paths=50,100', '--sweep', 'band=0.1,0.5'], dir);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain('no frontier for --sweep paths: --sweep paths varies the sample, not the policy');
    expect(table.stdout).not.toMatch(/paths=\d+ .*\*$/m);
    expect(table.stdout).toMatch(/band=0\.\d .*\*$/m); // the band runs still have a frontier
    expect(readFileSync(join(dir, 'backtest-frontier.svg'), 'utf8')).toContain('filled: efficient');
  });
});

describe('--json echoes a config that reproduces the run', () => {
  it.each([
    ['a quick run (hedged at every step)', ['--paths', '300', '--maturity', '20w']],
    ['a config whose step was refined', ['--config', HULL, '--paths', '300', '--hedge-every', '0.25w']],
    ['a replay of an OHLC file', ['--csv', 'ohlc.csv', '--strike', '100', '--maturity', '4d']],
    ['equal steps, band and cadence, a horizon', ['--paths', '100', '--maturity', '0.3', '--horizon', '0.1', '--band', '0.2', '--hedge-every', '2d', '--fee-bps', '3']],
  ])('%s', (_name, args) => {
    const dir = tempDir();
    writeOhlc(dir);
    const first = hedge([...args, '--json'], dir);
    expect(first.status, first.stderr).toBe(0);
    const a = JSON.parse(first.stdout) as Json;
    for (const o of a.config.book) expect(typeof o.maturity).toBe('string'); // a number would be read as years
    writeFileSync(join(dir, 'echo.json'), JSON.stringify(a.config));
    const second = hedge(['--config', 'echo.json', '--json'], dir);
    expect(second.status, second.stderr).toBe(0);
    const b = JSON.parse(second.stdout) as Json;
    for (const key of ['bookValue', 'hedgeCost', 'pnl', 'ratio', 'tradesPerPath', 'transactionCosts', 'attribution', 'paths', 'steps', 'horizonYears', 'pricingVol']) expect(b[key], key).toEqual(a[key]);
    expect(b.config).toEqual(a.config);
  });
});

describe('messages say what is wrong in the user terms', () => {
  it('a constant-price CSV: zero realised vol, give --implied-vol', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'flat.csv'), 'time,price\n2025-01-01T00:00:00Z,100\n2025-01-01T06:00:00Z,100\n2025-01-01T12:00:00Z,100\n');
    refused(['--csv', 'flat.csv', '--strike', '100', '--maturity', '12h'], /flat\.csv: the series has zero realised vol .* give one with --implied-vol/, dir);
    expect(hedge(['--csv', 'flat.csv', '--strike', '100', '--maturity', '12h', '--implied-vol', '0.3'], dir).status).toBe(0);
  });

  it('bad maturities, spots and config files name the flag or the field', () => {
    const stderr = refused(['--maturity', '5000', '--rate', '0.05'], /--maturity: 5000y is too long at rate 0\.05: rate × maturity = 250/);
    expect(stderr).not.toMatch(/got 0\.05/);
    refused(['--maturity', '0'], /--maturity: must be > 0 \(got "0"\)/);
    refused(['--maturity', '-1w'], /--maturity: must be > 0/);
    const spot = refused(['--spot', '1e200'], /--spot: must be at most 1e\+150 \(got 1e\+200\)/);
    expect(spot).not.toMatch(/strike/);
    refused(['--maturity', '100000', '--horizon', '100000'], /--horizon: over 100000y the GBM prices would leave \[1e-150, 1e\+150\]/);
    const dir = tempDir();
    const hull = JSON.parse(readFileSync(HULL, 'utf8')) as Json;
    const { book: _book, ...noBook } = hull;
    writeFileSync(join(dir, 'nobook.json'), JSON.stringify(noBook));
    writeFileSync(join(dir, 'nopolicy.json'), JSON.stringify({ ...hull, policy: undefined }));
    writeFileSync(join(dir, 'typos.json'), JSON.stringify({ ...hull, policy: { ...hull.policy, cadence: { everyMS: 1 } }, simulation: { pathz: 5 }, extra: 1 }));
    const book = refused(['--config', 'nobook.json'], /config nobook\.json: book is missing: a list of options/, dir);
    expect(book).not.toMatch(/book\.0|book\[0\]/);
    refused(['--config', 'nopolicy.json'], /config nopolicy\.json: policy is missing/, dir);
    const typos = refused(['--config', 'typos.json'], /^hedge backtest: config typos\.json: /, dir);
    expect(typos).toContain('policy.cadence: unknown field(s): everyMS (it has: everyMs)');
    expect(typos).toContain('simulation: unknown field(s): pathz (it has: paths, seed, steps, step, horizon, start, onlyPath)');
    expect(typos).toContain('unknown field(s) at the top level: extra (a config has: description, market, book, policy, costs, venues, simulation)');
  });
});

describe('one path has no distribution', () => {
  it('shows std, percentiles, the confidence interval and the ratio as not defined', () => {
    const dir = tempDir();
    writeOhlc(dir);
    const out = JSON.parse(hedge(['--csv', 'close.csv', ...REPLAY], dir).stdout) as Json;
    expect(out.paths).toBe(1);
    expect(out.hedgeCost).toMatchObject({ std: null, stdError: null, p05: null, p50: null, p95: null });
    expect(out.hedgeCost.mean).toEqual(expect.any(Number));
    expect(out.ratio).toBeNull();
    expect(out.notDefined.reason).toMatch(/one path/);
    const table = hedge(['--csv', 'close.csv', '--strike', '100', '--maturity', '4d'], dir).stdout;
    expect(table).toMatch(/hedge cost\s+[\d.,]+\s+—\s+—\s+—/);
    expect(table).not.toMatch(/± 0 at 95%/);
    expect(table).toContain('— = not defined: one path (a replay) has no distribution');
    expect(table).toMatch(/Ratio std\(hedge cost\) \/ \|book value\| +—/);
  });

  it('a sweep of a replay gives its costs without a frontier or a chart', () => {
    const dir = tempDir();
    writeOhlc(dir);
    refused(['--csv', 'close.csv', '--strike', '100', '--maturity', '4d', '--sweep', 'band=0.1,0.5', '--chart', 'f.svg'], /--chart: each run is one path \(a replay\), so no run has a std/, dir);
    const { status, stdout, stderr } = hedge(['--csv', 'close.csv', '--strike', '100', '--maturity', '4d', '--sweep', 'band=0.1,0.5'], dir);
    expect(status, stderr).toBe(0);
    expect(stdout).toContain('no frontier for --sweep band: each run is one path (a replay): there is no std to trade the cost against');
    expect(stdout).toContain('no frontier chart');
    expect(existsSync(join(dir, 'backtest-frontier.svg'))).toBe(false);
  });
});
