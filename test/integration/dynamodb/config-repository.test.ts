/**
 * Versioned configuration against DynamoDB Local: optimistic concurrency settled by one
 * TransactWriteItems (pointer + history + audit), never read-then-write.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createAuditLogRepository } from '../../../shared/adapters/dynamodb/audit-log-repository.ts';
import { createConfigRepository } from '../../../shared/adapters/dynamodb/config-repository.ts';
import { ConflictError, InvalidCursorError, InvalidItemError } from '../../../shared/adapters/dynamodb/errors.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const TestConfigSchema = z.object({ band: z.number().positive(), note: z.string().optional() }).strict();
type TestConfig = z.infer<typeof TestConfigSchema>;

describe('config repository', () => {
  const ddb = useDynamoDbLocal();
  const repos = () => {
    const { doc, tableName } = ddb();
    return {
      configs: createConfigRepository<TestConfig>({ doc, tableName, schema: TestConfigSchema }),
      audit: createAuditLogRepository({ doc, tableName }),
    };
  };

  it('writes version 1, then 2, and reads the current one back', async () => {
    const { configs } = repos();
    expect(await configs.getConfig('acc-seq')).toBeUndefined();
    expect(await configs.putConfig('acc-seq', { band: 5 }, 0, 'user:alice')).toBe(1);
    expect(await configs.putConfig('acc-seq', { band: 7 }, 1, 'user:bob')).toBe(2);
    const current = await configs.getConfig('acc-seq');
    expect(current).toMatchObject({ accountId: 'acc-seq', version: 2, config: { band: 7 }, updatedBy: 'user:bob' });
  });

  it('rejects a stale version with a ConflictError naming current and expected, and changes nothing', async () => {
    const { configs } = repos();
    await configs.putConfig('acc-stale', { band: 1 }, 0, 'a');
    await configs.putConfig('acc-stale', { band: 2 }, 1, 'a');
    const error = await configs.putConfig('acc-stale', { band: 3 }, 1, 'b').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ expected: 1, current: 2, retryable: false });
    expect((error as Error).message).toBe('config of account acc-stale changed: expected 1, current is 2');
    expect((error as Error).cause).toBeDefined();
    const creating = await configs.putConfig('acc-stale', { band: 3 }, 0, 'b').catch((e: unknown) => e);
    expect(creating).toMatchObject({ expected: 0, current: 2 });
    const ahead = await configs.putConfig('acc-absent', { band: 3 }, 4, 'b').catch((e: unknown) => e);
    expect(ahead).toMatchObject({ expected: 4, current: null });
    expect((await configs.getConfig('acc-stale'))?.version).toBe(2);
    expect((await configs.listConfigHistory('acc-stale')).items.map((v) => v.version)).toEqual([2, 1]);
  });

  it('50 concurrent updates on the same version: exactly one wins, 49 ConflictErrors, history intact', async () => {
    const { configs, audit } = repos();
    await configs.putConfig('acc-race', { band: 1 }, 0, 'seed');
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => configs.putConfig('acc-race', { band: 10 + i }, 1, `writer-${i}`)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ value: 2 });
    expect(lost).toHaveLength(49);
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(ConflictError);
      expect(r.reason).toMatchObject({ expected: 1, current: 2 });
    }
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    const current = await configs.getConfig('acc-race');
    expect(current).toMatchObject({ version: 2, config: { band: 10 + winner }, updatedBy: `writer-${winner}` });
    const history = await configs.listConfigHistory('acc-race');
    expect(history.items.map((v) => [v.version, v.updatedBy])).toEqual([
      [2, `writer-${winner}`],
      [1, 'seed'],
    ]);
    const events = await audit.listAuditEvents('acc-race');
    expect(events.items).toHaveLength(2);
    expect(events.items[0]).toMatchObject({ action: 'config.updated', actor: `writer-${winner}`, details: { fromVersion: 1, toVersion: 2 } });
  });

  it('pages the history newest first with an opaque cursor', async () => {
    const { configs } = repos();
    for (let v = 0; v < 7; v++) await configs.putConfig('acc-pages', { band: v + 1 }, v, 'u');
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await configs.listConfigHistory('acc-pages', cursor === undefined ? { limit: 3 } : { limit: 3, cursor });
      seen.push(...page.items.map((v) => v.version));
      cursor = page.cursor;
      pages++;
    } while (cursor !== undefined);
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(pages).toBe(3);
  });

  it('refuses a cursor from another account and a forged one', async () => {
    const { configs } = repos();
    await configs.putConfig('acc-a', { band: 1 }, 0, 'u');
    await configs.putConfig('acc-a', { band: 2 }, 1, 'u');
    const page = await configs.listConfigHistory('acc-a', { limit: 1 });
    expect(page.cursor).toBeDefined();
    await expect(configs.listConfigHistory('acc-b', { limit: 1, cursor: page.cursor ?? '' })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(configs.listConfigHistory('acc-a', { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('rejects an invalid config before writing anything', async () => {
    const { configs } = repos();
    await expect(configs.putConfig('acc-bad', { band: -1 }, 0, 'u')).rejects.toBeInstanceOf(InvalidItemError);
    expect(await configs.getConfig('acc-bad')).toBeUndefined();
  });
});
