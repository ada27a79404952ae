/**
 * DynamoDB Local for integration tests: the product's launcher (local/dynamodb, AWS's own
 * emulator in memory on 127.0.0.1 and a kernel-picked port) plus a vitest lifecycle that
 * creates a uniquely named table from the shared definition.
 *
 * Typical use, one instance per test file:
 *   const ddb = useDynamoDbLocal();            // registers beforeAll/afterAll
 *   it('…', () => { const { doc, tableName } = ddb(); … });
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createDynamoDbClients, type DynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { ensureTable } from '../../shared/adapters/dynamodb/ensure-table.ts';
import { startDynamoDbLocal as startLauncher, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local.ts';

export type { DynamoDbLocal } from '../../local/dynamodb/dynamodb-local.ts';
export { listeningAddresses } from '../../local/process/listening-addresses.ts';

/** Starts DynamoDB Local in memory on 127.0.0.1 and a free port. */
export function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  return startLauncher();
}

export interface DynamoDbTestContext extends DynamoDbClients {
  readonly local: DynamoDbLocal;
  readonly tableName: string;
}

/**
 * Registers beforeAll/afterAll that start one DynamoDB Local for the calling test file,
 * create the table (a unique name) from the shared definition, and stop everything after.
 * Returns an accessor for the context (valid inside tests).
 */
export function useDynamoDbLocal(): () => DynamoDbTestContext {
  let context: DynamoDbTestContext | undefined;
  beforeAll(async () => {
    const local = await startDynamoDbLocal();
    const clients = createDynamoDbClients({
      region: 'us-east-1',
      endpoint: local.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tableName = `hedge-test-${randomUUID().slice(0, 8)}`;
    const tableStarted = performance.now();
    await ensureTable(clients.client, tableName);
    if (process.env.DYNAMODB_LOCAL_TIMINGS === '1') {
      console.log(`DynamoDB Local: started in ${local.startupMs.toFixed(0)} ms, table ready in ${(performance.now() - tableStarted).toFixed(0)} ms`);
    }
    context = { ...clients, local, tableName };
  }, 60_000);
  afterAll(async () => {
    context?.client.destroy();
    await context?.local.stop();
    context = undefined;
  });
  return () => {
    if (context === undefined) throw new Error('DynamoDB Local is not running (use the accessor inside a test)');
    return context;
  };
}
