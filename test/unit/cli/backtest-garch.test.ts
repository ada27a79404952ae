/**
 * `hedge backtest` on the GARCH(1,1) market (a real child process): the example config
 * runs, what --json echoes reproduces the run, the model's vol is the pricing vol by
 * default, and what does not apply to it is refused.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { hedgeBacktest, ROOT, type CliRun } from './backtest-process.ts';
import { BacktestConfigSchema } from '../../../shared/contracts/backtest-config.ts';

vi.setConfig({ testTimeout: 120_000 });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const EXAMPLE = join(ROOT, 'examples/backtest/garch-vol-clusters.json');
const SMALL = ['--paths', '300', '--seed', '3'];

const hedge = (args: string[]): CliRun => hedgeBacktest(args);

describe('hedge backtest on a GARCH(1,1) market', () => {
  it('runs the example; its --json config, written back, reproduces the run number for number', () => {
    const first = hedge(['--config', EXAMPLE, ...SMALL, '--json']);
    expect(first.status, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout) as Json;
    expect(out.config.market).toMatchObject({ model: 'garch', interval: '1h', omega: 8.2192e-7, alpha: 0.06, beta: 0.92 });
    expect(out.pricingVol).toBe(0.6); // the config's impliedVol
    const file = join(mkdtempSync(join(tmpdir(), 'garch-')), 'echoed.json');
    writeFileSync(file, JSON.stringify(out.config));
    const again = hedge(['--config', file, '--json']);
    expect(again.status, again.stderr).toBe(0);
    const echoed = JSON.parse(again.stdout) as Json;
    expect(echoed.hedgeCost).toEqual(out.hedgeCost);
    expect(echoed.tradesPerPath).toBe(out.tradesPerPath);
  });

  it('prices at the long-run vol without impliedVol, and the table names the model', () => {
    const config = BacktestConfigSchema.parse(JSON.parse(JSON.stringify({ ...readExample(), market: { ...readExample().market, impliedVol: undefined } })));
    expect(config.market.model).toBe('garch');
    const file = join(mkdtempSync(join(tmpdir(), 'garch-')), 'long-run.json');
    const { impliedVol: _drop, ...market } = readExample().market;
    writeFileSync(file, JSON.stringify({ ...readExample(), market }));
    const json = hedge(['--config', file, ...SMALL, '--json']);
    expect(json.status, json.stderr).toBe(0);
    // ω/(1 − α − β) per hour, annualised: √(8.2192e-7 / 0.02 × 8760) ≈ 0.6.
    expect((JSON.parse(json.stdout) as Json).pricingVol).toBeCloseTo(Math.sqrt((8.2192e-7 / 0.02) * 8760), 10);
    const table = hedge(['--config', file, ...SMALL]);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/GARCH\(1,1\) S0 3000, drift 0\.04, every 1h ω 8\.2192e-7 α 0\.06 β 0\.92 \(long-run vol 0\.6, from the long run\)/);
  });

  it('refuses what does not apply: --vol, --jumps, a non-stationary or percent-scale model, each on its field (exit 2)', () => {
    const vol = hedge(['--config', EXAMPLE, '--vol', '0.5']);
    expect(vol.status).toBe(2);
    expect(vol.stderr).toMatch(/--vol does not apply to a GARCH market/);
    expect(hedge(['--config', EXAMPLE, '--jumps', '2,-0.1,0.05']).stderr).toMatch(/--jumps does not apply to a GARCH market/);
    for (const [change, message] of [
      [{ alpha: 0.1, beta: 0.9 }, /market\.beta: alpha \+ beta = 1 must be under 1/],
      [{ omega: 0.02 }, /market\.omega: gives a long-run variance of 1 per interval .* not percent/],
      [{ interval: 0 }, /market\.interval/],
      [{ vol: 0.6 }, /market: unknown field\(s\): vol/],
    ] as const) {
      const file = join(mkdtempSync(join(tmpdir(), 'garch-')), 'bad.json');
      writeFileSync(file, JSON.stringify({ ...readExample(), market: { ...readExample().market, ...change } }));
      const run = hedge(['--config', file]);
      expect(run.status, JSON.stringify(change)).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});

function readExample(): Json {
  return JSON.parse(readFileSync(EXAMPLE, 'utf8'));
}
