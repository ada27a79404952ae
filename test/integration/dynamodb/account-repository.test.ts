/**
 * Accounts and API-key hashes against DynamoDB Local: conditional puts and transactions
 * under real concurrency, the sparse active-account index paged with a cursor, and
 * input validation before any write.
 */
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createAccountRepository, ResumeRefusedError } from '../../../shared/adapters/dynamodb/account-repository.ts';
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
    expect(await accounts.pauseAccount('acc-status', { by: 'account', reason: 'holiday' }, 'user:bob')).toBe('paused');
    expect(await accounts.getAccount('acc-status')).toMatchObject({ status: 'paused', updatedBy: 'user:bob', pause: { by: 'account', reason: 'holiday' } });
    expect(await accounts.resumeAccount('acc-status', { upTo: 'account' }, 'user:carol')).toBe('resumed');
    const resumed = await accounts.getAccount('acc-status');
    expect(resumed).toMatchObject({ status: 'active', updatedBy: 'user:carol' });
    expect(resumed?.pause).toBeUndefined();
    expect(await accounts.resumeAccount('acc-status', { upTo: 'account' }, 'user:carol')).toBe('already-active');
    const events = await audit.listAuditEvents('acc-status');
    expect(events.items.map((e) => [e.action, e.actor, e.details.status])).toEqual([
      ['account.resumed', 'user:carol', 'active'],
      ['account.paused', 'user:bob', 'paused'],
      ['account.created', 'user:alice', 'active'],
    ]);
    await expect(accounts.pauseAccount('acc-ghost', { by: 'operator', reason: 'x' }, 'user:bob')).rejects.toBeInstanceOf(ConflictError);
    await expect(accounts.resumeAccount('acc-ghost', { upTo: 'operator' }, 'user:bob')).rejects.toBeInstanceOf(ConflictError);
    expect(await accounts.getAccount('acc-ghost')).toBeUndefined();
    expect((await audit.listAuditEvents('acc-ghost')).items).toEqual([]);
  });

  it('a pause is lifted only by whoever may: the account its own, a system pause by its id, the operator any; a weaker pause never replaces a stronger one', async () => {
    const { accounts, audit } = repos();
    await accounts.createAccount({ accountId: 'acc-rank', displayName: 'R' }, 'seed');
    await accounts.pauseAccount('acc-rank', { by: 'system', reason: '3 hedges failed in a row', code: 'FAILURE_STREAK' }, 'system:dispatch');
    const systemPause = (await accounts.getAccount('acc-rank'))!.pause!;
    expect(systemPause).toMatchObject({ by: 'system', code: 'FAILURE_STREAK' });
    // The account pausing on top of it changes nothing (the stronger pause stays).
    expect(await accounts.pauseAccount('acc-rank', { by: 'account', reason: 'me too' }, 'key:k1')).toBe('kept');
    expect((await accounts.getAccount('acc-rank'))!.pause).toEqual(systemPause);
    // The account's own rights do not lift it; naming another pause does not either.
    await expect(accounts.resumeAccount('acc-rank', { upTo: 'account' }, 'key:k1')).rejects.toBeInstanceOf(ResumeRefusedError);
    await expect(accounts.resumeAccount('acc-rank', { upTo: 'system', pauseId: 'pause-other', note: 'ok' }, 'key:k1')).rejects.toBeInstanceOf(ResumeRefusedError);
    expect((await accounts.getAccount('acc-rank'))!.status).toBe('paused');
    // Acknowledged by its id: lifted, and the acknowledgement is in the audit trail.
    expect(await accounts.resumeAccount('acc-rank', { upTo: 'system', pauseId: systemPause.pauseId, note: 'fixed the allowance' }, 'key:k1')).toBe('resumed');
    const [resumed] = (await audit.listAuditEvents('acc-rank')).items;
    expect(resumed).toMatchObject({ action: 'account.resumed', actor: 'key:k1', details: { upTo: 'system', pauseId: systemPause.pauseId, note: 'fixed the allowance' } });

    // An operator pause: neither the account nor an acknowledgement lifts it; the operator does.
    await accounts.pauseAccount('acc-rank', { by: 'operator', reason: 'compliance review' }, 'admin');
    const operatorPause = (await accounts.getAccount('acc-rank'))!.pause!;
    await expect(accounts.resumeAccount('acc-rank', { upTo: 'system', pauseId: operatorPause.pauseId, note: 'please' }, 'key:k1')).rejects.toMatchObject({ pause: { by: 'operator' } });
    expect(await accounts.pauseAccount('acc-rank', { by: 'system', reason: 'breaker' }, 'system')).toBe('kept');
    expect(await accounts.resumeAccount('acc-rank', { upTo: 'operator' }, 'admin')).toBe('resumed');
    expect((await accounts.getAccount('acc-rank'))!.status).toBe('active');
  });

  it('a pause racing a resume: whichever lands last wins whole, never a paused account without its pause', async () => {
    const { accounts } = repos();
    await accounts.createAccount({ accountId: 'acc-race', displayName: 'R' }, 'seed');
    for (let round = 0; round < 10; round++) {
      await Promise.allSettled([
        accounts.pauseAccount('acc-race', { by: 'system', reason: `round ${round}` }, 'system'),
        accounts.resumeAccount('acc-race', { upTo: 'operator' }, 'admin'),
      ]);
      const account = (await accounts.getAccount('acc-race'))!;
      if (account.status === 'paused') expect(account.pause).toMatchObject({ by: 'system' });
      else expect(account.pause).toBeUndefined();
      await accounts.resumeAccount('acc-race', { upTo: 'operator' }, 'admin');
    }
  });

  it('a signer belongs to one account: the second account created with the same signer is refused and nothing of it is written', async () => {
    const { accounts } = repos();
    const signer = { ref: { kind: 'local' as const, name: 'shared-key' }, address: '0x00000000000000000000000000000000000000a1' };
    await accounts.createAccountWithKey({ accountId: 'acc-sig-1', displayName: 'A' }, 'admin', { keyId: 'key-a', hash: sha256('key-a') }, signer);
    expect((await accounts.getAccount('acc-sig-1'))?.signer).toEqual(signer);
    const second = await accounts
      .createAccountWithKey({ accountId: 'acc-sig-2', displayName: 'B' }, 'admin', { keyId: 'key-b', hash: sha256('key-b') }, { ...signer, address: signer.address.toUpperCase().replace('0X', '0x') })
      .catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ConflictError);
    expect(await accounts.getAccount('acc-sig-2')).toBeUndefined();
    expect(await accounts.findAccountByKeyHash(sha256('key-b'))).toBeUndefined();
  });

  it('lists active accounts page by page with a cursor, paused ones excluded', async () => {
    const { accounts } = repos();
    const ids = Array.from({ length: 9 }, (_, i) => `pg-${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((accountId) => accounts.createAccount({ accountId, displayName: accountId }, 'seed')));
    await accounts.pauseAccount('pg-02', { by: 'operator', reason: 'ops' }, 'ops');
    await accounts.pauseAccount('pg-05', { by: 'operator', reason: 'ops' }, 'ops');
    await accounts.pauseAccount('pg-07', { by: 'operator', reason: 'ops' }, 'ops');
    await accounts.resumeAccount('pg-07', { upTo: 'operator' }, 'ops');

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
    await expect(accounts.pauseAccount('acc-valid', { by: 'nobody' as 'account', reason: 'x' }, 'u')).rejects.toBeInstanceOf(InvalidItemError);
    await expect(accounts.pauseAccount('acc-valid', { by: 'account', reason: '' }, 'u')).rejects.toBeInstanceOf(InvalidItemError);
    expect((await accounts.getAccount('acc-valid'))?.status).toBe('active');
    await expect(accounts.addApiKey('acc-valid', 'key-1', 'plaintext-key')).rejects.toBeInstanceOf(InvalidItemError);
    await expect(accounts.addApiKey('acc-valid', 'key-1', sha256('x').toUpperCase())).rejects.toBeInstanceOf(InvalidItemError);
    await expect(accounts.addApiKey('acc-valid', 'key#1', sha256('x'))).rejects.toBeInstanceOf(InvalidItemError);
    expect(await accounts.findAccountByKeyHash(sha256('x'))).toBeUndefined();
    await expect(accounts.findAccountByKeyHash('abc')).rejects.toBeInstanceOf(InvalidItemError);
    await expect(accounts.getAccount('ACCOUNT#x')).rejects.toBeInstanceOf(InvalidItemError);
  });
});
