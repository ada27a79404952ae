/**
 * The soak's end: the invariants, from the chain and the store, as one JSON object. A
 * failure names the hedge (or the position, or the signer's transaction).
 *
 * - at most one transaction on chain per hedge, and no signer transaction outside a hedge's
 *   journal but its trade prerequisites (approvals, deposits): 0 double sends
 * - every confirmed record names the transaction the chain mined for it
 * - every record ended (confirmed, failed, skipped): nothing lost in flight
 * - the stack's reconciliation: hedge positions stored = on chain = the confirmed fills
 * - the books' positions stored = what OptionBook holds for the book wallets
 * - no dead letter, no hedge the confirm loop gave up on
 */
import type { StackReconciliation } from '../status/stack-checks.ts';
import type { JournaledHedgeRecord } from '../stack.ts';
import type { ChainLedger } from './chain-ledger.ts';
import type { PhaseSummary } from './tick-profile.ts';

/** Where the run's time went: start-up, the ticks (the faults' ticks, not the two quiet ones), per tick and per phase. */
export interface SoakTiming {
  readonly startupMs: number;
  readonly tickingMs: number;
  readonly ticksPerSecond: number;
  readonly ticks: number;
  readonly tick: PhaseSummary;
  readonly phases: Readonly<Record<string, PhaseSummary>>;
}

const FINAL = new Set(['confirmed', 'failed', 'skipped']);
const TOLERANCE = 1e-9;

export interface SoakCheckInput {
  readonly ticks: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly records: readonly JournaledHedgeRecord[];
  readonly ledger: ChainLedger;
  readonly reconciliation: StackReconciliation;
  /** Book positions: what the chain holds, what is stored (by position id, quantity; absent = 0). */
  readonly books: { readonly onChain: ReadonlyMap<string, number>; readonly stored: ReadonlyMap<string, number> };
  readonly deadLetters: { readonly dispatch: number; readonly positions: number; readonly confirmGivenUp: number };
  readonly runTimeMs: number;
  readonly timing: SoakTiming;
  readonly seed: number;
}

export interface SoakReport {
  readonly seed: number;
  readonly ticks: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly hedges: { readonly recorded: number; readonly submitted: number; readonly confirmed: number; readonly failed: number; readonly skipped: number };
  readonly transactionsOnChain: { readonly signerTransactions: number; readonly prerequisites: number; readonly hedgesWithNone: number; readonly hedgesWithOne: number; readonly hedgesWithMore: number; readonly doubleSends: number };
  readonly positions: { readonly hedgeHoldings: number; readonly hedgeHoldingsAgreeing: number; readonly bookPositionsOnChain: number; readonly bookPositionsStored: number; readonly bookMismatches: number };
  readonly recordsNotEnded: number;
  readonly deadLetters: { readonly dispatch: number; readonly positions: number; readonly confirmGivenUp: number };
  readonly reconciled: boolean;
  readonly ok: boolean;
  readonly failures: readonly string[];
  readonly runTimeMs: number;
  readonly timing: SoakTiming;
}

export function checkSoak(input: SoakCheckInput): SoakReport {
  const failures: string[] = [...input.ledger.problems];
  const notEnded = input.records.filter((record) => !FINAL.has(record.stage));
  for (const record of notEnded) failures.push(`hedge ${record.hedgeId} (${record.accountId}): still ${record.stage} at the end`);
  for (const tenant of input.reconciliation.tenants) for (const problem of tenant.problems) failures.push(`reconciliation ${tenant.accountId}: ${problem}`);
  let bookMismatches = 0;
  const ids = new Set([...input.books.onChain.keys(), ...input.books.stored.keys()]);
  for (const id of ids) {
    const onChain = input.books.onChain.get(id) ?? 0;
    const stored = input.books.stored.get(id) ?? 0;
    if (Math.abs(onChain - stored) > TOLERANCE) {
      bookMismatches++;
      failures.push(`position ${id}: on chain ${onChain}, stored ${stored}`);
    }
  }
  const { dispatch, positions, confirmGivenUp } = input.deadLetters;
  if (dispatch + positions + confirmGivenUp > 0) failures.push(`dead letters: ${dispatch} dispatch, ${positions} position confirmations; ${confirmGivenUp} hedges the confirm loop gave up`);
  const holdings = input.reconciliation.tenants.flatMap((tenant) => tenant.holdings);
  const agreeing = holdings.filter((h) => Math.abs(h.onChain - h.stored) <= TOLERANCE && Math.abs(h.onChain - h.recorded) <= TOLERANCE).length;
  const count = (stage: string): number => input.records.filter((record) => record.stage === stage).length;
  return {
    seed: input.seed,
    ticks: input.ticks,
    faults: input.faults,
    hedges: { recorded: input.records.length, submitted: input.records.filter((record) => record.transactions.length > 0).length, confirmed: count('confirmed'), failed: count('failed'), skipped: count('skipped') },
    transactionsOnChain: {
      signerTransactions: input.ledger.signerTransactions,
      prerequisites: input.ledger.prerequisites,
      hedgesWithNone: input.ledger.perHedge.none,
      hedgesWithOne: input.ledger.perHedge.one,
      hedgesWithMore: input.ledger.perHedge.more,
      doubleSends: input.ledger.doubleSends,
    },
    positions: { hedgeHoldings: holdings.length, hedgeHoldingsAgreeing: agreeing, bookPositionsOnChain: [...input.books.onChain.values()].filter((q) => q !== 0).length, bookPositionsStored: [...input.books.stored.values()].filter((q) => q !== 0).length, bookMismatches },
    recordsNotEnded: notEnded.length,
    deadLetters: input.deadLetters,
    reconciled: input.reconciliation.reconciled,
    ok: failures.length === 0,
    failures,
    runTimeMs: input.runTimeMs,
    timing: input.timing,
  };
}
