/**
 * The test harness itself: DynamoDB Local listens on 127.0.0.1 only, the table has the
 * shared definition with TTL enabled, and the process is gone after stop().
 */
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TABLE_DEFINITION } from '../../../shared/contracts/table-definition.ts';
import { listeningAddresses, startDynamoDbLocal, useDynamoDbLocal } from '../../support/dynamodb-local.ts';

describe('DynamoDB Local harness', () => {
  const ddb = useDynamoDbLocal();

  it.runIf(process.platform === 'linux')('listens on 127.0.0.1 only (every LISTEN socket of the java process)', () => {
    const { local } = ddb();
    const addresses = listeningAddresses(local.pid);
    expect(addresses).toEqual([`127.0.0.1:${local.port}`]);
  });

  it('creates the table from the shared definition, with TTL on expiresAt', async () => {
    const { client, tableName } = ddb();
    const table = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(table.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table.Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['gsi1']);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toEqual({ AttributeName: TABLE_DEFINITION.ttlAttribute, TimeToLiveStatus: 'ENABLED' });
  });

  it.runIf(process.platform === 'linux')('leaves no process behind after stop()', async () => {
    const local = await startDynamoDbLocal();
    expect(existsSync(`/proc/${local.pid}`)).toBe(true);
    await local.stop();
    expect(existsSync(`/proc/${local.pid}`)).toBe(false);
  });
});
