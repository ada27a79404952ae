/**
 * Transaction nonces per signer and chain: the counter shared by every concurrent Lambda
 * (viem's in-process nonce manager is not safe across processes).
 *
 * Item: pk SIGNER#<address lowercased>, sk NONCE#<chainId>, `next` = the next nonce to hand out.
 * - allocateNonce: one UpdateItem `ADD next :1` returning UPDATED_NEW; the allocated nonce
 *   is the new value − 1. Atomic: N concurrent callers get N distinct consecutive nonces.
 *   It requires the counter to exist (condition attribute_exists): the starting point
 *   must come from the chain (the pending transaction count), never be guessed as 0.
 * - resetNonce: reconciliation with the chain, conditional on the value the reconciler
 *   saw (`expectedNext`, or null to initialise), so a reset cannot silently undo
 *   allocations made in between: it fails with a ConflictError naming the current value.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { classifyError, errorName } from './classify-error.ts';
import { ConflictError, InvalidItemError, NonceNotInitialisedError } from './errors.ts';
import { nonceSk, signerPk } from './keys.ts';
import { numberAttribute } from './number-attribute.ts';

export interface NonceRepositoryOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
}

export interface NonceRepository {
  /** Hands out the next nonce for `signer` on `chainId`. */
  allocateNonce(signer: string, chainId: number): Promise<number>;
  /**
   * Sets the next nonce to `next` if the counter is at `expectedNext` (null: if it does not exist yet).
   * Throws ConflictError otherwise.
   */
  resetNonce(signer: string, chainId: number, next: number, expectedNext: number | null): Promise<void>;
}

/**
 * @example
 * const nonces = createNonceRepository({ doc, tableName });
 * await nonces.resetNonce('0xAbC…', 1, await client.getTransactionCount({ address, blockTag: 'pending' }), null);
 * const nonce = await nonces.allocateNonce('0xAbC…', 1);
 */
export function createNonceRepository(options: NonceRepositoryOptions): NonceRepository {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());

  async function allocateNonce(signer: string, chainId: number): Promise<number> {
    checkChainId(chainId);
    let out;
    try {
      out = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: signerPk(signer), sk: nonceSk(chainId) },
          UpdateExpression: 'ADD #next :one SET updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#next': 'next' },
          ExpressionAttributeValues: { ':one': 1, ':at': now().toISOString() },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') throw new NonceNotInitialisedError(signer, chainId);
      throw classifyError(error, 'UpdateItem (allocateNonce)');
    }
    const next = out.Attributes?.next;
    if (typeof next !== 'number') throw new InvalidItemError(`nonce counter of ${signer} on chain ${chainId} is not a number`);
    return next - 1;
  }

  async function resetNonce(signer: string, chainId: number, next: number, expectedNext: number | null): Promise<void> {
    checkChainId(chainId);
    if (!Number.isSafeInteger(next) || next < 0) throw new RangeError(`next must be a non-negative integer (got ${next})`);
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: signerPk(signer), sk: nonceSk(chainId) },
          UpdateExpression: 'SET #next = :next, updatedAt = :at, resetAt = :at',
          ConditionExpression: expectedNext === null ? 'attribute_not_exists(pk)' : '#next = :expected',
          ExpressionAttributeNames: { '#next': 'next' },
          ExpressionAttributeValues: {
            ':next': next,
            ':at': now().toISOString(),
            ...(expectedNext === null ? {} : { ':expected': expectedNext }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') {
        const item = (error as { Item?: Record<string, unknown> }).Item;
        throw new ConflictError(`nonce of ${signer} on chain ${chainId} moved`, expectedNext ?? 'absent', item === undefined ? null : numberAttribute(item.next), {
          cause: error,
        });
      }
      throw classifyError(error, 'UpdateItem (resetNonce)');
    }
  }

  return { allocateNonce, resetNonce };
}

function checkChainId(chainId: number): void {
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new RangeError(`chainId must be a positive integer (got ${chainId})`);
}

