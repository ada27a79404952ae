/**
 * Lambda entry of POST /webhooks/{provider}. Adapters are built once per cold start from the
 * validated environment (configuration.ts); webhook secrets come from WEBHOOK_SOURCES (a
 * Secrets Manager value injected by the stack), never from code. Powertools (logs, metrics,
 * traces) comes from the same environment; the webhook secrets are handed to its redactor.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { envWithSecrets } from '../../shared/adapters/secrets/env-with-secrets.ts';
import { SECRET_VARIABLES } from '../../shared/contracts/secret-variables.ts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createDynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { createWebhookDeliveryRepository } from '../../shared/adapters/dynamodb/webhook-delivery-repository.ts';
import { createSqsConfirmationQueue } from '../../shared/adapters/sqs/confirmation-queue.ts';
import { loadIngestWebhookEnv, webhookSourcesFrom } from './configuration.ts';
import { createIngestWebhookHandler } from './handler.ts';
import { observabilityFromEnv } from '../../shared/runtime/observability.ts';

// The providers' signing secrets come from Secrets Manager, named by ARN, once per cold start.
const { config, runtime } = loadIngestWebhookEnv(
  await envWithSecrets(process.env, [SECRET_VARIABLES.webhookSources], () => new SecretsManagerClient({}) /* region from AWS_REGION, as Lambda sets it */),
);
const observability = observabilityFromEnv(
  'ingest-webhook',
  process.env,
  Object.values(config.sources).flatMap((source) => source.secrets),
);
const { doc } = createDynamoDbClients({ region: runtime.AWS_REGION, ...(runtime.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: runtime.DYNAMODB_ENDPOINT }), instrument: observability.capture });
const now = (): Date => new Date();

export const handler = createIngestWebhookHandler({
  deps: {
    sources: webhookSourcesFrom(config),
    dedupe: createWebhookDeliveryRepository({ doc, tableName: runtime.TABLE_NAME, now }),
    queue: createSqsConfirmationQueue(observability.capture(new SQSClient({ region: runtime.AWS_REGION })), {
      queueUrl: runtime.CONFIRMATION_QUEUE_URL,
      ...(runtime.CONFIRMATION_QUEUE_FIFO === undefined ? {} : { fifo: runtime.CONFIRMATION_QUEUE_FIFO === 'true' }),
    }),
    now,
  },
  maxBodyBytes: config.maxBodyBytes,
  observability,
});
