/**
 * Fuzz mode (`npm run bench -- --fuzz`, or `npm run fuzz`): the test suite's generators
 * for the configuration API and the webhook boundary (test/support/fuzz), run with many
 * more inputs and a fresh seed each time. The seeds are printed first, so a failure is
 * reproduced with `--seed N`. Rules checked after every input: never a 5xx (nor an
 * unexpected logged error), and a rejected input changes nothing in the table or queue.
 *
 * Real parts: DynamoDB Local (in memory, 127.0.0.1) and anvil with the product's contracts.
 * Exit status 1 on the first violation, with fast-check's counterexample.
 */
import { randomInt } from 'node:crypto';
import { createDynamoDbClients } from '../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table.ts';
import { startLocalChain } from '../local/chain/local-chain.ts';
import { createFixture } from '../test/integration/config-api/config-api-fixture.ts';
import { fuzzConfigApi, type FuzzReport } from '../test/support/fuzz/config-api-fuzz.ts';
import { createWebhookFuzzTarget, fuzzWebhooks } from '../test/support/fuzz/webhook-fuzz.ts';
import { startDynamoDbLocal } from './support/dynamodb-local.ts';

export interface FuzzBenchOptions {
  readonly runs: number;
  /** A fixed seed to reproduce a run; otherwise a fresh one per boundary. */
  readonly seed?: number;
}

const statusLine = (report: FuzzReport): string =>
  [...report.statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');

export async function runFuzzBench(options: FuzzBenchOptions): Promise<boolean> {
  const seeds = { configApi: options.seed ?? randomInt(2 ** 31 - 1), webhooks: options.seed ?? randomInt(2 ** 31 - 1) };
  console.log(`\nFuzz mode: ${options.runs.toLocaleString('en-US')} generated inputs per boundary`);
  console.log(`  seeds: config API ${seeds.configApi}, webhooks ${seeds.webhooks} (reproduce one with --fuzz --seed N)`);
  const ddb = await startDynamoDbLocal();
  const clients = createDynamoDbClients({ region: 'us-east-1', endpoint: ddb.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const chain = await startLocalChain();
  let ok = true;
  try {
    const boundaries: [string, (tableName: string) => Promise<FuzzReport>][] = [
      ['config API', (tableName) => fuzzConfigApi(createFixture(clients.doc, tableName), { numRuns: options.runs, seed: seeds.configApi })],
      ['webhooks', async (tableName) => fuzzWebhooks(await createWebhookFuzzTarget({ doc: clients.doc, tableName, chain }), { numRuns: options.runs, seed: seeds.webhooks })],
    ];
    for (const [name, fuzz] of boundaries) {
      // A table per boundary: the config API's rule scans the whole table after each input.
      const tableName = `hedge-fuzz-${name.replace(/\W/gu, '')}`;
      await ensureTable(clients.client, tableName);
      const started = performance.now();
      try {
        const report = await fuzz(tableName);
        const seconds = (performance.now() - started) / 1000;
        console.log(`  ${name.padEnd(11)} ${report.runs.toLocaleString('en-US')} inputs in ${seconds.toFixed(1)} s, no violation; statuses ${statusLine(report)}`);
      } catch (error) {
        ok = false;
        console.log(`  ${name.padEnd(11)} VIOLATION (seed ${name === 'webhooks' ? seeds.webhooks : seeds.configApi}):\n${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    clients.client.destroy();
    await chain.stop();
    await ddb.stop();
  }
  return ok;
}
