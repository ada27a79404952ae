/**
 * The messages between the local stack and its worker process (worker-main.ts), over
 * Node's IPC channel. The worker runs the dispatch and confirm-hedge handlers; what they
 * publish comes back to the stack's bus, acknowledged before the handler goes on (a
 * Lambda's PutEvents returns before its next step).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Address, Hex } from 'viem';
import type { FollowOutcome } from '../../shared/app/confirm-hedge/follow-hedge.ts';
import type { EventEntry } from '../../shared/contracts/events/event-entry.ts';
import type { VenueConfig } from '../../shared/contracts/execution-config.ts';
import type { LocalChainAddresses } from '../chain/local-chain.ts';

/** What the worker builds its adapters from (the same store and chain as the stack). */
export interface WorkerConfig {
  readonly dynamoDbEndpoint: string;
  readonly tableName: string;
  /** Where the functions reach the chain (anvil, or a proxy in front of it). */
  readonly rpcUrl: string;
  readonly addresses: LocalChainAddresses;
  readonly extraVenues: readonly VenueConfig[];
  readonly approvalPollMs: number;
  /**
   * The dispatcher's claim on a hedge (default 120 s). A worker killed after its claim and
   * before its journal leaves the hedge busy until the claim runs out; the cloud's queue
   * outlasts that (3-minute visibility × 10 receives), the local lanes retry for about two
   * minutes, so the worker holds shorter claims. Safe: journaling needs the claim still held.
   */
  readonly claimLeaseMs?: number;
}

export type WorkerLane = 'dispatch' | 'confirm';

export type ToWorker =
  | { readonly type: 'init'; readonly config: WorkerConfig }
  | { readonly type: 'call'; readonly id: number; readonly lane: WorkerLane; readonly event: SQSEvent; readonly keys: readonly (readonly [string, Hex])[] }
  | { readonly type: 'published'; readonly id: number; readonly error?: string };

export type FromWorker =
  | { readonly type: 'ready'; readonly signers?: readonly Address[] }
  | { readonly type: 'result'; readonly id: number; readonly response: SQSBatchResponse; readonly outcomes: readonly (readonly [string, FollowOutcome])[] }
  | { readonly type: 'publish'; readonly id: number; readonly entries: readonly EventEntry[] }
  | { readonly type: 'log'; readonly line: string };
