// The dashboard in a real browser (Debian's chromium driven by playwright-core), against a
// tiny server started here that serves local/dashboard/ the way the local stack does and
// answers /api/status with a status built below and checked against the schema. It proves
// the page works on its own files only: charts drawn with data, markers, band, tables,
// config, the crash button, no console errors and no request off 127.0.0.1.
//
// Using the product from the page (issue #18 §4): every other request goes to the real
// config API handler over DynamoDB Local, as on the local stack, so making an account,
// setting its policy (and being refused with the API's own problem+json), pausing and
// resuming are checked against the API itself; accounts made so join the status with
// their stored pause state.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readRequest, toApiGatewayEvent, writeApiGatewayResult } from '../../local/http/api-gateway-event.ts';
import { StackStatusSchema, type AccountStatusView, type StackStatus } from '../../local/status-schema.ts';
import { useDynamoDbLocal } from '../support/dynamodb-local.ts';
import { ADMIN_KEY, createFixture, lambdaContext, VALID_CONFIG, VALID_OPERATOR_CONFIG, type ConfigApiFixture } from '../integration/config-api/config-api-fixture.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dashboardDir = join(root, 'local', 'dashboard');
const screenshotPath = join(root, 'test', 'output', 'dashboard', 'dashboard.png');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// ---- a realistic status: 120 s of market with a flash crash in the middle ----------------

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const at = (i: number): number => T0 + i * 1000;
const r2 = (v: number): number => Math.round(v * 100) / 100;
const tx = (n: number): string => `0x${n.toString(16).padStart(2, '0').repeat(32)}`;

function oracleAt(i: number): number {
  // Calm drift, then a 15 % drop over 10 s from t = 55 s and a partial recovery.
  const crash = i < 55 ? 1 : i < 65 ? 1 - (0.15 * (i - 55)) / 10 : 0.85 + (0.05 * (i - 65)) / 55;
  return r2(2000 * (1 + 0.002 * Math.sin(i / 5)) * crash);
}

