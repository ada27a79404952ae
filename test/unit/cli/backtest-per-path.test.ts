/**
 * `hedge backtest` end to end (a real child process) on what a quant asks after the mean
 * and std (issue 15, part 2): per-path output, one path replayed alone, the tail (VaR,
 * CVaR, drawdown) in the table and JSON, the sweep's table as CSV, progress, and the
 * new flags refused with exit 2 when they cannot be honoured.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { replayCommand } from '../../../cli/commands/backtest/run-size.ts';
import { PATHS_CSV_COLUMNS } from '../../../cli/commands/backtest/paths-csv.ts';
import { SWEEP_CSV_COLUMNS } from '../../../cli/commands/backtest/sweep-report.ts';

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

function json(args: string[]): Json {
  const { status, stdout, stderr } = hedge([...args, '--json']);
  expect(status, stderr).toBe(0);
  return JSON.parse(stdout) as Json;
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'hedge-backtest-'));

/** The rows of a --paths-out file, as text fields, by column name. */
function readPaths(file: string): { header: string[]; rows: Record<string, string>[] } {
  const [head, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const header = head!.split(',');
  return { header, rows: lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i]!, v]))) };
}

describe('--paths-out: one row per path', () => {
  it('writes every path with the promised columns, in full precision, consistent with the summary', () => {
    const dir = tempDir();
    const file = join(dir, 'paths.csv');
    const out = json(['--config', HULL, '--paths', '400', '--fee-bps', '10', '--paths-out', file]);
    expect(out.pathsOut).toBe(file);
    const { header, rows } = readPaths(file);
    expect(header).toEqual([...PATHS_CSV_COLUMNS]);
    expect(header).toEqual(['path', 'hedge_cost', 'pnl', 'trades', 'traded_units', 'option', 'hedge', 'hedge_options', 'option_spread', 'financing', 'funding', 'fees', 'slippage', 'gas', 'liquidity_fees', 'transaction_costs', 'max_drawdown', 'realised_vol', 'jumps', 'pnl_gamma', 'pnl_theta', 'pnl_delta', 'pnl_carry', 'pnl_costs', 'pnl_other', 'csv', 'start']);
    expect(rows).toHaveLength(400);
    expect(rows.map((r) => Number(r.path))).toEqual([...Array(400).keys()]);
    const cost = rows.map((r) => Number(r.hedge_cost));
    expect(cost.reduce((a, b) => a + b, 0) / 400).toBeCloseTo(out.hedgeCost.mean, 6);
    for (const r of rows) {
      const parts = ['option', 'hedge', 'hedge_options', 'option_spread', 'financing', 'funding', 'fees', 'slippage', 'gas', 'liquidity_fees'].reduce((a, k) => a + Number(r[k]), 0);
      expect(parts).toBeCloseTo(Number(r.hedge_cost), 4);
      expect(Number(r.pnl)).toBeCloseTo(out.premium - Number(r.hedge_cost), 6);
      expect(Number(r.transaction_costs)).toBeCloseTo(Number(r.fees) + Number(r.slippage) + Number(r.gas), 6);
      expect(Number(r.max_drawdown)).toBeGreaterThanOrEqual(Math.max(0, -Number(r.pnl)) - 1e-6);
      expect(Number(r.realised_vol)).toBeGreaterThan(0.05);
      expect(Number(r.realised_vol)).toBeLessThan(0.5);
      const byGreek = ['pnl_gamma', 'pnl_theta', 'pnl_delta', 'pnl_carry', 'pnl_costs', 'pnl_other'].reduce((a, k) => a + Number(r[k]), 0);
      expect(byGreek).toBeCloseTo(Number(r.pnl), 4);
    }
    expect(rows.reduce((a, r) => a + Number(r.traded_units), 0) / 400).toBeCloseTo(out.tradedUnitsPerPath, 4);
    // The tail, recomputed from the file: VaR 95% = the 380th smallest of 400, CVaR the mean of the top 20.
    const sorted = [...cost].sort((a, b) => a - b);
    const [t95, t99] = out.tailRisk.levels;
    expect(t95.var).toBe(sorted[379]);
    expect(t95.cvar).toBeCloseTo(sorted.slice(380).reduce((a, b) => a + b, 0) / 20, 6);
    expect(t99.var).toBe(sorted[395]);
    expect(t99.cvar).toBeCloseTo(sorted.slice(396).reduce((a, b) => a + b, 0) / 4, 6);
    // The costliest paths, from the file.
    const worst = [...rows].sort((a, b) => Number(b.hedge_cost) - Number(a.hedge_cost)).slice(0, 5);
    expect(out.worstPaths.map((w: Json) => w.path)).toEqual(worst.map((r) => Number(r.path)));
  });
});

