/**
 * The dispatcher: one Hedge Requested → at most one swap transaction per order, whatever
 * is redelivered, retried or crashed.
 *
 * Per order (hedge id = decision id + the order's position; its record was written by the evaluator):
 * 1. Terminal record → duplicate, nothing to do. A journaled transaction → resume: the
 *    SAME signed bytes are broadcast again (same hash, same nonce) and Hedge Submitted is
 *    published again (same event id). Nothing new is ever signed for a journaled hedge.
 * 2. Claim the record (a lease): of concurrent deliveries one proceeds; the others stop
 *    with HedgeBusyError (retryable: their redelivery finds the journal and resumes).
 * 3. Guards, each recorded and emitted when it trips: kill switches, dry-run, allow-list,
 *    oracle (staleness, answer), oracle vs pool, per-trade cap, quote slippage, fee caps.
 * 4. Quote; reserve the day's notional (atomic against the cap); approval when the
 *    allowance is short (its own transaction, waited for); simulate (eth_call + gas
 *    estimate): a failure means nothing is sent and the reservation is given back.
 * 5. Allocate the nonce (reconciled with the chain), sign, JOURNAL (decided → ordered,
 *    only while our claim holds), and only then broadcast; then the record → submitted
 *    and Hedge Submitted.
 * A request that carries `marginTopUp` also gets its own record (after the orders'),
 * handed to topUpMargin (top-up-margin.ts): a collateral deposit, journaled the same way.
 * Transport failures (ChainUnavailableError) and store errors propagate: the message is
 * redelivered, and step 1 makes the retry safe.
 */
import { hedgeIdOf } from '../../contracts/events/event-id.ts';
import type { EventDetail } from '../../contracts/events/event-definitions.ts';
import type { EventPublisher } from '../../contracts/events/event-publisher.ts';
import type { RuntimeConfig } from '../../contracts/account-config.ts';
import { venuesFor, type ExecutionConfig, type SignerRef, type VenueConfig } from '../../contracts/execution-config.ts';
import { checkMarket, checkOptionPremium, checkPreTrade, checkQuoteSlippage, remainingSlippageBps, type GuardVerdict } from '../../domain/dispatch/dispatch-guards.ts';
import { gweiToWei, planFees } from '../../domain/dispatch/fees.ts';
import { checkOracleReading } from '../../domain/market/oracle-checks.ts';
import type { HedgeOrder } from '../../domain/policy/policy-types.ts';
import { QuoteRejectedError } from '../execution-ports.ts';
import type { Address, ChainGateway, ContractCall, MarketReader, TransactionSigner } from '../execution-ports.ts';
import type { Venue, VenueOrder, VenueQuote } from '../venue-port.ts';
import type { DispatchLimits, HedgeJournal, HedgeRef, HedgeView, JournaledTransaction } from '../hedge-journal-ports.ts';
import { TERMINAL_STAGES } from '../hedge-journal-ports.ts';
import { executionFingerprint } from '../execution-fingerprint.ts';
import { minedTransaction } from '../mined-transaction.ts';
import { signForJournal } from '../sign-for-journal.ts';
import { NO_TELEMETRY, withKeys, type Telemetry } from '../telemetry.ts';
import { allocateReconciledNonce, type NonceCounter } from './allocate-nonce.ts';
import { topUpMargin } from './top-up-margin.ts';
import { endHedgeWithoutTrade, recordSubmitted, venueLabel, type FailureContext, type HedgeFailure, type OutcomeDeps } from './hedge-outcomes.ts';

export interface ChainAccess {
  readonly gateway: ChainGateway;
  readonly market: MarketReader;
}

