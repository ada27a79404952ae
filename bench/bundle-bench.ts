/**
 * Lambda bundle size and cold module load per function (issue #7). Each entry under
 * functions/ (entry.ts where a folder has one, else handler.ts; found at run time, so new
 * functions are measured without editing this file) is bundled as the cloud will bundle it
 * — the NodejsFunction settings: minified ESM for node24, external source map, the AWS SDK
 * bundled, a createRequire banner — and then imported by fresh `node` processes.
 *
 * Targets: every bundle ≤ 1 MB; a bundle without viem ≤ 300 KB (KB = 1024 bytes, size
 * without the map). A miss is flagged with the inputs that weigh most; the run never fails.
 *
 * Each function gets harmless dummy values for the variables it validates at import time
 * (functions/<name>/configuration.ts, config-api-env.ts) and nothing else from this
 * process's environment, so no real credentials or endpoints can leak into the measurement.
 * One untimed run per function first imports the bundle with socket connects and DNS
 * lookups recorded: module load must not touch the network, and a function that does is
 * reported (that run also warms the page cache, so the timed runs compare like with like).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type * as Esbuild from 'esbuild';

const run = promisify(execFile);

const KB = 1024;
const MAX_BYTES = 1024 * KB;
const MAX_BYTES_WITHOUT_VIEM = 300 * KB;
const LOAD_RUNS = 5;
const TOP_INPUTS = 5;
/** esbuild 0.28 accepts node24 (the Lambda runtime the stack targets). */
const TARGET = 'node24';
/** Bundled CJS dependencies (the AWS SDK's main entries) call require; an ESM bundle has none without this. */
const REQUIRE_BANNER = "import { createRequire as __lambdaCreateRequire } from 'node:module'; const require = __lambdaCreateRequire(import.meta.url);";

// Valid but inert values: RPC and queue hosts under .invalid (a reserved TLD that never
// resolves), so even a stray request could not reach anything. Optional variables stay
// unset as in the cloud (LOCAL_SIGNER_KEYS would also add key derivation to the load).
const ADDRESS = '0x00000000000000000000000000000000000000b1';
const DUMMY_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'bench-table',
  EVENT_BUS_NAME: 'bench-bus',
  CHAINS: JSON.stringify([{ chainId: 1, rpcUrl: 'https://rpc.invalid/' }]),
  ALLOWED_CONTRACTS: JSON.stringify({ 1: [ADDRESS] }),
  QUEUE_URL: 'https://sqs.invalid/000000000000/bench-queue',
  CONFIRMATION_QUEUE_URL: 'https://sqs.invalid/000000000000/bench-confirmations.fifo',
  DISPATCH_QUEUE_URL: 'https://sqs.invalid/000000000000/bench-dispatch.fifo',
  ADMIN_KEY_SHA256: '0'.repeat(64),
  WEBHOOK_SOURCES: JSON.stringify({ alchemy: { secrets: ['bench-webhook-secret-0000'], chainId: 1, contracts: [ADDRESS] } }),
  CHAIN_DIRECTORY: JSON.stringify({ accounts: {}, underlyings: {} }),
  STAGE: 'bench',
  AWS_ACCOUNT_ID: '000000000000',
  SIGNER_ROLE_ARNS: 'arn:aws:iam::000000000000:role/bench-dispatch,arn:aws:iam::000000000000:role/bench-confirm',
  PROVISIONER_ROLE_ARN: 'arn:aws:iam::000000000000:role/bench-config-api',
};
/** Where a function's schema differs from the shared dummies (confirm-positions' CHAINS also name the option book). */
const ENV_OVERRIDES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'confirm-positions': { CHAINS: JSON.stringify([{ chainId: 1, rpcUrl: 'https://rpc.invalid/', optionBook: ADDRESS }]) },
};

// Records connects and lookups made while the bundle loads (and just after: a promise
// started at import may connect a tick later), then any network handle still open.
const TRIPWIRE = `
const seen = [];
const net = (await import('node:net')).default;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const o = Array.isArray(args[0]) ? args[0][0] : args[0]; // net.connect passes its normalized [options, callback]
  seen.push('connect ' + (o !== null && typeof o === 'object' ? String(o.host ?? o.path ?? 'localhost') + ':' + String(o.port ?? '') : String(o)));
  return connect.apply(this, args);
};
const dns = (await import('node:dns')).default;
for (const api of [dns, dns.promises]) {
  const lookup = api.lookup;
  api.lookup = function (host, ...rest) { seen.push('dns ' + String(host)); return lookup.call(this, host, ...rest); };
}
await import(process.argv[1]);
await new Promise((done) => setTimeout(done, 100));
const open = process.getActiveResourcesInfo().filter((r) => /TCP|UDP|GetAddrInfo|TLS/.test(r));
console.log(JSON.stringify({ seen, open }));
process.exit(0);
`;

