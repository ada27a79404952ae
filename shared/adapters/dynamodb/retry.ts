/**
 * Retries with capped exponential backoff and full jitter, for the failures the SDK does
 * not retry itself. Division of labour (explicit, so attempts do not multiply):
 *
 * - The SDK client (see create-dynamodb-clients.ts) is built with `retryMode: 'standard'`
 *   and an explicit `maxAttempts`: it retries throttling (ProvisionedThroughputExceeded,
 *   RequestLimitExceeded, ThrottlingException), 5xx and transient network errors with
 *   its own exponential backoff and retry-token bucket.
 * - This helper retries only what the SDK treats as a final answer but is contention:
 *   a transaction cancelled with `TransactionConflict` (another transaction held an item).
 *   Its retry re-evaluates the conditions, so a lost optimistic-concurrency race still
 *   ends as a ConflictError, never as a silent overwrite.
 */
import { isTransactionConflict } from './classify-error.ts';

export interface RetryOptions {
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Which errors to retry; by default transaction conflicts only. */
  readonly shouldRetry?: (error: unknown) => boolean;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const DEFAULT_TRANSACTION_RETRY: RetryOptions = { maxAttempts: 8, baseDelayMs: 10, maxDelayMs: 500 };

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, retrying errors accepted by `shouldRetry`; the last error is rethrown as is.
 *
 * @example
 * const out = await withRetries(() => doc.send(new TransactWriteCommand(input)), DEFAULT_TRANSACTION_RETRY);
 */
export async function withRetries<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const shouldRetry = options.shouldRetry ?? isTransactionConflict;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= options.maxAttempts || !shouldRetry(error)) throw error;
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.floor(random() * cap));
    }
  }
}
