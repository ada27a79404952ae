/**
 * The eight functions, each with exactly the environment its configuration.ts reads and
 * exactly the permissions its adapters use: table actions (table-access.ts), the bus,
 * its queues, its secrets. AWS_REGION is set by Lambda itself; DYNAMODB_ENDPOINT and
 * LOCAL_SIGNER_KEYS are for the local stack and stay unset here.
 *
 * Signing keys: one KMS key per account, created by the config API when the operator
 * creates the account (shared/adapters/signing/kms-signer-provisioner.ts). Its key policy
 * names the dispatch and confirm-hedge roles, so those roles hold no KMS statement at all
 * and no IAM policy names keys by wildcard. The config API may only create keys of the
 * signing kind tagged with this stage (KMS's CreateKey has no resource to scope to).
 *
 * Secrets: a function gets the ARN (`*_SECRET_ARN`) and read access, never the value
 * (a value in an environment variable would sit in the template and the function's
 * configuration in plain text). Reading the ARN at cold start is a follow-up in the
 * functions (infra/README.md, "Secrets").
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName, StageConfig } from '../config/stages.ts';
import type { Alerts } from './alerts.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { HedgeFunction, TIMEOUTS, type AsyncFailureHandling } from './hedge-function.ts';
import { SECRET_VARIABLES, type SecretName } from './hedge-secrets.ts';
import { grantTableAccess, TABLE_ACCESS } from './table-access.ts';

export interface HedgeFunctionsProps {
  readonly stage: StageConfig;
  // Concrete classes, not the I-interfaces: under exactOptionalPropertyTypes a Table is not
  // assignable to ITable (jsii's optional properties), and these come from the stateful stack.
  readonly table: Table;
  readonly bus: EventBus;
  readonly secrets: Readonly<Record<SecretName, Secret>>;
  /** Written by ingest-webhook, consumed by confirm-positions (FIFO). */
  readonly confirmationQueue: IQueue;
  /** Written by enqueue-dispatch, consumed by dispatch (FIFO, a group per signer). */
  readonly dispatchQueue: IQueue;
  /** Fed by the Hedge Submitted rule, consumed by confirm-hedge (standard). */
  readonly hedgeSubmittedQueue: IQueue;
  readonly adminKeySha256: string;
  readonly alerts: Alerts;
}

/** Claims on a hedge outlive the dispatcher's timeout (60 s), as dispatch/configuration.ts asks. */
export const DISPATCH_CLAIM_LEASE_MS = 90_000;

/** Lambda's own retries of an asynchronous invocation before the DLQ. */
const ASYNC_RETRY_ATTEMPTS = 2;
const ASYNC_MAX_EVENT_AGE = Duration.hours(1);

/** Why the config API's role holds statements on `Resource: *` (besides X-Ray's). */
const KEY_CREATION_WILDCARD_REASON =
  'kms:CreateKey and kms:TagResource at key creation name no resource (the key does not exist yet; KMS requires "*"). Both are conditioned: only ECC_SECG_P256K1 SIGN_VERIFY keys, only with this stage\'s hedge:stage tag. Signing is granted per key by the key policy the config API writes, never by a wildcard.';

export class HedgeFunctions extends Construct {
  readonly byName: Readonly<Record<FunctionName, HedgeFunction>>;
  /** The DLQs of the asynchronously invoked functions (Lambda's on-failure), by function. */
  readonly failedInvocations: Readonly<Partial<Record<FunctionName, IQueue>>>;