describe('--only-path: one path of the run, alone', () => {
  it.each([
    ['Hull, weekly, fees', [HULL, '--paths', '300', '--fee-bps', '10']],
    ['Merton jumps, vol-scaled band, cooldown', [join(ROOT, 'examples/backtest/flash-crash.json'), '--paths', '60']],
    ['the perp venue (its own funding stream per path)', [join(ROOT, 'examples/backtest/venues.json'), '--venues', 'perp', '--paths', '80']],
  ])('%s: the path run alone has the very numbers of its row in the full run', (_name, args) => {
    const dir = tempDir();
    const full = join(dir, 'full.csv');
    const out = json(['--config', ...(args as string[]), '--paths-out', full]);
    const rows = readPaths(full).rows;
    for (const id of [out.worstPaths[0].path as number, 0, rows.length - 1]) {
      const one = join(dir, `one-${id}.csv`);
      const alone = json(['--config', ...(args as string[]), '--only-path', String(id), '--paths-out', one]);
      const [row] = readPaths(one).rows;
      expect(row, `path ${id}`).toEqual(rows[id]); // every column, every digit
      expect(alone.hedgeCost.mean).toBe(Number(rows[id]!.hedge_cost));
      expect(alone.paths).toBe(1);
      expect(alone.hedgeCost.std).toBeNull();
      expect(alone.tailRisk).toBeNull();
      expect(alone.notDefined.reason).toContain(`path ${id} alone`);
      expect(alone.config.simulation.onlyPath).toBe(id);
    }
  });

  it('its --json config reproduces it, and the table names the command that replays the costliest path', () => {
    const dir = tempDir();
    const out = json(['--config', HULL, '--paths', '200', '--only-path', '42']);
    const config = join(dir, 'echo.json');
    writeFileSync(config, JSON.stringify(out.config));
    const again = json(['--config', config]);
    expect(again.hedgeCost.mean).toBe(out.hedgeCost.mean);
    const table = hedge(['--config', HULL, '--paths', '200', '--paths-out', join(dir, 'p.csv')]).stdout;
    const worst = json(['--config', HULL, '--paths', '200']).worstPaths[0].path;
    expect(table).toContain(`hedge backtest --config ${HULL} --paths 200 --only-path ${worst}`);
  });

  it('replayCommand keeps the run, drops the output flags, quotes what a shell would split', () => {
    expect(replayCommand(['--config', 'a b.json', '--paths-out', 'p.csv', '--json', '--chart=x.svg', '--progress', '--only-path', '3', '--seed', '2'], 17)).toBe("hedge backtest --config 'a b.json' --seed 2 --only-path 17");
  });
});

describe('tail risk in the table', () => {
  it('shows VaR and CVaR at 95% and 99% with ± 2 s.e. and the loss, the drawdown, the P&L histogram and the costliest paths', () => {
    const { status, stdout } = hedge(['--config', HULL, '--paths', '2000']);
    expect(status).toBe(0);
    for (const label of ['VaR 95%', 'CVaR 95% (ES)', 'VaR 99%', 'CVaR 99% (ES)', 'loss (−P&L)', 'Max drawdown of the hedged book', 'P&L per path', 'Costliest paths']) expect(stdout).toContain(label);
    expect(stdout).toMatch(/VaR 95%\s+[\d,]+\s+[\d,.]+\s+[\d,]+\s+100/); // 5% of 2,000 paths beyond
    expect(stdout).toMatch(/│█+ [\d,]+/);
  });

  it('for one path: no tail (not defined), the drawdown of that path', () => {
    const { stdout } = hedge(['--config', HULL, '--paths', '200', '--only-path', '5']);
    expect(stdout).not.toContain('VaR 95%');
    expect(stdout).toMatch(/Max drawdown of the hedged book\s+[\d,.]+\s+\(peak-to-trough, PV; no tail: one path\)/);
  });
});

describe('--sweep-out and the chart', () => {
  it('writes the sweep table as CSV, one row per run, and the chart gets error bars and the premium line', () => {
    const dir = tempDir();
    const table = join(dir, 'sweep.csv');
    const chart = join(dir, 'f.svg');
    const out = json(['--config', HULL, '--paths', '500', '--sweep', 'hedge-every=4w,2w,1w', '--sweep-out', table, '--chart', chart]);
    const lines = readFileSync(table, 'utf8').trimEnd().split('\n');
    expect(lines[0]!.split(',')).toEqual([...SWEEP_CSV_COLUMNS]);
    expect(lines).toHaveLength(4);
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [SWEEP_CSV_COLUMNS[i]!, v])));
    expect(rows.map((r) => r.value)).toEqual(['4w', '2w', '1w']);
    rows.forEach((r, i) => {
      expect(Number(r.mean_cost)).toBe(out.sweep[i].hedgeCost.mean);
      expect(Number(r.mean_cost_se)).toBe(out.sweep[i].hedgeCost.stdError);
      expect(Number(r.var95)).toBe(out.sweep[i].tailRisk[0].var);
      expect(r.efficient).toBe(String(out.sweep[i].efficient));
    });
    expect(out.sweepOut).toBe(table);
    const svg = readFileSync(chart, 'utf8');
    expect(svg).toContain('bars: mean ± 2 s.e.');
    expect(svg).toContain('stroke-dasharray'); // the premium line
    expect(svg).toMatch(/premium 2\d\dk/);
  });
});

