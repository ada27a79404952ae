/**
 * The scheduled fan-out over 10,000 active accounts: the account repository paging the
 * sparse index of a DynamoDB Local (in memory, 127.0.0.1), evaluation requests encoded
 * and batched by the production EventBridge publisher, whose PutEvents client is a fake
 * that accepts every entry, checks the PutEvents limits and counts the calls. Once with
 * an instant fake, once with a fixed delay per call standing in for a cloud round trip.
 *
 * DynamoDB Local comes from bench/support/dynamodb-local.ts (why not the test helper: see there).
 */
import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAccountRepository } from '../shared/adapters/dynamodb/account-repository.ts';
import { createDynamoDbClients } from '../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table.ts';
import { ACCOUNT_PROFILE_SK, accountPk, accountStatusGsi1Pk, accountStatusGsi1Sk } from '../shared/adapters/dynamodb/keys.ts';
import { createEventBridgePublisher, type PutEventsClient } from '../shared/adapters/eventbridge/eventbridge-publisher.ts';
import { fanOutTick, DEFAULT_FAN_OUT_PAGE_SIZE, DEFAULT_PUBLISH_CONCURRENCY } from '../shared/app/schedule-fan-out/fan-out.ts';
import { PUT_EVENTS_LIMITS, entrySizeBytes } from '../shared/contracts/events/event-entry.ts';
import { startDynamoDbLocal } from './support/dynamodb-local.ts';

const ACCOUNTS = 10_000;
const TABLE = 'hedge-bench';
const PAGE_SIZES = [100, 500, 1000];
const ROUND_TRIP_MS = 10;
const TICK = Date.parse('2026-03-02T12:00:00Z');

/** Profile items exactly as createAccount writes them (its audit items are not read by the fan-out). */
async function seedActiveAccounts(doc: DynamoDBDocumentClient, count: number): Promise<void> {
  const at = new Date(TICK - 86_400_000).toISOString();
  const items = Array.from({ length: count }, (_, i) => {
    const accountId = `acct-${String(i).padStart(5, '0')}`;
    return {
      pk: accountPk(accountId),
      sk: ACCOUNT_PROFILE_SK,
      accountId,
      displayName: `Desk ${i}`,
      status: 'active',
      createdAt: at,
      updatedAt: at,
      updatedBy: 'bench:seed',
      gsi1pk: accountStatusGsi1Pk('active'),
      gsi1sk: accountStatusGsi1Sk(accountId),
    };
  });
  const chunks: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  const writeChunk = async (chunk: typeof items): Promise<void> => {
    let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests } }));
      requests = (out.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
    }
  };
  const workers = Array.from({ length: 8 }, async () => {
    for (let chunk = chunks.shift(); chunk !== undefined; chunk = chunks.shift()) await writeChunk(chunk);
  });
  await Promise.all(workers);
}

/** Accepts everything, as PutEvents would, after checking the request against its limits. */
function fakePutEvents(delayMs: number): PutEventsClient & { calls: number; entries: number } {
  const fake = {
    calls: 0,
    entries: 0,
    async send(command: PutEventsCommand) {
      const entries = command.input.Entries ?? [];
      const bytes = entries.reduce((sum, entry) => sum + entrySizeBytes(entry), 0);
      if (entries.length < 1 || entries.length > PUT_EVENTS_LIMITS.maxEntriesPerRequest || bytes > PUT_EVENTS_LIMITS.maxRequestBytes) {
        throw new Error(`PutEvents limits broken: ${entries.length} entries, ${bytes} bytes`);
      }
      fake.calls++;
      fake.entries += entries.length;
      if (delayMs > 0) await new Promise((done) => setTimeout(done, delayMs));
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `bench-${fake.calls}-${i}` })) };
    },
  };
  return fake;
}

async function timedTick(doc: DynamoDBDocumentClient, pageSize: number, delayMs: number) {
  const client = fakePutEvents(delayMs);
  const deps = { accounts: createAccountRepository({ doc, tableName: TABLE }), publisher: createEventBridgePublisher(client), pageSize };
  const start = process.hrtime.bigint();
  const result = await fanOutTick(deps, TICK);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.accounts !== ACCOUNTS || result.published !== ACCOUNTS || client.entries !== ACCOUNTS) {
    throw new Error(`fan-out incomplete: ${JSON.stringify(result)}, ${client.entries} entries sent`);
  }
  return { ...result, calls: client.calls, seconds };
}

export async function runFanOutBench(): Promise<void> {
  console.log(`\nScheduled fan-out: ${ACCOUNTS.toLocaleString('en-US')} active accounts, DynamoDB Local (in memory), PutEvents faked (limits checked)`);
  const local = await startDynamoDbLocal();
  const { client, doc } = createDynamoDbClients({ region: 'us-east-1', endpoint: local.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await ensureTable(client, TABLE);
    const seedStart = performance.now();
    await seedActiveAccounts(doc, ACCOUNTS);
    console.log(`  seeded by BatchWriteItem in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    await timedTick(doc, DEFAULT_FAN_OUT_PAGE_SIZE, 0); // warm up both JITs
    console.log(`  median of 3 ticks; publishes overlap the next page's read, ${DEFAULT_PUBLISH_CONCURRENCY} PutEvents streams per page`);
    console.log(`  ${'PutEvents'.padEnd(22)} ${'page size'.padStart(9)} ${'pages'.padStart(6)} ${'calls'.padStart(6)} ${'one tick'.padStart(9)} ${'accounts/s'.padStart(11)}`);
    for (const [label, delayMs] of [
      ['instant', 0],
      [`${ROUND_TRIP_MS} ms per call`, ROUND_TRIP_MS],
    ] as const) {
      for (const pageSize of PAGE_SIZES) {
        const runs = [await timedTick(doc, pageSize, delayMs), await timedTick(doc, pageSize, delayMs), await timedTick(doc, pageSize, delayMs)];
        const run = runs.sort((a, b) => a.seconds - b.seconds)[1]!;
        const rate = `${(ACCOUNTS / run.seconds / 1000).toFixed(1)} k/s`;
        console.log(`  ${label.padEnd(22)} ${String(pageSize).padStart(9)} ${String(run.pages).padStart(6)} ${String(run.calls).padStart(6)} ${`${run.seconds.toFixed(2)} s`.padStart(9)} ${rate.padStart(11)}`);
      }
    }
  } finally {
    client.destroy();
    await local.stop();
  }
}