  constructor(scope: Construct, id: string, props: HedgeFunctionsProps) {
    super(scope, id);
    const { stage, table, bus } = props;
    const common = {
      stageName: stage.name,
      logLevel: stage.logLevel,
      logRetentionDays: stage.logRetentionDays,
      logRemovalPolicy: stage.retainState ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      alerts: props.alerts,
    };
    const failedInvocations: Partial<Record<FunctionName, IQueue>> = {};
    const base = { TABLE_NAME: table.tableName, EVENT_BUS_NAME: bus.eventBusName };
    const secretArn = (name: SecretName) => ({ [SECRET_VARIABLES[name].arnVariable]: props.secrets[name].secretArn });
    const asyncFailure = (name: FunctionName): AsyncFailureHandling => {
      const deadLetterQueue = new DeadLetterQueue(this, `${name}-failed-invocations`, { alerts: props.alerts, holds: `${name} invocations that failed after Lambda's retries` }).queue;
      failedInvocations[name] = deadLetterQueue;
      return { retryAttempts: ASYNC_RETRY_ATTEMPTS, maxEventAge: ASYNC_MAX_EVENT_AGE, deadLetterQueue };
    };
    const make = (name: FunctionName, rest: Omit<ConstructorParameters<typeof HedgeFunction>[2], 'name' | keyof typeof common>): HedgeFunction => {
      const reserved = stage.reservedConcurrency[name];
      const fn = new HedgeFunction(this, name, { ...common, ...rest, name, ...(reserved === undefined ? {} : { reservedConcurrency: reserved }) });
      grantTableAccess(fn.role, table, TABLE_ACCESS[name]);
      return fn;
    };

    const configApi = make('config-api', {
      description: 'per-account configuration API (HTTP API)',
      environment: { ...base, ADMIN_KEY_SHA256: props.adminKeySha256 },
      timeout: TIMEOUTS.api,
      wildcardResourceReasons: [KEY_CREATION_WILDCARD_REASON],
    });
    const ingestWebhook = make('ingest-webhook', {
      entryFile: 'entry.ts',
      description: 'POST /webhooks/{provider}: verify, dedupe, queue confirmations',
      environment: { TABLE_NAME: table.tableName, CONFIRMATION_QUEUE_URL: props.confirmationQueue.queueUrl, CONFIRMATION_QUEUE_FIFO: 'true', ...secretArn('webhookSources') },
      timeout: TIMEOUTS.api,
    });
    const ingestSchedule = make('ingest-schedule', {
      description: 'scheduled fan-out: one Evaluation Requested per active account',
      environment: base,
      timeout: TIMEOUTS.chain,
      asyncFailure: asyncFailure('ingest-schedule'),
    });
    const evaluate = make('evaluate', {
      description: 'exposure, policy, Hedge Requested',
      environment: { ...base, ...secretArn('chains') },
      timeout: TIMEOUTS.chain,
      asyncFailure: asyncFailure('evaluate'),
    });
    const enqueueDispatch = make('enqueue-dispatch', {
      description: 'Hedge Requested → the FIFO dispatch queue, grouped by signer',
      environment: { DISPATCH_QUEUE_URL: props.dispatchQueue.queueUrl },
      timeout: TIMEOUTS.bridge,
      memorySize: 256,
      asyncFailure: asyncFailure('enqueue-dispatch'),
    });
    const dispatch = make('dispatch', {
      description: 'guards, quote, simulate, sign (KMS), send',
      environment: { ...base, ...secretArn('chains'), ALLOWED_CONTRACTS: JSON.stringify(stage.allowedContracts), CLAIM_LEASE_MS: String(DISPATCH_CLAIM_LEASE_MS) },
      timeout: TIMEOUTS.chain,
    });
    const confirmHedge = make('confirm-hedge', {
      description: 'follow each sent hedge to its receipt; replace or cancel when stuck',
      environment: { ...base, ...secretArn('chains'), QUEUE_URL: props.hedgeSubmittedQueue.queueUrl },
      timeout: TIMEOUTS.chain,
    });
    const confirmPositions = make('confirm-positions', {
      description: 're-read receipts, wait for confirmations, update positions',
      environment: {
        ...base,
        REQUIRED_CONFIRMATIONS: String(stage.requiredConfirmations),
        CHAIN_DIRECTORY: JSON.stringify(stage.chainDirectory),
        ...secretArn('positionChains'),
        // Its own queue: a deferred confirmation's next delivery is pushed out further each time.
        QUEUE_URL: props.confirmationQueue.queueUrl,
      },
      timeout: TIMEOUTS.chain,
    });

    for (const fn of [configApi, ingestSchedule, evaluate, dispatch, confirmHedge, confirmPositions]) bus.grantPutEventsTo(fn.role);
    for (const fn of [evaluate, dispatch, confirmHedge]) props.secrets.chains.grantRead(fn.role);
    props.secrets.positionChains.grantRead(confirmPositions.role);
    props.secrets.webhookSources.grantRead(ingestWebhook.role);
    grantSignerProvisioning(configApi, stage.name, [dispatch, confirmHedge]);
    props.confirmationQueue.grantSendMessages(ingestWebhook.role);
    props.dispatchQueue.grantSendMessages(enqueueDispatch.role);

    // SQS consumers report partial batch failures: only the listed records come back.
    dispatch.fn.addEventSource(new SqsEventSource(props.dispatchQueue, { batchSize: 5, reportBatchItemFailures: true }));
    confirmHedge.fn.addEventSource(new SqsEventSource(props.hedgeSubmittedQueue, { batchSize: 10, reportBatchItemFailures: true }));
    confirmPositions.fn.addEventSource(new SqsEventSource(props.confirmationQueue, { batchSize: 10, reportBatchItemFailures: true }));

    this.failedInvocations = failedInvocations;
    this.byName = {
      'config-api': configApi,
      'ingest-webhook': ingestWebhook,
      'ingest-schedule': ingestSchedule,
      evaluate,
      'enqueue-dispatch': enqueueDispatch,
      dispatch,
      'confirm-hedge': confirmHedge,
      'confirm-positions': confirmPositions,
    };
  }
}

/** The stage tag every per-account key carries (kms-signer-provisioner.ts's STAGE_TAG). */
const STAGE_TAG = 'hedge:stage';

/**
 * The config API makes each account's signing key: it may create secp256k1 signing keys
 * tagged with this stage, and nothing else. The key policy it writes (its own role, the
 * signer roles, the account root) is what lets dispatch and confirm-hedge sign.
 */
function grantSignerProvisioning(configApi: HedgeFunction, stageName: string, signers: readonly HedgeFunction[]): void {
  const stageTag = { [`aws:RequestTag/${STAGE_TAG}`]: stageName };
  configApi.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['kms:CreateKey'],
      // CreateKey names no resource (the key does not exist yet): its conditions are the scope.
      resources: ['*'],
      conditions: { StringEquals: { 'kms:KeySpec': 'ECC_SECG_P256K1', 'kms:KeyUsage': 'SIGN_VERIFY', ...stageTag } },
    }),
  );
  // Tags given with CreateKey need TagResource in an IAM policy not restricted to keys (KMS's rule).
  configApi.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:TagResource'], resources: ['*'], conditions: { StringEquals: stageTag } }));
  // Acknowledged for cdk-nag with the function's other wildcard (X-Ray): KEY_CREATION_WILDCARD_REASON.
  // STAGE is set on every function (hedge-function.ts); the config API's keys are tagged with it.
  configApi.fn.addEnvironment('AWS_ACCOUNT_ID', Stack.of(configApi).account);
  configApi.fn.addEnvironment('SIGNER_ROLE_ARNS', signers.map((fn) => fn.role.roleArn).join(','));
  configApi.fn.addEnvironment('PROVISIONER_ROLE_ARN', configApi.role.roleArn);
}
