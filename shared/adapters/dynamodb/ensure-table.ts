/**
 * Creates the single table from the shared definition and enables its TTL, for the local
 * stack and the integration tests (the cloud table is created by CDK from the same data).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, TABLE_DEFINITION } from '../../contracts/table-definition.ts';
import { classifyError, errorName } from './classify-error.ts';

/**
 * Creates `tableName` if it does not exist, waits until it is active and enables TTL.
 *
 * @example
 * await ensureTable(client, 'hedge-local');
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const input: CreateTableCommandInput = createTableInput(tableName);
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (errorName(error) !== 'ResourceInUseException') throw classifyError(error, 'CreateTable');
  }
  try {
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
    const table = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (table.Table?.TableStatus !== 'ACTIVE') throw new Error(`table ${tableName} is ${table.Table?.TableStatus}`);
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.ttlAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    // Enabling TTL twice is refused with "TimeToLive is already enabled": that is the goal.
    if (errorName(error) === 'ValidationException' && /already enabled/i.test(String((error as Error).message))) return;
    throw classifyError(error, 'ensureTable');
  }
}