export interface DispatchDeps {
  readonly configs: { getConfig(accountId: string): Promise<{ readonly config: RuntimeConfig } | undefined> };
  readonly accounts: OutcomeDeps['accounts'] & { getAccount(accountId: string): Promise<{ readonly status: 'active' | 'paused' } | undefined> };
  readonly journal: HedgeJournal;
  readonly limits: DispatchLimits;
  readonly nonces: NonceCounter;
  readonly chains: (chainId: number) => ChainAccess | undefined;
  readonly venues: (venue: VenueConfig, chainId: number) => Venue;
  readonly signers: (ref: SignerRef) => Promise<TransactionSigner>;
  /** The contracts this deployment may send transactions to, per chain (any case). */
  readonly allowedContracts: (chainId: number) => readonly string[];
  readonly publisher: EventPublisher;
  readonly now: () => Date;
  /** Identifies this invocation in claims (e.g. the Lambda request id). */
  readonly owner: string;
  /** How long a claim holds before another dispatcher may take the hedge over. Default 120 s. */
  readonly claimLeaseMs?: number;
  /** Waiting for an approval's receipt. Defaults: 60 s, polling every 500 ms. */
  readonly approvalWait?: { readonly timeoutMs: number; readonly pollMs: number; readonly sleep?: (ms: number) => Promise<void> };
  /** Hedges submitted, guard trips, failures, price-move-to-submit latency (shared/contracts/metrics.ts). Default: none. */
  readonly telemetry?: Telemetry;
}

/** What dispatch carries per order besides the failure context: when the price the decision acted on was published. */
interface DispatchContext extends FailureContext {
  readonly priceObservedAt?: string | undefined;
}

export type OrderOutcome =
  | { readonly hedgeId: string; readonly status: 'submitted' | 'resubmitted'; readonly txHash: string; readonly nonce: number }
  | { readonly hedgeId: string; readonly status: 'duplicate'; readonly stage: string }
  | { readonly hedgeId: string; readonly status: 'skipped' | 'failed'; readonly code: string; readonly message: string }
  | { readonly hedgeId: string; readonly status: 'unknown-hedge' | 'claim-lost' };

/** Another dispatcher holds the hedge: retry later (its journal will be there, or its lease expired). */
export class HedgeBusyError extends Error {
  readonly retryable = true;
  constructor(hedgeId: string, owner: string, untilMs: number) {
    super(`hedge ${hedgeId} is being dispatched by ${owner} until ${new Date(untilMs).toISOString()}`);
    this.name = 'HedgeBusyError';
  }
}

/** The transaction is journaled but the node refused it for now (gap, or a pending one at its nonce): retry later. */
export class BroadcastDeferredError extends Error {
  readonly retryable = true;
  constructor(hedgeId: string, status: string) {
    super(`hedge ${hedgeId}: the node answered ${status}; the journaled transaction will be broadcast again`);
    this.name = 'BroadcastDeferredError';
  }
}

/** The signer has transactions not mined yet: the hedge waits for them (retry later; nothing was signed). */
export class LaneBusyError extends Error {
  readonly retryable = true;
  constructor(hedgeId: string, signer: string, pending: number) {
    super(`hedge ${hedgeId} waits: ${pending} transaction(s) of ${signer} not mined yet`);
    this.name = 'LaneBusyError';
  }
}

export class ApprovalPendingError extends Error {
  readonly retryable = true;
  constructor(hash: string) {
    super(`the trade's prerequisite ${hash} (an approval or a deposit) was not mined in time; the hedge will be dispatched again`);
    this.name = 'ApprovalPendingError';
  }
}

export const DEFAULT_LEASE_MS = 120_000;
/**
 * Gas limit headroom over the estimate: state can move between estimate and inclusion, and
 * some venues' gas depends on the block's timestamp (Uniswap's oracle observations,
 * Lyra's Black-Scholes and GWAV, Perp's TWAP and funding): 30 % was needed in their tests.
 */
export const GAS_HEADROOM_PCT = 30n;

/**
 * @example
 * const outcomes = await dispatchHedge(deps, decodeEventOf('Hedge Requested', event));
 */
