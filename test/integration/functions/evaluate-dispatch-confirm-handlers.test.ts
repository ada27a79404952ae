// The three Lambda handlers of the hedging flow (evaluate, dispatch, confirm-hedge) on
// the real adapters (DynamoDB Local, anvil with Uniswap V3), fed the event shapes the
// platform delivers: the EventBridge envelope for evaluate, SQS records whose body is that
// envelope as JSON for dispatch (FIFO, a group per signer) and confirm-hedge (standard).
// Also the three environment schemas: a bad variable is named, its value never echoed.
import { createHash, randomUUID } from 'node:crypto';
import type { Context, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfirmHedgeEnv } from '../../../functions/confirm-hedge/configuration.ts';
import { createConfirmHedgeHandler, retryDelaySeconds, type ExtendVisibility } from '../../../functions/confirm-hedge/create-confirm-hedge-handler.ts';
import { loadDispatchEnv } from '../../../functions/dispatch/configuration.ts';
import { createDispatchHandler, type DispatchErrorDisposition } from '../../../functions/dispatch/create-dispatch-handler.ts';
import { loadEvaluateEnv } from '../../../functions/evaluate/configuration.ts';
import { createEvaluateHandler } from '../../../functions/evaluate/create-evaluate-handler.ts';
import { decodeEvent } from '../../../shared/contracts/events/decode-event.ts';
import type { EventType } from '../../../shared/contracts/events/event-definitions.ts';
import type { EventEntry } from '../../../shared/contracts/events/event-entry.ts';
import { InvalidEventError } from '../../../shared/contracts/events/event-errors.ts';
import { encodeEvent } from '../../../shared/contracts/events/encode-event.ts';
import { hedgeIdOf } from '../../../shared/contracts/events/event-id.ts';
import { USDC_DECIMALS, WETH_DECIMALS } from '../../support/chain-fixture.ts';
import { useHedgingWorld } from '../../support/hedging-world.ts';
import { safeErrorText } from '../../../shared/runtime/safe-error-text.ts';

const world = useHedgingWorld();

const context = (requestId = randomUUID()): Context => ({ awsRequestId: requestId, functionName: 'test' }) as Context;

/** The envelope EventBridge hands a target, built from the PutEvents entry a use case published. */
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

