/**
 * Load: 1,000 accounts on the local stack's flow (issue #14 §3). The pieces are those of
 * `npm start`: DynamoDB Local and anvil, the local bus routing by the routing table, the
 * scheduler's fan-out, the evaluate function's handler, the dispatch lanes (SQS FIFO
 * semantics: one lane per signer on a chain) with the dispatch function's handler, and
 * the confirm loop with the confirm-hedge handler; the market simulator moves the oracle
 * and the pools each tick. Two layouts of the same 1,000 accounts:
 *  - one lane per account (every account its own signer, as the config API provisions);
 *  - several accounts per lane (100 signers, 10 accounts each: a lane's hedges queue).
 * Evaluations run EVALUATE_CONCURRENCY at a time (a Lambda concurrency), lanes all at once.
 *
 * Per tick it prints: evaluation latency (handler, and since the tick's fan-out), hedges
 * requested and their dispatch latency (queued on the lane → submitted), the longest time
 * any lane had a message waiting while it ran nothing (a starved lane: another lane's
 * work held it back; retries' backoff is excluded), and DynamoDB requests per account.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createWalletClient, http, maxUint256, parseUnits, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createDispatchHandler } from '../functions/dispatch/create-dispatch-handler.ts';
import { createEvaluateHandler } from '../functions/evaluate/create-evaluate-handler.ts';
import { testTokenAbi } from '../shared/adapters/chain/artifacts/test-token.ts';
import { uniswapV3PositionManagerAbi, uniswapV3TickSpacing } from '../shared/adapters/chain/uniswap-v3-artifacts.ts';
import { createDynamoDbClients } from '../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table.ts';
import { createLocalBus, type DeliveredEvent } from '../shared/adapters/local-bus/local-bus.ts';
import { createLocalScheduler } from '../shared/adapters/local-bus/local-scheduler.ts';
import { createSignerRegistry } from '../shared/adapters/signing/local-transaction-signer.ts';
import type { EventPublisher } from '../shared/contracts/events/event-publisher.ts';
import { portfolioExposure } from '../shared/domain/exposure/portfolio-exposure.ts';
import type { Position } from '../shared/domain/exposure/positions.ts';
import { createHedgingStores } from '../shared/runtime/hedging-deps.ts';
import { localConfigDocument, localExecutionConfig, localMarketConfig } from '../local/chain/local-hedge-config.ts';
import { createLocalHedgingDeps } from '../local/chain/local-hedging-deps.ts';
import { INITIAL_PRICE_USD, POOL_FEE, startLocalChain, USDC_DECIMALS, WETH_DECIMALS, type LocalChain } from '../local/chain/local-chain.ts';
import { createMarketSimulator } from '../local/market/market-simulator.ts';
import { createPoolMover } from '../local/market/pool-mover.ts';
import { createConfirmLoop } from '../local/queues/confirm-loop.ts';
import { createDispatchLanes } from '../local/queues/dispatch-lanes.ts';
import { untilReceiptKnown } from '../local/queues/receipt-wait.ts';
import { lambdaContext } from '../local/runtime/sqs-shapes.ts';
import { startDynamoDbLocal } from './support/dynamodb-local.ts';
import { countedDoc, pool, quantile } from './support/measure.ts';

const ACCOUNTS = 1_000;
const TICKS = 4;
const EVALUATE_CONCURRENCY = 32;
const DAY_MS = 86_400_000;
/** A lane that had a message waiting this long while running nothing is starved. */
const STARVED_AFTER_MS = 1_000;
const LAYOUTS = [
  { label: 'one lane per account', signers: ACCOUNTS },
  { label: '10 accounts per lane', signers: ACCOUNTS / 10 },
] as const;

