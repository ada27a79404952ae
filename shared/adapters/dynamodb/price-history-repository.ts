/**
 * Price history per underlying for realised volatility; points expire through the TTL.
 *
 * Item: pk PRICE#<underlying>, sk T#<iso time>, `price`, `expiresAt` (epoch s).
 * Writing the same instant twice keeps one point (the last write), which is what a
 * re-read oracle value should do.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../../contracts/table-definition.ts';
import { classifyError } from './classify-error.ts';
import { epochSeconds, pricePk, PRICE_PREFIX, priceSk } from './keys.ts';
import { queryPage } from './query-pages.ts';

export interface PricePoint {
  readonly at: string;
  readonly price: number;
}

export interface PriceHistoryRepository {
  recordPrice(underlying: string, at: Date, price: number, ttlSeconds: number): Promise<void>;
  /** The most recent `limit` points, oldest first (the order a volatility estimator reads). */
  recentPrices(underlying: string, limit: number): Promise<PricePoint[]>;
}

/**
 * @example
 * await prices.recordPrice('ETH', new Date(), 3150.25, 7 * 86400);
 * const points = await prices.recentPrices('ETH', 288);
 */
export function createPriceHistoryRepository(options: { doc: DynamoDBDocumentClient; tableName: string }): PriceHistoryRepository {
  const { doc, tableName } = options;
  return {
    async recordPrice(underlying, at, price, ttlSeconds) {
      if (!Number.isFinite(price) || price <= 0) throw new RangeError(`price must be a positive finite number (got ${price})`);
      if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`ttlSeconds must be a positive integer (got ${ttlSeconds})`);
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: pricePk(underlying), sk: priceSk(at), at: at.toISOString(), price, [TTL_ATTRIBUTE]: epochSeconds(at) + ttlSeconds },
          }),
        );
      } catch (error) {
        throw classifyError(error, 'PutItem (recordPrice)');
      }
    },
    async recentPrices(underlying, limit) {
      const result = await queryPage(doc, { tableName, pk: pricePk(underlying), skPrefix: PRICE_PREFIX, limit });
      return result.items.map((item) => ({ at: String(item.at), price: Number(item.price) })).reverse();
    },
  };
}