/** An SQS record as the Lambda event source hands it over; FIFO attributes when a group is given. */
function sqsRecord(body: string, options: { group?: string; receiveCount?: number; messageId?: string } = {}): SQSRecord {
  const messageId = options.messageId ?? randomUUID();
  const sent = String(Date.now());
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: sent,
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: sent,
      ...(options.group === undefined ? {} : { MessageGroupId: options.group, MessageDeduplicationId: messageId, SequenceNumber: String(Date.now()) }),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${options.group === undefined ? 'confirm-hedge' : 'dispatch.fifo'}`,
    awsRegion: 'eu-west-1',
  };
}

const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** The latest entry of `type` the world's bus recorded for the account. */
function latestEntry(type: EventType, accountId: string): EventEntry {
  const entry = world()
    .publisher.entries.filter((e) => e.DetailType === type && decodeEvent(e).detail.accountId === accountId)
    .at(-1);
  if (entry === undefined) throw new Error(`no ${type} for ${accountId}`);
  return entry;
}

const bodyOf = (type: EventType, accountId: string): string => JSON.stringify(delivered(latestEntry(type, accountId)));

function evaluationRequested(accountId: string): EventEntry {
  return encodeEvent('Evaluation Requested', { accountId, occurredAt: new Date(world().clock.nowMs).toISOString(), trigger: 'operator', triggerId: randomUUID() });
}

/**
 * Every hedge here buys on the one shared pool and moves its price away from the oracle;
 * the oracle is moved to the pool's price before each test, so the slippage guard judges
 * each test's trade alone and the tests do not depend on each other's order.
 */
async function alignOracleWithPool(): Promise<void> {
  const w = world();
  const { addresses } = w.chain;
  const market = w.dispatchDeps.chains(w.chain.chain.id)!.market;
  const pool = await market.readPoolPrice({ pool: addresses.pool, baseToken: addresses.weth, quoteToken: addresses.usdc, baseDecimals: WETH_DECIMALS, quoteDecimals: USDC_DECIMALS });
  await w.setOraclePrice(Math.round(pool.price * 100) / 100);
}

function handlers(options: { extendVisibility?: ExtendVisibility } = {}) {
  const w = world();
  const { owner: _owner, ...dispatchDeps } = w.dispatchDeps;
  const dispatchErrors: { messageId: string; disposition: DispatchErrorDisposition; error: unknown }[] = [];
  const extensions: { messageId: string; seconds: number }[] = [];
  return {
    evaluate: createEvaluateHandler({ deps: w.evaluateDeps }),
    dispatch: createDispatchHandler({ deps: dispatchDeps, onError: (error, record, disposition) => dispatchErrors.push({ messageId: record.messageId, disposition, error }) }),
    confirm: createConfirmHedgeHandler({
      deps: w.followDeps,
      extendVisibility:
        options.extendVisibility ??
        ((record, seconds) => {
          extensions.push({ messageId: record.messageId, seconds });
          return Promise.resolve();
        }),
    }),
    dispatchErrors,
    extensions,
  };
}

describe('evaluate → dispatch → confirm-hedge handlers', () => {
  beforeEach(alignOracleWithPool);

  it('an RPC outage is logged (as the entries log it) with the endpoint\'s host, never the key in its URL', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4 });
    await w.evaluate(account.accountId);
    const secretPath = 'v2/sk_live_0123456789abcdef';
    const dead = w.gatewayAt(`http://127.0.0.1:9/${secretPath}?apikey=also-secret`, { retries: 0, timeoutMs: 500 });
    const { owner: _owner, ...deps } = w.dispatchDeps;
    const lines: string[] = [];
    const dispatch = createDispatchHandler({
      deps: { ...deps, chains: (chainId) => ({ market: deps.chains(chainId)!.market, gateway: dead }) },
      // What functions/dispatch/handler.ts writes.
      onError: (error, record, disposition) => lines.push(JSON.stringify({ level: 'warn', disposition, messageId: record.messageId, error: safeErrorText(error) })),
    });
    const result = await dispatch(sqsEvent(sqsRecord(bodyOf('Hedge Requested', account.accountId), { group: account.signer })), context());
    expect(result.batchItemFailures).toHaveLength(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('127.0.0.1:9');
    expect(lines[0]).not.toContain('sk_live');
    expect(lines[0]).not.toContain('also-secret');
  });

  it('take a book out of its band to a confirmed hedge, each from the event shape its trigger delivers', async () => {
    const w = world();
    const h = handlers();
    const account = await w.openAccount({ shortCalls: 4 });

    const evaluated = await h.evaluate(delivered(evaluationRequested(account.accountId)), context());
    expect(evaluated.outcome.status).toBe('decided');
    if (evaluated.outcome.status !== 'decided') return;
    expect(evaluated.outcome.dispatched).toBe(true);
    expect(evaluated.trigger).toBe('Evaluation Requested');

    const requestedBody = bodyOf('Hedge Requested', account.accountId);
    const dispatched = await h.dispatch(sqsEvent(sqsRecord(requestedBody, { group: account.signer })), context());
    expect(dispatched.batchItemFailures).toEqual([]);
    expect(h.dispatchErrors).toEqual([]);
    const [submitted] = w.publisher.of('Hedge Submitted', account.accountId);
    expect(submitted).toBeDefined();

    const confirmed = await h.confirm(sqsEvent(sqsRecord(bodyOf('Hedge Submitted', account.accountId))), context());
    expect(confirmed.batchItemFailures).toEqual([]);
    expect(h.extensions).toEqual([]);
    const [hedge] = w.publisher.of('Hedge Confirmed', account.accountId);
    expect(hedge).toMatchObject({ hedgeId: submitted!.hedgeId, txHash: submitted!.txHash });
    const position = await w.positions.getPosition(account.accountId, 'hedge-ETH');
    expect(position?.position.quantity).toBeCloseTo(evaluated.outcome.decision.orders[0]!.quantity, 9);

    // Redeliveries are harmless: dispatch finds the hedge final, confirm too, nothing new is sent.
    expect((await h.dispatch(sqsEvent(sqsRecord(requestedBody, { group: account.signer, receiveCount: 2 })), context())).batchItemFailures).toEqual([]);
    expect((await h.confirm(sqsEvent(sqsRecord(bodyOf('Hedge Submitted', account.accountId), { receiveCount: 2 })), context())).batchItemFailures).toEqual([]);
    expect(w.publisher.of('Hedge Submitted', account.accountId)).toHaveLength(1);
    expect(w.publisher.of('Hedge Confirmed', account.accountId)).toHaveLength(1);
  });

  it('evaluates on Positions Changed too, the event id being the evaluation id', async () => {
    const w = world();
    const h = handlers();
    const account = await w.openAccount({ shortCalls: 0 });
    const entry = encodeEvent('Positions Changed', {
      accountId: account.accountId,
      occurredAt: new Date(w.clock.nowMs).toISOString(),
      chainId: w.chain.chain.id,
      txHash: `0x${randomUUID().replaceAll('-', '')}${randomUUID().replaceAll('-', '')}`,
      blockNumber: 1,
      underlyings: ['ETH'],
    });
    const evaluated = await h.evaluate(delivered(entry), context());
    expect(evaluated).toMatchObject({ trigger: 'Positions Changed', evaluationId: (JSON.parse(entry.Detail) as { eventId: string }).eventId });
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.lastEvaluation?.evaluationId).toBe(evaluated.evaluationId);
  });

  it('refuses a malformed event with a clear error and writes nothing', async () => {
    const w = world();
    const h = handlers();
    const [account, other] = [await w.openAccount({ shortCalls: 4 }), await w.openAccount({ shortCalls: 4 })];
    await h.evaluate(delivered(evaluationRequested(other.accountId)), context());
    const requested = latestEntry('Hedge Requested', other.accountId);
    const published = w.publisher.entries.length;
    const good = delivered(evaluationRequested(account.accountId));

    const noAccount = { ...good, detail: { ...(good.detail as object), accountId: undefined } };
    await expect(h.evaluate(noAccount, context())).rejects.toThrow(/Evaluation Requested v1 detail is invalid: accountId/);
    await expect(h.evaluate({ ...good, source: 'someone.else' }, context())).rejects.toBeInstanceOf(InvalidEventError);
    await expect(h.evaluate({ ...good, detail: { ...(good.detail as object), version: 2 } }, context())).rejects.toThrow(/not supported by this consumer/);
    await expect(h.evaluate(delivered(requested), context())).rejects.toThrow(/unexpected event type.*Hedge Requested/);

    expect(w.publisher.entries.length).toBe(published);
    expect(await w.evaluateDeps.evaluations.load(account.accountId)).toBeUndefined();
  });

  it('dispatch and confirm-hedge drop a body that can never be decoded, without blocking its group', async () => {
    const w = world();
    const h = handlers();
    const account = await w.openAccount({ shortCalls: 4 });
    await h.evaluate(delivered(evaluationRequested(account.accountId)), context());
    const poison = sqsRecord('{"not":"an event"', { group: account.signer });
    const good = sqsRecord(bodyOf('Hedge Requested', account.accountId), { group: account.signer });

    const result = await h.dispatch(sqsEvent(poison, good), context());
    expect(result.batchItemFailures).toEqual([]);
    expect(h.dispatchErrors).toMatchObject([{ messageId: poison.messageId, disposition: 'dropped-malformed' }]);
    expect(w.publisher.of('Hedge Submitted', account.accountId)).toHaveLength(1);

    const wrongType = sqsRecord(bodyOf('Hedge Requested', account.accountId));
    expect((await h.confirm(sqsEvent(wrongType), context())).batchItemFailures).toEqual([]);
  });

  it('keeps FIFO order: a retryable failure reports the group’s later records unprocessed; other groups go on', async () => {
    const w = world();
    const h = handlers();
    const [a, c, b] = [await w.openAccount({ shortCalls: 2 }), await w.openAccount({ shortCalls: 2 }), await w.openAccount({ shortCalls: 2 })];
    for (const account of [a, c, b]) await h.evaluate(delivered(evaluationRequested(account.accountId)), context());

    // Another dispatcher holds a's hedge: dispatch answers HedgeBusyError (retryable).
    const requestedA = w.publisher.of('Hedge Requested', a.accountId).at(-1)!;
    const refA = { accountId: a.accountId, hedgeId: hedgeIdOf(requestedA.decisionId, 0), at: new Date(requestedA.occurredAt) };
    expect((await w.journal.claim(refA, 'another-dispatcher', w.clock.nowMs + 60_000, w.clock.nowMs)).status).toBe('claimed');

    const first = sqsRecord(bodyOf('Hedge Requested', a.accountId), { group: 'signer-1' });
    const second = sqsRecord(bodyOf('Hedge Requested', c.accountId), { group: 'signer-1' });
    const other = sqsRecord(bodyOf('Hedge Requested', b.accountId), { group: 'signer-2' });
    const result = await h.dispatch(sqsEvent(first, other, second), context());

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: first.messageId }, { itemIdentifier: second.messageId }]);
    expect(h.dispatchErrors).toHaveLength(1);
    expect(h.dispatchErrors[0]).toMatchObject({ messageId: first.messageId, disposition: 'retry', error: { name: 'HedgeBusyError' } });
    expect(w.publisher.of('Hedge Submitted', b.accountId)).toHaveLength(1); // the other group went on
    expect(w.publisher.of('Hedge Submitted', c.accountId)).toHaveLength(0); // never overtook a's hedge
    const requestedC = w.publisher.of('Hedge Requested', c.accountId).at(-1)!;
    expect((await w.journal.get({ accountId: c.accountId, hedgeId: hedgeIdOf(requestedC.decisionId, 0), at: new Date(requestedC.occurredAt) }))?.stage).toBe('decided');

    // Once the foreign lease ran out, the redelivered group goes through in order.
    w.clock.nowMs += 61_000;
    const again = await h.dispatch(sqsEvent(sqsRecord(first.body, { group: 'signer-1', receiveCount: 2 }), sqsRecord(second.body, { group: 'signer-1', receiveCount: 2 })), context());
    expect(again.batchItemFailures).toEqual([]);
    expect(w.publisher.of('Hedge Submitted', a.accountId)).toHaveLength(1);
    expect(w.publisher.of('Hedge Submitted', c.accountId)).toHaveLength(1);
  });

  it('confirm-hedge lists a pending hedge and pushes its next look further out each delivery, then settles it', async () => {
    const w = world();
    const h = handlers();
    const account = await w.openAccount({ shortCalls: 4, config: (base) => ({ ...base, execution: { ...base.execution!, confirmations: 3 } }) });
    await h.evaluate(delivered(evaluationRequested(account.accountId)), context());
    expect((await h.dispatch(sqsEvent(sqsRecord(bodyOf('Hedge Requested', account.accountId), { group: account.signer })), context())).batchItemFailures).toEqual([]);
    const body = bodyOf('Hedge Submitted', account.accountId);

    const delays: number[] = [];
    for (const receiveCount of [1, 2, 3]) {
      const record = sqsRecord(body, { receiveCount });
      const result = await h.confirm(sqsEvent(record), context());
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
      expect(h.extensions.at(-1)?.messageId).toBe(record.messageId);
      delays.push(h.extensions.at(-1)!.seconds);
    }
    expect(delays).toEqual([10, 20, 40]);
    expect(w.publisher.of('Hedge Confirmed', account.accountId)).toHaveLength(0);

    await w.chain.testClient.mine({ blocks: 2 });
    const settled = await h.confirm(sqsEvent(sqsRecord(body, { receiveCount: 4 })), context());
    expect(settled.batchItemFailures).toEqual([]);
    expect(h.extensions).toHaveLength(3);
    expect(w.publisher.of('Hedge Confirmed', account.accountId)).toHaveLength(1);
  });

  it('confirm-hedge still lists a pending record when the visibility cannot be extended', async () => {
    const w = world();
    const h = handlers({ extendVisibility: () => Promise.reject(new Error('sqs unavailable (injected)')) });
    const account = await w.openAccount({ shortCalls: 4, config: (base) => ({ ...base, execution: { ...base.execution!, confirmations: 5 } }) });
    await h.evaluate(delivered(evaluationRequested(account.accountId)), context());
    await h.dispatch(sqsEvent(sqsRecord(bodyOf('Hedge Requested', account.accountId), { group: account.signer })), context());
    const record = sqsRecord(bodyOf('Hedge Submitted', account.accountId));
    expect((await h.confirm(sqsEvent(record), context())).batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });
});

