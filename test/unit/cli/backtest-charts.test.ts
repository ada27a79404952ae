/**
 * The charts of `hedge backtest` (issue 15 §2) and the replays of several paths, run
 * in-process through the real command against memory: the single-run `--chart` (P&L
 * histogram and one path over time, drawn from the simulator's trace), the sweep chart's
 * labels (in their units, never overlapping), the label placement itself, and `--csv`
 * with several files, `--windows-every` and `--bootstrap-block`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { tracePath } from '../../../cli/commands/backtest/chart-path.ts';
import { placeLabels, type Box, type LabelRequest } from '../../../cli/commands/backtest/label-placement.ts';
import { PATHS_CSV_COLUMNS } from '../../../cli/commands/backtest/paths-csv.ts';
import { pointLabel } from '../../../cli/commands/backtest/sweep-report.ts';
import { textWidth } from '../../../cli/commands/backtest/svg-plot.ts';
import { runBacktestCommand } from '../../../cli/commands/backtest-command.ts';
import { processIo, type CommandIo } from '../../../cli/commands/backtest/command-io.ts';
import { renderFrontierSvg, type ChartSeries } from '../../../cli/frontier-chart.ts';
import { BacktestConfigSchema, backtestSpecFromConfig, type PriceSeries } from '../../../shared/contracts/backtest-config.ts';

// The end-to-end cases run whole backtests (seconds each on a loaded machine): time is the bench's business, not the tests'.
vi.setConfig({ testTimeout: 120_000 });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HULL = join(ROOT, 'examples/backtest/hull-weekly.json');
const ETH = join(ROOT, 'examples/backtest/eth-short-call.json');

/** The command in-process: files it writes stay in memory. */
async function hedge(args: string[]): Promise<{ status: number; stdout: string; stderr: string; files: Map<string, string> }> {
  const files = new Map<string, string>();
  let stdout = '';
  let stderr = '';
  const real = processIo();
  const io: CommandIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { isTTY: false, write: (text: string) => ((stderr += text), true) },
    cwd: ROOT,
    readFile: (path) => files.get(path) ?? real.readFile(path),
    writeFile: (path, text) => void files.set(path, text),
    isDirectory: (path) => real.isDirectory(path),
  };
  const status = await runBacktestCommand(args, io);
  return { status, stdout, stderr, files };
}

async function json(args: string[]): Promise<{ out: Json; files: Map<string, string> }> {
  const { status, stdout, stderr, files } = await hedge([...args, '--json']);
  expect(status, stderr).toBe(0);
  return { out: JSON.parse(stdout) as Json, files };
}

/**
 * Well-formed XML, checked by hand (no parser in the dependencies): every tag closed in
 * order, attributes quoted, no raw "<" or stray "&" in text or attributes.
 */
function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf('<', i);
    const text = svg.slice(i, lt === -1 ? svg.length : lt);
    expect(text, `text at ${i}`).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(svg);
    expect(m, `a malformed tag at ${lt}: ${svg.slice(lt, lt + 80)}`).not.toBeNull();
    const [whole, closing, name, attrs, selfClosing] = m!;
    expect(attrs).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
    if (closing) expect(stack.pop(), `</${name}> at ${lt}`).toBe(name);
    else if (!selfClosing) stack.push(name!);
    i = lt + whole.length;
  }
  expect(stack).toEqual([]);
}

const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The rows of a --paths-out file, as text fields by column name. */
function csvRows(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trimEnd().split('\n');
  const header = head!.split(',');
  expect(header).toEqual([...PATHS_CSV_COLUMNS]);
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i]!, v])));
}

