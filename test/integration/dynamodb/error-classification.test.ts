/**
 * Error classification and the transaction-conflict retry. DynamoDB Local serialises
 * transactions, so it never returns TransactionConflict or throttling: these paths are
 * exercised here with the SDK's own exception classes (no DynamoDB Local needed).
 */
import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { classifyError, isTransactionConflict } from '../../../shared/adapters/dynamodb/classify-error.ts';
import { RetryableStoreError, TerminalStoreError } from '../../../shared/adapters/dynamodb/errors.ts';
import { withRetries } from '../../../shared/adapters/dynamodb/retry.ts';

const meta = (status: number) => ({ httpStatusCode: status });

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: meta(400),
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

describe('classifyError', () => {
  it('throttling is retryable and keeps the SDK error as cause', () => {
    const sdk = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: meta(400) });
    const ours = classifyError(sdk, 'PutItem');
    expect(ours).toBeInstanceOf(RetryableStoreError);
    expect(ours.retryable).toBe(true);
    expect(ours.cause).toBe(sdk);
    expect(ours.message).toBe('DynamoDB PutItem failed: ProvisionedThroughputExceededException: slow down');
  });

  it('a missing table is terminal', () => {
    const ours = classifyError(new ResourceNotFoundException({ message: 'no table', $metadata: meta(400) }), 'GetItem');
    expect(ours).toBeInstanceOf(TerminalStoreError);
    expect(ours.retryable).toBe(false);
  });

  it('a transaction cancelled by contention only is retryable; one with a failed condition is not', () => {
    expect(isTransactionConflict(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(classifyError(cancelled('TransactionConflict'), 'TransactWriteItems').retryable).toBe(true);
    expect(isTransactionConflict(cancelled('ConditionalCheckFailed', 'TransactionConflict'))).toBe(false);
    expect(classifyError(cancelled('ConditionalCheckFailed', 'None'), 'TransactWriteItems').retryable).toBe(false);
    expect(classifyError(new ConditionalCheckFailedException({ message: 'no', $metadata: meta(400) }), 'PutItem').retryable).toBe(false);
  });

  it('5xx and network resets are retryable', () => {
    expect(classifyError(Object.assign(new Error('boom'), { name: 'Whatever', $metadata: meta(503) }), 'Query').retryable).toBe(true);
    expect(classifyError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'Query').retryable).toBe(true);
  });
});

describe('withRetries', () => {
  const noSleep = { sleep: () => Promise.resolve(), random: () => 0.5 };

  it('retries transaction conflicts with capped exponential backoff, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const out = await withRetries(
      () => (++calls < 4 ? Promise.reject(cancelled('TransactionConflict')) : Promise.resolve('done')),
      { maxAttempts: 8, baseDelayMs: 10, maxDelayMs: 30, random: () => 0.5, sleep: (ms) => (delays.push(ms), Promise.resolve()) },
    );
    expect(out).toBe('done');
    expect(calls).toBe(4);
    expect(delays).toEqual([5, 10, 15]); // full jitter (0.5 ×) of 10, 20, min(40, 30)
  });

  it('gives up after maxAttempts and rethrows the last error', async () => {
    let calls = 0;
    const error = cancelled('TransactionConflict');
    await expect(withRetries(() => (calls++, Promise.reject(error)), { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, ...noSleep })).rejects.toBe(error);
    expect(calls).toBe(3);
  });

  it('does not retry a failed condition', async () => {
    let calls = 0;
    await expect(
      withRetries(() => (calls++, Promise.reject(cancelled('ConditionalCheckFailed'))), { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1, ...noSleep }),
    ).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(calls).toBe(1);
  });
});