interface FunctionEntry {
  readonly name: string;
  readonly entry: string;
}

interface BundleResult {
  readonly name: string;
  readonly outfile: string;
  readonly bytes: number;
  readonly viemBytes: number;
  /** Bytes of the AWS SDK v3 (@aws-sdk/*, @smithy/*) in the bundle: what the runtime's copy would replace. */
  readonly sdkBytes: number;
  readonly needsRequire: boolean;
  readonly warnings: number;
  readonly inputs: readonly { readonly path: string; readonly bytes: number }[];
}

/** Every functions/<name>/ with an entry.ts (the Lambda entry where the handler is a factory) or a handler.ts. */
function discoverFunctions(root: string): FunctionEntry[] {
  const dir = join(root, 'functions');
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const entry = ['entry.ts', 'handler.ts'].map((file) => join(dir, d.name, file)).find((file) => existsSync(file));
      return entry === undefined ? [] : [{ name: d.name, entry }];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `node_modules/@scope/name/...` → `@scope/name`; our own sources → `(own code)`. */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return '(own code)';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

async function bundle(esbuild: typeof Esbuild, root: string, fn: FunctionEntry): Promise<BundleResult> {
  const outfile = join(root, 'test/output/bench/functions', fn.name, 'index.mjs');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [fn.entry],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: TARGET,
    sourcemap: 'external',
    external: [], // the AWS SDK included: the runtime's copy is not pinned to our versions
    // As infra/constructs/hedge-function.ts: ESM entries first, so the AWS SDK's dist-es can be tree-shaken.
    mainFields: ['module', 'main'],
    tsconfig: join(root, 'tsconfig.json'),
    banner: { js: REQUIRE_BANNER },
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.metafile.outputs[relative(root, outfile)];
  if (output === undefined) throw new Error(`esbuild wrote no ${outfile}`);
  const inputs = Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  // esbuild only emits its require shim (and this message) when a bundled module calls require.
  const needsRequire = (await readFile(outfile, 'utf8')).includes('Dynamic require of');
  return {
    name: fn.name,
    outfile,
    bytes: statSync(outfile).size,
    viemBytes: inputs.filter((i) => packageOf(i.path) === 'viem').reduce((sum, i) => sum + i.bytes, 0),
    sdkBytes: inputs.filter((i) => /^@(aws-sdk|smithy|aws-crypto)\//.test(packageOf(i.path))).reduce((sum, i) => sum + i.bytes, 0),
    needsRequire,
    warnings: result.warnings.length,
    inputs,
  };
}

function envFor(name: string): Record<string, string> {
  return { ...DUMMY_ENV, ...ENV_OVERRIDES[name] };
}

/** The first line of a failed child's stderr (the env validation message, an import error). */
function failure(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr ?? '';
  // Node prints the offending source line first (a whole minified bundle): skip to the `XxxError: message` line.
  const line = stderr.split('\n').find((l) => /^[A-Za-z]*Error( \[\w+\])?: /.test(l)) ?? (error instanceof Error ? error.message : String(error));
  return line.trim().slice(0, 200);
}

async function networkAtImport(b: BundleResult): Promise<string[]> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', TRIPWIRE, pathToFileURL(b.outfile).href], { env: envFor(b.name), timeout: 20_000 });
  const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { seen: string[]; open: string[] };
  return [...report.seen, ...report.open.map((r) => `open ${r}`)];
}

/** Median of fresh processes, each timing only the import (not node's own start-up). */
async function coldLoadMs(b: BundleResult): Promise<number> {
  const code = `const t=performance.now(); await import(${JSON.stringify(pathToFileURL(b.outfile).href)}); console.log(performance.now()-t)`;
  const times: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { env: envFor(b.name), timeout: 20_000 });
    times.push(Number(stdout.trim().split('\n').at(-1)));
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!;
}

