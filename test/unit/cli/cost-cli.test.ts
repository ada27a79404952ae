/** `hedge cost`: flags, the committed profile, a profile file, errors; and registered in the `hedge` command. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCostCommand } from '../../../cli/commands/cost-command.ts';
import { memoryIo } from '../../support/memory-io.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MEASURED = readFileSync(new URL('../../../cli/commands/cost/measured-profile.json', import.meta.url), 'utf8');


// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (io: { out: string[] }): any => JSON.parse(io.out.join(''));

describe('hedge cost', () => {
  it('prices the committed profile: a monthly figure per account, its lines and what dominates', () => {
    const io = memoryIo();
    expect(runCostCommand(['--json'], io)).toBe(0);
    const result = json(io);
    expect(result.scenario.cadenceMinutes).toBe(1);
    expect(result.perAccountUsd).toBeGreaterThan(1); // the account's KMS key alone is $1
    expect(result.perAccount.reduce((s: number, line: { usd: number }) => s + line.usd, 0)).toBeCloseTo(result.perAccountUsd, 10);
    expect(result.dominant.service).toBe('KMS');
  });

  it('a longer cadence costs less; a thousand accounts cost a thousand times one plus the fixed part', () => {
    const run = (args: string[]) => {
      const io = memoryIo();
      expect(runCostCommand([...args, '--json'], io)).toBe(0);
      return json(io);
    };
    expect(run(['--cadence', '5m']).perAccountUsd).toBeLessThan(run(['--cadence', '1m']).perAccountUsd);
    const many = run(['--accounts', '1000']);
    expect(many.totalUsd).toBeCloseTo(1000 * many.perAccountUsd + many.fixedUsd, 6);
  });

  it('reads a profile file, and says what is wrong with a bad one (exit 2, nothing on stdout)', () => {
    const good = memoryIo({ 'p.json': MEASURED });
    expect(runCostCommand(['--profile', 'p.json'], good)).toBe(0);
    expect(good.out.join('')).toContain('total per account-month');
    const changed = JSON.parse(MEASURED) as { hedge: { writeUnits: number } };
    changed.hedge.writeUnits = -1;
    const bad = memoryIo({ 'p.json': JSON.stringify(changed) });
    expect(runCostCommand(['--profile', 'p.json'], bad)).toBe(2);
    expect(bad.out).toEqual([]);
    expect(bad.err.join('')).toMatch(/hedge\.writeUnits/);
    const missing = memoryIo();
    expect(runCostCommand(['--profile', 'nope.json'], missing)).toBe(2);
    expect(missing.err.join('')).toMatch(/cannot read --profile nope\.json/);
  });

  it.each([
    [['--cadence', '30s'], /--cadence: expected whole minutes/],
    [['--hedges-per-day', '-1'], /--hedges-per-day: expected a number ≥ 0/],
    [['--accounts', '2.5'], /--accounts: expected a whole number/],
    [['--cold-starts', '2'], /--cold-starts: expected a share/],
    [['--bogus'], /unknown flag --bogus/],
    [['--json=1'], /--json takes no value/],
  ])('%j is refused with exit 2', (args, message) => {
    const io = memoryIo();
    expect(runCostCommand(args, io)).toBe(2);
    expect(io.err.join('')).toMatch(message);
    expect(io.out).toEqual([]);
  });

  it('is a command of bin/hedge.mjs', () => {
    const run = spawnSync(process.execPath, ['bin/hedge.mjs', 'cost', '--hedges-per-day', '0'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('KMS');
    expect(spawnSync(process.execPath, ['bin/hedge.mjs', 'cost', '--nope'], { cwd: ROOT, encoding: 'utf8' }).status).toBe(2);
  });
});
