/**
 * Accounts: profile and status, the active-account index, and API-key hashes.
 *
 * Items:
 * - `ACCOUNT#<id>` / `PROFILE`        { accountId, displayName, contactEmail?, status, signer?, pause?, pauseRank?,
 *                                      createdAt, updatedAt, updatedBy }
 *                                      while active also gsi1pk `STATUS#active`, gsi1sk `ACCOUNT#<id>` (sparse
 *                                      index: pausing removes them, so the fan-out query reads active accounts only)
 * - `ACCOUNT#<id>` / `APIKEY#<keyId>` { keyId, keyHash, status 'active' | 'revoked', createdAt, revokedAt? }
 * - `APIKEY#<sha256>` / `APIKEY`      pointer { accountId, keyId }: an incoming key resolves with one GetItem
 * - `ACCOUNT#<id>` / `AUDIT#…`        an audit item per creation and status change
 * - `SIGNER#<address>` / `OWNER`      { accountId, ref }: the account a signer belongs to (one account per signer)
 *
 * Races are settled by the store, never read-then-write:
 * - createAccount: Put profile `attribute_not_exists(pk)` (+ audit) in one transaction: of
 *   concurrent creators of one id exactly one wins, the others get a ConflictError.
 * - pauseAccount / resumeAccount: Update profile + audit in one transaction. A pause
 *   records who made it (account < system < operator, as `pauseRank`); a pause replaces
 *   another only if it is at least as strong, and a resume lifts only a pause no stronger
 *   than the caller may lift, and a system pause only by its id (the acknowledgement):
 *   all three are conditions on the update, so a pause racing a resume is never lost.
 * - createAccountWithKey: createAccount's two puts + addApiKey's two puts (+ the signer's
 *   owner item, `attribute_not_exists`: a key can never sign for two accounts) in one
 *   transaction (the profile put's condition replaces the ConditionCheck): all or none.
 * - addApiKey: ConditionCheck profile exists + Put key `attribute_not_exists` + Put pointer
 *   `attribute_not_exists`: a hash (or key id) already taken ends in a ConflictError.
 * - revokeApiKey: Update key `status = active AND keyHash = :hash` + Delete pointer
 *   `accountId = :acc AND keyId = :key` in one transaction. The hash to delete is read
 *   first (it never changes once written); the conditions make a concurrent revoke a no-op.
 *
 * Every input is validated (zod) before any request is sent: InvalidItemError otherwise.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  AccountIdSchema,
  AccountStatusSchema,
  ActorSchema,
  ApiKeyHashSchema,
  ApiKeyIdSchema,
  NewAccountSchema,
  PageRequestSchema,
  type AccountStatus,
  type NewAccount,
} from '../../contracts/account-schema.ts';
import { SignerRefSchema, type SignerRef } from '../../contracts/execution-config.ts';
import { GSI1 } from '../../contracts/table-definition.ts';
import { cancellationCodes, classifyError, errorName } from './classify-error.ts';
import { ConflictError, InvalidItemError } from './errors.ts';
import { decodeGsi1Cursor, encodeGsi1Cursor, type Page } from './cursor.ts';
import {
  ACCOUNT_PROFILE_SK,
  accountPk,
  accountStatusGsi1Pk,
  accountStatusGsi1Sk,
  API_KEY_HASH_SK,
  apiKeyHashPk,
  apiKeySk,
  auditSk,
  SIGNER_OWNER_SK,
  signerPk,
} from './keys.ts';
import { DEFAULT_TRANSACTION_RETRY, withRetries, type RetryOptions } from './retry.ts';
import { parseInput, stringAttribute } from './validate-input.ts';

export interface AccountRepositoryOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly retry?: RetryOptions;
}

/** Who paused an account; each may lift its own kind of pause and the weaker ones. */
export type PauseAuthority = 'account' | 'system' | 'operator';
const PAUSE_RANK: Readonly<Record<PauseAuthority, number>> = { account: 1, system: 2, operator: 3 };

export interface AccountPause {
  readonly by: PauseAuthority;
  /** Why, in words (shown to the account and the operator). */
  readonly reason: string;
  /** A machine-readable cause for system pauses (e.g. FAILURE_STREAK). */
  readonly code?: string;
  /** What an account quotes to acknowledge a system pause when it resumes. */
  readonly pauseId: string;
  readonly at: string;
}

