/**
 * Words of a command line into flags: `--name value`, `--name=value`, booleans, and `-h`
 * for --help. Unknown, repeated and valueless flags are a UsageError naming the flag.
 */
import { UsageError } from './commands/backtest/usage-error.ts';

export type RawFlags = Record<string, string | true>;

export function flagWords(args: readonly string[], known: { readonly values: readonly string[]; readonly booleans: readonly string[] }): RawFlags {
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
    if (flags[name] !== undefined) throw new UsageError(`--${name} is given twice`);
    flags[name] = value;
  }
  return flags;
}