describe('placeLabels: labels beside points, never on each other', () => {
  const bounds: Box = { x: 0, y: 0, width: 600, height: 400 };

  it('places a crowd of labels without overlaps, inside the plot and off the points', () => {
    // 12 points within 60 × 30 px: their first-choice places all collide.
    const points = Array.from({ length: 12 }, (_, i) => ({ x: 250 + (i % 4) * 20, y: 180 + Math.floor(i / 4) * 15 }));
    const requests: LabelRequest[] = points.map((p, i) => ({ ...p, width: textWidth(`band ${i + 1} ETH`, 11), height: 13 }));
    const obstacles: Box[] = points.map((p) => ({ x: p.x - 5.5, y: p.y - 5.5, width: 11, height: 11 }));
    const placed = placeLabels(requests, obstacles, bounds);
    expect(placed).toHaveLength(12);
    placed.forEach((a, i) => {
      expect(a.overlaps, `label ${i}`).toBe(false);
      expect(a.box.x).toBeGreaterThanOrEqual(0);
      expect(a.box.y).toBeGreaterThanOrEqual(0);
      expect(a.box.x + a.box.width).toBeLessThanOrEqual(600);
      expect(a.box.y + a.box.height).toBeLessThanOrEqual(400);
      for (const o of obstacles) expect(overlap(a.box, o), `label ${i} on a point`).toBe(false);
      placed.forEach((b, j) => {
        if (j > i) expect(overlap(a.box, b.box), `labels ${i} and ${j}`).toBe(false);
      });
      // A label away from its point has a leader line to it; the text sits in its box.
      if (a.leader) expect(a.leader.x >= a.box.x && a.leader.x <= a.box.x + a.box.width).toBe(true);
      expect(a.textX).toBe(a.box.x);
      expect(a.textY).toBeGreaterThan(a.box.y);
      expect(a.textY).toBeLessThan(a.box.y + a.box.height);
    });
    expect(placed.some((p) => p.leader !== undefined)).toBe(true); // the crowd pushes some out
    expect(placeLabels(requests, obstacles, bounds)).toEqual(placed); // deterministic
  });

  it('puts a lone label above-right of its point, and moves it inside at the plot edge', () => {
    const [free] = placeLabels([{ x: 100, y: 100, width: 40, height: 12 }], [], bounds);
    expect(free!.box).toEqual({ x: 107, y: 81, width: 40, height: 12 });
    expect(free!.leader).toBeUndefined();
    const [edge] = placeLabels([{ x: 590, y: 5, width: 40, height: 12 }], [], bounds);
    expect(edge!.box.x + edge!.box.width).toBeLessThanOrEqual(600);
    expect(edge!.box.y).toBeGreaterThanOrEqual(0);
    expect(edge!.overlaps).toBe(false);
  });

  it('says so when there is no free place', () => {
    const tiny: Box = { x: 0, y: 0, width: 50, height: 20 };
    const placed = placeLabels(
      Array.from({ length: 4 }, () => ({ x: 25, y: 10, width: 45, height: 12 })),
      [],
      tiny,
    );
    expect(placed.some((p) => p.overlaps)).toBe(true);
  });
});

