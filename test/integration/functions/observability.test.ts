// Issue #18 §1 on the real parts (DynamoDB Local, anvil with Uniswap V3 and OptionBook):
// the handlers with Powertools' Logger, Metrics and Tracer middlewares, as their Lambda
// entries build them (createObservability), run on the event shapes the platform
// delivers; the test reads what they write to stdout and stderr.
//
// - One correlation id (the webhook request's, or the schedule tick's) is carried by every
//   message and event of the flow: ingest-webhook → confirm-positions → evaluate →
//   dispatch → confirm-hedge, and every log line of each handler carries it with the
//   function, the account, the event and the decision or hedge id.
// - The business metrics come out in CloudWatch embedded metric format, with the names,
//   units and dimensions of the catalogue (shared/contracts/metrics.ts).
// - Secrets in the input (the webhook's signature and body, an RPC URL with a key in its
//   path and query, the signed transaction) and in the configuration (the webhook secret)
//   never appear in the output, also when a call fails.
//
// SQS and EventBridge have no local stand-in here: the queue is a list (MemoryQueue) and
// the bus the world's recording publisher; each handler gets the record or envelope the
// platform would hand it.
import { createHash, randomUUID } from 'node:crypto';
import type { Context, EventBridgeEvent, ScheduledEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConfirmHedgeHandler } from '../../../functions/confirm-hedge/create-confirm-hedge-handler.ts';
import { createConfirmPositionsHandler } from '../../../functions/confirm-positions/create-confirm-positions-handler.ts';
import { createDispatchHandler } from '../../../functions/dispatch/create-dispatch-handler.ts';
import { createEvaluateHandler } from '../../../functions/evaluate/create-evaluate-handler.ts';
import { createIngestScheduleHandler } from '../../../functions/ingest-schedule/create-ingest-schedule-handler.ts';
import { createIngestWebhookHandler } from '../../../functions/ingest-webhook/handler.ts';
import { createViemOptionBookReader } from '../../../shared/adapters/chain/option-book-reader.ts';
import { createWebhookDeliveryRepository } from '../../../shared/adapters/dynamodb/webhook-delivery-repository.ts';
import { encodeConfirmationMessage } from '../../../shared/adapters/sqs/confirmation-message.ts';
import { WEBHOOK_VERIFIERS } from '../../../shared/adapters/webhook-providers/webhook-verifiers.ts';
import { decodeEvent } from '../../../shared/contracts/events/decode-event.ts';
import type { EventType } from '../../../shared/contracts/events/event-definitions.ts';
import type { EventEntry } from '../../../shared/contracts/events/event-entry.ts';
import { encodeEvent } from '../../../shared/contracts/events/encode-event.ts';
import { METRIC_NAMESPACE, METRIC_SERVICE, METRICS, type MetricName } from '../../../shared/contracts/metrics.ts';
import { WEBHOOK_PAYLOAD_PARSERS } from '../../../shared/contracts/webhooks/webhook-payloads.ts';
import { createChainAccessMap } from '../../../shared/runtime/hedging-deps.ts';
import { createObservability } from '../../../shared/runtime/observability.ts';
import { openOptionBookPosition, USDC_DECIMALS, WETH_DECIMALS } from '../../support/chain-fixture.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { useHedgingWorld } from '../../support/hedging-world.ts';
import { MemoryQueue, SECRETS, apiEvent, payload, sign } from '../webhooks/webhook-fixtures.ts';

const world = useHedgingWorld();
// The webhook deliveries' dedupe table (the world keeps its own table to itself).
const ddb = useDynamoDbLocal();

const STAGE = 'test';
/** An RPC endpoint whose provider key is in its path and query (nothing listens on port 9). */
const SECRET_PATH = 'v2/sk_live_0123456789abcdef0123';
const SECRET_QUERY = 'apikey-also-secret-987654';
const SECRET_RPC = `http://127.0.0.1:9/${SECRET_PATH}?apikey=${SECRET_QUERY}`;
const WEBHOOK_SECRET = SECRETS.standard[0];

