/** The bench's command line: nothing (the figures), or `--fuzz [--runs N] [--seed N]`. */
import type { FuzzBenchOptions } from './fuzz-bench.ts';

/** The issue's floor: at least 10,000 generated inputs per boundary. */
export const DEFAULT_FUZZ_RUNS = 10_000;

export function parseFuzzFlags(args: readonly string[]): FuzzBenchOptions | { error: string } {
  let fuzz = false;
  let runs = DEFAULT_FUZZ_RUNS;
  let seed: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--fuzz') {
      fuzz = true;
      continue;
    }
    if (flag !== '--runs' && flag !== '--seed') return { error: `unknown flag "${flag}"` };
    const text = args[++i];
    const value = Number(text);
    if (text === undefined || !/^\d+$/u.test(text) || !Number.isSafeInteger(value)) return { error: `${flag} needs a whole number, got ${text === undefined ? 'nothing' : `"${text}"`}` };
    if (flag === '--runs') {
      if (value < 1) return { error: '--runs must be at least 1' };
      runs = value;
    } else {
      if (value > 2 ** 31 - 1) return { error: '--seed must be below 2^31' };
      seed = value;
    }
  }
  if (!fuzz) return { error: '--runs and --seed only go with --fuzz' };
  return seed === undefined ? { runs } : { runs, seed };
}