const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(v < 10 ? 1 : 0)}` : '-');

interface TickFigures {
  evaluations: number[];
  evaluationsSinceFanOut: number[];
  dispatches: number[];
  hedgesRequested: number;
  longestLaneGapMs: number;
  starvedLanes: Set<string>;
  reads: number;
  writes: number;
  wallMs: number;
}

export async function runLoadBench(): Promise<void> {
  console.log(`\nLoad: ${ACCOUNTS.toLocaleString('en-US')} accounts on the local stack's flow (DynamoDB Local, anvil, the bus, the lanes, the function handlers)`);
  const started = performance.now();
  const [ddbStart, chainStart] = await Promise.allSettled([startDynamoDbLocal(), startLocalChain()]);
  try {
    if (ddbStart.status === 'rejected') throw ddbStart.reason;
    if (chainStart.status === 'rejected') throw chainStart.reason;
    await deepenPool(chainStart.value);
    const { client, doc } = createDynamoDbClients({ region: 'us-east-1', endpoint: ddbStart.value.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      for (const [index, layout] of LAYOUTS.entries()) await runLayout(doc, client, chainStart.value, `hedge-load-${index}`, layout);
    } finally {
      client.destroy();
    }
  } finally {
    if (chainStart.status === 'fulfilled') await chainStart.value.stop();
    if (ddbStart.status === 'fulfilled') await ddbStart.value.stop();
  }
  console.log(`  section run time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function runLayout(
  rawDoc: Parameters<typeof countedDoc>[0],
  client: Parameters<typeof ensureTable>[0],
  chain: LocalChain,
  tableName: string,
  layout: (typeof LAYOUTS)[number],
): Promise<void> {
  await ensureTable(client, tableName);
  const { doc, counters } = countedDoc(rawDoc);
  const now = (): Date => new Date();
  const stores = createHedgingStores({ doc, tableName, now });
  const keyring = new Map<string, Hex>();
  const registry = createSignerRegistry({ localKeys: keyring });

  // --- the flow, wired as the local stack wires it, with timers around the handlers ----
  const bus = createLocalBus({ concurrency: { evaluate: EVALUATE_CONCURRENCY } });
  let published = 0;
  let hedgesConfirmed = 0;
  let hedgesFailed = 0;
  const failureCodes = new Map<string, number>();
  const publisher: EventPublisher = {
    async publish(entries) {
      published += entries.length;
      for (const entry of entries) {
        if (entry.DetailType === 'Hedge Confirmed') hedgesConfirmed++;
        if (entry.DetailType === 'Hedge Failed') {
          hedgesFailed++;
          const { code } = JSON.parse(entry.Detail) as { code?: string };
          failureCodes.set(code ?? '?', (failureCodes.get(code ?? '?') ?? 0) + 1);
        }
      }
      await bus.publish(entries);
    },
  };
  const hedging = createLocalHedgingDeps({ chain, stores, signers: (ref) => registry.resolve(ref), publisher, now, client: chain.publicClient, approvalPollMs: 25 });

  let figures = newFigures();
  let fanOutAt = 0;
  const evaluate = createEvaluateHandler({ deps: hedging.evaluate });
  bus.subscribe('evaluate', async (event) => {
    const t0 = performance.now();
    await evaluate(event as Parameters<typeof evaluate>[0], lambdaContext('evaluate'));
    const t1 = performance.now();
    figures.evaluations.push(t1 - t0);
    figures.evaluationsSinceFanOut.push(t1 - fanOutAt);
  });

  const enqueuedAt = new Map<string, number>();
  const lastEndOfLane = new Map<string, number>();
  const dispatchHandler = createDispatchHandler({ deps: hedging.dispatch });
  const timedDispatch = async (sqsEvent: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const [record] = sqsEvent.Records;
    const event = JSON.parse(record?.body ?? '{}') as DeliveredEvent;
    const lane = record?.attributes.MessageGroupId ?? '?';
    const start = performance.now();
    const queued = enqueuedAt.get(event.id) ?? start;
    // Waiting while the lane ran nothing: since the later of its enqueue and the lane's last run.
    if (record?.attributes.ApproximateReceiveCount === '1') {
      const gap = start - Math.max(queued, lastEndOfLane.get(lane) ?? 0);
      figures.longestLaneGapMs = Math.max(figures.longestLaneGapMs, gap);
      if (gap > STARVED_AFTER_MS) figures.starvedLanes.add(lane);
    }
    const response = await dispatchHandler(sqsEvent, context);
    const end = performance.now();
    lastEndOfLane.set(lane, end);
    if (response.batchItemFailures.length === 0) figures.dispatches.push(end - queued);
    return response;
  };
  const lanes = createDispatchLanes({ handler: timedDispatch });
  bus.subscribe('dispatch', (event) => {
    figures.hedgesRequested++;
    enqueuedAt.set(event.id, performance.now());
    lanes.enqueue(event);
  });
  const confirmLoop = createConfirmLoop({
    deps: hedging.follow,
    pollMs: 50,
    beforeFirstLook: (event) => untilReceiptKnown(chain.publicClient, (event.detail as { txHash?: string }).txHash),
  });
  bus.subscribe('confirm', (event) => confirmLoop.follow(event));
  const settle = async (): Promise<void> => {
    for (;;) {
      const before = published;
      await bus.idle();
      await lanes.idle();
      await confirmLoop.idle();
      await bus.idle();
      if (published === before) return;
    }
  };

  try {
    // --- accounts, signers and books ---------------------------------------------------
    const seedStart = performance.now();
    const signerNames = Array.from({ length: layout.signers }, (_, i) => `load-${tableName}-${i}`);
    for (const name of signerNames) {
      const key = generatePrivateKey();
      keyring.set(name, key);
      const address = privateKeyToAccount(key).address;
      await chain.testClient.setBalance({ address, value: parseUnits('100', 18) });
      // Mints one after the other: they are the deployer's, whose nonces viem counts as sent.
      await chain.confirm(await chain.deployer.writeContract({ address: chain.addresses.weth, abi: testTokenAbi, functionName: 'mint', args: [address, parseUnits('1000', WETH_DECIMALS)] }));
      await chain.confirm(await chain.deployer.writeContract({ address: chain.addresses.usdc, abi: testTokenAbi, functionName: 'mint', args: [address, parseUnits('3000000', USDC_DECIMALS)] }));
    }
    const spot = INITIAL_PRICE_USD;
    const ids = Array.from({ length: ACCOUNTS }, (_, i) => `load-${String(i).padStart(4, '0')}-${randomUUID().slice(0, 6)}`);
    await pool(ids, 32, async (accountId) => {
      const i = ids.indexOf(accountId);
      // Books of 2 to 17 calls, short and long by turns: their delta moves by 0.1–0.9 ETH on
      // a 1% move, so a share of the accounts leaves its ±0.25 ETH band at each tick, and
      // their hedges go both ways through the pool, as many desks' would.
      const calls: Position = { id: 'calls-3000', underlying: 'ETH', kind: 'option', optionType: 'call', strike: 3000, expiryMs: Date.now() + 30 * DAY_MS, quantity: (i % 2 === 0 ? -1 : 1) * (2 + ((i >> 1) % 16)) };
      const delta = portfolioExposure([calls], { ETH: { spot, vol: 0.6, rate: 0, yield: 0 } }, Date.now())[0]!.delta;
      const config = localConfigDocument({
        underlying: 'ETH',
        hedgeInstrument: 'spot',
        band: { unit: 'units', trigger: 0.25, target: 'zero' },
        market: localMarketConfig(chain),
        execution: localExecutionConfig(chain, signerNames[i % layout.signers]!, { maxSlippageBps: 300 }),
      });
      await stores.accounts.createAccount({ accountId, displayName: `Load ${i}` }, 'bench:seed');
      await stores.configs.putConfig(accountId, config, 0, 'bench:seed');
      await stores.positions.putPosition(accountId, calls, 'manual');
      // Hedged at the start: the load is the ticks' re-hedges, not one opening trade each.
      await stores.positions.putPosition(accountId, { id: 'hedge-ETH', underlying: 'ETH', kind: 'spot', quantity: -delta }, 'hedge');
    });
    const maker = createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), chain: chain.chain, transport: http(chain.rpcUrl), pollingInterval: 10 });
    const market = createMarketSimulator({ chain, pool: await createPoolMover(chain, maker), seed: 7, vol: 0.8, stepYears: 1 / 8760 });
    const scheduler = createLocalScheduler({
      everyMs: 60_000,
      listAccounts: async () => {
        const listed: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await stores.accounts.listActiveAccounts(cursor === undefined ? { limit: 1000 } : { limit: 1000, cursor });
          listed.push(...page.items.map((item) => item.accountId));
          cursor = page.cursor;
        } while (cursor !== undefined);
        return listed;
      },
      publisher,
    });
    console.log(`\n  ${layout.label}: ${ACCOUNTS} accounts, ${layout.signers} signers (lanes); seeded and funded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    console.log(
      `  ${'tick'.padEnd(5)} ${'price'.padStart(7)} ${'evals'.padStart(6)} ${'eval p50/p99 ms'.padStart(16)} ${'since fan-out p99'.padStart(18)} ${'hedges'.padStart(7)} ${'dispatch p50/p99 ms'.padStart(20)} ${'lane gap max'.padStart(13)} ${'DDB req/acct r/w'.padStart(17)} ${'wall s'.padStart(7)}`,
    );
    let starved = 0;
    let tickAt = Date.now();
    for (let tick = 1; tick <= TICKS; tick++) {
      const point = await market.step();
      figures = newFigures();
      counters.reads = 0;
      counters.writes = 0;
      tickAt = Math.max(Date.now(), tickAt + 1);
      const t0 = performance.now();
      fanOutAt = t0;
      await scheduler.tick(tickAt);
      await settle();
      figures.wallMs = performance.now() - t0;
      figures.reads = counters.reads;
      figures.writes = counters.writes;
      starved += figures.starvedLanes.size;
      const e = [...figures.evaluations].sort((a, b) => a - b);
      const f = [...figures.evaluationsSinceFanOut].sort((a, b) => a - b);
      const d = [...figures.dispatches].sort((a, b) => a - b);
      console.log(
        `  ${String(tick).padEnd(5)} ${point.oracle.toFixed(0).padStart(7)} ${String(e.length).padStart(6)} ${`${ms(quantile(e, 0.5))} / ${ms(quantile(e, 0.99))}`.padStart(16)} ${ms(quantile(f, 0.99)).padStart(18)} ${String(figures.hedgesRequested).padStart(7)} ${(d.length === 0 ? '-' : `${ms(quantile(d, 0.5))} / ${ms(quantile(d, 0.99))}`).padStart(20)} ${ms(figures.longestLaneGapMs).padStart(13)} ${`${(figures.reads / ACCOUNTS).toFixed(1)} / ${(figures.writes / ACCOUNTS).toFixed(1)}`.padStart(17)} ${(figures.wallMs / 1000).toFixed(1).padStart(7)}`,
      );
    }
    console.log(`  hedges confirmed ${hedgesConfirmed}, failed ${hedgesFailed}${failureCodes.size === 0 ? '' : ` (${[...failureCodes].map(([code, n]) => `${code} ${n}`).join(', ')})`}, dead letters ${lanes.deadLetters.length}; lanes starved (a message waited > ${STARVED_AFTER_MS} ms while its lane ran nothing): ${starved}`);
  } finally {
    await bus.stop();
    await lanes.stop();
    await confirmLoop.stop();
  }
}

