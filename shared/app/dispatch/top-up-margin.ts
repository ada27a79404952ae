/**
 * A margin top-up between trades: the evaluator saw a perp's margin ratio under its alert
 * level (MARGIN_LOW) and the operator set `topUpToMarginRatio`, so its Hedge Requested
 * carries `marginTopUp` (no order needed). Dispatch hands it here: at most one collateral
 * deposit, journaled and followed to its receipt exactly like a hedge's swap.
 *
 * Beside dispatchHedge rather than inside its order path: a deposit has no quote, price,
 * slippage or notional, so none of the trade guards apply; what it shares with a hedge —
 * the record and its claim, the lane check, reconciled nonces, journal-before-broadcast,
 * the confirmer — it reuses unchanged. What the deposit is comes from the venue
 * (`Venue.buildMarginTopUp`), so this file never branches on the venue's kind.
 *
 * 1. Terminal record → duplicate; a journaled deposit → the same bytes broadcast again.
 * 2. Claim, then the guards that hold for any transaction: kill switches, a paused
 *    account, dry-run, the allow-list, fee caps.
 * 3. The venue plans the deposit now: nothing needed → skipped (MARGIN_TOP_UP_NOT_NEEDED);
 *    an empty wallet → skipped (MARGIN_TOP_UP_UNFUNDED) with a MARGIN_LOW alert saying so;
 *    else its approval (a prerequisite, waited for), simulation, nonce, journal, broadcast.
 */
import { encodeEvent } from '../../contracts/events/encode-event.ts';
import type { RuntimeConfig } from '../../contracts/account-config.ts';
import type { VenueConfig } from '../../contracts/execution-config.ts';
import type { EventDetail } from '../../contracts/events/event-definitions.ts';
import { checkPreTrade } from '../../domain/dispatch/dispatch-guards.ts';
import { gweiToWei, planFees } from '../../domain/dispatch/fees.ts';
import { executionFingerprint } from '../execution-fingerprint.ts';
import { TERMINAL_STAGES, type HedgeRef } from '../hedge-journal-ports.ts';
import type { Venue } from '../venue-port.ts';
import { signForJournal } from '../sign-for-journal.ts';
import { NO_TELEMETRY } from '../telemetry.ts';
import { allocateReconciledNonce } from './allocate-nonce.ts';
import {
  broadcastJournaled,
  claimBeforeFirstSend,
  endOrder,
  GAS_HEADROOM_PCT,
  requireChain,
  sendPrerequisite,
  type DispatchDeps,
  type OrderOutcome,
} from './dispatch-hedge.ts';
import type { FailureContext } from './hedge-outcomes.ts';

export type MarginTopUpRequest = NonNullable<EventDetail<'Hedge Requested'>['marginTopUp']>;

/**
 * @example
 * const outcome = await topUpMargin(deps, ref, { venueId: 'perp-eth', targetMarginRatio: 0.5 }, context);
 */
export async function topUpMargin(deps: DispatchDeps, ref: HedgeRef, topUp: MarginTopUpRequest, decided: FailureContext): Promise<OrderOutcome> {
  const { hedgeId } = ref;
  let view = await deps.journal.get(ref);
  if (view === undefined) return { hedgeId, status: 'unknown-hedge' };
  if (TERMINAL_STAGES.has(view.stage)) return { hedgeId, status: 'duplicate', stage: view.stage };
  const versioned = await deps.configs.getConfig(ref.accountId);
  const config = versioned?.config;
  const execution = config?.execution;
  const chainId = config?.market?.chainId;
  const context: FailureContext = { ...decided, maxConsecutiveFailures: execution?.maxConsecutiveFailures };

  const claimed = await claimBeforeFirstSend(deps, ref, view, execution === undefined || chainId === undefined ? undefined : { execution, chainId });
  if ('outcome' in claimed) return claimed.outcome;
  view = claimed.view;
  if (view.transactions.length > 0) {
    const journaled = view.transactions[view.transactions.length - 1]!;
    return broadcastJournaled(deps, ref, view.transactions, requireChain(deps, journaled.chainId).gateway, { ...context, venue: journaled.venue?.kind }, 'resubmitted');
  }
  const guard = (code: string, message: string): Promise<OrderOutcome> => endOrder(deps, ref, { stage: 'guard', code, message }, context, 'skipped');
  if (config === undefined || execution === undefined || chainId === undefined) return guard('EXECUTION_NOT_CONFIGURED', 'The account has no execution block any more: nothing is sent.');
  const decidedUnder = view.record.executionFingerprint;
  if (typeof decidedUnder === 'string' && decidedUnder !== executionFingerprint(config)) {
    return guard('CONFIG_CHANGED', 'The underlying, chain, venue or signer changed since the top-up was requested: nothing is sent; the next evaluation decides again.');
  }
  const venueConfig = execution.venues.find((candidate) => candidate.id === topUp.venueId);
  if (venueConfig === undefined) return guard('CONFIG_CHANGED', `Venue ${topUp.venueId} is no longer configured: nothing is deposited.`);
  const venue = deps.venues(venueConfig, chainId);
  const withVenue: FailureContext = { ...context, venue: venueConfig.kind };
  if (venue.buildMarginTopUp === undefined) {
    return endOrder(deps, ref, { stage: 'guard', code: 'NO_MARGIN_ACCOUNT', message: `Venue ${venue.id} holds no margin to top up: nothing is sent.` }, withVenue, 'skipped');
  }
  return sendTopUp(deps, ref, topUp, config, chainId, venueConfig, { venue, buildMarginTopUp: venue.buildMarginTopUp.bind(venue) }, withVenue);
}

