/**
 * Opaque pagination cursors: base64url of the query's LastEvaluatedKey. A cursor is only
 * accepted for the partition it came from (so one account cannot page through another's
 * items with a crafted cursor) and only with the listing's sort-key prefix.
 */
import { z } from 'zod';
import { InvalidCursorError } from './errors.ts';

const KeySchema = z.object({ pk: z.string(), sk: z.string() }).strict();

export type TableKey = z.infer<typeof KeySchema>;

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  if (key === undefined) return undefined;
  const parsed = KeySchema.safeParse(key);
  if (!parsed.success) throw new InvalidCursorError('the store returned an unexpected key');
  return Buffer.from(JSON.stringify(parsed.data), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, pk: string, skPrefix: string): TableKey | undefined {
  if (cursor === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor this API issued');
  }
  const parsed = KeySchema.safeParse(json);
  if (!parsed.success) throw new InvalidCursorError('not a cursor this API issued');
  if (parsed.data.pk !== pk || !parsed.data.sk.startsWith(skPrefix)) {
    throw new InvalidCursorError('the cursor belongs to another listing');
  }
  return parsed.data;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass back to get the next page; absent on the last page. */
  readonly cursor?: string;
}