export async function dispatchHedge(deps: DispatchDeps, request: EventDetail<'Hedge Requested'>): Promise<OrderOutcome[]> {
  const outcomes: OrderOutcome[] = [];
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  for (const [index, order] of request.orders.entries()) {
    const ref: HedgeRef = { accountId: request.accountId, hedgeId: hedgeIdOf(request.decisionId, index), at: new Date(request.occurredAt) };
    const decision = { decisionId: request.decisionId, underlying: request.underlying, correlationId: request.correlationId, maxSlippageBps: request.maxSlippageBps };
    outcomes.push(await withKeys(telemetry, { hedgeId: ref.hedgeId }, () => dispatchOrder(deps, ref, order, decision)));
  }
  const topUp = request.marginTopUp;
  if (topUp !== undefined) {
    // A margin top-up between trades: its own record, after the orders' (see top-up-margin.ts).
    const ref: HedgeRef = { accountId: request.accountId, hedgeId: hedgeIdOf(request.decisionId, request.orders.length), at: new Date(request.occurredAt) };
    const context = { decisionId: request.decisionId, underlying: request.underlying, correlationId: request.correlationId, maxConsecutiveFailures: undefined };
    outcomes.push(await withKeys(telemetry, { hedgeId: ref.hedgeId }, () => topUpMargin(deps, ref, topUp, context)));
  }
  return outcomes;
}

async function dispatchOrder(
  deps: DispatchDeps,
  ref: HedgeRef,
  order: HedgeOrder,
  requested: { decisionId: string; underlying: string; correlationId: string | undefined; maxSlippageBps: number | undefined },
): Promise<OrderOutcome> {
  const { hedgeId } = ref;
  const { maxSlippageBps: requestedSlippageBps, ...decision } = requested;
  let view = await deps.journal.get(ref);
  if (view === undefined) return { hedgeId, status: 'unknown-hedge' };
  if (TERMINAL_STAGES.has(view.stage)) return { hedgeId, status: 'duplicate', stage: view.stage };
  const versioned = await deps.configs.getConfig(ref.accountId);
  const configured = versioned?.config.execution;
  // A decision may ask for a tighter slippage limit than the account's (the crash breaker's slices plan), never a wider one.
  const execution =
    configured === undefined || requestedSlippageBps === undefined ? configured : { ...configured, maxSlippageBps: Math.min(configured.maxSlippageBps, requestedSlippageBps) };
  const market = versioned?.config.market;
  const priceObservedAt = typeof view.record.oracleUpdatedAt === 'string' ? view.record.oracleUpdatedAt : undefined;
  const context: DispatchContext = { ...decision, maxConsecutiveFailures: execution?.maxConsecutiveFailures, priceObservedAt };

  const claimed = await claimBeforeFirstSend(deps, ref, view, execution === undefined || market === undefined ? undefined : { execution, chainId: market.chainId });
  if ('outcome' in claimed) return claimed.outcome;
  view = claimed.view;
  if (view.transactions.length > 0) {
    // The chain the transaction was signed for, whatever the configuration says today.
    const journaled = view.transactions[view.transactions.length - 1]!;
    return resume(deps, ref, view, requireChain(deps, journaled.chainId).gateway, { ...context, venue: journaled.venue?.kind });
  }
  if (execution === undefined || market === undefined) {
    return skip(deps, ref, { ok: false, code: 'EXECUTION_NOT_CONFIGURED', message: 'The account has no execution block any more: nothing is sent.' }, context);
  }
  const decidedUnder = view.record.executionFingerprint;
  if (typeof decidedUnder === 'string' && decidedUnder !== executionFingerprint(versioned!.config)) {
    return skip(
      deps,
      ref,
      { ok: false, code: 'CONFIG_CHANGED', message: 'The underlying, chain, venue or signer changed since the decision: nothing is sent; the next evaluation decides again.' },
      context,
    );
  }
  return sendNew(deps, ref, order, versioned!.config, execution, market.chainId, context);
}