describe('the sweep chart', () => {
  const point = (label: string, std: number, mean: number): ChartSeries['points'][number] => ({ label, display: `band ${label} ETH`, std, mean, stdError: 20 });

  it('labels every point in its units, none overlapping, and explains filled points only when there are some', () => {
    // Points close together, as a fine band sweep gives them.
    const policy: ChartSeries = { name: '--sweep band', frontier: true, points: ['1', '1.5', '2', '2.5', '3', '4', '5', '6'].map((b, i) => point(b, 2000 + i * 40, 23_000 - i * 30)) };
    const svg = renderFrontierSvg([policy], 'a title & more', { premium: 23_400 });
    expectWellFormedSvg(svg);
    for (const b of ['1', '1.5', '2', '2.5', '3', '4', '5', '6']) expect(svg).toContain(`>band ${b} ETH</text>`);
    expect(svg).toContain('a title &amp; more');
    expect(svg).toContain('filled: efficient');
    expect(svg).toMatch(/premium 23\.4k/);
    // The label boxes, read back from the SVG, do not overlap.
    const boxes = [...svg.matchAll(/<text x="([\d.-]+)" y="([\d.-]+)" fill="#[0-9a-f]{6}" font-size="11">(band [^<]+)<\/text>/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) - 11, width: textWidth(m[3]!, 11), height: 13 }));
    expect(boxes).toHaveLength(8);
    boxes.forEach((a, i) => boxes.forEach((b, j) => j > i && expect(overlap(a, b), `labels ${i} and ${j}`).toBe(false)));
    // The axes start near the data: no tick at 0 on either axis.
    expect(svg).not.toMatch(/text-anchor="(middle|end)"[^>]*>0<\/text>/);

    const market: ChartSeries = { name: '--sweep fee-bps', frontier: false, points: [point('1', 100, 10), point('2', 110, 12)] };
    const noFilled = renderFrontierSvg([market], 'fees');
    expectWellFormedSvg(noFilled);
    expect(noFilled).not.toContain('filled: efficient');
    expect(noFilled).not.toMatch(/<circle [^>]*fill="#1f77b4"/); // no point is filled
  });

  it('says the units of a swept value', () => {
    const run = (underlying: string, unit: 'units' | 'usd' | 'pctNotional' = 'units'): Json => ({ config: { policy: { underlying, band: { unit, trigger: 1 } } } });
    expect(pointLabel({ run: run('ETH'), value: '4', series: { key: 'band' } })).toBe('band 4 ETH');
    expect(pointLabel({ run: run('ASSET'), value: '4', series: { key: 'band' } })).toBe('band 4 units');
    expect(pointLabel({ run: run('ETH', 'usd'), value: '5000', series: { key: 'band' } })).toBe('band 5000 USD');
    expect(pointLabel({ run: run('ETH'), value: 'off', series: { key: 'band' } })).toBe('no band');
    expect(pointLabel({ run: run('ETH'), value: '1d', series: { key: 'hedge-every' } })).toBe('every 1d');
    expect(pointLabel({ run: run('ETH'), value: '0.5', series: { key: 'min-trade' } })).toBe('min 0.5 ETH');
    expect(pointLabel({ run: run('ETH'), value: '20', series: { key: 'fee-bps' } })).toBe('20 bp fee');
  });

  it('end to end: a band sweep on an ETH book labels its points in ETH', async () => {
    const { files } = await json(['--config', ETH, '--paths', '200', '--band', 'off', '--sweep', 'band=2,4,8', '--sweep', 'hedge-every=12h,1d', '--chart', join(tmpdir(), 'f.svg')]);
    const svg = files.get(join(tmpdir(), 'f.svg'))!;
    expectWellFormedSvg(svg);
    for (const label of ['band 2 ETH', 'band 4 ETH', 'band 8 ETH', 'every 12h', 'every 1d']) expect(svg).toContain(`>${label}</text>`);
  });
});

