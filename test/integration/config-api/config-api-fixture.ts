/**
 * Test support for the configuration API: real API Gateway HTTP API (payload v2) events,
 * the handler built by createConfigApiHandler against DynamoDB Local, a recording event
 * publisher (the port's only effect is the entries it is given), and a snapshot of the
 * whole table to prove a rejected request changed nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createAccountRepository } from '../../../shared/adapters/dynamodb/account-repository.ts';
import { createConfigRepository } from '../../../shared/adapters/dynamodb/config-repository.ts';
import { createDispatchLimitsRepository } from '../../../shared/adapters/dynamodb/dispatch-limits-repository.ts';
import { createEvaluationRepository } from '../../../shared/adapters/dynamodb/evaluation-repository.ts';
import { createHedgeRecordRepository } from '../../../shared/adapters/dynamodb/hedge-record-repository.ts';
import { createPositionRepository } from '../../../shared/adapters/dynamodb/position-repository.ts';
import { createRateLimitRepository } from '../../../shared/adapters/dynamodb/rate-limit-repository.ts';
import type { EventEntry } from '../../../shared/contracts/events/event-entry.ts';
import { createLocalSignerProvisioner } from '../../../shared/adapters/signing/local-signer-provisioner.ts';
import { AccountConfigDocumentSchema } from '../../../shared/contracts/account-config.ts';
import { createConfigApiHandler, type ConfigApiHandler } from '../../../functions/config-api/create-config-api-handler.ts';

export const ADMIN_KEY = `admin-${randomUUID()}`;
export const BUS_NAME = 'hedge-events-test';

export interface ApiRequest {
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  readonly isBase64Encoded?: boolean;
}

/** An HTTP API v2 event as API Gateway sends it (lower-case header names, $default stage). */
export function apiEvent(method: string, path: string, request: ApiRequest = {}): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'vitest', ...lowerKeys(request.headers ?? {}) };
  if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
  const query = request.query;
  const rawQueryString = query === undefined ? '' : new URLSearchParams(query).toString();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString,
    headers,
    ...(query === undefined ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api1234',
      domainName: 'api1234.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'api1234',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: request.isBase64Encoded ?? false,
    ...(request.body === undefined ? {} : { body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body) }),
  };
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'config-api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:config-api',
  memoryLimitInMB: '256',
  awsRequestId: 'test',
  logGroupName: '/aws/lambda/config-api',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly json: Record<string, unknown> & { items?: Record<string, unknown>[] };
}

export interface ConfigApiFixture {
  readonly handler: ConfigApiHandler;
  readonly published: EventEntry[];
  readonly errors: unknown[];
  call(method: string, path: string, request?: ApiRequest): Promise<ApiResponse>;
  /** Creates an account through the API; its id, first key id and key. */
  newAccount(): Promise<{ accountId: string; keyId: string; apiKey: string }>;
  /** Every item of the table, as sorted JSON. */
  snapshot(): Promise<string>;
  readonly repos: {
    readonly accounts: ReturnType<typeof createAccountRepository>;
    readonly hedges: ReturnType<typeof createHedgeRecordRepository>;
    readonly evaluations: ReturnType<typeof createEvaluationRepository>;
    readonly limits: ReturnType<typeof createDispatchLimitsRepository>;
  };
}

export function createFixture(doc: DynamoDBDocumentClient, tableName: string, requestLimits: { perMinute?: number; maxBodyBytes?: number } = {}): ConfigApiFixture {
  const published: EventEntry[] = [];
  const errors: unknown[] = [];
  const accounts = createAccountRepository({ doc, tableName });
  const hedges = createHedgeRecordRepository({ doc, tableName });
  const evaluations = createEvaluationRepository({ doc, tableName });
  const limits = createDispatchLimitsRepository({ doc, tableName });
  const handler = createConfigApiHandler({
    accounts,
    configs: createConfigRepository({ doc, tableName, schema: AccountConfigDocumentSchema }),
    signers: createLocalSignerProvisioner({ keyring: new Map() }),
    positions: createPositionRepository({ doc, tableName }),
    hedges,
    evaluations,
    killSwitch: limits,
    publisher: { publish: async (entries) => void published.push(...entries) },
    eventBusName: BUS_NAME,
    adminKeyHash: createHash('sha256').update(ADMIN_KEY).digest('hex'),
    clock: () => new Date(),
    newId: randomUUID,
    logError: (error) => void errors.push(error),
    // The real request budget in the table; generous unless a test asks for a small one.
    limits: { budget: createRateLimitRepository({ doc, tableName }), perMinute: requestLimits.perMinute ?? 100_000, ...(requestLimits.maxBodyBytes === undefined ? {} : { maxBodyBytes: requestLimits.maxBodyBytes }) },
  });

  async function call(method: string, path: string, request: ApiRequest = {}): Promise<ApiResponse> {
    const result = (await handler(apiEvent(method, path, request), lambdaContext)) as APIGatewayProxyStructuredResultV2;
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const json = result.body === undefined || result.body === '' ? {} : (JSON.parse(result.body) as ApiResponse['json']);
    return { status: result.statusCode ?? 0, headers, json };
  }

  async function newAccount() {
    const created = await call('POST', '/accounts', { token: ADMIN_KEY, body: { displayName: 'Desk' } });
    if (created.status !== 201) throw new Error(`account creation failed: ${JSON.stringify(created)}`);
    return created.json as { accountId: string; keyId: string; apiKey: string };
  }

  async function snapshot(): Promise<string> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    // Request budgets (RATE#…) count every request, refused or not: accounting, not state.
    return JSON.stringify(items.filter((item) => !String(item.pk).startsWith('RATE#')).map((item) => stableStringify(item)).sort());
  }

  return { handler, published, errors, call, newAccount, snapshot, repos: { accounts, hedges, evaluations, limits } };
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value instanceof Set) return `set(${[...(value as Set<unknown>)].map(stableStringify).sort().join(',')})`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** A valid operator set-up for ETH: a Uniswap V3 venue (spot), ceilings of 100k a trade, 1M a day and 50 bps. */
export const VALID_OPERATOR_CONFIG = {
  underlying: 'ETH',
  market: { chainId: 31337, oracle: { address: '0x00000000000000000000000000000000000000a1', maxStalenessMs: 3_600_000 }, vol: { source: 'fixed', value: 0.6 } },
  execution: {
    venues: [
      {
        kind: 'uniswap-v3',
        id: 'univ3-weth-usdc-30',
        pool: '0x00000000000000000000000000000000000000b1',
        swapRouter: '0x00000000000000000000000000000000000000b2',
        quoterV2: '0x00000000000000000000000000000000000000b3',
        baseToken: '0x00000000000000000000000000000000000000c1',
        quoteToken: '0x00000000000000000000000000000000000000c2',
        baseDecimals: 18,
        quoteDecimals: 6,
        fee: 3000,
      },
    ],
    maxSlippageBps: 50,
    maxTradeNotionalUsd: 100_000,
    maxDailyNotionalUsd: 1_000_000,
    maxFeePerGasGwei: 200,
    maxPriorityFeePerGasGwei: 3,
  },
};

/** A valid hedge policy: a ±5 ETH band. */
export const VALID_CONFIG = { underlying: 'ETH', band: { unit: 'units', trigger: 5, target: 'zero' } };
