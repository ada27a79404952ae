/**
 * Words of a command line into flags: `--name value`, `--name=value`, booleans, and `-h`
 * for --help. Unknown, repeated (unless repeatable) and valueless flags are a UsageError
 * naming the flag. One reading for every command of `hedge`.
 */
import { UsageError } from './commands/backtest/usage-error.ts';

export type RawFlags = Record<string, string | string[] | true>;

export interface KnownFlags {
  readonly values: readonly string[];
  readonly booleans: readonly string[];
  /** Value flags that may be given several times: their values are collected in order. */
  readonly repeatable?: readonly string[];
}

/** Values may start with "-" (negative numbers): a value flag always takes the next word. */
export function flagWords(args: readonly string[], known: KnownFlags): RawFlags {
  const flags: RawFlags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') continue;
    if (arg === '-h') {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (flags start with --)`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (known.booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    if (!known.values.includes(name)) throw new UsageError(`unknown flag --${name}`);
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (known.repeatable?.includes(name)) flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else if (flags[name] !== undefined) throw new UsageError(`--${name} is given twice`);
    else flags[name] = value;
  }
  return flags;
}
