/**
 * Shapes of the JSON lines read by `hedge greeks` and `hedge iv`. zod checks the JSON
 * types (and rejects unknown fields, which are usually typos); the domain then checks
 * the ranges (positive spot, non-negative vol, ...) with its own single set of rules.
 */
import * as z from 'zod';

const finiteNumber = z.number({ error: 'expected a number' });

export const GreeksLineSchema = z
  .object({
    type: z.enum(['call', 'put'], { error: 'expected "call" or "put"' }),
    spot: finiteNumber,
    strike: finiteNumber,
    maturity: finiteNumber,
    vol: finiteNumber,
    rate: finiteNumber.default(0),
    yield: finiteNumber.default(0),
  })
  .strict();

export type GreeksLine = z.infer<typeof GreeksLineSchema>;

export const ImpliedVolLineSchema = GreeksLineSchema.omit({ vol: true })
  .extend({ price: finiteNumber })
  .strict();

export type ImpliedVolLine = z.infer<typeof ImpliedVolLineSchema>;

/** "spot: expected a number; strike: ..." — one sentence per issue, with its path. */
export function describeSchemaError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
