// The hedging flow (evaluate → dispatch → follow) on every kind of venue, on the local
// chain with the real protocols: the delta hedged with a Perp v2 perpetual (margin
// deposited first, the perp position recorded), a margin floor that refuses, and a gamma
// limit hedged with Lyra v1 options (the option position recorded with its series, the
// next evaluation seeing the hedged gamma), and the margin topped up between trades when
// MARGIN_LOW fires and the operator set a target (one deposit, journaled and confirmed).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OptionSeries } from '../../../shared/app/venue-port.ts';
import { createVenue } from '../../../shared/adapters/venues/create-venue.ts';
import { followHedge } from '../../../shared/app/confirm-hedge/follow-hedge.ts';
import { optionHedgePositionId } from '../../../shared/app/evaluate/evaluate-account.ts';
import { localOperatorExecution } from '../../../local/chain/local-hedge-config.ts';
import { useHedgingWorld, type OpenedAccount } from '../../support/hedging-world.ts';

const world = useHedgingWorld({ markets: ['perp', 'lyra'] });

beforeEach(async () => {
  const w = world();
  await w.chain.reset();
  w.clock.nowMs = Number((await w.chain.publicClient.getBlock()).timestamp) * 1000;
  w.publisher.entries.length = 0;
});

describe('the delta hedged with a perpetual (Perp v2)', () => {
  it('a book out of its band: collateral deposited, the perp bought, the perp position recorded as the chain holds it', async () => {
    const w = world();
    // The operator lets the system top the margin up to 50 % before a trade (from the signer's USDC).
    const perp = w.perp!.venueConfig({ topUpToMarginRatio: 0.5 });
    const account = await w.openAccount({
      shortCalls: 4,
      config: (c) => ({ ...c, hedgeInstrument: 'perp', execution: { ...c.execution!, venues: [perp] } }),
    });
    const evaluation = await w.evaluate(account.accountId);
    if (evaluation.status !== 'decided' || !evaluation.dispatched) throw new Error(`expected a dispatched decision, got ${JSON.stringify(evaluation)}`);
    expect(evaluation.decision.orders.map((o) => o.instrument.kind)).toEqual(['perp']);
    const [outcome] = await w.dispatchLatest(account.accountId);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'submitted' });
    expect(await w.followUntilFinal(account.accountId)).toMatchObject({ status: 'confirmed' });

    const venue = createVenue({ client: w.chain.publicClient, venue: account.config.execution!.venues[0]! });
    const onChain = await venue.readPosition(account.signer);
    const stored = await w.positions.getPosition(account.accountId, 'hedge-ETH-perp');
    expect(stored?.position).toMatchObject({ kind: 'perp', underlying: 'ETH' });
    expect(stored?.position.quantity).toBeCloseTo(onChain.quantity, 12);
    expect(onChain.quantity).toBeCloseTo(evaluation.decision.orders[0]!.quantity, 9);
    // The margin account: collateral deposited before the trade, well above maintenance.
    expect(onChain.margin?.collateralUsd).toBeGreaterThan(0);
    expect(onChain.margin!.marginRatio).toBeGreaterThan(0.45);
    expect(onChain.margin!.marginRatio).toBeGreaterThan(onChain.margin!.maintenanceMarginRatio);
    // The next evaluation sees the hedge: nothing more to do.
    const after = await w.evaluate(account.accountId);
    expect(after.status === 'decided' && after.decision.action).toBe('none');
  });

  it('the margin is watched at every evaluation: under the alert level MARGIN_LOW fires, with the numbers, and the snapshot shows the margin and funding', async () => {
    const w = world();
    // No top-up: the trade deposits only the initial margin (~10 %), above the floor of 5 % but under the alert level of 20 %.
    const perp = w.perp!.venueConfig({ minMarginRatio: 0.05, alertMarginRatio: 0.2 });
    const account = await w.openAccount({ shortCalls: 4, config: (c) => ({ ...c, hedgeInstrument: 'perp', execution: { ...c.execution!, venues: [perp] } }) });
    await w.evaluate(account.accountId);
    expect(w.publisher.of('Risk Limit Breached', account.accountId).filter((a) => a.code === 'MARGIN_LOW')).toEqual([]); // nothing held yet
    await w.dispatchLatest(account.accountId);
    expect(await w.followUntilFinal(account.accountId)).toMatchObject({ status: 'confirmed' });
    await w.evaluate(account.accountId);
    const [alert] = w.publisher.of('Risk Limit Breached', account.accountId).filter((a) => a.code === 'MARGIN_LOW');
    expect(alert?.numbers.marginRatio).toBeLessThan(0.2);
    expect(alert?.numbers.marginRatio).toBeGreaterThan(0.05);
    expect(alert?.numbers.alertMarginRatio).toBe(0.2);
    expect(alert?.message).toContain('add collateral');
    // Without the operator's topUpToMarginRatio nothing is deposited between trades: no top-up requested, nothing sent.
    expect(w.publisher.of('Hedge Requested', account.accountId).filter((r) => r.marginTopUp !== undefined)).toEqual([]);
    const snapshot = (await w.evaluateDeps.evaluations.load(account.accountId))?.exposure;
    const holding = snapshot?.venues?.find((v) => v.instrument === 'perp');
    expect(holding?.quantity).toBeGreaterThan(0);
    expect(holding?.margin?.marginRatio).toBeCloseTo(alert?.numbers.marginRatio ?? Number.NaN, 9);
    expect(typeof holding?.margin?.pendingFundingUsd).toBe('number');
  });

  it('an order that would leave the margin under the floor is refused (MARGIN_FLOOR) and nothing is sent', async () => {
    const w = world();
    const perp = w.perp!.venueConfig({ minMarginRatio: 5, alertMarginRatio: 6 });
    const account = await w.openAccount({ shortCalls: 4, config: (c) => ({ ...c, hedgeInstrument: 'perp', execution: { ...c.execution!, venues: [perp] } }) });
    await w.evaluate(account.accountId);
    const [outcome] = await w.dispatchLatest(account.accountId);
    expect(outcome).toMatchObject({ status: 'skipped', code: 'MARGIN_FLOOR' });
    const venue = createVenue({ client: w.chain.publicClient, venue: account.config.execution!.venues[0]! });
    expect((await venue.readPosition(account.signer)).quantity).toBe(0);
  });
});

