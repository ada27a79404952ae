// The confirmation consumer against the real chain: a webhook for an OptionBook
// transaction is re-read from anvil (receipt, ABI-decoded logs, getPosition at the
// confirmed head) and written through the position repository on DynamoDB Local; with
// too few confirmations it defers; after a reorg it undoes what it wrote.
import { parseEventLogs, parseUnits } from 'viem';
import type { Hash, Log } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { optionBookAbi } from '../../../shared/adapters/chain/artifacts/option-book.ts';
import { createPositionRepository } from '../../../shared/adapters/dynamodb/position-repository.ts';
import { createWebhookDeliveryRepository } from '../../../shared/adapters/dynamodb/webhook-delivery-repository.ts';
import { WEBHOOK_VERIFIERS } from '../../../shared/adapters/webhook-providers/webhook-verifiers.ts';
import { confirmPositions, fromFixedPoint, type ConfirmPositionsDeps } from '../../../shared/app/confirm-positions/confirm-positions.ts';
import { createViemOptionBookReader } from '../../../shared/adapters/chain/option-book-reader.ts';
import { WEBHOOK_PAYLOAD_PARSERS } from '../../../shared/contracts/webhooks/webhook-payloads.ts';
import { createIngestWebhookHandler } from '../../../functions/ingest-webhook/handler.ts';
import { AGGREGATOR_DECIMALS, WETH_DECIMALS, startChainFixture } from '../../support/chain-fixture.ts';
import type { ChainFixture } from '../../support/chain-fixture.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';
import { LAMBDA_CONTEXT, MemoryQueue, RecordingPublisher, SECRETS, apiEvent, payload, sign } from './webhook-fixtures.ts';

const ddb = useDynamoDbLocal();
let chain: ChainFixture;
let run = 0;

beforeAll(async () => {
  chain = await startChainFixture();
}, 60_000);
beforeEach(async () => {
  await chain.reset();
  run += 1;
});
afterAll(async () => {
  await chain?.stop();
});

function harness(requiredConfirmations: number) {
  const { doc, tableName } = ddb();
  const accountId = `acct-confirm-${run}`;
  const queue = new MemoryQueue();
  const publisher = new RecordingPublisher();
  const positions = createPositionRepository({ doc, tableName });
  const handler = createIngestWebhookHandler({
    deps: {
      sources: {
        standard: { verify: WEBHOOK_VERIFIERS.standard, parse: WEBHOOK_PAYLOAD_PARSERS.standard, secrets: SECRETS.standard, chainId: chain.chain.id, contracts: [chain.addresses.optionBook] },
      },
      dedupe: createWebhookDeliveryRepository({ doc, tableName }),
      queue,
      now: () => new Date(),
    },
  });
  const deps: ConfirmPositionsDeps = {
    readers: { [chain.chain.id]: createViemOptionBookReader({ client: chain.publicClient, chainId: chain.chain.id, optionBook: chain.addresses.optionBook }) },
    positions,
    directory: {
      accountFor: (_chainId, address) => Promise.resolve(address.toLowerCase() === chain.trader.account.address.toLowerCase() ? accountId : undefined),
      underlyingFor: (_chainId, token) => (token.toLowerCase() === chain.addresses.weth.toLowerCase() ? 'ETH' : undefined),
    },
    publisher,
    requiredConfirmations,
    now: () => new Date(),
  };
  /** Delivers a Standard Webhooks delivery of `logs` and returns the one confirmation request it queued. */
  const deliver = async (logs: Log<bigint, number, false>[]) => {
    const deliveryId = `msg_${run}_${Math.random().toString(36).slice(2)}`;
    const signed = sign('standard', payload('standard', logs, deliveryId), SECRETS.standard[0], Math.floor(Date.now() / 1000), deliveryId);
    const response = await handler(apiEvent('standard', signed), LAMBDA_CONTEXT);
    expect(response.statusCode).toBe(202);
    const [request] = queue.drain();
    if (request === undefined) throw new Error('nothing queued');
    return request;
  };
  return { accountId, positions, publisher, deliver, confirm: (request: Parameters<typeof confirmPositions>[1]) => confirmPositions(deps, request) };
}

async function send(functionName: 'openPosition' | 'resizePosition' | 'closePosition', args: readonly unknown[]): Promise<Log<bigint, number, false>[]> {
  const hash: Hash = await chain.trader.writeContract({ address: chain.addresses.optionBook, abi: optionBookAbi, functionName, args } as Parameters<typeof chain.trader.writeContract>[0]);
  return (await chain.confirm(hash)).logs;
}

async function open(units: string): Promise<{ logs: Log<bigint, number, false>[]; positionId: bigint; expiry: bigint }> {
  const expiry = (await chain.publicClient.getBlock()).timestamp + 30n * 86_400n;
  const logs = await send('openPosition', [chain.addresses.weth, 1, parseUnits('2800', AGGREGATOR_DECIMALS), expiry, parseUnits(units, WETH_DECIMALS)]);
  const [opened] = parseEventLogs({ abi: optionBookAbi, eventName: 'PositionOpened', logs });
  if (opened === undefined) throw new Error('no PositionOpened');
  return { logs, positionId: opened.args.positionId, expiry };
}

