/**
 * Webhook delivery dedupe: the first delivery of (provider, deliveryId) wins, later ones
 * are duplicates, for `ttlSeconds`.
 *
 * Item: pk WEBHOOK#<provider>#<deliveryId>, sk DELIVERY, `expiresAt` (epoch s, the TTL).
 * One conditional PutItem: it succeeds if the item is absent or already expired (DynamoDB
 * deletes expired items lazily, up to days later, so the condition checks expiresAt
 * itself). A failed condition means "duplicate". No read-then-write.
 *
 * Where something must happen after the dedupe (a hand-off to a queue), use the claim
 * protocol instead, so that a failure or a crash between the dedupe and the hand-off
 * does not turn the provider's retry into a "duplicate" and lose the delivery:
 *   claim    → 'claimed' (item written 'in-progress' with a lease), or 'in-progress'
 *              (someone else holds an unexpired lease), or 'completed' (a duplicate);
 *              an expired lease or an expired item can be claimed again;
 *   complete → marks it 'completed' once the hand-off succeeded;
 *   release  → deletes an 'in-progress' claim after a failed hand-off (a crash instead
 *              just lets the lease run out).
 * Each step is one conditional write; on a failed claim the item's state comes back
 * atomically with the error (ReturnValuesOnConditionCheckFailure), not from a re-read.
 */
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../../contracts/table-definition.ts';
import { classifyError, errorName } from './classify-error.ts';
import { epochSeconds, WEBHOOK_DELIVERY_SK, webhookDeliveryPk } from './keys.ts';
import { stringAttribute } from './number-attribute.ts';

export type DeliveryOutcome = 'first' | 'duplicate';
export type DeliveryClaim = 'claimed' | 'in-progress' | 'completed';

export interface WebhookDeliveryRepositoryOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
}

export interface WebhookDeliveryRepository {
  recordDelivery(provider: string, deliveryId: string, ttlSeconds: number): Promise<DeliveryOutcome>;
  claimDelivery(namespace: string, id: string, leaseSeconds: number, ttlSeconds: number): Promise<DeliveryClaim>;
  completeDelivery(namespace: string, id: string): Promise<void>;
  releaseDelivery(namespace: string, id: string): Promise<void>;
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

  async function claimDelivery(namespace: string, id: string, leaseSeconds: number, ttlSeconds: number): Promise<DeliveryClaim> {
    if (namespace === '' || id === '') throw new RangeError('namespace and id must be non-empty');
    if (!Number.isInteger(leaseSeconds) || leaseSeconds <= 0) throw new RangeError(`leaseSeconds must be a positive integer (got ${leaseSeconds})`);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= leaseSeconds) throw new RangeError(`ttlSeconds must be an integer above leaseSeconds (got ${ttlSeconds})`);
    const at = now();
    const nowSeconds = epochSeconds(at);
    try {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: webhookDeliveryPk(namespace, id),
            sk: WEBHOOK_DELIVERY_SK,
            provider: namespace,
            deliveryId: id,
            receivedAt: at.toISOString(),
            status: 'in-progress',
            leaseUntil: nowSeconds + leaseSeconds,
            [TTL_ATTRIBUTE]: nowSeconds + ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now OR (#status = :inProgress AND #lease <= :now)',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE, '#status': 'status', '#lease': 'leaseUntil' },
          ExpressionAttributeValues: { ':now': nowSeconds, ':inProgress': 'in-progress' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'claimed';
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw classifyError(error, 'PutItem (claimDelivery)');
      const item = (error as { Item?: Record<string, unknown> }).Item;
      // An item written by recordDelivery has no status: it is a completed delivery.
      return stringAttribute(item?.status) === 'in-progress' ? 'in-progress' : 'completed';
    }
  }

  async function completeDelivery(namespace: string, id: string): Promise<void> {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: webhookDeliveryPk(namespace, id), sk: WEBHOOK_DELIVERY_SK },
          UpdateExpression: 'SET #status = :completed REMOVE #lease',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status', '#lease': 'leaseUntil' },
          ExpressionAttributeValues: { ':completed': 'completed' },
        }),
      );
    } catch (error) {
      throw classifyError(error, 'UpdateItem (completeDelivery)');
    }
  }

  async function releaseDelivery(namespace: string, id: string): Promise<void> {
    try {
      await doc.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: webhookDeliveryPk(namespace, id), sk: WEBHOOK_DELIVERY_SK },
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': 'in-progress' },
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return; // completed or gone: nothing to release
      throw classifyError(error, 'DeleteItem (releaseDelivery)');
    }
  }

  return { recordDelivery, claimDelivery, completeDelivery, releaseDelivery };
}
