// Test helpers for the webhook suite: the providers' signing side (written from the
// providers' docs independently of the verifiers, so a shared misreading cannot hide),
// payload builders from real receipt logs, API Gateway v2 events, and in-memory fakes of
// the queue and the publisher ports.
import { createHmac, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { toHex } from 'viem';
import type { Log } from 'viem';
import type { EventEntry } from '../../../shared/contracts/events/event-entry.ts';
import type { EventPublisher } from '../../../shared/contracts/events/event-publisher.ts';
import type { ConfirmationQueue, ConfirmationRequest } from '../../../shared/app/ingest-webhook/ports.ts';

export type Provider = 'alchemy' | 'quicknode' | 'standard';

export const SECRETS = {
  alchemy: ['whsec_alchemy_signing_key_old_0001', 'whsec_alchemy_signing_key_new_0002'],
  quicknode: ['qn_security_token_old_000000000001', 'qn_security_token_new_000000000002'],
  standard: [`whsec_${Buffer.from('standard-old-key-0123456789abcdef').toString('base64')}`, `whsec_${Buffer.from('standard-new-key-0123456789abcdef').toString('base64')}`],
} as const satisfies Record<Provider, readonly string[]>;

export const WRONG_SECRET = {
  alchemy: 'whsec_someone_elses_signing_key_99',
  quicknode: 'someone_elses_security_token_99999',
  standard: `whsec_${Buffer.from('someone-elses-key-0123456789abcd').toString('base64')}`,
} as const satisfies Record<Provider, string>;

export interface SignedRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly deliveryId: string;
}

/** Signs `body` as the provider would, at `atSeconds`, with `secret`. */
export function sign(provider: Provider, body: string, secret: string, atSeconds: number, deliveryId: string = `dlv_${randomUUID()}`): SignedRequest {
  const timestamp = String(atSeconds);
  switch (provider) {
    case 'alchemy':
      return { body, deliveryId, headers: { 'content-type': 'application/json', 'x-alchemy-signature': createHmac('sha256', secret).update(body, 'utf8').digest('hex') } };
    case 'quicknode': {
      const signature = createHmac('sha256', secret).update(`${deliveryId}${timestamp}${body}`, 'utf8').digest('hex');
      return { body, deliveryId, headers: { 'content-type': 'application/json', 'x-qn-nonce': deliveryId, 'x-qn-timestamp': timestamp, 'x-qn-signature': signature } };
    }
    case 'standard': {
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      const signature = createHmac('sha256', key).update(`${deliveryId}.${timestamp}.${body}`, 'utf8').digest('base64');
      return {
        body,
        deliveryId,
        headers: { 'content-type': 'application/json', 'webhook-id': deliveryId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${Buffer.from('not-it').toString('base64')} v1,${signature}` },
      };
    }
  }
}

/** The log as eth_getLogs returns it (hex quantities). */
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
    removed: false,
  };
}

/** A payload in the provider's shape reporting `logs` (Alchemy: the delivery id is in the body). */
export function payload(provider: Provider, logs: readonly Log<bigint, number, false>[], deliveryId: string): string {
  switch (provider) {
    case 'alchemy':
      return JSON.stringify({
        webhookId: 'wh_octopus',
        id: deliveryId,
        createdAt: '2026-01-01T00:00:00.000Z',
        type: 'ADDRESS_ACTIVITY',
        event: {
          network: 'ETH_MAINNET',
          activity: logs.map((log) => ({ blockNum: toHex(log.blockNumber), hash: log.transactionHash, category: 'log', extra: { unknown: true }, log: rpcLog(log) })),
        },
      });
    case 'quicknode':
      return JSON.stringify({
        data: [[{ transactionHash: logs[0]?.transactionHash, status: '0x1', logs: logs.map(rpcLog) }]],
        metadata: { dataset: 'receipts', network: 'ethereum-mainnet', batch_start_range: 1, batch_end_range: 1 },
      });
    case 'standard':
      return JSON.stringify({ type: 'evm.logs', timestamp: '2026-01-01T00:00:00Z', data: { chainId: 31337, logs: logs.map(rpcLog), note: 'extra fields are fine' } });
  }
}

/** A payload of the provider's kind that carries nothing we watch. */
export function irrelevantPayload(provider: Provider, deliveryId: string): string {
  switch (provider) {
    case 'alchemy':
      return JSON.stringify({ webhookId: 'wh_nft', id: deliveryId, createdAt: '2026-01-01T00:00:00.000Z', type: 'NFT_ACTIVITY', event: { activity: [] } });
    case 'quicknode':
      return JSON.stringify({ data: [], metadata: { dataset: 'receipts' } });
    case 'standard':
      return JSON.stringify({ type: 'account.updated', timestamp: '2026-01-01T00:00:00Z', data: { id: 'x' } });
  }
}

export function apiEvent(provider: string, request: { body: string; headers: Record<string, string> }, options: { base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const body = options.base64 === true ? Buffer.from(request.body, 'utf8').toString('base64') : request.body;
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{provider}',
    rawPath: `/webhooks/${provider}`,
    rawQueryString: '',
    headers: request.headers,
    pathParameters: { provider },
    isBase64Encoded: options.base64 === true,
    body,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.test',
      domainPrefix: 'example',
      http: { method: 'POST', path: `/webhooks/${provider}`, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
      requestId: randomUUID(),
      routeKey: 'POST /webhooks/{provider}',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
  };
}

export const LAMBDA_CONTEXT = { awsRequestId: 'test', functionName: 'ingest-webhook' } as Context;

export class MemoryQueue implements ConfirmationQueue {
  readonly items: ConfirmationRequest[] = [];
  /** When set, the next enqueue fails (a queue outage between the dedupe and the hand-off). */
  failNext = false;
  enqueue(requests: readonly ConfirmationRequest[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('queue unavailable'));
    }
    this.items.push(...requests);
    return Promise.resolve();
  }
  drain(): ConfirmationRequest[] {
    return this.items.splice(0, this.items.length);
  }
}

export class RecordingPublisher implements EventPublisher {
  readonly entries: EventEntry[] = [];
  publish(entries: readonly EventEntry[]): Promise<void> {
    this.entries.push(...entries);
    return Promise.resolve();
  }
  types(): string[] {
    return this.entries.map((e) => e.DetailType);
  }
}
