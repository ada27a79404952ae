/**
 * What must outlive a deployment: the table, the bus and its archive, the secrets. (The
 * signing keys are per account, made by the config API when the operator creates an
 * account: infra/constructs/hedge-functions.ts.) Kept on delete where the stage says so (prod); the stateless stack can be
 * destroyed and redeployed at will against these.
 */
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stages.ts';
import { HedgeEventBus } from '../constructs/hedge-event-bus.ts';
import { HedgeSecrets, type SecretName } from '../constructs/hedge-secrets.ts';
import { HedgeTable } from '../constructs/hedge-table.ts';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';

export interface StatefulStackProps extends StackProps {
  readonly stage: StageConfig;
}

export class StatefulStack extends Stack {
  readonly table: Table;
  readonly bus: EventBus;
  readonly secrets: Readonly<Record<SecretName, Secret>>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const removalPolicy = props.stage.retainState ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.table = new HedgeTable(this, 'State', { removalPolicy }).table;
    this.bus = new HedgeEventBus(this, 'Events', { stageName: props.stage.name, archiveRetentionDays: props.stage.archiveRetentionDays, removalPolicy }).bus;
    this.secrets = new HedgeSecrets(this, 'Secrets', { stageName: props.stage.name, removalPolicy }).secrets;
  }
}
