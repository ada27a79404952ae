/**
 * The command line of `hedge backtest`: the words into flags (tokenizeArgs), then every
 * flag's type and range in one schema (parseFlags). Nothing here knows about configs.
 */
import * as z from 'zod';
import { VENUE_SET_NAME } from '../../../shared/contracts/backtest-config.ts';
import { readDuration } from '../../../shared/domain/backtest/durations.ts';
import { flagWords, type RawFlags } from '../../flag-words.ts';
import { UsageError } from './usage-error.ts';

export const VALUE_FLAGS = [
  'config', 'type', 'strike', 'maturity', 'quantity', 'spot', 'drift', 'vol', 'rate', 'yield', 'implied-vol', 'funding-rate', 'hedge-with', 'jumps', 'csv', 'csv-column',
  'windows-every', 'bootstrap-block',
  'hedge-every', 'band', 'min-trade', 'hedge-instrument', 'cppi-multiplier', 'insurance-band', 'crash-breaker', 'fee-bps', 'slippage-bps', 'impact-k', 'adv', 'gas-usd',
  'venues', 'paths', 'seed', 'steps', 'step', 'horizon', 'start', 'only-path', 'sweep', 'chart', 'chart-path', 'paths-out', 'sweep-out',
] as const;
const BOOLEAN_FLAGS = ['json', 'progress', 'help'] as const;

export type { RawFlags } from '../../flag-words.ts';

/** `--name value`, `--name=value`, booleans; `--sweep` and `--csv` may repeat. */
export function tokenizeArgs(args: readonly string[]): RawFlags {
  return flagWords(args, { values: VALUE_FLAGS, booleans: BOOLEAN_FLAGS, repeatable: ['sweep', 'csv'] });
}

// ---- flag values (one schema: every flag, its type and range)

const numberFlag = z.string().transform((text, ctx) => {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `expected a number, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return n;
});
const positiveFlag = numberFlag.pipe(z.number().positive({ error: 'must be > 0' }));
const nonNegativeFlag = numberFlag.pipe(z.number().nonnegative({ error: 'must be >= 0' }));
const integerFlag = (min: number) => numberFlag.pipe(z.number().int({ error: 'must be an integer' }).min(min, { error: `must be >= ${min}` }));
/** A duration: its text as given (the config reads it again) and its milliseconds. */
const durationFlag = z.string().transform((text, ctx) => {
  const reading = readDuration(text);
  if ('error' in reading) {
    ctx.addIssue({ code: 'custom', message: reading.error });
    return z.NEVER;
  }
  return { text: text.trim(), ms: reading.ms };
});
/** "off" (remove the rule), or a value of `schema`, keeping its error messages. */
const orOff = <T>(schema: z.ZodType<T, string>) =>
  z.string().transform((text, ctx): T | 'off' => {
    if (text.trim() === 'off') return 'off';
    const parsed = schema.safeParse(text);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  });
const jumpsFlag = z.string().transform((text, ctx) => {
  if (text.trim() === 'off') return 'off' as const;
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p)) || parts[0]! < 0 || parts[2]! < 0) {
    ctx.addIssue({ code: 'custom', message: `expected "intensity,mean,std" (e.g. 2,-0.15,0.05; intensity and std >= 0) or "off", got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return { intensity: parts[0]!, mean: parts[1]!, std: parts[2]! };
});
/** A header name, or a column number (2 and up: column 1 is the timestamp). */
const csvColumnFlag = z.string().transform((text, ctx): string | number => {
  const trimmed = text.trim();
  if (trimmed === '') {
    ctx.addIssue({ code: 'custom', message: 'expected a column name (e.g. close) or number' });
    return z.NEVER;
  }
  if (!/^\d+$/.test(trimmed)) return trimmed;
  const n = Number(trimmed);
  if (n < 2) {
    ctx.addIssue({ code: 'custom', message: `column ${n} is not a price column (column 1 is the timestamp)` });
    return z.NEVER;
  }
  return n;
});

