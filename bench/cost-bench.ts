/**
 * What an account costs on AWS a month (issue #18 §3): the usage of the real flow,
 * measured here, priced with the dated list prices (shared/domain/cost).
 *
 * Measured on DynamoDB Local and anvil with the production use cases and adapters:
 *  - DynamoDB request units as DynamoDB reports them: every command of the repositories
 *    is sent with ReturnConsumedCapacity TOTAL (DynamoDB Local computes the units as the
 *    service does: item sizes, transactions at 2×, eventually consistent reads at ½);
 *  - the calls each handler would wait on (DynamoDB, JSON-RPC, KMS signs, publishes);
 *  - events published, and this process's CPU time in each use case (the compute part of
 *    a Lambda's duration);
 *  - the bytes the use cases write to the log.
 * One account with a short-call book on the local Uniswap pool: 30 quiet evaluations (the
 * oracle unmoved), then 10 hedges (oracle and pool moved 3%, evaluate → dispatch → follow to
 * confirmed). The fan-out's share per account is measured over 1,000 accounts.
 * The profile is written to test/output/bench/cost-profile.json; `hedge cost` prices any
 * scenario from the profile committed in shared/domain/cost/measured-profile.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPublicClient, createWalletClient, http, parseUnits, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { priceAggregatorAbi } from '../shared/adapters/chain/artifacts/price-aggregator.ts';
import { testTokenAbi } from '../shared/adapters/chain/artifacts/test-token.ts';
import { createAccountRepository } from '../shared/adapters/dynamodb/account-repository.ts';
import { createSignerRegistry } from '../shared/adapters/signing/local-transaction-signer.ts';
import { followHedge } from '../shared/app/confirm-hedge/follow-hedge.ts';
import { dispatchHedge } from '../shared/app/dispatch/dispatch-hedge.ts';
import { evaluateAccount } from '../shared/app/evaluate/evaluate-account.ts';
import { fanOutTick } from '../shared/app/schedule-fan-out/fan-out.ts';
import { decodeEventOf } from '../shared/contracts/events/decode-event.ts';
import { entrySizeBytes, type EventEntry } from '../shared/contracts/events/event-entry.ts';
import type { EventPublisher } from '../shared/contracts/events/event-publisher.ts';
import { AWS_LIST_PRICES } from '../shared/domain/cost/aws-list-prices.ts';
import { DEFAULT_SCENARIO, monthlyCost, type FunctionName, type InvocationTotals, type UsageProfile, type WorkUsage } from '../shared/domain/cost/monthly-cost.ts';
import { createHedgingStores } from '../shared/runtime/hedging-deps.ts';
import { localConfigDocument, localExecutionConfig, localMarketConfig } from '../local/chain/local-hedge-config.ts';
import { createLocalHedgingDeps } from '../local/chain/local-hedging-deps.ts';
import { createPoolMover } from '../local/market/pool-mover.ts';
import { AGGREGATOR_DECIMALS, INITIAL_PRICE_USD, USDC_DECIMALS, WETH_DECIMALS, type ChainFixture } from '../test/support/chain-fixture.ts';
import { pool } from './support/measure.ts';

const QUIET_EVALUATIONS = 30;
const HEDGES = 10;
const FAN_OUT_ACCOUNTS = 1_000;
const MOVE = 0.03;
const DAY_MS = 86_400_000;
const PROFILE_OUT = 'test/output/bench/cost-profile.json';

type Phase = FunctionName;
const WRITE_COMMANDS = [PutCommand, UpdateCommand, DeleteCommand, TransactWriteCommand, BatchWriteCommand];

interface PhaseCounters {
  invocations: number;
  computeMs: number;
  dynamoDbCalls: number;
  rpcCalls: number;
  kmsCalls: number;
  publishCalls: number;
  logBytes: number;
  readUnits: number;
  writeUnits: number;
  events: number;
}
const zero = (): PhaseCounters => ({ invocations: 0, computeMs: 0, dynamoDbCalls: 0, rpcCalls: 0, kmsCalls: 0, publishCalls: 0, logBytes: 0, readUnits: 0, writeUnits: 0, events: 0 });

/** Counters by the phase (function) running now; the bench runs one use case at a time. */
class Meter {
  phase: Phase = 'evaluate';
  counters = new Map<Phase, PhaseCounters>();
  of(phase: Phase = this.phase): PhaseCounters {
    let c = this.counters.get(phase);
    if (c === undefined) this.counters.set(phase, (c = zero()));
    return c;
  }
  reset(): void {
    this.counters = new Map();
  }
  /** Runs one invocation of `phase`: its CPU time and its log bytes counted. */
  async invoke<T>(phase: Phase, run: () => Promise<T>): Promise<T> {
    this.phase = phase;
    const counters = this.of(phase);
    counters.invocations++;
    const restore = captureLogBytes((bytes) => (counters.logBytes += bytes));
    const cpu = process.cpuUsage();
    try {
      return await run();
    } finally {
      const used = process.cpuUsage(cpu);
      counters.computeMs += (used.user + used.system) / 1000;
      restore();
    }
  }
}

