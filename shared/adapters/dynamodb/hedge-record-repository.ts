/**
 * Hedge records per account, newest first, paginated with an opaque cursor.
 *
 * Item: pk ACCOUNT#<id>, sk HEDGE#<iso time>#<hedgeId>; the record is stored under
 * `record` as given (the use case owns its shape). A record is written once (condition
 * attribute_not_exists), so a redelivered event cannot duplicate or overwrite it.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { classifyError, errorName } from './classify-error.ts';
import type { Page } from './cursor.ts';
import { accountPk, HEDGE_PREFIX, hedgeRecordSk } from './keys.ts';
import { queryPage } from './query-pages.ts';

export interface HedgeRecord {
  readonly hedgeId: string;
  readonly at: Date;
  readonly record: Record<string, unknown>;
}

export interface StoredHedgeRecord {
  readonly accountId: string;
  readonly hedgeId: string;
  readonly at: string;
  readonly record: Record<string, unknown>;
}

export interface HedgeRecordRepository {
  /** 'created', or 'exists' when this hedge id at this time was already recorded (idempotent). */
  putHedgeRecord(accountId: string, hedge: HedgeRecord): Promise<'created' | 'exists'>;
  listHedgeRecords(accountId: string, options?: { limit?: number; cursor?: string }): Promise<Page<StoredHedgeRecord> & { queries: number }>;
}

/**
 * @example
 * const hedges = createHedgeRecordRepository({ doc, tableName });
 * const first = await hedges.listHedgeRecords('acc-1', { limit: 20 });
 * const second = first.cursor === undefined ? undefined : await hedges.listHedgeRecords('acc-1', { limit: 20, cursor: first.cursor });
 */
export function createHedgeRecordRepository(options: { doc: DynamoDBDocumentClient; tableName: string }): HedgeRecordRepository {
  const { doc, tableName } = options;

  async function putHedgeRecord(accountId: string, hedge: HedgeRecord): Promise<'created' | 'exists'> {
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: accountPk(accountId),
            sk: hedgeRecordSk(hedge.at, hedge.hedgeId),
            hedgeId: hedge.hedgeId,
            at: hedge.at.toISOString(),
            record: hedge.record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'created';
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return 'exists';
      throw classifyError(error, 'PutItem (putHedgeRecord)');
    }
  }

  async function listHedgeRecords(
    accountId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<Page<StoredHedgeRecord> & { queries: number }> {
    const result = await queryPage(doc, {
      tableName,
      pk: accountPk(accountId),
      skPrefix: HEDGE_PREFIX,
      limit: page.limit ?? 25,
      cursor: page.cursor,
    });
    const items = result.items.map((item) => ({
      accountId,
      hedgeId: String(item.hedgeId),
      at: String(item.at),
      record: (item.record ?? {}) as Record<string, unknown>,
    }));
    return result.cursor === undefined ? { items, queries: result.queries } : { items, cursor: result.cursor, queries: result.queries };
  }

  return { putHedgeRecord, listHedgeRecords };
}
