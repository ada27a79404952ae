/** A number attribute as returned in an error's ALL_OLD image: raw ({ N: '7' }) or already unmarshalled (7). */
export function numberAttribute(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const n = (value as { N?: unknown } | null | undefined)?.N;
  return typeof n === 'string' ? Number(n) : undefined;
}

/** A string attribute from an error's ALL_OLD image: raw ({ S: 'x' }) or already unmarshalled. */
export function stringAttribute(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const s = (value as { S?: unknown } | null | undefined)?.S;
  return typeof s === 'string' ? s : undefined;
}

/** A string-set attribute from an error's ALL_OLD image: raw ({ SS: [...] }) or a Set. */
export function stringSetAttribute(value: unknown): ReadonlySet<string> {
  if (value instanceof Set) return value as Set<string>;
  const ss = (value as { SS?: unknown } | null | undefined)?.SS;
  return new Set(Array.isArray(ss) ? ss.filter((v): v is string => typeof v === 'string') : []);
}