/** Counts what the process writes to stdout and stderr (what Lambda would ship to CloudWatch Logs). */
function captureLogBytes(count: (bytes: number) => void): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      count(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength);
      return (originals[i] as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  return () => streams.forEach((stream, i) => (stream.write = originals[i] as typeof stream.write));
}

/** The document client with every command asking for, and counting, its consumed capacity. */
function meteredDoc(doc: DynamoDBDocumentClient, meter: Meter): DynamoDBDocumentClient {
  const wrapped = Object.create(doc) as DynamoDBDocumentClient;
  wrapped.send = (async (command: { input: Record<string, unknown> }) => {
    command.input.ReturnConsumedCapacity = 'TOTAL';
    const counters = meter.of();
    counters.dynamoDbCalls++;
    const out = (await (doc.send as (c: object) => Promise<{ ConsumedCapacity?: unknown }>)(command)) ?? {};
    const consumed = ([] as { CapacityUnits?: number }[]).concat((out.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined) ?? []);
    const units = consumed.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
    if (WRITE_COMMANDS.some((type) => command instanceof type)) counters.writeUnits += units;
    else counters.readUnits += units;
    return out;
  }) as DynamoDBDocumentClient['send'];
  return wrapped;
}

function meteredPublisher(meter: Meter, kept: EventEntry[]): EventPublisher {
  return {
    publish(entries) {
      const counters = meter.of();
      counters.publishCalls++;
      for (const entry of entries) counters.events += Math.ceil(entrySizeBytes(entry) / 65_536);
      kept.push(...entries);
      return Promise.resolve();
    },
  };
}

const totalsOf = (c: PhaseCounters, per: number): InvocationTotals => ({
  invocations: c.invocations / per,
  computeMs: c.computeMs / per,
  dynamoDbCalls: c.dynamoDbCalls / per,
  rpcCalls: c.rpcCalls / per,
  kmsCalls: c.kmsCalls / per,
  publishCalls: c.publishCalls / per,
  logBytes: c.logBytes / per,
});

/** Work that touches the table and the bus only (no queue, no signature), per unit of `per`. */
const storeOnlyUsage = (functions: WorkUsage['functions'], c: PhaseCounters, per: number): WorkUsage => ({
  functions,
  readUnits: c.readUnits / per,
  writeUnits: c.writeUnits / per,
  events: c.events / per,
  fifoRequests: 0,
  standardQueueRequests: 0,
  kmsRequests: 0,
});

