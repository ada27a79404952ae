/** Measuring helpers shared by the benches that run the flow on DynamoDB Local and anvil. */
import { BatchWriteCommand, DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Wall time during which at least one call of a kind is in flight: calls made in parallel count once. */
export class BusyTime {
  totalMs = 0;
  calls = 0;
  private inFlight = 0;
  private since = 0;
  async time<T>(run: () => Promise<T>): Promise<T> {
    if (this.inFlight++ === 0) this.since = performance.now();
    this.calls++;
    try {
      return await run();
    } finally {
      if (--this.inFlight === 0) this.totalMs += performance.now() - this.since;
    }
  }
  reset(): void {
    this.totalMs = 0;
    this.calls = 0;
  }
}

export interface DocCounters {
  reads: number;
  writes: number;
  readonly busy: BusyTime;
}

/** The document client with its `send` counted and timed: every repository call goes through it. */
export function countedDoc(doc: DynamoDBDocumentClient): { doc: DynamoDBDocumentClient; counters: DocCounters } {
  const counters: DocCounters = { reads: 0, writes: 0, busy: new BusyTime() };
  const writeCommands = [PutCommand, UpdateCommand, DeleteCommand, TransactWriteCommand, BatchWriteCommand];
  const wrapped = Object.create(doc) as DynamoDBDocumentClient;
  const send = ((command: object) => {
    if (writeCommands.some((type) => command instanceof type)) counters.writes++;
    else counters.reads++;
    return counters.busy.time(() => (doc.send as (c: object) => Promise<unknown>)(command));
  }) as DynamoDBDocumentClient['send'];
  wrapped.send = send;
  return { doc: wrapped, counters };
}

/** The q-quantile of sorted values (nearest rank). */
export const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

/** Runs `work` over `items`, `concurrency` at a time. */
export async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}

