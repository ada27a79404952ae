/**
 * The confirmation consumer: the webhook said a transaction touched OptionBook; the chain
 * says what actually holds.
 *
 * 1. Re-read the receipt. Gone, or in another block than the provider reported, or the
 *    provider reported the logs as removed → a reorg: the positions the webhook named are
 *    reconciled with the chain without that transaction (an open it made is undone).
 * 2. Otherwise require `requiredConfirmations` (the receipt's block counts as one); fewer →
 *    'deferred' (the caller retries later; nothing is written).
 * 3. Decode the receipt's OptionBook logs with the ABI; for every position they name, read
 *    its state at the confirmed head (latest − confirmations + 1) and make ours equal:
 *    create, replace (optimistic concurrency) or delete. Reading the state, not replaying
 *    the event, makes the consumer idempotent and immune to out-of-order deliveries.
 * 4. For every account whose positions changed: publish Positions Changed and Evaluation
 *    Requested (deterministic ids, so a redelivery dedupes downstream). After a reorg only
 *    Evaluation Requested (trigger id `reorg:…`) is published: Positions Changed's id is
 *    keyed by (chain, tx) and would collide with the original event.
 */
import { deriveEventId } from '../../contracts/events/event-id.ts';
import { encodeEvent } from '../../contracts/events/encode-event.ts';
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';
import type { EventEntry } from '../../contracts/events/event-entry.ts';
import type { OptionPosition } from '../../domain/exposure/positions.ts';
import type { ConfirmationRequest } from '../ingest-webhook/ports.ts';
import type { ChainDirectory, OnChainPosition, OptionBookEvent, OptionBookReader, PositionStore } from './ports.ts';

export interface ConfirmPositionsDeps {
  readonly readers: Readonly<Record<number, OptionBookReader>>;
  readonly positions: PositionStore;
  readonly directory: ChainDirectory;
  readonly publisher: EventPublisher;
  readonly requiredConfirmations: number;
  readonly now: () => Date;
}

export interface PositionChange {
  readonly accountId: string;
  readonly positionId: string;
  readonly change: 'created' | 'updated' | 'deleted';
  /** The position's underlying (before a delete, the one it had). */
  readonly underlying: string;
}

export type ConfirmOutcome =
  | { readonly status: 'deferred'; readonly confirmations: number; readonly required: number }
  | { readonly status: 'applied' | 'reorged'; readonly changes: readonly PositionChange[]; readonly published: number }
  | { readonly status: 'ignored'; readonly reason: 'transaction-reverted' | 'no-option-book-logs' };

export class UnknownChainError extends Error {
  constructor(chainId: number) {
    super(`no OptionBook reader is configured for chain ${chainId}`);
    this.name = 'UnknownChainError';
  }
}

const STRIKE_DECIMALS = 8;
const SIZE_DECIMALS = 18;
const MAX_CONFLICT_RETRIES = 3;

/** A fixed-point integer as a JavaScript number (exact to a double's precision, no 2^53 overflow on the way). */
export function fromFixedPoint(value: bigint, decimals: number): number {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0');
  const text = `${digits.slice(0, digits.length - decimals)}.${digits.slice(digits.length - decimals)}`;
  return (negative ? -1 : 1) * Number(text);
}

/** Our id of an OptionBook position: chain, contract and on-chain id. */
export function chainPositionId(chainId: number, contract: string, positionId: bigint): string {
  return `ob-${chainId}-${contract.toLowerCase()}-${positionId}`;
}

/**
 * @example
 * const outcome = await confirmPositions(deps, request); // { status: 'deferred', confirmations: 1, required: 3 } … later { status: 'applied', … }
 */
export async function confirmPositions(deps: ConfirmPositionsDeps, request: ConfirmationRequest): Promise<ConfirmOutcome> {
  const reader = deps.readers[request.chainId];
  if (reader === undefined) throw new UnknownChainError(request.chainId);
  const required = Math.max(1, deps.requiredConfirmations);
  const tx = await reader.readTransaction(request.txHash);
  const latest = await reader.latestBlockNumber();
  const confirmedHead = latest - required + 1;
  const reorged = !tx.found || tx.blockHash.toLowerCase() !== request.blockHash.toLowerCase() || request.logs.every((log) => log.removed);

  if (reorged) {
    const named = reader.decodeLogs(request.logs);
    const changes = await reconcile(deps, reader, named, Math.max(0, confirmedHead));
    const published = await publishReorg(deps, request, changes);
    return { status: 'reorged', changes, published };
  }

  const confirmations = latest - tx.blockNumber + 1;
  if (confirmations < required) return { status: 'deferred', confirmations, required };
  if (!tx.succeeded) return { status: 'ignored', reason: 'transaction-reverted' };
  if (tx.events.length === 0) return { status: 'ignored', reason: 'no-option-book-logs' };
  const changes = await reconcile(deps, reader, tx.events, confirmedHead);
  const published = await publishChanges(deps, request, tx.blockNumber, changes);
  return { status: 'applied', changes, published };
}