function buildStatus(): StackStatus {
  const market = Array.from({ length: 120 }, (_, i) => ({ t: at(i), oracle: oracleAt(i), pool: r2(oracleAt(Math.max(0, i - 2)) * 1.0005) }));
  const alphaSeries = market.map((_, i) => ({
    t: at(i),
    delta: r2(2.5 * Math.sin(i / 9) + (i >= 56 && i < 59 ? 5 + (i - 56) : 0)),
    bandLower: -5,
    bandUpper: 5,
    spot: oracleAt(i),
  }));
  let costs = 0;
  const alphaPnl = market.map((p, i) => {
    if (i === 30) costs -= 4.2;
    if (i === 58) costs -= 15.8;
    const optionsUsd = r2(-8 * (p.oracle - 2000) + 0.05 * i);
    const hedgeUsd = r2(i >= 58 ? -6 * (p.oracle - oracleAt(58)) + 2.5 * (p.oracle - oracleAt(30)) : i >= 30 ? 2.5 * (p.oracle - oracleAt(30)) : 0);
    return { t: p.t, optionsUsd, hedgeUsd, fundingUsd: 0, costsUsd: r2(costs), totalUsd: r2(optionsUsd + hedgeUsd + costs) };
  });
  const alpha: AccountStatusView = {
    accountId: 'acc-alpha',
    displayName: 'Alpha desk',
    status: 'active',
    config: {
      accountId: 'acc-alpha',
      underlying: 'ETH',
      version: 3,
      policy: { kind: 'band', bandUnits: 5, minTradeUnits: 0.1, cooldownSeconds: 10 },
      execution: { venue: 'uniswap-v3', feeTier: 500, maxSlippageBps: 100, maxOraclePoolDeviationBps: 150 },
    },
    exposure: {
      evaluationId: 'ev-0119',
      at: new Date(at(119)).toISOString(),
      underlying: 'ETH',
      status: 'priced',
      market: { spot: oracleAt(119), vol: 0.72, volSource: 'realised', oracleUpdatedAt: new Date(at(118)).toISOString(), rate: 0.04, yield: 0 },
      risk: {
        delta: 1.92, inFlightUnits: 0.8, dollarDelta: r2(1.92 * oracleAt(119)), gamma: 0.012, vegaPerVolPoint: 41.5,
        thetaPerDay: -18.2, optionValueUsd: 15234.5, optionNotionalUsd: 180000, nearestExpiryYears: 0.08, positionCount: 4,
      },
      decision: {
        id: 'dec-0119', action: 'none', reason: 'NONE_WITHIN_BAND', message: 'Net delta 1.92 is inside the band [-5, 5]: no hedge.',
        numbers: { delta: 1.92, bandLower: -5, bandUpper: 5 }, dryRun: false, dispatched: false,
      },
    },
    series: alphaSeries,
    // One of each: a routed spot fill over three pools, a perp fill, an option fill (its
    // price is a premium, far under the underlying's), a failed spot swap, a skipped option.
    hedges: [
      { hedgeId: 'h-1', t: at(30), stage: 'confirmed', instrument: 'spot', instrumentId: null, venueId: 'uniswap-routed', legs: 3, side: 'buy', quantity: 2.5, priceUsd: r2(oracleAt(30) * 1.001), txHash: tx(1), code: null, message: 'confirmed in block 1042' },
      { hedgeId: 'h-2', t: at(58), stage: 'confirmed', instrument: 'perp', instrumentId: null, venueId: 'perp-v2', legs: null, side: 'sell', quantity: 6, priceUsd: r2(oracleAt(58) * 0.997), txHash: tx(2), code: null, message: 'confirmed in block 1070' },
      { hedgeId: 'h-3', t: at(62), stage: 'failed', instrument: 'spot', instrumentId: null, venueId: null, legs: null, side: 'sell', quantity: 1.5, priceUsd: null, txHash: tx(3), code: 'SLIPPAGE_ABOVE_LIMIT', message: 'executed 2.1% below the oracle (limit 1%): reverted' },
      { hedgeId: 'h-4', t: at(64), stage: 'skipped', instrument: 'option', instrumentId: 'lyra-put-2700', venueId: null, legs: null, side: 'buy', quantity: 1.5, priceUsd: null, txHash: null, code: 'ORACLE_POOL_DEVIATION', message: 'pool is 3.4% away from the oracle (limit 1.5%)' },
      { hedgeId: 'h-5', t: at(110), stage: 'submitted', instrument: 'perp', instrumentId: null, venueId: null, legs: null, side: 'buy', quantity: 0.8, priceUsd: null, txHash: tx(5), code: null, message: 'submitted' },
      { hedgeId: 'h-6', t: at(60), stage: 'confirmed', instrument: 'option', instrumentId: 'lyra-call-3000', venueId: 'lyra-v1', legs: null, side: 'buy', quantity: 1.25, priceUsd: 182.4, txHash: tx(6), code: null, message: 'confirmed in block 1072' },
    ],
    guards: [
      { t: at(62), hedgeId: 'h-3', code: 'SLIPPAGE_ABOVE_LIMIT', message: 'executed 2.1% below the oracle (limit 1%): reverted' },
      { t: at(64), hedgeId: 'h-4', code: 'ORACLE_POOL_DEVIATION', message: 'pool is 3.4% away from the oracle (limit 1.5%)' },
    ],
    pnl: alphaPnl,
    crashMode: { mode: 'crash', since: at(60), plan: 'risk-reducing', reason: 'ETH moved -9.1 % within 10 min: 5.2 forecast standard deviations' },
  };
  // The second account has gaps and edge cases: no band at first, a single P&L point, no
  // priced evaluation, and a display name that must be shown as text, never as markup.
  const beta: AccountStatusView = {
    accountId: 'acc-beta',
    displayName: 'Beta <b>fund</b>',
    status: 'paused',
    config: { accountId: 'acc-beta', underlying: 'ETH', version: 1, policy: { kind: 'band', bandUnits: 2 } },
    exposure: { evaluationId: 'ev-b-7', at: new Date(at(119)).toISOString(), underlying: 'ETH', status: 'market-unavailable', problem: { code: 'ORACLE_STALE', message: 'the oracle answer is 95 s old (limit 60 s)' } },
    series: market.slice(80).map((p, j) => ({ t: p.t, delta: r2(-1 + j / 20), bandLower: j < 10 ? null : -2, bandUpper: j < 10 ? null : 2, spot: p.oracle })),
    hedges: [{ hedgeId: 'hb-1', t: at(100), stage: 'skipped', instrument: 'spot', instrumentId: null, venueId: null, legs: null, side: 'buy', quantity: 0.4, priceUsd: null, txHash: null, code: 'ACCOUNT_PAUSED', message: 'the account is paused' }],
    guards: [{ t: at(100), hedgeId: 'hb-1', code: 'ACCOUNT_PAUSED', message: 'the account is paused' }],
    pnl: [{ t: at(119), optionsUsd: 12.5, hedgeUsd: 0, fundingUsd: 0, costsUsd: 0, totalUsd: 12.5 }],
    crashMode: { mode: 'normal', since: null, plan: null, reason: null },
  };
  return StackStatusSchema.parse({
    startedAt: T0,
    now: at(119),
    ticks: 120,
    chain: { chainId: 31337, blockNumber: 1090 },
    market: { oracle: oracleAt(119), pool: market[119]?.pool, vol: 0.72, crashing: false, series: market },
    accounts: [alpha, beta],
    events: [
      { t: at(55), type: 'market.crash-started', accountId: null, summary: 'flash crash: -15% over 10 s' },
      { t: at(58), type: 'hedge.confirmed', accountId: 'acc-alpha', summary: `sold 6 ETH at ${r2(oracleAt(58) * 0.997)}` },
      { t: at(64), type: 'hedge.skipped', accountId: 'acc-alpha', summary: 'ORACLE_POOL_DEVIATION' },
    ],
  });
}