describe('at most once on every venue', () => {
  it('the same Hedge Requested for a perp and an option hedge three times, two concurrently: one trade each', async () => {
    const w = world();
    const lyra = w.lyra!;
    const [board] = (await lyra.liveBoards()).filter((b) => b.expiryMs - w.clock.nowMs > 20 * 86_400_000);
    const strike = board!.strikes.reduce((best, s) => (Math.abs(s.strike - 3000) < Math.abs(best.strike - 3000) ? s : best)).strike;
    const series: OptionSeries = { optionType: 'call', strike, expiryMs: board!.expiryMs };
    const account = await w.openAccount({
      shortCalls: 4,
      config: (c) => ({
        ...c,
        hedgeInstrument: 'perp',
        limits: { maxAbsGamma: 0.001, hedgeOptions: [{ id: 'eth-call', ...series, vol: 0.8 }] },
        execution: { ...c.execution!, venues: [w.perp!.venueConfig({ topUpToMarginRatio: 0.5 }), lyra.venueConfig()] },
      }),
    });
    await lyra.fundTrader(account.signer, 1_000_000);
    const evaluation = await w.evaluate(account.accountId);
    if (evaluation.status !== 'decided' || !evaluation.dispatched) throw new Error(`expected a dispatched decision, got ${JSON.stringify(evaluation)}`);
    expect(evaluation.decision.orders.map((o) => o.instrument.kind).sort()).toEqual(['option', 'perp']);
    const concurrent = await Promise.allSettled([w.dispatchLatest(account.accountId, { owner: 'a' }), w.dispatchLatest(account.accountId, { owner: 'b' })]);
    // Of two concurrent deliveries one proceeds per hedge; the other stops retryably (HedgeBusyError) or finds the journal.
    expect(concurrent.some((r) => r.status === 'fulfilled')).toBe(true);
    const again = await w.dispatchLatest(account.accountId, { owner: 'c' });
    expect(again.map((o) => o.status).every((status) => status === 'resubmitted' || status === 'duplicate')).toBe(true);
    for (const submitted of w.publisher.of('Hedge Submitted', account.accountId).filter((d, i, all) => all.findIndex((x) => x.hedgeId === d.hedgeId) === i)) {
      let outcome = await followHedge(w.followDeps, submitted);
      for (let look = 0; look < 10 && outcome.status === 'pending'; look++) outcome = await followHedge(w.followDeps, submitted);
      expect(outcome.status).toBe('confirmed');
    }
    // One trade each: the perp position is the order, the option position is the order, one Hedge Confirmed per hedge.
    const venues = account.config.execution!.venues.map((venue) => createVenue({ client: w.chain.publicClient, venue }));
    const perpOrder = evaluation.decision.orders.find((o) => o.instrument.kind === 'perp')!;
    const optionOrder = evaluation.decision.orders.find((o) => o.instrument.kind === 'option')!;
    expect((await venues[0]!.readPosition(account.signer)).quantity).toBeCloseTo(perpOrder.quantity, 9);
    expect((await venues[1]!.readPosition(account.signer, series)).quantity).toBeCloseTo(optionOrder.quantity, 6);
    expect(w.publisher.of('Hedge Confirmed', account.accountId)).toHaveLength(2);
  });
});

