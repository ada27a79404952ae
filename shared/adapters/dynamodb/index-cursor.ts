/**
 * Opaque cursors for queries on the `gsi1` index: base64url of the LastEvaluatedKey, which
 * on an index holds the index key and the table key. Like the table cursors (cursor.ts),
 * a cursor is accepted only for the index partition that issued it.
 */
import { z } from 'zod';
import { InvalidCursorError } from './errors.ts';

const Gsi1KeySchema = z.object({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() }).strict();

export type Gsi1Key = z.infer<typeof Gsi1KeySchema>;

export function encodeGsi1Cursor(key: Record<string, unknown> | undefined): string | undefined {
  if (key === undefined) return undefined;
  const parsed = Gsi1KeySchema.safeParse(key);
  if (!parsed.success) throw new InvalidCursorError('the store returned an unexpected index key');
  return Buffer.from(JSON.stringify(parsed.data), 'utf8').toString('base64url');
}

export function decodeGsi1Cursor(cursor: string | undefined, gsi1pk: string): Gsi1Key | undefined {
  if (cursor === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor this API issued');
  }
  const parsed = Gsi1KeySchema.safeParse(json);
  if (!parsed.success) throw new InvalidCursorError('not a cursor this API issued');
  if (parsed.data.gsi1pk !== gsi1pk) throw new InvalidCursorError('the cursor belongs to another listing');
  return parsed.data;
}
