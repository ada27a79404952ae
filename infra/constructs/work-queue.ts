/**
 * A queue a Lambda consumes, with its dead-letter queue: encrypted, TLS only, a redrive
 * after `maxReceiveCount` receives, and a visibility timeout sized for the consumer.
 */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Alerts } from './alerts.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

export interface WorkQueueProps {
  readonly alerts: Alerts;
  readonly fifo: boolean;
  readonly visibilityTimeout: Duration;
  readonly maxReceiveCount: number;
  readonly holds: string;
}

export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', { alerts: props.alerts, holds: props.holds, fifo: props.fifo });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: props.maxReceiveCount },
      ...(props.fifo ? { fifo: true } : {}),
    });
  }
}
