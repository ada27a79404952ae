/**
 * The stack's two children, started side by side: DynamoDB Local with the table made,
 * and anvil with the chain's contracts and then the perp and option markets deployed on
 * it (the longest leg is DynamoDB Local's JVM start, so the markets cost no start-up
 * time). Whichever started is on the stop list even if the other failed.
 *
 * Kept in a data directory (`persist`): DynamoDB Local keeps its database in a directory,
 * and on a restart anvil loads the saved chain and the contracts are found where the
 * record says (nothing deployed), the table checked against the shared definition. What
 * a saved part cannot give back is a DataDirError naming the fix.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { ensureTable } from '../../shared/adapters/dynamodb/ensure-table.ts';
import { errorName } from '../../shared/adapters/dynamodb/classify-error.ts';
import { createTableInput } from '../../shared/contracts/table-definition.ts';
import { safeErrorText } from '../../shared/runtime/safe-error-text.ts';
import type { ChainKeys } from '../chain/chain-keys.ts';
import { ChainRestoreError, startLocalChain, type LocalChain, type LocalChainRecord } from '../chain/local-chain.ts';
import { unusable } from '../data-dir/data-dir.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from '../dynamodb/dynamodb-local.ts';
import { attachVenueMarkets, deployVenueMarkets, type VenueMarkets, type VenueMarketsRecord } from '../market/venue-markets.ts';
import type { StopList } from './stop-list.ts';

export interface StackChildren {
  readonly ddb: DynamoDbLocal;
  readonly doc: DynamoDBDocumentClient;
  readonly chain: LocalChain;
  readonly markets: VenueMarkets;
}

/** Where the children keep their data, and (on a restart) what they had. */
export interface ChildrenPersistence {
  /** The data directory (for the messages). */
  readonly root: string;
  /** DynamoDB Local's database directory. */
  readonly dynamoDbPath: string;
  /** The chain's actors' keys (seeded). */
  readonly keys: ChainKeys;
  /** A restart: anvil loads this state and the contracts of these records are attached to. */
  readonly restore?: { readonly chainStateFile: string; readonly chain: LocalChainRecord; readonly markets: VenueMarketsRecord };
}

export async function startChildren(tableName: string, stops: StopList, persist?: ChildrenPersistence): Promise<StackChildren> {
  const [ddbStart, chainStart] = await Promise.allSettled([startDynamoDbWithTable(tableName, persist), startChainWithMarkets(persist)]);
  if (ddbStart.status === 'fulfilled') {
    stops.add('DynamoDB Local', () => ddbStart.value.ddb.stop());
    stops.add('DynamoDB client', () => ddbStart.value.dynamo.destroy());
  }
  if (chainStart.status === 'fulfilled') stops.add('anvil', () => chainStart.value.chain.stop());
  if (ddbStart.status === 'rejected') throw ddbStart.reason;
  if (chainStart.status === 'rejected') throw chainStart.reason;
  return { ddb: ddbStart.value.ddb, doc: ddbStart.value.doc, ...chainStart.value };
}

/** DynamoDB Local with the table made (or, restored, found as the shared definition has it); stopped if the table cannot be. */
async function startDynamoDbWithTable(tableName: string, persist: ChildrenPersistence | undefined): Promise<{ ddb: DynamoDbLocal; dynamo: DynamoDBClient; doc: DynamoDBDocumentClient }> {
  // Kept data: the children in process groups of their own, so that a Ctrl-C stops them
  // through the stack (the chain saved first), not all at once with it.
  const ddb = await startDynamoDbLocal(persist === undefined ? {} : { dbPath: persist.dynamoDbPath, detached: true });
  const { client: dynamo, doc } = createDynamoDbClients({ region: 'local', endpoint: ddb.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    if (persist?.restore === undefined) await ensureTable(dynamo, tableName);
    else await checkRestoredTable(dynamo, tableName, persist.root);
    return { ddb, dynamo, doc };
  } catch (error) {
    dynamo.destroy();
    await ddb.stop();
    throw error;
  }
}

/** The kept table must be there with the shared definition's keys and indexes. */
async function checkRestoredTable(dynamo: DynamoDBClient, tableName: string, root: string): Promise<void> {
  let described;
  try {
    described = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') throw unusable(root, `DynamoDB Local's database in dynamodb/ has no table ${tableName}`);
    throw unusable(root, `DynamoDB Local could not read its database in dynamodb/ (${safeErrorText(error)})`);
  }
  const want = createTableInput(tableName);
  const keysOf = (schema: readonly { AttributeName?: string | undefined; KeyType?: string | undefined }[] | undefined): string => JSON.stringify((schema ?? []).map((key) => [key.AttributeName, key.KeyType]));
  const indexes = (list: readonly { IndexName?: string | undefined; KeySchema?: readonly { AttributeName?: string | undefined; KeyType?: string | undefined }[] | undefined }[] | undefined): string =>
    JSON.stringify((list ?? []).map((index) => [index.IndexName, keysOf(index.KeySchema)]).sort());
  const table = described.Table;
  if (keysOf(table?.KeySchema) !== keysOf(want.KeySchema) || indexes(table?.GlobalSecondaryIndexes) !== indexes(want.GlobalSecondaryIndexes)) {
    throw unusable(root, `the table ${tableName} in dynamodb/ has another layout than this version of the stack uses`);
  }
}

/** anvil with the chain's contracts, then the perp and option markets on it (or both found on the restored chain); anvil is stopped if that fails. */
async function startChainWithMarkets(persist: ChildrenPersistence | undefined): Promise<{ chain: LocalChain; markets: VenueMarkets }> {
  const restore = persist?.restore;
  let chain: LocalChain;
  try {
    chain = await startLocalChain({ ...(persist === undefined ? {} : { keys: persist.keys, detached: true }), ...(restore === undefined ? {} : { loadState: restore.chainStateFile, restore: restore.chain }) });
  } catch (error) {
    if (persist === undefined || restore === undefined) throw error;
    if (error instanceof ChainRestoreError) throw unusable(persist.root, error.message);
    throw error;
  }
  try {
    if (persist === undefined) return { chain, markets: await deployVenueMarkets(chain) };
    if (restore === undefined) return { chain, markets: await deployVenueMarkets(chain, { keys: persist.keys }) };
    try {
      return { chain, markets: await attachVenueMarkets(chain, restore.markets, persist.keys) };
    } catch (error) {
      if (error instanceof ChainRestoreError) throw unusable(persist.root, error.message);
      throw error;
    }
  } catch (error) {
    await chain.stop();
    throw error;
  }
}