describe('confirmPositions on the real chain', () => {
  it('re-reads the receipt and writes the position exactly once, then publishes Positions Changed and Evaluation Requested', async () => {
    const h = harness(1);
    const { logs, expiry } = await open('1.25');
    const request = await h.deliver(logs);
    const first = await h.confirm(request);
    expect(first).toMatchObject({ status: 'applied', changes: [{ accountId: h.accountId, change: 'created', underlying: 'ETH' }], published: 2 });
    const again = await h.confirm(request); // a redelivered queue message
    expect(again).toMatchObject({ status: 'applied', changes: [], published: 0 });
    const stored = await h.positions.listPositions(h.accountId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      revision: 1,
      source: 'chain',
      position: { kind: 'option', optionType: 'put', underlying: 'ETH', strike: 2800, quantity: 1.25, expiryMs: Number(expiry) * 1000 },
    });
    expect(h.publisher.types()).toEqual(['Positions Changed', 'Evaluation Requested']);
    const changed = JSON.parse(h.publisher.entries[0]?.Detail ?? '{}') as Record<string, unknown>;
    expect(changed).toMatchObject({ accountId: h.accountId, chainId: chain.chain.id, txHash: request.txHash, blockNumber: request.blockNumber, underlyings: ['ETH'] });
    const evaluation = JSON.parse(h.publisher.entries[1]?.Detail ?? '{}') as Record<string, unknown>;
    expect(evaluation).toMatchObject({ trigger: 'positions', triggerId: changed.eventId });
  });

  it('defers with too few confirmations, then proceeds once blocks are mined', async () => {
    const h = harness(3);
    const { logs } = await open('2');
    const request = await h.deliver(logs);
    expect(await h.confirm(request)).toEqual({ status: 'deferred', confirmations: 1, required: 3 });
    await chain.testClient.mine({ blocks: 1 });
    expect(await h.confirm(request)).toEqual({ status: 'deferred', confirmations: 2, required: 3 });
    expect(await h.positions.listPositions(h.accountId)).toEqual([]);
    expect(h.publisher.entries).toEqual([]);
    await chain.testClient.mine({ blocks: 1 });
    expect(await h.confirm(request)).toMatchObject({ status: 'applied', changes: [{ change: 'created' }] });
    expect(await h.positions.listPositions(h.accountId)).toHaveLength(1);
  });

  it('follows a resize and a close (state at the confirmed head, not the event replayed)', async () => {
    const h = harness(1);
    const { logs, positionId } = await open('1');
    await h.confirm(await h.deliver(logs));
    const resized = await send('resizePosition', [positionId, -parseUnits('4', WETH_DECIMALS)]);
    expect(await h.confirm(await h.deliver(resized))).toMatchObject({ status: 'applied', changes: [{ change: 'updated' }] });
    const [afterResize] = await h.positions.listPositions(h.accountId);
    expect(afterResize).toMatchObject({ revision: 2, position: { quantity: -4 } });
    const closed = await send('closePosition', [positionId]);
    expect(await h.confirm(await h.deliver(closed))).toMatchObject({ status: 'applied', changes: [{ change: 'deleted', underlying: 'ETH' }] });
    expect(await h.positions.listPositions(h.accountId)).toEqual([]);
    expect(h.publisher.types()).toEqual(['Positions Changed', 'Evaluation Requested', 'Positions Changed', 'Evaluation Requested', 'Positions Changed', 'Evaluation Requested']);
  });

  it('after a reorg drops the transaction, undoes the position it wrote', async () => {
    const h = harness(1);
    const beforeTx = await chain.testClient.snapshot();
    const { logs } = await open('3');
    const request = await h.deliver(logs);
    expect(await h.confirm(request)).toMatchObject({ status: 'applied' });
    expect(await h.positions.listPositions(h.accountId)).toHaveLength(1);
    await chain.testClient.revert({ id: beforeTx }); // the block with the transaction is gone
    await chain.testClient.mine({ blocks: 2 }); // and the chain moved on without it
    const outcome = await h.confirm(request);
    expect(outcome).toMatchObject({ status: 'reorged', changes: [{ accountId: h.accountId, change: 'deleted' }], published: 1 });
    expect(await h.positions.listPositions(h.accountId)).toEqual([]);
    expect(h.publisher.types().at(-1)).toBe('Evaluation Requested');
    expect(JSON.parse(h.publisher.entries.at(-1)?.Detail ?? '{}')).toMatchObject({ triggerId: `reorg:${chain.chain.id}:${request.txHash}:${request.blockHash}` });
  });

  it('ignores positions of accounts that are not our tenants', async () => {
    const h = harness(1);
    const expiry = (await chain.publicClient.getBlock()).timestamp + 86_400n;
    const hash = await chain.deployer.writeContract({
      address: chain.addresses.optionBook,
      abi: optionBookAbi,
      functionName: 'openPosition',
      args: [chain.addresses.weth, 0, parseUnits('3000', AGGREGATOR_DECIMALS), expiry, parseUnits('1', WETH_DECIMALS)],
    });
    const outcome = await h.confirm(await h.deliver((await chain.confirm(hash)).logs));
    expect(outcome).toMatchObject({ status: 'applied', changes: [], published: 0 });
  });
});

describe('fromFixedPoint', () => {
  it('scales 18- and 8-decimal integers without overflowing 2^53', () => {
    expect(fromFixedPoint(-parseUnits('2.5', 18), 18)).toBe(-2.5);
    expect(fromFixedPoint(parseUnits('123456789.12345678', 8), 8)).toBe(123456789.12345678);
    expect(fromFixedPoint(1n, 18)).toBe(1e-18);
    expect(fromFixedPoint(0n, 8)).toBe(0);
  });
});
