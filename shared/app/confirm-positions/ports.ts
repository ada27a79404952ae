/**
 * The ports the confirmation consumer depends on. The chain port is implemented with viem
 * (shared/adapters/chain/option-book-reader.ts); the position store by the DynamoDB position repository.
 */
import type { Position } from '../../domain/exposure/positions.ts';

export type OptionBookEventName = 'PositionOpened' | 'PositionResized' | 'PositionClosed';

/** An OptionBook log decoded with the contract's ABI. */
export interface OptionBookEvent {
  readonly name: OptionBookEventName;
  readonly contract: string;
  readonly logIndex: number;
  readonly account: string;
  readonly positionId: bigint;
}

/** A position as OptionBook stores it (raw units: strike 8 decimals, size 18 decimals, expiry unix seconds). */
export interface OnChainPosition {
  readonly account: string;
  readonly underlying: string;
  readonly optionType: 'call' | 'put';
  readonly strike: bigint;
  readonly expiry: bigint;
  readonly size: bigint;
}

export type ReadTransactionResult =
  | { readonly found: false }
  | { readonly found: true; readonly blockHash: string; readonly blockNumber: number; readonly succeeded: boolean; readonly events: readonly OptionBookEvent[] };

/** One chain's OptionBook, read through an RPC node. */
export interface OptionBookReader {
  readonly chainId: number;
  readonly contract: string;
  /** The receipt of a transaction, its OptionBook logs decoded; found: false when the node has no receipt. */
  readTransaction(txHash: string): Promise<ReadTransactionResult>;
  latestBlockNumber(): Promise<number>;
  /** Decodes logs (as a webhook reported them) of this OptionBook; others and undecodable ones are dropped. */
  decodeLogs(logs: readonly { address: string; topics: readonly string[]; data: string; logIndex: number }[]): OptionBookEvent[];
  /** The position at a block; undefined when it does not exist there (never opened, or closed). */
  readPosition(positionId: bigint, blockNumber: number): Promise<OnChainPosition | undefined>;
}

export interface StoredPositionView {
  readonly position: Position;
  readonly revision: number;
}

/** The subset of the position repository the consumer uses. */
export interface PositionStore {
  getPosition(accountId: string, positionId: string): Promise<StoredPositionView | undefined>;
  putPosition(accountId: string, position: Position, source: 'manual' | 'chain', expectedRevision?: number): Promise<number>;
  deletePosition(accountId: string, positionId: string, expectedRevision: number): Promise<void>;
}

/** Which tenant owns an on-chain account, and what an underlying token is. */
export interface ChainDirectory {
  accountFor(chainId: number, address: string): Promise<string | undefined>;
  /** The underlying's symbol (e.g. "ETH") for an ERC-20 on a chain; undefined when unknown. */
  underlyingFor(chainId: number, token: string): string | undefined;
}