export async function runCostBench(doc: DynamoDBDocumentClient, chain: ChainFixture, tableName: string): Promise<UsageProfile> {
  const meter = new Meter();
  const entries: EventEntry[] = [];
  const publisher = meteredPublisher(meter, entries);
  const now = (): Date => new Date();
  const stores = createHedgingStores({ doc: meteredDoc(doc, meter), tableName, now });
  const client = createPublicClient({
    chain: chain.chain,
    transport: http(chain.rpcUrl, {
      onFetchRequest: (_request, init) => {
        const body = typeof init.body === 'string' ? init.body : '';
        meter.of().rpcCalls += body.startsWith('[') ? (JSON.parse(body) as unknown[]).length : 1;
      },
    }),
    pollingInterval: 10,
  });
  const keyring = new Map<string, Hex>();
  const registry = createSignerRegistry({ localKeys: keyring });
  // A KMS signer makes one Sign request per transaction (its public key is read once per cold start).
  const signers = async (ref: Parameters<typeof registry.resolve>[0]) => {
    const signer = await registry.resolve(ref);
    return {
      address: signer.address,
      signTransaction: (request: Parameters<typeof signer.signTransaction>[0]) => {
        meter.of().kmsCalls++;
        return signer.signTransaction(request);
      },
    };
  };
  const hedging = createLocalHedgingDeps({ chain, stores, signers, publisher, now, client, approvalPollMs: 10 });

  // --- one account, its signer funded, a short-call book -----------------------------------
  const accountId = `cost-${randomUUID().slice(0, 8)}`;
  const signerName = `signer-${accountId}`;
  const key = generatePrivateKey();
  keyring.set(signerName, key);
  const signer = privateKeyToAccount(key).address;
  await chain.testClient.setBalance({ address: signer, value: parseUnits('100', 18) });
  for (const [token, amount] of [
    [chain.addresses.weth, parseUnits('100', WETH_DECIMALS)],
    [chain.addresses.usdc, parseUnits('1000000', USDC_DECIMALS)],
  ] as const) {
    await chain.confirm(await chain.deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [signer, amount] }));
  }
  await stores.accounts.createAccount({ accountId, displayName: 'Cost desk' }, 'bench:seed');
  await stores.configs.putConfig(
    accountId,
    localConfigDocument({ underlying: 'ETH', hedgeInstrument: 'spot', band: { unit: 'units', trigger: 0.25, target: 'zero' }, market: localMarketConfig(chain), execution: localExecutionConfig(chain, signerName) }),
    0,
    'bench:seed',
  );
  await stores.positions.putPosition(accountId, { id: 'calls-3000', underlying: 'ETH', kind: 'option', optionType: 'call', strike: 3000, expiryMs: Date.now() + 30 * DAY_MS, quantity: -4 }, 'manual');
  const evaluate = () => evaluateAccount(hedging.evaluate, { accountId, evaluationId: `evt_${randomUUID().replaceAll('-', '')}` });
  let looks = 0;
  // The first evaluation hedges the opening delta; then the book sits inside its band.
  await hedgeOnce();

  // --- quiet evaluations ----------------------------------------------------------------
  meter.reset();
  for (let i = 0; i < QUIET_EVALUATIONS; i++) {
    const outcome = await meter.invoke('evaluate', evaluate);
    if (outcome.status !== 'decided' || outcome.dispatched) throw new Error(`a quiet evaluation was not quiet: ${JSON.stringify(outcome)}`);
  }
  const quiet = meter.of('evaluate');
  const quietEvaluation = storeOnlyUsage({ evaluate: totalsOf(quiet, QUIET_EVALUATIONS) }, quiet, QUIET_EVALUATIONS);

  // --- hedges ---------------------------------------------------------------------------------
  const maker = createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), chain: chain.chain, transport: http(chain.rpcUrl), pollingInterval: 10 });
  const poolMover = await createPoolMover(chain, maker);
  meter.reset();
  looks = 0;
  async function hedgeOnce(): Promise<void> {
    entries.length = 0;
    const evaluation = await meter.invoke('evaluate', evaluate);
    if (evaluation.status !== 'decided' || !evaluation.dispatched) throw new Error(`the evaluation did not hedge: ${JSON.stringify(evaluation)}`);
    const requested = entries.find((entry) => entry.DetailType === 'Hedge Requested');
    if (requested === undefined) throw new Error('no Hedge Requested');
    // enqueue-dispatch: one SQS SendMessage per Hedge Requested (its own CPU is a JSON copy).
    const enqueue = meter.of('enqueue-dispatch');
    enqueue.invocations++;
    enqueue.publishCalls++;
    const [outcome] = await meter.invoke('dispatch', () => dispatchHedge({ ...hedging.dispatch, owner: 'cost-bench' }, decodeEventOf('Hedge Requested', requested).detail));
    if (outcome?.status !== 'submitted') throw new Error(`dispatch did not submit: ${JSON.stringify(outcome)}`);
    const submitted = entries.find((entry) => entry.DetailType === 'Hedge Submitted');
    if (submitted === undefined) throw new Error('no Hedge Submitted');
    const detail = decodeEventOf('Hedge Submitted', submitted).detail;
    await chain.publicClient.waitForTransactionReceipt({ hash: detail.txHash as Hex, pollingInterval: 10 });
    for (let look = 0; look < 20; look++) {
      looks++;
      const followed = await meter.invoke('confirm-hedge', () => followHedge(hedging.follow, detail));
      if (followed.status === 'confirmed') return;
      if (followed.status !== 'pending') throw new Error(`the hedge ended ${JSON.stringify(followed)}`);
    }
    throw new Error('the hedge was not confirmed in 20 looks');
  }
  for (let i = 0; i < HEDGES; i++) {
    const usd = INITIAL_PRICE_USD * (i % 2 === 0 ? 1 + MOVE : 1 - MOVE);
    await poolMover.moveTo(usd);
    await chain.confirm(await chain.deployer.writeContract({ address: chain.addresses.priceAggregator, abi: priceAggregatorAbi, functionName: 'updateAnswer', args: [parseUnits(usd.toFixed(AGGREGATOR_DECIMALS), AGGREGATOR_DECIMALS)] }));
    await hedgeOnce();
  }
  const phases: FunctionName[] = ['evaluate', 'enqueue-dispatch', 'dispatch', 'confirm-hedge'];
  const functions: WorkUsage['functions'] = {};
  for (const phase of phases) {
    const c = meter.of(phase);
    // The hedge's evaluation is a quiet one plus what deciding adds: only the extra is the hedge's.
    const base = phase === 'evaluate' ? quiet : zero();
    const q = phase === 'evaluate' ? QUIET_EVALUATIONS : 1;
    functions[phase] = {
      invocations: phase === 'evaluate' ? 0 : c.invocations / HEDGES,
      computeMs: Math.max(0, c.computeMs / HEDGES - base.computeMs / q),
      dynamoDbCalls: Math.max(0, c.dynamoDbCalls / HEDGES - base.dynamoDbCalls / q),
      rpcCalls: Math.max(0, c.rpcCalls / HEDGES - base.rpcCalls / q),
      kmsCalls: c.kmsCalls / HEDGES,
      publishCalls: Math.max(0, c.publishCalls / HEDGES - base.publishCalls / q),
      logBytes: Math.max(0, c.logBytes / HEDGES - base.logBytes / q),
    };
  }
  const all = (pick: (c: PhaseCounters) => number): number => phases.reduce((s, p) => s + pick(meter.of(p)), 0) / HEDGES;
  const looksPerHedge = looks / HEDGES;
  const hedge: WorkUsage = {
    functions,
    readUnits: all((c) => c.readUnits) - quiet.readUnits / QUIET_EVALUATIONS,
    writeUnits: all((c) => c.writeUnits) - quiet.writeUnits / QUIET_EVALUATIONS,
    events: all((c) => c.events) - quiet.events / QUIET_EVALUATIONS,
    // The FIFO dispatch queue: SendMessage, then Lambda's receive and delete.
    fifoRequests: 3,
    // The confirmation queue: EventBridge's send, Lambda's receive and delete, and per later look a visibility change and a receive.
    standardQueueRequests: 3 + 2 * (looksPerHedge - 1),
    kmsRequests: all((c) => c.kmsCalls),
  };

  // --- the fan-out's share per account -----------------------------------------------------
  meter.reset();
  const fanOutAccounts = createAccountRepository({ doc: meteredDoc(doc, meter), tableName });
  const ids = Array.from({ length: FAN_OUT_ACCOUNTS - 1 }, (_, i) => `cost-fan-${i}-${randomUUID().slice(0, 6)}`);
  await pool(ids, 32, async (id) => {
    await stores.accounts.createAccount({ accountId: id, displayName: id }, 'bench:seed');
  });
  meter.reset();
  const fanOutPublisher = meteredPublisher(meter, []);
  const result = await meter.invoke('ingest-schedule', () => fanOutTick({ accounts: fanOutAccounts, publisher: fanOutPublisher }, Date.now()));
  const fan = meter.of('ingest-schedule');
  const n = result.accounts;
  const fanOutPerAccount = storeOnlyUsage({ 'ingest-schedule': { ...totalsOf(fan, n), invocations: 0 } }, fan, n);

  const profile: UsageProfile = { measuredOn: new Date().toISOString().slice(0, 10), command: 'npm run bench (bench/cost-bench.ts)', quietEvaluation, hedge, fanOutPerAccount };
  mkdirSync('test/output/bench', { recursive: true });
  writeFileSync(PROFILE_OUT, `${JSON.stringify(profile, null, 2)}\n`);
  printProfile(profile, looksPerHedge);
  return profile;
}