describe('--progress', () => {
  it('off a terminal, writes the run size and progress lines on stderr and leaves stdout alone', () => {
    const { status, stdout, stderr } = hedge(['--config', HULL, '--paths', '300', '--progress', '--json']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout).paths).toBe(300);
    expect(stderr).toMatch(/^hedge backtest: 300 path\(s\) × 20 steps = 6 k path-steps/);
    expect(stderr).toMatch(/backtest: 100% 300\/300 paths/);
  });
});

describe('Ctrl-C', () => {
  it('stops after the current block of paths, reports the run of the paths done (exit 130), and its config reproduces it', async () => {
    const child = spawn(process.execPath, [BIN, 'backtest', '--config', HULL, '--paths', '400000', '--progress', '--json'], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const status = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/ 10% /.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('close', (code) => resolve(code));
    });
    expect(status, stderr).toBe(130);
    expect(stderr).toContain('Ctrl-C — stopping after the current block of paths');
    const out = JSON.parse(stdout) as Json;
    expect(out.interrupted.requestedPaths).toBe(400_000);
    expect(out.interrupted.donePaths).toBeLessThan(400_000);
    expect(out.paths).toBe(out.interrupted.donePaths);
    expect(out.config.simulation.paths).toBe(out.interrupted.donePaths);
    const again = json(['--config', HULL, '--paths', String(out.paths)]);
    expect(again.hedgeCost).toEqual(out.hedgeCost);
    expect(again.tailRisk).toEqual(out.tailRisk);
  }, 120_000);
});

describe('the new flags, refused when they cannot be honoured (exit 2, nothing written)', () => {
  it.each([
    [['--only-path', '-1'], /--only-path: must be >= 0/],
    [['--only-path', '2.5'], /--only-path: must be an integer/],
    [['--paths', '100', '--only-path', '100'], /--only-path: is path 100, and a run of 100 paths has paths 0 to 99/],
    [['--csv', join(ROOT, 'examples/backtest/eth-sample.csv'), '--strike', '3000', '--only-path', '0'], /--only-path: a replay has one path \(its series\): there is no other path to pick/],
    [['--paths-out', 'paths.txt'], /--paths-out: expected a file name ending in .csv/],
    [['--paths-out', 'no/such/folder/p.csv'], /--paths-out: the folder .* does not exist/],
    [['--paths-out', 'p.csv', '--sweep', 'band=1,2'], /--paths-out writes the paths of one run, and --sweep makes several/],
    [['--sweep-out', 's.csv'], /--sweep-out writes the table of a --sweep/],
    [['--sweep', 'band=1,2', '--sweep-out', 'no/such/folder/s.csv'], /--sweep-out: the folder .* does not exist/],
    [['--sweep', 'paths-out=a.csv,b.csv'], /--sweep: --paths-out cannot be swept/],
    [['--progress=yes'], /--progress takes no value/],
    [['--only-path', '3', '--sweep', 'only-path=1,2'], /--only-path 3 is replaced in every run by --sweep only-path=1,2/],
  ])('%j', (args, message) => {
    const dir = tempDir();
    const { status, stdout, stderr } = hedge(args as string[], dir);
    expect(stderr).toMatch(message as RegExp);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(existsSync(join(dir, 'p.csv'))).toBe(false);
  });

  it('a config with simulation.onlyPath beyond its paths, or on a replay, names the field', () => {
    const dir = tempDir();
    const config = JSON.parse(readFileSync(HULL, 'utf8')) as Json;
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ ...config, simulation: { ...config.simulation, paths: 10, onlyPath: 10 } }));
    const { status, stderr } = hedge(['--config', file]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/simulation\.onlyPath: is path 10, and a run of 10 paths has paths 0 to 9/);
    const replay = JSON.parse(readFileSync(join(ROOT, 'examples/backtest/replay.json'), 'utf8')) as Json;
    writeFileSync(file, JSON.stringify({ ...replay, market: { ...replay.market, csv: join(ROOT, 'examples/backtest', replay.market.csv) }, simulation: { onlyPath: 0 } }));
    const refused = hedge(['--config', file]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/simulation\.onlyPath: a replay has one path/);
  });
});

describe('--help', () => {
  it('documents the new flags, the tail definitions and the 10M cap', () => {
    const { stdout } = hedge(['--help']);
    for (const flag of ['--paths-out ', '--sweep-out ', '--only-path ', '--progress ']) expect(stdout).toContain(flag);
    for (const word of ['tailRisk', 'CVaR', 'maxDrawdown', 'worstPaths', '10,000,000']) expect(stdout).toContain(word);
  });
});
