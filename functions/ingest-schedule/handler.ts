/**
 * Lambda entry of the scheduled fan-out (an EventBridge schedule, once a minute).
 * Adapters are built once per cold start from the validated environment; the event
 * handling is in createIngestScheduleHandler. Powertools (logs, metrics, traces) comes
 * from the same environment.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createAccountRepository } from '../../shared/adapters/dynamodb/account-repository.ts';
import { createDynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { createDispatchLimitsRepository } from '../../shared/adapters/dynamodb/dispatch-limits-repository.ts';
import { createEventBridgePublisher } from '../../shared/adapters/eventbridge/eventbridge-publisher.ts';
import type { EventPublisher } from '../../shared/contracts/events/event-publisher.ts';
import { loadIngestScheduleEnv } from './configuration.ts';
import { createIngestScheduleHandler } from './create-ingest-schedule-handler.ts';
import { observabilityFromEnv } from '../../shared/runtime/observability.ts';

const env = loadIngestScheduleEnv(process.env);
const observability = observabilityFromEnv('ingest-schedule', process.env);
const { doc } = createDynamoDbClients({ region: env.AWS_REGION, ...(env.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: env.DYNAMODB_ENDPOINT }), instrument: observability.capture });

// The fan-out encodes its events for the default bus; the publisher addresses them to ours.
const publisher: EventPublisher = createEventBridgePublisher(observability.capture(new EventBridgeClient({ region: env.AWS_REGION })), { eventBusName: env.EVENT_BUS_NAME });

export const handler = createIngestScheduleHandler({
  deps: {
    accounts: createAccountRepository({ doc, tableName: env.TABLE_NAME }),
    publisher,
    ...(env.FAN_OUT_PAGE_SIZE === undefined ? {} : { pageSize: env.FAN_OUT_PAGE_SIZE }),
  },
  // Read each tick (one GetItem) for the KillSwitchEngaged metric.
  killSwitch: createDispatchLimitsRepository({ doc, tableName: env.TABLE_NAME }),
  observability,
});