async function sendNew(
  deps: DispatchDeps,
  ref: HedgeRef,
  order: HedgeOrder,
  config: RuntimeConfig,
  execution: ExecutionConfig,
  chainId: number,
  decidedContext: DispatchContext,
): Promise<OrderOutcome> {
  const market = config.market!;
  let context = decidedContext;
  const [account, killSwitch] = await Promise.all([deps.accounts.getAccount(ref.accountId), deps.limits.globalKillSwitch()]);
  // An order goes only to a venue that trades its instrument (the config API refuses a policy without one; the config may still have changed since the decision).
  const venueConfig = venuesFor(execution.venues, order.instrument.kind)[0];
  if (venueConfig === undefined) {
    return skip(deps, ref, { ok: false, code: 'NO_VENUE_FOR_INSTRUMENT', message: `No venue of the account trades ${order.instrument.kind}: nothing is sent.` }, context);
  }
  context = { ...context, venue: venueConfig.kind };
  const venueOrder = venueOrderOf(order, config);
  if (!venueOrder.ok) return skip(deps, ref, venueOrder, context);
  const venue = deps.venues(venueConfig, chainId);
  const pre = checkPreTrade({
    globalKillSwitch: killSwitch,
    accountStatus: account?.status ?? 'paused',
    dryRun: config.guards.dryRun,
    executionConfigured: true,
    contracts: venue.contracts,
    allowedContracts: deps.allowedContracts(chainId),
  });
  if (!pre.ok) return skip(deps, ref, pre, context);

  const chain = requireChain(deps, chainId);
  const nowMs = deps.now().getTime();
  const [reading, chainTimeMs] = await Promise.all([chain.market.readOracle(market.oracle.address as Address), chain.market.latestBlockTimeMs()]);
  const judgedAt = Math.max(nowMs, chainTimeMs);
  const oracle = checkOracleReading(reading, judgedAt, market.oracle.maxStalenessMs);
  if (!oracle.ok) return skip(deps, ref, { ok: false, code: oracle.code, message: `${oracle.message} Nothing is sent.` }, context);

  const signer = await deps.signers(execution.signer);
  const fees = await chain.gateway.fees();
  const plan = planFees(fees.baseFeePerGas, fees.maxPriorityFeePerGas, {
    maxFeePerGas: gweiToWei(execution.maxFeePerGasGwei),
    maxPriorityFeePerGas: gweiToWei(execution.maxPriorityFeePerGasGwei),
  });
  if (!plan.ok) return skip(deps, ref, plan, context);
  // What a unit of gas costs in USD, for venues that weigh a leg's gas: the expected fee at
  // the oracle's price (the underlying is taken to be the chain's gas token, as ETH is).
  const gasUsdPerUnit = (Number(fees.baseFeePerGas + plan.maxPriorityFeePerGas) / 1e18) * oracle.price;
  let quote: VenueQuote;
  try {
    quote = await venue.quote({ ...venueOrder.order, gasUsdPerUnit });
  } catch (error) {
    // Only the venue's refusal is an answer; a node or transport error says nothing about the trade: retried.
    if (!(error instanceof QuoteRejectedError)) throw error;
    return fail(deps, ref, { stage: 'quote', code: 'QUOTE_FAILED', message: `The venue could not quote the trade: ${messageOf(error)}` }, context);
  }
  // A venue at a cap (liquidity, open interest) fills part: a partial hedge; the rest is decided again.
  const quantity = Math.min(quote.fillableQuantity, order.quantity);
  if (!(quantity > 0)) return skip(deps, ref, { ok: false, code: 'VENUE_CAPACITY', message: `Venue ${venue.id} can take none of the order now: nothing is sent.` }, context);
  const isOption = order.instrument.kind === 'option';
  // Notional is what moves: the underlying at the oracle, or the premium of an option.
  const notionalUsd = isOption ? quantity * quote.priceUsd : quantity * oracle.price;
  const marketVerdict = checkMarket({
    oraclePrice: oracle.price,
    ...(quote.referencePriceUsd === undefined ? {} : { poolPrice: quote.referencePriceUsd }),
    maxPoolDeviationBps: market.oracle.maxPoolDeviationBps,
    tradeNotionalUsd: notionalUsd,
    maxTradeNotionalUsd: execution.maxTradeNotionalUsd,
  });
  if (!marketVerdict.ok) return skip(deps, ref, marketVerdict, context);
  const priceVerdict = isOption
    ? checkOptionPremium(order.side, quote.priceUsd, order.notionalUsd / order.quantity, execution.maxOptionPremiumMarkupBps)
    : checkQuoteSlippage(order.side, quote.priceUsd, oracle.price, execution.maxSlippageBps);
  if (!priceVerdict.ok) return skip(deps, ref, priceVerdict, context);
  const venueVerdict = await venue.checkTrade(quote, signer.address);
  if (!venueVerdict.ok) return skip(deps, ref, venueVerdict, context);
  const built = await venue.buildTrade(quote, {
    account: signer.address,
    // The trade's own limit gets only what the quote left of the slippage budget against the oracle (options: against the quote).
    slippageBps: isOption ? execution.maxSlippageBps : remainingSlippageBps(order.side, quote.priceUsd, oracle.price, execution.maxSlippageBps),
    deadlineSec: BigInt(Math.floor(judgedAt / 1000) + execution.deadlineSeconds),
  });

  // The decision's UTC day: a retry after midnight reserves (and releases) on the same day's item.
  const utcDay = ref.at.toISOString().slice(0, 10);
  const reservation = await deps.limits.reserveDailyNotional(ref.accountId, utcDay, ref.hedgeId, notionalUsd, execution.maxDailyNotionalUsd);
  if (reservation.status === 'cap-exceeded') {
    return skip(
      deps,
      ref,
      {
        ok: false,
        code: 'DAILY_NOTIONAL_CAP',
        message: `Today's hedges already reserved ${round(reservation.reservedUsd)} USD; ${round(notionalUsd)} USD more would exceed the daily cap of ${execution.maxDailyNotionalUsd} USD: nothing is sent.`,
      },
      context,
    );
  }

  // From here on the reservation is ours: given back if nothing is sent.
  for (const call of built.prerequisites) await sendPrerequisite(deps, chain.gateway, signer, call, plan);
  const simulation = await chain.gateway.simulate(signer.address, built.trade);
  if (!simulation.ok) {
    await deps.limits.releaseDailyNotional(ref.accountId, utcDay, ref.hedgeId);
    return fail(deps, ref, { stage: 'simulation', code: 'SIMULATION_REVERTED', message: `The trade would revert: ${simulation.reason}` }, context);
  }

  const { nonce } = await allocateReconciledNonce(deps.nonces, chain.gateway, signer.address);
  const gas = (simulation.gas * (100n + GAS_HEADROOM_PCT)) / 100n;
  const transaction = await signForJournal(
    signer,
    { to: built.trade.to, data: built.trade.data, value: built.trade.value, chainId, nonce, gas, maxFeePerGas: plan.maxFeePerGas, maxPriorityFeePerGas: plan.maxPriorityFeePerGas },
    'swap',
    deps.now(),
    {
      venue: venueConfig,
      signer: execution.signer,
      ...(built.deadlineSec === undefined ? {} : { deadlineSec: built.deadlineSec.toString() }),
      ...(venueOrder.order.series === undefined ? {} : { series: venueOrder.order.series }),
      quotedPriceUsd: quote.priceUsd,
    },
  );
  if ((await deps.journal.journalFirst(ref, deps.owner, transaction, deps.now())) === 'lost') {
    // Our lease ran out and another dispatcher took the hedge: never broadcast. The nonce
    // we allocated is a gap the next allocation heals; the reservation is given back.
    await deps.limits.releaseDailyNotional(ref.accountId, utcDay, ref.hedgeId);
    return { hedgeId: ref.hedgeId, status: 'claim-lost' };
  }
  return broadcastJournaled(deps, ref, [transaction], chain.gateway, context, 'submitted');
}

