/**
 * `hedge start`: the process edges of the local stack — flags, what is printed where,
 * signals. Interactive: a banner (URL, keys), one status line per tick, until Ctrl-C or
 * SIGTERM stops everything (a second one forces the exit). Headless: N ticks, the
 * summary (JSON alone on stdout with --json), stop, exit 0.
 */
import { HeadlessSummarySchema } from '../status-schema.ts';
import { startLocalStack, type LocalStack } from '../stack.ts';
import { parseStartFlags, START_HELP, type StartFlags } from './stack-flags.ts';

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
  return flags.headless ? runHeadless(flags) : runInteractive(flags);
}

const toStderr = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function stackOptions(flags: StartFlags, onTick: ((line: string) => void) | undefined) {
  return {
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

/** Stops the stack once on the first SIGINT/SIGTERM; the second one exits at once. */
function onSignals(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let signalled = false;
    const handle = (signal: NodeJS.Signals): void => {
      if (signalled) {
        toStderr(`${signal} again: exiting now`);
        process.exit(130);
      }
      signalled = true;
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
  process.stdout.write(
    [
      '',
      `  hedge local stack — dashboard and API at ${stack.url}/`,
      `  admin key    ${stack.adminKey}${flags.adminKey === undefined ? '' : ' (from HEDGE_ADMIN_KEY)'}`,
      ...stack.accounts.flatMap((account) => [`  ${account.displayName.padEnd(20)} ${account.accountId}`, `    account key        ${account.apiKey}`]),
      `  try          curl -H "authorization: Bearer ${stack.account.apiKey}" ${stack.url}/accounts/${stack.account.accountId}/exposure`,
      `  crash        curl -X POST ${stack.url}/api/crash`,
      `  chain RPC    ${stack.rpcUrl}   DynamoDB Local ${stack.dynamoDbEndpoint}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
  stack.startTicking(flags.tickMs);
  await stopped;
  toStderr('stopped');
  return 0;
}
