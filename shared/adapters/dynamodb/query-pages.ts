/**
 * A page of up to `limit` items from one partition, newest first, correct past DynamoDB's
 * 1 MB per-query cut: a query that stops at 1 MB returns fewer items and a
 * LastEvaluatedKey, so this keeps querying (asking only for what is still missing) until
 * the page is full or the partition ends. The cursor is the last query's
 * LastEvaluatedKey, which is exactly after the last item returned.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { classifyError } from './classify-error.ts';
import { decodeCursor, encodeCursor, type Page } from './cursor.ts';

export interface QueryPageInput {
  readonly tableName: string;
  readonly pk: string;
  readonly skPrefix: string;
  readonly limit: number;
  readonly cursor?: string | undefined;
  /** true: ascending sort key; false (default): newest first. */
  readonly ascending?: boolean;
}

export interface QueryPageResult extends Page<Record<string, unknown>> {
  /** How many Query calls this page took (> 1 when a 1 MB cut was crossed). */
  readonly queries: number;
}

export async function queryPage(doc: DynamoDBDocumentClient, input: QueryPageInput): Promise<QueryPageResult> {
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > 1000) {
    throw new RangeError(`limit must be an integer in [1, 1000] (got ${input.limit})`);
  }
  let startKey: Record<string, unknown> | undefined = decodeCursor(input.cursor, input.pk, input.skPrefix);
  const items: Record<string, unknown>[] = [];
  let queries = 0;
  do {
    let out;
    try {
      out = await doc.send(
        new QueryCommand({
          TableName: input.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': input.pk, ':prefix': input.skPrefix },
          ScanIndexForward: input.ascending ?? false,
          Limit: input.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
    } catch (error) {
      throw classifyError(error, 'Query');
    }
    queries++;
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined && items.length < input.limit);
  const cursor = encodeCursor(startKey);
  return cursor === undefined ? { items, queries } : { items, cursor, queries };
}
