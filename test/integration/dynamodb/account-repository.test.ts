/**
 * Accounts and API-key hashes against DynamoDB Local: conditional puts and transactions
 * under real concurrency, the sparse active-account index paged with a cursor, and
 * input validation before any write.
 */
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createAccountRepository } from '../../../shared/adapters/dynamodb/account-repository.ts';
import { createAuditLogRepository } from '../../../shared/adapters/dynamodb/audit-log-repository.ts';
import { ConflictError, InvalidCursorError, InvalidItemError } from '../../../shared/adapters/dynamodb/errors.ts';
import type { NewAccount } from '../../../shared/contracts/account-schema.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const sha256 = (key: string): string => createHash('sha256').update(key).digest('hex');

// One DynamoDB Local (one JVM) for the whole file; tests use distinct keys.
const ddb = useDynamoDbLocal();

describe('account repository', () => {
  const repos = () => {
    const { doc, tableName } = ddb();
    return { accounts: createAccountRepository({ doc, tableName }), audit: createAuditLogRepository({ doc, tableName }) };
  };

  it('creates an active account and reads it back', async () => {
    const { accounts, audit } = repos();
    expect(await accounts.getAccount('acc-new')).toBeUndefined();
    const created = await accounts.createAccount({ accountId: 'acc-new', displayName: 'Desk 1', contactEmail: 'ops@example.com' }, 'user:alice');
    expect(created).toMatchObject({ accountId: 'acc-new', status: 'active', updatedBy: 'user:alice' });
    expect(await accounts.getAccount('acc-new')).toEqual(created);
    const events = await audit.listAuditEvents('acc-new');
    expect(events.items).toMatchObject([{ action: 'account.created', actor: 'user:alice', details: { status: 'active' } }]);
  });

  it('two concurrent creations of one id: one wins, the other gets a ConflictError', async () => {
    const { accounts } = repos();
    const results = await Promise.allSettled([
      accounts.createAccount({ accountId: 'acc-dup', displayName: 'first' }, 'a'),
      accounts.createAccount({ accountId: 'acc-dup', displayName: 'second' }, 'b'),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(ConflictError);
    expect(lost[0]?.reason).toMatchObject({ expected: 'absent', retryable: false });
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect((await accounts.getAccount('acc-dup'))?.displayName).toBe(winner === 0 ? 'first' : 'second');
    // And sequentially, the store names the current status.
    const again = await accounts.createAccount({ accountId: 'acc-dup', displayName: 'third' }, 'c').catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect(again).toMatchObject({ current: 'active' });
  });

  it('pauses and resumes with an audit item per change; an unknown account is a ConflictError and writes nothing', async () => {
    const { accounts, audit } = repos();
    await accounts.createAccount({ accountId: 'acc-status', displayName: 'S' }, 'user:alice');
    await accounts.setAccountStatus('acc-status', 'paused', 'user:bob');
    expect(await accounts.getAccount('acc-status')).toMatchObject({ status: 'paused', updatedBy: 'user:bob' });
    await accounts.setAccountStatus('acc-status', 'active', 'user:carol');
    expect(await accounts.getAccount('acc-status')).toMatchObject({ status: 'active', updatedBy: 'user:carol' });
    const events = await audit.listAuditEvents('acc-status');
    expect(events.items.map((e) => [e.action, e.actor, e.details.status])).toEqual([
      ['account.status', 'user:carol', 'active'],
      ['account.status', 'user:bob', 'paused'],
      ['account.created', 'user:alice', 'active'],
    ]);
    await expect(accounts.setAccountStatus('acc-ghost', 'paused', 'user:bob')).rejects.toBeInstanceOf(ConflictError);
    expect(await accounts.getAccount('acc-ghost')).toBeUndefined();
    expect((await audit.listAuditEvents('acc-ghost')).items).toEqual([]);
  });

  it('lists active accounts page by page with a cursor, paused ones excluded', async () => {
    const { accounts } = repos();
    const ids = Array.from({ length: 9 }, (_, i) => `pg-${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((accountId) => accounts.createAccount({ accountId, displayName: accountId }, 'seed')));
    await accounts.setAccountStatus('pg-02', 'paused', 'ops');
    await accounts.setAccountStatus('pg-05', 'paused', 'ops');
    await accounts.setAccountStatus('pg-07', 'paused', 'ops');
    await accounts.setAccountStatus('pg-07', 'active', 'ops');

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await accounts.listActiveAccounts(cursor === undefined ? { limit: 2 } : { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      for (const account of page.items) expect(account.status).toBe('active');
      seen.push(...page.items.map((a) => a.accountId));
      cursor = page.cursor;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBeGreaterThan(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    expect(seen.filter((id) => id.startsWith('pg-'))).toEqual(['pg-00', 'pg-01', 'pg-03', 'pg-04', 'pg-06', 'pg-07', 'pg-08']);

    const first = await accounts.listActiveAccounts({ limit: 1 });
    expect(first.cursor).toBeDefined();
    const forged = Buffer.from(JSON.stringify({ pk: 'x', sk: 'y', gsi1pk: 'STATUS#paused', gsi1sk: 'ACCOUNT#x' })).toString('base64url');
    await expect(accounts.listActiveAccounts({ cursor: forged })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(accounts.listActiveAccounts({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(accounts.listActiveAccounts({ limit: 0 })).rejects.toBeInstanceOf(InvalidItemError);
  });

  it('resolves an API key by its hash with one GetItem, storing only the hash', async () => {
    const { accounts } = repos();
    const { doc, tableName } = ddb();
    await accounts.createAccount({ accountId: 'acc-keys', displayName: 'K' }, 'u');
    const hash = sha256('secret-key-1');
    await accounts.addApiKey('acc-keys', 'key-1', hash);
    expect(await accounts.findAccountByKeyHash(hash)).toEqual({ accountId: 'acc-keys', keyId: 'key-1' });
    expect(await accounts.findAccountByKeyHash(sha256('unknown'))).toBeUndefined();
    const stored = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'ACCOUNT#acc-keys', sk: 'APIKEY#key-1' } }));
    expect(stored.Item).toMatchObject({ keyId: 'key-1', keyHash: hash, status: 'active' });
    expect(JSON.stringify(stored.Item)).not.toContain('secret-key-1');
  });

  it('concurrent addApiKey with one hash: exactly one wins', async () => {
    const { accounts } = repos();
    await accounts.createAccount({ accountId: 'acc-k1', displayName: 'K1' }, 'u');
    await accounts.createAccount({ accountId: 'acc-k2', displayName: 'K2' }, 'u');
    const hash = sha256('shared-key');
    const results = await Promise.allSettled([
      accounts.addApiKey('acc-k1', 'key-a', hash),
      accounts.addApiKey('acc-k2', 'key-b', hash),
      accounts.addApiKey('acc-k1', 'key-c', hash),
      accounts.addApiKey('acc-k2', 'key-d', hash),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(3);
    for (const r of lost) expect(r.reason).toBeInstanceOf(ConflictError);
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    const expected = [
      { accountId: 'acc-k1', keyId: 'key-a' },
      { accountId: 'acc-k2', keyId: 'key-b' },
      { accountId: 'acc-k1', keyId: 'key-c' },
      { accountId: 'acc-k2', keyId: 'key-d' },
    ][winner];
    expect(await accounts.findAccountByKeyHash(hash)).toEqual(expected);
    // Sequentially too, with the reason in the message.
    const again = await accounts.addApiKey('acc-k1', 'key-e', hash).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as Error).message).toContain('hash already registered');
    // A key id already used by the account is taken too, whatever the hash.
    await accounts.addApiKey('acc-k1', 'key-f', sha256('first'));
    const sameId = await accounts.addApiKey('acc-k1', 'key-f', sha256('other')).catch((e: unknown) => e);
    expect(sameId).toBeInstanceOf(ConflictError);
    expect((sameId as Error).message).toContain('api key key-f of account acc-k1 already exists');
    expect(await accounts.findAccountByKeyHash(sha256('other'))).toBeUndefined();
  });

  it('a key cannot be added to an unknown account', async () => {
    const { accounts } = repos();
    const hash = sha256('orphan');
    await expect(accounts.addApiKey('acc-nobody', 'key-1', hash)).rejects.toBeInstanceOf(ConflictError);
    expect(await accounts.findAccountByKeyHash(hash)).toBeUndefined();
  });

  it('a revoked key is not found; revoking twice (even concurrently) is harmless; unknown keys are a ConflictError', async () => {
    const { accounts } = repos();
    const { doc, tableName } = ddb();
    await accounts.createAccount({ accountId: 'acc-rev', displayName: 'R' }, 'u');
    const hash = sha256('to-revoke');
    await accounts.addApiKey('acc-rev', 'key-r', hash);
    const revokes = await Promise.all([accounts.revokeApiKey('acc-rev', 'key-r'), accounts.revokeApiKey('acc-rev', 'key-r')]);
    expect([...revokes].sort()).toEqual(['already-revoked', 'revoked']);
    expect(await accounts.findAccountByKeyHash(hash)).toBeUndefined();
    expect(await accounts.revokeApiKey('acc-rev', 'key-r')).toBe('already-revoked');
    const stored = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'ACCOUNT#acc-rev', sk: 'APIKEY#key-r' } }));
    expect(stored.Item).toMatchObject({ status: 'revoked', keyHash: hash });
    expect(stored.Item?.revokedAt).toBeTypeOf('string');
    await expect(accounts.revokeApiKey('acc-rev', 'key-unknown')).rejects.toBeInstanceOf(ConflictError);
    // A second key of the account still resolves.
    await accounts.addApiKey('acc-rev', 'key-s', sha256('still-valid'));
    expect(await accounts.findAccountByKeyHash(sha256('still-valid'))).toEqual({ accountId: 'acc-rev', keyId: 'key-s' });
  });

  it('rejects invalid inputs before writing anything', async () => {
    const { accounts } = repos();
    const bad: unknown[] = [
      { accountId: 'acc#1', displayName: 'x' },
      { accountId: 'acc-bad-1', displayName: '' },
      { accountId: 'acc-bad-2', displayName: 'x', contactEmail: 'not-an-email' },
      { accountId: 'acc-bad-3', displayName: 'x', role: 'admin' },
      { accountId: 'acc-bad-4' },
    ];
    for (const profile of bad) {
      await expect(accounts.createAccount(profile as NewAccount, 'u')).rejects.toBeInstanceOf(InvalidItemError);
    }
    await expect(accounts.createAccount({ accountId: 'acc-bad-5', displayName: 'x' }, '')).rejects.toBeInstanceOf(InvalidItemError);
    for (const id of ['acc-bad-1', 'acc-bad-2', 'acc-bad-3', 'acc-bad-4', 'acc-bad-5']) expect(await accounts.getAccount(id)).toBeUndefined();

    await accounts.createAccount({ accountId: 'acc-valid', displayName: 'V' }, 'u');
    await expect(accounts.setAccountStatus('acc-valid', 'closed' as 'paused', 'u')).rejects.toBeInstanceOf(InvalidItemError);
    expect((await accounts.getAccount('acc-valid'))?.status).toBe('active');
    await expect(accounts.addApiKey('acc-valid', 'key-1', 'plaintext-key')).rejects.toBeInstanceOf(InvalidItemError);
    await expect(accounts.addApiKey('acc-valid', 'key-1', sha256('x').toUpperCase())).rejects.toBeInstanceOf(InvalidItemError);
    await expect(accounts.addApiKey('acc-valid', 'key#1', sha256('x'))).rejects.toBeInstanceOf(InvalidItemError);
    expect(await accounts.findAccountByKeyHash(sha256('x'))).toBeUndefined();
    await expect(accounts.findAccountByKeyHash('abc')).rejects.toBeInstanceOf(InvalidItemError);
    await expect(accounts.getAccount('ACCOUNT#x')).rejects.toBeInstanceOf(InvalidItemError);
  });
});
