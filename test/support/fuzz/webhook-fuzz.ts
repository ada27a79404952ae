// Generated deliveries against POST /webhooks/{provider}: random providers, bodies (real
// payloads of real logs among them), signatures right, wrong or missing, clock skew,
// mutated headers, base64. Rules, checked after every delivery: never a 5xx, only the
// statuses the route documents, and nothing written or queued unless the delivery is
// accepted (a duplicate may record its chain-identity markers). Used by the test suite (a
// hundred runs) and by the bench's fuzz mode (ten thousand, a fresh seed).
import fc from 'fast-check';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Log } from 'viem';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createIngestWebhookHandler } from '../../../functions/ingest-webhook/handler.ts';
import type { LocalChain } from '../../../local/chain/local-chain.ts';
import { createWebhookDeliveryRepository } from '../../../shared/adapters/dynamodb/webhook-delivery-repository.ts';
import { WEBHOOK_VERIFIERS } from '../../../shared/adapters/webhook-providers/webhook-verifiers.ts';
import type { WebhookSource } from '../../../shared/app/ingest-webhook/ingest-webhook.ts';
import { WEBHOOK_PAYLOAD_PARSERS } from '../../../shared/contracts/webhooks/webhook-payloads.ts';
import { openOptionBookPosition } from '../chain-fixture.ts';
import { apiEvent, irrelevantPayload, LAMBDA_CONTEXT, MemoryQueue, payload, SECRETS, sign, WRONG_SECRET, type Provider } from '../../integration/webhooks/webhook-fixtures.ts';
import { FuzzViolation, type FuzzOptions, type FuzzReport } from './config-api-fuzz.ts';

const PROVIDERS: readonly Provider[] = ['alchemy', 'quicknode', 'standard'];
const DOCUMENTED = new Set([200, 202, 400, 401, 404, 409, 413, 415]);

export interface WebhookFuzzTarget {
  post(provider: string, request: { body: string; headers: Record<string, string> }, options?: { base64?: boolean }): Promise<APIGatewayProxyStructuredResultV2>;
  queued(): number;
  itemCount(): Promise<number>;
  /** Logs of a real OptionBook transaction, so that some payloads are relevant. */
  readonly logs: Log<bigint, number, false>[];
}

export async function fuzzWebhooks(target: WebhookFuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);
  const jsonBody = fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.string({ maxLength: 200 }),
    fc.constantFrom(...PROVIDERS).map((p) => payload(p, target.logs, 'dlv_fuzz')),
    fc.constantFrom(...PROVIDERS).map((p) => irrelevantPayload(p, 'dlv_fuzz_irrelevant')),
  );
  const headerValue = fc.oneof(fc.string({ maxLength: 80 }), fc.constant(''), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), fc.base64String({ minLength: 44, maxLength: 44 }));
  const headerName = fc.constantFrom('x-alchemy-signature', 'x-qn-nonce', 'x-qn-timestamp', 'x-qn-signature', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-encoding');
  const request = fc.record({
    // Mostly known providers, so most inputs reach the verifier and the parser.
    provider: fc.oneof({ arbitrary: fc.constantFrom<string>(...PROVIDERS), weight: 5 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 }),
    body: jsonBody,
    signWith: fc.constantFrom<'right' | 'wrong' | 'none'>('right', 'wrong', 'none'),
    skewSeconds: fc.integer({ min: -1000, max: 1000 }),
    mutations: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
    base64: fc.boolean(),
  });
  const statuses = new Map<number, number>();
  let delivery = 0;
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const provider: Provider = (PROVIDERS as readonly string[]).includes(r.provider) ? (r.provider as Provider) : 'alchemy';
      const signed =
        r.signWith === 'none'
          ? { body: r.body, headers: {} as Record<string, string> }
          : sign(provider, r.body, r.signWith === 'right' ? SECRETS[provider][0] : WRONG_SECRET[provider], nowSeconds() + r.skewSeconds, `dlv_fuzz_${options.seed}_${delivery++}`);
      const headers = { ...signed.headers, ...Object.fromEntries(r.mutations) };
      const before = await target.itemCount();
      const queued = target.queued();
      const response = await target.post(r.provider, { body: signed.body, headers }, { base64: r.base64 });
      const status = response.statusCode ?? 0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 || !DOCUMENTED.has(status)) throw new FuzzViolation(`POST /webhooks/${r.provider} answered ${status}: ${response.body ?? ''}`);
      if (status !== 202) {
        if (target.queued() !== queued) throw new FuzzViolation(`a delivery answered ${status} queued work`);
        const outcome = (JSON.parse(response.body ?? '{}') as { status?: string }).status;
        if (outcome !== 'duplicate' && (await target.itemCount()) !== before) throw new FuzzViolation(`a delivery answered ${status} (${outcome ?? 'no status'}) wrote to the table`);
      }
    }),
    { numRuns: options.numRuns, seed: options.seed },
  );
  return { runs: options.numRuns, statuses };
}

/**
 * A fuzz target on real parts: the ingest handler with the real verifiers and payload
 * parsers, its delivery repository on the given DynamoDB table, an in-memory queue (SQS
 * has no local stand-in), and the logs of one real OptionBook position on the given chain.
 */
export async function createWebhookFuzzTarget(deps: { doc: DynamoDBDocumentClient; tableName: string; chain: LocalChain; maxBodyBytes?: number }): Promise<WebhookFuzzTarget> {
  const { doc, tableName, chain } = deps;
  const queue = new MemoryQueue();
  const source = (provider: Provider): WebhookSource => ({
    verify: WEBHOOK_VERIFIERS[provider],
    parse: WEBHOOK_PAYLOAD_PARSERS[provider],
    secrets: SECRETS[provider],
    chainId: chain.chain.id,
    contracts: [chain.addresses.optionBook],
  });
  const handler = createIngestWebhookHandler({
    deps: {
      sources: { alchemy: source('alchemy'), quicknode: source('quicknode'), standard: source('standard') },
      dedupe: createWebhookDeliveryRepository({ doc, tableName }),
      queue,
      now: () => new Date(),
    },
    maxBodyBytes: deps.maxBodyBytes ?? 16 * 1024,
  });
  const { logs } = await openOptionBookPosition(chain);
  return {
    post: async (provider, request, options = {}) => (await handler(apiEvent(provider, request, options), LAMBDA_CONTEXT)) as APIGatewayProxyStructuredResultV2,
    queued: () => queue.items.length,
    itemCount: async () => (await doc.send(new ScanCommand({ TableName: tableName, Select: 'COUNT', ConsistentRead: true }))).Count ?? 0,
    logs,
  };
}
