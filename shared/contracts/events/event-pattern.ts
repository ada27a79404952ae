/**
 * EventBridge event patterns, the subset our rules use, and a matcher for it: the local
 * bus routes with this, the CDK stack hands the same objects to EventBridge, so both
 * route alike. Supported (EventBridge User Guide, "Event patterns" and "Comparison
 * operators"):
 * - a field's value is an array of exact values (string, number, boolean, null); the
 *   event matches when its value equals ANY of them (OR within a field);
 * - all fields named in the pattern must match (AND across fields); fields the pattern
 *   does not name are ignored; nested objects (e.g. `detail`) match recursively;
 * - when the event's value is an array, it matches if ANY element matches;
 * - `null` matches a JSON null, not a missing field; "" matches "" only;
 *   numbers and strings never match each other (5 ≠ "5");
 * - `{ "prefix": "..." }` and `{ "exists": true|false }`.
 * Anything else (anything-but, numeric, wildcard, suffix, $or, ...) is rejected by
 * validatePattern, so no rule the local bus cannot evaluate ever reaches the table.
 */
export type PatternValue = string | number | boolean | null | { readonly prefix: string } | { readonly exists: boolean };

export interface EventPattern {
  readonly [field: string]: readonly PatternValue[] | EventPattern;
}

/** A pattern this subset cannot evaluate. */
export class UnsupportedPatternError extends Error {
  constructor(path: string, problem: string) {
    super(`event pattern at ${path || '(root)'}: ${problem}`);
    this.name = 'UnsupportedPatternError';
  }
}

/**
 * Throws UnsupportedPatternError unless `pattern` is in the supported subset.
 *
 * @example validatePattern({ source: ['hedge.functions'], detail: { code: [{ prefix: 'GAMMA' }] } }) // ok
 */
export function validatePattern(pattern: EventPattern, path = ''): void {
  const fields = Object.entries(pattern);
  if (fields.length === 0) throw new UnsupportedPatternError(path, 'an empty object matches nothing useful');
  for (const [field, value] of fields) {
    const at = path ? `${path}.${field}` : field;
    if (Array.isArray(value)) {
      if (value.length === 0) throw new UnsupportedPatternError(at, 'an empty array matches nothing');
      for (const item of value as readonly unknown[]) {
        if (item === null || ['string', 'number', 'boolean'].includes(typeof item)) continue;
        if (isOperator(item, 'prefix', 'string') || isOperator(item, 'exists', 'boolean')) continue;
        throw new UnsupportedPatternError(at, `unsupported value ${JSON.stringify(item)} (supported: exact values, {"prefix"}, {"exists"})`);
      }
    } else if (typeof value === 'object' && value !== null) {
      validatePattern(value as EventPattern, at);
    } else {
      throw new UnsupportedPatternError(at, `a field's value must be an array or an object (got ${JSON.stringify(value)})`);
    }
  }
}

/**
 * True when `event` (an EventBridge event as delivered: `source`, `detail-type`,
 * `detail`, ...) matches `pattern`.
 *
 * @example matchesPattern({ 'detail-type': ['Hedge Failed'] }, { 'detail-type': 'Hedge Failed', detail: {} }) // true
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isPlainObject(event)) return false;
  for (const [field, expected] of Object.entries(pattern)) {
    const actual = Object.hasOwn(event, field) ? event[field] : undefined;
    if (Array.isArray(expected)) {
      if (!(expected as readonly PatternValue[]).some((value) => leafMatches(value, actual))) return false;
    } else if (!isPlainObject(actual) || !matchesPattern(expected as EventPattern, actual)) {
      return false;
    }
  }
  return true;
}

function leafMatches(expected: PatternValue, actual: unknown): boolean {
  if (expected !== null && typeof expected === 'object') {
    if ('exists' in expected) return expected.exists === (actual !== undefined && !isPlainObject(actual));
    return anyElement(actual, (v) => typeof v === 'string' && v.startsWith(expected.prefix));
  }
  return anyElement(actual, (v) => v === expected);
}

/** An array value matches when any of its elements does. */
function anyElement(actual: unknown, test: (value: unknown) => boolean): boolean {
  return Array.isArray(actual) ? actual.some(test) : actual !== undefined && test(actual);
}

function isOperator(item: unknown, key: string, type: string): boolean {
  return isPlainObject(item) && Object.keys(item).length === 1 && typeof item[key] === type;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
