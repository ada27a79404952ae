/**
 * Opaque pagination cursors: base64url of a query's LastEvaluatedKey. A cursor is only
 * accepted for the listing that issued it (the same partition, and for table queries the
 * same sort-key prefix), so one account cannot page through another's items with a
 * crafted cursor. Table queries and `gsi1` index queries differ only in the key's shape.
 */
import * as z from 'zod';
import { InvalidCursorError } from './errors.ts';

const TableKeySchema = z.object({ pk: z.string(), sk: z.string() }).strict();
/** On an index, LastEvaluatedKey holds the index key and the table key. */
const Gsi1KeySchema = z.object({ pk: z.string(), sk: z.string(), gsi1pk: z.string(), gsi1sk: z.string() }).strict();

export type TableKey = z.infer<typeof TableKeySchema>;
export type Gsi1Key = z.infer<typeof Gsi1KeySchema>;

function encodeWith<K>(schema: z.ZodType<K>, key: Record<string, unknown> | undefined): string | undefined {
  if (key === undefined) return undefined;
  const parsed = schema.safeParse(key);
  if (!parsed.success) throw new InvalidCursorError('the store returned an unexpected key');
  return Buffer.from(JSON.stringify(parsed.data), 'utf8').toString('base64url');
}

function decodeWith<K>(schema: z.ZodType<K>, cursor: string | undefined, belongs: (key: K) => boolean): K | undefined {
  if (cursor === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor this API issued');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidCursorError('not a cursor this API issued');
  if (!belongs(parsed.data)) throw new InvalidCursorError('the cursor belongs to another listing');
  return parsed.data;
}

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return encodeWith(TableKeySchema, key);
}

export function decodeCursor(cursor: string | undefined, pk: string, skPrefix: string): TableKey | undefined {
  return decodeWith(TableKeySchema, cursor, (key) => key.pk === pk && key.sk.startsWith(skPrefix));
}

export function encodeGsi1Cursor(key: Record<string, unknown> | undefined): string | undefined {
  return encodeWith(Gsi1KeySchema, key);
}

export function decodeGsi1Cursor(cursor: string | undefined, gsi1pk: string): Gsi1Key | undefined {
  return decodeWith(Gsi1KeySchema, cursor, (key) => key.gsi1pk === gsi1pk);
}

export interface Page<T> {
  readonly items: T[];
  /** Pass back to get the next page; absent on the last page. */
  readonly cursor?: string;
}
