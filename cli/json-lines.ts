/**
 * Runs a JSON-lines filter: one output line per input line, in order. A line that fails
 * gives `{"line": n, "error": "..."}` and the run goes on; the result says whether any
 * line failed (the caller turns that into exit status 1). Blank lines are skipped.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { DomainError } from '../shared/domain/errors.ts';

export type LineHandler = (value: unknown) => Record<string, unknown>;

export async function runJsonLines(input: Readable, output: Writable, handle: LineHandler): Promise<{ lines: number; failed: number }> {
  const reader = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  let lines = 0;
  let failed = 0;
  let buffer = '';
  for await (const raw of reader) {
    lineNumber++;
    const text = raw.trim();
    if (text === '') continue;
    lines++;
    let result: Record<string, unknown>;
    try {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new LineError('not valid JSON');
      }
      result = handle(value);
    } catch (error) {
      failed++;
      result = { line: lineNumber, error: messageOf(error) };
    }
    buffer += stringify(result) + '\n';
    if (buffer.length > 1 << 16) {
      if (!output.write(buffer)) await new Promise((resolve) => output.once('drain', resolve));
      buffer = '';
    }
  }
  if (buffer) output.write(buffer);
  return { lines, failed };
}

/** An error in one line that is the user's to fix (shown as is). */
export class LineError extends Error {}

function messageOf(error: unknown): string {
  if (error instanceof LineError || error instanceof DomainError) return error.message;
  return `internal error: ${error instanceof Error ? error.message : String(error)}`;
}

/** JSON has no Infinity: limits such as the gamma at the strike at expiry are written as strings. */
function stringify(value: Record<string, unknown>): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}
