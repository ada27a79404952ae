// The evaluator on real parts: a redelivered evaluation republishes instead of deciding
// again, concurrent evaluations of one account settle on the state version, the vol
// sources (realised EWMA, an on-chain feed), and the confirmation depth. Plus one hedge
// signed end to end by the KMS account (against the KMS stand-in: there is no KMS
// emulator offline; the stand-in signs digests exactly as KMS does, DER with high S).
import { randomUUID } from 'node:crypto';
import { parseUnits } from 'viem';
import { beforeEach, describe, expect, it } from 'vitest';
import { priceAggregatorAbi, priceAggregatorBytecode } from '../../../shared/adapters/chain/artifacts/price-aggregator.ts';
import { createAwsKmsDigestSigner } from '../../../shared/adapters/signing/aws-kms-digest-signer.ts';
import { createKmsTransactionSigner } from '../../../shared/adapters/signing/kms-transaction-signer.ts';
import { evaluateAccount } from '../../../shared/app/evaluate/evaluate-account.ts';
import { followHedge } from '../../../shared/app/confirm-hedge/follow-hedge.ts';
import { dispatchHedge } from '../../../shared/app/dispatch/dispatch-hedge.ts';
import { encodeEvent } from '../../../shared/contracts/events/encode-event.ts';
import type { SignerRef } from '../../../shared/contracts/execution-config.ts';
import { createKmsStandIn } from '../../support/kms-stand-in.ts';
import { useHedgingWorld } from '../../support/hedging-world.ts';

const world = useHedgingWorld();

beforeEach(async () => {
  await world().chain.reset();
  world().clock.nowMs = Date.now();
});

function evaluationEventId(accountId: string): string {
  const entry = encodeEvent('Evaluation Requested', { accountId, occurredAt: new Date().toISOString(), trigger: 'operator', triggerId: randomUUID() });
  return (JSON.parse(entry.Detail) as { eventId: string }).eventId;
}

