/**
 * A local webhook provider: watches the OptionBook's logs with viem (eth_getLogs from the
 * last block it reported, every `pollMs` or on demand) and POSTs them to the stack's own
 * `POST /webhooks/standard`, one delivery per transaction, as a Standard Webhooks sender
 * does: the `{ type: "evm.logs", data: { logs } }` envelope, a `webhook-id`, the unix
 * timestamp, and `v1,<base64 HMAC-SHA256("id.timestamp.body")>` with the shared secret.
 * A delivery that is not answered 2xx is retried with backoff, like a provider's.
 */
import { randomUUID } from 'node:crypto';
import { toHex, type Address, type Log } from 'viem';
import { STANDARD_WEBHOOK_HEADERS, signStandardWebhook } from '../../shared/adapters/webhook-providers/standard-webhooks-signature.ts';
import type { LocalPublicClient } from '../chain/local-chain.ts';
import { backoffMs, createSleeper } from '../runtime/stoppable-sleep.ts';

export interface WebhookSenderOptions {
  readonly client: LocalPublicClient;
  readonly contract: Address;
  readonly chainId: number;
  /** Where deliveries go: http://127.0.0.1:<port>/webhooks/standard. */
  readonly endpoint: string;
  /** The whsec_ secret shared with the stack's ingest-webhook configuration. */
  readonly secret: string;
  readonly maxAttempts?: number;
  /** The first block to report (default 0: every log of the chain); a restarted stack goes on where it stopped. */
  readonly fromBlock?: bigint;
  readonly onDelivery?: (delivery: { deliveryId: string; txHash: string; status: number }) => void;
  /**
   * What a poll delivers, given the deliveries it found (one per transaction, in block
   * order): default those. A provider's redeliveries (the same id again, or the same logs
   * under a new id) and its disorder are a plan that returns them repeated or reordered.
   */
  readonly plan?: (deliveries: readonly WebhookDelivery[]) => readonly WebhookDelivery[];
  readonly onError?: (error: unknown) => void;
}

/** One delivery: its webhook id and the logs of one transaction. */
export interface WebhookDelivery {
  readonly deliveryId: string;
  readonly logs: readonly Log<bigint, number, false>[];
}

export interface WebhookSender {
  /** Reports every log since the last poll; resolves when they are delivered (or given up). */
  poll(): Promise<number>;
  /** Polls every `pollMs` until stop(). */
  start(pollMs: number): void;
  stop(): Promise<void>;
  /** The first block not reported yet (undefined before the first poll without fromBlock): where a restart goes on. */
  nextBlock(): bigint | undefined;
}

/** A log as eth_getLogs returns it over JSON-RPC (hex quantities). */
function rpcLog(log: Log<bigint, number, false>): Record<string, unknown> {
  return {
    address: log.address,
    topics: log.topics,
    data: log.data,
    blockNumber: toHex(log.blockNumber),
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
    transactionIndex: toHex(log.transactionIndex),
    logIndex: toHex(log.logIndex),
    removed: log.removed,
  };
}

/** The Standard Webhooks headers for `body`, signed with `secret` at `atSeconds`. */
export function standardWebhookHeaders(body: string, secret: string, deliveryId: string, atSeconds: number): Record<string, string> {
  return {
    'content-type': 'application/json',
    [STANDARD_WEBHOOK_HEADERS.id]: deliveryId,
    [STANDARD_WEBHOOK_HEADERS.timestamp]: String(atSeconds),
    [STANDARD_WEBHOOK_HEADERS.signature]: signStandardWebhook({ secret, id: deliveryId, timestamp: atSeconds, body }),
  };
}

/** A Standard Webhooks delivery id. */
export const newDeliveryId = (): string => `msg_${randomUUID().replaceAll('-', '')}`;

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const sleeper = createSleeper();
  let nextBlock: bigint | undefined = options.fromBlock;
  let timer: ReturnType<typeof setInterval> | undefined;
  let polling: Promise<number> | undefined;
  let stopped = false;

  async function deliver({ deliveryId, logs }: WebhookDelivery): Promise<void> {
    const body = JSON.stringify({ type: 'evm.logs', timestamp: new Date().toISOString(), data: { chainId: options.chainId, logs: logs.map(rpcLog) } });
    const txHash = logs[0]?.transactionHash ?? '';
    for (let attempt = 1; attempt <= (options.maxAttempts ?? 5) && !stopped; attempt++) {
      try {
        const response = await fetch(options.endpoint, { method: 'POST', headers: standardWebhookHeaders(body, options.secret, deliveryId, Math.floor(Date.now() / 1000)), body });
        await response.arrayBuffer();
        options.onDelivery?.({ deliveryId, txHash, status: response.status });
        if (response.ok) return;
      } catch (error) {
        options.onError?.(error);
      }
      await sleeper.sleep(backoffMs(attempt, 100, 2_000));
    }
  }

  async function pollOnce(): Promise<number> {
    const latest = await options.client.getBlockNumber();
    const fromBlock = nextBlock ?? 0n;
    if (fromBlock > latest) return 0;
    const logs = await options.client.getLogs({ address: options.contract, fromBlock, toBlock: latest });
    nextBlock = latest + 1n;
    const byTx = new Map<string, Log<bigint, number, false>[]>();
    for (const log of logs) byTx.set(log.transactionHash, [...(byTx.get(log.transactionHash) ?? []), log]);
    const found: WebhookDelivery[] = [...byTx.values()].map((txLogs) => ({ deliveryId: newDeliveryId(), logs: txLogs }));
    for (const delivery of options.plan?.(found) ?? found) await deliver(delivery);
    return byTx.size;
  }

  return {
    poll() {
      // One poll at a time: a timer tick and an explicit poll share the same block cursor.
      const run: Promise<number> = (polling ?? Promise.resolve(0)).then(() => pollOnce());
      polling = run.catch(() => 0);
      return run;
    },
    start(pollMs) {
      timer ??= setInterval(() => {
        this.poll().catch((error: unknown) => options.onError?.(error));
      }, pollMs);
    },
    nextBlock: () => nextBlock,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      sleeper.wakeAll();
      await polling;
    },
  };
}
