/**
 * Webhook delivery dedupe: the first delivery of (provider, deliveryId) wins, later ones
 * are duplicates, for `ttlSeconds`.
 *
 * Item: pk WEBHOOK#<provider>#<deliveryId>, sk DELIVERY, `expiresAt` (epoch s, the TTL).
 * One conditional PutItem: it succeeds if the item is absent or already expired (DynamoDB
 * deletes expired items lazily, up to days later, so the condition checks expiresAt
 * itself). A failed condition means "duplicate". No read-then-write.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../../contracts/table-definition.ts';
import { classifyError, errorName } from './classify-error.ts';
import { epochSeconds, WEBHOOK_DELIVERY_SK, webhookDeliveryPk } from './keys.ts';

export type DeliveryOutcome = 'first' | 'duplicate';

export interface WebhookDeliveryRepositoryOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
}

export interface WebhookDeliveryRepository {
  recordDelivery(provider: string, deliveryId: string, ttlSeconds: number): Promise<DeliveryOutcome>;
}

/**
 * @example
 * const deliveries = createWebhookDeliveryRepository({ doc, tableName });
 * if ((await deliveries.recordDelivery('alchemy', id, 7 * 86400)) === 'duplicate') return ok();
 */
export function createWebhookDeliveryRepository(options: WebhookDeliveryRepositoryOptions): WebhookDeliveryRepository {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());

  async function recordDelivery(provider: string, deliveryId: string, ttlSeconds: number): Promise<DeliveryOutcome> {
    if (provider === '' || deliveryId === '') throw new RangeError('provider and deliveryId must be non-empty');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`ttlSeconds must be a positive integer (got ${ttlSeconds})`);
    const at = now();
    const nowSeconds = epochSeconds(at);
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: webhookDeliveryPk(provider, deliveryId),
            sk: WEBHOOK_DELIVERY_SK,
            provider,
            deliveryId,
            receivedAt: at.toISOString(),
            [TTL_ATTRIBUTE]: nowSeconds + ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return 'first';
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return 'duplicate';
      throw classifyError(error, 'PutItem (recordDelivery)');
    }
  }

  return { recordDelivery };
}
