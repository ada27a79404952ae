/**
 * The DynamoDB clients, built once per cold start (composition root) and shared by the
 * repositories. Retry policy is explicit: `retryMode: 'standard'` with `maxAttempts`
 * (default 4, i.e. 3 retries) covers throttling, 5xx and transient network errors; see
 * retry.ts for what is retried on top of that (transaction conflicts only).
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoDbClientOptions {
  readonly region: string;
  /** Set for DynamoDB Local (e.g. http://127.0.0.1:8000); absent in the cloud. */
  readonly endpoint?: string;
  /** Static credentials (DynamoDB Local accepts any); absent in the cloud (the role's credentials). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** SDK attempts per call, the first included (default 4). */
  readonly maxAttempts?: number;
  /** Applied to the client before the document client wraps it (which shares its middleware), e.g. X-Ray capture. */
  readonly instrument?: <C>(client: C) => C;
}

export interface DynamoDbClients {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
}

/**
 * @example
 * const { doc } = createDynamoDbClients({ region: 'eu-west-1' });
 */
export function createDynamoDbClients(options: DynamoDbClientOptions): DynamoDbClients {
  const config: DynamoDBClientConfig = {
    region: options.region,
    maxAttempts: options.maxAttempts ?? 4,
    retryMode: 'standard',
  };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) {
    config.credentials = {
      accessKeyId: options.credentials.accessKeyId,
      secretAccessKey: options.credentials.secretAccessKey,
    };
  }
  const client = options.instrument === undefined ? new DynamoDBClient(config) : options.instrument(new DynamoDBClient(config));
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: false },
  });
  return { client, doc };
}
