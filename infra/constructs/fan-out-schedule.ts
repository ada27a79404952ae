/**
 * The schedule that drives the fan-out: an EventBridge rule on the default bus every
 * `rateMinutes` minutes → ingest-schedule. A tick is worth nothing once the next one has
 * come, so EventBridge stops retrying after a few minutes and dead-letters it (visible).
 */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface FanOutScheduleProps {
  readonly rateMinutes: number;
  readonly target: IFunction;
  readonly undelivered: IQueue;
}

export class FanOutSchedule extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: FanOutScheduleProps) {
    super(scope, id);
    this.rule = new Rule(this, 'Tick', {
      description: 'scheduled fan-out tick → ingest-schedule',
      schedule: Schedule.rate(Duration.minutes(props.rateMinutes)),
      targets: [new LambdaFunction(props.target, { deadLetterQueue: props.undelivered, retryAttempts: 2, maxEventAge: Duration.minutes(5) })],
    });
  }
}
