/**
 * Which table actions each function may call, named resource by resource (the table's
 * ARN, the gsi1 index's ARN; never `index/*`). Derived from the repositories each Lambda
 * entry wires (shared/adapters/dynamodb/*-repository.ts, ACCESS-PATTERNS.md): a
 * TransactWriteItems needs the action of each item it writes (Put, Update, Delete,
 * ConditionCheck), so those are listed, not dynamodb:TransactWriteItems.
 */
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { GLOBAL_PK } from '../../shared/adapters/dynamodb/keys.ts';
import { GSI1 } from '../../shared/contracts/table-definition.ts';
import type { FunctionName } from '../config/stages.ts';

export type ItemAction = 'GetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem';

export interface TableAccess {
  /** Actions on the table itself. */
  readonly items: readonly ItemAction[];
  /** dynamodb:Query on gsi1 (the active-accounts fan-out). */
  readonly queriesGsi1: boolean;
  /** dynamodb:GetItem on the deployment-wide items only (partition GLOBAL: the kill switch), by a leading-key condition. */
  readonly readsGlobalItems?: boolean;
}

export const TABLE_ACCESS: Readonly<Record<FunctionName, TableAccess>> = {
  // accounts (+ API keys), configs, positions, hedge records, exposure, kill switch.
  'config-api': { items: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'], queriesGsi1: false },
  // webhook delivery dedupe: claim (Put), complete (Update), release (Delete).
  'ingest-webhook': { items: ['PutItem', 'UpdateItem', 'DeleteItem'], queriesGsi1: false },
  // active accounts through gsi1; the global kill switch (read each tick for its metric), nothing else.
  'ingest-schedule': { items: [], queriesGsi1: true, readsGlobalItems: true },
  // config, profile, positions, hedge state; commits the evaluation (Puts in one
  // transaction) and clears its outbox after publishing (Update).
  evaluate: { items: ['GetItem', 'Query', 'PutItem', 'UpdateItem'], queriesGsi1: false },
  'enqueue-dispatch': { items: [], queriesGsi1: false },
  // config, profile, journal, limits, nonces.
  dispatch: { items: ['GetItem', 'PutItem', 'UpdateItem'], queriesGsi1: false },
  // config, profile, journal, limits.
  'confirm-hedge': { items: ['GetItem', 'PutItem', 'UpdateItem'], queriesGsi1: false },
  // positions: read, write, delete after a reorg.
  'confirm-positions': { items: ['GetItem', 'Query', 'PutItem', 'DeleteItem'], queriesGsi1: false },
};

export function grantTableAccess(grantee: IGrantable, table: Pick<ITable, 'tableArn'>, access: TableAccess): void {
  if (access.items.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: access.items.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }));
  }
  if (access.readsGlobalItems === true) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [table.tableArn], conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [GLOBAL_PK] } } }),
    );
  }
  if (access.queriesGsi1) {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${GSI1.name}`] }));
  }
}