function printProfile(profile: UsageProfile, looksPerHedge: number): void {
  const q = profile.quietEvaluation;
  const h = profile.hedge;
  const e = q.functions.evaluate!;
  console.log(`\nCost per account-month on AWS (list prices of ${AWS_LIST_PRICES.asOf}, ${AWS_LIST_PRICES.region}; usage measured here, written to ${PROFILE_OUT})`);
  console.log(
    `  a quiet evaluation: ${q.readUnits.toFixed(1)} RRU, ${q.writeUnits.toFixed(1)} WRU, ${q.events.toFixed(1)} events, ${e.dynamoDbCalls.toFixed(1)} DynamoDB + ${e.rpcCalls.toFixed(1)} RPC calls, ${e.computeMs.toFixed(1)} ms CPU, ${e.logBytes.toFixed(0)} log bytes`,
  );
  console.log(
    `  a hedge adds: ${h.readUnits.toFixed(1)} RRU, ${h.writeUnits.toFixed(1)} WRU, ${h.events.toFixed(1)} events, ${h.kmsRequests.toFixed(1)} KMS signs, ${looksPerHedge.toFixed(1)} confirm looks; dispatch ${h.functions.dispatch!.rpcCalls.toFixed(0)} RPC + ${h.functions.dispatch!.dynamoDbCalls.toFixed(0)} DynamoDB calls, ${h.functions.dispatch!.computeMs.toFixed(1)} ms CPU`,
  );
  console.log(`  the fan-out per account: ${profile.fanOutPerAccount.readUnits.toFixed(3)} RRU, ${profile.fanOutPerAccount.events.toFixed(1)} event`);
  const scenario = DEFAULT_SCENARIO;
  console.log(`  scenario: latency DynamoDB ${scenario.latencyMs.dynamoDb} ms, RPC ${scenario.latencyMs.rpc} ms, KMS ${scenario.latencyMs.kms} ms, publish ${scenario.latencyMs.publish} ms; ${scenario.coldStartShare * 100}% cold starts; 512 MB (enqueue 256 MB)`);
  console.log(`  ${'cadence'.padEnd(8)} ${'hedges/day'.padStart(10)} ${'per account-month'.padStart(18)}   the three largest lines`);
  for (const cadenceMinutes of [1, 5]) {
    for (const hedgesPerDay of [0, 10, 100]) {
      const cost = monthlyCost(profile, { ...scenario, cadenceMinutes, hedgesPerDay }, AWS_LIST_PRICES);
      const top = [...cost.perAccount].sort((a, b) => b.usd - a.usd).slice(0, 3);
      console.log(`  ${`${cadenceMinutes} min`.padEnd(8)} ${String(hedgesPerDay).padStart(10)} ${`$${cost.perAccountUsd.toFixed(2)}`.padStart(18)}   ${top.map((line) => `${line.service} ${line.item} $${line.usd.toFixed(2)}`).join('; ')}`);
    }
  }
  const fixed = monthlyCost(profile, scenario, AWS_LIST_PRICES);
  console.log(`  plus the deployment's fixed $${fixed.fixedUsd.toFixed(2)} a month (${fixed.fixed.map((line) => `${line.item} $${line.usd.toFixed(2)}`).join('; ')})`);
}
