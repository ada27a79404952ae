/**
 * The scheduled fan-out: every tick, one Evaluation Requested per active account.
 *
 * - Reads the active accounts page by page (the sparse gsi1 index, by opaque cursor) and
 *   publishes each page's events while the next page is being read: at most two pages
 *   are held at once, whatever the number of accounts.
 * - A page is published as up to `publishConcurrency` slices at once: the EventBridge
 *   publisher sends its PutEvents calls (10 entries each) one after another, so without
 *   this a 10,000-account tick would be 1,000 round trips in a row.
 * - The tick is the schedule's minute (see scheduleMinuteOf), and the event ids derive
 *   from (account, tick): a retried or duplicated tick publishes the same ids, which the
 *   evaluator deduplicates.
 * - Every event carries the tick's correlation id (when given): the flow each one starts is
 *   followed by it through evaluate, dispatch and confirm.
 * - Failures are not caught: a page that cannot be read or published makes the whole tick
 *   throw, and the platform retries the invocation. Events already published by the
 *   failed attempt are published again with the same ids, which is harmless.
 */
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';
import { PUT_EVENTS_LIMITS, type EventEntry } from '../../contracts/events/event-entry.ts';
import { evaluationRequestsForTick } from '../../contracts/events/evaluation-requests-for-tick.ts';

/** The slice of the account repository the fan-out reads (AccountRepository satisfies it). */
export interface ActiveAccountSource {
  listActiveAccounts(options: { limit?: number; cursor?: string }): Promise<{ readonly items: readonly { readonly accountId: string }[]; readonly cursor?: string }>;
}

export interface FanOutDeps {
  readonly accounts: ActiveAccountSource;
  readonly publisher: EventPublisher;
  /** Accounts per page read (1..1000, the repository's limit). Default DEFAULT_FAN_OUT_PAGE_SIZE. */
  readonly pageSize?: number;
  /** Publish calls in flight per page. Default DEFAULT_PUBLISH_CONCURRENCY. */
  readonly publishConcurrency?: number;
}

export interface FanOutResult {
  readonly accounts: number;
  readonly pages: number;
  readonly published: number;
}

/**
 * The repository's largest page: 1,000 profiles (~300 bytes each) stay far below a Query's
 * 1 MB cut, so a page is one Query, and fewer pages read faster (bench/fan-out-bench.ts).
 */
export const DEFAULT_FAN_OUT_PAGE_SIZE = 1000;
/** Four PutEvents calls in flight stay far below the regional PutEvents quota (hundreds per second or more). */
export const DEFAULT_PUBLISH_CONCURRENCY = 4;

const MINUTE_MS = 60_000;

/**
 * The scheduled minute of an invocation time. EventBridge Scheduler and scheduled rules
 * can invoke a few seconds (rarely more) after the minute, and a retry comes later still:
 * flooring makes every invocation of one tick name the same tick, hence the same event ids.
 *
 * @example new Date(scheduleMinuteOf(Date.parse('2026-01-01T12:00:41Z'))).toISOString() // '2026-01-01T12:00:00.000Z'
 */
export function scheduleMinuteOf(tickAtMs: number): number {
  if (!Number.isFinite(tickAtMs)) throw new RangeError(`the tick time must be a finite epoch-ms number (got ${tickAtMs})`);
  return Math.floor(tickAtMs / MINUTE_MS) * MINUTE_MS;
}

/**
 * @example
 * await fanOutTick({ accounts: createAccountRepository({ doc, tableName }), publisher }, Date.parse(event.time));
 * // { accounts: 10000, pages: 11, published: 10000 }
 */
export async function fanOutTick(deps: FanOutDeps, tickAtMs: number, options: { readonly correlationId?: string | undefined } = {}): Promise<FanOutResult> {
  const tick = scheduleMinuteOf(tickAtMs);
  const pageSize = positiveInteger(deps.pageSize ?? DEFAULT_FAN_OUT_PAGE_SIZE, 'pageSize');
  const concurrency = positiveInteger(deps.publishConcurrency ?? DEFAULT_PUBLISH_CONCURRENCY, 'publishConcurrency');
  const readPage = (cursor?: string) => deps.accounts.listActiveAccounts(cursor === undefined ? { limit: pageSize } : { limit: pageSize, cursor });

  let accounts = 0;
  let pages = 1;
  let published = 0;
  let page = await readPage();
  for (;;) {
    const ids = page.items.map((account) => account.accountId);
    accounts += ids.length;
    // Encoded before the next read starts: an encoding error then leaves no read behind.
    const entries = evaluationRequestsForTick(ids, tick, undefined, options.correlationId);
    const next = page.cursor === undefined ? undefined : readPage(page.cursor);
    // Both settle before we go on or throw: nothing of this tick runs after it returns.
    const [sent, read] = await Promise.allSettled([publishInSlices(deps.publisher, entries, concurrency), next]);
    if (sent.status === 'rejected') throw sent.reason;
    if (read.status === 'rejected') throw read.reason;
    published += sent.value;
    if (read.value === undefined) return { accounts, pages, published };
    page = read.value;
    pages++;
  }
}

async function publishInSlices(publisher: EventPublisher, entries: readonly EventEntry[], concurrency: number): Promise<number> {
  if (entries.length === 0) return 0;
  // Whole PutEvents batches per slice, so slicing adds no partly filled call.
  const batch = PUT_EVENTS_LIMITS.maxEntriesPerRequest;
  const sliceSize = Math.ceil(entries.length / concurrency / batch) * batch;
  const slices: (readonly EventEntry[])[] = [];
  for (let start = 0; start < entries.length; start += sliceSize) slices.push(entries.slice(start, start + sliceSize));
  const results = await Promise.allSettled(slices.map((slice) => publisher.publish(slice)));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return entries.length;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer ≥ 1 (got ${value})`);
  return value;
}
