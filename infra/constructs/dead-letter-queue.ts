/**
 * A dead-letter queue: encrypted, TLS only, kept 14 days (the SQS maximum), with an alarm
 * as soon as one message lands in it. Every asynchronous hop ends in one of these.
 */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARM_PERIOD, type Alerts } from './alerts.ts';

export interface DeadLetterQueueProps {
  readonly alerts: Alerts;
  /** What failed, for the alarm description. */
  readonly holds: string;
  readonly fifo?: boolean;
}

export class DeadLetterQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      ...(props.fifo === true ? { fifo: true } : {}),
    });
    const depth = this.queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: 'Maximum' });
    props.alerts.alarmAtLeast(this, 'DepthAlarm', depth, 1, `dead letters: ${props.holds}`, 'dead-letters');
  }
}
