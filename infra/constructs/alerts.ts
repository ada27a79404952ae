/**
 * Where operators hear about trouble: one SNS topic, fed by the alerting route of the
 * routing table (Hedge Failed, Risk Limit Breached) and by every alarm, with an optional
 * email subscription from the stage config. Every alarm names its runbook: a section of
 * infra/README.md, by the anchor of its heading (a test checks each one exists).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertsProps {
  readonly stageName: string;
  readonly email?: string;
}

/** Where every alarm's runbook lives. */
export const RUNBOOK_FILE = 'infra/README.md';

export interface HedgeAlarmProps {
  readonly metric: IMetric;
  readonly threshold: number;
  /** 'atLeast': fires when the metric reaches the threshold; 'below': when it stays under it. */
  readonly when: 'atLeast' | 'below';
  /** What is wrong, in a few words. */
  readonly description: string;
  /** The anchor of its section in infra/README.md (e.g. 'hedges-failing'). */
  readonly runbook: string;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  /** Default: missing data is fine (most metrics are only emitted when something happens). */
  readonly treatMissingData?: TreatMissingData;
}

export class Alerts extends Construct {
  readonly topic: Topic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    // SSE on this topic would need a customer key whose policy admits EventBridge and
    // CloudWatch; alerts carry ids and reasons, never secrets, so TLS-only publishing is
    // the control here.
    this.topic = new Topic(this, 'Topic', { displayName: `hedge ${props.stageName} alerts`, enforceSSL: true });
    if (props.email !== undefined) this.topic.addSubscription(new EmailSubscription(props.email));
    // A topic policy replaces the topic's default one, which is what lets this account's
    // CloudWatch alarms publish: without this statement every alarm would fire into the void.
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }),
    );
    this.action = new SnsAction(this.topic);
  }

  /** An alarm that fires when `metric` reaches `threshold` in one period, and tells the topic. */
  alarmAtLeast(scope: Construct, id: string, metric: IMetric, threshold: number, description: string, runbook: string): Alarm {
    return this.alarm(scope, id, { metric, threshold, when: 'atLeast', description, runbook });
  }

  /** An alarm on the topic, its description ending with its runbook's address. */
  alarm(scope: Construct, id: string, props: HedgeAlarmProps): Alarm {
    const alarm = new Alarm(scope, id, {
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      ...(props.datapointsToAlarm === undefined ? {} : { datapointsToAlarm: props.datapointsToAlarm }),
      comparisonOperator: props.when === 'atLeast' ? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD : ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: props.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: `${props.description}. Runbook: ${RUNBOOK_FILE}#${props.runbook}`,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }
}

/** The period every alarm looks at. */
export const ALARM_PERIOD = Duration.minutes(5);
