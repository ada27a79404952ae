// `npm start` remembers (issue #18 §4): the stack in-process on a temporary data directory —
// run, make an account through the API, stop, start again — and everything is there: the
// same tenants (no second set), their keys, configs, positions and hedge records, the
// account made later, the chain's balances and positions, the admin key; the market goes on
// from the chain's price and the book is hedged on, reconciled over both runs. Then the
// directories it must refuse (a chain state that does not load, another format version),
// each with the fix named, in-process and as `hedge start` prints it; and Ctrl-C on the
// real command saves the chain.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirError } from '../../local/data-dir/data-dir.ts';
import { ReadyManifestSchema } from '../../local/data-dir/manifest.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { HeadlessSummarySchema, StackStatusSchema, type HeadlessSummary, type StackStatus } from '../../local/status-schema.ts';
import type { StackReconciliation } from '../../local/status/stack-checks.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tempDirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hedge-stack-'));
  tempDirs.push(dir);
  return dir;
};

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface ApiAnswer {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

async function call(stack: LocalStack, method: string, path: string, key: string | undefined, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function status(stack: LocalStack): Promise<StackStatus> {
  return StackStatusSchema.parse(await (await fetch(`${stack.url}/api/status`)).json());
}

/** What a tenant has, read through its own key: config, positions, hedge records. */
async function tenantView(stack: LocalStack, accountId: string, key: string) {
  const [config, positions, hedges] = await Promise.all([
    call(stack, 'GET', `/accounts/${accountId}/config`, key),
    call(stack, 'GET', `/accounts/${accountId}/positions`, key),
    call(stack, 'GET', `/accounts/${accountId}/hedges?limit=100`, key),
  ]);
  expect([config.status, positions.status, hedges.status]).toEqual([200, 200, 200]);
  const ids = (list: unknown): string[] => (list as { position?: { id: string }; hedgeId?: string }[]).map((item) => item.position?.id ?? item.hedgeId ?? '?').sort();
  return { config: config.json, positions: ids(positions.json.items), hedges: ids(hedges.json.items) };
}

const holdings = (check: StackReconciliation) => check.tenants.map((tenant) => ({ accountId: tenant.accountId, holdings: tenant.holdings.map((h) => [h.what, h.onChain]) }));

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('stop the local stack and start it again: everything is there, and it hedges on', () => {
  const logs: string[] = [];
  const log = (line: string): void => void logs.push(line);
  let dir: string;
  let first: LocalStack;
  let second: LocalStack;
  let keys: { admin: string; vault: string; desk: string; made: string };
  let made: { accountId: string; signer: string };
  let before: { vault: Awaited<ReturnType<typeof tenantView>>; desk: Awaited<ReturnType<typeof tenantView>>; status: StackStatus; reconciliation: StackReconciliation; firstSummary: HeadlessSummary };
  let startups: { fresh: number; restart: number };
  let summary: HeadlessSummary;

  beforeAll(async () => {
    dir = tempDir();
    first = await startLocalStack({ dataDir: dir, seed: 5, crashAt: 3, log });
    await first.runTicks(10);
    const [vault, desk] = first.accounts;
    if (first.adminKey === undefined || vault?.apiKey === undefined || desk?.apiKey === undefined) throw new Error('a fresh start knows its keys');
    // An account made after start-up through the API, as the dashboard makes one.
    const created = await call(first, 'POST', '/accounts', first.adminKey, { displayName: 'Made later' });
    expect(created.status).toBe(201);
    made = { accountId: String(created.json.accountId), signer: String((created.json.signer as { address: string }).address) };
    keys = { admin: first.adminKey, vault: vault.apiKey, desk: desk.apiKey, made: String(created.json.apiKey) };
    before = {
      vault: await tenantView(first, vault.accountId, keys.vault),
      desk: await tenantView(first, desk.accountId, keys.desk),
      status: await status(first),
      reconciliation: await first.reconcile(),
      firstSummary: HeadlessSummarySchema.parse(await first.summary()),
    };
    await first.stop();
    second = await startLocalStack({ dataDir: dir, seed: 5, crashAt: 2, log });
    startups = { fresh: first.startupMs, restart: second.startupMs };
    console.log(`[e2e/local-stack-restart] start-up: fresh ${startups.fresh} ms, restart ${startups.restart} ms`);
  }, 180_000);

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
  });

  it('the first run hedged, and stopping it ended its processes and saved a manifest marked clean', () => {
    expect(before.firstSummary.hedgesConfirmed).toBeGreaterThan(0);
    expect(before.firstSummary.reconciled).toBe(true);
    expect(isRunning(first.pids.anvil) || isRunning(first.pids.dynamoDbLocal)).toBe(false);
    expect(second.pids.anvil).not.toBe(first.pids.anvil);
    expect(logs.join('\n')).toMatch(/saved the chain \(block \d+, \d+ KiB gzipped\)/);
  });

  it('restores the same tenants (no second set) and the account made later; keys are not known again, the old ones work', async () => {
    expect(second.dataDir).toEqual({ path: dir, restored: true });
    expect(second.accounts.map((a) => [a.accountId, a.displayName, a.signerAddress])).toEqual(first.accounts.map((a) => [a.accountId, a.displayName, a.signerAddress]));
    expect(second.accounts.every((a) => a.apiKey === undefined)).toBe(true);
    expect(second.adminKey).toBeUndefined();
    expect(second.adminKeySource).toBe('kept');
    const now = await status(second);
    expect(now.accounts.map((a) => a.accountId)).toEqual([...first.accounts.map((a) => a.accountId), made.accountId]);
    expect((await call(second, 'GET', '/admin/kill-switch', keys.admin)).status).toBe(200);
    expect((await call(second, 'GET', `/accounts/${made.accountId}`, keys.made)).json).toMatchObject({ accountId: made.accountId, displayName: 'Made later' });
  });

  it('configs, positions and hedge records are as they were, read with the keys of the first run', async () => {
    const [vault, desk] = second.accounts;
    expect(await tenantView(second, vault!.accountId, keys.vault)).toEqual(before.vault);
    expect(await tenantView(second, desk!.accountId, keys.desk)).toEqual(before.desk);
    expect(before.vault.hedges.length + before.desk.hedges.length).toBeGreaterThan(0);
    expect(before.vault.positions).toContain('hedge-ETH-perp');
  });

  it('the chain is where it was: balances, the perp and option positions, the block, the oracle; the market goes on from its price', async () => {
    const after = await second.reconcile();
    expect(holdings(after)).toEqual(holdings(before.reconciliation));
    expect(after.reconciled, JSON.stringify(after.tenants.map((t) => t.problems))).toBe(true);
    const now = await status(second);
    expect(now.chain.blockNumber).toBeGreaterThanOrEqual(before.status.chain.blockNumber);
    expect(now.market.series[0]?.oracle).toBe(before.status.market.oracle);
    // The account made later kept its signer's gas from the local faucet.
    const gas = await fetch(second.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: [made.signer, 'latest'] }),
    }).then(async (r) => BigInt(((await r.json()) as { result: string }).result));
    expect(gas).toBe(10n ** 19n);
  });

  it('hedges on: ticks after the restart confirm hedges, and every record of both runs reconciles with the chain', async () => {
    await second.runTicks(10);
    summary = HeadlessSummarySchema.parse(await second.summary());
    console.log(`[e2e/local-stack-restart] after the restart ${JSON.stringify(summary)}`);
    expect(summary.ticks).toBe(10);
    expect(summary.hedgesConfirmed).toBeGreaterThan(0);
    expect(summary.hedgesFailed).toBe(0);
    expect(summary.hedgesConfirmedByInstrument.spot + summary.hedgesConfirmedByInstrument.perp + summary.hedgesConfirmedByInstrument.option).toBe(summary.hedgesConfirmed);
    expect(summary.reconciled).toBe(true);
    const check = await second.reconcile();
    const records = check.tenants.reduce((sum, t) => sum + t.confirmedRecords, 0);
    expect(records).toBe(before.firstSummary.hedgesConfirmed + summary.hedgesConfirmed);
  }, 120_000); // ten ticks of two tenants: ~10 s here, over 30 s on a loaded CI machine

  it('keeps the keyring at 0600 and the manifest as the schema says, stopped cleanly with the ticks of both runs', async () => {
    await second.stop();
    expect(statSync(join(dir, 'keyring.json')).mode & 0o777).toBe(0o600);
    const manifest = ReadyManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8')));
    expect(manifest.ticks).toBe(20);
    expect(manifest.lastSave.stoppedCleanly).toBe(true);
    expect(manifest.accounts).toEqual([made.accountId]);
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  }, 60_000);

  it('an admin key given on a later start replaces the kept one', async () => {
    const replacement = `hk_admin_replacement_${Date.now()}`;
    const third = await startLocalStack({ dataDir: dir, adminKey: replacement, log });
    try {
      expect(third.adminKeySource).toBe('given');
      expect((await call(third, 'GET', '/admin/kill-switch', replacement)).status).toBe(200);
      expect((await call(third, 'GET', '/admin/kill-switch', keys.admin)).status).toBe(401);
    } finally {
      await third.stop();
    }
    expect(logs.join('\n')).toContain('it replaces it from now on');
  }, 60_000);

  it('refuses a directory whose chain does not load, or of another format version, naming the fix — and touches nothing', async () => {
    const broken = tempDir();
    cpSync(dir, broken, { recursive: true });
    writeFileSync(join(broken, 'chain', 'anvil-state.json.gz'), gzipSync('{"block": {'));
    const refused = await startLocalStack({ dataDir: broken }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DataDirError);
    expect((refused as Error).message).toMatch(/anvil could not load the saved chain .*npm start -- --fresh/s);
    expect(existsSync(join(broken, 'lock'))).toBe(false);

    const otherVersion = tempDir();
    cpSync(dir, otherVersion, { recursive: true });
    const manifestPath = join(otherVersion, 'stack.json');
    const text = readFileSync(manifestPath, 'utf8').replace('"version": 1,', '"version": 2,');
    writeFileSync(manifestPath, text);
    await expect(startLocalStack({ dataDir: otherVersion })).rejects.toThrow(/another version of the local stack \(data format 2; this one reads format 1\).*--fresh/s);
    expect(readFileSync(manifestPath, 'utf8')).toBe(text);
  }, 60_000);

  it('`hedge start` on such a directory prints one line with the fix and exits 1', async () => {
    const otherVersion = tempDir();
    cpSync(dir, otherVersion, { recursive: true });
    const manifestPath = join(otherVersion, 'stack.json');
    writeFileSync(manifestPath, readFileSync(manifestPath, 'utf8').replace('"version": 1,', '"version": 2,'));
    const { code, stderr } = await run(['start', '--headless', '--ticks', '1', '--data-dir', otherVersion]);
    expect(code).toBe(1);
    const ours = stderr.split('\n').filter((line) => line.startsWith('hedge start:'));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^hedge start: the data directory .* cannot be used: .*To fix: run `npm start -- --fresh`/);
  }, 30_000);
});

