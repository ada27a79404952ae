/**
 * Lambda entry of the bridge from the Hedge Requested rule to the dispatcher's FIFO
 * queue. The client is built once per cold start from the validated environment; the
 * event handling is in createEnqueueDispatchHandler. Powertools (logs, metrics, traces)
 * comes from the same environment.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { observabilityFromEnv } from '../../shared/runtime/observability.ts';
import { loadEnqueueDispatchEnv } from './configuration.ts';
import { createEnqueueDispatchHandler } from './create-enqueue-dispatch-handler.ts';

const env = loadEnqueueDispatchEnv(process.env);
const observability = observabilityFromEnv('enqueue-dispatch', process.env);

export const handler = createEnqueueDispatchHandler({
  sqs: observability.capture(new SQSClient({ region: env.AWS_REGION })),
  queueUrl: env.DISPATCH_QUEUE_URL,
  observability,
});
