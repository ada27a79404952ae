// Starts anvil (the local EVM node from the @foundry-rs/anvil npm package) for the local
// stack, the tests and the benchmarks: bound to 127.0.0.1 only, on a port the OS picks
// (`--port 0`, read back from anvil's "Listening on" line, so there is no free-port race),
// resolved to the platform binary the package installed. `stop()` ends exactly that
// child, by its PID, and a process-exit hook does the same if the process dies first.
//
//   const anvil = await startAnvil();
//   ...
//   await anvil.stop();
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface AnvilInstance {
  readonly rpcUrl: string;
  readonly pid: number;
  /** Kills this anvil (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

export interface StartAnvilOptions {
  /** Chain id (default 31337). */
  readonly chainId?: number;
  /** The port (default 0: the OS picks one). A restart on the port it had keeps its clients' URL valid. */
  readonly port?: number;
  /** Extra anvil flags, e.g. ['--hardfork', 'cancun']. */
  readonly args?: readonly string[];
  /** How long to wait for anvil to answer JSON-RPC (default 15 s). */
  readonly timeoutMs?: number;
  /**
   * Its own process group (POSIX): a Ctrl-C in the terminal reaches only the parent, which
   * can then save the chain before it stops anvil itself. The exit hook still kills it.
   */
  readonly detached?: boolean;
}

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/** Path of the anvil binary installed by @foundry-rs/anvil for this platform. */
export function anvilBinaryPath(): string {
  const key = `${process.platform}-${process.arch}`;
  const packageName = PLATFORM_PACKAGES[key];
  if (packageName === undefined) throw new Error(`anvil: no @foundry-rs/anvil binary package for ${key}`);
  // Resolve from @foundry-rs/anvil itself: the platform package is its optional dependency.
  const require = createRequire(createRequire(import.meta.url).resolve('@foundry-rs/anvil/package.json'));
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${packageName}/package.json`);
  } catch (cause) {
    throw new Error(`anvil: ${packageName} is not installed (run npm ci)`, { cause });
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: Record<string, string> | string };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.anvil;
  if (bin === undefined) throw new Error(`anvil: ${packageName} declares no anvil binary`);
  return join(dirname(manifestPath), bin);
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

async function answersJsonRpc(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    });
    return response.ok;
  } catch {
    return false;
  }
}

export async function startAnvil(options: StartAnvilOptions = {}): Promise<AnvilInstance> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const args = ['--host', '127.0.0.1', '--port', String(options.port ?? 0), '--chain-id', String(options.chainId ?? 31337), ...(options.args ?? [])];
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached === true });
  const pid = child.pid;
  if (pid === undefined) throw new Error('anvil: spawn failed');
  liveChildren.add(child);
  installExitHook();

  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', () => {
      liveChildren.delete(child);
      resolveExit();
    });
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };

  let output = '';
  try {
    const rpcUrl = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`anvil: no "Listening on" within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        const match = /Listening on (127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          child.stdout?.resume(); // keep draining so anvil never blocks on a full pipe
          resolveUrl(`http://${match[1]}`);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`anvil exited early (code ${String(code)}, signal ${String(signal)}):\n${output}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error('anvil: could not start', { cause: error }));
      });
    });
    const deadline = Date.now() + timeoutMs;
    while (!(await answersJsonRpc(rpcUrl))) {
      if (Date.now() > deadline) throw new Error(`anvil at ${rpcUrl} does not answer eth_chainId`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return { rpcUrl, pid, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