describe('hedge start, interactive, on a data directory: Ctrl-C saves, the next start restores', () => {
  it('SIGINT stops it cleanly with the chain saved; started again it says it restored the same tenants', async () => {
    const dir = tempDir();
    const firstRun = await runUntil(['start', '--data-dir', dir, '--tick-ms', '300'], /#\s+3 desk/);
    expect(firstRun.code).toBe(0);
    expect(firstRun.stdout).toContain(`data         ${dir} (new;`);
    const adminKey = /admin key {4}(hk_admin_\S+)/.exec(firstRun.stdout)?.[1];
    expect(adminKey).toBeDefined();
    expect(firstRun.stderr).toMatch(/SIGINT: stopping the local stack…[\s\S]*saved the chain[\s\S]*stopped/);
    const ids = [...firstRun.stdout.matchAll(/Demo (?:options vault|spot desk)\s+(acc-\S+)/g)].map((m) => m[1]);
    expect(ids).toHaveLength(2);

    const secondRun = await runUntil(['start', '--data-dir', dir, '--tick-ms', '300'], /#\s+2 desk/);
    expect(secondRun.code).toBe(0);
    expect(secondRun.stdout).toContain(`data         ${dir} (restored`);
    expect(secondRun.stdout).toContain('the one shown when this data directory was made');
    expect(secondRun.stdout).not.toContain(adminKey);
    expect([...secondRun.stdout.matchAll(/Demo (?:options vault|spot desk)\s+(acc-\S+)/g)].map((m) => m[1])).toEqual(ids);
    expect(secondRun.stderr).toContain('restored Demo options vault');
  }, 120_000);
});

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/hedge.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** Runs `hedge …` until stdout matches `until`, then sends SIGINT (as Ctrl-C does) and waits for the exit. */
function runUntil(args: readonly string[], until: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/hedge.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!signalled && until.test(stdout)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
