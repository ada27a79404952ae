/**
 * `hedge start`: the process edges of the local stack — flags, what is printed where,
 * signals. Interactive: a banner (URL, keys), one status line per tick, until Ctrl-C or
 * SIGTERM stops everything (a second one forces the exit). Headless: N ticks, the
 * summary (JSON alone on stdout with --json), stop, exit 0.
 */
import { safeErrorText } from '../../shared/runtime/safe-error-text.ts';
import { DataDirError, defaultDataDir } from '../data-dir/data-dir.ts';
import { JavaRuntimeMissingError } from '../dynamodb/dynamodb-local.ts';
import { HeadlessSummarySchema } from '../status-schema.ts';
import { startLocalStack, type LocalStack } from '../stack.ts';
import { dataDirOf, parseStartFlags, START_HELP, type StartFlags } from './stack-flags.ts';

export async function runStart(argv: readonly string[]): Promise<number> {
  const parsed = parseStartFlags(argv, process.env);
  if (!parsed.ok) {
    process.stderr.write(`hedge start: ${parsed.errors.join('; ')}\n\n${START_HELP}`);
    return 2;
  }
  const flags = parsed.flags;
  if (flags.help) {
    process.stdout.write(START_HELP);
    return 0;
  }
  try {
    return await (flags.headless ? runHeadless(flags) : runInteractive(flags));
  } catch (error) {
    // What the user can fix gets one line that says how; anything else its (safe) text.
    if (error instanceof DataDirError || error instanceof JavaRuntimeMissingError) process.stderr.write(`hedge start: ${error.message}\n`);
    else process.stderr.write(`hedge start: the local stack failed to start: ${safeErrorText(error)}\n`);
    return 1;
  }
}

const toStderr = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function stackOptions(flags: StartFlags, onTick: ((line: string) => void) | undefined) {
  const dataDir = dataDirOf(flags, () => defaultDataDir());
  return {
    ...(dataDir === undefined ? {} : { dataDir, fresh: flags.fresh }),
    port: flags.port,
    vol: flags.vol,
    stepMinutes: flags.stepMinutes,
    seed: flags.seed,
    log: toStderr,
    ...(flags.adminKey === undefined ? {} : { adminKey: flags.adminKey }),
    ...(flags.crashAt === undefined ? {} : { crashAt: flags.crashAt }),
    ...(onTick === undefined ? {} : { onTick }),
  };
}

/**
 * Under `npm start` one Ctrl-C arrives twice: from the terminal and forwarded by npm. A
 * repeat this soon is that same Ctrl-C; only a later one forces the exit.
 */
const SAME_SIGNAL_MS = 1_000;

/** Stops the stack once on the first SIGINT/SIGTERM; another one, a second or more later, exits at once. */
function onSignals(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let signalledAt: number | undefined;
    const handle = (signal: NodeJS.Signals): void => {
      if (signalledAt !== undefined) {
        if (Date.now() - signalledAt < SAME_SIGNAL_MS) return;
        toStderr(`${signal} again: exiting now (a kept chain goes back to its last save)`);
        process.exit(130);
      }
      signalledAt = Date.now();
      toStderr(`${signal}: stopping the local stack…`);
      void stop().finally(resolve);
    };
    process.on('SIGINT', handle);
    process.on('SIGTERM', handle);
  });
}

async function runHeadless(flags: StartFlags): Promise<number> {
  const held: { stack?: LocalStack; interrupted: boolean } = { interrupted: false };
  void onSignals(async () => {
    held.interrupted = true;
    await held.stack?.stop();
  });
  try {
    held.stack = await startLocalStack(stackOptions(flags, flags.json ? toStderr : (line) => process.stdout.write(`${line}\n`)));
    if (held.interrupted) return 130; // a signal came while it was starting
    if (!flags.json) process.stdout.write(`local stack at ${held.stack.url} (accounts ${held.stack.accounts.map((account) => account.accountId).join(', ')})\n`);
    await held.stack.runTicks(flags.ticks);
    if (held.interrupted) return 130;
    const summary = HeadlessSummarySchema.parse(await held.stack.summary());
    process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  } finally {
    await held.stack?.stop();
  }
}

async function runInteractive(flags: StartFlags): Promise<number> {
  const held: { stack?: LocalStack; interrupted: boolean } = { interrupted: false };
  const stopped = onSignals(async () => {
    held.interrupted = true;
    await held.stack?.stop();
  });
  const stack = await startLocalStack(stackOptions(flags, (line) => process.stdout.write(`${line}\n`)));
  held.stack = stack;
  if (held.interrupted) {
    await stack.stop(); // a signal came while it was starting
    return 0;
  }
  process.stdout.write(`${banner(stack)}\n`);
  stack.startTicking(flags.tickMs);
  await stopped;
  toStderr('stopped');
  return 0;
}

/** What the interactive start prints once: where, which keys (only those this start knows), how to stop. */
export function banner(stack: Pick<LocalStack, 'url' | 'adminKey' | 'adminKeySource' | 'accounts' | 'account' | 'rpcUrl' | 'dynamoDbEndpoint' | 'dataDir' | 'startupMs'>): string {
  const dir = stack.dataDir;
  const adminKey =
    stack.adminKey === undefined
      ? 'the one shown when this data directory was made (kept only as its SHA-256); lost it? HEDGE_ADMIN_KEY=<a new key> npm start replaces it'
      : `${stack.adminKey}${stack.adminKeySource === 'given' ? ' (from HEDGE_ADMIN_KEY)' : dir === undefined ? '' : ' (shown once: kept only as its SHA-256)'}`;
  const accountKey = stack.account.apiKey ?? '<its account key>';
  return [
    '',
    `  hedge local stack — dashboard and API at ${stack.url}/   (ready in ${(stack.startupMs / 1000).toFixed(1)} s)`,
    dir === undefined
      ? '  data         in memory: nothing is kept (--in-memory / --headless)'
      : `  data         ${dir.path} (${dir.restored ? 'restored: everything as the last run left it' : 'new'}; kept across restarts, --fresh starts clean)`,
    `  admin key    ${adminKey}`,
    ...stack.accounts.flatMap((account) => [
      `  ${account.displayName.padEnd(20)} ${account.accountId}`,
      `    account key        ${account.apiKey ?? 'the one shown at the first start (kept only as its SHA-256)'}`,
    ]),
    `  try          curl -H "authorization: Bearer ${accountKey}" ${stack.url}/accounts/${stack.account.accountId}/exposure`,
    `  crash        curl -X POST ${stack.url}/api/crash`,
    `  chain RPC    ${stack.rpcUrl}   DynamoDB Local ${stack.dynamoDbEndpoint}`,
    `  Ctrl-C stops everything${dir === undefined ? '' : ' and saves the chain'}.`,
    '',
  ].join('\n');
}
