/**
 * The ports the webhook ingester depends on. The DynamoDB webhook delivery repository
 * (shared/adapters/dynamodb/webhook-delivery-repository.ts) implements DeliveryDedupe.
 */
import type { ReportedLog } from '../../contracts/webhooks/webhook-payloads.ts';

export interface DeliveryDedupe {
  /**
   * 'claimed' exactly once per (namespace, id) until completed or released (a claim whose
   * lease ran out can be taken again); 'in-progress' while another claim's lease runs;
   * 'completed' once done (a duplicate).
   */
  claimDelivery(namespace: string, id: string, leaseSeconds: number, ttlSeconds: number): Promise<'claimed' | 'in-progress' | 'completed'>;
  completeDelivery(namespace: string, id: string): Promise<void>;
  /** Gives a claim back after a failed hand-off, so the provider's retry is processed. */
  releaseDelivery(namespace: string, id: string): Promise<void>;
}

/** One transaction a webhook reported logs of: what the confirmation consumer re-reads. */
export interface ConfirmationRequest {
  readonly provider: string;
  readonly deliveryId: string;
  readonly chainId: number;
  readonly txHash: string;
  /** The block the provider saw the transaction in; the consumer checks the receipt still says so. */
  readonly blockHash: string;
  readonly blockNumber: number;
  /** The logs as the provider reported them (used only to know which positions to reconcile after a reorg). */
  readonly logs: readonly Pick<ReportedLog, 'address' | 'topics' | 'data' | 'logIndex' | 'removed'>[];
  /** The flow's correlation id (the webhook request's), carried on to Positions Changed and Evaluation Requested. */
  readonly correlationId?: string | undefined;
}

/** Where accepted deliveries go: a queue to the confirmation consumer (SQS in the cloud, a list in tests). */
export interface ConfirmationQueue {
  enqueue(requests: readonly ConfirmationRequest[]): Promise<void>;
}
