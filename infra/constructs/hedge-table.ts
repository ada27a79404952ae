/**
 * The single DynamoDB table, built from shared/contracts/table-definition.ts (the same
 * definition the local stack and the integration tests use), so key names, the index and
 * the TTL attribute cannot drift between the cloud and this machine.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../../shared/contracts/table-definition.ts';

export interface HedgeTableProps {
  readonly removalPolicy: RemovalPolicy;
}

export class HedgeTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: HedgeTableProps) {
    super(scope, id);
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new Table(this, 'Table', {
      partitionKey: key(TABLE_DEFINITION.partitionKey),
      sortKey: key(TABLE_DEFINITION.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_DEFINITION.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // AWS-owned keys would also encrypt; the AWS-managed key makes it explicit in the
      // template and auditable in CloudTrail, at no key policy to maintain.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    for (const index of TABLE_DEFINITION.globalIndexes) {
      this.table.addGlobalSecondaryIndex({ indexName: index.name, partitionKey: key(index.partitionKey), sortKey: key(index.sortKey), projectionType: ProjectionType.ALL });
    }
  }
}
