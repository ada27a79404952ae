/**
 * The single DynamoDB table, as plain data: the one definition the CDK stack, the local
 * stack and the integration tests build the table from, so all three agree on key
 * names, indexes and the TTL attribute.
 *
 * Every item has a string partition key `pk` and sort key `sk` (prefixes such as
 * `ACCOUNT#`, `SIGNER#`, `WEBHOOK#`, see shared/adapters/dynamodb/ACCESS-PATTERNS.md).
 * One overloaded global secondary index, `gsi1` (`gsi1pk`/`gsi1sk`), serves lookups by
 * something other than the owner (e.g. an account by API-key hash). Items that expire
 * carry `expiresAt` (epoch seconds), the table's TTL attribute.
 *
 * This module imports no AWS SDK: `createTableInput` returns a structural type that the
 * DynamoDB adapter passes to `CreateTableCommand` (the compiler checks the fit there).
 *
 * @example
 * const input = createTableInput('hedge-dev');
 * // input.KeySchema → [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]
 */

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** The TTL attribute: epoch seconds after which DynamoDB may delete the item (lazily, within ~48 h). */
export const TTL_ATTRIBUTE = 'expiresAt';

export interface GlobalIndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const GSI1: GlobalIndexDefinition = { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' };

/** The table as data, for CDK (`new Table(...)`) and for the local stack. */
export const TABLE_DEFINITION = {
  partitionKey: TABLE_KEYS.partitionKey,
  sortKey: TABLE_KEYS.sortKey,
  globalIndexes: [GSI1] as readonly GlobalIndexDefinition[],
  ttlAttribute: TTL_ATTRIBUTE,
  billingMode: 'PAY_PER_REQUEST',
} as const;

/** Structurally a `CreateTableCommandInput` of @aws-sdk/client-dynamodb (checked in the adapter). */
export interface CreateTableInput {
  TableName: string;
  BillingMode: 'PAY_PER_REQUEST';
  AttributeDefinitions: { AttributeName: string; AttributeType: 'S' }[];
  KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  GlobalSecondaryIndexes: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    Projection: { ProjectionType: 'ALL' };
  }[];
}

/** The CreateTable request for the table named `tableName` (TTL is enabled by a separate UpdateTimeToLive). */
export function createTableInput(tableName: string): CreateTableInput {
  const keyNames = [
    TABLE_DEFINITION.partitionKey,
    TABLE_DEFINITION.sortKey,
    ...TABLE_DEFINITION.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: TABLE_DEFINITION.billingMode,
    AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_DEFINITION.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_DEFINITION.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: TABLE_DEFINITION.globalIndexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}
