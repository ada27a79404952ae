/**
 * Lambda entry of the confirmation consumer (SQS event source with ReportBatchItemFailures).
 * Adapters are built once per cold start from the validated environment; the record
 * handling is in createConfirmPositionsHandler. Powertools (logs, metrics, traces) comes
 * from the same environment; the RPC URLs are handed to its redactor.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createPublicClient, http, type Address } from 'viem';
import { createViemOptionBookReader } from '../../shared/adapters/chain/option-book-reader.ts';
import { createStaticChainDirectory } from '../../shared/adapters/directory/static-chain-directory.ts';
import { createDynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { createPositionRepository } from '../../shared/adapters/dynamodb/position-repository.ts';
import { createEventBridgePublisher } from '../../shared/adapters/eventbridge/eventbridge-publisher.ts';
import { createSqsVisibilityExtender } from '../../shared/adapters/sqs/visibility-backoff.ts';
import type { OptionBookReader } from '../../shared/app/confirm-positions/ports.ts';
import type { EventPublisher } from '../../shared/contracts/events/event-publisher.ts';
import { envWithSecrets } from '../../shared/adapters/secrets/env-with-secrets.ts';
import { SECRET_VARIABLES } from '../../shared/contracts/secret-variables.ts';
import { loadConfirmPositionsEnv } from './configuration.ts';
import { createConfirmPositionsHandler } from './create-confirm-positions-handler.ts';
import { observabilityFromEnv } from '../../shared/runtime/observability.ts';

// Secret values (RPC URLs with provider keys) come from Secrets Manager, named by ARN, once per cold start.
const env = loadConfirmPositionsEnv(await envWithSecrets(process.env, [SECRET_VARIABLES.positionChains], () => new SecretsManagerClient({}) /* region from AWS_REGION, as Lambda sets it */));
const observability = observabilityFromEnv('confirm-positions', process.env, env.CHAINS.map((chain) => chain.rpcUrl));
const { doc } = createDynamoDbClients({ region: env.AWS_REGION, ...(env.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: env.DYNAMODB_ENDPOINT }), instrument: observability.capture });
const clock = (): Date => new Date();

const readers: Record<number, OptionBookReader> = {};
for (const chain of env.CHAINS) {
  const client = createPublicClient({ transport: http(chain.rpcUrl) });
  readers[chain.chainId] = createViemOptionBookReader({ client, chainId: chain.chainId, optionBook: chain.optionBook as Address });
}

// The use cases encode their events for the default bus name; the publisher addresses them to ours.
const publisher: EventPublisher = createEventBridgePublisher(observability.capture(new EventBridgeClient({ region: env.AWS_REGION })), { eventBusName: env.EVENT_BUS_NAME });

export const handler = createConfirmPositionsHandler({
  deps: {
    readers,
    positions: createPositionRepository({ doc, tableName: env.TABLE_NAME, now: clock }),
    directory: createStaticChainDirectory(env.CHAIN_DIRECTORY),
    publisher,
    requiredConfirmations: env.REQUIRED_CONFIRMATIONS,
    now: clock,
  },
  observability,
  ...(env.QUEUE_URL === undefined ? {} : { extendVisibility: createSqsVisibilityExtender(observability.capture(new SQSClient({ region: env.AWS_REGION })), env.QUEUE_URL) }),
});