// ---- the server: the local stack's routes, nothing else ----------------------------------

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

function sendFile(res: ServerResponse, file: string): void {
  if (!existsSync(file)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': `${TYPES[extname(file)] ?? 'application/octet-stream'}; charset=utf-8` }).end(readFileSync(file));
}

const status = buildStatus();
const ddb = useDynamoDbLocal();
let api: ConfigApiFixture;
/** Accounts made through the API from the page: they join the status (their pause state read from the store). */
const madeAccounts: { accountId: string; displayName: string }[] = [];
const PRESETS = { presets: [{ id: 'univ3', name: 'Spot on one Uniswap V3 pool', operator: VALID_OPERATOR_CONFIG, policy: VALID_CONFIG }], faucet: { eth: '10', weth: '100', usdc: '300000', sUsd: '100000' } };

async function liveStatus(): Promise<StackStatus> {
  const made = await Promise.all(
    madeAccounts.map(async ({ accountId, displayName }) => ({
      accountId,
      displayName,
      status: (await api.repos.accounts.getAccount(accountId))?.status ?? 'active',
      config: {},
      exposure: null,
      series: [],
      hedges: [],
      guards: [],
      pnl: [],
      crashMode: { mode: 'normal', since: null, plan: null, reason: null },
    })),
  );
  return StackStatusSchema.parse({ ...status, accounts: [...status.accounts, ...made] });
}

const crashPosts: string[] = [];
const served: string[] = [];
let server: Server;
let origin = '';
let browser: Browser | undefined;
let page: Page;
const consoleErrors: string[] = [];
const requests: string[] = [];

// Without chromium every test fails (not skips) with this sentence: CI installs it, so a
// missing browser is a broken environment, and a per-test failure shows in the counts.
const missingBrowser = existsSync(chromiumPath)
  ? undefined
  : `chromium is not installed at ${chromiumPath}: install it (apt-get install chromium, as .ci/run does) or set CHROMIUM_PATH`;

beforeEach(() => {
  if (missingBrowser) throw new Error(missingBrowser);
});

beforeAll(async () => {
  if (missingBrowser) return;
  api = createFixture(ddb().doc, ddb().tableName);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    served.push(`${req.method} ${url.pathname}`);
    if (req.method === 'GET' && url.pathname === '/api/status' && madeAccounts.length > 0) {
      void liveStatus().then((body) => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body)));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/local/presets') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PRESETS));
      return;
    }
    if (!url.pathname.startsWith('/api/') && url.pathname !== '/' && !url.pathname.startsWith('/assets/')) {
      // The config API, as the local stack routes it: the real handler, its own answers.
      void (async () => {
        const request = await readRequest(req, 1024 * 1024);
        if (request === 'too-large') return void res.writeHead(413).end();
        const result = await api.handler(toApiGatewayEvent(request, '$default'), lambdaContext);
        if (request.method === 'POST' && request.path === '/accounts' && typeof result === 'object' && result.statusCode === 201) {
          const body = JSON.parse(String(result.body)) as { accountId: string };
          madeAccounts.push({ accountId: body.accountId, displayName: JSON.parse(request.body.toString('utf8')).displayName as string });
        }
        writeApiGatewayResult(res, result);
      })();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/') return sendFile(res, join(dashboardDir, 'index.html'));
    if (req.method === 'GET' && url.pathname.startsWith('/assets/')) {
      // basename(): a request can only name a file in the dashboard folder itself.
      const name = basename(url.pathname);
      return sendFile(res, join(dashboardDir, name));
    }
    if (req.method === 'GET' && url.pathname === '/api/status') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(status));
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/crash') {
      crashPosts.push(new Date().toISOString());
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ crashing: true }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--headless=new'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => consoleErrors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${origin}/`, { waitUntil: 'load' });
  await page.locator('[data-account="acc-alpha"] [data-panel="pnl"] path.line').first().waitFor({ timeout: 10_000 });
  await page.locator('[data-account="acc-beta"] [data-panel="exposure"] path.line').first().waitFor({ timeout: 10_000 });
}, 20_000);

