/**
 * Lambda entry of the scheduled fan-out (an EventBridge schedule, once a minute).
 * Adapters are built once per cold start from the validated environment; the event
 * handling is in createIngestScheduleHandler.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createAccountRepository } from '../../shared/adapters/dynamodb/account-repository.ts';
import { createDynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { createEventBridgePublisher } from '../../shared/adapters/eventbridge/eventbridge-publisher.ts';
import type { EventPublisher } from '../../shared/contracts/events/event-publisher.ts';
import { loadIngestScheduleEnv } from './configuration.ts';
import { createIngestScheduleHandler } from './create-ingest-schedule-handler.ts';

const env = loadIngestScheduleEnv(process.env);
const { doc } = createDynamoDbClients({ region: env.AWS_REGION, ...(env.DYNAMODB_ENDPOINT === undefined ? {} : { endpoint: env.DYNAMODB_ENDPOINT }) });

// The fan-out encodes its events for the default bus; address them to ours.
// The use cases encode their events for the default bus name; the publisher addresses them to ours.
const publisher: EventPublisher = createEventBridgePublisher(new EventBridgeClient({ region: env.AWS_REGION }), { eventBusName: env.EVENT_BUS_NAME });

export const handler = createIngestScheduleHandler({
  deps: {
    accounts: createAccountRepository({ doc, tableName: env.TABLE_NAME }),
    publisher,
    ...(env.FAN_OUT_PAGE_SIZE === undefined ? {} : { pageSize: env.FAN_OUT_PAGE_SIZE }),
  },
  onOutcome: (outcome) => console.log(JSON.stringify({ level: 'info', message: 'fan-out tick done', ...outcome })),
});