describe('retryDelaySeconds', () => {
  it('doubles from 10 s and stops at 300 s; an unreadable count counts as the first delivery', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(retryDelaySeconds)).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
    expect(retryDelaySeconds(Number.NaN)).toBe(10);
    expect(retryDelaySeconds(0)).toBe(10);
  });
});

describe('environments', () => {
  const KEY = `0x${'ab'.repeat(32)}`;
  const ROUTER = '0xE592427A0AEce92De3Edee1F18E0157C05861564';
  const base = { AWS_REGION: 'eu-west-1', TABLE_NAME: 'hedging', EVENT_BUS_NAME: 'hedging-bus', CHAINS: JSON.stringify([{ chainId: 31337, rpcUrl: 'http://127.0.0.1:8545' }]) };
  const errorOf = (load: () => unknown): string => {
    try {
      load();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected the environment to be refused');
  };

  it('evaluate: reads a valid environment, names each bad variable', () => {
    expect(loadEvaluateEnv(base)).toMatchObject({ TABLE_NAME: 'hedging', CHAINS: [{ chainId: 31337, rpcUrl: 'http://127.0.0.1:8545' }] });
    expect(loadEvaluateEnv({ ...base, DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }).DYNAMODB_ENDPOINT).toBe('http://127.0.0.1:8000');
    expect(errorOf(() => loadEvaluateEnv({ ...base, TABLE_NAME: undefined }))).toMatch(/^evaluate environment is invalid: TABLE_NAME: /);
    expect(errorOf(() => loadEvaluateEnv({ ...base, EVENT_BUS_NAME: '' }))).toContain('EVENT_BUS_NAME');
    expect(errorOf(() => loadEvaluateEnv({ ...base, CHAINS: '[{' }))).toContain('CHAINS: must be JSON');
    expect(errorOf(() => loadEvaluateEnv({ ...base, CHAINS: '[]' }))).toContain('CHAINS');
    expect(errorOf(() => loadEvaluateEnv({ ...base, CHAINS: JSON.stringify([{ chainId: 1, rpcUrl: 'not a url' }]) }))).toContain('CHAINS.0.rpcUrl');
    const twice = JSON.stringify([{ chainId: 1, rpcUrl: 'http://a' }, { chainId: 1, rpcUrl: 'http://b' }]);
    expect(errorOf(() => loadEvaluateEnv({ ...base, CHAINS: twice }))).toContain('one entry per chain id');
    expect(errorOf(() => loadEvaluateEnv({ ...base, DYNAMODB_ENDPOINT: 'localhost' }))).toContain('DYNAMODB_ENDPOINT');
    expect(errorOf(() => loadEvaluateEnv({ ...base, AWS_REGION: undefined }))).toContain('AWS_REGION');
  });

  it('dispatch: reads a valid environment, names each bad variable, never echoes a key', () => {
    const valid = { ...base, ALLOWED_CONTRACTS: JSON.stringify({ 31337: [ROUTER] }) };
    const env = loadDispatchEnv({ ...valid, LOCAL_SIGNER_KEYS: JSON.stringify({ 'hedger-1': KEY }), CLAIM_LEASE_MS: '180000' });
    expect(env).toMatchObject({ ALLOWED_CONTRACTS: { 31337: [ROUTER] }, LOCAL_SIGNER_KEYS: { 'hedger-1': KEY }, CLAIM_LEASE_MS: 180_000 });
    expect(loadDispatchEnv(valid).LOCAL_SIGNER_KEYS).toBeUndefined();

    expect(errorOf(() => loadDispatchEnv(base))).toContain('ALLOWED_CONTRACTS');
    expect(errorOf(() => loadDispatchEnv({ ...valid, ALLOWED_CONTRACTS: JSON.stringify({ 31337: ['0x1234'] }) }))).toContain('ALLOWED_CONTRACTS.31337.0: must be a 20-byte hex address');
    expect(errorOf(() => loadDispatchEnv({ ...valid, ALLOWED_CONTRACTS: JSON.stringify({ 1: [ROUTER] }) }))).toContain('ALLOWED_CONTRACTS.1: no entry of CHAINS has this chain id');
    expect(errorOf(() => loadDispatchEnv({ ...valid, CLAIM_LEASE_MS: 'soon' }))).toContain('CLAIM_LEASE_MS');
    expect(errorOf(() => loadDispatchEnv({ ...valid, CLAIM_LEASE_MS: '10' }))).toContain('CLAIM_LEASE_MS');

    const shortKey = KEY.slice(0, 40);
    const badKey = errorOf(() => loadDispatchEnv({ ...valid, LOCAL_SIGNER_KEYS: JSON.stringify({ 'hedger-1': shortKey }) }));
    expect(badKey).toContain('LOCAL_SIGNER_KEYS.hedger-1: must be a 32-byte hex private key');
    expect(badKey).not.toContain(shortKey.slice(2));
    const notJson = errorOf(() => loadDispatchEnv({ ...valid, LOCAL_SIGNER_KEYS: `{hedger: ${KEY}` }));
    expect(notJson).toContain('LOCAL_SIGNER_KEYS: must be JSON');
    expect(notJson).not.toContain(KEY.slice(2));
    expect(errorOf(() => loadDispatchEnv({ ...valid, LOCAL_SIGNER_KEYS: JSON.stringify({ 'bad name!': KEY }) }))).toContain('LOCAL_SIGNER_KEYS');
  });

  it('confirm-hedge: reads a valid environment, names each bad variable', () => {
    const valid = { ...base, QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/confirm-hedge' };
    expect(loadConfirmHedgeEnv(valid)).toMatchObject({ QUEUE_URL: valid.QUEUE_URL });
    expect(loadConfirmHedgeEnv({ ...valid, LOCAL_SIGNER_KEYS: JSON.stringify({ h: KEY }) }).LOCAL_SIGNER_KEYS).toEqual({ h: KEY });
    expect(errorOf(() => loadConfirmHedgeEnv(base))).toMatch(/^confirm-hedge environment is invalid: QUEUE_URL: /);
    expect(errorOf(() => loadConfirmHedgeEnv({ ...valid, QUEUE_URL: 'confirm-hedge' }))).toContain('QUEUE_URL');
    expect(errorOf(() => loadConfirmHedgeEnv({ ...valid, CHAINS: undefined }))).toContain('CHAINS');
    const badKey = errorOf(() => loadConfirmHedgeEnv({ ...valid, LOCAL_SIGNER_KEYS: JSON.stringify({ h: 'secret-ish' }) }));
    expect(badKey).toContain('LOCAL_SIGNER_KEYS.h');
    expect(badKey).not.toContain('secret-ish');
  });
});