afterAll(async () => {
  await browser?.close();
  if (server) await new Promise<void>((ok) => server.close(() => ok()));
});

const alpha = (inner: string): string => `[data-account="acc-alpha"] ${inner}`;
const beta = (inner: string): string => `[data-account="acc-beta"] ${inner}`;

describe('the dashboard in chromium', () => {
  it('shows the header from the status', async () => {
    await expect.poll(() => page.locator('#block').textContent()).toBe('#1090');
    expect(await page.locator('#chain').textContent()).toBe('31337');
    expect(await page.locator('#ticks').textContent()).toBe('120');
    expect(await page.locator('#oracle').textContent()).toMatch(/^\$1,[0-9]{3}\.[0-9]{2}$/);
    expect(await page.locator('#connection').textContent()).toContain('Live');
    expect(await page.locator('h1').count()).toBe(1);
  });

  it('draws the exposure chart: the delta line with every point and the band', async () => {
    const line = page.locator(alpha('[data-panel="exposure"] path.line-delta'));
    expect(await line.count()).toBe(1);
    expect(await line.getAttribute('data-points')).toBe('120');
    const d = (await line.getAttribute('d')) ?? '';
    expect(d.match(/L/g)?.length).toBe(119);
    expect(await page.locator(alpha('[data-panel="exposure"] path.band')).count()).toBe(1);
    expect(await page.locator(alpha('[data-panel="exposure"] svg')).getAttribute('aria-label')).toContain('band');
    // Beta has no band for its first ten points: the band starts later, the line is whole.
    expect(await page.locator(beta('[data-panel="exposure"] path.band')).count()).toBe(1);
    expect(await page.locator(beta('[data-panel="exposure"] path.line-delta')).getAttribute('data-points')).toBe('40');
  });

  it('draws oracle and pool with a marker per hedge, tooltips giving price or code', async () => {
    const price = alpha('[data-panel="price"]');
    expect(await page.locator(`${price} path.line-oracle`).getAttribute('data-points')).toBe('120');
    expect(await page.locator(`${price} path.line-pool`).getAttribute('data-points')).toBe('120');
    expect(await page.locator(`${price} .marker-up`).count()).toBe(2);
    expect(await page.locator(`${price} .marker-down`).count()).toBe(1);
    expect(await page.locator(`${price} .marker-cross`).count()).toBe(2);
    expect(await page.locator(`${price} .marker-dot`).count()).toBe(1);
    const crossTitles = await page.locator(`${price} .marker-cross title`).allTextContents();
    expect(crossTitles.join('\n')).toContain('SLIPPAGE_ABOVE_LIMIT');
    expect(crossTitles.join('\n')).toContain('ORACLE_POOL_DEVIATION');
    expect(crossTitles.join('\n')).toContain('option lyra-put-2700');
    const upTitles = await page.locator(`${price} .marker-up title`).allTextContents();
    expect(upTitles.join('\n')).toContain('buy 2.5000 spot');
    expect(upTitles.join('\n')).toContain('uniswap-routed (3 legs)');
    expect(await page.locator(`${price} .marker-down title`).textContent()).toContain('perp');
    expect(await page.locator(`${price} .marker-down title`).textContent()).toContain('on perp-v2');
  });

  it('plots an option hedge on the underlying, not at its premium', async () => {
    const price = alpha('[data-panel="price"]');
    const markers = page.locator(`${price} .marker-up`);
    const titles = await markers.locator('title').allTextContents();
    const option = titles.findIndex((title) => title.includes('option lyra-call-3000'));
    const spot = titles.findIndex((title) => title.includes('spot'));
    expect(option).toBeGreaterThanOrEqual(0);
    expect(titles[option]).toContain('premium $182.40');
    expect(titles[option]).toContain('on lyra-v1');
    // Both markers sit near the underlying's price (~$2,000): an option drawn at its
    // premium ($182) would sit far below every price line.
    const y = async (i: number): Promise<number> => (await markers.nth(i).boundingBox())?.y ?? Number.NaN;
    const line = await page.locator(`${price} path.line-oracle`).boundingBox();
    expect(line).not.toBeNull();
    for (const i of [option, spot]) {
      expect(await y(i)).toBeGreaterThanOrEqual(line!.y - 12);
      expect(await y(i)).toBeLessThanOrEqual(line!.y + line!.height + 12);
    }
  });

  it('draws the P&L attribution (five lines) and a lone point for a one-point series', async () => {
    for (const key of ['options', 'hedge', 'funding', 'costs', 'total']) {
      expect(await page.locator(alpha(`[data-panel="pnl"] path.line-${key}`)).getAttribute('data-points')).toBe('120');
    }
    expect(await page.locator(beta('[data-panel="pnl"] circle.point')).count()).toBe(5);
  });

  it("shows an account's crash mode beside its status, with the plan, and the reason on hover", async () => {
    const crashed = page.locator(alpha('.account-head .badge'));
    expect(await crashed.textContent()).toBe('active · crash mode (risk-reducing)');
    expect(await crashed.getAttribute('class')).toBe('badge bad');
    expect(await crashed.getAttribute('title')).toMatch(/^since .+: ETH moved -9\.1 % within 10 min/);
    const calm = page.locator(beta('.account-head .badge'));
    expect(await calm.textContent()).toBe('paused');
    expect(await calm.getAttribute('data-crash-mode')).toBe('normal');
  });

  it('never writes NaN into a chart', async () => {
    const svgs = await page.locator('svg.chart').evaluateAll((nodes) => nodes.map((n) => n.outerHTML));
    expect(svgs.length).toBe(6);
    for (const markup of svgs) expect(markup).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('shows each hedge\'s instrument, venue and legs', async () => {
    const rows = page.locator(alpha('[data-panel="hedges"] tbody tr'));
    const read = async (field: string): Promise<string[]> => rows.locator(`[data-field="${field}"]`).allTextContents();
    // Newest first: h-5 (perp, in flight), h-4 (option, skipped), h-3 (spot, failed), h-6 (option), h-2 (perp), h-1 (routed spot).
    expect(await read('instrument')).toEqual(['perp', 'option lyra-put-2700', 'spot', 'option lyra-call-3000', 'perp', 'spot']);
    expect(await read('venue')).toEqual(['—', '—', '—', 'lyra-v1', 'perp-v2', 'uniswap-routed']);
    expect(await read('legs')).toEqual(['—', '—', '—', '—', '—', '3']);
    expect(await page.locator(alpha('[data-panel="hedges"] thead')).textContent()).toMatch(/Instrument.*Venue.*Legs/);
    expect(await page.locator(alpha('.facts')).textContent()).toContain('confirmed: 1 spot, 1 perp, 1 option');
  });

  it('fills the tables, the latest decision and the config', async () => {
    expect(await page.locator(alpha('[data-panel="hedges"] tbody tr')).count()).toBe(6);
    expect(await page.locator(alpha('[data-panel="guards"] tbody tr')).count()).toBe(2);
    expect(await page.locator(alpha('[data-panel="guards"] tbody')).textContent()).toContain('SLIPPAGE_ABOVE_LIMIT');
    expect(await page.locator(alpha('[data-panel="hedges"] tbody')).textContent()).toContain('0x020202…020202');
    expect(await page.locator(alpha('[data-field="reason"]')).textContent()).toBe('NONE_WITHIN_BAND');
    expect(await page.locator(beta('[data-field="problem"]')).textContent()).toContain('ORACLE_STALE');
    expect(await page.locator('#events tbody tr').count()).toBe(3);
    const config = await page.locator(alpha('pre[data-config]')).textContent();
    expect(JSON.parse(config ?? '')).toEqual(status.accounts[0]?.config);
    expect(await page.locator(alpha('pre[data-config]')).isVisible()).toBe(true);
  });

  it('shows data as text, never as markup', async () => {
    expect(await page.locator(beta('h2')).textContent()).toBe('Beta <b>fund</b>');
    expect(await page.locator(beta('h2 b')).count()).toBe(0);
  });

  it('writes a full-page screenshot', async () => {
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(readFileSync(screenshotPath).subarray(1, 4).toString()).toBe('PNG');
  });

  it('sends POST /api/crash from the Flash crash button', async () => {
    const before = crashPosts.length;
    await page.getByRole('button', { name: 'Flash crash' }).click();
    await expect.poll(() => crashPosts.length).toBe(before + 1);
    await expect.poll(() => page.locator('#crash-result').textContent()).toBe('Flash crash started.');
  });

  it('had no console errors and requested nothing but the test server', async () => {
    // A second poll has happened by now, so re-rendering is covered too.
    await expect.poll(() => served.filter((s) => s === 'GET /api/status').length).toBeGreaterThan(1);
    expect(consoleErrors).toEqual([]);
    expect(requests.length).toBeGreaterThan(4);
    expect(requests.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(served).not.toContain('GET /favicon.ico');
  });
});

/** The API's own answer to a request, for comparing with what the page shows. */
async function direct(method: string, path: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  return api.call(method, path, { token, body, headers });
}

describe('using the product from the dashboard: every action through the config API', () => {
  const card = '#accounts-card';
  let accountId = '';
  let accountKey = '';
  const panel = (inner: string): string => `[data-account="${accountId}"] ${inner}`;

  it('a wrong admin key gets the API\'s own refusal, shown as its problem', async () => {
    await page.locator(`${card} > summary`).click();
    await page.locator('#admin-key').fill('not-the-admin-key');
    await page.locator('#create-account input[name="displayName"]').fill('Gamma desk');
    await page.getByRole('button', { name: 'Create account' }).click();
    const problem = page.locator('#create-result .problem');
    await problem.waitFor();
    const refused = await direct('POST', '/accounts', 'not-the-admin-key', { displayName: 'Gamma desk' });
    expect(await problem.getAttribute('data-status')).toBe(String(refused.status));
    expect(await problem.locator('strong').textContent()).toBe(`Create account: ${refused.status} ${String(refused.json.title)}`);
    expect(madeAccounts).toEqual([]);
  });

  it('creates an account with the admin key and the local set-up, shows its key once, and its section appears', async () => {
    await page.locator('#admin-key').fill(ADMIN_KEY);
    await expect.poll(() => page.locator('#create-preset option').allTextContents()).toContain('Spot on one Uniswap V3 pool');
    await page.locator('#create-preset').selectOption('univ3');
    await page.locator('#create-account input[name="displayName"]').fill('Gamma desk');
    await page.getByRole('button', { name: 'Create account' }).click();
    const key = page.locator('#create-result [data-field="new-account-key"]');
    await key.waitFor();
    accountKey = (await key.textContent()) ?? '';
    accountId = (await page.locator('#create-result').getAttribute('data-account-id')) ?? '';
    expect(accountKey).toMatch(/^hk_/);
    expect(madeAccounts.map((a) => a.accountId)).toEqual([accountId]);
    expect(await page.locator('#create-result').textContent()).toContain('Operator set-up: Spot on one Uniswap V3 pool.');
    // In the store: the account, and the operator's part set through PUT /operator-config.
    expect((await api.repos.accounts.getAccount(accountId))?.displayName).toBe('Gamma desk');
    const config = await direct('GET', `/accounts/${accountId}/config`, ADMIN_KEY, undefined);
    expect(config.status).toBe(200);
    expect(config.json).toMatchObject({ version: 1, config: null, operator: { underlying: 'ETH' } });
    // Its section, with "Manage" open and the key it was just given.
    await page.locator(panel('h2')).waitFor();
    expect(await page.locator(panel('h2')).textContent()).toBe('Gamma desk');
    expect(await page.locator(panel('details.manage')).getAttribute('open')).not.toBeNull();
    expect(await page.locator(panel('[data-field="account-key"]')).inputValue()).toBe(accountKey);
  });

  it('loads a starting policy, and shows the API\'s validation errors exactly as the API gives them', async () => {
    await page.locator(panel('[data-action="load-config"]')).click();
    await expect.poll(() => page.locator(panel('[data-field="config-version"]')).textContent()).toContain('version 1, no policy yet');
    expect(JSON.parse(await page.locator(panel('[data-field="policy"]')).inputValue())).toEqual(VALID_CONFIG);

    // A policy the schema refuses (two fields), one that reaches for the operator's part, and a body that is not JSON.
    const cases: { body: string; status: number; paths?: string[] }[] = [
      { body: JSON.stringify({ underlying: 'ETH', band: { unit: 'units', trigger: -1, target: 'zero' }, guards: { minTradeUnits: 'a lot' } }), status: 400, paths: ['body.band.trigger', 'body.guards.minTradeUnits'] },
      { body: JSON.stringify({ ...VALID_CONFIG, market: VALID_OPERATOR_CONFIG.market }), status: 403 },
      { body: '{ "underlying": "ETH", ', status: 400 },
    ];
    for (const { body, status: expected, paths } of cases) {
      await page.locator(panel('[data-field="policy"]')).fill(body);
      await page.locator(panel('[data-action="save-config"]')).click();
      const shown = page.locator(panel('[data-result="config"] .problem'));
      await expect.poll(async () => (await shown.count()) > 0 && (await shown.getAttribute('data-status'))).toBe(String(expected));
      const answer = await direct('PUT', `/accounts/${accountId}/config`, accountKey, body, { 'if-match': '"1"' });
      expect(answer.status).toBe(expected);
      expect(await shown.locator('strong').textContent()).toBe(`Save policy: ${answer.status} ${String(answer.json.title)}`);
      expect(await shown.locator('p').textContent()).toBe(String(answer.json.detail));
      const errors = (answer.json.errors ?? []) as { path: string; message: string }[];
      expect(await shown.locator('li').allTextContents()).toEqual(errors.map((e) => `${e.path}: ${e.message}`));
      expect(await shown.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-path')))).toEqual(errors.map((e) => e.path));
      if (paths !== undefined) expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(paths));
    }
    // Nothing was written by any of them.
    expect((await direct('GET', `/accounts/${accountId}/config`, accountKey, undefined)).json).toMatchObject({ version: 1, config: null });
  });

  it('saves a valid policy with the account key (version 2), as the API stores it', async () => {
    const policy = { underlying: 'ETH', hedgeInstrument: 'spot', band: { unit: 'units', trigger: 2.5, target: 'zero' } };
    await page.locator(panel('[data-field="policy"]')).fill(JSON.stringify(policy, null, 2));
    await page.locator(panel('[data-action="save-config"]')).click();
    await expect.poll(() => page.locator(panel('[data-result="config"]')).textContent()).toContain('Saved: version 2');
    const stored = await direct('GET', `/accounts/${accountId}/config`, accountKey, undefined);
    expect(stored.json).toMatchObject({ version: 2, config: policy });
    // A stale write (another writer moved it on) is the API's 409, shown as such.
    await direct('PUT', `/accounts/${accountId}/config`, accountKey, { ...policy, band: { ...policy.band, trigger: 3 } }, { 'if-match': '"2"' });
    await page.locator(panel('[data-action="save-config"]')).click();
    await expect.poll(() => page.locator(panel('[data-result="config"] .problem')).getAttribute('data-status')).toBe('409');
    await page.locator(panel('[data-action="load-config"]')).click();
    await expect.poll(() => page.locator(panel('[data-field="config-version"]')).textContent()).toBe('version 3');
  });

  it('pauses and resumes as the account; the operator\'s pause (admin key) the account cannot lift — the API says so', async () => {
    const badge = page.locator(panel('.account-head .badge'));
    await page.locator(panel('[data-action="pause"]')).click();
    await expect.poll(() => page.locator(panel('[data-result="pause"]')).textContent()).toBe('Paused as the account: now paused.');
    await expect.poll(() => badge.textContent()).toBe('paused');
    expect((await api.repos.accounts.getAccount(accountId))?.status).toBe('paused');
    await page.locator(panel('[data-action="resume"]')).click();
    await expect.poll(() => page.locator(panel('[data-result="pause"]')).textContent()).toBe('Resumed as the account: now active.');
    await expect.poll(() => badge.textContent()).toBe('active');

    // Without the account key the page acts as the operator: an operator pause.
    await page.locator(panel('[data-field="account-key"]')).fill('');
    await page.locator(panel('[data-action="pause"]')).click();
    await expect.poll(() => page.locator(panel('[data-result="pause"]')).textContent()).toBe('Paused as the operator: now paused.');
    await expect.poll(() => badge.textContent()).toBe('paused');
    await page.locator(panel('[data-field="account-key"]')).fill(accountKey);
    await page.locator(panel('[data-action="resume"]')).click();
    const refused = page.locator(panel('[data-result="pause"] .problem'));
    await refused.waitFor();
    const answer = await direct('POST', `/accounts/${accountId}/resume`, accountKey, {});
    expect(await refused.getAttribute('data-status')).toBe(String(answer.status));
    expect(answer.status).toBe(403);
    expect(await refused.locator('p').textContent()).toBe(String(answer.json.detail));
    await page.locator(panel('[data-field="account-key"]')).fill('');
    await page.locator(panel('[data-action="resume"]')).click();
    await expect.poll(() => page.locator(panel('[data-result="pause"]')).textContent()).toBe('Resumed as the operator: now active.');
    await expect.poll(() => badge.textContent()).toBe('active');
    await page.screenshot({ path: join(root, 'test', 'output', 'dashboard', 'dashboard-manage.png'), fullPage: true });
  });

  it('sent every action only to its own origin, and the only console errors are the API refusals it showed', () => {
    expect(requests.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    // Chromium logs each 4xx answer as "Failed to load resource"; those are the refusals above, shown on the page.
    expect(consoleErrors.filter((e) => !/^console: Failed to load resource: the server responded with a status of 4\d\d/.test(e))).toEqual([]);
  });
});
