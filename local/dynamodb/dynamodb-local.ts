/**
 * DynamoDB Local: AWS's own emulator (the jar shipped in the amplify-dynamodb-simulator
 * npm package; its JavaScript is never imported), listening on 127.0.0.1 only, on a port
 * the kernel picks; in memory, or kept in a directory (`dbPath`, what `npm start` does).
 * Used by `npm start`, the tests and the benchmarks. Needs a Java runtime (11+), not a JDK.
 *
 * DynamoDB Local's command line binds every interface and has no host option, so it is
 * started through Jetty's own XmlConfiguration (jetty-xml ships in DynamoDBLocal_lib) over
 * dynamodb-local-loopback.xml (beside this file), which wires its server classes behind a
 * 127.0.0.1 connector: plain `java`, nothing compiled. The child exits when its stdin
 * closes, so it cannot outlive the Node process that started it; `stop()` closes stdin,
 * waits, and kills the process (by its pid) only if it hangs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const START_TIMEOUT_MS = 30_000;

/** One line: what to install where Java is missing (or too old), per platform. */
export const JAVA_INSTALL_HINT =
  'install a Java runtime (11 or newer) — Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless · macOS: brew install openjdk@17 · Windows: winget install EclipseAdoptium.Temurin.17.JRE — or set JAVA_HOME';

/** DynamoDB Local could not start because Java is missing or too old (the message is the one line to print). */
export class JavaRuntimeMissingError extends Error {
  override readonly name = 'JavaRuntimeMissingError';
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Milliseconds from spawn to "listening". */
  readonly startupMs: number;
  /** Where the data is kept (undefined: in memory). */
  readonly dbPath: string | undefined;
  stop(): Promise<void>;
}

export interface StartDynamoDbLocalOptions {
  /**
   * The repository root (where node_modules and local/ are). Default: found from this
   * file's URL. A bundle (the benchmark) moves this file, so it passes the working directory.
   */
  readonly repoRoot?: string;
  /** The port (default 0: the kernel picks a free one). A restart on the port it had keeps its clients' endpoint valid. */
  readonly port?: number;
  /** Keep the data in this (existing) directory instead of in memory: one file, shared-local-instance.db. */
  readonly dbPath?: string;
  /** Extra JVM options, before the main class (a test runs it with `--limit-modules java.se`: no compiler). */
  readonly jvmArgs?: readonly string[];
  /** Stream DynamoDB Local's stderr here (default: kept only for start-up errors). */
  readonly onStderr?: (text: string) => void;
  /**
   * Its own process group (POSIX): a Ctrl-C in the terminal reaches only the parent, which
   * stops it last, after the writes in flight. It still exits when its stdin closes.
   */
  readonly detached?: boolean;
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home !== undefined && home !== '' ? join(home, 'bin', 'java') : 'java';
}

/**
 * Throws JavaRuntimeMissingError (its message the one line to print) when there is no
 * `java` to run: $JAVA_HOME/bin/java, else one on the PATH. A file check, no JVM started:
 * the local stack calls it before it starts anything, so a missing Java fails at once.
 */
export function assertJavaPresent(env: Readonly<Record<string, string | undefined>> = process.env): void {
  const windows = process.platform === 'win32';
  const names = windows ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((ext) => `java${ext.toLowerCase()}`).concat('java.exe') : ['java'];
  const home = env.JAVA_HOME;
  const dirs = home !== undefined && home !== '' ? [join(home, 'bin')] : (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  if (dirs.some((dir) => names.some((name) => existsSync(join(dir, name))))) return;
  const where = home !== undefined && home !== '' ? `${join(home, 'bin', 'java')} was not found (JAVA_HOME)` : 'no java was found on the PATH';
  throw new JavaRuntimeMissingError(`DynamoDB Local needs Java and ${where}: ${JAVA_INSTALL_HINT}`);
}

function pathsFrom(repoRoot: string | undefined): { emulator: string; launcher: string } {
  if (repoRoot === undefined) {
    return {
      emulator: fileURLToPath(new URL('../../node_modules/amplify-dynamodb-simulator/emulator/', import.meta.url)),
      launcher: fileURLToPath(new URL('./dynamodb-local-loopback.xml', import.meta.url)),
    };
  }
  return { emulator: join(repoRoot, 'node_modules', 'amplify-dynamodb-simulator', 'emulator'), launcher: join(repoRoot, 'local', 'dynamodb', 'dynamodb-local-loopback.xml') };
}

/** Starts DynamoDB Local on 127.0.0.1 and a free port, in memory or kept in `dbPath`. */
export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const { emulator, launcher } = pathsFrom(options.repoRoot);
  const jar = join(emulator, 'DynamoDBLocal.jar');
  const lib = join(emulator, 'DynamoDBLocal_lib');
  if (!existsSync(jar)) throw new Error(`DynamoDB Local jar not found at ${jar} (is amplify-dynamodb-simulator installed? run npm ci)`);
  const storage = options.dbPath === undefined ? [] : ['-Dhedge.dynamodb.inMemory=false', `-Dhedge.dynamodb.dbPath=${options.dbPath}`];
  const started = performance.now();
  const child = spawn(
    javaBinary(),
    [
      ...(options.jvmArgs ?? []),
      '-Djava.net.preferIPv4Stack=true',
      `-Djava.library.path=${lib}`,
      ...storage,
      ...(options.port === undefined ? [] : [`-Dhedge.dynamodb.port=${options.port}`]),
      // Start-up over peak speed: a short-lived, small store.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-cp',
      [jar, join(lib, '*')].join(delimiter),
      'org.eclipse.jetty.xml.XmlConfiguration',
      launcher,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], detached: options.detached === true },
  );
  const port = await waitForPort(child, options.onStderr);
  const startupMs = performance.now() - started;
  const pid = child.pid;
  if (pid === undefined) throw new Error('java started without a pid');
  return { endpoint: `http://127.0.0.1:${port}`, port, pid, startupMs, dbPath: options.dbPath, stop: () => stopChild(child) };
}

function waitForPort(child: ChildProcess, onStderr: ((text: string) => void) | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const withOutput = (message: string): Error => new Error(`${message}\nstdout: ${stdout}\nstderr: ${stderr}`);
    const timer = setTimeout(() => fail(withOutput(`DynamoDB Local did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (stderr.length < 64_000) stderr += text;
      onStderr?.(text);
      // A Java too old for the jar: it never gets to listen.
      if (/UnsupportedClassVersionError/.test(stderr)) fail(new JavaRuntimeMissingError(`DynamoDB Local needs a newer Java than ${javaBinary()}: ${JAVA_INSTALL_HINT}`));
    });
    const onStdout = (chunk: Buffer): void => {
      stdout += chunk.toString();
      const match = /LISTENING 127\.0\.0\.1:(\d+)\r?\n/.exec(stdout);
      if (match?.[1] !== undefined && !settled) {
        settled = true;
        clearTimeout(timer);
        child.stdout?.off('data', onStdout);
        child.stdout?.resume(); // keep draining so the JVM never blocks on a full pipe
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onStdout);
    child.on('error', (error: NodeJS.ErrnoException) => {
      fail(error.code === 'ENOENT' ? new JavaRuntimeMissingError(`DynamoDB Local needs Java and ${javaBinary()} was not found: ${JAVA_INSTALL_HINT}`) : withOutput(`could not run ${javaBinary()} (${error.message})`));
    });
    child.on('exit', (code) => fail(withOutput(`DynamoDB Local exited early with code ${String(code)}`)));
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
