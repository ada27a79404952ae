/**
 * The command line of `hedge vol fit`: words into flags, then each flag's type and range
 * in one schema, then the flags that only make sense for one model.
 */
import * as z from 'zod';
import { readDuration } from '../../../shared/domain/backtest/durations.ts';
import { flagWords } from '../../flag-words.ts';
import { UsageError } from '../backtest/usage-error.ts';

const VALUE_FLAGS = ['csv', 'csv-column', 'model', 'horizon', 'lambda', 'start', 'implied-vol'] as const;
const BOOLEAN_FLAGS = ['json', 'help', 'variance-targeting'] as const;

const numberFlag = z.string().transform((text, ctx) => {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `expected a number, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return n;
});

/** A comma-separated list of durations, each kept as written and in ms. */
const horizonsFlag = z.string().transform((text, ctx) => {
  const horizons: { text: string; ms: number }[] = [];
  for (const part of text.split(',')) {
    const reading = readDuration(part);
    if ('error' in reading) {
      ctx.addIssue({ code: 'custom', message: reading.error });
      return z.NEVER;
    }
    horizons.push({ text: part.trim(), ms: reading.ms });
  }
  return horizons;
});

const csvColumnFlag = z.string().transform((text, ctx): string | number => {
  const trimmed = text.trim();
  if (trimmed === '') {
    ctx.addIssue({ code: 'custom', message: 'expected a column name (e.g. close) or number' });
    return z.NEVER;
  }
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
});

const VolFitFlagsSchema = z
  .object({
    csv: z.string().min(1).optional(),
    'csv-column': csvColumnFlag.optional(),
    model: z.enum(['garch', 'ewma'], { error: 'expected garch or ewma' }).default('garch'),
    horizon: horizonsFlag.default([{ text: '1d', ms: 86_400_000 }]),
    lambda: numberFlag.pipe(z.number().gt(0, { error: 'must be in (0, 1)' }).lt(1, { error: 'must be in (0, 1)' })).optional(),
    start: z.enum(['sample', 'presample'], { error: 'expected sample or presample' }).optional(),
    'variance-targeting': z.literal(true).optional(),
    'implied-vol': numberFlag.pipe(z.number().positive({ error: 'must be > 0 (a vol per year, 0.6 = 60%)' })).optional(),
    json: z.literal(true).optional(),
    help: z.literal(true).optional(),
  })
  .strict();

export type VolFitFlags = z.infer<typeof VolFitFlagsSchema>;

/** The flags of `hedge vol fit`, checked; a UsageError says what is wrong. */
export function parseVolFitFlags(args: readonly string[]): VolFitFlags {
  const parsed = VolFitFlagsSchema.safeParse(flagWords(args, { values: VALUE_FLAGS, booleans: BOOLEAN_FLAGS }));
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((issue) => (issue.path[0] === undefined ? issue.message : `--${String(issue.path[0])}: ${issue.message}`)).join('; '));
  }
  const flags = parsed.data;
  if (flags.help) return flags;
  if (flags.csv === undefined) throw new UsageError('--csv FILE is required: the prices to fit (timestamp,price per line)');
  if (flags.model === 'garch' && flags.lambda !== undefined) throw new UsageError('--lambda is the EWMA decay: add --model ewma, or drop it');
  if (flags.model === 'ewma' && flags['variance-targeting']) throw new UsageError('--variance-targeting is a GARCH fit: EWMA has no long-run variance to target');
  if (flags.model === 'ewma' && flags.start !== undefined) throw new UsageError('--start is the GARCH recursion start: EWMA always starts at the mean square');
  return flags;
}
