/**
 * One Lambda function the way every function here is deployed: bundled from
 * functions/<name>/ with the local esbuild (never Docker), Node 24 on arm64, minified ESM
 * with source maps, its own log group with the stage's retention, its own role (logs on
 * its log group only; every other permission is added by name), X-Ray active tracing,
 * Powertools' settings (STAGE, POWERTOOLS_LOG_LEVEL: shared/runtime/observability.ts), and
 * alarms on errors and throttles.
 */
import { join } from 'node:path';
import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName, LogLevel, LogRetentionDays } from '../config/stages.ts';
import { ALARM_PERIOD, type Alerts } from './alerts.ts';
import { REPO_ROOT } from './repo-root.ts';

/** Failure handling of a function invoked asynchronously (EventBridge): Lambda's retries, then a DLQ. */
export interface AsyncFailureHandling {
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  readonly deadLetterQueue: IQueue;
}

export interface HedgeFunctionProps {
  readonly name: FunctionName;
  /** The file under functions/<name>/ exporting `handler`. */
  readonly entryFile?: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly reservedConcurrency?: number;
  readonly asyncFailure?: AsyncFailureHandling;
  readonly stageName: string;
  readonly logLevel: LogLevel;
  readonly logRetentionDays: LogRetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly alerts: Alerts;
  /**
   * Why this function's role may hold statements on `Resource: *` besides X-Ray's (cdk-nag
   * AwsSolutions-IAM5[Resource::*] is acknowledged once per role, with every reason).
   */
  readonly wildcardResourceReasons?: readonly string[];
}

/** X-Ray's write actions, which active tracing adds to the role, name no resource. */
export const XRAY_WILDCARD_REASON =
  'Active tracing (X-Ray) adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (the X-Ray service authorization reference lists no resource type for them), so their statement names "*".';

/**
 * ESM bundles still meet CommonJS code that calls require() for Node built-ins (some
 * SDK dependencies do); this gives them a real require.
 */
const REQUIRE_SHIM = "import { createRequire as __hedgeCreateRequire } from 'node:module'; const require = __hedgeCreateRequire(import.meta.url);";

export class HedgeFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HedgeFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/hedge-${props.stageName}-${props.name}`,
      retention: props.logRetentionDays,
      removalPolicy: props.logRemovalPolicy,
    });
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `hedge ${props.stageName} ${props.name}` });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: `hedge-${props.stageName}-${props.name}`,
      description: props.description,
      entry: join(REPO_ROOT, 'functions', props.name, props.entryFile ?? 'handler.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      // Node reads NODE_OPTIONS (not our code): stack traces point into the TypeScript sources.
      // STAGE and POWERTOOLS_LOG_LEVEL: shared/runtime/observability.ts (ObservabilityEnvSchema).
      environment: { ...props.environment, STAGE: props.stageName, POWERTOOLS_LOG_LEVEL: props.logLevel, NODE_OPTIONS: '--enable-source-maps' },
      // X-Ray: the function's segment; Powertools' Tracer adds the AWS SDK calls (observability.ts).
      tracing: Tracing.ACTIVE,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      ...(props.asyncFailure === undefined
        ? {}
        : { retryAttempts: props.asyncFailure.retryAttempts, maxEventAge: props.asyncFailure.maxEventAge, deadLetterQueue: props.asyncFailure.deadLetterQueue }),
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: REQUIRE_SHIM,
        // Bundle the AWS SDK v3 clients we use: the runtime's copy is not pinned.
        externalModules: [],
        tsconfig: join(REPO_ROOT, 'tsconfig.json'),
        forceDockerBundling: false,
      },
    });

    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy === undefined) throw new Error(`${props.name}: active tracing left no policy statement to acknowledge`);
    Validations.of(policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: [XRAY_WILDCARD_REASON, ...(props.wildcardResourceReasons ?? [])].join(' ') });

    props.alerts.alarmAtLeast(this, 'ErrorsAlarm', this.fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }), 1, `${props.name}: invocation errors`, 'function-errors');
    props.alerts.alarmAtLeast(this, 'ThrottlesAlarm', this.fn.metricThrottles({ period: ALARM_PERIOD, statistic: 'Sum' }), 1, `${props.name}: throttled invocations`, 'function-throttles');
  }
}

/** Default timeouts, seconds: API answers fast; chain work waits on RPC round trips. */
export const TIMEOUTS = {
  api: Duration.seconds(10),
  bridge: Duration.seconds(10),
  chain: Duration.seconds(60),
} as const;