/** A file to write a CSV to: its name ends in .csv (a typo such as "--paths-out --json" is caught). */
const csvFileFlag = z.string().regex(/\.csv$/i, { error: 'expected a file name ending in .csv' });
/** A file to write a chart to: its name ends in .svg. */
const svgFileFlag = z.string().regex(/\.svg$/i, { error: 'expected a file name ending in .svg' });
/** Price CSVs to replay: `--csv a.csv,b.csv` or `--csv a.csv --csv b.csv` (in order). */
const csvFilesFlag = z.array(z.string()).transform((values, ctx) => {
  const files = values.flatMap((v) => v.split(',')).map((f) => f.trim());
  if (files.some((f) => f === '')) {
    ctx.addIssue({ code: 'custom', message: `expected CSV file names (a.csv or a.csv,b.csv), got ${JSON.stringify(values.join(','))}` });
    return z.NEVER;
  }
  return files;
});
/** The path the chart draws: its id, or the costliest (default) or median one. */
const chartPathFlag = z.string().transform((text, ctx): number | 'costliest' | 'median' => {
  const trimmed = text.trim();
  if (trimmed === 'costliest' || trimmed === 'median') return trimmed;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  ctx.addIssue({ code: 'custom', message: `expected a path id (an integer >= 0), costliest or median, got ${JSON.stringify(text)}` });
  return z.NEVER;
});

export const BacktestFlagsSchema = z
  .object({
    config: z.string().min(1).optional(),
    type: z.enum(['call', 'put'], { error: 'expected call or put' }).optional(),
    strike: positiveFlag.optional(),
    maturity: durationFlag.optional(),
    quantity: numberFlag.pipe(z.number().refine((q) => q !== 0, { message: 'must not be 0' })).optional(),
    spot: positiveFlag.optional(),
    drift: numberFlag.optional(),
    vol: nonNegativeFlag.optional(),
    rate: numberFlag.optional(),
    yield: numberFlag.optional(),
    'implied-vol': nonNegativeFlag.optional(),
    'hedge-with': z.enum(['implied', 'path'], { error: 'expected implied or path' }).optional(),
    'funding-rate': numberFlag.optional(),
    jumps: jumpsFlag.optional(),
    csv: csvFilesFlag.optional(),
    'csv-column': csvColumnFlag.optional(),
    'windows-every': durationFlag.optional(),
    'bootstrap-block': durationFlag.optional(),
    'hedge-every': orOff(durationFlag).optional(),
    band: orOff(positiveFlag).optional(),
    'min-trade': nonNegativeFlag.optional(),
    'hedge-instrument': z.enum(['perp', 'spot'], { error: 'expected perp or spot' }).optional(),
    'cppi-multiplier': positiveFlag.optional(),
    'insurance-band': nonNegativeFlag.optional(),
    'crash-breaker': z.enum(['on', 'off', 'hold', 'risk-reducing'], { error: 'expected on (the config\'s crashBreaker as it is), off (without it), or hold / risk-reducing (its plan)' }).optional(),
    'fee-bps': nonNegativeFlag.optional(),
    'slippage-bps': nonNegativeFlag.optional(),
    'impact-k': nonNegativeFlag.optional(),
    adv: positiveFlag.optional(),
    'gas-usd': nonNegativeFlag.optional(),
    venues: z.string().regex(VENUE_SET_NAME, { error: 'expected the name of a venue set of the config (1-48 of A-Z a-z 0-9 _ -)' }).optional(),
    paths: integerFlag(1).optional(),
    seed: integerFlag(0).optional(),
    steps: integerFlag(1).optional(),
    step: durationFlag.optional(),
    horizon: durationFlag.optional(),
    start: z.string().min(1).optional(),
    'only-path': integerFlag(0).optional(),
    sweep: z.array(z.string()).optional(),
    chart: svgFileFlag.optional(),
    'chart-path': chartPathFlag.optional(),
    'paths-out': csvFileFlag.optional(),
    'sweep-out': csvFileFlag.optional(),
    json: z.literal(true).optional(),
    progress: z.literal(true).optional(),
    help: z.literal(true).optional(),
  })
  .strict();

export type BacktestFlags = z.infer<typeof BacktestFlagsSchema>;

export function parseFlags(raw: RawFlags): BacktestFlags {
  const parsed = BacktestFlagsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new UsageError(
    parsed.error.issues
      .map((issue) => {
        const name = issue.path[0];
        return name === undefined ? issue.message : `--${String(name)}: ${issue.message}`;
      })
      .join('; '),
  );
}