describe('--chart for one run: the P&L histogram and one path over time', () => {
  it("draws the costliest path by default, and the traced path's final P&L is that path's row in --paths-out", async () => {
    const chart = join(tmpdir(), 'run.svg');
    const pathsFile = join(tmpdir(), 'paths.csv');
    const { out, files } = await json(['--config', HULL, '--paths', '300', '--fee-bps', '10', '--chart', chart, '--paths-out', pathsFile]);
    const rows = csvRows(files.get(pathsFile)!);
    const costliest = rows.reduce((best, r) => (Number(r.hedge_cost) > Number(best.hedge_cost) ? r : best));
    expect(out.chart).toMatchObject({ file: chart, path: Number(costliest.path) });
    expect(out.chart.note).toMatch(/the costliest of 300/);
    // The trace the chart draws, against the run: the same path's P&L, trades and costs, exactly.
    const spec = backtestSpecFromConfig(BacktestConfigSchema.parse(out.config));
    const { trace } = tracePath(spec, out.chart.path);
    const last = trace.pnl.length - 1;
    expect(trace.pnl[last]).toBe(Number(costliest.pnl));
    expect(trace.trades[last]).toBe(Number(costliest.trades));
    expect(trace.transactionCosts[last]).toBeCloseTo(Number(costliest.transaction_costs), 9);

    const svg = files.get(chart)!;
    expectWellFormedSvg(svg);
    expect(svg).toContain('P&amp;L per path (premium − hedge cost, USD PV at t0): 300 paths');
    for (const title of ['Spot (USD) and the trades', 'Delta (XYZ)', 'Gamma: the delta a 1% move adds (XYZ)', 'Vega (USD per vol point)', 'The hedged book (USD, PV at t0)']) expect(svg).toContain(title);
    for (const series of ["options' delta", 'hedge held', 'net delta', 'Γ·S/100', 'vega', 'value (P&amp;L so far)', '− trading costs so far', 'strike 50']) expect(svg).toContain(`>${series}</text>`);
    // A marker (triangle) for every instant the path traded the hedge.
    let tradeInstants = 0;
    for (let k = 0; k <= last; k++) if (trace.trades[k]! > (k === 0 ? 0 : trace.trades[k - 1]!)) tradeInstants++;
    const legendMarkers = (svg.match(/>bought \(hedge\)</g) ? 1 : 0) + (svg.match(/>sold \(hedge\)</g) ? 1 : 0);
    expect((svg.match(/<path d="M[\d.]+ [\d.]+l4 -?8h-8z"/g) ?? []).length).toBe(tradeInstants + legendMarkers);
    // The spot line has every instant (20 weekly steps: not thinned), starting at the spot.
    const spotLine = svg.match(/<polyline fill="none" stroke="#333333"[^>]*points="([^"]+)"/)![1]!.split(' ');
    expect(spotLine).toHaveLength(last + 1);

    const { stdout } = await hedge(['--config', HULL, '--paths', '300', '--fee-bps', '10', '--chart', chart]);
    expect(stdout).toContain(`chart: ${chart} (the P&L histogram; path ${out.chart.path}, the costliest of 300 over time`);
  });

  it('--chart-path median or an id draws that path; one path has no histogram', async () => {
    const chart = join(tmpdir(), 'run.svg');
    const median = await json(['--config', HULL, '--paths', '101', '--chart', chart, '--chart-path', 'median']);
    const costs = (await json(['--config', HULL, '--paths', '101', '--paths-out', join(tmpdir(), 'p.csv')])).files;
    const sorted = csvRows(costs.get(join(tmpdir(), 'p.csv'))!).sort((a, b) => Number(a.hedge_cost) - Number(b.hedge_cost));
    expect(median.out.chart.path).toBe(Number(sorted[50]!.path));
    const byId = await json(['--config', HULL, '--paths', '101', '--chart', chart, '--chart-path', '17']);
    expect(byId.out.chart).toMatchObject({ path: 17, note: 'path 17 of 101' });
    const alone = await json(['--config', HULL, '--paths', '101', '--only-path', '17', '--chart', chart]);
    expect(alone.out.chart.path).toBe(17);
    const svg = alone.files.get(chart)!;
    expectWellFormedSvg(svg);
    expect(svg).not.toContain('P&amp;L per path');
    // The path alone is the same path: the same P&L and trades as inside the run.
    const headline = (s: string): string => s.match(/: P&amp;L [^,]+, \d+ trades</)![0];
    expect(headline(svg)).toBe(headline(byId.files.get(chart)!));
  });

  it('refuses what it cannot draw (exit 2, nothing written)', async () => {
    const cases: [string[], RegExp][] = [
      [['--chart', 'run.png'], /--chart: expected a file name ending in \.svg/],
      [['--chart-path', 'median'], /--chart-path chooses the path that --chart draws: add --chart FILE\.svg/],
      [['--chart', 'a.svg', '--chart-path', '3', '--sweep', 'hedge-every=1w,2w'], /--chart-path chooses the path a run's --chart draws, and a --sweep's chart is its frontier/],
      [['--paths', '50', '--chart', 'a.svg', '--chart-path', '50'], /--chart-path: path 50 is not one of the run's \(paths 0 to 49\)/],
      [['--paths', '50', '--chart', 'a.svg', '--chart-path', 'worst'], /--chart-path: expected a path id \(an integer >= 0\), costliest or median/],
      [['--chart', 'no/such/folder/a.svg'], /--chart: the folder .* does not exist/],
    ];
    for (const [args, message] of cases) {
      const { status, stdout, stderr, files } = await hedge(['--config', HULL, ...args]);
      expect(stderr, args.join(' ')).toMatch(message);
      expect(status).toBe(2);
      expect(stdout).toBe('');
      expect(files.size).toBe(0);
    }
  });
});