/** The venue's form of a policy order: options carry their series (from the account's hedge options, by id). */
function venueOrderOf(order: HedgeOrder, config: RuntimeConfig): { ok: true; order: VenueOrder } | { ok: false; code: string; message: string } {
  if (order.instrument.kind !== 'option') return { ok: true, order: { side: order.side, quantity: order.quantity } };
  const id = order.instrument.id;
  const option = config.limits?.hedgeOptions.find((candidate) => candidate.id === id);
  if (option === undefined) return { ok: false, code: 'CONFIG_CHANGED', message: `Hedge option ${id} is no longer in the account's policy: nothing is sent.` };
  return { ok: true, order: { side: order.side, quantity: order.quantity, series: { optionType: option.optionType, strike: option.strike, expiryMs: option.expiryMs } } };
}

/**
 * One transaction of the lane on its way at a time: while an earlier one is pending, the
 * chain state we would quote, approve and simulate against is not the one this swap will
 * meet (an exact approval still unspent, a pool about to move). Checked before the claim,
 * so the retry is not held by our own lease.
 */
/**
 * Before a hedge's first transaction: the lane idle (when the account can send), then the
 * hedge's claim. A claim another holds is HedgeBusyError (redelivered later); a hedge no
 * longer claimable is read again: ended (a duplicate) or journaled meanwhile (the view
 * with its transaction, to broadcast again). A view that already has a transaction is
 * returned as it is.
 */
