/**
 * `hedge backtest` end to end (a real child process), plus its CSV reader, progress
 * line and flag handling in-process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { BACKTEST_HELP, tokenizeArgs } from '../../../cli/commands/backtest-command.ts';
import { CsvError, parsePriceCsv, parseTimestamp, readPriceTable } from '../../../cli/price-csv.ts';
import { createProgress } from '../../../cli/progress.ts';
import { renderFrontierSvg } from '../../../cli/frontier-chart.ts';

// Each test spawns the CLI a few times (a few seconds each on a loaded machine): time is the bench's business, not the tests'.
vi.setConfig({ testTimeout: 120_000 });

/** The CLI's JSON, read loosely: the assertions check its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin/hedge.mjs');

function hedge(args: string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, 'backtest', ...args], { encoding: 'utf8', timeout: 60_000, cwd });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const QUICK = ['--type', 'call', '--strike', '50', '--maturity', '20w', '--quantity', '-100000', '--spot', '49', '--drift', '0.13', '--vol', '0.2', '--rate', '0.05', '--yield', '0', '--hedge-every', '1w', '--paths', '2000', '--seed', '5'];

describe('hedge backtest (end to end)', () => {
  it('--json prints one object with the promised fields, reproducibly, and nothing on stderr off a TTY', () => {
    const a = hedge([...QUICK, '--json']);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toBe(''); // no progress line: stderr is not a terminal
    const lines = a.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as Json;
    expect(out.bookValue).toBeCloseTo(-239_599, -1); // Hull's $240,000
    for (const k of ['mean', 'std', 'p05', 'p95']) expect(typeof out.hedgeCost[k]).toBe('number');
    expect(out.ratio).toBeCloseTo(out.hedgeCost.std / Math.abs(out.bookValue), 12);
    expect(out.ratio).toBeGreaterThan(0.16);
    expect(out.ratio).toBeLessThan(0.22); // Hull: 0.19 weekly
    expect(out.tradesPerPath).toBeCloseTo(21, 0);
    expect(out.transactionCosts.mean).toBe(0);
    expect(Object.keys(out.attribution).sort()).toEqual(['fees', 'financing', 'funding', 'gas', 'hedge', 'hedgeOptions', 'liquidityFees', 'option', 'optionSpread', 'slippage', 'total']);
    expect(out.attribution.total).toBeCloseTo(out.hedgeCost.mean, 4);
    expect(out.config.simulation).toMatchObject({ paths: 2000, seed: 5 });
    expect(hedge([...QUICK, '--json']).stdout).toBe(a.stdout);
  });

  it('prints a readable table by default', () => {
    const { status, stdout } = hedge([...QUICK.slice(0, -4), '--paths', '200', '--fee-bps', '10', '--band', '2000']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/Book value \(Black-Scholes, as held\)\s+-239,599/);
    expect(stdout).toMatch(/hedge cost\s+[\d,]+/);
    expect(stdout).toMatch(/Ratio std\(hedge cost\) \/ \|book value\|\s+0\.\d{4}/);
    expect(stdout).toMatch(/Time outside the band\s+\d+\.\d\d%/);
    expect(stdout).toContain('total = mean hedge cost');
    expect(stdout).toContain('fee 10 bps');
  });

  it('reads a config file, and flags override its fields', () => {
    const { status, stdout, stderr } = hedge(['--config', 'examples/backtest/eth-short-call.json', '--paths', '300', '--seed', '9', '--fee-bps', '1', '--json']);
    expect(status, stderr).toBe(0);
    const out = JSON.parse(stdout) as Json;
    expect(out.paths).toBe(300);
    expect(out.config.simulation.seed).toBe(9);
    expect(out.config.costs.feeBps).toBe(1);
    expect(out.config.policy.band.trigger).toBe(5); // from the file
    expect(out.config.costs.slippage).toEqual({ model: 'sqrt', k: 0.5, adv: 200000 });
  });

  it('replays a CSV given with --csv (one path, its own timestamps)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hedge-backtest-'));
    const rows = ['time,price', '2025-01-01T00:00:00Z,100', '2025-01-01T06:00:00Z,102', '2025-01-01T12:00:00Z,99', '2025-01-01T18:00:00Z,101', '2025-01-02T00:00:00Z,103'];
    writeFileSync(join(dir, 'p.csv'), rows.join('\n'));
    const { status, stdout, stderr } = hedge(['--csv', 'p.csv', '--strike', '100', '--maturity', '1d', '--json'], dir);
    expect(status, stderr).toBe(0);
    const out = JSON.parse(stdout) as Json;
    expect(out.paths).toBe(1);
    expect(out.steps).toBe(4);
    expect(out.hedgeCost.std).toBeNull(); // one path: no std (not a perfect hedge)
    expect(out.tradesPerPath).toBeGreaterThan(1);
  });

  it('--help documents the config format and every flag', () => {
    const { status, stdout } = hedge(['--help']);
    expect(status).toBe(0);
    expect(stdout).toBe(BACKTEST_HELP);
    for (const flag of ['--config', '--csv-column', '--type', '--strike', '--maturity', '--quantity', '--spot', '--drift', '--vol', '--rate', '--yield', '--implied-vol', '--funding-rate', '--jumps', '--csv', '--hedge-every', '--band', '--min-trade', '--hedge-instrument', '--fee-bps', '--slippage-bps', '--impact-k', '--adv', '--gas-usd', '--venues', '--paths', '--seed', '--steps', '--step', '--horizon', '--start', '--json', '--sweep', '--chart']) {
      expect(stdout, flag).toContain(`${flag} `);
    }
    for (const word of ['"market"', '"book"', '"policy"', '"costs"', '"venues"', '"simulation"', 'hedgeCost', 'ratio', 'attribution', '20w', '7/365']) expect(stdout).toContain(word);
  });

  it.each([
    [['--bogus', '1'], /unknown flag --bogus/],
    [['--strike', 'abc'], /--strike: expected a number/],
    [['--strike', '-5'], /--strike: must be > 0/],
    [['--maturity', '3 weeks'], /--maturity: "3 weeks" is not a duration/],
    [['--type', 'straddle'], /--type: expected call or put/],
    [['--paths', '2.5'], /--paths: must be an integer/],
    [['--jumps', '2,-0.1'], /--jumps: expected "intensity,mean,std"/],
    [['--paths'], /--paths needs a value/],
    [['--config', 'no/such/file.json'], /cannot read the config/],
    [['--impact-k', '0.5'], /needs both --impact-k and --adv/],
    [['--sweep', 'band'], /--sweep expects KEY=v1,v2/],
    [['--sweep', 'colour=1,2'], /"colour" is not a flag/],
    [['--sweep', 'band=1,x'], /--sweep band=x: --band: expected a number/],
  ])('rejects %j with exit 2 and runs nothing', (args, message) => {
    const { status, stdout, stderr } = hedge(args as string[]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message as RegExp);
  });

  it('rejects an invalid config file naming the field, with exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hedge-backtest-'));
    const config = JSON.parse(readFileSync(join(ROOT, 'examples/backtest/hull-weekly.json'), 'utf8')) as Json;
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ ...config, costs: { feeBsp: 3 } }));
    writeFileSync(join(dir, 'vol.json'), JSON.stringify({ ...config, market: { ...config.market, vol: -0.2 } }));
    writeFileSync(join(dir, 'book.json'), JSON.stringify({ ...config, book: [...config.book, ...config.book] }));
    expect(hedge(['--config', join(dir, 'typo.json')]).stderr).toMatch(/unknown field\(s\): feeBsp/);
    const vol = hedge(['--config', join(dir, 'vol.json')]);
    expect(vol.status).toBe(2);
    expect(vol.stderr).toMatch(/market\.vol: must be >= 0/);
    const book = hedge(['--config', join(dir, 'book.json'), '--strike', '40']);
    expect(book.status).toBe(2);
    expect(book.stderr).toMatch(/need a one-option book/);
  });

  it('--sweep prints the frontier and writes a self-contained SVG chart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hedge-backtest-'));
    const missing = hedge(['--paths', '10', '--sweep', 'band=2,8', '--chart', 'out/frontier.svg'], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--chart: the folder .*out does not exist/);
    const ok = hedge(['--spot', '3000', '--vol', '0.6', '--maturity', '30d', '--quantity', '-100', '--fee-bps', '20', '--step', '8h', '--paths', '300', '--sweep', 'band=2,8', '--sweep', 'hedge-every=8h,2d'], dir);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/band=2\s+[\d,]+/);
    expect(ok.stdout).toMatch(/hedge-every=2d\s+[\d,]+/);
    expect(ok.stdout).toContain('--sweep band against --sweep hedge-every at equal risk');
    const chart = join(dir, 'backtest-frontier.svg');
    expect(ok.stdout).toContain(`frontier chart: ${chart}`);
    const svg = readFileSync(chart, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('band=8');
    expect(svg).toContain('hedge-every=8h');
    expect(svg).not.toMatch(/<script|href=|xlink|@import/); // self-contained
  });

  it('--sweep --json gives one object with every run and the frontier', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hedge-backtest-'));
    const { status, stdout, stderr } = hedge(['--paths', '200', '--sweep', 'hedge-every=1d,1w', '--json', '--chart', 'f.svg'], dir);
    expect(status, stderr).toBe(0);
    const out = JSON.parse(stdout) as Json;
    expect(out.sweep).toHaveLength(2);
    expect(out.sweep[0]).toMatchObject({ key: 'hedge-every', value: '1d' });
    expect(typeof out.sweep[1].hedgeCost.std).toBe('number');
    expect(out.frontier).toHaveLength(2);
    expect(existsSync(join(dir, 'f.svg'))).toBe(true);
  });
});

describe('price CSV reader', () => {
  it('reads ISO-8601, epoch seconds and epoch milliseconds, with or without a header', () => {
    expect(parseTimestamp('2025-01-01')).toBe(Date.UTC(2025, 0, 1));
    expect(parseTimestamp('2025-01-01T06:30:00Z')).toBe(Date.UTC(2025, 0, 1, 6, 30));
    expect(parseTimestamp('2025-01-01 06:30')).toBe(Date.UTC(2025, 0, 1, 6, 30)); // no offset: UTC
    expect(parseTimestamp('2025-01-01T08:30:00+02:00')).toBe(Date.UTC(2025, 0, 1, 6, 30));
    expect(parseTimestamp('1735689600')).toBe(Date.UTC(2025, 0, 1));
    expect(parseTimestamp('1735689600000')).toBe(Date.UTC(2025, 0, 1));
    expect(parseTimestamp('yesterday')).toBeUndefined();
    const series = parsePriceCsv('timestamp,price\n1735689600,100\n\n# comment\n1735693200,101.5\n');
    expect(series).toEqual({ timesMs: [Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1, 1)], prices: [100, 101.5] });
    expect(parsePriceCsv('1735689600000,1\n1735689600001,2').prices).toEqual([1, 2]);
  });

  it('names the line of a bad row', () => {
    expect(() => parsePriceCsv('t,p\n1735689600,100\n1735689500,101', 'x.csv')).toThrow(/x.csv line 3: timestamps must be strictly increasing/);
    expect(() => parsePriceCsv('1735689600,100\n1735689700,-1')).toThrow(/line 2: price "-1" must be a number > 0/);
    expect(() => parsePriceCsv('1735689600,100\nsoon,101')).toThrow(/line 2: "soon" is not/);
    expect(() => parsePriceCsv('1735689600,100')).toThrow(CsvError);
  });

  it('reads a wider file at its close (else price) column or the one named, and refuses ambiguity', () => {
    const ohlc = 'date,open,high,low,close\n2025-01-01,1,2,0.5,1.5\n2025-01-02,1.5,3,1,2.5\n';
    expect(parsePriceCsv(ohlc).prices).toEqual([1.5, 2.5]);
    expect(readPriceTable(ohlc, 'x', { column: 'High' })).toMatchObject({ column: 'high', columnChoice: 'high', width: 5, series: { prices: [2, 3] } });
    expect(readPriceTable(ohlc, 'x', { column: 2 }).series.prices).toEqual([1, 1.5]);
    expect(parsePriceCsv('t,price,volume\n1735689600,100,5\n1735693200,101,6').prices).toEqual([100, 101]);
    expect(() => parsePriceCsv('t,close,close\n1735689600,100,5\n1735693200,101,6', 'x')).toThrow(/2 columns named "close"/);
    expect(() => parsePriceCsv('t,a,b\n1735689600,100,5\n1735693200,101,6', 'x')).toThrow(/none is named close or price: choose the price with --csv-column/);
    expect(() => parsePriceCsv('1735689600,100,5\n1735693200,101,6', 'x')).toThrow(/no header: choose the price column with --csv-column N, 2 to 3/);
    expect(() => readPriceTable(ohlc, 'x', { column: 'date' })).toThrow(/is the first column, the timestamp/);
    expect(() => readPriceTable(ohlc, 'x', { column: 6 })).toThrow(/no price column 6/);
  });

  it('refuses a row with a stray or missing value, naming its line', () => {
    expect(() => parsePriceCsv('t,p\n1735689600,100\n1735693200,101,7', 'x.csv')).toThrow(/x\.csv line 3: 3 values where line 1 has 2/);
    expect(() => parsePriceCsv('t,p\n1735689600,100,\n1735693200,101', 'x.csv')).toThrow(/line 2: 3 values/);
    expect(() => parsePriceCsv('date,open,close\n2025-01-01,1,2\n2025-01-02,3', 'x.csv')).toThrow(/line 3: 2 values where line 1 has 3/);
  });
});

describe('CLI helpers', () => {
  it('takes negative numbers as flag values and --flag=value', () => {
    expect(tokenizeArgs(['--quantity', '-5', '--drift=-0.1', '--json', '--sweep', 'band=1,2', '--sweep', 'seed=1,2'])).toEqual({ quantity: '-5', drift: '-0.1', json: true, sweep: ['band=1,2', 'seed=1,2'] });
    expect(() => tokenizeArgs(['--paths', '1', '--paths', '2'])).toThrow(/twice/);
  });

  it('shows progress only on a terminal', () => {
    const written: string[] = [];
    const tty = { isTTY: true, write: (s: string) => written.push(s) > 0 };
    const p = createProgress(tty, 'backtest', 0);
    p.update(50, 100);
    p.update(100, 100);
    p.finish();
    expect(written[0]).toContain(' 50% 50/100 paths');
    expect(written.at(-1)).toBe('\r\x1b[K');
    const pipe: string[] = [];
    const q = createProgress({ isTTY: false, write: (s: string) => pipe.push(s) > 0 }, 'backtest', 0);
    q.update(1, 2);
    q.finish();
    expect(pipe).toEqual([]);
  });

  it('draws a chart with escaped labels', () => {
    const svg = renderFrontierSvg([{ name: 'a<b', points: [{ label: 'x&y', std: 1, mean: 2 }, { label: 'z', std: 2, mean: 1 }] }], 'T');
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('x&amp;y');
  });
});
