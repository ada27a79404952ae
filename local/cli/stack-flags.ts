/**
 * `hedge start` flags and environment, parsed once with one schema. PORT sets the
 * API/dashboard port and HEDGE_ADMIN_KEY the admin key; every other port is free (0).
 * Where the stack keeps its data: --data-dir, else (interactive) the user's state folder;
 * --headless keeps nothing unless --data-dir is given (a run that starts from the same
 * place every time); --in-memory keeps nothing either way.
 */
import { z } from 'zod';

export const START_HELP = `hedge start — the whole local stack on 127.0.0.1 (what npm start runs)

DynamoDB Local, anvil with the contracts deployed (Uniswap pools, a Perp v2 perpetual,
Lyra v1 options), the functions behind a local HTTP server, the local event bus and
scheduler, a market simulator, two demo tenants with options books hedged live (an
options vault: perp and Lyra options; a spot desk: spot routed across Uniswap pools),
and a dashboard.

It remembers: accounts, keys, configs, positions, hedge records and the chain (balances,
contracts) are kept in a data directory, and the next start picks up where the last one
stopped — the same tenants, hedged on, the market going on from the chain's price.

Usage: hedge start [options]          (npm start -- [options])
  --data-dir DIR      keep the stack's data in DIR (default: $XDG_STATE_HOME/hedge, else
                      ~/.local/state/hedge; macOS ~/Library/Application Support/hedge;
                      Windows %LOCALAPPDATA%\\hedge)
  --fresh             delete what the stack kept in the data directory and start clean
  --in-memory         keep nothing (DynamoDB Local in memory, a fresh chain): the default of --headless
  --headless          no timer, no banner: run --ticks ticks back to back, print a summary, stop
                      (keeps nothing unless --data-dir is given)
  --ticks N           ticks to run (headless; default 30)
  --json              headless: print only the summary JSON on stdout (logs on stderr)
  --tick-ms MS        time between ticks (interactive; default 2000)
  --crash-at K        start a flash crash (−15 to −25 %, then a partial recovery) at tick K
  --vol V             annualised vol of the simulated market (default 0.8)
  --step-minutes M    market time per tick, minutes (default 60)
  --seed N            seed of the market's random steps (default 1)
  --port P            API/dashboard port (default: $PORT, else a free port)
  --help              this text

Environment: PORT (API/dashboard port), HEDGE_ADMIN_KEY (the admin key; when unset, one is
generated and printed at a data directory's first start and kept only as its SHA-256; given
later, it replaces the kept one), XDG_STATE_HOME. Ctrl-C or SIGTERM stops everything and saves
the chain; a second Ctrl-C forces the exit (the chain then goes back to its last save, at
most ~10 s of ticks).
`;

const positiveInt = z.coerce.number().int().positive();

export const StartFlagsSchema = z
  .strictObject({
    headless: z.boolean().default(false),
    json: z.boolean().default(false),
    ticks: positiveInt.max(1_000_000).default(30),
    tickMs: z.coerce.number().int().min(50).max(3_600_000).default(2_000),
    crashAt: positiveInt.optional(),
    vol: z.coerce.number().min(0).max(5).default(0.8),
    stepMinutes: z.coerce.number().positive().max(525_600).default(60),
    seed: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(1),
    port: z.coerce.number().int().min(0).max(65_535).default(0),
    adminKey: z.string().min(16, 'HEDGE_ADMIN_KEY must be at least 16 characters').optional(),
    dataDir: z.string().min(1).optional(),
    fresh: z.boolean().default(false),
    inMemory: z.boolean().default(false),
    help: z.boolean().default(false),
  })
  .refine((flags) => !flags.json || flags.headless, { message: '--json needs --headless', path: ['json'] })
  .refine((flags) => !(flags.inMemory && (flags.dataDir !== undefined || flags.fresh)), { message: '--in-memory keeps nothing: it takes neither --data-dir nor --fresh', path: ['inMemory'] })
  .refine((flags) => !(flags.fresh && flags.headless && flags.dataDir === undefined), { message: '--fresh needs a data directory: --headless keeps nothing unless --data-dir is given', path: ['fresh'] });

export type StartFlags = z.output<typeof StartFlagsSchema>;

const BOOLEAN_FLAGS = new Set(['headless', 'json', 'help', 'fresh', 'in-memory']);
const VALUE_FLAGS = new Set(['ticks', 'tick-ms', 'crash-at', 'vol', 'step-minutes', 'seed', 'port', 'data-dir']);
const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Where this start keeps its data: --data-dir, else nothing for --headless and --in-memory,
 * else the user's state folder (`defaultDir`).
 */
export function dataDirOf(flags: Pick<StartFlags, 'dataDir' | 'headless' | 'inMemory'>, defaultDir: () => string): string | undefined {
  if (flags.dataDir !== undefined) return flags.dataDir;
  return flags.headless || flags.inMemory ? undefined : defaultDir();
}

/** argv (after `start`) and the environment → validated flags, or the error lines to print. */
export function parseStartFlags(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): { ok: true; flags: StartFlags } | { ok: false; errors: string[] } {
  const raw: Record<string, unknown> = {};
  if (env.PORT !== undefined && env.PORT !== '') raw.port = env.PORT;
  if (env.HEDGE_ADMIN_KEY !== undefined && env.HEDGE_ADMIN_KEY !== '') raw.adminKey = env.HEDGE_ADMIN_KEY;
  const errors: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') continue;
    if (arg === '-h') {
      raw.help = true;
      continue;
    }
    const [name = '', inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [''];
    if (BOOLEAN_FLAGS.has(name) && inline === undefined) raw[camel(name)] = true;
    else if (VALUE_FLAGS.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) errors.push(`--${name} needs a value`);
      else raw[camel(name)] = value;
    } else errors.push(`unknown argument ${arg}`);
  }
  if (errors.length > 0) return { ok: false, errors };
  const parsed = StartFlagsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'flags'}: ${issue.message}`) };
  return { ok: true, flags: parsed.data };
}
