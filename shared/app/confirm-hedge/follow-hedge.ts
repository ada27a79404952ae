/**
 * The confirmer: follows a submitted hedge to its end. One call looks once and returns
 * what it saw; the handler calls it again later while it says 'pending'.
 *
 * - Any journaled transaction of the hedge mined (replacements share one nonce, so at most
 *   one can be): wait for the configured depth; reverted → Hedge Failed with the decoded
 *   reason; a cancel mined → Hedge Failed (cancelled); the swap mined → ONE transaction
 *   of the record (confirmed), the hedge position (+ executed amount from the pool's
 *   Swap log) and the failure streak reset, then Hedge Confirmed. A margin deposit mined
 *   (a top-up between trades) → confirmed with what it deposited, the position unchanged.
 * - None mined, and the chain's nonce moved past ours → something else used the nonce:
 *   the hedge did not execute (failed, NONCE_CONSUMED).
 * - None mined after `replaceAfterMs` → replace at the same nonce with both fees raised by
 *   `feeBumpPct` (≥ 10%), capped; after `maxReplacements`, when the caps leave no room, or
 *   when the swap's deadline passed → a cancel: a zero-value transfer to self at the same
 *   nonce, whose fees may exceed the caps (a cancel must always be possible), itself
 *   re-priced while it is not mined. Every replacement is journaled before it is
 *   broadcast, conditional on the journal length the confirmer saw. Replacements are
 *   signed by the journaled signer reference and decoded with the journaled venue: a
 *   configuration changed since never changes how a sent transaction is followed.
 */
import { encodeEvent } from '../../contracts/events/encode-event.ts';
import type { EventDetail } from '../../contracts/events/event-definitions.ts';
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';
import type { ExecutionConfig, SignerRef, VenueConfig } from '../../contracts/execution-config.ts';
import type { RuntimeConfig } from '../../contracts/account-config.ts';
import { bumpFees, gweiToWei, type Fees } from '../../domain/dispatch/fees.ts';
import { hedgePositionId, optionHedgePositionId } from '../evaluate/evaluate-account.ts';
import type { ChainGateway, ChainReceipt, TransactionSigner } from '../execution-ports.ts';
import type { Venue } from '../venue-port.ts';
import type { DispatchLimits, HedgeJournal, HedgePositionChange, HedgeRef, HedgeView, JournaledTransaction } from '../hedge-journal-ports.ts';
import { TERMINAL_STAGES } from '../hedge-journal-ports.ts';
import { endHedgeWithoutTrade, recordSubmitted, venueLabel, type FailureContext, type OutcomeDeps } from '../dispatch/hedge-outcomes.ts';
import { minedTransaction } from '../mined-transaction.ts';
import { signForJournal } from '../sign-for-journal.ts';
import { NO_TELEMETRY, type Telemetry } from '../telemetry.ts';

export interface FollowHedgeDeps {
  readonly configs: { getConfig(accountId: string): Promise<{ readonly config: RuntimeConfig } | undefined> };
  readonly accounts: OutcomeDeps['accounts'];
  readonly journal: HedgeJournal;
  readonly limits: DispatchLimits;
  readonly gateways: (chainId: number) => ChainGateway | undefined;
  readonly venues: (venue: VenueConfig, chainId: number) => Venue;
  readonly signers: (ref: SignerRef) => Promise<TransactionSigner>;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
  /** Confirmations, failures, slippage against the quote, gas, submit-to-confirm latency (shared/contracts/metrics.ts). Default: none. */
  readonly telemetry?: Telemetry;
}

export type FollowOutcome =
  | { readonly status: 'pending'; readonly reason: 'not-mined' | 'confirmations' | 'replaced' | 'cancel-sent' | 'nonce-used-no-receipt'; readonly txHash: string }
  | { readonly status: 'confirmed'; readonly txHash: string; readonly baseDelta: number; readonly priceUsd: number }
  | { readonly status: 'failed'; readonly code: string; readonly message: string }
  | { readonly status: 'already-final'; readonly stage: string }
  | { readonly status: 'unknown-hedge' };

const NO_CAPS = undefined;

/**
 * How long after its transaction was signed a used nonce without a receipt of ours is
 * taken as someone else's transaction: long enough for any node of a pool to have caught
 * up with a block (seconds), short enough to free the lane soon after a real collision.
 */
export const NONCE_CONSUMED_AFTER_MS = 30_000;

