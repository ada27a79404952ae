/**
 * Everything that can be destroyed and redeployed at will: the functions, the HTTP API,
 * the schedule, the rules generated from the routing table, the queues and their
 * dead-letter queues, the alerts topic and the alarms, the dashboard. It points at the
 * stateful stack's table, bus, key and secrets.
 *
 * The admin key's SHA-256 is a deploy-time parameter (`--parameters AdminKeySha256=…`):
 * the hash is not a secret, the key it stands for is never configured anywhere.
 */
import { CfnParameter, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stages.ts';
import { Alerts } from '../constructs/alerts.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { EventRoutes } from '../constructs/event-routes.ts';
import { FanOutSchedule } from '../constructs/fan-out-schedule.ts';
import { HedgeAlarms } from '../constructs/hedge-alarms.ts';
import { HedgeDashboard } from '../constructs/hedge-dashboard.ts';
import { HedgeFunctions } from '../constructs/hedge-functions.ts';
import { HedgeHttpApi } from '../constructs/hedge-http-api.ts';
import { WorkQueue } from '../constructs/work-queue.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly state: StatefulStack;
}

export class StatelessStack extends Stack {
  readonly functions: HedgeFunctions;
  readonly httpApi: HedgeHttpApi;
  readonly routes: EventRoutes;
  readonly alerts: Alerts;
  readonly alarms: HedgeAlarms;
  readonly dashboard: HedgeDashboard;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { stage, state } = props;
    const adminKeySha256 = new CfnParameter(this, 'AdminKeySha256', {
      type: 'String',
      allowedPattern: '^[0-9a-f]{64}$',
      constraintDescription: 'the SHA-256 of the admin key, 64 lowercase hex digits',
      description: 'SHA-256 (lowercase hex) of the admin API key; the key itself is never deployed',
    });

    this.alerts = new Alerts(this, 'Alerts', { stageName: stage.name, ...(stage.alarmEmail === undefined ? {} : { email: stage.alarmEmail }) });

    // Queue timings follow their consumers: visibility ≥ 3 × the 60 s function timeout;
    // receive counts are how long a record may keep coming back before it is dead.
    const confirmation = new WorkQueue(this, 'ConfirmationQueue', {
      alerts: this.alerts,
      fifo: true,
      visibilityTimeout: Duration.minutes(3),
      // A deferred confirmation (too few blocks yet) comes back each visibility timeout: ~3 h.
      maxReceiveCount: 60,
      holds: 'webhook confirmations confirm-positions could not apply',
    });
    const dispatch = new WorkQueue(this, 'DispatchQueue', {
      alerts: this.alerts,
      fifo: true,
      visibilityTimeout: Duration.minutes(3),
      maxReceiveCount: 10,
      holds: 'hedge requests dispatch could not send (their signer lane is blocked until handled)',
    });
    const hedgeSubmitted = new WorkQueue(this, 'HedgeSubmittedQueue', {
      alerts: this.alerts,
      fifo: false,
      visibilityTimeout: Duration.minutes(3),
      // confirm-hedge spaces its looks out (5 s · 2^n, at most 300 s): 100 looks ≈ 8 h.
      maxReceiveCount: 100,
      holds: 'submitted hedges confirm-hedge could not follow to the end',
    });
    const undelivered = new DeadLetterQueue(this, 'UndeliveredEvents', { alerts: this.alerts, holds: 'events EventBridge could not deliver to a rule target' });
    Validations.of(undelivered.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: the DLQ of every EventBridge rule target (the routing-table rules and the schedule), which cdk-nag does not recognise as a DLQ.',
    });

    this.functions = new HedgeFunctions(this, 'Functions', {
      stage,
      table: state.table,
      bus: state.bus,
      secrets: state.secrets,
      confirmationQueue: confirmation.queue,
      dispatchQueue: dispatch.queue,
      hedgeSubmittedQueue: hedgeSubmitted.queue,
      adminKeySha256: adminKeySha256.valueAsString,
      alerts: this.alerts,
    });
    const fn = this.functions.byName;

    this.httpApi = new HedgeHttpApi(this, 'Http', {
      stageName: stage.name,
      configApi: fn['config-api'].fn,
      ingestWebhook: fn['ingest-webhook'].fn,
      throttle: stage.apiThrottle,
      webhookThrottle: stage.webhookThrottle,
      logRetentionDays: stage.logRetentionDays,
      logRemovalPolicy: stage.retainState ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    new FanOutSchedule(this, 'Schedule', { rateMinutes: stage.scheduleRateMinutes, target: fn['ingest-schedule'].fn, undelivered: undelivered.queue });
    this.routes = new EventRoutes(this, 'Routes', {
      bus: state.bus,
      targets: { evaluate: fn.evaluate.fn, dispatch: fn['enqueue-dispatch'].fn, confirm: hedgeSubmitted.queue, alerting: this.alerts.topic },
      undelivered: undelivered.queue,
    });

    this.alarms = new HedgeAlarms(this, 'Alarms', { stage, alerts: this.alerts, scheduler: fn['ingest-schedule'].fn });
    const failed = this.functions.failedInvocations;
    this.dashboard = new HedgeDashboard(this, 'Dashboard', {
      stage,
      functions: fn,
      workQueues: { confirmations: confirmation.queue, dispatch: dispatch.queue, 'hedge-submitted': hedgeSubmitted.queue },
      deadLetterQueues: {
        'confirmations DLQ': confirmation.deadLetters.queue,
        'dispatch DLQ': dispatch.deadLetters.queue,
        'hedge-submitted DLQ': hedgeSubmitted.deadLetters.queue,
        'undelivered events': undelivered.queue,
        ...Object.fromEntries(Object.entries(failed).map(([name, queue]) => [`${name} failed invocations`, queue])),
      },
      alarms: this.alarms,
    });
  }
}