export async function claimBeforeFirstSend(
  deps: DispatchDeps,
  ref: HedgeRef,
  view: HedgeView,
  lane: { readonly execution: ExecutionConfig; readonly chainId: number } | undefined,
): Promise<{ readonly view: HedgeView } | { readonly outcome: OrderOutcome }> {
  if (view.transactions.length > 0) return { view };
  if (lane !== undefined) await ensureLaneIdle(deps, ref, lane.execution, lane.chainId);
  const nowMs = deps.now().getTime();
  const claim = await deps.journal.claim(ref, deps.owner, nowMs + (deps.claimLeaseMs ?? DEFAULT_LEASE_MS), nowMs);
  if (claim.status === 'busy') throw new HedgeBusyError(ref.hedgeId, claim.owner, claim.untilMs);
  if (claim.status !== 'not-claimable') return { view };
  const fresh = await deps.journal.get(ref);
  if (fresh === undefined) return { outcome: { hedgeId: ref.hedgeId, status: 'unknown-hedge' } };
  if (TERMINAL_STAGES.has(fresh.stage)) return { outcome: { hedgeId: ref.hedgeId, status: 'duplicate', stage: fresh.stage } };
  return { view: fresh };
}

export async function ensureLaneIdle(deps: DispatchDeps, ref: HedgeRef, execution: ExecutionConfig, chainId: number): Promise<void> {
  const chain = deps.chains(chainId);
  if (chain === undefined) return; // reported where the chain is needed
  const signer = await deps.signers(execution.signer);
  const { pending, latest } = await chain.gateway.nonces(signer.address);
  if (pending > latest) throw new LaneBusyError(ref.hedgeId, signer.address, pending - latest);
}

/** Broadcasts the latest journaled transaction again (same bytes) and reports it submitted. */
function resume(deps: DispatchDeps, ref: HedgeRef, view: HedgeView, gateway: ChainGateway, context: DispatchContext): Promise<OrderOutcome> {
  return broadcastJournaled(deps, ref, view.transactions, gateway, context, 'resubmitted');
}

export async function broadcastJournaled(
  deps: DispatchDeps,
  ref: HedgeRef,
  transactions: readonly JournaledTransaction[],
  gateway: ChainGateway,
  context: DispatchContext,
  status: 'submitted' | 'resubmitted',
): Promise<OrderOutcome> {
  const latest = transactions[transactions.length - 1]!;
  const answer = await gateway.broadcast(latest.raw);
  switch (answer.status) {
    case 'accepted':
    case 'known':
      return markSubmitted(deps, ref, latest, context, status);
    case 'nonce-too-low': {
      // The nonce is used. By one of ours (mined)? Then the hedge is on chain: confirm follows it.
      const mined = await minedTransaction(gateway, transactions);
      if (mined !== undefined) return markSubmitted(deps, ref, mined.tx, context, status);
      return fail(
        deps,
        ref,
        {
          stage: 'submission',
          code: 'NONCE_CONSUMED',
          message: `Nonce ${latest.nonce} of ${latest.from} was used by a transaction outside this hedge before it was mined; the hedge was not executed.`,
          txHash: latest.hash,
        },
        context,
      );
    }
    case 'nonce-too-high':
    case 'replacement-underpriced':
      throw new BroadcastDeferredError(ref.hedgeId, answer.status);
    case 'rejected':
      return fail(deps, ref, { stage: 'submission', code: 'BROADCAST_REJECTED', message: `The node rejected the transaction: ${answer.message}`, txHash: latest.hash }, context);
  }
}

