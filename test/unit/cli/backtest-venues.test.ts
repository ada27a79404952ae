/**
 * `hedge backtest` on venues, end to end (a real child process): examples/backtest/venues.json
 * run on one set, a `--sweep venues=...` comparing sets on the same paths, the config
 * written back reproducing a run, and every mistake refused with exit 2 naming the flag
 * or the field.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
const VENUES = 'examples/backtest/venues.json';

function hedge(args: string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, 'backtest', ...args], { encoding: 'utf8', timeout: 60_000, cwd });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'hedge-venues-'));

describe('hedge backtest on venues (end to end)', () => {
  it('--sweep venues=single-pool,routed,perp compares the sets on the same paths; routing costs least in trading', () => {
    const dir = tempDir();
    const { status, stdout, stderr } = hedge(['--config', join(ROOT, VENUES), '--paths', '400', '--sweep', 'venues=single-pool,routed,perp', '--json', '--chart', 'f.svg'], dir);
    expect(status, stderr).toBe(0);
    const out = JSON.parse(stdout) as Json;
    const [single, routed, perp] = out.sweep as Json[];
    expect(out.sweep.map((r: Json) => r.value)).toEqual(['single-pool', 'routed', 'perp']);
    expect(out.sweep.map((r: Json) => typeof r.efficient)).toEqual(['boolean', 'boolean', 'boolean']); // a choice of the hedger: efficiency means something
    // Spot pools: carry is financing; the perp: funding (its own line), no financing.
    for (const spot of [single, routed]) {
      expect(spot.config.policy.hedgeInstrument).toBe('spot');
      expect(spot.attribution.financing).toBeGreaterThan(0);
      expect(spot.attribution.funding).toBe(0);
    }
    expect(perp.config.policy.hedgeInstrument).toBe('perp');
    expect(perp.attribution.financing).toBe(0);
    expect(perp.attribution.funding).not.toBe(0);
    // Same paths, same policy, same trades: routing never costs more than its first pool alone.
    expect(routed.attribution.hedge).toBe(single.attribution.hedge);
    expect(routed.attribution.option).toBe(single.attribution.option);
    expect(routed.transactionCosts.mean).toBeLessThan(single.transactionCosts.mean);
    expect(routed.legsPerPath).toBeGreaterThan(routed.tradesPerPath);
    expect(single.legsPerPath).toBe(single.tradesPerPath);
    for (const run of out.sweep as Json[]) {
      const a = run.attribution;
      expect(a.option + a.hedge + a.hedgeOptions + a.optionSpread + a.financing + a.funding + a.fees + a.slippage + a.gas).toBeCloseTo(run.hedgeCost.mean, 6);
      expect(run.config.venues.use).toBe(run.value);
      expect(run.venues.set).toBe(run.value);
    }
    // The table shows each set, its lines and its venues.
    const table = hedge(['--config', join(ROOT, VENUES), '--paths', '100', '--sweep', 'venues=single-pool,routed,perp', '--chart', 'g.svg'], dir);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/venues=routed\s+[\d,]+/);
    expect(table.stdout).toContain('costs: each run on its venues (below)');
    expect(table.stdout).toMatch(/mean PV by line\s+fees\s+impact\s+gas\s+financing\s+funding\s+opt spread\s+legs\/trade/);
    expect(table.stdout).toContain('venues=perp: perp on perp-v2-eth (fee 0.1%, depth 5,000, gas $0.5, funding OU mean 0.1/y, half-life 7d, vol 1)');
  });

  it('runs one set (--venues), with funding and option spread lines; its --json config reproduces it', () => {
    const dir = tempDir();
    const table = hedge(['--config', join(ROOT, VENUES), '--venues', 'routed', '--paths', '200']);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toContain('venues  routed: spot on uniswap-weth-usdc (routed over v3 0.05% depth 5,000 gas $2, v3 0.3% depth 10,000 gas $2, v2 0.3% depth 2,500 gas $1.6; 10 slices)');
    expect(table.stdout).toMatch(/venue legs\)/);
    for (const line of ['option spread (venue vol)', 'financing (spot carry)', 'funding (perp)', 'slippage (price impact)']) expect(table.stdout).toContain(line);
    const first = hedge(['--config', join(ROOT, VENUES), '--venues', 'perp', '--paths', '200', '--json']);
    expect(first.status, first.stderr).toBe(0);
    const run = JSON.parse(first.stdout) as Json;
    writeFileSync(join(dir, 'again.json'), JSON.stringify(run.config));
    const again = JSON.parse(hedge(['--config', 'again.json', '--json'], dir).stdout) as Json;
    expect(again.hedgeCost).toEqual(run.hedgeCost);
    expect(again.attribution).toEqual(run.attribution);
  });

  it('executes hedge options on the option venue: the option spread and its fees are lines of the cost', () => {
    const dir = tempDir();
    const gamma = JSON.parse(readFileSync(join(ROOT, 'examples/backtest/gamma-limits.json'), 'utf8')) as Json;
    const { costs: _costs, ...rest } = gamma;
    const config = {
      ...rest,
      venues: {
        sets: {
          desk: {
            venues: [
              { kind: 'perp-v2', feeRatio: 0.001, depth: 5000, gasUsd: 0.5 },
              { kind: 'lyra-v1', baseVol: 0.65, skew: -0.1, premiumFee: 0.01, spotFee: 0.001, gasUsd: 1 },
            ],
          },
        },
      },
    };
    writeFileSync(join(dir, 'gamma.json'), JSON.stringify(config));
    const { status, stdout, stderr } = hedge(['--config', 'gamma.json', '--paths', '200', '--json'], dir);
    expect(status, stderr).toBe(0);
    const out = JSON.parse(stdout) as Json;
    expect(out.attribution.hedgeOptions).not.toBe(0);
    expect(out.attribution.optionSpread).toBeGreaterThan(0); // the venue's 65 % against the 60 % the book is priced at
    expect(out.attribution.funding).toBeGreaterThan(0); // constant at r − q = 4 % by default, a long perp on average
    expect(out.skippedOrders).toBe(0);
  });

  it.each([
    [['--venues', 'nope'], /--venues: there is no venue set "nope" \(the sets: single-pool, routed, perp\)/],
    [['--venues', 'a,b'], /--venues: expected the name of a venue set/],
    [['--fee-bps', '5'], /--fee-bps: does not apply: the run executes on venue set routed, each venue with its own cost model/],
    [['--hedge-instrument', 'perp'], /--hedge-instrument: "perp" is not what the run would use: venue set routed hedges with spot/],
    [['--venues', 'perp', '--funding-rate', '0.05'], /--funding-rate: is not used: the perp venue of set perp has its own funding model/],
    [['--sweep', 'venues=routed,nope'], /--sweep venues=nope: --venues: there is no venue set "nope"/],
    [['--venues', 'routed', '--sweep', 'venues=routed,perp'], /--venues routed is replaced in every run by --sweep venues=routed,perp/],
  ])('refuses %j with exit 2, naming the flag', (args, message) => {
    const { status, stdout, stderr } = hedge(['--config', VENUES, '--paths', '10', ...(args as string[])]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message as RegExp);
  });

  it('refuses venues that production would refuse, naming the field, and --venues without venues', () => {
    const dir = tempDir();
    const base = JSON.parse(readFileSync(join(ROOT, VENUES), 'utf8')) as Json;
    const write = (name: string, change: (c: Json) => void): string => {
      const c = structuredClone(base);
      change(c);
      writeFileSync(join(dir, name), JSON.stringify(c));
      return name;
    };
    const refused = (file: string, message: RegExp): void => {
      const r = hedge(['--config', file, '--paths', '10'], dir);
      expect(r.status, r.stdout).toBe(2);
      expect(r.stderr).toMatch(message);
    };
    refused(write('two.json', (c) => c.venues.sets.routed.venues.push({ kind: 'uniswap-v3', fee: 500, depth: 10 })), /config two\.json: venues\.sets\.routed\.venues\[1\]: is a second spot venue/);
    const spotOnPerp = (c: Json): void => {
      delete c.venues.sets.perp.hedgeInstrument;
      c.policy.hedgeInstrument = 'spot';
      c.venues.use = 'perp';
    };
    refused(write('no-instrument.json', spotOnPerp), /policy\.hedgeInstrument: the policy hedges delta with spot, and venue set perp has no spot venue/);
    refused(write('use.json', (c) => delete c.venues.use), /venues\.use: name the venue set the run uses \(use, or --venues NAME\): one of single-pool, routed, perp/);
    refused(write('typo.json', (c) => (c.venues.sets.perp.venues[0].funding.halfLive = '7d')), /venues\.sets\.perp\.venues\[0\]\.funding: unknown field\(s\): halfLive \(it has: model, mean, start, halfLife, vol\)/);
    const none = hedge(['--config', 'examples/backtest/eth-short-call.json', '--venues', 'routed']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/--venues routed chooses a venue set of the config's "venues" section, and examples\/backtest\/eth-short-call\.json has none/);
  });
});