/** The key an account hedges from, and its address on every EVM chain. */
export interface AccountSigner {
  readonly ref: SignerRef;
  readonly address: string;
}

export interface Account {
  readonly accountId: string;
  readonly displayName: string;
  readonly contactEmail?: string;
  readonly status: AccountStatus;
  readonly signer?: AccountSigner;
  /** While paused: who paused it and why. */
  readonly pause?: AccountPause;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface PauseRequest {
  readonly by: PauseAuthority;
  readonly reason: string;
  readonly code?: string;
}

export interface ResumeRequest {
  /** The strongest pause the caller may lift: 'account' (its own), 'system' (with `pauseId`), 'operator' (anything). */
  readonly upTo: PauseAuthority;
  /** A system pause is lifted by an account only with its id (the account has read it): required when upTo is 'system'. */
  readonly pauseId?: string;
  /** Audited with the resume (the account's acknowledgement, or the operator's note). */
  readonly note?: string;
}

/** Why a resume was refused; `pause` is the pause in force. */
export class ResumeRefusedError extends Error {
  readonly code = 'RESUME_REFUSED';
  constructor(
    message: string,
    readonly pause: AccountPause | undefined,
  ) {
    super(message);
    this.name = 'ResumeRefusedError';
  }
}

export interface ApiKeyOwner {
  readonly accountId: string;
  readonly keyId: string;
}

export interface AccountRepository {
  /** Creates the account, status 'active'. ConflictError if the id exists. */
  createAccount(profile: NewAccount, actor: string): Promise<Account>;
  getAccount(accountId: string): Promise<Account | undefined>;
  /**
   * Pauses the account (removes it from the active index) with an audit item, unless a
   * stronger pause is in force ('kept': that one stays). ConflictError if the account does not exist.
   */
  pauseAccount(accountId: string, pause: PauseRequest, actor: string): Promise<'paused' | 'kept'>;
  /**
   * Lifts the pause if the caller may (`upTo`, and for a system pause lifted by the account
   * its `pauseId`), with an audit item; 'already-active' when it was not paused.
   * ResumeRefusedError when the pause is stronger or the id is not the current pause's;
   * ConflictError if the account does not exist.
   */
  resumeAccount(accountId: string, request: ResumeRequest, actor: string): Promise<'resumed' | 'already-active'>;
  /** Active accounts in account-id order, `limit` (default 100) per page. Reads the index: eventually consistent. */
  listActiveAccounts(options?: { limit?: number; cursor?: string }): Promise<Page<Account>>;
  /**
   * Creates the account (status 'active') and its first API key in ONE transaction: profile,
   * audit item, key item and hash pointer are all written or none is. ConflictError if the id
   * exists or the hash is taken (then nothing is written: never an account without a key).
   */
  createAccountWithKey(profile: NewAccount, actor: string, key: { keyId: string; hash: string }, signer?: AccountSigner): Promise<Account>;
  /** Registers the SHA-256 of a new API key. ConflictError if the account is absent, or the key id or the hash is taken. */
  addApiKey(accountId: string, keyId: string, keyHash: string): Promise<void>;
  /** Revokes a key: its hash no longer resolves. 'already-revoked' when it was; ConflictError if the key does not exist. */
  revokeApiKey(accountId: string, keyId: string): Promise<'revoked' | 'already-revoked'>;
  /** The account and key id of an active key's hash (strongly consistent read), undefined otherwise. */
  findAccountByKeyHash(keyHash: string): Promise<ApiKeyOwner | undefined>;
}

const AddressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const StoredSignerSchema = z.object({ ref: SignerRefSchema, address: AddressSchema });
const StoredPauseSchema = z.object({
  by: z.enum(['account', 'system', 'operator']),
  reason: z.string(),
  code: z.string().exactOptional(),
  pauseId: z.string(),
  at: z.string(),
});

const StoredAccountSchema = z.object({
  accountId: AccountIdSchema,
  displayName: z.string(),
  contactEmail: z.string().exactOptional(),
  status: AccountStatusSchema,
  signer: StoredSignerSchema.exactOptional(),
  pause: StoredPauseSchema.exactOptional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});

const PauseRequestSchema = z.strictObject({ by: z.enum(['account', 'system', 'operator']), reason: z.string().min(1).max(500), code: z.string().min(1).max(64).exactOptional() });
const ResumeRequestSchema = z.strictObject({
  upTo: z.enum(['account', 'system', 'operator']),
  pauseId: z.string().min(1).max(100).exactOptional(),
  note: z.string().min(1).max(500).exactOptional(),
});

const StoredApiKeySchema = z.object({ keyId: z.string(), keyHash: ApiKeyHashSchema, status: z.enum(['active', 'revoked']) });

const StoredPointerSchema = z.object({ accountId: z.string(), keyId: z.string() });

const ACTIVE_GSI1PK = accountStatusGsi1Pk('active');

/**
 * @example
 * const accounts = createAccountRepository({ doc, tableName });
 * await accounts.createAccount({ accountId: 'acc-1', displayName: 'Desk 1' }, 'user:alice');
 * await accounts.addApiKey('acc-1', 'key-1', createHash('sha256').update(apiKey).digest('hex'));
 * await accounts.findAccountByKeyHash(hash); // { accountId: 'acc-1', keyId: 'key-1' }
 */
export function createAccountRepository(options: AccountRepositoryOptions): AccountRepository {
  const { doc, tableName } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? randomUUID;
  const retry = options.retry ?? DEFAULT_TRANSACTION_RETRY;

  function parseAccount(item: Record<string, unknown>): Account {
    const parsed = StoredAccountSchema.safeParse(item);
    if (!parsed.success) throw new InvalidItemError(`stored account (pk ${String(item.pk)}) does not match its schema`, { cause: parsed.error });
    return parsed.data as Account;
  }

  function auditPut(accountId: string, at: Date, action: string, actor: string, details: Record<string, unknown>) {
    return {
      Put: {
        TableName: tableName,
        Item: { pk: accountPk(accountId), sk: auditSk(at, newId()), action, actor, at: at.toISOString(), details },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  async function transact(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<void> {
    await withRetries(() => doc.send(new TransactWriteCommand({ TransactItems: items })), retry);
  }

  async function createAccount(profile: NewAccount, actor: string): Promise<Account> {
    const valid = parseInput(NewAccountSchema, profile, 'account profile');
    const by = parseInput(ActorSchema, actor, 'actor');
    const at = now();
    const iso = at.toISOString();
    const account: Account = { ...valid, status: 'active', createdAt: iso, updatedAt: iso, updatedBy: by };
    try {
      await transact([
        {
          Put: {
            TableName: tableName,
            Item: {
              pk: accountPk(valid.accountId),
              sk: ACCOUNT_PROFILE_SK,
              ...account,
              gsi1pk: ACTIVE_GSI1PK,
              gsi1sk: accountStatusGsi1Sk(valid.accountId),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        auditPut(valid.accountId, at, 'account.created', by, { status: 'active' }),
      ]);
      return account;
    } catch (error) {
      if (errorName(error) === 'TransactionCanceledException' && cancellationCodes(error)[0] === 'ConditionalCheckFailed') {
        const current = stringAttribute(cancellationItem(error, 0)?.status);
        throw new ConflictError(`account ${valid.accountId} already exists`, 'absent', current, { cause: error });
      }
      throw classifyError(error, 'TransactWriteItems (createAccount)');
    }
  }

  async function createAccountWithKey(profile: NewAccount, actor: string, apiKey: { keyId: string; hash: string }, accountSigner?: AccountSigner): Promise<Account> {
    const valid = parseInput(NewAccountSchema, profile, 'account profile');
    const by = parseInput(ActorSchema, actor, 'actor');
    const key = parseInput(ApiKeyIdSchema, apiKey.keyId, 'key id');
    const hash = parseInput(ApiKeyHashSchema, apiKey.hash, 'key hash');
    const signer = accountSigner === undefined ? undefined : parseInput(StoredSignerSchema, accountSigner, 'account signer');
    const at = now();
    const iso = at.toISOString();
    const account: Account = { ...valid, status: 'active', ...(signer === undefined ? {} : { signer }), createdAt: iso, updatedAt: iso, updatedBy: by };
    try {
      await transact([
        {
          Put: {
            TableName: tableName,
            Item: { pk: accountPk(valid.accountId), sk: ACCOUNT_PROFILE_SK, ...account, gsi1pk: ACTIVE_GSI1PK, gsi1sk: accountStatusGsi1Sk(valid.accountId) },
            ConditionExpression: 'attribute_not_exists(pk)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        auditPut(valid.accountId, at, 'account.created', by, { status: 'active', keyId: key, ...(signer === undefined ? {} : { signerAddress: signer.address }) }),
        {
          Put: {
            TableName: tableName,
            Item: { pk: accountPk(valid.accountId), sk: apiKeySk(key), keyId: key, keyHash: hash, status: 'active', createdAt: iso },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { pk: apiKeyHashPk(hash), sk: API_KEY_HASH_SK, accountId: valid.accountId, keyId: key, createdAt: iso },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...(signer === undefined
          ? []
          : [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: signerPk(signer.address), sk: SIGNER_OWNER_SK, accountId: valid.accountId, ref: signer.ref, createdAt: iso },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ]),
      ]);
      return account;
    } catch (error) {
      if (errorName(error) === 'TransactionCanceledException') {
        const codes = cancellationCodes(error);
        if (codes[0] === 'ConditionalCheckFailed') {
          const current = stringAttribute(cancellationItem(error, 0)?.status);
          throw new ConflictError(`account ${valid.accountId} already exists`, 'absent', current, { cause: error });
        }
        if (codes[3] === 'ConditionalCheckFailed') throw new ConflictError('api key hash already registered', 'unused', 'in use', { cause: error });
        if (codes[4] === 'ConditionalCheckFailed') throw new ConflictError(`signer ${signer?.address} already belongs to an account`, 'unused', 'in use', { cause: error });
        if (codes[2] === 'ConditionalCheckFailed') {
          throw new ConflictError(`api key ${key} of account ${valid.accountId} already exists`, 'absent', 'exists', { cause: error });
        }
      }
      throw classifyError(error, 'TransactWriteItems (createAccountWithKey)');
    }
  }

  async function getAccount(accountId: string): Promise<Account | undefined> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    let out;
    try {
      out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk(id), sk: ACCOUNT_PROFILE_SK }, ConsistentRead: true }));
    } catch (error) {
      throw classifyError(error, 'GetItem (getAccount)');
    }
    return out.Item === undefined ? undefined : parseAccount(out.Item);
  }

  async function pauseAccount(accountId: string, request: PauseRequest, actor: string): Promise<'paused' | 'kept'> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    const by = parseInput(ActorSchema, actor, 'actor');
    const valid = parseInput(PauseRequestSchema, request, 'pause');
    const at = now();
    const pause: AccountPause = { by: valid.by, reason: valid.reason, ...(valid.code === undefined ? {} : { code: valid.code }), pauseId: `pause-${newId()}`, at: at.toISOString() };
    try {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: { pk: accountPk(id), sk: ACCOUNT_PROFILE_SK },
            UpdateExpression: 'SET #status = :paused, #pause = :pause, pauseRank = :rank, updatedAt = :at, updatedBy = :actor REMOVE gsi1pk, gsi1sk',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(pauseRank) OR #status = :active OR pauseRank <= :rank)',
            ExpressionAttributeNames: { '#status': 'status', '#pause': 'pause' },
            ExpressionAttributeValues: { ':paused': 'paused', ':active': 'active', ':pause': pause, ':rank': PAUSE_RANK[valid.by], ':at': pause.at, ':actor': by },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        auditPut(id, at, 'account.paused', by, { status: 'paused', pause }),
      ]);
      return 'paused';
    } catch (error) {
      if (errorName(error) === 'TransactionCanceledException' && cancellationCodes(error)[0] === 'ConditionalCheckFailed') {
        if (cancellationItem(error, 0) === undefined) throw new ConflictError(`account ${id} does not exist`, 'exists', null, { cause: error });
        return 'kept';
      }
      throw classifyError(error, 'TransactWriteItems (pauseAccount)');
    }
  }

  async function resumeAccount(accountId: string, request: ResumeRequest, actor: string): Promise<'resumed' | 'already-active'> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    const by = parseInput(ActorSchema, actor, 'actor');
    const valid = parseInput(ResumeRequestSchema, request, 'resume');
    const at = now();
    const mustName = valid.upTo === 'system';
    if (mustName && valid.pauseId === undefined) throw new InvalidItemError('resuming from a system pause below operator rank needs the pause id');
    try {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: { pk: accountPk(id), sk: ACCOUNT_PROFILE_SK },
            UpdateExpression: 'SET #status = :active, updatedAt = :at, updatedBy = :actor, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk REMOVE #pause, pauseRank',
            ConditionExpression: `attribute_exists(pk) AND #status = :paused AND (attribute_not_exists(pauseRank) OR pauseRank <= :rank${mustName ? ' AND (pauseRank < :rank OR #pause.pauseId = :pauseId)' : ''})`,
            ExpressionAttributeNames: { '#status': 'status', '#pause': 'pause' },
            ExpressionAttributeValues: {
              ':active': 'active',
              ':paused': 'paused',
              ':rank': PAUSE_RANK[valid.upTo],
              ':at': at.toISOString(),
              ':actor': by,
              ':gsi1pk': ACTIVE_GSI1PK,
              ':gsi1sk': accountStatusGsi1Sk(id),
              ...(mustName ? { ':pauseId': valid.pauseId } : {}),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        auditPut(id, at, 'account.resumed', by, { status: 'active', upTo: valid.upTo, ...(valid.pauseId === undefined ? {} : { pauseId: valid.pauseId }), ...(valid.note === undefined ? {} : { note: valid.note }) }),
      ]);
      return 'resumed';
    } catch (error) {
      if (errorName(error) === 'TransactionCanceledException' && cancellationCodes(error)[0] === 'ConditionalCheckFailed') {
        if (cancellationItem(error, 0) === undefined) throw new ConflictError(`account ${id} does not exist`, 'exists', null, { cause: error });
        // Why it was refused, for the message only (the decision was the condition's): the account as it is now.
        const now = await getAccount(id);
        if (now === undefined) throw new ConflictError(`account ${id} does not exist`, 'exists', null, { cause: error });
        if (now.status === 'active') return 'already-active';
        const current = now.pause;
        if (current !== undefined && PAUSE_RANK[current.by] > PAUSE_RANK[valid.upTo]) {
          throw new ResumeRefusedError(`account ${id} was paused by the ${current.by} (${current.reason}): only the ${current.by === 'operator' ? 'operator' : 'operator, or the account acknowledging the pause,'} can resume it`, current);
        }
        throw new ResumeRefusedError(`account ${id} is paused by the system (${current?.reason ?? 'no reason recorded'}): acknowledge pause ${current?.pauseId ?? '?'} to resume`, current);
      }
      throw classifyError(error, 'TransactWriteItems (resumeAccount)');
    }
  }

  async function listActiveAccounts(page: { limit?: number; cursor?: string } = {}): Promise<Page<Account>> {
    const request = parseInput(PageRequestSchema, page, 'page request');
    const limit = request.limit ?? 100;
    let startKey: Record<string, unknown> | undefined = decodeGsi1Cursor(request.cursor, ACTIVE_GSI1PK);
    const items: Account[] = [];
    // Like queryPage: keep querying past the 1 MB cut until the page is full or the index partition ends.
    do {
      let out;
      try {
        out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: GSI1.name,
            KeyConditionExpression: '#gpk = :gpk',
            ExpressionAttributeNames: { '#gpk': GSI1.partitionKey },
            ExpressionAttributeValues: { ':gpk': ACTIVE_GSI1PK },
            ScanIndexForward: true,
            Limit: limit - items.length,
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw classifyError(error, 'Query gsi1 (listActiveAccounts)');
      }
      items.push(...(out.Items ?? []).map(parseAccount));
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < limit);
    const cursor = encodeGsi1Cursor(startKey);
    return cursor === undefined ? { items } : { items, cursor };
  }

  async function addApiKey(accountId: string, keyId: string, keyHash: string): Promise<void> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    const key = parseInput(ApiKeyIdSchema, keyId, 'key id');
    const hash = parseInput(ApiKeyHashSchema, keyHash, 'key hash');
    const createdAt = now().toISOString();
    try {
      await transact([
        { ConditionCheck: { TableName: tableName, Key: { pk: accountPk(id), sk: ACCOUNT_PROFILE_SK }, ConditionExpression: 'attribute_exists(pk)' } },
        {
          Put: {
            TableName: tableName,
            Item: { pk: accountPk(id), sk: apiKeySk(key), keyId: key, keyHash: hash, status: 'active', createdAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { pk: apiKeyHashPk(hash), sk: API_KEY_HASH_SK, accountId: id, keyId: key, createdAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
    } catch (error) {
      if (errorName(error) === 'TransactionCanceledException') {
        const codes = cancellationCodes(error);
        if (codes[0] === 'ConditionalCheckFailed') throw new ConflictError(`account ${id} does not exist`, 'exists', null, { cause: error });
        if (codes[2] === 'ConditionalCheckFailed') throw new ConflictError('api key hash already registered', 'unused', 'in use', { cause: error });
        if (codes[1] === 'ConditionalCheckFailed') throw new ConflictError(`api key ${key} of account ${id} already exists`, 'absent', 'exists', { cause: error });
      }
      throw classifyError(error, 'TransactWriteItems (addApiKey)');
    }
  }

  async function revokeApiKey(accountId: string, keyId: string): Promise<'revoked' | 'already-revoked'> {
    const id = parseInput(AccountIdSchema, accountId, 'account id');
    const key = parseInput(ApiKeyIdSchema, keyId, 'key id');
    let out;
    try {
      out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: accountPk(id), sk: apiKeySk(key) }, ConsistentRead: true }));
    } catch (error) {
      throw classifyError(error, 'GetItem (revokeApiKey)');
    }
    if (out.Item === undefined) throw new ConflictError(`api key ${key} of account ${id} does not exist`, 'exists', null);
    const stored = StoredApiKeySchema.safeParse(out.Item);
    if (!stored.success) throw new InvalidItemError(`stored api key ${key} of account ${id} does not match its schema`, { cause: stored.error });
    if (stored.data.status === 'revoked') return 'already-revoked';
    try {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: { pk: accountPk(id), sk: apiKeySk(key) },
            UpdateExpression: 'SET #status = :revoked, revokedAt = :at',
            ConditionExpression: '#status = :active AND keyHash = :hash',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':revoked': 'revoked', ':active': 'active', ':hash': stored.data.keyHash, ':at': now().toISOString() },
          },
        },
        {
          Delete: {
            TableName: tableName,
            Key: { pk: apiKeyHashPk(stored.data.keyHash), sk: API_KEY_HASH_SK },
            ConditionExpression: 'accountId = :account AND keyId = :key',
            ExpressionAttributeValues: { ':account': id, ':key': key },
          },
        },
      ]);
      return 'revoked';
    } catch (error) {
      if (errorName(error) === 'TransactionCanceledException') {
        const codes = cancellationCodes(error);
        // The key is no longer active: a concurrent revoke won, and did the same thing.
        if (codes[0] === 'ConditionalCheckFailed') return 'already-revoked';
        if (codes[1] === 'ConditionalCheckFailed') {
          throw new ConflictError(`api key ${key} of account ${id}: its hash pointer`, 'present', null, { cause: error });
        }
      }
      throw classifyError(error, 'TransactWriteItems (revokeApiKey)');
    }
  }

  async function findAccountByKeyHash(keyHash: string): Promise<ApiKeyOwner | undefined> {
    const hash = parseInput(ApiKeyHashSchema, keyHash, 'key hash');
    let out;
    try {
      out = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: apiKeyHashPk(hash), sk: API_KEY_HASH_SK }, ConsistentRead: true }));
    } catch (error) {
      throw classifyError(error, 'GetItem (findAccountByKeyHash)');
    }
    if (out.Item === undefined) return undefined;
    const pointer = StoredPointerSchema.safeParse(out.Item);
    if (!pointer.success) throw new InvalidItemError('stored api key pointer does not match its schema', { cause: pointer.error });
    return { accountId: pointer.data.accountId, keyId: pointer.data.keyId };
  }

  return { createAccount, createAccountWithKey, getAccount, pauseAccount, resumeAccount, listActiveAccounts, addApiKey, revokeApiKey, findAccountByKeyHash };
}

/** The ALL_OLD image of the transaction item at `index`, when the store sent one. */
function cancellationItem(error: unknown, index: number): Record<string, unknown> | undefined {
  const reasons = (error as { CancellationReasons?: { Item?: Record<string, unknown> }[] }).CancellationReasons;
  return reasons?.[index]?.Item;
}
