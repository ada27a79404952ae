/**
 * createAccountWithKey against DynamoDB Local: the profile, its audit item, the key item and
 * the hash pointer are written in one TransactWriteItems, so a conflict on any of them
 * (a hash already registered, an id already taken) writes nothing: never an account without a key.
 */
import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createAccountRepository } from '../../../shared/adapters/dynamodb/account-repository.ts';
import { ConflictError, InvalidItemError } from '../../../shared/adapters/dynamodb/errors.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const sha256 = (key: string): string => createHash('sha256').update(key).digest('hex');

const ddb = useDynamoDbLocal();

describe('account repository: createAccountWithKey', () => {
  const accounts = () => createAccountRepository(ddb());

  /** Every item under the account's partition (profile, audit, keys). */
  async function itemsOf(accountId: string): Promise<Record<string, unknown>[]> {
    const { doc, tableName } = ddb();
    const out = await doc.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}` }, ConsistentRead: true }),
    );
    return out.Items ?? [];
  }

  it('writes the profile, the audit item, the key and the hash pointer together', async () => {
    const repo = accounts();
    const hash = sha256('atomic-key-1');
    const created = await repo.createAccountWithKey({ accountId: 'acc-atomic', displayName: 'A' }, 'admin', { keyId: 'key-1', hash });
    expect(created).toMatchObject({ accountId: 'acc-atomic', status: 'active', updatedBy: 'admin' });
    expect(await repo.getAccount('acc-atomic')).toEqual(created);
    expect(await repo.findAccountByKeyHash(hash)).toEqual({ accountId: 'acc-atomic', keyId: 'key-1' });
    const sks = (await itemsOf('acc-atomic')).map((item) => String(item.sk));
    expect(sks.filter((sk) => sk.startsWith('AUDIT#'))).toHaveLength(1);
    expect(sks).toEqual(expect.arrayContaining(['PROFILE', 'APIKEY#key-1']));
    expect((await repo.listActiveAccounts()).items.map((a) => a.accountId)).toContain('acc-atomic');
  });

  it('a hash collision fails the whole creation: no profile, no audit, no key, the pointer unchanged', async () => {
    const repo = accounts();
    const hash = sha256('colliding-key');
    await repo.createAccountWithKey({ accountId: 'acc-owner', displayName: 'Owner' }, 'admin', { keyId: 'key-o', hash });
    const error = await repo.createAccountWithKey({ accountId: 'acc-late', displayName: 'Late' }, 'admin', { keyId: 'key-l', hash }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ expected: 'unused', retryable: false });
    expect((error as Error).message).toContain('hash already registered');
    expect(await repo.getAccount('acc-late')).toBeUndefined();
    expect(await itemsOf('acc-late')).toEqual([]);
    expect((await repo.listActiveAccounts()).items.map((a) => a.accountId)).not.toContain('acc-late');
    expect(await repo.findAccountByKeyHash(hash)).toEqual({ accountId: 'acc-owner', keyId: 'key-o' });
    // The id is still free: a retry with a fresh key succeeds.
    await repo.createAccountWithKey({ accountId: 'acc-late', displayName: 'Late' }, 'admin', { keyId: 'key-l', hash: sha256('fresh-key') });
    expect(await repo.findAccountByKeyHash(sha256('fresh-key'))).toEqual({ accountId: 'acc-late', keyId: 'key-l' });
  });

  it('an existing account id fails the creation and registers no hash', async () => {
    const repo = accounts();
    await repo.createAccountWithKey({ accountId: 'acc-taken', displayName: 'First' }, 'admin', { keyId: 'key-1', hash: sha256('taken-1') });
    const before = await itemsOf('acc-taken');
    const error = await repo
      .createAccountWithKey({ accountId: 'acc-taken', displayName: 'Second' }, 'admin', { keyId: 'key-2', hash: sha256('taken-2') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ expected: 'absent', current: 'active' });
    expect(await repo.findAccountByKeyHash(sha256('taken-2'))).toBeUndefined();
    expect(await itemsOf('acc-taken')).toEqual(before);
  });

  it('validates every input before writing', async () => {
    const repo = accounts();
    await expect(repo.createAccountWithKey({ accountId: 'acc-inv', displayName: 'I' }, 'admin', { keyId: 'key#1', hash: sha256('x') })).rejects.toBeInstanceOf(
      InvalidItemError,
    );
    await expect(repo.createAccountWithKey({ accountId: 'acc-inv', displayName: 'I' }, 'admin', { keyId: 'key-1', hash: 'plaintext' })).rejects.toBeInstanceOf(
      InvalidItemError,
    );
    expect(await itemsOf('acc-inv')).toEqual([]);
  });
});
