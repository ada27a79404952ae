/**
 * Request budgets per caller: a fixed window of `windowMs` per subject, counted in the
 * table so every Lambda instance sees the same count.
 *
 * Item: pk RATE#<subject>, sk W#<window start, ms>, { hits, expiresAt } (TTL: a minute
 * after the window ends). One UpdateItem per request: ADD hits 1 under the condition that
 * the window still has room, so concurrent requests can never take more than `limit`
 * (the store decides, not a read). A refused request learns when the window ends.
 *
 * @example
 * const limits = createRateLimitRepository({ doc, tableName });
 * await limits.take('key:3f2a…', 300, 60_000); // { allowed: true } or { allowed: false, retryAfterSeconds: 12 }
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../../contracts/table-definition.ts';
import { classifyError, errorName } from './classify-error.ts';
import { epochSeconds, ratePk, rateWindowSk } from './keys.ts';

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

export interface RateLimitRepository {
  /** Counts one request of `subject` against `limit` per window; refused (nothing counted) when the window is full. */
  take(subject: string, limit: number, windowMs: number): Promise<RateDecision>;
}

export function createRateLimitRepository(options: { readonly doc: DynamoDBDocumentClient; readonly tableName: string; readonly now?: () => Date }): RateLimitRepository {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());
  return {
    async take(subject, limit, windowMs) {
      if (!/^[a-z]+:[A-Za-z0-9.:_-]{1,128}$/.test(subject)) throw new RangeError('a rate subject is "<kind>:<id>" of safe characters');
      if (!Number.isInteger(limit) || limit <= 0 || !Number.isInteger(windowMs) || windowMs <= 0) throw new RangeError('limit and windowMs must be positive integers');
      const nowMs = now().getTime();
      const windowStart = nowMs - (nowMs % windowMs);
      const windowEnd = windowStart + windowMs;
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: ratePk(subject), sk: rateWindowSk(windowStart) },
            UpdateExpression: 'ADD hits :one SET #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': epochSeconds(new Date(windowEnd + 60_000)) },
          }),
        );
        return { allowed: true };
      } catch (error) {
        if (errorName(error) === 'ConditionalCheckFailedException') return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - nowMs) / 1000)) };
        throw classifyError(error, 'UpdateItem (rate limit)');
      }
    },
  };
}
