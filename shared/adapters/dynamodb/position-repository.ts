/**
 * Positions of an account, one item per position, with optimistic concurrency.
 *
 * Item: pk ACCOUNT#<id>, sk POSITION#<positionId>: { positionId, underlying, position,
 * source 'manual' | 'chain' | 'hedge', revision, updatedAt }. The key holds the position id alone
 * (not the underlying) so that a position is addressed by its id for updates and deletes.
 *
 * - putPosition without expectedRevision creates (condition attribute_not_exists) at
 *   revision 1; with it, replaces only if the stored revision is expectedRevision and
 *   writes expectedRevision + 1. A lost race is a ConflictError naming the current revision.
 * - deletePosition deletes only at the expected revision.
 * - listPositions reads every page of the partition's POSITION# items (ascending id).
 *
 * Positions are validated with PositionSchema (shared/contracts/position-schema.ts)
 * before they are written and when they are read back.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { AccountIdSchema } from '../../contracts/account-schema.ts';
import { PositionSchema } from '../../contracts/position-schema.ts';
import type { Position } from '../../domain/exposure/positions.ts';
import { classifyError, errorName } from './classify-error.ts';
import { ConflictError, InvalidItemError } from './errors.ts';
import { accountPk, POSITION_PREFIX, positionSk } from './keys.ts';
import { numberAttribute } from './number-attribute.ts';
import { queryPage } from './query-pages.ts';
import { parseInput } from './validate-input.ts';

/** manual: the API; chain: OptionBook via webhooks; hedge: the position our confirmed hedges built. */
export const PositionSourceSchema = z.enum(['manual', 'chain', 'hedge']);
export type PositionSource = z.infer<typeof PositionSourceSchema>;

const RevisionSchema = z.number().int().positive();
const PositionIdSchema = z.string().min(1).max(128);

export interface StoredPosition {
  readonly position: Position;
  readonly source: PositionSource;
  readonly revision: number;
  readonly updatedAt: string;
}

export interface PositionRepository {
  /** Creates (no expectedRevision) or replaces (at expectedRevision) a position; returns its new revision. */
  putPosition(accountId: string, position: Position, source: PositionSource, expectedRevision?: number): Promise<number>;
  /** Deletes a position at expectedRevision; ConflictError if it moved or is absent. */
  deletePosition(accountId: string, positionId: string, expectedRevision: number): Promise<void>;
  /** One position, or undefined (strongly consistent). */
  getPosition(accountId: string, positionId: string): Promise<StoredPosition | undefined>;
  /** Every position of the account, by position id. */
  listPositions(accountId: string): Promise<StoredPosition[]>;
}

const StoredItemSchema = z.object({
  position: PositionSchema,
  source: PositionSourceSchema,
  revision: RevisionSchema,
  updatedAt: z.string(),
});

/**
 * @example
 * const positions = createPositionRepository({ doc, tableName });
 * const r1 = await positions.putPosition('acc-1', { id: 'p1', underlying: 'ETH', quantity: 2, kind: 'spot' }, 'manual'); // 1
 * await positions.putPosition('acc-1', { ...p, quantity: 3 }, 'manual', r1);                                            // 2
 */
export function createPositionRepository(options: { doc: DynamoDBDocumentClient; tableName: string; now?: () => Date }): PositionRepository {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());

  function parse(item: Record<string, unknown>, accountId: string): StoredPosition {
    const parsed = StoredItemSchema.safeParse(item);
    if (!parsed.success) {
      throw new InvalidItemError(`stored position of account ${accountId} (sk ${String(item.sk)}) does not match its schema`, { cause: parsed.error });
    }
    return parsed.data;
  }

  function conflictFrom(error: unknown, what: string, expected: unknown): ConflictError {
    const item = (error as { Item?: Record<string, unknown> }).Item;
    return new ConflictError(what, expected, item === undefined ? null : numberAttribute(item.revision), { cause: error });
  }

  async function putPosition(accountId: string, position: Position, source: PositionSource, expectedRevision?: number): Promise<number> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    const valid = parseInput(PositionSchema, position, `position of account ${id}`);
    const from = parseInput(PositionSourceSchema, source, 'position source');
    const expected = expectedRevision === undefined ? undefined : parseInput(RevisionSchema, expectedRevision, 'expectedRevision');
    const revision = (expected ?? 0) + 1;
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: accountPk(id),
            sk: positionSk(valid.id),
            positionId: valid.id,
            underlying: valid.underlying,
            position: valid,
            source: from,
            revision,
            updatedAt: now().toISOString(),
          },
          ConditionExpression: expected === undefined ? 'attribute_not_exists(pk)' : '#revision = :expected',
          ...(expected === undefined ? {} : { ExpressionAttributeNames: { '#revision': 'revision' }, ExpressionAttributeValues: { ':expected': expected } }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return revision;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') {
        throw conflictFrom(error, `position ${valid.id} of account ${id} changed`, expected ?? 'absent');
      }
      throw classifyError(error, 'PutItem (putPosition)');
    }
  }

  async function deletePosition(accountId: string, positionId: string, expectedRevision: number): Promise<void> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    const positionKey = parseInput(PositionIdSchema, positionId, 'position id');
    const expected = parseInput(RevisionSchema, expectedRevision, 'expectedRevision');
    try {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: accountPk(id), sk: positionSk(positionKey) },
          ConditionExpression: '#revision = :expected',
          ExpressionAttributeNames: { '#revision': 'revision' },
          ExpressionAttributeValues: { ':expected': expected },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') {
        throw conflictFrom(error, `position ${positionKey} of account ${id} changed`, expected);
      }
      throw classifyError(error, 'DeleteItem (deletePosition)');
    }
  }

  async function getPosition(accountId: string, positionId: string): Promise<StoredPosition | undefined> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    const positionKey = parseInput(PositionIdSchema, positionId, 'position id');
    let out;
    try {
      out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk(id), sk: positionSk(positionKey) }, ConsistentRead: true }));
    } catch (error) {
      throw classifyError(error, 'GetItem (getPosition)');
    }
    return out.Item === undefined ? undefined : parse(out.Item, id);
  }

  async function listPositions(accountId: string): Promise<StoredPosition[]> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    const positions: StoredPosition[] = [];
    let cursor: string | undefined;
    do {
      const page = await queryPage(doc, { tableName, pk: accountPk(id), skPrefix: POSITION_PREFIX, limit: 1000, cursor, ascending: true });
      positions.push(...page.items.map((item) => parse(item, id)));
      cursor = page.cursor;
    } while (cursor !== undefined);
    return positions;
  }

  return { putPosition, deletePosition, getPosition, listPositions };
}
