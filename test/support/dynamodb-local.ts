/**
 * DynamoDB Local for integration tests: AWS's own emulator (the jar shipped in the
 * amplify-dynamodb-simulator npm package; its JavaScript is never imported), in memory,
 * listening on 127.0.0.1 only, on a port the kernel picks.
 *
 * DynamoDB Local's command line binds every interface and has no host option, so it is
 * started through test/support/DynamoDbLocalLoopback.java (run by the JDK's single-file
 * source launcher, JDK 11+), which embeds its server classes behind a 127.0.0.1 Jetty
 * connector. The child exits when its stdin closes, so it cannot outlive the test worker;
 * `stop()` closes stdin, waits, and kills the process (by its pid) only if it hangs.
 *
 * Typical use, one instance per test file:
 *   const ddb = useDynamoDbLocal();            // registers beforeAll/afterAll
 *   it('…', () => { const { doc, tableName } = ddb(); … });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createDynamoDbClients, type DynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { ensureTable } from '../../shared/adapters/dynamodb/ensure-table.ts';

const EMULATOR_DIR = fileURLToPath(new URL('../../node_modules/amplify-dynamodb-simulator/emulator/', import.meta.url));
const LAUNCHER = fileURLToPath(new URL('./DynamoDbLocalLoopback.java', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Milliseconds from spawn to "listening". */
  readonly startupMs: number;
  stop(): Promise<void>;
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home !== undefined && home !== '' ? join(home, 'bin', 'java') : 'java';
}

/** Starts DynamoDB Local in memory on 127.0.0.1 and a free port. */
export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const jar = join(EMULATOR_DIR, 'DynamoDBLocal.jar');
  const lib = join(EMULATOR_DIR, 'DynamoDBLocal_lib');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local jar not found at ${jar} (is amplify-dynamodb-simulator installed?)`);
  const started = performance.now();
  const child = spawn(
    javaBinary(),
    [
      '-Djava.net.preferIPv4Stack=true',
      `-Djava.library.path=${lib}`,
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-cp',
      [jar, join(lib, '*')].join(delimiter),
      LAUNCHER,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const port = await waitForPort(child);
  const startupMs = performance.now() - started;
  const pid = child.pid;
  if (pid === undefined) throw new Error('java started without a pid');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid,
    startupMs,
    stop: () => stopChild(child),
  };
}

function waitForPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (message: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${message}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    const timer = setTimeout(() => fail(`DynamoDB Local did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /LISTENING 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('error', (error) => fail(`could not run java (${error.message}); DynamoDB Local needs a JDK 11+ (openjdk-17-jdk-headless)`));
    child.on('exit', (code) => fail(`DynamoDB Local exited early with code ${String(code)}`));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // Drop the start-up watcher (it treats an exit as a failed start), then wait for ours.
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * The local addresses ("ip:port") of every TCP socket in LISTEN state owned by `pid`,
 * read from /proc (Linux): the sockets of the process's descriptors matched against
 * /proc/net/tcp and tcp6. The loopback test asserts all of them are 127.0.0.1.
 */
export function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // the descriptor closed while we looked
    }
  }
  const addresses: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, state, inode] = [cols[1], cols[3], cols[9]];
      if (local === undefined || state !== '0A' || inode === undefined || !inodes.has(inode)) continue;
      addresses.push(decodeProcAddress(local));
    }
  }
  return addresses;
}

function decodeProcAddress(hex: string): string {
  const [ip = '', port = '0'] = hex.split(':');
  const portNumber = Number.parseInt(port, 16);
  if (ip.length === 8) {
    const bytes = (ip.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)).reverse();
    return `${bytes.join('.')}:${portNumber}`;
  }
  // IPv6: four little-endian 32-bit words. Show IPv4-mapped addresses as IPv4.
  const words = (ip.match(/.{8}/g) ?? []).map((w) => (w.match(/../g) ?? []).reverse().join(''));
  const full = words.join('');
  if (full.startsWith('00000000000000000000ffff')) {
    const v4 = (full.slice(24).match(/../g) ?? []).map((b) => Number.parseInt(b, 16));
    return `${v4.join('.')}:${portNumber}`;
  }
  return `[${(full.match(/.{4}/g) ?? []).join(':')}]:${portNumber}`;
}

export interface DynamoDbTestContext extends DynamoDbClients {
  readonly local: DynamoDbLocal;
  readonly tableName: string;
}

/**
 * Registers beforeAll/afterAll that start one DynamoDB Local for the calling test file,
 * create the table (a unique name) from the shared definition, and stop everything after.
 * Returns an accessor for the context (valid inside tests).
 */
export function useDynamoDbLocal(): () => DynamoDbTestContext {
  let context: DynamoDbTestContext | undefined;
  beforeAll(async () => {
    const local = await startDynamoDbLocal();
    const clients = createDynamoDbClients({
      region: 'us-east-1',
      endpoint: local.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tableName = `hedge-test-${randomUUID().slice(0, 8)}`;
    const tableStarted = performance.now();
    await ensureTable(clients.client, tableName);
    if (process.env.DYNAMODB_LOCAL_TIMINGS === '1') {
      console.log(`DynamoDB Local: started in ${local.startupMs.toFixed(0)} ms, table ready in ${(performance.now() - tableStarted).toFixed(0)} ms`);
    }
    context = { ...clients, local, tableName };
  }, 60_000);
  afterAll(async () => {
    context?.client.destroy();
    await context?.local.stop();
    context = undefined;
  });
  return () => {
    if (context === undefined) throw new Error('DynamoDB Local is not running (use the accessor inside a test)');
    return context;
  };
}
