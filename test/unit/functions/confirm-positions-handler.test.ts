/**
 * The SQS confirmation consumer's batchItemFailures mapping: the real confirmPositions use
 * case over in-memory fakes of its ports (OptionBook reader, position store, directory,
 * publisher). Fakes rather than the anvil fixture + DynamoDB Local: what is under test is the
 * record → outcome → retry mapping, which the fakes drive deterministically (a deferral, a
 * revert, an unknown chain, a failing store) in milliseconds; the use case itself is covered
 * end to end against anvil in test/integration/webhooks/confirm-positions.test.ts.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createConfirmPositionsHandler } from '../../../functions/confirm-positions/create-confirm-positions-handler.ts';
import { createStaticChainDirectory } from '../../../shared/adapters/directory/static-chain-directory.ts';
import { InvalidConfirmationMessageError } from '../../../shared/adapters/sqs/confirmation-message.ts';
import type { ConfirmPositionsDeps } from '../../../shared/app/confirm-positions/confirm-positions.ts';
import type { OptionBookReader, PositionStore, ReadTransactionResult, StoredPositionView } from '../../../shared/app/confirm-positions/ports.ts';
import type { ConfirmationRequest } from '../../../shared/app/ingest-webhook/ports.ts';
import type { EventEntry } from '../../../shared/contracts/events/event-entry.ts';

const CHAIN = 31337;
const BOOK = `0x${'b0'.repeat(20)}`;
const TRADER = `0x${'a1'.repeat(20)}`;
const WETH = `0x${'e7'.repeat(20)}`;
const HEAD = 110;
const hash = (n: number): string => `0x${n.toString(16).padStart(64, '0')}`;

/** tx 1: confirmed, opens position 7 · tx 2: one block old (deferred) · tx 3: reverted · tx 4: confirmed, the store fails. */
const TXS: Record<string, ReadTransactionResult> = {
  [hash(1)]: { found: true, blockHash: hash(101), blockNumber: 100, succeeded: true, events: [{ name: 'PositionOpened', contract: BOOK, logIndex: 0, account: TRADER, positionId: 7n }] },
  [hash(2)]: { found: true, blockHash: hash(102), blockNumber: HEAD, succeeded: true, events: [] },
  [hash(3)]: { found: true, blockHash: hash(103), blockNumber: 100, succeeded: false, events: [] },
  [hash(4)]: { found: true, blockHash: hash(104), blockNumber: 100, succeeded: true, events: [{ name: 'PositionOpened', contract: BOOK, logIndex: 0, account: TRADER, positionId: 666n }] },
};

const reader: OptionBookReader = {
  chainId: CHAIN,
  contract: BOOK,
  readTransaction: (txHash) => Promise.resolve(TXS[txHash] ?? { found: false }),
  latestBlockNumber: () => Promise.resolve(HEAD),
  decodeLogs: () => [],
  readPosition: (positionId) =>
    Promise.resolve({ account: TRADER, underlying: WETH, optionType: 'call', strike: 3000n * 10n ** 8n, expiry: 1_900_000_000n, size: positionId * 10n ** 18n }),
};

function deps(): { deps: ConfirmPositionsDeps; stored: Map<string, StoredPositionView>; published: EventEntry[] } {
  const stored = new Map<string, StoredPositionView>();
  const published: EventEntry[] = [];
  const positions: PositionStore = {
    getPosition: (accountId, positionId) => Promise.resolve(stored.get(`${accountId}/${positionId}`)),
    putPosition: (accountId, position) => {
      if (position.id.endsWith('-666')) return Promise.reject(new Error('store unavailable'));
      stored.set(`${accountId}/${position.id}`, { position, revision: 1 });
      return Promise.resolve(1);
    },
    deletePosition: () => Promise.resolve(),
  };
  return {
    deps: {
      readers: { [CHAIN]: reader },
      positions,
      directory: createStaticChainDirectory({ accounts: { [CHAIN]: { [TRADER]: 'acc-1' } }, underlyings: { [CHAIN]: { [WETH]: 'ETH' } } }),
      publisher: { publish: (entries) => (published.push(...entries), Promise.resolve()) },
      requiredConfirmations: 3,
      now: () => new Date('2026-01-01T00:00:00Z'),
    },
    stored,
    published,
  };
}

