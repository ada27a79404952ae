/**
 * `hedge backtest` with a Uniswap V3 liquidity position in the book (a real child
 * process): the example config runs and its --json config reproduces the run; the table
 * names the position and its fee line; a bad position is refused naming the field, with
 * exit 2 and nothing run; --help documents the book entry.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { hedgeBacktest, ROOT, type CliRun } from './backtest-process.ts';
import { BACKTEST_HELP } from '../../../cli/commands/backtest-command.ts';

vi.setConfig({ testTimeout: 120_000 });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const EXAMPLE = join(ROOT, 'examples/backtest/eth-lp-hedged.json');
const SMALL = ['--paths', '200', '--seed', '3'];

const hedge = (args: string[]): CliRun => hedgeBacktest(args);

describe('hedge backtest with a liquidity position', () => {
  it('runs the example: the LP is worth its value at t0, its fees are their own line, the --json config reproduces the run', () => {
    const first = hedge(['--config', EXAMPLE, ...SMALL, '--json']);
    expect(first.status, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as Json;
    expect(out.bookValue).toBeCloseTo(1_000_000, 4);
    expect(out.premium).toBeCloseTo(-1_000_000, 4);
    expect(out.attribution.liquidityFees).toBeLessThan(0);
    expect(out.pnlByGreek.gamma).toBeLessThan(0); // short gamma
    expect(out.attribution.total).toBeCloseTo(out.hedgeCost.mean, 4);
    expect(out.config.book[0]).toMatchObject({ type: 'uniswap-v3-liquidity', lowerPrice: 2500, upperPrice: 3600, valueUsd: 1_000_000, feeApr: 0.4 });
    const file = join(mkdtempSync(join(tmpdir(), 'lp-')), 'echoed.json');
    writeFileSync(file, JSON.stringify(out.config));
    const again = JSON.parse(hedge(['--config', file, '--json']).stdout) as Json;
    expect(again.hedgeCost).toEqual(out.hedgeCost);
    const table = hedge(['--config', EXAMPLE, ...SMALL]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain('book    LP 2500–3600 worth $1,000,000 at the start, pool fee 0.05 %, fees 40 %/yr in range');
    expect(table.stdout).toMatch(/LP fees \(feeApr\)\s+-[\d,]+/);
  });

  it('refuses a bad liquidity position naming the field, with exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lp-'));
    const config = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Json;
    const write = (name: string, lp: Json, simulation: Json = config.simulation): string => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify({ ...config, book: [{ ...config.book[0], ...lp }], simulation }));
      return path;
    };
    for (const [file, message] of [
      [write('range.json', { upperPrice: 2000 }), /book\[0\]\.upperPrice: must be above lowerPrice \(2500\)/],
      [write('size.json', { units: 10 }), /book\[0\]\.units: and valueUsd both size the position: give one/],
      [write('ticks.json', { tickLower: 1 }), /book\[0\]\.tickLower: give the range as prices .* or as ticks .*, not both/],
      [write('horizon.json', {}, { paths: 10 }), /simulation\.horizon: must be given: a book of liquidity positions only has no expiry/],
    ] as const) {
      const run = hedge(['--config', file]);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
  });

  it('--help documents the book entry', () => {
    expect(BACKTEST_HELP).toContain('"type": "uniswap-v3-liquidity"');
    expect(BACKTEST_HELP).toContain('Liquidity positions ("type": "uniswap-v3-liquidity" in the book)');
    expect(BACKTEST_HELP).toContain('liquidityFees');
  });
});
