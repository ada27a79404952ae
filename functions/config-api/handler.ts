/**
 * Lambda entry of the configuration API (API Gateway HTTP API, payload v2). Adapters are
 * built once per cold start from the validated environment; everything else is in
 * createConfigApiHandler. Powertools (logs, metrics, traces) comes from the same
 * environment; the admin key's hash is handed to its redactor (not a secret, but nothing to
 * log either).
 */
import { randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { createAccountRepository } from '../../shared/adapters/dynamodb/account-repository.ts';
import { createConfigRepository } from '../../shared/adapters/dynamodb/config-repository.ts';
import { createDynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { createDispatchLimitsRepository } from '../../shared/adapters/dynamodb/dispatch-limits-repository.ts';
import { createEvaluationRepository } from '../../shared/adapters/dynamodb/evaluation-repository.ts';
import { createHedgeRecordRepository } from '../../shared/adapters/dynamodb/hedge-record-repository.ts';
import { createPositionRepository } from '../../shared/adapters/dynamodb/position-repository.ts';
import { createRateLimitRepository } from '../../shared/adapters/dynamodb/rate-limit-repository.ts';
import { createEventBridgePublisher } from '../../shared/adapters/eventbridge/eventbridge-publisher.ts';
import { createKmsSignerProvisioner } from '../../shared/adapters/signing/kms-signer-provisioner.ts';
import { AccountConfigDocumentSchema } from '../../shared/contracts/account-config.ts';
import { loadConfigApiEnv } from './config-api-env.ts';
import { createConfigApiHandler } from './create-config-api-handler.ts';
import { observabilityFromEnv } from '../../shared/runtime/observability.ts';

const env = loadConfigApiEnv(process.env);
const observability = observabilityFromEnv('config-api', process.env, [env.ADMIN_KEY_SHA256]);
const { doc } = createDynamoDbClients({ region: env.AWS_REGION, ...(env.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: env.DYNAMODB_ENDPOINT }), instrument: observability.capture });
const tableName = env.TABLE_NAME;
const clock = (): Date => new Date();

export const handler = createConfigApiHandler({
  accounts: createAccountRepository({ doc, tableName, now: clock }),
  configs: createConfigRepository({ doc, tableName, schema: AccountConfigDocumentSchema, now: clock }),
  positions: createPositionRepository({ doc, tableName, now: clock }),
  hedges: createHedgeRecordRepository({ doc, tableName }),
  evaluations: createEvaluationRepository({ doc, tableName, now: clock }),
  killSwitch: createDispatchLimitsRepository({ doc, tableName, now: clock }),
  // Each account gets its own KMS key when the operator creates it.
  signers: createKmsSignerProvisioner({
    client: observability.capture(new KMSClient({ region: env.AWS_REGION })),
    awsAccountId: env.AWS_ACCOUNT_ID,
    stage: env.STAGE,
    signerRoleArns: env.SIGNER_ROLE_ARNS,
    provisionerRoleArn: env.PROVISIONER_ROLE_ARN,
  }),
  publisher: createEventBridgePublisher(observability.capture(new EventBridgeClient({ region: env.AWS_REGION }))),
  eventBusName: env.EVENT_BUS_NAME,
  adminKeyHash: env.ADMIN_KEY_SHA256,
  limits: {
    budget: createRateLimitRepository({ doc, tableName, now: clock }),
    ...(env.API_MAX_BODY_BYTES === undefined ? {} : { maxBodyBytes: env.API_MAX_BODY_BYTES }),
    ...(env.API_REQUESTS_PER_MINUTE === undefined ? {} : { perMinute: env.API_REQUESTS_PER_MINUTE }),
  },
  clock,
  newId: randomUUID,
  observability,
});
