/**
 * Ingest one webhook delivery: verify → parse → filter → dedupe → hand off.
 *
 * 1. Verify the signature over the raw bytes (the provider's scheme, every active secret,
 *    freshness where the scheme signs a timestamp). Failure → 'unauthorized'; nothing is written.
 * 2. Parse the JSON with the provider's payload schema. Failure → 'malformed'; nothing is written.
 * 3. Keep the logs of contracts we watch on the provider's chain. None → 'irrelevant'.
 * 4. Dedupe by delivery id (namespace = provider) — a redelivery → 'duplicate'; then by
 *    chain identity (chainId, blockHash, txHash, logIndex, removed) across providers, so
 *    the same log reported by two providers or under two delivery ids is handed off once.
 *    Both are single conditional puts (no read-then-write), safe under concurrency.
 * 5. Hand the transactions with new logs to the confirmation queue → 'accepted'.
 *
 * Steps 4–5 are claims (in progress → completed): if anything fails after a claim was
 * taken — the hand-off, or a sibling claim of the same delivery — every claim taken is
 * released before the error propagates, so the provider's retry is processed at once
 * instead of waiting for the leases to run out. (A crash instead lets the leases expire.)
 */
import type { WebhookVerdict, WebhookVerificationInput } from '../../contracts/webhooks/webhook-verdict.ts';
import type { PayloadParseResult, ReportedLog } from '../../contracts/webhooks/webhook-payloads.ts';
import type { ConfirmationQueue, ConfirmationRequest, DeliveryDedupe } from './ports.ts';

export interface WebhookSource {
  readonly verify: (input: WebhookVerificationInput) => WebhookVerdict;
  readonly parse: (json: unknown) => PayloadParseResult;
  /** Active secrets (several during a rotation). */
  readonly secrets: readonly string[];
  /** The chain this webhook / stream watches. */
  readonly chainId: number;
  /** Contract addresses whose logs matter (any case). */
  readonly contracts: readonly string[];
}

export interface IngestWebhookDeps {
  readonly sources: Readonly<Record<string, WebhookSource>>;
  readonly dedupe: DeliveryDedupe;
  readonly queue: ConfirmationQueue;
  readonly now: () => Date;
  /** How long a delivery id / chain identity is remembered (default 7 days). */
  readonly dedupeTtlSeconds?: number;
}

export interface IngestWebhookInput {
  readonly provider: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The flow's correlation id (the HTTP request's id), put on every confirmation handed off. */
  readonly correlationId?: string | undefined;
}

export type IngestOutcome =
  | { readonly status: 'accepted'; readonly deliveryId: string; readonly transactions: number }
  | { readonly status: 'duplicate'; readonly deliveryId: string }
  | { readonly status: 'in-progress'; readonly deliveryId: string }
  | { readonly status: 'irrelevant'; readonly deliveryId: string }
  | { readonly status: 'unknown-provider' }
  | { readonly status: 'unauthorized'; readonly reason: string }
  | { readonly status: 'malformed'; readonly issues: readonly string[] };

export const DEFAULT_DEDUPE_TTL_SECONDS = 7 * 24 * 60 * 60;
/** How long a claim protects a delivery being handed off; after it, a retry may take over. */
export const DEFAULT_CLAIM_LEASE_SECONDS = 60;
/** Dedupe namespace of chain identities (shared by every provider). */
export const CHAIN_LOG_NAMESPACE = 'chain-log';

/** The chain identity of a reported log; a removal notice is a distinct fact from the log itself. */
export function chainLogId(chainId: number, log: Pick<ReportedLog, 'blockHash' | 'txHash' | 'logIndex' | 'removed'>): string {
  return `${chainId}:${log.blockHash.toLowerCase()}:${log.txHash.toLowerCase()}:${log.logIndex}:${log.removed ? 'removed' : 'live'}`;
}

/**
 * @example
 * const outcome = await ingestWebhook(deps, { provider: 'alchemy', body, headers });
 * // { status: 'accepted', deliveryId: 'whevt_…', transactions: 1 }
 */
