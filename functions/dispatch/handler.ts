/**
 * Lambda entry of the dispatcher (SQS FIFO event source with ReportBatchItemFailures).
 * Adapters are built once per cold start from the validated environment; the record
 * handling is in createDispatchHandler.
 *
 * Signers: in the cloud every execution config names a KMS key (kind 'kms'), signed
 * through KMS in AWS_REGION; LOCAL_SIGNER_KEYS exists for the local chain only.
 *
 * Powertools (logs, metrics, traces) comes from the same environment; the RPC URLs and
 * any local signer key are handed to its redactor, so no log line can carry one.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createDynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { createEventBridgePublisher } from '../../shared/adapters/eventbridge/eventbridge-publisher.ts';
import type { EventPublisher } from '../../shared/contracts/events/event-publisher.ts';
import { envWithSecrets } from '../../shared/adapters/secrets/env-with-secrets.ts';
import { SECRET_VARIABLES } from '../../shared/contracts/secret-variables.ts';
import { createDeploymentSigners } from '../../shared/runtime/deployment-signers.ts';
import { createChainAccessMap, createDispatchDeps, createHedgingStores } from '../../shared/runtime/hedging-deps.ts';
import { loadDispatchEnv } from './configuration.ts';
import { createDispatchHandler } from './create-dispatch-handler.ts';
import { observabilityFromEnv } from '../../shared/runtime/observability.ts';

// Secret values (RPC URLs with provider keys) come from Secrets Manager, named by ARN, once per cold start.
const env = loadDispatchEnv(await envWithSecrets(process.env, [SECRET_VARIABLES.chains], () => new SecretsManagerClient({}) /* region from AWS_REGION, as Lambda sets it */));
const observability = observabilityFromEnv('dispatch', process.env, [...env.CHAINS.map((chain) => chain.rpcUrl), ...Object.values(env.LOCAL_SIGNER_KEYS ?? {})]);
const { doc } = createDynamoDbClients({ region: env.AWS_REGION, ...(env.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: env.DYNAMODB_ENDPOINT }), instrument: observability.capture });
const now = (): Date => new Date();
const stores = createHedgingStores({ doc, tableName: env.TABLE_NAME, now });
const chains = createChainAccessMap(env.CHAINS);

const signers = createDeploymentSigners({ region: env.AWS_REGION, instrument: observability.capture, ...(env.LOCAL_SIGNER_KEYS === undefined ? {} : { localKeys: env.LOCAL_SIGNER_KEYS }) });

// The use cases encode their events for the default bus name; the publisher addresses them to ours.
const publisher: EventPublisher = createEventBridgePublisher(observability.capture(new EventBridgeClient({ region: env.AWS_REGION })), { eventBusName: env.EVENT_BUS_NAME });

export const handler = createDispatchHandler({
  deps: createDispatchDeps({
    stores,
    chains,
    signers: (ref) => signers.resolve(ref),
    allowedContracts: (chainId) => env.ALLOWED_CONTRACTS[String(chainId)] ?? [],
    publisher,
    now,
    ...(env.CLAIM_LEASE_MS === undefined ? {} : { claimLeaseMs: env.CLAIM_LEASE_MS }),
  }),
  observability,
});
