/**
 * What running the hedging flow costs on AWS per account-month: a usage profile measured
 * on the real flow (bench/cost-bench.ts: the use cases on DynamoDB Local and anvil, the
 * consumed capacity DynamoDB reports, the events published, the transactions signed, the
 * handler's own CPU time) scaled to a cadence and a number of hedges a day, priced with
 * one dated table of list prices (aws-list-prices.ts).
 *
 * Lambda duration in the cloud is the handler's compute (measured here) plus the time it
 * waits on the network, which this machine cannot measure: each call the handler makes
 * (DynamoDB, the chain's RPC, KMS, EventBridge, SQS) is counted and given a latency from
 * the scenario. Lambda gives a function CPU in proportion to its memory (one vCPU at
 * 1,769 MB), so the compute measured on one full core here takes 1,769/memory times as
 * long there below that size. The billed duration is rounded up to the millisecond; INIT
 * is billed on a share of invocations (cold starts).
 */
import type { AwsListPrices } from './aws-list-prices.ts';

export const FUNCTION_NAMES = ['ingest-schedule', 'evaluate', 'enqueue-dispatch', 'dispatch', 'confirm-hedge'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Totals over one unit of work (one evaluation, one hedge, ...) for one function. */
export interface InvocationTotals {
  readonly invocations: number;
  /** This process's CPU time in the handler, ms, summed over the invocations. */
  readonly computeMs: number;
  readonly dynamoDbCalls: number;
  readonly rpcCalls: number;
  readonly kmsCalls: number;
  /** EventBridge PutEvents and SQS SendMessage calls made by the handler. */
  readonly publishCalls: number;
  /** Bytes the handler writes to its log (platform lines excluded). */
  readonly logBytes: number;
}

/** What one unit of work uses. */
export interface WorkUsage {
  readonly functions: Partial<Record<FunctionName, InvocationTotals>>;
  /** DynamoDB request units as DynamoDB reports them (ConsumedCapacity, table and indexes). */
  readonly readUnits: number;
  readonly writeUnits: number;
  /** EventBridge entries published (64 KB chunks). */
  readonly events: number;
  readonly fifoRequests: number;
  readonly standardQueueRequests: number;
  /** KMS Sign and GetPublicKey requests. */
  readonly kmsRequests: number;
}

export interface UsageProfile {
  readonly measuredOn: string;
  readonly command: string;
  /** The evaluation of an account inside its band: the tick of almost every account. */
  readonly quietEvaluation: WorkUsage;
  /** What one hedge adds to its tick: the extra of the deciding evaluation, enqueue, dispatch, confirmation. */
  readonly hedge: WorkUsage;
  /** An account's share of one tick's fan-out (its page of the index, its event). */
  readonly fanOutPerAccount: WorkUsage;
}

export interface CostScenario {
  readonly cadenceMinutes: number;
  readonly hedgesPerDay: number;
  readonly accounts: number;
  /** Latency of one call of each kind in the cloud, ms. */
  readonly latencyMs: { readonly dynamoDb: number; readonly rpc: number; readonly kms: number; readonly publish: number };
  readonly memoryMb: Readonly<Record<FunctionName, number>>;
  /** Share of invocations that are cold starts, and the INIT time billed for one (ms). */
  readonly coldStartShare: number;
  readonly initMs: Readonly<Record<FunctionName, number>>;
  /** START/END/REPORT lines Lambda writes per invocation. */
  readonly platformLogBytesPerInvocation: number;
  readonly logRetentionMonths: number;
  /** One signing key per account (the config API provisions it). */
  readonly kmsKeysPerAccount: number;
  /** Fixed requests of the deployment: Lambda's pollers on the SQS queues (empty receives). */
  readonly queuePollRequestsPerMonth: number;
}

export interface CostLine {
  readonly service: 'Lambda' | 'DynamoDB' | 'EventBridge' | 'SQS' | 'KMS' | 'CloudWatch Logs';
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
}

export interface MonthlyCost {
  readonly perAccount: readonly CostLine[];
  readonly perAccountUsd: number;
  /** Costs of the deployment whatever the number of accounts. */
  readonly fixed: readonly CostLine[];
  readonly fixedUsd: number;
  /** perAccountUsd × accounts + fixedUsd. */
  readonly totalUsd: number;
  readonly dominant: CostLine;
}

export const DAYS_PER_MONTH = 365.25 / 12;
/** The memory at which a Lambda function has one full vCPU. */
export const LAMBDA_MB_PER_VCPU = 1769;
const MINUTES_PER_MONTH = DAYS_PER_MONTH * 24 * 60;

/** The scenario the README states: Lambda's defaults of this stack, latencies of a cloud region and a hosted RPC node. */
export const DEFAULT_SCENARIO: CostScenario = {
  cadenceMinutes: 1,
  hedgesPerDay: 10,
  accounts: 1,
  latencyMs: { dynamoDb: 6, rpc: 60, kms: 15, publish: 20 },
  memoryMb: { 'ingest-schedule': 512, evaluate: 512, 'enqueue-dispatch': 256, dispatch: 512, 'confirm-hedge': 512 },
  coldStartShare: 0.01,
  initMs: { 'ingest-schedule': 60, evaluate: 100, 'enqueue-dispatch': 50, dispatch: 120, 'confirm-hedge': 105 },
  platformLogBytesPerInvocation: 350,
  logRetentionMonths: 1,
  kmsKeysPerAccount: 1,
  // Five long-polling (20 s) receivers on each of the two queues Lambda reads.
  queuePollRequestsPerMonth: 2 * 5 * 3 * MINUTES_PER_MONTH,
};

export function checkScenario(scenario: CostScenario): void {
  const problems: string[] = [];
  if (!(scenario.cadenceMinutes > 0)) problems.push('cadenceMinutes must be > 0');
  if (!(scenario.hedgesPerDay >= 0)) problems.push('hedgesPerDay must be ≥ 0');
  if (!(Number.isInteger(scenario.accounts) && scenario.accounts >= 1)) problems.push('accounts must be a whole number ≥ 1');
  if (!(scenario.coldStartShare >= 0 && scenario.coldStartShare <= 1)) problems.push('coldStartShare must be in [0, 1]');
  if (problems.length > 0) throw new RangeError(problems.join('; '));
}

interface Scaled {
  readonly usage: WorkUsage;
  readonly times: number;
}

export function monthlyCost(profile: UsageProfile, scenario: CostScenario, prices: AwsListPrices): MonthlyCost {
  checkScenario(scenario);
  const ticks = MINUTES_PER_MONTH / scenario.cadenceMinutes;
  const hedges = Math.min(scenario.hedgesPerDay * DAYS_PER_MONTH, ticks);
  const work: Scaled[] = [
    { usage: profile.fanOutPerAccount, times: ticks },
    { usage: profile.quietEvaluation, times: ticks },
    { usage: profile.hedge, times: hedges },
  ];
  const sum = (pick: (usage: WorkUsage) => number): number => work.reduce((total, { usage, times }) => total + pick(usage) * times, 0);
  const perAccount: CostLine[] = [];

  // Lambda: requests and GB-seconds per function.
  let logBytes = 0;
  for (const name of FUNCTION_NAMES) {
    const of = (pick: (totals: InvocationTotals) => number): number => sum((usage) => (usage.functions[name] === undefined ? 0 : pick(usage.functions[name])));
    const invocations = of((t) => t.invocations);
    const computeMs = of((t) => t.computeMs);
    if (invocations === 0 && computeMs === 0) continue;
    const waitMs = of((t) => t.dynamoDbCalls) * scenario.latencyMs.dynamoDb + of((t) => t.rpcCalls) * scenario.latencyMs.rpc + of((t) => t.kmsCalls) * scenario.latencyMs.kms + of((t) => t.publishCalls) * scenario.latencyMs.publish;
    // Billed per invocation rounded up to the ms: the mean plus half a ms on average.
    const cpuShare = Math.min(1, scenario.memoryMb[name] / LAMBDA_MB_PER_VCPU);
    const billedMs = computeMs / cpuShare + waitMs + invocations * 0.5 + invocations * scenario.coldStartShare * scenario.initMs[name];
    const gbSeconds = (billedMs / 1000) * (scenario.memoryMb[name] / 1024);
    // The fan-out is one invocation a tick for every account: an account pays its share of the duration, the requests are fixed.
    if (invocations > 0) perAccount.push({ service: 'Lambda', item: `${name} requests`, quantity: invocations, unit: 'requests', usd: (invocations / 1e6) * prices.lambda.perMillionRequests });
    const perInvocation = invocations > 0 ? `${(billedMs / invocations).toFixed(0)} ms` : 'a share of each tick';
    perAccount.push({ service: 'Lambda', item: `${name} duration (${perInvocation} × ${scenario.memoryMb[name]} MB)`, quantity: gbSeconds, unit: 'GB-s', usd: gbSeconds * prices.lambda.perGbSecondArm64 });
    logBytes += of((t) => t.logBytes) + invocations * scenario.platformLogBytesPerInvocation;
  }
  const readUnits = sum((u) => u.readUnits);
  const writeUnits = sum((u) => u.writeUnits);
  perAccount.push({ service: 'DynamoDB', item: 'read request units', quantity: readUnits, unit: 'RRU', usd: (readUnits / 1e6) * prices.dynamodb.perMillionReadUnits });
  perAccount.push({ service: 'DynamoDB', item: 'write request units', quantity: writeUnits, unit: 'WRU', usd: (writeUnits / 1e6) * prices.dynamodb.perMillionWriteUnits });
  const events = sum((u) => u.events);
  perAccount.push({ service: 'EventBridge', item: 'events published', quantity: events, unit: 'events', usd: (events / 1e6) * prices.eventBridge.perMillionEvents });
  const fifo = sum((u) => u.fifoRequests);
  const standard = sum((u) => u.standardQueueRequests);
  perAccount.push({ service: 'SQS', item: 'FIFO dispatch queue requests', quantity: fifo, unit: 'requests', usd: (fifo / 1e6) * prices.sqs.perMillionFifoRequests });
  perAccount.push({ service: 'SQS', item: 'confirmation queue requests', quantity: standard, unit: 'requests', usd: (standard / 1e6) * prices.sqs.perMillionStandardRequests });
  const kmsRequests = sum((u) => u.kmsRequests);
  perAccount.push({ service: 'KMS', item: 'signing key', quantity: scenario.kmsKeysPerAccount, unit: 'key-months', usd: scenario.kmsKeysPerAccount * prices.kms.perKeyMonth });
  perAccount.push({ service: 'KMS', item: 'Sign and GetPublicKey requests', quantity: kmsRequests, unit: 'requests', usd: (kmsRequests / 1e4) * prices.kms.perTenThousandAsymmetricRequests });
  const logGb = logBytes / 1024 ** 3;
  perAccount.push({ service: 'CloudWatch Logs', item: 'ingested', quantity: logGb, unit: 'GB', usd: logGb * prices.logs.perGbIngested });
  perAccount.push({ service: 'CloudWatch Logs', item: `stored (${scenario.logRetentionMonths} month retention)`, quantity: logGb * scenario.logRetentionMonths, unit: 'GB-months', usd: logGb * scenario.logRetentionMonths * prices.logs.perGbMonthStored });

  const fanOutGbSeconds = ticks * ((scenario.latencyMs.dynamoDb + 0.5 + scenario.coldStartShare * scenario.initMs['ingest-schedule']) / 1000) * (scenario.memoryMb['ingest-schedule'] / 1024);
  const fixed: CostLine[] = [
    { service: 'Lambda', item: 'ingest-schedule requests (one a tick)', quantity: ticks, unit: 'requests', usd: (ticks / 1e6) * prices.lambda.perMillionRequests },
    { service: 'Lambda', item: 'ingest-schedule duration of an empty tick', quantity: fanOutGbSeconds, unit: 'GB-s', usd: fanOutGbSeconds * prices.lambda.perGbSecondArm64 },
    { service: 'SQS', item: "Lambda pollers' receives on the queues", quantity: scenario.queuePollRequestsPerMonth, unit: 'requests', usd: (scenario.queuePollRequestsPerMonth / 1e6) * prices.sqs.perMillionStandardRequests },
  ];
  const total = (lines: readonly CostLine[]): number => lines.reduce((s, line) => s + line.usd, 0);
  const perAccountUsd = total(perAccount);
  const fixedUsd = total(fixed);
  const dominant = perAccount.reduce((best, line) => (line.usd > best.usd ? line : best));
  return { perAccount, perAccountUsd, fixed, fixedUsd, totalUsd: perAccountUsd * scenario.accounts + fixedUsd, dominant };
}