describe('the evaluator', () => {
  it('a redelivered evaluation republishes the same events and decides nothing new', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4 });
    const evaluationId = evaluationEventId(account.accountId);
    const first = await evaluateAccount(w.evaluateDeps, { accountId: account.accountId, evaluationId });
    expect(first.status).toBe('decided');
    const published = w.publisher.entries.length;
    w.clock.nowMs += 5_000;
    const second = await evaluateAccount(w.evaluateDeps, { accountId: account.accountId, evaluationId });
    expect(second).toMatchObject({ status: 'replayed' });
    const republished = w.publisher.entries.slice(published);
    expect(republished.map((e) => e.Detail)).toEqual(w.publisher.entries.slice(published - republished.length, published).map((e) => e.Detail));
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(2); // the same event twice: one id
    expect(new Set(w.publisher.of('Hedge Requested', account.accountId).map((e) => e.eventId)).size).toBe(1);
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.version).toBe(1);
  });

  it('a bus outage after the commit: the retry republishes what was committed', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4 });
    const evaluationId = evaluationEventId(account.accountId);
    w.publisher.failNext(1);
    await expect(evaluateAccount(w.evaluateDeps, { accountId: account.accountId, evaluationId })).rejects.toThrow('bus unavailable');
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(0);
    expect(await evaluateAccount(w.evaluateDeps, { accountId: account.accountId, evaluationId })).toMatchObject({ status: 'replayed' });
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(1);
  });

  it('a bus outage after the commit and no redelivery: the next evaluation (another trigger) publishes the lost request first', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4 });
    w.publisher.failNext(1);
    await expect(evaluateAccount(w.evaluateDeps, { accountId: account.accountId, evaluationId: evaluationEventId(account.accountId) })).rejects.toThrow('bus unavailable');
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(0);
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.outbox.map((e) => e.DetailType)).toEqual(['Hedge Requested']);
    w.clock.nowMs += 60_000;
    const next = await evaluateAccount(w.evaluateDeps, { accountId: account.accountId, evaluationId: evaluationEventId(account.accountId) });
    expect(next.status).toBe('decided');
    if (next.status === 'decided') expect(next.decision.action).toBe('none'); // the lost hedge is in flight: not requested twice
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(1);
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.outbox).toEqual([]);
    expect((await w.dispatchLatest(account.accountId))[0]!.status).toBe('submitted');
  });

  it('a request whose dispatch message was lost is published again once its hedge has been in flight too long', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4 });
    await w.evaluate(account.accountId); // Hedge Requested published; its dispatch never happens
    const [first] = w.publisher.of('Hedge Requested', account.accountId);
    w.clock.nowMs += 5 * 60_000;
    await w.evaluate(account.accountId);
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(1); // not stale yet
    w.clock.nowMs += 11 * 60_000;
    const later = await w.evaluate(account.accountId);
    if (later.status === 'decided') expect(later.decision.action).toBe('none'); // still in flight: not decided again
    const requests = w.publisher.of('Hedge Requested', account.accountId);
    expect(requests).toHaveLength(2);
    expect(requests[1]).toEqual(first); // the very same request, same event id
    expect((await w.dispatchLatest(account.accountId))[0]!.status).toBe('submitted');
    expect((await w.followUntilFinal(account.accountId)).status).toBe('confirmed');
  });

  it('ten concurrent evaluations of one account: each commits on its own state version, one hedge is requested', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4, config: (c) => ({ ...c, guards: { cooldownMs: 600_000 } }) });
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => evaluateAccount({ ...w.evaluateDeps, maxConflictRetries: 20 }, { accountId: account.accountId, evaluationId: evaluationEventId(account.accountId) })),
    );
    expect(outcomes.every((o) => o.status === 'decided')).toBe(true);
    expect(outcomes.filter((o) => o.status === 'decided' && o.dispatched)).toHaveLength(1);
    expect(w.publisher.of('Hedge Requested', account.accountId)).toHaveLength(1);
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.version).toBe(10);
  });

  it('realised vol: the fallback until two prices were seen, then the EWMA of the oracle', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4, config: (c) => ({ ...c, market: { ...c.market!, vol: { source: 'realised', fallback: 0.5, floor: 0.05 } } }) });
    await w.evaluate(account.accountId);
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.exposure?.market?.vol).toBe(0.5);
    w.clock.nowMs += 600_000;
    await w.setOraclePrice(3060);
    await w.evaluate(account.accountId);
    const vol = (await w.evaluateDeps.evaluations.load(account.accountId))?.exposure?.market?.vol ?? 0;
    expect(vol).not.toBe(0.5);
    expect(vol).toBeGreaterThan(0.05);
  });

  it('an on-chain vol feed: its answer prices the book; a stale feed stops the evaluation', async () => {
    const w = world();
    const receipt = await w.chain.confirm(
      await w.chain.deployer.deployContract({ abi: priceAggregatorAbi, bytecode: priceAggregatorBytecode, args: [8, 'ETH implied vol', parseUnits('0.8', 8)] }),
    );
    const feed = receipt.contractAddress!;
    const account = await w.openAccount({
      shortCalls: 4,
      config: (c) => ({ ...c, market: { ...c.market!, oracle: { ...c.market!.oracle, maxStalenessMs: 86_400_000 }, vol: { source: 'onchain', feed, maxStalenessMs: 600_000 } } }),
    });
    await w.evaluate(account.accountId);
    expect((await w.evaluateDeps.evaluations.load(account.accountId))?.exposure?.market).toMatchObject({ vol: 0.8, volSource: 'onchain' });
    await w.chain.testClient.increaseTime({ seconds: 3600 });
    await w.chain.testClient.mine({ blocks: 1 });
    expect(await w.evaluate(account.accountId)).toMatchObject({ status: 'market-unavailable', code: 'ORACLE_STALE' });
  });
});