/** As the entries build it: the configured secret values handed to the redactor. */
const observe = (functionName: string) => createObservability({ functionName, stage: STAGE, logLevel: 'DEBUG', secrets: [SECRET_RPC, WEBHOOK_SECRET] });

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `hedge-${STAGE}-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:hedge-${STAGE}-${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/hedge-${STAGE}-${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Line = Record<string, unknown>;

interface Captured {
  /** Everything written, as written. */
  text(): string;
  /** The JSON lines (log lines and EMF). */
  lines(): Line[];
  restore(): void;
}

/** Takes over stdout and stderr (where Powertools writes) until restored. */
function captureOutput(): Captured {
  const chunks: string[] = [];
  const take = (chunk: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(take as typeof process.stdout.write), vi.spyOn(process.stderr, 'write').mockImplementation(take as typeof process.stderr.write)];
  return {
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Line),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

let output: Captured | undefined;
afterEach(() => {
  output?.restore();
  output = undefined;
});

const logLines = (lines: Line[], fn?: string) => lines.filter((l) => typeof l.level === 'string' && (fn === undefined || l.function === fn));
const emfLines = (lines: Line[]) => lines.filter((l) => typeof l._aws === 'object');
/** The EMF lines publishing `name`, with their dimension sets. */
function emf(lines: Line[], name: string): { line: Line; dimensions: string[][]; unit: string }[] {
  return emfLines(lines).flatMap((line) => {
    const directive = (line._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics[0]!;
    const metric = directive.Metrics.find((m) => m.Name === name);
    return metric === undefined ? [] : [{ line: { ...line, Namespace: directive.Namespace }, dimensions: directive.Dimensions, unit: metric.Unit }];
  });
}

/** Each catalogued metric as emitted: the namespace, the unit, the stage total and the breakdown by its own dimensions. */
function expectCatalogued(lines: Line[], name: MetricName, dimensionValues: Record<string, string> = {}): Line[] {
  const found = emf(lines, name);
  expect(found.length, `${name} was emitted`).toBeGreaterThan(0);
  const own = METRICS[name].dimensions as readonly string[];
  for (const { line, dimensions, unit } of found) {
    expect(line).toMatchObject({ Namespace: METRIC_NAMESPACE, service: METRIC_SERVICE, Stage: STAGE, ...dimensionValues });
    expect(unit).toBe(METRICS[name].unit);
    expect(dimensions).toEqual(own.length === 0 ? [['service', 'Stage']] : [['service', 'Stage'], ['service', 'Stage', ...own]]);
    expect(typeof line[name]).toBe('number');
  }
  return found.map((f) => f.line);
}

/** What a log of ours must never contain. */
function expectNoSecret(text: string, extra: readonly string[] = []): void {
  for (const secret of [SECRET_PATH, SECRET_QUERY, 'sk_live', WEBHOOK_SECRET, WEBHOOK_SECRET.slice('whsec_'.length), ...extra]) expect(text, `a secret leaked: ${secret.slice(0, 12)}…`).not.toContain(secret);
}

/** The envelope EventBridge hands a Lambda target, from a published PutEvents entry. */
function delivered(entry: EventEntry): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '123456789012',
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'eu-west-1',
    resources: [],
    detail: JSON.parse(entry.Detail) as unknown,
  };
}

function sqsRecord(body: string, group?: string): SQSRecord {
  const messageId = randomUUID();
  const sent = String(Date.now());
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: sent,
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: sent,
      ...(group === undefined ? {} : { MessageGroupId: group, MessageDeduplicationId: messageId, SequenceNumber: sent }),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:queue',
    awsRegion: 'eu-west-1',
  };
}
const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

function latestEntry(type: EventType, accountId: string): EventEntry {
  const entry = world()
    .publisher.entries.filter((e) => e.DetailType === type && decodeEvent(e).detail.accountId === accountId)
    .at(-1);
  if (entry === undefined) throw new Error(`no ${type} for ${accountId}`);
  return entry;
}

/** The oracle at the pool's price, so the slippage guard judges this test's trade alone. */
async function alignOracleWithPool(): Promise<void> {
  const w = world();
  const { addresses } = w.chain;
  const market = w.dispatchDeps.chains(w.chain.chain.id)!.market;
  const pool = await market.readPoolPrice({ pool: addresses.pool, baseToken: addresses.weth, quoteToken: addresses.usdc, baseDecimals: WETH_DECIMALS, quoteDecimals: USDC_DECIMALS });
  await w.setOraclePrice(Math.round(pool.price * 100) / 100);
}

function handlers() {
  const w = world();
  const { owner: _owner, ...dispatchDeps } = w.dispatchDeps;
  return {
    evaluate: createEvaluateHandler({ deps: w.evaluateDeps, observability: observe('evaluate') }),
    dispatch: createDispatchHandler({ deps: dispatchDeps, observability: observe('dispatch') }),
    confirm: createConfirmHedgeHandler({ deps: w.followDeps, extendVisibility: () => Promise.resolve(), observability: observe('confirm-hedge') }),
  };
}

describe('Powertools observability on the hedging flow', () => {
  it('carries the webhook request’s correlation id through confirm-positions, evaluate, dispatch and confirm-hedge, on every event and JSON log line, with the metrics in EMF and no secret written', async () => {
    const w = world();
    await alignOracleWithPool();
    const account = await w.openAccount({ shortCalls: 4 });
    const { doc, tableName } = ddb();
    const queue = new MemoryQueue();
    const ingest = createIngestWebhookHandler({
      deps: {
        sources: {
          standard: { verify: WEBHOOK_VERIFIERS.standard, parse: WEBHOOK_PAYLOAD_PARSERS.standard, secrets: [WEBHOOK_SECRET], chainId: w.chain.chain.id, contracts: [w.chain.addresses.optionBook] },
        },
        dedupe: createWebhookDeliveryRepository({ doc, tableName }),
        queue,
        now: () => new Date(),
      },
      observability: observe('ingest-webhook'),
    });
    const confirmPositions = createConfirmPositionsHandler({
      deps: {
        readers: { [w.chain.chain.id]: createViemOptionBookReader({ client: w.chain.publicClient, chainId: w.chain.chain.id, optionBook: w.chain.addresses.optionBook }) },
        positions: w.positions,
        directory: {
          accountFor: (_chainId, address) => Promise.resolve(address.toLowerCase() === w.chain.trader.account.address.toLowerCase() ? account.accountId : undefined),
          underlyingFor: (_chainId, token) => (token.toLowerCase() === w.chain.addresses.weth.toLowerCase() ? 'ETH' : undefined),
        },
        publisher: w.publisher,
        requiredConfirmations: 1,
        now: () => new Date(w.clock.nowMs),
      },
      observability: observe('confirm-positions'),
    });
    const h = handlers();

    // A signed webhook: its signature and body are input that must never be logged.
    const { logs } = await openOptionBookPosition(w.chain);
    const deliveryId = `dlv_${randomUUID()}`;
    const signed = sign('standard', payload('standard', logs, deliveryId), WEBHOOK_SECRET, Math.floor(Date.now() / 1000), deliveryId);
    const request = apiEvent('standard', signed);
    const correlationId = request.requestContext.requestId;
    const signature = signed.headers['webhook-signature']!;

    output = captureOutput();
    expect((await ingest(request, lambdaContext('ingest-webhook'))).statusCode).toBe(202);
    const [confirmation] = queue.drain();
    expect(confirmation?.correlationId).toBe(correlationId);
    expect((await confirmPositions(sqsEvent(sqsRecord(encodeConfirmationMessage(confirmation!), 'chain-tx')), lambdaContext('confirm-positions'))).batchItemFailures).toEqual([]);
    const evaluated = await h.evaluate(delivered(latestEntry('Evaluation Requested', account.accountId)), lambdaContext('evaluate'));
    expect(evaluated.outcome).toMatchObject({ status: 'decided', dispatched: true });
    const dispatched = await h.dispatch(sqsEvent(sqsRecord(JSON.stringify(delivered(latestEntry('Hedge Requested', account.accountId))), account.signer)), lambdaContext('dispatch'));
    expect(dispatched.batchItemFailures).toEqual([]);
    const followed = await h.confirm(sqsEvent(sqsRecord(JSON.stringify(delivered(latestEntry('Hedge Submitted', account.accountId))))), lambdaContext('confirm-hedge'));
    expect(followed.batchItemFailures).toEqual([]);
    output.restore();

    // Every event of the flow carries the webhook's correlation id.
    for (const type of ['Positions Changed', 'Evaluation Requested', 'Exposure Computed', 'Hedge Requested', 'Hedge Submitted', 'Hedge Confirmed'] as const) {
      expect(w.publisher.of(type, account.accountId).at(-1)?.correlationId, type).toBe(correlationId);
    }
    const requested = w.publisher.of('Hedge Requested', account.accountId).at(-1)!;
    const submitted = w.publisher.of('Hedge Submitted', account.accountId).at(-1)!;

    const lines = output.lines();
    // Every log line: Powertools' JSON with our keys, and the correlation id of the flow.
    for (const fn of ['ingest-webhook', 'confirm-positions', 'evaluate', 'dispatch', 'confirm-hedge']) {
      const own = logLines(lines, fn);
      expect(own.length, fn).toBeGreaterThan(0);
      for (const line of own) {
        expect(line, fn).toMatchObject({ service: METRIC_SERVICE, stage: STAGE, function: fn, function_name: `hedge-${STAGE}-${fn}`, correlationId });
        expect(typeof line.timestamp).toBe('string');
        expect(typeof line.function_request_id).toBe('string');
      }
    }
    const line = (fn: string, message: string) => logLines(lines, fn).find((l) => l.message === message);
    expect(line('ingest-webhook', 'webhook handled')).toMatchObject({ provider: 'standard', outcome: 'accepted', status: 202, deliveryId });
    expect(line('confirm-positions', 'confirmation handled')).toMatchObject({ status: 'applied', messageId: expect.any(String) });
    const evaluationId = evaluated.evaluationId;
    expect(line('evaluate', 'evaluated')).toMatchObject({ accountId: account.accountId, eventId: evaluationId, decisionId: requested.decisionId, action: 'hedge', dispatched: true });
    expect(line('dispatch', 'hedge submitted')).toMatchObject({ accountId: account.accountId, eventId: requested.eventId, decisionId: requested.decisionId, hedgeId: submitted.hedgeId, txHash: submitted.txHash });
    expect(line('dispatch', 'dispatched')).toMatchObject({ accountId: account.accountId, decisionId: requested.decisionId, outcomes: [{ hedgeId: submitted.hedgeId, status: 'submitted' }] });
    expect(line('confirm-hedge', 'hedge confirmed')).toMatchObject({ accountId: account.accountId, eventId: submitted.eventId, decisionId: submitted.decisionId, hedgeId: submitted.hedgeId, venue: 'uniswap-v3' });

    // The metrics, in EMF: names, units and dimensions of the catalogue; the account and the flow as properties.
    const decisions = expectCatalogued(lines, 'Decisions', { Action: 'hedge', Reason: requested.reason });
    expect(decisions[0]).toMatchObject({ accountId: account.accountId, correlationId, function: 'evaluate' });
    expectCatalogued(lines, 'OracleAge');
    expect(expectCatalogued(lines, 'OutsideBand')[0]!.OutsideBand).toBe(0); // a hedge in flight from its first minute outside
    expect(expectCatalogued(lines, 'HedgesSubmitted', { Venue: 'uniswap-v3' })[0]).toMatchObject({ accountId: account.accountId, hedgeId: submitted.hedgeId, correlationId });
    expect(expectCatalogued(lines, 'PriceMoveToSubmit')[0]!.PriceMoveToSubmit).toBeGreaterThanOrEqual(0);
    expectCatalogued(lines, 'HedgesConfirmed', { Venue: 'uniswap-v3' });
    expectCatalogued(lines, 'SubmitToConfirm');
    const slippage = expectCatalogued(lines, 'SlippageVsQuote', { Venue: 'uniswap-v3' })[0]!.SlippageVsQuote as number;
    expect(Math.abs(slippage)).toBeLessThan(100); // the fill is the quote, give or take the block between
    expect(expectCatalogued(lines, 'GasUsed', { Venue: 'uniswap-v3' })[0]!.GasUsed).toBeGreaterThan(21_000);
    expect(expectCatalogued(lines, 'GasFee', { Venue: 'uniswap-v3' })[0]!.GasFee).toBeGreaterThan(0);
    // Every metric line is one of the catalogue's (or Powertools' cold start).
    for (const metricLine of emfLines(lines)) {
      for (const metric of (metricLine._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]!.Metrics) expect([...Object.keys(METRICS), 'ColdStart']).toContain(metric.Name);
    }

    // Nothing secret: not the webhook secret, its signature, the body, the signed transaction.
    const journal = await w.journal.get({ accountId: account.accountId, hedgeId: submitted.hedgeId, at: new Date(submitted.decidedAt) });
    const raw = journal!.transactions[0]!.raw;
    expectNoSecret(output.text(), [signature.split(' ')[1]!.slice(3), signature.split(' ')[0]!.slice(3), 'extra fields are fine', raw.slice(2, 80)]);
  });

  it('writes an RPC failure with the endpoint’s host and never its key, and a failure that leaves the handler is rethrown redacted', async () => {
    const w = world();
    await alignOracleWithPool();
    const account = await w.openAccount({ shortCalls: 4 });
    const h = handlers();
    await h.evaluate(delivered(evaluationRequestedFor(account.accountId)), lambdaContext('evaluate'));
    const secretChain = createChainAccessMap([{ chainId: w.chain.chain.id, rpcUrl: SECRET_RPC }]).get(w.chain.chain.id)!;
    const dead = w.gatewayAt(SECRET_RPC, { retries: 0, timeoutMs: 500 });
    const { owner: _owner, ...deps } = w.dispatchDeps;
    const dispatch = createDispatchHandler({ deps: { ...deps, chains: (chainId) => ({ market: deps.chains(chainId)!.market, gateway: dead }) }, observability: observe('dispatch') });
    const evaluate = createEvaluateHandler({ deps: { ...w.evaluateDeps, markets: () => secretChain.market }, observability: observe('evaluate') });
    const requested = latestEntry('Hedge Requested', account.accountId);

    output = captureOutput();
    const result = await dispatch(sqsEvent(sqsRecord(JSON.stringify(delivered(requested)), account.signer)), lambdaContext('dispatch'));
    let thrown: unknown;
    try {
      await evaluate(delivered(evaluationRequestedFor(account.accountId)), lambdaContext('evaluate'));
    } catch (error) {
      thrown = error;
    }
    output.restore();

    expect(result.batchItemFailures).toHaveLength(1);
    const lines = output.lines();
    const failure = logLines(lines, 'dispatch').find((l) => l.disposition === 'retry');
    expect(failure).toMatchObject({ level: 'WARN', accountId: account.accountId, decisionId: JSON.parse(requested.Detail).decisionId, correlationId: expect.any(String) });
    expect(String(failure!.error)).toContain('127.0.0.1:9');
    // The evaluation failed on the dead RPC: logged redacted, and what Lambda sees is redacted too.
    const invocation = logLines(lines, 'evaluate').find((l) => l.message === 'invocation failed');
    expect(invocation).toMatchObject({ level: 'ERROR', accountId: account.accountId });
    expect(thrown).toBeInstanceOf(Error);
    expect(String((thrown as Error).message) + String((thrown as Error).stack)).not.toContain(SECRET_PATH);
    expectNoSecret(output.text());
  });

  it('a schedule tick: its event id is the flow’s correlation id; the kill switch and active accounts are reported, and a dispatch stopped by the switch is a guard trip', async () => {
    const w = world();
    await alignOracleWithPool();
    const account = await w.openAccount({ shortCalls: 4 });
    const tick = createIngestScheduleHandler({ deps: { accounts: w.accounts, publisher: w.publisher }, killSwitch: w.dispatchDeps.limits, observability: observe('ingest-schedule') });
    const h = handlers();
    const scheduled: ScheduledEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date(w.clock.nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'eu-west-1',
      resources: [],
      detail: {},
    };
    await w.dispatchDeps.limits.setGlobalKillSwitch(true, 'observability test', 'test');
    try {
      output = captureOutput();
      const outcome = await tick(scheduled, lambdaContext('ingest-schedule'));
      await h.evaluate(delivered(latestEntry('Evaluation Requested', account.accountId)), lambdaContext('evaluate'));
      const dispatched = await h.dispatch(sqsEvent(sqsRecord(JSON.stringify(delivered(latestEntry('Hedge Requested', account.accountId))), account.signer)), lambdaContext('dispatch'));
      output.restore();
      expect(outcome.accounts).toBeGreaterThanOrEqual(1);
      expect(dispatched.batchItemFailures).toEqual([]);
    } finally {
      await w.dispatchDeps.limits.setGlobalKillSwitch(false, 'observability test done', 'test');
    }

    for (const type of ['Evaluation Requested', 'Hedge Requested', 'Hedge Failed'] as const) expect(w.publisher.of(type, account.accountId).at(-1)?.correlationId, type).toBe(scheduled.id);
    const lines = output.lines();
    expect(logLines(lines, 'ingest-schedule').find((l) => l.message === 'fan-out tick done')).toMatchObject({ correlationId: scheduled.id, function: 'ingest-schedule' });
    expect(expectCatalogued(lines, 'KillSwitchEngaged')[0]!.KillSwitchEngaged).toBe(1);
    expect(expectCatalogued(lines, 'ActiveAccounts')[0]!.ActiveAccounts).toBeGreaterThanOrEqual(1);
    expect(expectCatalogued(lines, 'GuardTrips', { Code: 'GLOBAL_KILL_SWITCH' })[0]).toMatchObject({ accountId: account.accountId, correlationId: scheduled.id });
    expect(logLines(lines, 'dispatch').find((l) => l.message === 'hedge stopped by a guard: nothing sent')).toMatchObject({ code: 'GLOBAL_KILL_SWITCH', hedgeId: expect.any(String), correlationId: scheduled.id });
    expectNoSecret(output.text());
  });
});

/** An operator's Evaluation Requested for the account (from an older producer: no correlation id of its own). */
function evaluationRequestedFor(accountId: string): EventEntry {
  return encodeEvent('Evaluation Requested', { accountId, occurredAt: new Date(world().clock.nowMs).toISOString(), trigger: 'operator', triggerId: randomUUID() });
}
