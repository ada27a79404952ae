/**
 * Do one tenant's records agree with the chain? For each instrument it hedges with, three
 * figures must agree: what the chain holds for the tenant's signer, the hedge position the
 * confirmer stored, and the sum of the fills the confirmed records report.
 *
 *   spot    the signer's base-token (WETH) change since the stack funded it, `hedge-ETH`
 *   perp    the venue's position (readPosition on chain), `hedge-ETH-perp`
 *   option  per series: the option venue's position of that series, its option hedge
 *           position (every hedge option of the policy is checked, held or not)
 *
 * And every hedge record must have ended, and every confirmed one must name a transaction
 * whose receipt says success.
 */
import { formatUnits, type Address, type Hash } from 'viem';
import { testTokenAbi } from '../../shared/adapters/chain/artifacts/test-token.ts';
import type { OptionSeries, Venue } from '../../shared/app/venue-port.ts';
import type { LocalPublicClient } from '../chain/local-chain.ts';
import type { StoredHedgeRecordLike } from './hedge-view.ts';

/** One instrument's three figures. */
export interface HoldingCheck {
  readonly what: string;
  readonly onChain: number;
  readonly stored: number;
  /** Sum of the confirmed fills. */
  readonly recorded: number;
}

export interface TenantReconcileInput {
  readonly client: LocalPublicClient;
  readonly accountId: string;
  readonly signer: Address;
  readonly baseToken: Address;
  readonly baseDecimals: number;
  /** The signer's base balance (raw) before any hedge. */
  readonly startBaseBalance: bigint;
  /** The stored quantity of a position by id (0 when there is none). */
  readonly storedQuantity: (positionId: string) => number;
  readonly spotPositionId: string;
  /** The tenant's perp venue and its hedge position, when it has one. */
  readonly perp?: { readonly venue: Venue; readonly positionId: string };
  /** The tenant's option venue and the series to check (the policy's hedge options by id, and their position ids). */
  readonly options?: { readonly venue: Venue; readonly series: readonly { readonly id: string; readonly series: OptionSeries; readonly positionId: string }[] };
  readonly records: readonly StoredHedgeRecordLike[];
}

export interface TenantReconciliation {
  readonly accountId: string;
  readonly reconciled: boolean;
  readonly holdings: readonly HoldingCheck[];
  readonly confirmedRecords: number;
  /** Everything that does not agree, one line each (a holding, a receipt, a record not ended). */
  readonly problems: readonly string[];
}

const FINAL_STAGES: ReadonlySet<string> = new Set(['confirmed', 'failed', 'skipped']);

/** Float sums of 18-decimal amounts: agree to far better than a wei of any real trade. */
const TOLERANCE_UNITS = 1e-9;

type Confirmed = { readonly record: StoredHedgeRecordLike; readonly data: Record<string, unknown> };

/** The confirmed fills' sum for one instrument (and, for options, one hedge option id). */
function recordedUnits(confirmed: readonly Confirmed[], instrument: string, optionId?: string): number {
  return confirmed
    .filter(({ record, data }) => (data.instrument ?? 'spot') === instrument && (optionId === undefined || orderInstrumentId(record) === optionId))
    .reduce((sum, { data }) => sum + (typeof data.baseDelta === 'number' ? data.baseDelta : Number.NaN), 0);
}

function orderInstrumentId(record: StoredHedgeRecordLike): string | undefined {
  const instrument = (record.record.order as { instrument?: { id?: unknown } } | undefined)?.instrument;
  return typeof instrument?.id === 'string' ? instrument.id : undefined;
}

export async function reconcileTenant(input: TenantReconcileInput): Promise<TenantReconciliation> {
  const problems: string[] = [];
  const confirmed: Confirmed[] = input.records
    .filter((record) => record.stage === 'confirmed')
    .map((record) => ({ record, data: record.steps.find((step) => step.stage === 'confirmed')?.data ?? {} }));
  for (const { record, data } of confirmed) {
    if (typeof data.txHash !== 'string') {
      problems.push(`${record.hedgeId}: no transaction`);
      continue;
    }
    const receipt = await input.client.getTransactionReceipt({ hash: data.txHash as Hash }).catch(() => undefined);
    if (receipt?.status !== 'success') problems.push(`${record.hedgeId}: ${data.txHash} has no successful receipt`);
  }
  // A hedge still decided/ordered/submitted is units the records and the chain do not agree on yet.
  for (const record of input.records) if (!FINAL_STAGES.has(record.stage)) problems.push(`${record.hedgeId}: still ${record.stage}`);

  const holdings: HoldingCheck[] = [];
  const balance = await input.client.readContract({ address: input.baseToken, abi: testTokenAbi, functionName: 'balanceOf', args: [input.signer] });
  holdings.push({
    what: 'spot',
    onChain: Number(formatUnits(balance - input.startBaseBalance, input.baseDecimals)),
    stored: input.storedQuantity(input.spotPositionId),
    recorded: recordedUnits(confirmed, 'spot'),
  });
  if (input.perp !== undefined) {
    const held = await input.perp.venue.readPosition(input.signer);
    holdings.push({ what: `perp on ${input.perp.venue.id}`, onChain: held.quantity, stored: input.storedQuantity(input.perp.positionId), recorded: recordedUnits(confirmed, 'perp') });
  }
  for (const option of input.options?.series ?? []) {
    const held = await input.options!.venue.readPosition(input.signer, option.series);
    holdings.push({ what: `option ${option.id} on ${input.options!.venue.id}`, onChain: held.quantity, stored: input.storedQuantity(option.positionId), recorded: recordedUnits(confirmed, 'option', option.id) });
  }
  for (const h of holdings) {
    if (!(Math.abs(h.onChain - h.stored) <= TOLERANCE_UNITS && Math.abs(h.onChain - h.recorded) <= TOLERANCE_UNITS)) {
      problems.push(`${h.what}: on chain ${h.onChain}, stored ${h.stored}, confirmed fills ${h.recorded}`);
    }
  }
  return { accountId: input.accountId, reconciled: problems.length === 0, holdings, confirmedRecords: confirmed.length, problems };
}