function request(tx: number, chainId = CHAIN): ConfirmationRequest {
  return { provider: 'standard', deliveryId: `d-${tx}`, chainId, txHash: hash(tx), blockHash: hash(100 + tx), blockNumber: 100, logs: [{ address: BOOK, topics: [hash(9)], data: '0x', logIndex: 0, removed: false }] };
}

function record(messageId: string, body: string, groupId?: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
      ...(groupId === undefined ? {} : { MessageGroupId: groupId, MessageDeduplicationId: messageId }),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:confirmations',
    awsRegion: 'us-east-1',
  };
}

describe('confirm-positions SQS handler', () => {
  it('lists only the deferred and failed records; applied, ignored and undecodable ones are done', async () => {
    const { deps: d, stored, published } = deps();
    const errors: unknown[] = [];
    const handler = createConfirmPositionsHandler({ deps: d, onError: (error) => errors.push(error) });
    const event: SQSEvent = {
      Records: [
        record('applied', JSON.stringify(request(1))),
        record('deferred', JSON.stringify(request(2))),
        record('reverted', JSON.stringify(request(3))),
        record('store-fails', JSON.stringify(request(4))),
        record('unknown-chain', JSON.stringify(request(1, 999))),
        record('not-json', '{oops'),
        record('off-schema', JSON.stringify({ ...request(1), txHash: 'nope' })),
      ],
    };
    const response = await handler(event);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['deferred', 'store-fails', 'unknown-chain']);
    expect([...stored.keys()]).toEqual([`acc-1/ob-${CHAIN}-${BOOK}-7`]);
    expect(published.map((e) => e.DetailType)).toEqual(['Positions Changed', 'Evaluation Requested']);
    expect(errors.filter((e) => e instanceof InvalidConfirmationMessageError)).toHaveLength(2);
    expect(errors).toHaveLength(4);
  });

  it('pushes a deferred record further out on each delivery (growing delay), and lists it even when that fails', async () => {
    const extended: [string, number][] = [];
    const handler = createConfirmPositionsHandler({
      deps: deps().deps,
      extendVisibility: (r, seconds) => (extended.push([r.messageId, seconds]), Promise.resolve()),
    });
    for (const count of ['1', '2', '3', '9']) {
      const deferred = record('deferred', JSON.stringify(request(2)));
      const response = await handler({ Records: [{ ...deferred, attributes: { ...deferred.attributes, ApproximateReceiveCount: count } }] });
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'deferred' }]);
    }
    expect(extended).toEqual([['deferred', 10], ['deferred', 20], ['deferred', 40], ['deferred', 300]]);
    const applied = createConfirmPositionsHandler({ deps: deps().deps, extendVisibility: () => Promise.reject(new Error('never called')) });
    expect(await applied({ Records: [record('applied', JSON.stringify(request(1)))] })).toEqual({ batchItemFailures: [] });
    const errors: unknown[] = [];
    const failing = createConfirmPositionsHandler({ deps: deps().deps, extendVisibility: () => Promise.reject(new Error('sqs down')), onError: (e) => errors.push(e) });
    expect(await failing({ Records: [record('deferred', JSON.stringify(request(2)))] })).toEqual({ batchItemFailures: [{ itemIdentifier: 'deferred' }] });
    expect(errors).toHaveLength(1);
  });

  it('an empty batch, or one that all succeeds, lists nothing', async () => {
    const handler = createConfirmPositionsHandler({ deps: deps().deps });
    expect(await handler({ Records: [] })).toEqual({ batchItemFailures: [] });
    expect(await handler({ Records: [record('a', JSON.stringify(request(1))), record('b', JSON.stringify(request(3)))] })).toEqual({ batchItemFailures: [] });
  });

  it('FIFO: after a listed record, the later records of its message group are listed unprocessed; other groups go on', async () => {
    const { deps: d, stored } = deps();
    const handler = createConfirmPositionsHandler({ deps: d });
    const response = await handler({
      Records: [
        record('g1-deferred', JSON.stringify(request(2)), 'g1'),
        record('g1-later', JSON.stringify(request(1)), 'g1'),
        record('g2-applied', JSON.stringify(request(1)), 'g2'),
      ],
    });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['g1-deferred', 'g1-later']);
    expect(stored.size).toBe(1); // written by g2's record only
  });
});
