/**
 * The stack's two children, started side by side: DynamoDB Local with the table made,
 * and anvil with the chain's contracts and then the perp and option markets deployed on
 * it (the longest leg is DynamoDB Local's JVM start, so the markets cost no start-up
 * time). Whichever started is on the stop list even if the other failed.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { ensureTable } from '../../shared/adapters/dynamodb/ensure-table.ts';
import { startLocalChain, type LocalChain } from '../chain/local-chain.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from '../dynamodb/dynamodb-local.ts';
import { deployVenueMarkets, type VenueMarkets } from '../market/venue-markets.ts';
import type { StopList } from './stop-list.ts';

export interface StackChildren {
  readonly ddb: DynamoDbLocal;
  readonly doc: DynamoDBDocumentClient;
  readonly chain: LocalChain;
  readonly markets: VenueMarkets;
}

export async function startChildren(tableName: string, stops: StopList): Promise<StackChildren> {
  const [ddbStart, chainStart] = await Promise.allSettled([startDynamoDbWithTable(tableName), startChainWithMarkets()]);
  if (ddbStart.status === 'fulfilled') {
    stops.add('DynamoDB Local', () => ddbStart.value.ddb.stop());
    stops.add('DynamoDB client', () => ddbStart.value.dynamo.destroy());
  }
  if (chainStart.status === 'fulfilled') stops.add('anvil', () => chainStart.value.chain.stop());
  if (ddbStart.status === 'rejected') throw ddbStart.reason;
  if (chainStart.status === 'rejected') throw chainStart.reason;
  return { ddb: ddbStart.value.ddb, doc: ddbStart.value.doc, ...chainStart.value };
}

/** DynamoDB Local with the table made; stopped if the table cannot be. */
async function startDynamoDbWithTable(tableName: string): Promise<{ ddb: DynamoDbLocal; dynamo: DynamoDBClient; doc: DynamoDBDocumentClient }> {
  const ddb = await startDynamoDbLocal();
  const { client: dynamo, doc } = createDynamoDbClients({ region: 'local', endpoint: ddb.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await ensureTable(dynamo, tableName);
    return { ddb, dynamo, doc };
  } catch (error) {
    dynamo.destroy();
    await ddb.stop();
    throw error;
  }
}

/** anvil with the chain's contracts, then the perp and option markets on it; anvil is stopped if a deployment fails. */
async function startChainWithMarkets(): Promise<{ chain: LocalChain; markets: VenueMarkets }> {
  const chain = await startLocalChain();
  try {
    return { chain, markets: await deployVenueMarkets(chain) };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}
