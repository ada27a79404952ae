/**
 * Lambda entry of the evaluator (EventBridge rules: Evaluation Requested, Positions
 * Changed). Adapters are built once per cold start from the validated environment; the
 * event handling is in createEvaluateHandler. Powertools (logs, metrics, traces) comes
 * from the same environment (STAGE, POWERTOOLS_LOG_LEVEL); the RPC URLs are handed to its
 * redactor, so no log line can carry one.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createDynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { createEventBridgePublisher } from '../../shared/adapters/eventbridge/eventbridge-publisher.ts';
import type { EventPublisher } from '../../shared/contracts/events/event-publisher.ts';
import { envWithSecrets } from '../../shared/adapters/secrets/env-with-secrets.ts';
import { SECRET_VARIABLES } from '../../shared/contracts/secret-variables.ts';
import { createChainAccessMap, createEvaluateDeps, createHedgingStores } from '../../shared/runtime/hedging-deps.ts';
import { observabilityFromEnv } from '../../shared/runtime/observability.ts';
import { loadEvaluateEnv } from './configuration.ts';
import { createEvaluateHandler } from './create-evaluate-handler.ts';

// Secret values (RPC URLs with provider keys) come from Secrets Manager, named by ARN, once per cold start.
const env = loadEvaluateEnv(await envWithSecrets(process.env, [SECRET_VARIABLES.chains], () => new SecretsManagerClient({}) /* region from AWS_REGION, as Lambda sets it */));
const observability = observabilityFromEnv('evaluate', process.env, env.CHAINS.map((chain) => chain.rpcUrl));
const { doc } = createDynamoDbClients({ region: env.AWS_REGION, ...(env.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: env.DYNAMODB_ENDPOINT }), instrument: observability.capture });
const now = (): Date => new Date();
const stores = createHedgingStores({ doc, tableName: env.TABLE_NAME, now });
const chains = createChainAccessMap(env.CHAINS);

// The use cases encode their events for the default bus name; the publisher addresses them to ours.
const publisher: EventPublisher = createEventBridgePublisher(observability.capture(new EventBridgeClient({ region: env.AWS_REGION })), { eventBusName: env.EVENT_BUS_NAME });

export const handler = createEvaluateHandler({ deps: createEvaluateDeps({ stores, chains, publisher, now }), observability });
