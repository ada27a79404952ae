/**
 * The `hedge` executable end to end: a real child process, stdin in, stdout out.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bsmGreeks } from '../../../shared/domain/pricing/black-scholes-merton.ts';

const BIN = fileURLToPath(new URL('../../../bin/hedge.mjs', import.meta.url));

function hedge(args: string[], input = ''): { status: number | null; lines: Record<string, unknown>[]; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 20_000 });
  const lines = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{') && l.endsWith('}'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { status: run.status, lines, stdout: run.stdout, stderr: run.stderr };
}

const option = { type: 'call', spot: 100, strike: 100, maturity: 1, vol: 0.2, rate: 0.05, yield: 0 } as const;

describe('hedge greeks', () => {
  it('writes one line of raw Greeks per input line, in order', () => {
    const put = { ...option, type: 'put', strike: 110 } as const;
    const { status, lines } = hedge(['greeks'], `${JSON.stringify(option)}\n${JSON.stringify(put)}\n`);
    expect(status).toBe(0);
    expect(lines).toHaveLength(2);
    const want = bsmGreeks(option);
    expect(lines[0]).toEqual({
      price: want.price,
      delta: want.delta,
      gamma: want.gamma,
      vega: want.vegaPerUnitVol,
      theta: want.thetaPerYear,
      rho: want.rhoPerUnitRate,
      vanna: want.vannaPerUnitVol,
      volga: want.volgaPerUnitVol2,
    });
    expect(lines[1]!.price).toBe(bsmGreeks(put).price);
  });

  it('reports a bad line by number, goes on, and exits 1', () => {
    const input = [
      JSON.stringify({ ...option, spot: -1 }),
      'not json',
      JSON.stringify({ ...option, type: 'straddle' }),
      JSON.stringify({ ...option, volatility: 0.2 }),
      JSON.stringify(option),
    ].join('\n');
    const { status, lines } = hedge(['greeks'], input);
    expect(status).toBe(1);
    expect(lines[0]).toEqual({ line: 1, error: 'spot must be > 0 (got -1)' });
    expect(lines[1]).toEqual({ line: 2, error: 'not valid JSON' });
    expect(lines[2]).toEqual({ line: 3, error: 'type: expected "call" or "put"' });
    expect(lines[3]).toEqual({ line: 4, error: 'unknown field(s): volatility' });
    expect(lines[4]!.price).toBeCloseTo(10.450583572185566, 14);
  });

  it('documents every field and unit in --help', () => {
    const { status, stdout } = hedge(['greeks', '--help']);
    expect(status).toBe(0);
    for (const word of ['"type"', 'maturity', 'vega', 'per 1.00 of vol', 'per year', '"line"', 'exit']) expect(stdout).toContain(word);
  });
});

describe('hedge iv', () => {
  it('recovers the volatility of a price and rejects prices outside the bounds', () => {
    const price = bsmGreeks(option).price;
    const { vol: _vol, ...rest } = option;
    const input = [JSON.stringify({ ...rest, price }), JSON.stringify({ ...rest, price: 150 }), JSON.stringify({ ...rest, price: -1 })].join('\n');
    const { status, lines } = hedge(['iv'], input);
    expect(status).toBe(1);
    expect(Math.abs((lines[0]!.vol as number) - 0.2)).toBeLessThan(1e-14);
    expect(lines[1]).toMatchObject({ line: 2 });
    expect(String(lines[1]!.error)).toMatch(/bound/);
    expect(lines[2]).toMatchObject({ line: 3 });
  });

  it('has --help', () => {
    const { status, stdout } = hedge(['iv', '--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('"price"');
  });
});

describe('hedge demo and usage', () => {
  it('prints the risk of the sample book', () => {
    const { status, stdout } = hedge(['demo']);
    expect(status).toBe(0);
    expect(stdout).toContain('ETH @ $3,000');
    expect(stdout).toContain('to be delta-flat');
    expect(stdout).toContain('expired');
    expect(stdout).toContain('policy [HEDGE_BAND]');
    expect(stdout).toContain('alert GAMMA_LIMIT_BREACHED');
  });

  it('prints JSON with --json', () => {
    const { status, stdout } = hedge(['demo', '--json']);
    expect(status).toBe(0);
    const parsed = JSON.parse(stdout) as { exposures: { underlying: string }[]; decisions: Record<string, { action: string }> };
    expect(parsed.exposures.map((e) => e.underlying)).toEqual(['BTC', 'ETH']);
    expect(parsed.decisions.ETH!.action).toBe('hedge');
  });

  it('rejects unknown commands and flags with status 2', () => {
    expect(hedge(['frobnicate']).status).toBe(2);
    expect(hedge(['greeks', '--fast']).status).toBe(2);
    expect(hedge(['demo', '--fast']).status).toBe(2);
  });
});
