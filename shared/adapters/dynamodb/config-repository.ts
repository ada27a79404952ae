/**
 * Per-account configuration, versioned, with history and optimistic concurrency.
 *
 * Items (partition ACCOUNT#<id>):
 * - `CONFIG`                the current pointer: { version, config, updatedAt, updatedBy }
 * - `CONFIG#V#<000000000n>` one immutable history item per version
 * - `AUDIT#<iso>#<uuid>`    an audit item per change
 *
 * `putConfig` writes all three in one TransactWriteItems: the pointer moves from version
 * n to n+1 only if it is at n (or is absent, for n = 0); the history item must not exist.
 * Of concurrent writers on the same n exactly one wins; the others get a ConflictError
 * naming the current and the expected version. Transaction conflicts (contention, not a
 * failed condition) are retried and then end the same way.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { cancellationCodes, classifyError, errorName } from './classify-error.ts';
import type { Page } from './cursor.ts';
import { ConflictError, InvalidItemError } from './errors.ts';
import { numberAttribute } from './number-attribute.ts';
import { accountPk, auditSk, CONFIG_CURRENT_SK, CONFIG_VERSION_PREFIX, configVersionSk } from './keys.ts';
import { queryPage } from './query-pages.ts';
import { DEFAULT_TRANSACTION_RETRY, withRetries, type RetryOptions } from './retry.ts';

export interface ConfigRepositoryOptions<C> {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Validates a config before it is written and when it is read back. */
  readonly schema: z.ZodType<C>;
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly retry?: RetryOptions;
}

export interface VersionedConfig<C> {
  readonly accountId: string;
  readonly version: number;
  readonly config: C;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface ConfigRepository<C> {
  /**
   * Writes version expectedVersion+1 if the current version is expectedVersion (0: none yet);
   * returns the new version. `auditDetails` are added to the audit item (e.g. which part changed).
   */
  putConfig(accountId: string, config: C, expectedVersion: number, actor: string, auditDetails?: Record<string, unknown>): Promise<number>;
  /** The current configuration, or undefined if the account has none. */
  getConfig(accountId: string): Promise<VersionedConfig<C> | undefined>;
  /** Every version, newest first, `limit` per page. */
  listConfigHistory(accountId: string, options?: { limit?: number; cursor?: string }): Promise<Page<VersionedConfig<C>>>;
}

/**
 * @example
 * const configs = createConfigRepository({ doc, tableName, schema: AccountConfigDocumentSchema });
 * const v1 = await configs.putConfig('acc-1', config, 0, 'user:alice'); // 1
 * await configs.putConfig('acc-1', other, 0, 'user:bob');              // ConflictError: expected 0, current is 1
 */
export function createConfigRepository<C>(options: ConfigRepositoryOptions<C>): ConfigRepository<C> {
  const { doc, tableName, schema } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  const retry = options.retry ?? DEFAULT_TRANSACTION_RETRY;

  function parse(item: Record<string, unknown>, accountId: string): VersionedConfig<C> {
    const config = schema.safeParse(item.config);
    if (!config.success || typeof item.version !== 'number') {
      throw new InvalidItemError(`stored config of account ${accountId} (sk ${String(item.sk)}) does not match its schema`, {
        cause: config.error,
      });
    }
    return {
      accountId,
      version: item.version,
      config: config.data,
      updatedAt: String(item.updatedAt),
      updatedBy: String(item.updatedBy),
    };
  }

  async function putConfig(accountId: string, config: C, expectedVersion: number, actor: string, auditDetails: Record<string, unknown> = {}): Promise<number> {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new RangeError(`expectedVersion must be a non-negative integer (got ${expectedVersion})`);
    }
    const valid = schema.safeParse(config);
    if (!valid.success) throw new InvalidItemError(`config for account ${accountId} is invalid: ${valid.error.message}`, { cause: valid.error });
    const pk = accountPk(accountId);
    const version = expectedVersion + 1;
    const at = now();
    const updatedAt = at.toISOString();
    const current = {
      Update: {
        TableName: tableName,
        Key: { pk, sk: CONFIG_CURRENT_SK },
        UpdateExpression: 'SET #version = :version, #config = :config, updatedAt = :at, updatedBy = :actor',
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version', '#config': 'config' },
        ExpressionAttributeValues: {
          ':version': version,
          ':config': valid.data,
          ':at': updatedAt,
          ':actor': actor,
          ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    };
    const history = {
      Put: {
        TableName: tableName,
        Item: { pk, sk: configVersionSk(version), version, config: valid.data, updatedAt, updatedBy: actor },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const audit = {
      Put: {
        TableName: tableName,
        Item: {
          pk,
          sk: auditSk(at, newId()),
          action: 'config.updated',
          actor,
          at: updatedAt,
          details: { ...auditDetails, fromVersion: expectedVersion, toVersion: version },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    try {
      await withRetries(() => doc.send(new TransactWriteCommand({ TransactItems: [current, history, audit] })), retry);
      return version;
    } catch (error) {
      if (errorName(error) === 'TransactionCanceledException') {
        const codes = cancellationCodes(error);
        if (codes[0] === 'ConditionalCheckFailed' || codes[1] === 'ConditionalCheckFailed') {
          throw new ConflictError(`config of account ${accountId} changed`, expectedVersion, currentVersionFrom(error), { cause: error });
        }
      }
      throw classifyError(error, 'TransactWriteItems (putConfig)');
    }
  }

  async function getConfig(accountId: string): Promise<VersionedConfig<C> | undefined> {
    let out;
    try {
      out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk(accountId), sk: CONFIG_CURRENT_SK }, ConsistentRead: true }));
    } catch (error) {
      throw classifyError(error, 'GetItem (getConfig)');
    }
    return out.Item === undefined ? undefined : parse(out.Item, accountId);
  }

  async function listConfigHistory(
    accountId: string,
    page: { limit?: number; cursor?: string } = {},
  ): Promise<Page<VersionedConfig<C>>> {
    const result = await queryPage(doc, {
      tableName,
      pk: accountPk(accountId),
      skPrefix: CONFIG_VERSION_PREFIX,
      limit: page.limit ?? 25,
      cursor: page.cursor,
    });
    const items = result.items.map((item) => parse(item, accountId));
    return result.cursor === undefined ? { items } : { items, cursor: result.cursor };
  }

  return { putConfig, getConfig, listConfigHistory };
}

/** The pointer's version from the cancellation reason's ALL_OLD image: a number, null if absent, undefined if not sent. */
function currentVersionFrom(error: unknown): number | null | undefined {
  const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, unknown> }[] }).CancellationReasons;
  const first = reasons?.[0];
  if (first?.Code !== 'ConditionalCheckFailed') return undefined;
  if (first.Item === undefined) return null;
  return numberAttribute(first.Item.version);
}