describe('a gamma limit hedged with options (Lyra v1)', () => {
  it('the option is bought on Lyra, recorded with its series, and the next evaluation sees the hedged gamma', async () => {
    const w = world();
    const lyra = w.lyra!;
    const [board] = (await lyra.liveBoards()).filter((b) => b.expiryMs - w.clock.nowMs > 20 * 86_400_000);
    if (board === undefined) throw new Error('no board 20+ days out');
    const strike = board.strikes.reduce((best, s) => (Math.abs(s.strike - 3000) < Math.abs(best.strike - 3000) ? s : best)).strike;
    const series: OptionSeries = { optionType: 'call', strike, expiryMs: board.expiryMs };
    const account = await w.openAccount({
      shortCalls: 4,
      config: (c) => ({
        ...c,
        hedgeInstrument: 'spot',
        // Lyra prices at its own implied vol (0.8 at deployment): the policy is told the option's vol, so the premium guard compares like with like.
        limits: { maxAbsGamma: 0.001, hedgeOptions: [{ id: 'eth-call', ...series, vol: 0.8 }] },
        execution: { ...c.execution!, venues: [...localOperatorExecution(w.chain).venues, lyra.venueConfig()] },
      }),
    });
    await lyra.fundTrader(account.signer, 1_000_000);

    const evaluation = await w.evaluate(account.accountId);
    if (evaluation.status !== 'decided' || !evaluation.dispatched) throw new Error(`expected a dispatched decision, got ${JSON.stringify(evaluation)}`);
    const option = evaluation.decision.orders.find((o) => o.instrument.kind === 'option');
    expect(option).toMatchObject({ side: 'buy' });
    const outcomes = await w.dispatchLatest(account.accountId);
    expect(outcomes.map((o) => o.status)).toEqual(evaluation.decision.orders.map(() => 'submitted'));
    // Both hedges confirmed (each followed to its receipt).
    for (const submitted of w.publisher.of('Hedge Submitted', account.accountId)) {
      let outcome = await followHedge(w.followDeps, submitted);
      for (let look = 0; look < 10 && outcome.status === 'pending'; look++) outcome = await followHedge(w.followDeps, submitted);
      expect(outcome.status).toBe('confirmed');
    }
    const lyraVenue = createVenue({ client: w.chain.publicClient, venue: account.config.execution!.venues.find((v) => v.kind === 'lyra-v1')! });
    const held = await lyraVenue.readPosition(account.signer, series);
    expect(held.quantity).toBeGreaterThan(0);
    const stored = await w.positions.getPosition(account.accountId, optionHedgePositionId('ETH', series));
    expect(stored?.position).toMatchObject({ kind: 'option', optionType: 'call', strike, expiryMs: series.expiryMs });
    expect(stored?.position.quantity).toBeCloseTo(held.quantity, 9);
    // With the option in the book the gamma limit holds: no new option order.
    const after = await w.evaluate(account.accountId);
    if (after.status !== 'decided') throw new Error(`expected a decision, got ${after.status}`);
    expect(after.decision.orders.filter((o) => o.instrument.kind === 'option')).toEqual([]);
  });
});

