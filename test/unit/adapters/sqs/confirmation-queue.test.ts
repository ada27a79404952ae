/**
 * The SQS confirmation queue against a stand-in SendMessageBatch client. There is no SQS
 * emulator in this environment, so the stand-in implements the documented SendMessageBatch
 * semantics instead: 1 to 10 entries per call with batch-unique Ids
 * (TooManyEntriesInBatchRequest / BatchEntryIdsNotDistinct otherwise), at most 256 KiB per
 * message and per call (BatchRequestTooLong), and a 200 answer that splits the entries into
 * `Successful` (Id, MessageId) and `Failed` (Id, Code, SenderFault). FIFO attributes are
 * rejected on a standard queue and required on a FIFO one. It counts how many times each
 * request (by deliveryId + txHash) was accepted, so "never duplicated" is checked on the queue side.
 */
import type { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { decodeConfirmationMessage, InvalidConfirmationMessageError } from '../../../../shared/adapters/sqs/confirmation-message.ts';
import {
  ConfirmationEnqueueError,
  ConfirmationMessageTooLargeError,
  createSqsConfirmationQueue,
  deduplicationId,
  type SendMessageBatchClient,
} from '../../../../shared/adapters/sqs/confirmation-queue.ts';
import type { ConfirmationRequest } from '../../../../shared/app/ingest-webhook/ports.ts';

type Verdict = { code: string; senderFault: boolean } | undefined;
const KIB = 1024;

const serviceError = (name: string): Error => Object.assign(new Error(name), { name });

class StandInSqs implements SendMessageBatchClient {
  readonly calls: { Id: string; MessageBody: string; MessageGroupId?: string | undefined; MessageDeduplicationId?: string | undefined }[][] = [];
  readonly accepted = new Map<string, number>();
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly fifo: boolean,
    /** How the attempt-th call carrying that request ends (undefined: accepted). */
    private readonly verdict: (key: string, attempt: number) => Verdict | 'throw' = () => undefined,
  ) {}

  send(command: SendMessageBatchCommand) {
    const entries = command.input.Entries ?? [];
    if (entries.length === 0) return Promise.reject(serviceError('EmptyBatchRequest'));
    if (entries.length > 10) return Promise.reject(serviceError('TooManyEntriesInBatchRequest'));
    if (new Set(entries.map((e) => e.Id)).size !== entries.length) return Promise.reject(serviceError('BatchEntryIdsNotDistinct'));
    const sizes = entries.map((e) => Buffer.byteLength(e.MessageBody ?? '', 'utf8'));
    if (sizes.some((s) => s > 256 * KIB) || sizes.reduce((a, b) => a + b, 0) > 256 * KIB) return Promise.reject(serviceError('BatchRequestTooLong'));
    for (const e of entries) {
      const hasFifo = e.MessageGroupId !== undefined || e.MessageDeduplicationId !== undefined;
      if (hasFifo !== this.fifo) return Promise.reject(serviceError('InvalidParameterValue'));
    }
    this.calls.push(entries.map((e) => ({ ...e, Id: e.Id ?? '', MessageBody: e.MessageBody ?? '' })));
    const Successful: { Id: string; MessageId: string; MD5OfMessageBody: string }[] = [];
    const Failed: { Id: string; Code: string; SenderFault: boolean; Message: string }[] = [];
    for (const e of entries) {
      const request = JSON.parse(e.MessageBody ?? '') as ConfirmationRequest;
      const key = `${request.deliveryId}/${request.txHash}`;
      const attempt = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, attempt);
      const verdict = this.verdict(key, attempt);
      if (verdict === 'throw') return Promise.reject(serviceError('RequestTimeout'));
      if (verdict) {
        Failed.push({ Id: e.Id ?? '', Code: verdict.code, SenderFault: verdict.senderFault, Message: verdict.code });
      } else {
        this.accepted.set(key, (this.accepted.get(key) ?? 0) + 1);
        Successful.push({ Id: e.Id ?? '', MessageId: `msg-${key}`, MD5OfMessageBody: 'x' });
      }
    }
    return Promise.resolve({ Successful, Failed });
  }
}

const hex = (n: number, width: number): string => `0x${n.toString(16).padStart(width, '0')}`;

function request(i: number, dataBytes = 32): ConfirmationRequest {
  return {
    provider: 'standard',
    deliveryId: `dlv-${i}`,
    chainId: 31337,
    txHash: hex(i + 1, 64),
    blockHash: hex(1000 + i, 64),
    blockNumber: 100 + i,
    logs: [{ address: hex(0xb00c, 40), topics: [hex(1, 64)], data: `0x${'ab'.repeat(dataBytes)}`, logIndex: 0, removed: false }],
  };
}

const noSleep = { sleep: (): Promise<void> => Promise.resolve(), random: () => 0.5 };
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/confirmations';

