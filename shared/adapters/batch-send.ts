/**
 * Sending items through a batch API that can fail per entry (EventBridge PutEvents, SQS
 * SendMessageBatch): split into batches within the service's limits (entries and bytes
 * per call), send them in order, and resend ONLY the entries that failed with a
 * retryable error, in rounds with full-jitter exponential backoff, up to a number of
 * attempts per entry. An entry that succeeded is never sent again. A call that throws has
 * an unknown outcome: nothing is resent; the items of that call and every later one are
 * reported as unsent and the caller decides (usually: let the platform retry, relying on
 * idempotent consumers).
 */

/** What the service said about one entry of a batch. */
export type EntryOutcome = { readonly ok: true } | { readonly ok: false; readonly retryable: boolean; readonly code: string; readonly message: string };

export interface BatchSendLimits {
  readonly maxEntriesPerRequest: number;
  readonly maxRequestBytes: number;
}

export interface BatchSendRetry {
  /** Calls per entry including the first. */
  readonly maxAttempts: number;
  /** First backoff ceiling, ms; doubles per round. */
  readonly baseDelayMs: number;
  /** Backoff ceiling cap, ms. */
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform [0, 1), for the jitter. */
  readonly random: () => number;
}

export interface FailedItem<T> {
  readonly value: T;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly attempts: number;
}

export interface BatchSendResult<T> {
  readonly sent: number;
  readonly failed: readonly FailedItem<T>[];
}

/** A call threw: `unsent` holds the items whose outcome is unknown or that were never sent. */
export class BatchCallError<T> extends Error {
  constructor(
    readonly result: BatchSendResult<T>,
    readonly unsent: readonly T[],
    cause: unknown,
  ) {
    super('a batch call failed', { cause });
    this.name = 'BatchCallError';
  }
}

export const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function checkMaxAttempts(maxAttempts: number): void {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer ≥ 1 (got ${maxAttempts})`);
}

interface Pending<T> {
  readonly value: T;
  readonly size: number;
  attempts: number;
}

/**
 * Sends `items` (each with its size in bytes, already checked against the per-entry limit)
 * through `send`, which gets one batch and returns one outcome per entry, in order.
 *
 * @example
 * const { sent, failed } = await sendInBatches(entries, async (batch) => outcomesOf(await client.send(cmd(batch))), limits, retry);
 */
export async function sendInBatches<T>(
  items: readonly { readonly value: T; readonly size: number }[],
  send: (batch: readonly T[]) => Promise<readonly EntryOutcome[]>,
  limits: BatchSendLimits,
  retry: BatchSendRetry,
): Promise<BatchSendResult<T>> {
  /** Full jitter: uniform in [0, min(cap, base·2^(round−1))]. */
  const backoff = (round: number): number => Math.floor(retry.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (round - 1)));
  let pending: Pending<T>[] = items.map((item) => ({ value: item.value, size: item.size, attempts: 0 }));
  const failed: FailedItem<T>[] = [];
  let sent = 0;
  for (let round = 1; pending.length > 0; round++) {
    if (round > 1) await retry.sleep(backoff(round - 1));
    const again: Pending<T>[] = [];
    const groups = batches(pending, limits.maxEntriesPerRequest, limits.maxRequestBytes);
    for (const [index, batch] of groups.entries()) {
      let outcomes: readonly EntryOutcome[];
      try {
        outcomes = await send(batch.map((p) => p.value));
      } catch (error) {
        const unsent = [...groups.slice(index).flat(), ...again].map((p) => p.value);
        throw new BatchCallError({ sent, failed }, unsent, error);
      }
      batch.forEach((item, i) => {
        item.attempts++;
        // A missing outcome breaks the response contract: a retryable service-side failure.
        const outcome = outcomes[i] ?? { ok: false, retryable: true, code: 'MissingResult', message: 'no result for this entry' };
        if (outcome.ok) sent++;
        else if (outcome.retryable && item.attempts < retry.maxAttempts) again.push(item);
        else failed.push({ value: item.value, code: outcome.code, message: outcome.message, retryable: outcome.retryable, attempts: item.attempts });
      });
    }
    pending = again;
  }
  return { sent, failed };
}

/** Consecutive batches of at most `maxEntries` items and `maxBytes` total size, in order. */
function batches<T extends { readonly size: number }>(items: readonly T[], maxEntries: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxEntries || bytes + item.size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** "PutEvents: 2 failed (ThrottlingException), 3 not confirmed; 5 published" — the message of an adapter's error. */
export function batchFailureSummary(operation: string, failedCodes: readonly string[], unsentCount: number, doneCount: number, doneVerb: string): string {
  const parts = [
    failedCodes.length > 0 ? `${failedCodes.length} failed (${[...new Set(failedCodes)].join(', ')})` : '',
    unsentCount > 0 ? `${unsentCount} not confirmed` : '',
  ].filter(Boolean);
  return `${operation}: ${parts.join(', ')}; ${doneCount} ${doneVerb}`;
}