describe('the perp margin topped up between trades (MARGIN_LOW with topUpToMarginRatio)', () => {
  // The fall below moves the chain's clock forward; anvil keeps that offset across a revert, and Perp's oracle
  // adapter would then find the baseline's price timed out: the clock is put back to the baseline's after each test.
  afterEach(async () => {
    const w = world();
    await w.chain.reset();
    const baseline = (await w.chain.publicClient.getBlock()).timestamp;
    await w.chain.testClient.setNextBlockTimestamp({ timestamp: baseline + 1n });
    await w.chain.testClient.mine({ blocks: 1 });
  });
  // Each test trades, then moves the market several times (a dozen transactions): on a loaded machine, more than the default 30 s.
  const ALERT = 0.1;
  const TARGET = 0.13;
  /**
   * A long perp hedge (the book is short calls) whose trade deposited up to the target (13 %),
   * then the oracle and the perp's mark fall 1 % at a time (15 minutes apart, for Perp's
   * TWAP mark) until the margin ratio is under the alert level (10 %).
   */
  async function lowMargin(options: { topUp: boolean } = { topUp: true }): Promise<OpenedAccount> {
    const w = world();
    const perp = w.perp!.venueConfig({ minMarginRatio: 0.02, alertMarginRatio: ALERT, ...(options.topUp ? { topUpToMarginRatio: TARGET } : {}) });
    const account = await w.openAccount({ shortCalls: 4, config: (c) => ({ ...c, hedgeInstrument: 'perp', execution: { ...c.execution!, venues: [perp] } }) });
    await w.evaluate(account.accountId);
    await w.dispatchLatest(account.accountId);
    expect(await w.followUntilFinal(account.accountId)).toMatchObject({ status: 'confirmed' });
    // Then a wide band, so that the fall below makes no trade (a trade would deposit up to the target itself).
    const current = (await w.configs.getConfig(account.accountId))!;
    await w.configs.putConfig(account.accountId, { ...current.config, policy: { ...current.config.policy!, band: { unit: 'units', trigger: 5, target: 'zero' } } } as typeof current.config, current.version, 'test:owner');
    const venue = perpVenue(account);
    // With the target the trade deposited up to it; without, Perp's initial margin (~12 %).
    expect((await venue.readPosition(account.signer)).margin!.marginRatio).toBeGreaterThan(ALERT);
    let price = await w.perp!.marketPrice();
    for (let step = 0; step < 10 && !((await venue.readPosition(account.signer)).margin!.marginRatio < ALERT); step++) {
      price *= 0.99;
      await w.setOraclePrice(price);
      await w.perp!.moveMarkTo(price);
      await w.chain.testClient.increaseTime({ seconds: 15 * 60 });
      await w.chain.testClient.mine({ blocks: 1 });
      await w.setOraclePrice(price); // fresh for the evaluator's staleness check
      w.clock.nowMs = Number((await w.chain.publicClient.getBlock()).timestamp) * 1000;
    }
    expect((await venue.readPosition(account.signer)).margin!.marginRatio).toBeLessThan(ALERT);
    return account;
  }
  const perpVenue = (account: OpenedAccount) => createVenue({ client: world().chain.publicClient, venue: account.config.execution!.venues.find((v) => v.kind === 'perp-v2')! });
  const sent = (account: OpenedAccount) => world().chain.publicClient.getTransactionCount({ address: account.signer });

  it('one deposit brings the ratio to the target, is confirmed with what it deposited, and a duplicate delivery or evaluation sends nothing more', async () => {
    const w = world();
    const account = await lowMargin();
    const before = (await perpVenue(account).readPosition(account.signer)).margin!;
    expect(before.marginRatio).toBeLessThan(ALERT);
    const nonceBefore = await sent(account);

    const evaluation = await w.evaluate(account.accountId);
    expect(evaluation.status === 'decided' && evaluation.decision.action).toBe('none');
    const [alert] = w.publisher.of('Risk Limit Breached', account.accountId).filter((a) => a.code === 'MARGIN_LOW');
    expect(alert?.message).toContain('a top-up to 13.0 %');
    const requests = w.publisher.of('Hedge Requested', account.accountId).filter((r) => r.marginTopUp !== undefined);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ orders: [], marginTopUp: { targetMarginRatio: TARGET } });

    const [outcome] = await w.dispatchLatest(account.accountId);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'submitted' });
    // A duplicate delivery before the receipt: the same journaled transaction again, nothing new signed.
    const [again] = await w.dispatchLatest(account.accountId, { owner: 'other' });
    expect(again).toMatchObject({ status: 'resubmitted', txHash: (outcome as { txHash: string }).txHash });
    // An evaluation while the deposit is in flight asks for no second top-up.
    await w.evaluate(account.accountId);
    expect(w.publisher.of('Hedge Requested', account.accountId).filter((r) => r.marginTopUp !== undefined)).toHaveLength(1);

    expect(await w.followUntilFinal(account.accountId)).toMatchObject({ status: 'confirmed', baseDelta: 0 });
    // The exact approval of the deposit, then the deposit: the only transactions of the signer.
    expect(await sent(account)).toBe(nonceBefore + 2);
    const after = (await perpVenue(account).readPosition(account.signer)).margin!;
    expect(after.marginRatio).toBeCloseTo(TARGET, 4);
    const [confirmed] = w.publisher.of('Hedge Confirmed', account.accountId).filter((c) => c.hedgeId === requests[0]!.decisionId + ':0');
    expect(confirmed?.marginDepositUsd).toBeCloseTo(after.collateralUsd - before.collateralUsd, 4);
    expect(confirmed).toMatchObject({ baseDelta: 0, quoteDelta: 0 });
    const view = await w.journal.get({ accountId: account.accountId, hedgeId: confirmed!.hedgeId, at: new Date(confirmed!.decidedAt) });
    expect(view?.stage).toBe('confirmed');
    expect(view?.transactions.map((t) => t.purpose)).toEqual(['margin-deposit']);
    // The perp position is what it was (a deposit trades nothing).
    expect((await w.positions.getPosition(account.accountId, 'hedge-ETH-perp'))?.position.quantity).toBeCloseTo((await perpVenue(account).readPosition(account.signer)).quantity, 12);

    // The same request delivered again after the end: a duplicate, nothing sent.
    expect(await w.dispatchLatest(account.accountId)).toMatchObject([{ status: 'duplicate', stage: 'confirmed' }]);
    // The next evaluation sees the margin at the target: no alert, no top-up.
    const alerts = w.publisher.of('Risk Limit Breached', account.accountId).length;
    await w.evaluate(account.accountId);
    expect(w.publisher.of('Risk Limit Breached', account.accountId).length).toBe(alerts);
    expect(w.publisher.of('Hedge Requested', account.accountId).filter((r) => r.marginTopUp !== undefined)).toHaveLength(1);
    expect(await sent(account)).toBe(nonceBefore + 2);
  }, 120_000);

  it('without topUpToMarginRatio MARGIN_LOW fires and nothing is deposited', async () => {
    const w = world();
    const account = await lowMargin({ topUp: false });
    const nonceBefore = await sent(account);
    const evaluation = await w.evaluate(account.accountId);
    expect(evaluation.status === 'decided' && evaluation.decision.action).toBe('none');
    const [alert] = w.publisher.of('Risk Limit Breached', account.accountId).filter((a) => a.code === 'MARGIN_LOW');
    expect(alert?.message).toContain('add collateral');
    expect(w.publisher.of('Hedge Requested', account.accountId).filter((r) => r.marginTopUp !== undefined)).toEqual([]);
    expect(await sent(account)).toBe(nonceBefore);
  }, 120_000);

  it('a wallet that holds no collateral: an alert that says so, the top-up skipped, no transaction', async () => {
    const w = world();
    const account = await lowMargin();
    const wallet = w.signerWallet(account);
    const usdc = w.chain.addresses.usdc;
    const held = await w.chain.publicClient.readContract({ address: usdc, abi: w.tokenAbi, functionName: 'balanceOf', args: [account.signer] });
    await w.chain.confirm(await wallet.writeContract({ address: usdc, abi: w.tokenAbi, functionName: 'transfer', args: [w.perp!.maker, held] }));
    const nonceBefore = await sent(account);
    const ratioBefore = (await perpVenue(account).readPosition(account.signer)).margin!.marginRatio;

    await w.evaluate(account.accountId);
    const [outcome] = await w.dispatchLatest(account.accountId);
    expect(outcome).toMatchObject({ status: 'skipped', code: 'MARGIN_TOP_UP_UNFUNDED' });
    const unfunded = w.publisher.of('Risk Limit Breached', account.accountId).filter((a) => a.code === 'MARGIN_LOW' && a.numbers.walletUsd === 0);
    expect(unfunded).toHaveLength(1);
    expect(unfunded[0]!.message).toContain('holds none');
    expect(unfunded[0]!.numbers.neededUsd).toBeGreaterThan(0);
    expect(await sent(account)).toBe(nonceBefore);
    expect((await perpVenue(account).readPosition(account.signer)).margin!.marginRatio).toBeCloseTo(ratioBefore, 9);
    // Delivered again: the same end, nothing sent.
    expect(await w.dispatchLatest(account.accountId)).toMatchObject([{ status: 'duplicate', stage: 'skipped' }]);
    expect(await sent(account)).toBe(nonceBefore);
  }, 120_000);
});
