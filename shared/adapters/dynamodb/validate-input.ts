/** Input validation shared by the repositories: a zod parse that throws InvalidItemError before anything is written. */
import type * as z from 'zod';
import { InvalidItemError } from './errors.ts';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidItemError(`${what} is invalid: ${parsed.error.message}`, { cause: parsed.error });
  return parsed.data;
}

/** A string attribute as found in an error's ALL_OLD image: raw ({ S: 'x' }) or already unmarshalled ('x'). */
export function stringAttribute(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const s = (value as { S?: unknown } | null | undefined)?.S;
  return typeof s === 'string' ? s : undefined;
}
