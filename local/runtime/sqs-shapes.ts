/**
 * The SQS event and Lambda context shapes the queue-triggered handlers take, built for
 * the in-process queues of the local stack: the handlers run exactly as behind SQS
 * (one record per call here, bodies as an SQS target would deliver them).
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

export interface LocalMessage {
  readonly messageId: string;
  readonly body: string;
  /** FIFO message group (the dispatch lanes); absent on standard queues. */
  readonly group?: string;
}

export function sqsEventOf(message: LocalMessage, receiveCount: number, queueName: string): SQSEvent {
  const now = String(Date.now());
  const record: SQSRecord = {
    messageId: message.messageId,
    receiptHandle: `${message.messageId}:${receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: now,
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: now,
      ...(message.group === undefined ? {} : { MessageGroupId: message.group, MessageDeduplicationId: message.messageId }),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:${queueName}`,
    awsRegion: 'local',
  };
  return { Records: [record] };
}

/** A Lambda context for one local invocation (a fresh request id: claim owners derive from it). */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const newMessageId = (): string => randomUUID();