function newFigures(): TickFigures {
  return { evaluations: [], evaluationsSinceFanOut: [], dispatches: [], hedgesRequested: 0, longestLaneGapMs: 0, starvedLanes: new Set(), reads: 0, writes: 0, wallMs: 0 };
}

/**
 * Adds 20,000 WETH (and its USDC) of full-range liquidity to the hedging pool: the local
 * chain's 1,000 WETH would make the test one of pool depth (hundreds of hedges a tick in
 * one pool), not of the flow's capacity.
 */
async function deepenPool(chain: LocalChain): Promise<void> {
  const { weth, usdc, nonfungiblePositionManager } = chain.addresses;
  const { token0, token1, wethIsToken0 } = chain.pool;
  const amounts = { weth: parseUnits('20000', WETH_DECIMALS), usdc: parseUnits(String(20_000 * INITIAL_PRICE_USD), USDC_DECIMALS) };
  for (const [token, amount] of [
    [weth, amounts.weth],
    [usdc, amounts.usdc],
  ] as const) {
    await chain.confirm(await chain.deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [chain.deployer.account.address, amount] }));
    await chain.confirm(await chain.deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'approve', args: [nonfungiblePositionManager, maxUint256] }));
  }
  const spacing = uniswapV3TickSpacing[POOL_FEE];
  const maxTick = Math.floor(887272 / spacing) * spacing;
  const [amount0Desired, amount1Desired] = wethIsToken0 ? [amounts.weth, amounts.usdc] : [amounts.usdc, amounts.weth];
  await chain.confirm(
    await chain.deployer.writeContract({
      address: nonfungiblePositionManager,
      abi: uniswapV3PositionManagerAbi,
      functionName: 'mint',
      args: [{ token0, token1, fee: POOL_FEE, tickLower: -maxTick, tickUpper: maxTick, amount0Desired, amount1Desired, amount0Min: 0n, amount1Min: 0n, recipient: chain.deployer.account.address, deadline: maxUint256 }],
      gas: 8_000_000n,
    }),
  );
}
