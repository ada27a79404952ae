// The committed contract artifacts (shared/adapters/chain/artifacts) are what a fresh
// compile of contracts/*.sol produces, and `--check` notices when they are not.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const script = join(root, 'scripts', 'build-contracts.ts');
const artifactsDir = join(root, 'shared', 'adapters', 'chain', 'artifacts');
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'build-contracts-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function buildContracts(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('scripts/build-contracts.ts', () => {
  it('--check passes: recompiling gives the committed artifacts', async () => {
    const result = await buildContracts('--check');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('contract artifacts are current (3 contracts)');
    expect(result.code).toBe(0);
  }, 60_000);

  it('--check fails on an edited, a missing or a stale artifact', async () => {
    const out = join(scratch, 'artifacts');
    cpSync(artifactsDir, out, { recursive: true });
    const [first, second] = readdirSync(out).sort();
    if (first === undefined || second === undefined) throw new Error('expected at least two artifacts');
    writeFileSync(join(out, first), '// edited\n');
    rmSync(join(out, second));
    writeFileSync(join(out, 'old-contract.ts'), 'export {};\n');

    const result = await buildContracts('--check', '--out', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${first}: differs from a fresh compile`);
    expect(result.stderr).toContain(`${second}: missing`);
    expect(result.stderr).toContain('old-contract.ts: no contract produces it (stale)');
  }, 60_000);
});