export async function ingestWebhook(deps: IngestWebhookDeps, input: IngestWebhookInput): Promise<IngestOutcome> {
  const source = Object.hasOwn(deps.sources, input.provider) ? deps.sources[input.provider] : undefined;
  if (source === undefined) return { status: 'unknown-provider' };
  const verdict = source.verify({ body: input.body, headers: input.headers, secrets: source.secrets, now: deps.now() });
  if (!verdict.ok) return { status: 'unauthorized', reason: verdict.reason };

  let json: unknown;
  try {
    json = JSON.parse(input.body.toString('utf8'));
  } catch {
    return { status: 'malformed', issues: ['(body): not valid JSON'] };
  }
  const parsed = source.parse(json);
  if (!parsed.ok) return { status: 'malformed', issues: parsed.issues };
  const deliveryId = verdict.deliveryId ?? parsed.webhook.deliveryId;
  if (deliveryId === undefined) return { status: 'malformed', issues: ['(delivery): no delivery id'] };

  const watched = new Set(source.contracts.map((address) => address.toLowerCase()));
  const relevant = parsed.webhook.logs.filter((log) => watched.has(log.address));
  if (relevant.length === 0) return { status: 'irrelevant', deliveryId };

  const ttl = deps.dedupeTtlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS;
  const lease = DEFAULT_CLAIM_LEASE_SECONDS;
  const claim = await deps.dedupe.claimDelivery(input.provider, deliveryId, lease, ttl);
  if (claim === 'completed') return { status: 'duplicate', deliveryId };
  if (claim === 'in-progress') return { status: 'in-progress', deliveryId };

  // Claimed: hand off, then complete; on failure give every claim back so the provider's
  // retry is processed (a crash instead lets the leases run out).
  const logIds = relevant.map((log) => chainLogId(source.chainId, log));
  const claimedLogs: string[] = [];
  try {
    // Every claim settles before we look: one that fails must not leave its siblings held.
    const settled = await Promise.allSettled(logIds.map((id) => deps.dedupe.claimDelivery(CHAIN_LOG_NAMESPACE, id, lease, ttl)));
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled' && result.value === 'claimed') claimedLogs.push(logIds[i]!);
    });
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const fresh = relevant.filter((_, i) => (settled[i] as PromiseFulfilledResult<string>).value === 'claimed');
    const requests = fresh.length === 0 ? [] : groupByTransaction(input.provider, deliveryId, source.chainId, fresh, input.correlationId);
    if (requests.length > 0) await deps.queue.enqueue(requests);
    await Promise.all(claimedLogs.map((id) => deps.dedupe.completeDelivery(CHAIN_LOG_NAMESPACE, id)));
    await deps.dedupe.completeDelivery(input.provider, deliveryId);
    return requests.length === 0 ? { status: 'duplicate', deliveryId } : { status: 'accepted', deliveryId, transactions: requests.length };
  } catch (error) {
    await Promise.allSettled([
      ...claimedLogs.map((id) => deps.dedupe.releaseDelivery(CHAIN_LOG_NAMESPACE, id)),
      deps.dedupe.releaseDelivery(input.provider, deliveryId),
    ]);
    throw error;
  }
}

function groupByTransaction(provider: string, deliveryId: string, chainId: number, logs: readonly ReportedLog[], correlationId: string | undefined): ConfirmationRequest[] {
  const byTx = new Map<string, { blockHash: string; blockNumber: number; txHash: string; logs: ConfirmationRequest['logs'][number][] }>();
  for (const log of logs) {
    const key = `${log.blockHash}:${log.txHash}`;
    let entry = byTx.get(key);
    if (entry === undefined) {
      entry = { blockHash: log.blockHash, blockNumber: log.blockNumber, txHash: log.txHash, logs: [] };
      byTx.set(key, entry);
    }
    entry.logs.push({ address: log.address, topics: log.topics, data: log.data, logIndex: log.logIndex, removed: log.removed });
  }
  return [...byTx.values()].map((entry) => ({ provider, deliveryId, chainId, ...entry, ...(correlationId === undefined ? {} : { correlationId }) }));
}
