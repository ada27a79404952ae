/**
 * The store ports of dispatch and confirmation: the hedge record with its claim and its
 * transaction journal, the per-account dispatch limits, and the global kill switch.
 * Implemented over DynamoDB (shared/adapters/dynamodb/hedge-journal-repository.ts and
 * dispatch-limits-repository.ts); every write is one conditional request or one
 * transaction, never read-then-write.
 */
import type { SignerRef, VenueConfig } from '../contracts/execution-config.ts';
import type { Address, Hex } from './execution-ports.ts';
import type { OptionSeries } from './venue-port.ts';

/** A hedge record is addressed by its account, its hedge id and the time it was decided. */
export interface HedgeRef {
  readonly accountId: string;
  readonly hedgeId: string;
  readonly at: Date;
}

export type HedgeStage = 'decided' | 'ordered' | 'submitted' | 'confirmed' | 'failed' | 'skipped';
export const TERMINAL_STAGES: ReadonlySet<HedgeStage> = new Set(['confirmed', 'failed', 'skipped']);

/**
 * A signed transaction, stored BEFORE it is broadcast: after a crash or a retry the very
 * same bytes are rebroadcast (same hash, same nonce), never a second transaction.
 * Big numbers are decimal strings (DynamoDB numbers hold 38 digits, but JSON and the
 * API do not round-trip bigints).
 */
export interface JournaledTransaction {
  /** swap: the hedge; margin-deposit: a margin top-up between trades (no fill); cancel: a zero-value transfer to self at the same nonce. */
  readonly purpose: 'swap' | 'margin-deposit' | 'cancel';
  readonly hash: Hex;
  readonly raw: Hex;
  readonly chainId: number;
  readonly from: Address;
  readonly nonce: number;
  readonly to: Address;
  readonly data: Hex;
  readonly value: string;
  readonly gas: string;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
  readonly signedAt: string;
  /**
   * What the transaction was built with, so that following it never depends on today's
   * configuration (the venue whose Swap log it decodes, the signer reference that may
   * replace or cancel it, the swap's deadline in unix seconds).
   */
  readonly venue?: VenueConfig;
  readonly signer?: SignerRef;
  readonly deadlineSec?: string;
  /** An option trade: the series it bought or sold (the book position its fill adds to). */
  readonly series?: OptionSeries;
  /** The venue's quoted price (USD per unit; an option's premium) the trade was built on: slippage of the fill is measured against it. */
  readonly quotedPriceUsd?: number;
  /** A margin deposit: the collateral it deposits, USD (reported when it is confirmed). */
  readonly marginDepositUsd?: number;
}

export interface HedgeView {
  readonly stage: HedgeStage;
  /** What the evaluator recorded: decision id, order, spot, underlying, ... */
  readonly record: Record<string, unknown>;
  /** Oldest first; the last one is the latest replacement. */
  readonly transactions: readonly JournaledTransaction[];
  readonly claimOwner?: string;
  readonly claimUntilMs?: number;
}

export type ClaimResult =
  | { readonly status: 'claimed' }
  | { readonly status: 'busy'; readonly owner: string; readonly untilMs: number }
  | { readonly status: 'not-claimable'; readonly stage: HedgeStage };

export interface HedgeStepInput {
  readonly stage: 'submitted' | 'confirmed' | 'failed' | 'skipped';
  /** Applying the same key twice is a no-op ('already'). */
  readonly key: string;
  readonly at: Date;
  readonly data: Record<string, unknown>;
}

export interface HedgePositionChange {
  readonly positionId: string;
  readonly underlying: string;
  /** What the hedge holds: the underlying in the wallet (spot), a perpetual on its venue, or options of a series. */
  readonly kind: 'spot' | 'perp' | 'option';
  /** Options: the series (the position is an option position of the book). */
  readonly series?: OptionSeries;
  /** Units of the underlying the hedge bought (+) or sold (−). */
  readonly quantityDelta: number;
}

export interface HedgeJournal {
  get(ref: HedgeRef): Promise<HedgeView | undefined>;
  /** Takes the hedge for `owner` until `untilMs` if it is still 'decided' and unclaimed (or the claim expired, or is ours). */
  claim(ref: HedgeRef, owner: string, untilMs: number, nowMs: number): Promise<ClaimResult>;
  /** Journals the first transaction (decided → ordered) if `owner` still holds the claim; 'lost' otherwise. */
  journalFirst(ref: HedgeRef, owner: string, transaction: JournaledTransaction, at: Date): Promise<'journaled' | 'lost'>;
  /** Journals a replacement (or a cancel) if the journal still has `expectedCount` transactions; 'lost' otherwise. */
  journalReplacement(ref: HedgeRef, transaction: JournaledTransaction, expectedCount: number): Promise<'journaled' | 'lost'>;
  /** Moves the record on (see HEDGE_STAGE_PREDECESSORS); 'already' when this step's key was applied. */
  advance(ref: HedgeRef, step: HedgeStepInput): Promise<'advanced' | 'already'>;
  /**
   * In ONE transaction: the record → confirmed, the hedge position changed by the executed
   * amount, the account's failure streak reset. 'already' when the record was confirmed before.
   */
  confirm(ref: HedgeRef, step: HedgeStepInput, position: HedgePositionChange): Promise<'confirmed' | 'already'>;
}

export type ReserveResult =
  | { readonly status: 'reserved' | 'already' }
  | { readonly status: 'cap-exceeded'; readonly reservedUsd: number };

export interface DispatchLimits {
  /** Reserves `notionalUsd` of the UTC day's cap for this hedge, atomically; idempotent per hedge id. */
  reserveDailyNotional(accountId: string, utcDay: string, hedgeId: string, notionalUsd: number, capUsd: number): Promise<ReserveResult>;
  /** Gives a hedge's reservation back, exactly the amount reserved (the hedge was never sent); idempotent. */
  releaseDailyNotional(accountId: string, utcDay: string, hedgeId: string): Promise<void>;
  /** Counts a failed hedge once (idempotent per hedge id); returns the failures in a row. */
  recordFailure(accountId: string, hedgeId: string): Promise<number>;
  /** The deployment-wide kill switch: when engaged, nothing is signed for anyone. */
  globalKillSwitch(): Promise<{ readonly engaged: boolean; readonly reason?: string }>;
  setGlobalKillSwitch(engaged: boolean, reason: string, actor: string): Promise<void>;
}