describe('a decision with several orders', () => {
  it('an option hedge and the delta hedge of one decision are two hedges: with no option venue the option is skipped, the delta trades', async () => {
    const w = world();
    const expiryMs = w.clock.nowMs + 60 * 86_400_000;
    const account = await w.openAccount({
      shortCalls: 4,
      config: (c) => ({
        ...c,
        limits: { maxAbsGamma: 0.0005, hedgeOptions: [{ id: 'eth-3000-c-60d', optionType: 'call', strike: 3000, expiryMs }] },
      }),
    });
    const evaluation = await w.evaluate(account.accountId);
    if (evaluation.status !== 'decided' || !evaluation.dispatched) throw new Error(`expected a dispatched decision, got ${JSON.stringify(evaluation)}`);
    const kinds = evaluation.decision.orders.map((o) => o.instrument.kind);
    expect(kinds).toContain('option');
    expect(kinds.filter((k) => k !== 'option')).toHaveLength(1);
    const outcomes = await w.dispatchLatest(account.accountId);
    expect(new Set(outcomes.map((o) => o.hedgeId)).size).toBe(outcomes.length);
    expect(outcomes.filter((o) => o.status === 'skipped').map((o) => 'code' in o && o.code)).toEqual(kinds.filter((k) => k === 'option').map(() => 'NO_VENUE_FOR_INSTRUMENT'));
    expect(outcomes.filter((o) => o.status === 'submitted')).toHaveLength(1);
    expect((await w.followUntilFinal(account.accountId)).status).toBe('confirmed');
  });
});

describe('execution details', () => {
  it('waits for the configured confirmation depth before confirming', async () => {
    const w = world();
    const account = await w.openAccount({ shortCalls: 4, config: (c) => ({ ...c, execution: { ...c.execution!, confirmations: 3 } }) });
    await w.evaluate(account.accountId);
    await w.dispatchLatest(account.accountId);
    const submitted = w.publisher.of('Hedge Submitted', account.accountId)[0]!;
    expect(await followHedge(w.followDeps, submitted)).toMatchObject({ status: 'pending', reason: 'confirmations' });
    await w.chain.testClient.mine({ blocks: 1 });
    expect(await followHedge(w.followDeps, submitted)).toMatchObject({ status: 'pending', reason: 'confirmations' });
    await w.chain.testClient.mine({ blocks: 1 });
    expect(await followHedge(w.followDeps, submitted)).toMatchObject({ status: 'confirmed' });
  });

  it('a hedge signed by the KMS account (KMS stand-in: DER, high S) is mined and confirmed', async () => {
    const w = world();
    const kms = createKmsStandIn({ sForm: 'high' });
    await w.fund(kms.address);
    const signerRef = { kind: 'kms', keyId: kms.keyArn } as const;
    const account = await w.openAccount({ shortCalls: 4, config: (c) => ({ ...c, execution: { ...c.execution!, signer: signerRef } }) });
    const kmsSigner = await createKmsTransactionSigner(createAwsKmsDigestSigner({ client: kms, keyId: kms.keyArn }));
    const signers = async (ref: SignerRef) => {
      if (ref.kind !== 'kms' || ref.keyId !== kms.keyArn) throw new Error('unexpected signer');
      return kmsSigner;
    };
    await w.evaluate(account.accountId);
    const requested = w.publisher.of('Hedge Requested', account.accountId)[0]!;
    const [sent] = await dispatchHedge({ ...w.dispatchDeps, signers }, requested);
    expect(sent).toMatchObject({ status: 'submitted' });
    const submitted = w.publisher.of('Hedge Submitted', account.accountId)[0]!;
    expect(submitted.signer.toLowerCase()).toBe(kms.address.toLowerCase());
    expect(await followHedge({ ...w.followDeps, signers }, submitted)).toMatchObject({ status: 'confirmed' });
    expect(kms.signatures.every((s) => s.highS)).toBe(true); // every one normalised before it reached the chain
    expect(kms.commands.filter((c) => c.command === 'Sign').length).toBeGreaterThanOrEqual(2); // approval + swap
  });
});