// ---- replays of several paths

const dir = mkdtempSync(join(tmpdir(), 'hedge-replay-'));

/** An hourly CSV of `hours` rows after the first, epoch seconds, from `start` (ms). */
function writeCsv(name: string, hours: number, start: number, base: number): { file: string; series: PriceSeries } {
  const timesMs = Array.from({ length: hours + 1 }, (_, i) => start + i * 3_600_000);
  const prices = timesMs.map((_, i) => Number((base * Math.exp(0.03 * Math.sin(i / 5) + 0.01 * Math.sin(i / 17) + 0.0002 * i)).toFixed(2)));
  const file = join(dir, name);
  writeFileSync(file, ['timestamp,price', ...timesMs.map((t, i) => `${t / 1000},${prices[i]}`)].join('\n') + '\n');
  return { file, series: { timesMs, prices } };
}

const JAN = writeCsv('jan.csv', 24 * 10, Date.UTC(2025, 0, 1), 3000);
const FEB = writeCsv('feb.csv', 24 * 8, Date.UTC(2025, 1, 1), 2500);
const book = ({ strike = '3000', maturity = '3d' } = {}): string[] => ['--strike', strike, '--maturity', maturity, '--quantity', '-50', '--band', '2', '--fee-bps', '5'];
const BOOK = book();

