/** A number attribute as returned in an error's ALL_OLD image: raw ({ N: '7' }) or already unmarshalled (7). */
export function numberAttribute(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const n = (value as { N?: unknown } | null | undefined)?.N;
  return typeof n === 'string' ? Number(n) : undefined;
}