/**
 * @example
 * let outcome = await followHedge(deps, submitted);
 * while (outcome.status === 'pending') { await sleep(2000); outcome = await followHedge(deps, submitted); }
 */
export async function followHedge(deps: FollowHedgeDeps, submitted: EventDetail<'Hedge Submitted'>): Promise<FollowOutcome> {
  const ref: HedgeRef = { accountId: submitted.accountId, hedgeId: submitted.hedgeId, at: new Date(submitted.decidedAt) };
  const view = await deps.journal.get(ref);
  if (view === undefined) return { status: 'unknown-hedge' };
  if (TERMINAL_STAGES.has(view.stage)) return { status: 'already-final', stage: view.stage };
  const latest = view.transactions[view.transactions.length - 1];
  if (latest === undefined) return { status: 'unknown-hedge' };
  const gateway = deps.gateways(latest.chainId);
  if (gateway === undefined) throw new Error(`no RPC endpoint is configured for chain ${latest.chainId}`);
  const config = (await deps.configs.getConfig(ref.accountId))?.config;
  const execution = config?.execution;
  const underlying = String(view.record.underlying ?? config?.underlying ?? 'unknown');
  const context: FailureContext = {
    decisionId: submitted.decisionId,
    underlying,
    maxConsecutiveFailures: execution?.maxConsecutiveFailures,
    correlationId: submitted.correlationId,
    venue: latest.venue?.kind,
  };

  const mined = await minedTransaction(gateway, view.transactions);
  if (mined !== undefined) {
    const depth = execution?.confirmations ?? 1;
    const confirmations = (await gateway.blockNumber()) - mined.receipt.blockNumber + 1;
    if (confirmations < depth) return { status: 'pending', reason: 'confirmations', txHash: mined.tx.hash };
    return settle(deps, ref, view, mined.tx, mined.receipt, gateway, execution, { ...context, venue: mined.tx.venue?.kind ?? context.venue }, underlying);
  }

  const { latest: minedCount } = await gateway.nonces(latest.from);
  if (minedCount > latest.nonce) {
    // The nonce is used. Ours may have been mined between the receipt reads above and the
    // count, or be a replacement another confirmer journaled since we read: read the
    // journal again and look at every transaction in it before concluding that another
    // transaction took the nonce.
    const fresh = (await deps.journal.get(ref)) ?? view;
    if (TERMINAL_STAGES.has(fresh.stage)) return { status: 'already-final', stage: fresh.stage };
    const minedSince = await minedTransaction(gateway, fresh.transactions);
    if (minedSince !== undefined) return { status: 'pending', reason: 'confirmations', txHash: minedSince.tx.hash };
    // A node behind a load balancer can count the nonce used before it (or its peer) has
    // the receipt of our own transaction: a hedge that did execute would be called lost.
    // Only a nonce used with no receipt of ours for NONCE_CONSUMED_AFTER_MS is conclusive.
    const newest = fresh.transactions[fresh.transactions.length - 1] ?? latest;
    if (deps.now().getTime() - Date.parse(newest.signedAt) < NONCE_CONSUMED_AFTER_MS) return { status: 'pending', reason: 'nonce-used-no-receipt', txHash: newest.hash };
    return failed(deps, ref, context, 'receipt', 'NONCE_CONSUMED', `Nonce ${latest.nonce} of ${latest.from} was used by a transaction outside this hedge; the hedge was not executed.`, latest.hash);
  }
  // Not mined: broadcast the latest again (same bytes; 'known' if the node has it). This
  // heals a replacement journaled but never sent, and a transaction a node dropped.
  await gateway.broadcast(latest.raw);
  const ageMs = deps.now().getTime() - Date.parse(latest.signedAt);
  if (execution === undefined || ageMs < execution.replaceAfterMs) {
    return { status: 'pending', reason: 'not-mined', txHash: latest.hash };
  }
  return replace(deps, ref, view, latest, gateway, execution, context);
}