describe('replays of several paths from the CLI', () => {
  it('--csv a,b: one path per CSV, each rescaled to start at the first CSV’s first price; --paths-out names the CSV', async () => {
    const pathsFile = join(dir, 'p.csv');
    const { out, files } = await json(['--csv', `${JAN.file},${FEB.file}`, ...BOOK, '--paths-out', pathsFile]);
    expect(out.paths).toBe(2);
    expect(out.config.market).toMatchObject({ model: 'replay', csv: [JAN.file, FEB.file] });
    const rows = csvRows(files.get(pathsFile)!);
    expect(rows.map((r) => [r.csv, r.start])).toEqual([
      [JAN.file, '2025-01-01T00:00:00.000Z'],
      [FEB.file, '2025-02-01T00:00:00.000Z'],
    ]);
    // --csv repeated is the same run; the config written back reproduces it.
    const repeated = await json(['--csv', JAN.file, '--csv', FEB.file, ...BOOK]);
    expect(repeated.out.hedgeCost).toEqual(out.hedgeCost);
    const configFile = join(dir, 'several.json');
    writeFileSync(configFile, JSON.stringify(out.config));
    expect((await json(['--config', configFile])).out.hedgeCost).toEqual(out.hedgeCost);
  });

  it('--windows-every: a path per window, boundaries every DUR, --only-path gives the same row', async () => {
    const pathsFile = join(dir, 'w.csv');
    const { out, files } = await json(['--csv', `${JAN.file},${FEB.file}`, ...book({ strike: '100' }), '--windows-every', '12h', '--spot', '100', '--paths-out', pathsFile]);
    // jan: 240 h, windows of 72 h every 12 h: 15; feb: 192 h: 11.
    expect(out.paths).toBe(26);
    expect(out.config.market).toMatchObject({ windows: { every: '12h' }, spot: 100 });
    expect(out.pathsCaveat).toMatch(/the windows overlap/);
    const rows = csvRows(files.get(pathsFile)!);
    expect(rows.map((r) => r.start)).toEqual([
      ...Array.from({ length: 15 }, (_, i) => new Date(Date.UTC(2025, 0, 1) + i * 12 * 3_600_000).toISOString()),
      ...Array.from({ length: 11 }, (_, i) => new Date(Date.UTC(2025, 1, 1) + i * 12 * 3_600_000).toISOString()),
    ]);
    const alone = await json(['--csv', `${JAN.file},${FEB.file}`, ...book({ strike: '100' }), '--windows-every', '12h', '--spot', '100', '--only-path', '20', '--paths-out', pathsFile]);
    const [row] = csvRows(alone.files.get(pathsFile)!);
    expect(row).toEqual(rows[20]);
    // The first 5 windows (what an interrupted run did) are the run's first 5 paths.
    const first = await json(['--csv', `${JAN.file},${FEB.file}`, ...book({ strike: '100' }), '--windows-every', '12h', '--spot', '100', '--paths', '5', '--paths-out', pathsFile]);
    expect(csvRows(first.files.get(pathsFile)!)).toEqual(rows.slice(0, 5));
    // The config written back reproduces the run.
    const configFile = join(dir, 'windows.json');
    writeFileSync(configFile, JSON.stringify(out.config));
    expect((await json(['--config', configFile])).out.hedgeCost).toEqual(out.hedgeCost);
  });

  it('--bootstrap-block: --paths paths, the same for the same seed, another seed another sample', async () => {
    const args = ['--csv', JAN.file, ...BOOK, '--bootstrap-block', '6h', '--paths', '200'];
    const a = (await json(args)).out;
    expect(a.paths).toBe(200);
    expect(a.config.market).toMatchObject({ bootstrap: { meanBlock: '6h' } });
    expect(a.hedgeCost.std).toBeGreaterThan(0);
    expect((await json(args)).out.hedgeCost).toEqual(a.hedgeCost);
    expect((await json([...args, '--seed', '2'])).out.hedgeCost).not.toEqual(a.hedgeCost);
    const configFile = join(dir, 'boot.json');
    writeFileSync(configFile, JSON.stringify(a.config));
    expect((await json(['--config', configFile])).out.hedgeCost).toEqual(a.hedgeCost);
  });

  it('refuses what would be ignored or cannot be cut (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['--csv', JAN.file, ...BOOK, '--windows-every', '1d', '--bootstrap-block', '1d'], /--windows-every and --bootstrap-block are two ways to make the paths of a replay: give one/],
      [[...BOOK, '--windows-every', '1d'], /--windows-every makes paths from a replayed series: it needs --csv FILE/],
      [['--csv', JAN.file, ...BOOK, '--paths', '10'], /--paths: is not used: a replay of one series is one path/],
      [['--csv', JAN.file, ...BOOK, '--spot', '10'], /--spot: is not used: a replay of one series/],
      [['--csv', JAN.file, ...BOOK, '--windows-every', '1d', '--paths', '9'], /--paths: asks for 9 paths, and the replay has 8 \(its windows/],
      [['--csv', JAN.file, ...book({ maturity: '11d' }), '--windows-every', '1d'], /--maturity: a run of 1w 4d is longer than the longest series \(1w 3d\): no window fits|no window fits/],
      [['--csv', JAN.file, ...BOOK, '--bootstrap-block', '10m'], /--bootstrap-block: a mean block of 10m is shorter than one step of the replay \(1h\)/],
      [['--csv', `${JAN.file},${FEB.file}`, ...book({ maturity: '9d' })], /feb\.csv spans 8d, shorter than the run \(9d\): each CSV is a path/],
      [['--csv', `${JAN.file},`, ...BOOK], /--csv: expected CSV file names/],
    ];
    for (const [args, message] of cases) {
      const { status, stdout, stderr } = await hedge(args);
      expect(stderr, args.join(' ')).toMatch(message);
      expect(status).toBe(2);
      expect(stdout).toBe('');
    }
  });
});
