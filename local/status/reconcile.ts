/**
 * Do the records agree with the chain? The stored hedge position (`hedge-<underlying>`,
 * the sum of the confirmed fills the confirmer wrote) must equal the signer's on-chain
 * base-token change since the stack funded it, and every hedge record the store calls
 * confirmed must name a transaction whose receipt says success.
 */
import { formatUnits, type Address, type Hash } from 'viem';
import { testTokenAbi } from '../../shared/adapters/chain/artifacts/test-token.ts';
import type { LocalPublicClient } from '../chain/local-chain.ts';
import type { StoredHedgeRecordLike } from './hedge-view.ts';

export interface ReconcileInput {
  readonly client: LocalPublicClient;
  readonly baseToken: Address;
  readonly baseDecimals: number;
  readonly signer: Address;
  /** The signer's base balance (raw) before any hedge. */
  readonly startBalance: bigint;
  /** The stored hedge position's quantity (0 when there is none). */
  readonly storedHedgeUnits: number;
  readonly records: readonly StoredHedgeRecordLike[];
}

export interface Reconciliation {
  readonly reconciled: boolean;
  readonly onChainUnits: number;
  readonly storedUnits: number;
  readonly confirmedRecords: number;
  readonly badReceipts: readonly string[];
}

const FINAL_STAGES: ReadonlySet<string> = new Set(['confirmed', 'failed', 'skipped']);

/** Float sums of 18-decimal amounts: agree to far better than a wei of any real trade. */
const TOLERANCE_UNITS = 1e-9;

export async function reconcile(input: ReconcileInput): Promise<Reconciliation> {
  const balance = await input.client.readContract({ address: input.baseToken, abi: testTokenAbi, functionName: 'balanceOf', args: [input.signer] });
  const onChainUnits = Number(formatUnits(balance - input.startBalance, input.baseDecimals));
  const confirmed = input.records.filter((record) => record.stage === 'confirmed');
  const badReceipts: string[] = [];
  for (const record of confirmed) {
    const txHash = record.steps.find((step) => step.stage === 'confirmed')?.data.txHash;
    if (typeof txHash !== 'string') {
      badReceipts.push(`${record.hedgeId}: no transaction`);
      continue;
    }
    const receipt = await input.client.getTransactionReceipt({ hash: txHash as Hash }).catch(() => undefined);
    if (receipt?.status !== 'success') badReceipts.push(`${record.hedgeId}: ${txHash} has no successful receipt`);
  }
  // Every record must have ended: a hedge still decided/ordered/submitted is units the
  // records and the chain do not agree on yet.
  for (const record of input.records) {
    if (!FINAL_STAGES.has(record.stage)) badReceipts.push(`${record.hedgeId}: still ${record.stage}`);
  }
  // The fills the records report must add up to what the chain holds, not only the position.
  const recordedUnits = confirmed.reduce((sum, record) => {
    const delta = record.steps.find((step) => step.stage === 'confirmed')?.data.baseDelta;
    return sum + (typeof delta === 'number' ? delta : Number.NaN);
  }, 0);
  const agrees = Math.abs(onChainUnits - input.storedHedgeUnits) <= TOLERANCE_UNITS && Math.abs(onChainUnits - recordedUnits) <= TOLERANCE_UNITS;
  return { reconciled: agrees && badReceipts.length === 0, onChainUnits, storedUnits: input.storedHedgeUnits, confirmedRecords: confirmed.length, badReceipts };
}