async function reconcile(deps: ConfirmPositionsDeps, reader: OptionBookReader, events: readonly OptionBookEvent[], atBlock: number): Promise<PositionChange[]> {
  const seen = new Map<string, OptionBookEvent>();
  for (const event of events) seen.set(`${event.contract.toLowerCase()}:${event.positionId}`, event);
  const changes: PositionChange[] = [];
  for (const event of seen.values()) {
    const accountId = await deps.directory.accountFor(reader.chainId, event.account);
    if (accountId === undefined) continue; // not one of our tenants
    const positionId = chainPositionId(reader.chainId, event.contract, event.positionId);
    const onChain = await reader.readPosition(event.positionId, atBlock);
    const desired = onChain === undefined ? undefined : toPosition(deps, reader.chainId, positionId, onChain);
    if (onChain !== undefined && desired === undefined) continue; // an underlying we do not price
    const change = await makeEqual(deps.positions, accountId, positionId, desired);
    if (change !== undefined) changes.push({ accountId, positionId, ...change });
  }
  return changes;
}

function toPosition(deps: ConfirmPositionsDeps, chainId: number, id: string, onChain: OnChainPosition): OptionPosition | undefined {
  const underlying = deps.directory.underlyingFor(chainId, onChain.underlying);
  if (underlying === undefined) return undefined;
  return {
    id,
    underlying,
    kind: 'option',
    optionType: onChain.optionType,
    quantity: fromFixedPoint(onChain.size, SIZE_DECIMALS),
    strike: fromFixedPoint(onChain.strike, STRIKE_DECIMALS),
    expiryMs: Number(onChain.expiry) * 1000,
  };
}

/** Field-by-field equality (the store does not keep key order). */
function samePosition(a: object, b: object): boolean {
  const entries = (o: object) => Object.entries(o).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify(entries(a)) === JSON.stringify(entries(b));
}

function isConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'CONFLICT';
}

/** Writes (or deletes) so the stored position equals `desired`; undefined when it already did. */
async function makeEqual(
  store: PositionStore,
  accountId: string,
  positionId: string,
  desired: OptionPosition | undefined,
): Promise<Pick<PositionChange, 'change' | 'underlying'> | undefined> {
  for (let attempt = 0; ; attempt += 1) {
    const stored = await store.getPosition(accountId, positionId);
    try {
      if (desired === undefined) {
        if (stored === undefined) return undefined;
        await store.deletePosition(accountId, positionId, stored.revision);
        return { change: 'deleted', underlying: stored.position.underlying };
      }
      if (stored !== undefined && samePosition(stored.position, desired)) return undefined;
      await store.putPosition(accountId, desired, 'chain', stored?.revision);
      return { change: stored === undefined ? 'created' : 'updated', underlying: desired.underlying };
    } catch (error) {
      if (!isConflict(error) || attempt >= MAX_CONFLICT_RETRIES) throw error;
    }
  }
}

function accountsOf(changes: readonly PositionChange[]): string[] {
  return [...new Set(changes.map((c) => c.accountId))];
}

async function publishChanges(deps: ConfirmPositionsDeps, request: ConfirmationRequest, blockNumber: number, changes: readonly PositionChange[]): Promise<number> {
  const occurredAt = deps.now().toISOString();
  const entries: EventEntry[] = [];
  for (const accountId of accountsOf(changes)) {
    const underlyings = [...new Set(changes.filter((c) => c.accountId === accountId).map((c) => c.underlying))];
    const txHash = request.txHash.toLowerCase();
    entries.push(encodeEvent('Positions Changed', { accountId, occurredAt, chainId: request.chainId, txHash, blockNumber, underlyings, correlationId: request.correlationId }));
    const triggerId = deriveEventId('Positions Changed', accountId, `${request.chainId}:${txHash}`);
    entries.push(encodeEvent('Evaluation Requested', { accountId, occurredAt, trigger: 'positions', triggerId, correlationId: request.correlationId }));
  }
  if (entries.length > 0) await deps.publisher.publish(entries);
  return entries.length;
}

async function publishReorg(deps: ConfirmPositionsDeps, request: ConfirmationRequest, changes: readonly PositionChange[]): Promise<number> {
  const occurredAt = deps.now().toISOString();
  const triggerId = `reorg:${request.chainId}:${request.txHash.toLowerCase()}:${request.blockHash.toLowerCase()}`;
  const entries = accountsOf(changes).map((accountId) => encodeEvent('Evaluation Requested', { accountId, occurredAt, trigger: 'positions', triggerId, correlationId: request.correlationId }));
  if (entries.length > 0) await deps.publisher.publish(entries);
  return entries.length;
}