async function settle(
  deps: FollowHedgeDeps,
  ref: HedgeRef,
  view: HedgeView,
  tx: JournaledTransaction,
  receipt: ChainReceipt,
  gateway: ChainGateway,
  execution: ExecutionConfig | undefined,
  context: FailureContext,
  underlying: string,
): Promise<FollowOutcome> {
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  // Gas is spent by whatever was mined, a revert and a cancel too; counted once the hedge's end is recorded (a retry counts nothing twice).
  const gasSpent = <T>(outcome: T): T => {
    const venue = venueLabel(context.venue);
    telemetry.metric('GasUsed', Number(receipt.gasUsed), { Venue: venue });
    telemetry.metric('GasFee', Number(receipt.gasUsed * receipt.effectiveGasPrice) / 1e18, { Venue: venue });
    return outcome;
  };
  if (receipt.status === 'reverted') {
    const reason = await gateway.revertReason(receipt, { to: tx.to, data: tx.data, value: BigInt(tx.value) });
    return gasSpent(await failed(deps, ref, context, 'receipt', 'REVERTED', `The swap reverted on chain: ${reason}`, tx.hash));
  }
  if (tx.purpose === 'cancel') {
    return gasSpent(await failed(deps, ref, context, 'receipt', 'CANCELLED', `The hedge was cancelled: transaction ${tx.hash} took its nonce after it was not mined in time.`, tx.hash));
  }
  if (tx.purpose === 'margin-deposit') return gasSpent(await settleMarginDeposit(deps, ref, tx, receipt, context, underlying));
  // The venue the swap was built for (journaled), not today's configuration.
  // Journals written before venues were listed have no venue: the account's first Uniswap V3 venue was then its only venue.
  const venueConfig = tx.venue ?? execution?.venues.find((candidate) => candidate.kind === 'uniswap-v3');
  if (venueConfig === undefined) throw new Error(`hedge ${ref.hedgeId} was mined but neither its journal nor the account names a venue to decode it with`);
  const adapter = deps.venues(venueConfig, tx.chainId);
  const fill = adapter.decodeFill(receipt.logs, tx.from);
  if (fill === undefined) {
    return gasSpent(await failed(deps, ref, context, 'receipt', 'NO_FILL_LOG', `Transaction ${tx.hash} succeeded but carries no fill of venue ${adapter.id} for the signer: nothing was executed.`, tx.hash));
  }
  const at = deps.now();
  const data = {
    ...receiptData(tx, receipt),
    venueId: adapter.id,
    instrument: adapter.instrument,
    baseDelta: fill.quantity,
    quoteDelta: fill.cashUsd,
    priceUsd: fill.priceUsd,
    ...(fill.feesUsd === undefined ? {} : { feesUsd: fill.feesUsd }),
    ...(fill.legs === undefined ? {} : { legs: fill.legs }),
    ...(fill.fundingUsd === undefined ? {} : { fundingUsd: fill.fundingUsd }),
  };
  await endConfirmed(deps, ref, context, tx, receipt, at, data, positionChangeOf(adapter.instrument, underlying, fill.quantity, tx, ref), {
    baseDelta: fill.quantity,
    quoteDelta: fill.cashUsd,
    priceUsd: fill.priceUsd,
    ...(fill.fundingUsd === undefined ? {} : { fundingUsd: fill.fundingUsd }),
  });
  const confirmedVenue = venueLabel(venueConfig.kind);
  gasSpent(undefined);
  telemetry.metric('HedgesConfirmed', 1, { Venue: confirmedVenue });
  const firstSent = view.transactions[0]?.signedAt;
  if (firstSent !== undefined) telemetry.metric('SubmitToConfirm', Math.max(0, at.getTime() - Date.parse(firstSent)), {});
  const slippageBps = slippageVsQuoteBps(fill.quantity, fill.priceUsd, tx.quotedPriceUsd);
  if (slippageBps !== undefined) telemetry.metric('SlippageVsQuote', slippageBps, { Venue: confirmedVenue });
  telemetry.info('hedge confirmed', { txHash: tx.hash, blockNumber: receipt.blockNumber, venue: confirmedVenue, baseDelta: fill.quantity, priceUsd: fill.priceUsd, ...(slippageBps === undefined ? {} : { slippageBps }) });
  return { status: 'confirmed', txHash: tx.hash, baseDelta: fill.quantity, priceUsd: fill.priceUsd };
}

/** What every confirmed record keeps of its receipt. */
const receiptData = (tx: JournaledTransaction, receipt: ChainReceipt) => ({
  txHash: tx.hash,
  blockNumber: receipt.blockNumber,
  gasUsed: receipt.gasUsed.toString(),
  effectiveGasPrice: receipt.effectiveGasPrice.toString(),
});

/** What a Hedge Confirmed says was traded (or deposited). */
type ConfirmedTrade = Pick<EventDetail<'Hedge Confirmed'>, 'baseDelta' | 'quoteDelta' | 'priceUsd' | 'fundingUsd' | 'marginDepositUsd'>;

