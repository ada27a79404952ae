/**
 * The one custom event bus, and an archive of everything our producers publish on it
 * (replay after a consumer bug: every consumer is idempotent, so a replay is safe).
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { DEFAULT_EVENT_BUS_NAME, EVENT_SOURCE } from '../../shared/contracts/events/event-entry.ts';

export interface HedgeEventBusProps {
  readonly stageName: string;
  readonly archiveRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

export class HedgeEventBus extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: HedgeEventBusProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: `${DEFAULT_EVENT_BUS_NAME}-${props.stageName}` });
    this.bus.applyRemovalPolicy(props.removalPolicy);
    const archive = this.bus.archive('Archive', {
      description: `every ${EVENT_SOURCE} event, for replay`,
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(props.archiveRetentionDays),
    });
    archive.applyRemovalPolicy(props.removalPolicy);
  }
}
