// The local stack end to end (issues #8, #13): the headless stack in-process for 30 ticks
// with a flash crash — two tenants made through the API (an options vault hedged with the
// Perp v2 perpetual and Lyra options, a spot desk hedged through the routed Uniswap
// venue), hedges of every instrument confirmed, the delta after every confirmed hedge
// inside the band and the Greeks inside their limits, DynamoDB records and the chain
// reconciled (spot balances, the perp position, every option series), every server on
// 127.0.0.1, nothing left running after stop() — and `hedge start --headless --json` as a
// real child process.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningAddresses } from '../../local/process/listening-addresses.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { HeadlessSummarySchema, StackStatusSchema, type HeadlessSummary } from '../../local/status-schema.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
import { OPTIONS_VAULT_BOOK, OPTIONS_VAULT_NAME } from '../../local/demo/options-vault.ts';
import { SPOT_DESK_BOOK, SPOT_DESK_NAME } from '../../local/demo/spot-desk.ts';

const BAND = 0.5; // the widest demo band (the options vault's: local/demo/options-vault.ts)

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start, headless, in-process', () => {
  let stack: LocalStack;
  let summary: HeadlessSummary;
  const logs: string[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ crashAt: 8, seed: 7, log: (line) => logs.push(line) });
    await stack.runTicks(30);
    summary = HeadlessSummarySchema.parse(await stack.summary());
    console.log(`[e2e/local-stack] ${JSON.stringify(summary)}`);
  }, 300_000); // start-up plus 30 ticks of two tenants: ~20 s alone, several times that beside the rest of the suite on 2 cores (180 s was passed once in CI)
  afterAll(async () => {
    await stack?.stop();
  });

  it('hedges through the flash crash and every confirmed hedge leaves the delta inside the band', () => {
    expect(summary.ticks).toBe(30);
    expect(summary.hedgesConfirmed).toBeGreaterThan(0);
    expect(summary.hedgesFailed).toBe(0);
    expect(summary.hedgesSubmitted).toBe(summary.hedgesConfirmed);
    expect(summary.bandBreachesAfterHedge).toBe(0);
    expect(summary.maxAbsDeltaAfterHedge).toBeLessThanOrEqual(BAND);
    // The spot desk's crash breaker trips on the crash's oracle steps (its hedges then go out in slices).
    expect(summary.crashModeSwitches, 'switches into crash mode').toBeGreaterThan(0);
  });

  it('trades every instrument: perp and options for the vault, routed spot for the desk, and no Greek limit breached after a hedge', () => {
    const { spot, perp, option } = summary.hedgesConfirmedByInstrument;
    expect(perp, 'perp hedges').toBeGreaterThan(0);
    expect(option, 'option hedges (the gamma/vega limits bind in the crash)').toBeGreaterThan(0);
    expect(spot, 'spot hedges').toBeGreaterThan(0);
    expect(spot + perp + option).toBe(summary.hedgesConfirmed);
    // Every spot fill is routed (the desk's only venue); some orders split across pools.
    expect(summary.routedLegs).toBeGreaterThanOrEqual(spot);
    expect(summary.routedLegs).toBeGreaterThan(spot);
    expect(summary.gammaBreachesAfterHedge).toBe(0);
    expect(summary.vegaBreachesAfterHedge).toBe(0);
  });

  it('the records agree with the chain, for every tenant and instrument', async () => {
    expect(summary.reconciled).toBe(true);
    const check = await stack.reconcile();
    expect(check.reconciled, JSON.stringify(check.tenants.map((t) => t.problems))).toBe(true);
    expect(check.tenants.map((t) => t.accountId)).toEqual(stack.accounts.map((a) => a.accountId));
    expect(check.tenants.reduce((sum, t) => sum + t.confirmedRecords, 0)).toBe(summary.hedgesConfirmed);
    const [vault, desk] = check.tenants;
    // The vault holds a perp and options, and no spot; the desk holds spot only.
    const perp = vault?.holdings.find((h) => h.what.startsWith('perp'));
    expect(perp?.onChain).not.toBe(0);
    expect(perp?.stored).toBeCloseTo(perp?.onChain ?? Number.NaN, 9);
    const options = vault?.holdings.filter((h) => h.what.startsWith('option')) ?? [];
    expect(options).toHaveLength(2); // both hedge options of the policy are checked, held or not
    expect(options.some((h) => h.onChain > 0)).toBe(true);
    for (const h of options) expect(h.stored).toBeCloseTo(h.onChain, 9);
    expect(vault?.holdings.find((h) => h.what === 'spot')?.onChain).toBe(0);
    const spot = desk?.holdings.find((h) => h.what === 'spot');
    expect(spot?.onChain).not.toBe(0);
    expect(spot?.stored).toBeCloseTo(spot?.onChain ?? Number.NaN, 9);
    expect(desk?.holdings.map((h) => h.what)).toEqual(['spot']);
  });

  it('serves the status over HTTP, validated, with the crash and both tenants\' books in it', async () => {
    const response = await fetch(`${stack.url}/api/status`);
    expect(response.status).toBe(200);
    const status = StackStatusSchema.parse(await response.json());
    expect(status.ticks).toBe(30);
    expect(status.accounts.map((a) => [a.accountId, a.displayName])).toEqual([
      [stack.accounts[0]?.accountId, OPTIONS_VAULT_NAME],
      [stack.accounts[1]?.accountId, SPOT_DESK_NAME],
    ]);
    for (const [account, book] of [
      [status.accounts[0], OPTIONS_VAULT_BOOK],
      [status.accounts[1], SPOT_DESK_BOOK],
    ] as const) {
      // The options opened on OptionBook and the hedge positions (the stack's log, if not: what went wrong on the way).
      const stored = await stack.positionIds(account?.accountId);
      const hedgePositions = stored.filter((id) => id.startsWith('hedge-'));
      expect(account?.exposure?.risk?.positionCount, `${logs.join('\n')}\nsnapshot ${JSON.stringify(account?.exposure?.decision)} at ${account?.exposure?.at}; stored positions ${stored.join(', ')}`).toBe(book.length + hedgePositions.length);
      expect(account?.hedges.some((hedge) => hedge.stage === 'confirmed' && hedge.txHash !== null && hedge.venueId !== null)).toBe(true);
    }
    const [vault, desk] = status.accounts;
    expect(await stack.positionIds(vault?.accountId)).toContain('hedge-ETH-perp');
    // Each hedge says what it traded and where.
    const confirmed = (account: typeof vault) => account?.hedges.filter((hedge) => hedge.stage === 'confirmed') ?? [];
    expect(new Set(confirmed(vault).map((hedge) => `${hedge.instrument} ${hedge.venueId}`))).toEqual(new Set(['perp perp-v2', 'option lyra-v1']));
    expect(confirmed(vault).filter((hedge) => hedge.instrument === 'option').every((hedge) => hedge.instrumentId?.startsWith('lyra-'))).toBe(true);
    expect(new Set(confirmed(desk).map((hedge) => `${hedge.instrument} ${hedge.venueId}`))).toEqual(new Set(['spot uniswap-routed']));
    expect(confirmed(desk).every((hedge) => hedge.legs !== null && hedge.legs >= 1)).toBe(true);
    const prices = status.market.series.map((point) => point.oracle);
    expect(Math.min(...prices)).toBeLessThan(3000 * 0.85); // the crash took at least 15 % off the start
  });

  it('the stack\'s log holds no key, secret or signature (after requests with wrong, right and admin keys)', async () => {
    await fetch(`${stack.url}/accounts/${stack.account.accountId}/config`, { headers: { authorization: `Bearer ${stack.account.apiKey}x` } });
    await fetch(`${stack.url}/accounts/${stack.account.accountId}/config`, { method: 'PUT', headers: { authorization: `Bearer ${stack.account.apiKey}`, 'if-match': '"1"' }, body: '{' });
    const text = logs.join('\n');
    expect(text.length).toBeGreaterThan(0);
    const keys = [stack.adminKey, ...stack.accounts.map((a) => a.apiKey)].filter((key): key is string => key !== undefined);
    expect(keys).toHaveLength(3); // a fresh start knows every key it made
    for (const secret of keys.flatMap((key) => [key, key.slice(-20)])) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/whsec_[A-Za-z0-9+/=]{8,}/);
    expect(text).not.toMatch(/0x[0-9a-fA-F]{65,}/);
  });

  it('the API is the config API: the demo key reads its own exposure, the admin route refuses it', async () => {
    const auth = { authorization: `Bearer ${stack.account.apiKey}` };
    const exposure = await fetch(`${stack.url}/accounts/${stack.account.accountId}/exposure`, { headers: auth });
    expect(exposure.status).toBe(200);
    expect(await fetch(`${stack.url}/admin/kill-switch`, { headers: auth }).then((r) => r.status)).toBe(401);
    expect(await fetch(`${stack.url}/admin/kill-switch`, { headers: { authorization: `Bearer ${stack.adminKey}` } }).then((r) => r.status)).toBe(200);
  });

  it('serves the dashboard, which renders the live stack in chromium without errors', async () => {
    for (const [path, type] of [['/', 'text/html'], ['/assets/app.js', 'text/javascript'], ['/assets/chart.js', 'text/javascript'], ['/assets/style.css', 'text/css']] as const) {
      const response = await fetch(`${stack.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toContain(type);
    }
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless=new'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(String(error)));
      page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(stack.url);
      for (const tenant of stack.accounts) {
        const account = `[data-account="${tenant.accountId}"]`;
        await page.locator(`${account} [data-panel="exposure"] path.line-delta`).first().waitFor({ timeout: 10_000 });
        expect(Number(await page.locator(`${account} [data-panel="exposure"] path.line-delta`).first().getAttribute('data-points'))).toBeGreaterThan(1);
        expect(await page.locator(`${account} [data-panel="price"] .marker-up, ${account} [data-panel="price"] .marker-down`).count()).toBeGreaterThan(0);
        expect(await page.locator(`${account} h2`).textContent()).toBe(tenant.displayName);
      }
      // Each hedge row names its instrument and venue; the desk's routed fills their legs.
      const [vault, desk] = stack.accounts.map((tenant) => `[data-account="${tenant.accountId}"] [data-panel="hedges"]`);
      const instruments = await page.locator(`${vault} [data-field="instrument"]`).allTextContents();
      expect(instruments.some((text) => text === 'perp')).toBe(true);
      expect(instruments.some((text) => text.startsWith('option lyra-'))).toBe(true);
      expect(await page.locator(`${vault} [data-field="venue"]`).allTextContents()).toEqual(expect.arrayContaining(['perp-v2', 'lyra-v1']));
      expect(await page.locator(`${desk} [data-field="venue"]`).allTextContents()).toContain('uniswap-routed');
      expect((await page.locator(`${desk} [data-field="legs"]`).allTextContents()).some((text) => Number(text) >= 1)).toBe(true);
      mkdirSync(`${ROOT}test/output/dashboard`, { recursive: true });
      await page.screenshot({ path: `${ROOT}test/output/dashboard/live-stack.png`, fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('never serves files outside the dashboard directory', async () => {
    for (const path of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const response = await fetch(`${stack.url}${path}`);
      expect(response.status, path).toBe(404);
    }
  });

  it('offers the dashboard set-ups the API accepts: an account made with each hedges from a funded signer', async () => {
    const admin = { authorization: `Bearer ${stack.adminKey ?? ''}`, 'content-type': 'application/json' };
    const { presets } = (await (await fetch(`${stack.url}/api/local/presets`)).json()) as { presets: { id: string; operator: unknown; policy: unknown }[] };
    expect(presets.map((p) => p.id)).toEqual(['spot-routed', 'perp-and-options']);
    for (const preset of presets) {
      const created = (await (await fetch(`${stack.url}/accounts`, { method: 'POST', headers: admin, body: JSON.stringify({ displayName: `Preset ${preset.id}` }) })).json()) as { accountId: string; apiKey: string; signer: { address: string } };
      const operator = await fetch(`${stack.url}/accounts/${created.accountId}/operator-config?expectedVersion=0`, { method: 'PUT', headers: admin, body: JSON.stringify(preset.operator) });
      expect(operator.status, await operator.clone().text()).toBe(200);
      const policy = await fetch(`${stack.url}/accounts/${created.accountId}/config`, { method: 'PUT', headers: { authorization: `Bearer ${created.apiKey}`, 'if-match': '"1"', 'content-type': 'application/json' }, body: JSON.stringify(preset.policy) });
      expect(policy.status, await policy.clone().text()).toBe(200);
      const balance = (await (await fetch(stack.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: [created.signer.address, 'latest'] }) })).json()) as { result: string };
      expect(BigInt(balance.result)).toBe(10n ** 19n);
    }
    // They join the status beside the demo tenants.
    const status = StackStatusSchema.parse(await (await fetch(`${stack.url}/api/status`)).json());
    expect(status.accounts.map((a) => a.displayName)).toEqual([OPTIONS_VAULT_NAME, SPOT_DESK_NAME, 'Preset spot-routed', 'Preset perp-and-options']);
  });

  it('binds every server it starts to 127.0.0.1 only', () => {
    for (const pid of [process.pid, stack.pids.anvil, stack.pids.dynamoDbLocal]) {
      for (const address of listeningAddresses(pid)) expect(address.startsWith('127.0.0.1:'), `${pid} listens on ${address}`).toBe(true);
    }
  });

  it('stop() ends anvil, DynamoDB Local and the HTTP server', async () => {
    const { anvil, dynamoDbLocal } = stack.pids;
    expect(isRunning(anvil) && isRunning(dynamoDbLocal)).toBe(true);
    await stack.stop();
    expect(isRunning(anvil)).toBe(false);
    expect(isRunning(dynamoDbLocal)).toBe(false);
    await expect(fetch(`${stack.url}/api/status`)).rejects.toThrow();
  });
});

describe('hedge start --headless --json (a real child process)', () => {
  it('prints one valid summary on stdout and exits 0', async () => {
    const child = spawn(process.execPath, ['bin/hedge.mjs', 'start', '--headless', '--ticks', '5', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = HeadlessSummarySchema.parse(JSON.parse(lines[0] ?? ''));
    expect(summary.ticks).toBe(5);
    expect(summary.reconciled).toBe(true);
    expect(summary.hedgesFailed).toBe(0);
    expect(summary.hedgesConfirmedByInstrument.spot + summary.hedgesConfirmedByInstrument.perp + summary.hedgesConfirmedByInstrument.option).toBe(summary.hedgesConfirmed);
  }, 60_000);
});
