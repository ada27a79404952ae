/**
 * DynamoDB Local: AWS's own emulator (the jar shipped in the amplify-dynamodb-simulator
 * npm package; its JavaScript is never imported), in memory, listening on 127.0.0.1 only,
 * on a port the kernel picks. Used by `npm start`, the tests and the benchmarks.
 *
 * DynamoDB Local's command line binds every interface and has no host option, so it is
 * started through DynamoDbLocalLoopback.java (beside this file, run by the JDK's
 * single-file source launcher, JDK 11+), which embeds its server classes behind a
 * 127.0.0.1 Jetty connector. The child exits when its stdin closes, so it cannot outlive
 * the Node process that started it; `stop()` closes stdin, waits, and kills the process
 * (by its pid) only if it hangs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const START_TIMEOUT_MS = 30_000;

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Milliseconds from spawn to "listening". */
  readonly startupMs: number;
  stop(): Promise<void>;
}

export interface StartDynamoDbLocalOptions {
  /**
   * The repository root (where node_modules and local/ are). Default: found from this
   * file's URL. A bundle (the benchmark) moves this file, so it passes the working directory.
   */
  readonly repoRoot?: string;
  /** Stream DynamoDB Local's stderr here (default: kept only for start-up errors). */
  readonly onStderr?: (text: string) => void;
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home !== undefined && home !== '' ? join(home, 'bin', 'java') : 'java';
}

function pathsFrom(repoRoot: string | undefined): { emulator: string; launcher: string } {
  if (repoRoot === undefined) {
    return {
      emulator: fileURLToPath(new URL('../../node_modules/amplify-dynamodb-simulator/emulator/', import.meta.url)),
      launcher: fileURLToPath(new URL('./DynamoDbLocalLoopback.java', import.meta.url)),
    };
  }
  return { emulator: join(repoRoot, 'node_modules', 'amplify-dynamodb-simulator', 'emulator'), launcher: join(repoRoot, 'local', 'dynamodb', 'DynamoDbLocalLoopback.java') };
}

/** Starts DynamoDB Local in memory on 127.0.0.1 and a free port. */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const { emulator, launcher } = pathsFrom(options.repoRoot);
  const jar = join(emulator, 'DynamoDBLocal.jar');
  const lib = join(emulator, 'DynamoDBLocal_lib');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local jar not found at ${jar} (is amplify-dynamodb-simulator installed? run npm ci)`);
  const started = performance.now();
  const child = spawn(
    javaBinary(),
    [
      '-Djava.net.preferIPv4Stack=true',
      `-Djava.library.path=${lib}`,
      // Start-up over peak speed: a short-lived, small, in-memory store.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-cp',
      [jar, join(lib, '*')].join(delimiter),
      launcher,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const port = await waitForPort(child, options.onStderr);
  const startupMs = performance.now() - started;
  const pid = child.pid;
  if (pid === undefined) throw new Error('java started without a pid');
  return { endpoint: `http://127.0.0.1:${port}`, port, pid, startupMs, stop: () => stopChild(child) };
}

function waitForPort(child: ChildProcess, onStderr: ((text: string) => void) | undefined): Promise<number> {
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
      const text = chunk.toString();
      if (stderr.length < 64_000) stderr += text;
      onStderr?.(text);
    });
    const onStdout = (chunk: Buffer): void => {
      stdout += chunk.toString();
      const match = /LISTENING 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onStdout);
        child.stdout?.resume(); // keep draining so the JVM never blocks on a full pipe
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onStdout);
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
