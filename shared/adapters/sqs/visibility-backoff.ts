/**
 * A growing delay for SQS records that are "not yet" (a receipt short of its confirmations,
 * a hedge not mined): the consumer lists the record in batchItemFailures and, before
 * that, pushes its next delivery out with ChangeMessageVisibility, so a record that stays
 * pending is looked at less and less often instead of every visibility timeout.
 */
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** Pushes the record's next delivery `seconds` from now. */
export type ExtendVisibility = (record: SQSRecord, seconds: number) => Promise<void>;

export const RETRY_BASE_SECONDS = 5;
export const RETRY_MAX_SECONDS = 300;

/** min(2^n · 5 s, 300 s) for the n-th delivery (n from ApproximateReceiveCount; 1 when absent or unreadable). */
export function retryDelaySeconds(receiveCount: number): number {
  const n = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  // Capped before the power so a long-lived message never overflows to Infinity.
  return Math.min(RETRY_BASE_SECONDS * 2 ** Math.min(n, 16), RETRY_MAX_SECONDS);
}

/** The ExtendVisibility of one queue, over an SQS client. */
export function createSqsVisibilityExtender(client: { send(command: ChangeMessageVisibilityCommand): Promise<unknown> }, queueUrl: string): ExtendVisibility {
  return async (record, seconds) => {
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }));
  };
}
