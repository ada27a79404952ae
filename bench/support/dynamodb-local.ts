/**
 * DynamoDB Local (in memory, 127.0.0.1 only) for the bundled benchmarks.
 *
 * Not test/support/dynamodb-local.ts: that module imports vitest and finds the emulator
 * relative to its own file, which moves when `npm run bench` bundles it. Paths here are
 * taken from the working directory instead: the bench runs from the repository root
 * (bench/run.mjs sets cwd).
 */
import { spawn } from 'node:child_process';
import { delimiter, join, resolve } from 'node:path';

export interface BenchDynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(): Promise<BenchDynamoDbLocal> {
  const emulator = resolve('node_modules/amplify-dynamodb-simulator/emulator');
  const lib = join(emulator, 'DynamoDBLocal_lib');
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const classPath = [join(emulator, 'DynamoDBLocal.jar'), join(lib, '*')].join(delimiter);
  // The loopback launcher binds 127.0.0.1 only and exits when its stdin closes.
  const child = spawn(java, [`-Djava.library.path=${lib}`, '-cp', classPath, resolve('test/support/DynamoDbLocalLoopback.java')], { stdio: ['pipe', 'pipe', 'ignore'] });
  const port = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING 127\.0\.0\.1:(\d+)/.exec(out);
      if (match?.[1] !== undefined) done(match[1]);
    });
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`DynamoDB Local exited with code ${String(code)} before listening`)));
    setTimeout(() => fail(new Error('DynamoDB Local did not start within 30 s')), 30_000).unref();
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  child.removeAllListeners('exit');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