/** Ends the hedge confirmed (record, position change and in-flight entry in one write), then publishes Hedge Confirmed. */
async function endConfirmed(
  deps: FollowHedgeDeps,
  ref: HedgeRef,
  context: FailureContext,
  tx: JournaledTransaction,
  receipt: ChainReceipt,
  at: Date,
  data: Record<string, unknown>,
  position: HedgePositionChange,
  traded: ConfirmedTrade,
): Promise<void> {
  await deps.journal.confirm(ref, { stage: 'confirmed', key: `confirmed:${tx.hash}`, at, data }, position);
  await deps.publisher.publish([
    encodeEvent('Hedge Confirmed', {
      accountId: ref.accountId,
      occurredAt: at.toISOString(),
      correlationId: context.correlationId,
      hedgeId: ref.hedgeId,
      decidedAt: ref.at.toISOString(),
      chainId: tx.chainId,
      txHash: tx.hash,
      blockNumber: receipt.blockNumber,
      gasUsed: Number(receipt.gasUsed),
      ...traded,
    }),
  ]);
}

/**
 * A margin top-up mined: no fill and no change of the position (quantity + 0, in the same
 * transaction that ends the record and its in-flight entry); the record and Hedge
 * Confirmed say what was deposited (`marginDepositUsd`) and the margin ratio it reached.
 */
async function settleMarginDeposit(
  deps: FollowHedgeDeps,
  ref: HedgeRef,
  tx: JournaledTransaction,
  receipt: ChainReceipt,
  context: FailureContext,
  underlying: string,
): Promise<FollowOutcome> {
  const at = deps.now();
  const venue = tx.venue === undefined ? undefined : deps.venues(tx.venue, tx.chainId);
  const margin = venue === undefined ? undefined : (await venue.readPosition(tx.from)).margin;
  const depositUsd = tx.marginDepositUsd ?? 0;
  const data = {
    ...receiptData(tx, receipt),
    ...(venue === undefined ? {} : { venueId: venue.id, instrument: venue.instrument }),
    kind: 'margin-top-up',
    marginDepositUsd: depositUsd,
    baseDelta: 0,
    quoteDelta: 0,
    ...(margin === undefined || !Number.isFinite(margin.marginRatio) ? {} : { marginRatioAfter: margin.marginRatio }),
  };
  const unchanged: HedgePositionChange = { positionId: hedgePositionId(underlying, 'perp'), underlying, kind: 'perp', quantityDelta: 0 };
  await endConfirmed(deps, ref, context, tx, receipt, at, data, unchanged, { baseDelta: 0, quoteDelta: 0, priceUsd: 0, ...(depositUsd > 0 ? { marginDepositUsd: depositUsd } : {}) });
  (deps.telemetry ?? NO_TELEMETRY).info('margin top-up confirmed', { txHash: tx.hash, blockNumber: receipt.blockNumber, marginDepositUsd: depositUsd });
  return { status: 'confirmed', txHash: tx.hash, baseDelta: 0, priceUsd: 0 };
}

/**
 * The fill's price against the quote the trade was built on, in basis points, signed so
 * that positive is worse for us: paid more on a buy (quantity > 0), received less on a
 * sell. Undefined without a quote (journals written before it was recorded) or a price.
 *
 * @example slippageVsQuoteBps(2, 2001, 2000) // 5
 */
export function slippageVsQuoteBps(quantity: number, fillPriceUsd: number, quotedPriceUsd: number | undefined): number | undefined {
  if (quotedPriceUsd === undefined || !(quotedPriceUsd > 0) || !Number.isFinite(fillPriceUsd) || quantity === 0) return undefined;
  const worse = quantity > 0 ? fillPriceUsd - quotedPriceUsd : quotedPriceUsd - fillPriceUsd;
  return (worse / quotedPriceUsd) * 10_000;
}

