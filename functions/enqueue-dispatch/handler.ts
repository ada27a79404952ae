/**
 * Lambda entry of the bridge from the Hedge Requested rule to the dispatcher's FIFO
 * queue. The client is built once per cold start from the validated environment; the
 * event handling is in createEnqueueDispatchHandler.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadEnqueueDispatchEnv } from './configuration.ts';
import { createEnqueueDispatchHandler } from './create-enqueue-dispatch-handler.ts';

const env = loadEnqueueDispatchEnv(process.env);

export const handler = createEnqueueDispatchHandler({
  sqs: new SQSClient({ region: env.AWS_REGION }),
  queueUrl: env.DISPATCH_QUEUE_URL,
  onOutcome: (outcome) => console.log(JSON.stringify({ level: 'info', message: 'hedge request queued for dispatch', ...outcome })),
});
