/**
 * Fine-grained assertions on the synthesised templates: the stateful resources and their
 * key properties, every function's runtime and environment, each function's IAM actions,
 * the API routes, the rules generated from the routing table, the DLQs and the alarms.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ConfigApiEnvSchema } from '../../functions/config-api/config-api-env.ts';
import { ConfirmHedgeEnvSchema } from '../../functions/confirm-hedge/configuration.ts';
import { ConfirmPositionsEnvSchema } from '../../functions/confirm-positions/configuration.ts';
import { DispatchEnvSchema } from '../../functions/dispatch/configuration.ts';
import { EnqueueDispatchEnvSchema } from '../../functions/enqueue-dispatch/configuration.ts';
import { EvaluateEnvSchema } from '../../functions/evaluate/configuration.ts';
import { IngestScheduleEnvSchema } from '../../functions/ingest-schedule/configuration.ts';
import { IngestWebhookRuntimeEnvSchema } from '../../functions/ingest-webhook/configuration.ts';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/config/stages.ts';
import { CONFIG_API_ROUTES } from '../../shared/contracts/api/config-api-routes.ts';
import { EVENT_SOURCE } from '../../shared/contracts/events/event-entry.ts';
import { ROUTING_TABLE } from '../../shared/contracts/routing-table.ts';
import { createTableInput, GSI1, TABLE_DEFINITION } from '../../shared/contracts/table-definition.ts';
import { GLOBAL_PK } from '../../shared/adapters/dynamodb/keys.ts';
import { ObservabilityEnvSchema } from '../../shared/runtime/observability.ts';
import { synthHedgeApp } from './synth-hedge-app.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
const byType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** The variables each function's configuration reads (keys of its zod schema). */
const READS: Record<FunctionName, readonly string[]> = {
  'config-api': Object.keys(ConfigApiEnvSchema.shape),
  'ingest-webhook': [...Object.keys(IngestWebhookRuntimeEnvSchema.shape), 'WEBHOOK_SOURCES', 'WEBHOOK_MAX_BODY_BYTES'],
  'ingest-schedule': Object.keys(IngestScheduleEnvSchema.shape),
  evaluate: Object.keys(EvaluateEnvSchema.shape),
  'enqueue-dispatch': Object.keys(EnqueueDispatchEnvSchema.shape),
  dispatch: Object.keys(DispatchEnvSchema.shape),
  'confirm-hedge': Object.keys(ConfirmHedgeEnvSchema.shape),
  'confirm-positions': Object.keys(ConfirmPositionsEnvSchema.shape),
};
/** Variables a secret ARN stands in for (infra/README.md, "Secrets"), and the runtime's own. */
const SECRET_STAND_INS: Record<string, string> = { CHAINS_SECRET_ARN: 'CHAINS', POSITION_CHAINS_SECRET_ARN: 'CHAINS', WEBHOOK_SOURCES_SECRET_ARN: 'WEBHOOK_SOURCES' };
const SET_BY_LAMBDA = ['AWS_REGION'];
/** Read by every function's Powertools setup (shared/runtime/observability.ts), besides its own configuration. */
const OBSERVABILITY_READS = Object.keys(ObservabilityEnvSchema.shape);
/** Active tracing's statement: X-Ray's write actions name no resource. */
const XRAY_ACTIONS = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const LOCAL_ONLY = ['DYNAMODB_ENDPOINT', 'LOCAL_SIGNER_KEYS'];

/** The IAM actions each function's role is granted (besides writing its own log group). */
const OWN_ACTIONS: Record<FunctionName, readonly string[]> = {
  'config-api': ['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'events:PutEvents', 'kms:CreateKey', 'kms:TagResource'],
  'ingest-webhook': ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
  'ingest-schedule': ['dynamodb:GetItem', 'dynamodb:Query', 'events:PutEvents', 'sqs:SendMessage'],
  evaluate: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'events:PutEvents', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'sqs:SendMessage'],
  'enqueue-dispatch': ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
  dispatch: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'events:PutEvents', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
  'confirm-hedge': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'events:PutEvents', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
  'confirm-positions': ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'events:PutEvents', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
};

