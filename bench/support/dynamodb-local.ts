/**
 * DynamoDB Local (in memory, 127.0.0.1 only) for the bundled benchmarks: the product's
 * launcher (local/dynamodb/dynamodb-local.ts) with the repository root taken from the
 * working directory, because `npm run bench` bundles this code and the launcher's own
 * URL then points into the bundle (bench/run.mjs runs it from the repository root).
 */
import { resolve } from 'node:path';
import { startDynamoDbLocal as startLauncher } from '../../local/dynamodb/dynamodb-local.ts';

export interface BenchDynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startDynamoDbLocal(): Promise<BenchDynamoDbLocal> {
  const local = await startLauncher({ repoRoot: resolve('.') });
  return { endpoint: local.endpoint, stop: () => local.stop() };
}