async function sendTopUp(
  deps: DispatchDeps,
  ref: HedgeRef,
  topUp: MarginTopUpRequest,
  config: RuntimeConfig,
  chainId: number,
  venueConfig: VenueConfig,
  { venue, buildMarginTopUp }: { readonly venue: Venue; readonly buildMarginTopUp: NonNullable<Venue['buildMarginTopUp']> },
  context: FailureContext,
): Promise<OrderOutcome> {
  const execution = config.execution!;
  const guard = (code: string, message: string): Promise<OrderOutcome> => endOrder(deps, ref, { stage: 'guard', code, message }, context, 'skipped');
  const [account, killSwitch] = await Promise.all([deps.accounts.getAccount(ref.accountId), deps.limits.globalKillSwitch()]);
  const pre = checkPreTrade({
    globalKillSwitch: killSwitch,
    accountStatus: account?.status ?? 'paused',
    dryRun: config.guards.dryRun,
    executionConfigured: true,
    contracts: venue.contracts,
    allowedContracts: deps.allowedContracts(chainId),
  });
  if (!pre.ok) return guard(pre.code, pre.message);
  const chain = requireChain(deps, chainId);
  const signer = await deps.signers(execution.signer);
  const fees = await chain.gateway.fees();
  const plan = planFees(fees.baseFeePerGas, fees.maxPriorityFeePerGas, {
    maxFeePerGas: gweiToWei(execution.maxFeePerGasGwei),
    maxPriorityFeePerGas: gweiToWei(execution.maxPriorityFeePerGasGwei),
  });
  if (!plan.ok) return guard(plan.code, plan.message);

  const planned = await buildMarginTopUp(signer.address, topUp.targetMarginRatio);
  const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '∞');
  if (planned.status === 'not-needed') {
    return guard('MARGIN_TOP_UP_NOT_NEEDED', `The margin on ${venue.id} is ${pct(planned.marginRatio)}, at or above the top-up target of ${pct(topUp.targetMarginRatio)}: nothing is deposited.`);
  }
  if (planned.status === 'wallet-empty') {
    const message = `The margin on ${venue.id} is ${pct(planned.marginRatio)}; a top-up to ${pct(topUp.targetMarginRatio)} needs ${planned.neededUsd.toFixed(2)} USD of collateral and the signer's wallet holds none: nothing is deposited, add collateral.`;
    // The alert first (its id is the top-up's decision + code: a redelivery publishes the same event), then the record ends.
    await deps.publisher.publish([
      encodeEvent('Risk Limit Breached', {
        accountId: ref.accountId,
        occurredAt: deps.now().toISOString(),
        correlationId: context.correlationId,
        decisionId: context.decisionId,
        underlying: context.underlying,
        code: 'MARGIN_LOW',
        message,
        numbers: { marginRatio: planned.marginRatio, targetMarginRatio: topUp.targetMarginRatio, neededUsd: planned.neededUsd, walletUsd: 0 },
      }),
    ]);
    return guard('MARGIN_TOP_UP_UNFUNDED', message);
  }

  for (const call of planned.prerequisites) await sendPrerequisite(deps, chain.gateway, signer, call, plan);
  const simulation = await chain.gateway.simulate(signer.address, planned.deposit);
  if (!simulation.ok) {
    return endOrder(deps, ref, { stage: 'simulation', code: 'SIMULATION_REVERTED', message: `The margin deposit would revert: ${simulation.reason}` }, context, 'failed');
  }
  const { nonce } = await allocateReconciledNonce(deps.nonces, chain.gateway, signer.address);
  const gas = (simulation.gas * (100n + GAS_HEADROOM_PCT)) / 100n;
  const transaction = await signForJournal(
    signer,
    { ...planned.deposit, chainId, nonce, gas, maxFeePerGas: plan.maxFeePerGas, maxPriorityFeePerGas: plan.maxPriorityFeePerGas },
    'margin-deposit',
    deps.now(),
    { venue: venueConfig, signer: execution.signer, marginDepositUsd: planned.depositUsd },
  );
  if ((await deps.journal.journalFirst(ref, deps.owner, transaction, deps.now())) === 'lost') return { hedgeId: ref.hedgeId, status: 'claim-lost' };
  (deps.telemetry ?? NO_TELEMETRY).info('margin top-up signed', {
    venue: venue.id,
    depositUsd: planned.depositUsd,
    marginRatioBefore: planned.marginRatioBefore,
    marginRatioAfter: planned.marginRatioAfter,
    partial: planned.partial,
  });
  return broadcastJournaled(deps, ref, [transaction], chain.gateway, context, 'submitted');
}