const EXPECTED_ACTIONS = Object.fromEntries(Object.entries(OWN_ACTIONS).map(([name, actions]) => [name, [...actions, ...XRAY_ACTIONS]])) as unknown as Record<FunctionName, readonly string[]>;

describe.each(['dev', 'prod'] as const)('stacks, stage %s', (stageName) => {
  const { statefulTemplate: stateful, statelessTemplate: stateless, stage } = synthHedgeApp(stageName);
  const statelessResources = stateless.toJSON().Resources as Record<string, Resource>;
  const retention = stage.retainState ? 'Retain' : 'Delete';

  const functionIds = new Map<FunctionName, string>(
    byType(statelessResources, 'AWS::Lambda::Function').map(([id, r]) => [String(r.Properties.FunctionName).replace(`hedge-${stageName}-`, '') as FunctionName, id]),
  );
  const roleOf = (name: FunctionName) => ((statelessResources[functionIds.get(name)!]!.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0])!;
  const statementsOf = (name: FunctionName) =>
    byType(statelessResources, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleOf(name) }]))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] }).Statement);

  describe('stateful', () => {
    it('builds the table from the shared definition: keys, gsi1, TTL, PITR, encryption, on-demand', () => {
      const expected = createTableInput('ignored');
      stateful.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: retention,
        Properties: Match.objectLike({
          KeySchema: expected.KeySchema,
          AttributeDefinitions: Match.arrayWith(expected.AttributeDefinitions),
          GlobalSecondaryIndexes: [{ IndexName: GSI1.name, KeySchema: expected.GlobalSecondaryIndexes[0]!.KeySchema, Projection: { ProjectionType: 'ALL' } }],
          TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.ttlAttribute, Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          // SSE on with no key named: the AWS-managed key (aws/dynamodb).
          SSESpecification: { SSEEnabled: true },
          BillingMode: 'PAY_PER_REQUEST',
          DeletionProtectionEnabled: stage.retainState,
        }),
      });
      stateful.resourceCountIs('AWS::DynamoDB::Table', 1);
    });

    it('has the custom bus and an archive of our events', () => {
      stateful.hasResourceProperties('AWS::Events::EventBus', { Name: `hedge-events-${stageName}` });
      stateful.hasResource('AWS::Events::Archive', { DeletionPolicy: retention, Properties: Match.objectLike({ EventPattern: { source: [EVENT_SOURCE] }, RetentionDays: stage.archiveRetentionDays }) });
    });

    it('has no deployment-wide signing key: each account gets its own, made by the config API', () => {
      stateful.resourceCountIs('AWS::KMS::Key', 0);
    });

    it('has the secrets, with names, kept as the stage says', () => {
      for (const name of ['chains', 'positionChains', 'webhookSources']) {
        stateful.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: retention, Properties: Match.objectLike({ Name: `hedge/${stageName}/${name}` }) });
      }
    });
  });

  describe('functions', () => {
    it('deploys exactly the eight functions, Node 24 on arm64, with log retention', () => {
      expect([...functionIds.keys()].sort()).toEqual([...FUNCTION_NAMES].sort());
      for (const [, fn] of byType(statelessResources, 'AWS::Lambda::Function')) {
        expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
      }
      for (const [, group] of byType(statelessResources, 'AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(stage.logRetentionDays);
    });

    it.each(FUNCTION_NAMES)('%s: sets exactly the variables its configuration reads (secrets as ARNs)', (name) => {
      const env = Object.keys((statelessResources[functionIds.get(name)!]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables).filter((v) => v !== 'NODE_OPTIONS');
      const reads = new Set([...READS[name], ...OBSERVABILITY_READS]);
      for (const variable of env) expect(reads.has(SECRET_STAND_INS[variable] ?? variable), `${name} sets ${variable}, which it does not read`).toBe(true);
      const covered = new Set([...env.map((v) => SECRET_STAND_INS[v] ?? v), ...SET_BY_LAMBDA, ...LOCAL_ONLY]);
      const schemaOf = { 'config-api': ConfigApiEnvSchema, 'ingest-schedule': IngestScheduleEnvSchema, evaluate: EvaluateEnvSchema, 'enqueue-dispatch': EnqueueDispatchEnvSchema, dispatch: DispatchEnvSchema, 'confirm-hedge': ConfirmHedgeEnvSchema, 'confirm-positions': ConfirmPositionsEnvSchema, 'ingest-webhook': IngestWebhookRuntimeEnvSchema }[name];
      const required = Object.entries(schemaOf.shape as Record<string, { safeParse: (v: unknown) => { success: boolean } }>).filter(([, s]) => !s.safeParse(undefined).success).map(([k]) => k);
      if (name === 'ingest-webhook') required.push('WEBHOOK_SOURCES');
      for (const variable of required) expect(covered.has(variable), `${name} needs ${variable}`).toBe(true);
    });

    it.each(FUNCTION_NAMES)('%s: is granted exactly its actions, on named resources only', (name) => {
      const statements = statementsOf(name);
      const actions = new Set(statements.flatMap((s) => asArray(s.Action)));
      actions.delete('logs:CreateLogStream');
      actions.delete('logs:PutLogEvents');
      expect([...actions].sort()).toEqual([...EXPECTED_ACTIONS[name]].sort());
      for (const statement of statements.filter((s) => !isKeyCreation(s) && !isXRay(s))) {
        for (const action of asArray(statement.Action)) expect(action).not.toContain('*');
        for (const resource of asArray(statement.Resource)) expect(JSON.stringify(resource)).not.toContain('*');
      }
      // The one other statement on "*": exactly X-Ray's two write actions.
      expect(statements.filter(isXRay).map((s) => [...asArray(s.Action)].sort())).toEqual([XRAY_ACTIONS]);
    });

    it.each(FUNCTION_NAMES)('%s: traces actively, logs at the stage level, knows its stage', (name) => {
      const fn = statelessResources[functionIds.get(name)!]!.Properties;
      expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
      expect((fn.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({ STAGE: stageName, POWERTOOLS_LOG_LEVEL: stage.logLevel });
    });

    it('lets ingest-schedule read only the deployment-wide items (the kill switch) by their partition', () => {
      const gets = statementsOf('ingest-schedule').filter((s) => asArray(s.Action).includes('dynamodb:GetItem'));
      expect(gets).toHaveLength(1);
      expect(gets[0]!.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [GLOBAL_PK] } });
    });

    it('lets the config API create only secp256k1 signing keys tagged with this stage (KMS CreateKey has no resource to name)', () => {
      const creation = statementsOf('config-api').filter(isKeyCreation);
      expect(creation.map((s) => s.Action).sort()).toEqual(['kms:CreateKey', 'kms:TagResource']);
      for (const statement of creation) {
        expect(statement.Resource).toBe('*');
        expect((statement.Condition as { StringEquals: Record<string, unknown> }).StringEquals['aws:RequestTag/hedge:stage']).toBe(stageName);
      }
      const create = creation.find((s) => s.Action === 'kms:CreateKey')!;
      expect((create.Condition as { StringEquals: Record<string, unknown> }).StringEquals).toMatchObject({ 'kms:KeySpec': 'ECC_SECG_P256K1', 'kms:KeyUsage': 'SIGN_VERIFY' });
      // Nothing else anywhere holds a KMS action: signing is granted key by key in each key's policy.
      for (const name of FUNCTION_NAMES) {
        const kms = statementsOf(name).filter((s) => !isKeyCreation(s)).flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('kms:'));
        expect(kms, name).toEqual([]);
      }
      const env = (statelessResources[functionIds.get('config-api')!]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(JSON.stringify(env.SIGNER_ROLE_ARNS)).toContain(roleOf('dispatch'));
      expect(JSON.stringify(env.SIGNER_ROLE_ARNS)).toContain(roleOf('confirm-hedge'));
      expect(JSON.stringify(env.PROVISIONER_ROLE_ARN)).toContain(roleOf('config-api'));
    });

    it('lets only ingest-schedule query gsi1, by the index ARN', () => {
      const gsiStatements = FUNCTION_NAMES.flatMap((name) => statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes(`/index/${GSI1.name}`)).map(() => name));
      expect(gsiStatements).toEqual(['ingest-schedule']);
    });

    it('consumes the queues with partial batch responses', () => {
      const mappings = byType(statelessResources, 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(3);
      for (const [, mapping] of mappings) expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      const consumers = mappings.map(([, m]) => (m.Properties.FunctionName as { Ref: string }).Ref).sort();
      expect(consumers).toEqual([functionIds.get('confirm-hedge'), functionIds.get('confirm-positions'), functionIds.get('dispatch')].sort());
    });

    it('gives every asynchronously invoked function retries and a DLQ', () => {
      for (const name of ['evaluate', 'enqueue-dispatch', 'ingest-schedule'] as const) {
        expect(statelessResources[functionIds.get(name)!]!.Properties.DeadLetterConfig, name).toEqual({ TargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
        stateless.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: functionIds.get(name) }, MaximumRetryAttempts: 2 });
      }
    });
  });

  describe('HTTP API', () => {
    it('routes every config API route and the webhook route, nothing else', () => {
      const routeKeys = byType(statelessResources, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
      const expected = [...Object.values(CONFIG_API_ROUTES).map((r) => `${r.method} ${r.path}`), 'POST /webhooks/{provider}'];
      expect(routeKeys.sort()).toEqual(expected.sort());
    });

    it('logs access and throttles on its stage', () => {
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
        DefaultRouteSettings: { ThrottlingRateLimit: stage.apiThrottle.rateLimit, ThrottlingBurstLimit: stage.apiThrottle.burstLimit },
        // The webhook route's own bucket: a flood on the configuration API cannot spend it.
        RouteSettings: { 'POST /webhooks/{provider}': { ThrottlingRateLimit: stage.webhookThrottle.rateLimit, ThrottlingBurstLimit: stage.webhookThrottle.burstLimit } },
      });
    });
  });

  describe('events', () => {
    const rules = byType(statelessResources, 'AWS::Events::Rule');
    const busRules = rules.filter(([, r]) => r.Properties.EventBusName !== undefined);

    it('makes one rule per routing-table route, with the route pattern exactly', () => {
      expect(busRules.map(([, r]) => r.Properties.EventPattern)).toEqual(ROUTING_TABLE.map((route) => route.pattern));
    });

    it('targets each consumer as designed, every target with retries and a DLQ', () => {
      const targetOf = { evaluate: functionIds.get('evaluate'), dispatch: functionIds.get('enqueue-dispatch'), confirm: 'HedgeSubmittedQueue', alerting: 'AlertsTopic' };
      busRules.forEach(([, rule], i) => {
        const route = ROUTING_TABLE[i]!;
        const targets = rule.Properties.Targets as { Arn: unknown; DeadLetterConfig?: unknown; RetryPolicy?: unknown }[];
        expect(targets).toHaveLength(1);
        expect(JSON.stringify(targets[0]!.Arn)).toContain(targetOf[route.consumer]!);
        expect(targets[0]!.DeadLetterConfig, route.name).toBeDefined();
        expect(targets[0]!.RetryPolicy, route.name).toBeDefined();
      });
    });

    it('ticks the fan-out on the stage schedule, with a DLQ', () => {
      const schedules = rules.filter(([, r]) => r.Properties.ScheduleExpression !== undefined);
      expect(schedules).toHaveLength(1);
      const [, schedule] = schedules[0]!;
      expect(schedule.Properties.ScheduleExpression).toBe(stage.scheduleRateMinutes === 1 ? 'rate(1 minute)' : `rate(${stage.scheduleRateMinutes} minutes)`);
      const [target] = schedule.Properties.Targets as { Arn: unknown; DeadLetterConfig?: unknown }[];
      expect(JSON.stringify(target!.Arn)).toContain(functionIds.get('ingest-schedule')!);
      expect(target!.DeadLetterConfig).toBeDefined();
    });
  });

  describe('queues and alarms', () => {
    const queues = byType(statelessResources, 'AWS::SQS::Queue');

    it('encrypts every queue; the dispatch and confirmation queues are FIFO with FIFO DLQs', () => {
      for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      const fifo = queues.filter(([, q]) => q.Properties.FifoQueue === true).map(([id]) => id);
      expect(fifo.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ConfirmationQueue', 'ConfirmationQueueDeadLettersQueue', 'DispatchQueue', 'DispatchQueueDeadLettersQueue']);
    });

    it('gives every work queue a redrive to its DLQ', () => {
      const work = queues.filter(([id]) => /^(ConfirmationQueue|DispatchQueue|HedgeSubmittedQueue)(?!DeadLetters)/.test(id));
      expect(work).toHaveLength(3);
      for (const [id, queue] of work) expect(queue.Properties.RedrivePolicy, id).toMatchObject({ deadLetterTargetArn: expect.anything(), maxReceiveCount: expect.any(Number) });
    });

    it('alarms on the depth of every DLQ, and on errors and throttles of every function', () => {
      const alarms = byType(statelessResources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
      const dlqIds = queues.filter(([id]) => !/^(ConfirmationQueue|DispatchQueue|HedgeSubmittedQueue)(?!DeadLetters)/.test(id)).map(([id]) => id);
      expect(dlqIds).toHaveLength(7); // 3 work-queue DLQs, 3 async-function DLQs, 1 for undelivered events
      for (const id of dlqIds) {
        expect(alarms.some((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Dimensions).includes(id)), id).toBe(true);
      }
      for (const name of FUNCTION_NAMES) {
        for (const metric of ['Errors', 'Throttles']) {
          expect(alarms.some((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(functionIds.get(name)!)), `${name} ${metric}`).toBe(true);
        }
      }
      for (const alarm of alarms) expect(JSON.stringify(alarm.AlarmActions)).toContain('AlertsTopic');
    });

    it("the alerts topic's policy lets this account's alarms publish (a topic policy replaces the default one)", () => {
      const policies = Object.values(stateless.findResources('AWS::SNS::TopicPolicy')) as { Properties: { PolicyDocument: { Statement: { Principal?: { Service?: string }; Action: string | string[]; Effect: string; Condition?: Record<string, unknown> }[] } } }[];
      const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
      const fromAlarms = statements.find((st) => st.Effect === 'Allow' && st.Principal?.Service === 'cloudwatch.amazonaws.com');
      expect(fromAlarms?.Action).toBe('sns:Publish');
      expect(JSON.stringify(fromAlarms?.Condition)).toContain('aws:SourceAccount');
    });
  });
});

/** Active tracing's statement (X-Ray's write actions support no resource-level permissions). */
function isXRay(statement: { Action: string | string[] }): boolean {
  return asArray(statement.Action).every((action) => action.startsWith('xray:'));
}

/** The config API's key-creation statements: the only ones whose resource is "*" (CreateKey and tagging at creation name no key). */
function isKeyCreation(statement: { Action: string | string[]; Condition?: unknown }): boolean {
  return asArray(statement.Action).every((action) => action === 'kms:CreateKey' || action === 'kms:TagResource') && statement.Condition !== undefined;
}