async function replace(
  deps: FollowHedgeDeps,
  ref: HedgeRef,
  view: HedgeView,
  latest: JournaledTransaction,
  gateway: ChainGateway,
  execution: ExecutionConfig,
  context: FailureContext,
): Promise<FollowOutcome> {
  const previous: Fees = { maxFeePerGas: BigInt(latest.maxFeePerGas), maxPriorityFeePerGas: BigInt(latest.maxPriorityFeePerGas) };
  const caps = { maxFeePerGas: gweiToWei(execution.maxFeePerGasGwei), maxPriorityFeePerGas: gweiToWei(execution.maxPriorityFeePerGasGwei) };
  const replacements = view.transactions.length - 1;
  // A swap past its deadline can only revert: cancel it. A cancel is re-priced (uncapped)
  // until it is mined: a cancel stuck under a rising base fee would hold the whole lane.
  const deadlinePassed = latest.deadlineSec !== undefined && deps.now().getTime() / 1000 >= Number(latest.deadlineSec);
  const mayReplaceSwap = latest.purpose !== 'cancel' && !deadlinePassed && replacements < execution.maxReplacements;
  const bumped = mayReplaceSwap ? bumpFees(previous, execution.feeBumpPct, caps) : undefined;
  const cancel = bumped === undefined;
  const fees = bumped ?? bumpFees(previous, execution.feeBumpPct, NO_CAPS)!;
  // The signer the transaction was signed with (journaled); a key rotated since must not
  // sign at the old key's nonce: then the transaction is only followed, never replaced.
  const signer = await deps.signers(latest.signer ?? execution.signer);
  if (signer.address.toLowerCase() !== latest.from.toLowerCase()) return { status: 'pending', reason: 'not-mined', txHash: latest.hash };
  const call = cancel ? { to: latest.from, data: '0x' as const, value: 0n } : { to: latest.to, data: latest.data, value: BigInt(latest.value) };
  const gas = cancel ? 21_000n : BigInt(latest.gas);
  const transaction = await signForJournal(signer, { ...call, chainId: latest.chainId, nonce: latest.nonce, gas, ...fees }, cancel ? 'cancel' : latest.purpose, deps.now(), {
    ...(latest.venue === undefined ? {} : { venue: latest.venue }),
    ...(latest.signer === undefined ? {} : { signer: latest.signer }),
    ...(cancel || latest.deadlineSec === undefined ? {} : { deadlineSec: latest.deadlineSec }),
    ...(latest.series === undefined ? {} : { series: latest.series }),
    ...(cancel || latest.quotedPriceUsd === undefined ? {} : { quotedPriceUsd: latest.quotedPriceUsd }),
    ...(cancel || latest.marginDepositUsd === undefined ? {} : { marginDepositUsd: latest.marginDepositUsd }),
  });
  if ((await deps.journal.journalReplacement(ref, transaction, view.transactions.length)) === 'lost') {
    return { status: 'pending', reason: 'not-mined', txHash: latest.hash }; // another confirmer replaced it first
  }
  const answer = await gateway.broadcast(transaction.raw);
  // 'nonce-too-low' here means one of the earlier transactions was just mined: the next look settles it.
  if (answer.status === 'accepted' || answer.status === 'known') {
    await recordSubmitted(deps, ref, transaction, { decisionId: String(view.record.decisionId ?? ref.hedgeId), correlationId: context.correlationId }, { replaces: latest.hash });
  }
  (deps.telemetry ?? NO_TELEMETRY).info(cancel ? 'stuck hedge: cancel sent' : 'stuck hedge: replaced with higher fees', { txHash: transaction.hash, replaces: latest.hash, nonce: latest.nonce, broadcast: answer.status });
  return { status: 'pending', reason: cancel ? 'cancel-sent' : 'replaced', txHash: transaction.hash };
}

async function failed(
  deps: FollowHedgeDeps,
  ref: HedgeRef,
  context: FailureContext,
  stage: 'receipt',
  code: string,
  message: string,
  txHash: string,
): Promise<FollowOutcome> {
  await endHedgeWithoutTrade(deps, ref, { stage, code, message, txHash }, context);
  return { status: 'failed', code, message };
}

/**
 * The book position a fill adds to: the hedge's spot or perp position, or — for an option
 * — the position of its series (written here, in the transaction that ends the hedge and
 * its in-flight entry, so the book never misses the option between its fill and a later
 * read of the venue).
 */
function positionChangeOf(instrument: 'spot' | 'perp' | 'option', underlying: string, quantityDelta: number, tx: JournaledTransaction, ref: HedgeRef): HedgePositionChange {
  if (instrument !== 'option') return { positionId: hedgePositionId(underlying, instrument), underlying, kind: instrument, quantityDelta };
  if (tx.series === undefined) throw new Error(`hedge ${ref.hedgeId}: an option fill whose journal names no series`);
  return { positionId: optionHedgePositionId(underlying, tx.series), underlying, kind: 'option', series: tx.series, quantityDelta };
}