async function markSubmitted(deps: DispatchDeps, ref: HedgeRef, tx: JournaledTransaction, context: DispatchContext, status: 'submitted' | 'resubmitted'): Promise<OrderOutcome> {
  await recordSubmitted(deps, ref, tx, context);
  const telemetry = deps.telemetry ?? NO_TELEMETRY;
  if (status === 'submitted') {
    // The first broadcast of the hedge (a resumed one was counted when it was first sent).
    telemetry.metric('HedgesSubmitted', 1, { Venue: venueLabel(tx.venue?.kind ?? context.venue) });
    if (context.priceObservedAt !== undefined) telemetry.metric('PriceMoveToSubmit', Math.max(0, deps.now().getTime() - Date.parse(context.priceObservedAt)), {});
  }
  telemetry.info(status === 'submitted' ? 'hedge submitted' : 'hedge broadcast again', { txHash: tx.hash, nonce: tx.nonce, chainId: tx.chainId, venue: venueLabel(tx.venue?.kind ?? context.venue) });
  return { hedgeId: ref.hedgeId, status, txHash: tx.hash, nonce: tx.nonce };
}

/** A prerequisite of the trade (an exact approval, a margin deposit): its own nonce, sent and waited for; repeating it is harmless. */
export async function sendPrerequisite(
  deps: DispatchDeps,
  gateway: ChainGateway,
  signer: TransactionSigner,
  call: ContractCall,
  fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
): Promise<void> {
  const simulation = await gateway.simulate(signer.address, call);
  if (!simulation.ok) throw new Error(`the trade's prerequisite (to ${call.to}) would revert: ${simulation.reason}`);
  const { nonce } = await allocateReconciledNonce(deps.nonces, gateway, signer.address);
  const gas = (simulation.gas * (100n + GAS_HEADROOM_PCT)) / 100n;
  const signed = await signer.signTransaction({ ...call, chainId: gateway.chainId, nonce, gas, ...fees });
  const answer = await gateway.broadcast(signed.raw);
  if (answer.status !== 'accepted' && answer.status !== 'known') throw new Error(`the trade's prerequisite was not accepted: ${answer.status}`);
  const wait = deps.approvalWait ?? { timeoutMs: 60_000, pollMs: 500 };
  const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = deps.now().getTime() + wait.timeoutMs;
  for (;;) {
    const receipt = await gateway.receipt(signed.hash);
    if (receipt !== undefined) {
      if (receipt.status !== 'success') throw new Error(`the trade's prerequisite ${signed.hash} reverted`);
      return;
    }
    if (deps.now().getTime() >= deadline) throw new ApprovalPendingError(signed.hash);
    await sleep(wait.pollMs);
  }
}

function skip(deps: DispatchDeps, ref: HedgeRef, verdict: GuardVerdict | { ok: false; code: string; message: string }, context: DispatchContext): Promise<OrderOutcome> {
  if (verdict.ok) throw new Error('skip() needs a tripped guard');
  return endOrder(deps, ref, { stage: 'guard', code: verdict.code, message: verdict.message }, context, 'skipped');
}

function fail(deps: DispatchDeps, ref: HedgeRef, failure: HedgeFailure, context: FailureContext): Promise<OrderOutcome> {
  return endOrder(deps, ref, failure, context, 'failed');
}

/** Ends the order's record without a transaction (skipped or failed) and reports it. */
export async function endOrder(deps: DispatchDeps, ref: HedgeRef, failure: HedgeFailure, context: FailureContext, status: 'skipped' | 'failed'): Promise<OrderOutcome> {
  await endHedgeWithoutTrade(deps, ref, failure, context);
  return { hedgeId: ref.hedgeId, status, code: failure.code, message: failure.message };
}

export function requireChain(deps: DispatchDeps, chainId: number): ChainAccess {
  const chain = deps.chains(chainId);
  if (chain === undefined) throw new Error(`no RPC endpoint is configured for chain ${chainId}`);
  return chain;
}

/** Errors of the transport (not answers of the chain), through the cause chain: retry later instead of failing the hedge. */
const TRANSPORT_ERROR_NAMES = new Set(['ChainUnavailableError', 'HttpRequestError', 'TimeoutError', 'SocketClosedError', 'WebSocketRequestError']);

export function isTransportFailure(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (TRANSPORT_ERROR_NAMES.has(String((e as { name?: unknown }).name))) return true;
  }
  return false;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]!.slice(0, 300) : String(error);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
