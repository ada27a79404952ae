/** The command line of `hedge cost`: words into flags, each flag's type and range in one schema. */
import * as z from 'zod';
import { readDuration } from '../../../shared/domain/backtest/durations.ts';
import { flagWords } from '../../flag-words.ts';
import { UsageError } from '../backtest/usage-error.ts';

const VALUE_FLAGS = ['cadence', 'hedges-per-day', 'accounts', 'rpc-latency', 'dynamodb-latency', 'cold-starts', 'log-retention', 'profile'] as const;
const BOOLEAN_FLAGS = ['json', 'help'] as const;

const numberFlag = (check: (n: number) => boolean, range: string) =>
  z.string().transform((text, ctx) => {
    const n = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(n) || !check(n)) {
      ctx.addIssue({ code: 'custom', message: `expected ${range}, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return n;
  });

const CostFlagsSchema = z.strictObject({
  cadence: z
    .string()
    .transform((text, ctx) => {
      const reading = readDuration(text);
      if ('error' in reading || reading.ms < 60_000 || reading.ms % 60_000 !== 0) {
        ctx.addIssue({ code: 'custom', message: `expected whole minutes (1m, 5m, 1h), got ${JSON.stringify(text)}` });
        return z.NEVER;
      }
      return reading.ms / 60_000;
    })
    .optional(),
  'hedges-per-day': numberFlag((n) => n >= 0, 'a number ≥ 0').optional(),
  accounts: numberFlag((n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1').optional(),
  'rpc-latency': numberFlag((n) => n >= 0, 'milliseconds ≥ 0').optional(),
  'dynamodb-latency': numberFlag((n) => n >= 0, 'milliseconds ≥ 0').optional(),
  'cold-starts': numberFlag((n) => n >= 0 && n <= 1, 'a share in [0, 1]').optional(),
  'log-retention': numberFlag((n) => n >= 0, 'months ≥ 0').optional(),
  profile: z.string().min(1).optional(),
  json: z.literal(true).optional(),
  help: z.literal(true).optional(),
});

export type CostFlags = z.output<typeof CostFlagsSchema>;

export function parseCostFlags(args: readonly string[]): CostFlags {
  const parsed = CostFlagsSchema.safeParse(flagWords(args, { values: VALUE_FLAGS, booleans: BOOLEAN_FLAGS }));
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => (issue.path[0] === undefined ? issue.message : `--${String(issue.path[0])}: ${issue.message}`)).join('; '));
  return parsed.data;
}
