/**
 * One EventBridge rule per route of THE routing table (shared/contracts/routing-table.ts),
 * with the route's pattern as is and its name as the construct id, so the cloud routes
 * exactly as the local bus does. Consumers → targets:
 *
 * - evaluate → the evaluate function (asynchronous invoke);
 * - dispatch → enqueue-dispatch, which puts the event on the FIFO dispatch queue with the
 *   signer's message group (a rule's SQS target can only set a fixed group id);
 * - confirm → the Hedge Submitted queue that confirm-hedge consumes;
 * - alerting → the alerts topic.
 *
 * Every target retries and then dead-letters what EventBridge could not deliver into
 * one queue (each message names its rule and target in its attributes).
 */
import { Duration } from 'aws-cdk-lib';
import { Rule, type EventBus, type EventPattern as CdkEventPattern, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SnsTopic, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ROUTING_TABLE, type ConsumerName, type Route } from '../../shared/contracts/routing-table.ts';

export interface ConsumerTargets {
  readonly evaluate: IFunction;
  readonly dispatch: IFunction;
  readonly confirm: IQueue;
  readonly alerting: ITopic;
}

export interface EventRoutesProps {
  readonly bus: EventBus;
  readonly targets: ConsumerTargets;
  /** Where events go that EventBridge could not deliver after its retries. */
  readonly undelivered: IQueue;
}

/** EventBridge's own retries of a failed delivery, and how long it keeps trying. */
export const RULE_TARGET_RETRY = { retryAttempts: 8, maxEventAge: Duration.hours(2) } as const;

/** The route's pattern in CDK's shape; a field CDK's shape would silently drop is refused. */
export function cdkPatternOf(route: Route): CdkEventPattern {
  const { source, 'detail-type': detailType, ...rest } = route.pattern;
  if (Object.keys(rest).length > 0) throw new Error(`route ${route.name}: pattern fields ${Object.keys(rest).join(', ')} are not mapped to the CDK rule yet`);
  return { source: [...source], detailType: [...detailType] };
}

export class EventRoutes extends Construct {
  readonly rules: ReadonlyMap<string, Rule>;

  constructor(scope: Construct, id: string, props: EventRoutesProps) {
    super(scope, id);
    const onFailure = { deadLetterQueue: props.undelivered, ...RULE_TARGET_RETRY };
    const targetOf: Record<ConsumerName, () => IRuleTarget> = {
      evaluate: () => new LambdaFunction(props.targets.evaluate, onFailure),
      dispatch: () => new LambdaFunction(props.targets.dispatch, onFailure),
      confirm: () => new SqsQueue(props.targets.confirm, onFailure),
      alerting: () => new SnsTopic(props.targets.alerting, onFailure),
    };
    const rules = new Map<string, Rule>();
    for (const route of ROUTING_TABLE) {
      rules.set(
        route.name,
        new Rule(this, route.name, {
          eventBus: props.bus,
          description: `routing table: ${route.name} → ${route.consumer}`,
          eventPattern: cdkPatternOf(route),
          targets: [targetOf[route.consumer]()],
        }),
      );
    }
    this.rules = rules;
  }
}