describe('SQS confirmation queue', () => {
  it('sends 23 requests in batches of 10, 10 and 3, bodies decoding back to the requests, no FIFO attributes', async () => {
    const sqs = new StandInSqs(false);
    const requests = Array.from({ length: 23 }, (_, i) => request(i));
    await createSqsConfirmationQueue(sqs, { queueUrl: QUEUE, ...noSleep }).enqueue(requests);
    expect(sqs.calls.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(sqs.calls.flat().map((e) => decodeConfirmationMessage(e.MessageBody))).toEqual(requests);
    expect(sqs.calls.flat().every((e) => e.MessageGroupId === undefined && e.MessageDeduplicationId === undefined)).toBe(true);
    expect([...sqs.accepted.values()].every((n) => n === 1)).toBe(true);
  });

  it('splits batches by total size (≤ 256 KiB per call) and rejects an oversized message before any call', async () => {
    const sqs = new StandInSqs(false);
    const big = Array.from({ length: 5 }, (_, i) => request(i, 50 * KIB)); // ~100 KiB of hex each
    await createSqsConfirmationQueue(sqs, { queueUrl: QUEUE, ...noSleep }).enqueue(big);
    expect(sqs.calls.map((c) => c.length)).toEqual([2, 2, 1]);

    const before = sqs.calls.length;
    const tooLarge = [request(10), request(11, 130 * KIB)];
    await expect(createSqsConfirmationQueue(sqs, { queueUrl: QUEUE, ...noSleep }).enqueue(tooLarge)).rejects.toBeInstanceOf(ConfirmationMessageTooLargeError);
    expect(sqs.calls.length).toBe(before);
  });

  it('rejects an invalid request (zod) before any call', async () => {
    const sqs = new StandInSqs(false);
    const bad = { ...request(1), txHash: 'not-a-hash' };
    await expect(createSqsConfirmationQueue(sqs, { queueUrl: QUEUE, ...noSleep }).enqueue([request(0), bad])).rejects.toBeInstanceOf(
      InvalidConfirmationMessageError,
    );
    expect(sqs.calls).toEqual([]);
  });

  it('a partial failure resends only the service-side failures, after backoff; successes are never resent', async () => {
    const flaky = new Set([request(2), request(7), request(12)].map((r) => `${r.deliveryId}/${r.txHash}`));
    const sqs = new StandInSqs(false, (key, attempt) => (flaky.has(key) && attempt < 3 ? { code: 'InternalError', senderFault: false } : undefined));
    const sleeps: number[] = [];
    const queue = createSqsConfirmationQueue(sqs, { queueUrl: QUEUE, sleep: (ms) => (sleeps.push(ms), Promise.resolve()), random: () => 0.999, baseDelayMs: 100 });
    await queue.enqueue(Array.from({ length: 15 }, (_, i) => request(i)));
    expect(sqs.calls.map((c) => c.length)).toEqual([10, 5, 3, 3]);
    expect(sqs.accepted.size).toBe(15);
    expect([...sqs.accepted.values()].every((n) => n === 1)).toBe(true);
    expect(sleeps).toEqual([99, 199]); // full jitter under a doubling ceiling
  });

  it('a sender fault fails at once; exhausted retries fail too; the error names both and counts the rest', async () => {
    const bad = `${request(1).deliveryId}/${request(1).txHash}`;
    const down = `${request(3).deliveryId}/${request(3).txHash}`;
    const sqs = new StandInSqs(false, (key) =>
      key === bad ? { code: 'InvalidMessageContents', senderFault: true } : key === down ? { code: 'InternalError', senderFault: false } : undefined,
    );
    const error = await createSqsConfirmationQueue(sqs, { queueUrl: QUEUE, maxAttempts: 3, ...noSleep })
      .enqueue([request(0), request(1), request(2), request(3)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfirmationEnqueueError);
    const failed = (error as ConfirmationEnqueueError).failed;
    expect(failed.map((f) => [f.request.deliveryId, f.code, f.senderFault, f.attempts])).toEqual([
      ['dlv-1', 'InvalidMessageContents', true, 1],
      ['dlv-3', 'InternalError', false, 3],
    ]);
    expect((error as ConfirmationEnqueueError).enqueuedCount).toBe(2);
    expect(sqs.calls.map((c) => c.length)).toEqual([4, 1, 1]);
  });

  it('a call that throws names the requests whose outcome is unknown and those never sent', async () => {
    const sqs = new StandInSqs(false, (key) => (key.startsWith('dlv-12/') ? 'throw' : undefined));
    const error = await createSqsConfirmationQueue(sqs, { queueUrl: QUEUE, ...noSleep })
      .enqueue(Array.from({ length: 25 }, (_, i) => request(i)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfirmationEnqueueError);
    expect((error as ConfirmationEnqueueError).enqueuedCount).toBe(10);
    expect((error as ConfirmationEnqueueError).unsent.map((r) => r.deliveryId)).toEqual(Array.from({ length: 15 }, (_, i) => `dlv-${i + 10}`));
  });

  it('on a FIFO queue sends a per-transaction group id and a deterministic deduplication id', async () => {
    const sqs = new StandInSqs(true);
    const fifoUrl = `${QUEUE}.fifo`;
    await createSqsConfirmationQueue(sqs, { queueUrl: fifoUrl, ...noSleep }).enqueue([request(0), request(1)]);
    await createSqsConfirmationQueue(sqs, { queueUrl: fifoUrl, ...noSleep }).enqueue([request(0)]);
    const [first, second] = [sqs.calls[0]?.[0], sqs.calls[1]?.[0]];
    expect(first?.MessageGroupId).toBe(`chain-31337-${request(0).txHash}`);
    expect(first?.MessageDeduplicationId).toBe(deduplicationId(request(0)));
    expect(second?.MessageDeduplicationId).toBe(first?.MessageDeduplicationId);
    expect(sqs.calls[0]?.[1]?.MessageDeduplicationId).not.toBe(first?.MessageDeduplicationId);
    expect(first?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });
});