const kb = (bytes: number): string => `${(bytes / KB).toFixed(0)} KB`;
const mark = (ok: boolean): string => (ok ? '✓' : '✗');

export async function runBundleBench(): Promise<void> {
  const started = performance.now();
  const root = process.cwd();
  // Imported by a computed name so the bench bundle leaves esbuild out: its API locates
  // its native binary from its own package and cannot run bundled.
  const esbuildPackage = 'esbuild';
  const esbuild = (await import(esbuildPackage)) as typeof Esbuild;
  const functions = discoverFunctions(root);
  console.log(
    `\nFunction bundles: esbuild ${esbuild.version}, minified ESM, target ${TARGET}, AWS SDK bundled, size without the external map (KB = 1024 B); ` +
      `cold import = median of ${LOAD_RUNS} fresh node processes, dummy env`,
  );
  const settled = await Promise.allSettled(functions.map((fn) => bundle(esbuild, root, fn)));

  const header = `  ${'function'.padEnd(18)} ${'size'.padStart(8)} ${'AWS SDK'.padStart(8)} ${'viem'.padStart(8)} ${'≤1 MB'.padStart(5)} ${'≤300 KB'.padStart(7)} ${'cold import'.padStart(11)}  network at import`;
  console.log(header);
  const misses: { result: BundleResult; limit: number }[] = [];
  const notes: string[] = [];
  const needRequire: string[] = [];
  for (const [i, outcome] of settled.entries()) {
    const name = functions[i]!.name;
    if (outcome.status === 'rejected') {
      console.log(`  ${name.padEnd(18)} build failed: ${failure(outcome.reason)}`);
      continue;
    }
    const b = outcome.value;
    const withViem = b.viemBytes > 0;
    const underMax = b.bytes <= MAX_BYTES;
    const underLean = withViem || b.bytes <= MAX_BYTES_WITHOUT_VIEM;
    if (!underMax) misses.push({ result: b, limit: MAX_BYTES });
    else if (!underLean) misses.push({ result: b, limit: MAX_BYTES_WITHOUT_VIEM });
    if (b.warnings > 0) notes.push(`${name}: ${b.warnings} esbuild warning(s)`);
    if (b.needsRequire) needRequire.push(name);

    let load: string;
    let network: string;
    try {
      const calls = await networkAtImport(b);
      network = calls.length === 0 ? 'none' : `YES: ${calls.slice(0, 3).join(', ')}${calls.length > 3 ? ', …' : ''}`;
      load = `${(await coldLoadMs(b)).toFixed(0)} ms`;
    } catch (error) {
      load = 'failed';
      network = '?';
      notes.push(`${name}: import failed: ${failure(error)}`);
    }
    console.log(
      `  ${name.padEnd(18)} ${kb(b.bytes).padStart(8)} ${kb(b.sdkBytes).padStart(8)} ${(withViem ? kb(b.viemBytes) : '-').padStart(8)} ${mark(underMax).padStart(5)} ${(withViem ? 'n/a' : mark(underLean)).padStart(7)} ${load.padStart(11)}  ${network}`,
    );
  }

  for (const { result, limit } of misses) {
    console.log(`  ${result.name} is ${kb(result.bytes)} (> ${kb(limit)}); largest inputs, bytes in output:`);
    for (const input of result.inputs.slice(0, TOP_INPUTS)) console.log(`    ${kb(input.bytes).padStart(8)}  ${input.path}`);
    // Files alone hide a package spread over hundreds of modules: the weight per package too.
    const perPackage = new Map<string, number>();
    for (const input of result.inputs) perPackage.set(packageOf(input.path), (perPackage.get(packageOf(input.path)) ?? 0) + input.bytes);
    const packages = [...perPackage].sort((a, b) => b[1] - a[1]).slice(0, TOP_INPUTS);
    console.log(`    by package: ${packages.map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`).join(', ')}`);
  }
  if (needRequire.length > 0) {
    const who = needRequire.length === functions.length ? 'every bundle' : needRequire.join(', ');
    console.log(`  note: bundled CommonJS calls require in ${who}: the createRequire banner is needed`);
  }
  for (const note of notes) console.log(`  note: ${note}`);
  console.log('  (the AWS SDK is bundled to pin its version; "size − AWS SDK" is what a bundle would weigh using the runtime\'s copy)');
  console.log(`  (section took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
