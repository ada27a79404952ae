/**
 * SDK error → our error. Retryable: throttling, server-side (5xx) and transient network
 * errors, and transactions cancelled only because another transaction held an item.
 * Everything else is terminal. Conditional-check failures are not classified here: the
 * repository that set the condition knows what it means and throws a ConflictError.
 */
import { RetryableStoreError, TerminalStoreError, type DynamoDbAdapterError } from './errors.ts';

const RETRYABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'ThrottlingError',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: unknown;
  CancellationReasons?: unknown;
}

/** The `Code` of each cancellation reason of a TransactionCanceledException ('None' for items that passed). */
export function cancellationCodes(error: unknown): string[] {
  const reasons = (error as SdkLikeError | undefined)?.CancellationReasons;
  if (!Array.isArray(reasons)) return [];
  return reasons.map((reason: unknown) => {
    const code = (reason as { Code?: unknown } | null)?.Code;
    return typeof code === 'string' ? code : 'None';
  });
}

export function errorName(error: unknown): string {
  const name = (error as SdkLikeError | undefined)?.name;
  return typeof name === 'string' ? name : 'Error';
}

/** True when a transaction was cancelled by contention only (no condition failed): worth retrying. */
export function isTransactionConflict(error: unknown): boolean {
  if (errorName(error) !== 'TransactionCanceledException') return false;
  const codes = cancellationCodes(error).filter((code) => code !== 'None');
  return codes.length > 0 && codes.every((code) => code === 'TransactionConflict');
}

export function isRetryable(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const e = error as SdkLikeError;
  const name = errorName(error);
  if (RETRYABLE_NAMES.has(name)) return true;
  if (isTransactionConflict(error)) return true;
  if (typeof e.code === 'string' && RETRYABLE_NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return e.$retryable !== undefined && e.$retryable !== null && e.$retryable !== false;
}

/** Wraps any error thrown by the SDK in a RetryableStoreError or a TerminalStoreError, keeping it as `cause`. */
export function classifyError(error: unknown, operation: string): DynamoDbAdapterError {
  const name = errorName(error);
  const detail = error instanceof Error ? error.message : String(error);
  const message = `DynamoDB ${operation} failed: ${name}: ${detail}`;
  return isRetryable(error)
    ? new RetryableStoreError(message, { cause: error })
    : new TerminalStoreError(message, { cause: error });
}
