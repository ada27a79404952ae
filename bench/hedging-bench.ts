/**
 * The hedging flow on real parts (issue #6): DynamoDB Local (in memory, 127.0.0.1) and
 * anvil with the chain fixture (Uniswap V3 pool, our PriceAggregator), the production
 * repositories and viem adapters, the use cases evaluate → dispatch.
 *
 * 1. Evaluations per second on one Node core: accounts whose book sits inside its band
 *    (no-op ticks) and whose config has NO execution block (so even a decision to trade
 *    would dispatch nothing), evaluated one after another and 8 at a time (I/O overlap in
 *    the same process), with a per-port time breakdown and the DynamoDB writes per
 *    evaluation counted at the document client. Again with the market reader cached per
 *    tick (one oracle read shared by every account of the tick).
 * 2. Latency from a price move to a submitted swap: the pool is moved by a trader's swap
 *    and the oracle by updateAnswer; the clock starts at the oracle update's receipt and
 *    stops when dispatchHedge returns 'submitted'. The handoff between the two use cases
 *    is in-process: in the cloud EventBridge and SQS sit between them.
 *
 * The test helpers that import vitest (dynamodb-local, hedging-world) are not used;
 * test/support/chain-fixture.ts and local/chain/anvil.ts are: anvil.ts finds the binary with
 * createRequire from its own URL, which after bundling is test/output/bench/bench.mjs,
 * still inside the repository, so node_modules is found by walking up.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPublicClient, createWalletClient, http, maxUint256, parseUnits, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { priceAggregatorAbi } from '../shared/adapters/chain/artifacts/price-aggregator.ts';
import { testTokenAbi } from '../shared/adapters/chain/artifacts/test-token.ts';
import { uniswapV3PoolAbi, uniswapV3SwapRouterAbi } from '../shared/adapters/chain/uniswap-v3-artifacts.ts';
import { createViemMarketReader } from '../shared/adapters/chain/viem-market-reader.ts';
import { createAccountRepository } from '../shared/adapters/dynamodb/account-repository.ts';
import { createConfigRepository } from '../shared/adapters/dynamodb/config-repository.ts';
import { createDynamoDbClients } from '../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table.ts';
import { createEvaluationRepository } from '../shared/adapters/dynamodb/evaluation-repository.ts';
import { createPositionRepository } from '../shared/adapters/dynamodb/position-repository.ts';
import { createSignerRegistry } from '../shared/adapters/signing/local-transaction-signer.ts';
import { followHedge } from '../shared/app/confirm-hedge/follow-hedge.ts';
import { dispatchHedge, type DispatchDeps } from '../shared/app/dispatch/dispatch-hedge.ts';
import { evaluateAccount, type EvaluateDeps } from '../shared/app/evaluate/evaluate-account.ts';
import type { MarketReader } from '../shared/app/execution-ports.ts';
import { decodeEventOf } from '../shared/contracts/events/decode-event.ts';
import type { EventDetail } from '../shared/contracts/events/event-definitions.ts';
import type { EventEntry } from '../shared/contracts/events/event-entry.ts';
import type { EventPublisher } from '../shared/contracts/events/event-publisher.ts';
import { AccountConfigDocumentSchema } from '../shared/contracts/account-config.ts';
import { portfolioExposure } from '../shared/domain/exposure/portfolio-exposure.ts';
import type { Position } from '../shared/domain/exposure/positions.ts';
import { AGGREGATOR_DECIMALS, encodeSqrtPriceX96, INITIAL_PRICE_USD, POOL_FEE, startChainFixture, USDC_DECIMALS, WETH_DECIMALS, type ChainFixture, SWAP_GAS_LIMIT } from '../test/support/chain-fixture.ts';
import { startDynamoDbLocal } from './support/dynamodb-local.ts';
import { BusyTime, countedDoc, pool, quantile } from './support/measure.ts';
import { localConfigDocument, localExecutionConfig, localMarketConfig } from '../local/chain/local-hedge-config.ts';
import { createHedgingStores, runtimeConfigs } from '../shared/runtime/hedging-deps.ts';
import { createLocalHedgingDeps } from '../local/chain/local-hedging-deps.ts';

const TABLE = 'hedge-bench-hedging';
const ACCOUNTS = 200;
const CONCURRENCY = 8;
const DAY_MS = 86_400_000;
/** Each move swings the price this far from 3000, alternately up and down: 2×3 % ≈ 180 USD, ≈ 0.55 ETH of delta for 4 short ATM calls. */
const MOVE = 0.03;
const MOVES_WITH_APPROVAL = 19;
const MOVES_WITH_ALLOWANCE = 10;

// ---------------------------------------------------------------- measuring helpers

function timedReader(reader: MarketReader, busy: BusyTime): MarketReader {
  return {
    chainId: reader.chainId,
    readOracle: (aggregator) => busy.time(() => reader.readOracle(aggregator)),
    readPoolPrice: (ref) => busy.time(() => reader.readPoolPrice(ref)),
    latestBlockTimeMs: () => busy.time(() => reader.latestBlockTimeMs()),
  };
}

/**
 * One oracle read and one block-time read per tick, shared by every account of the tick:
 * what a tick-level cache in the evaluator would save. Failures are not cached.
 */
function perTickReader(reader: MarketReader): { reader: MarketReader; nextTick(): void } {
  let oracles = new Map<string, ReturnType<MarketReader['readOracle']>>();
  let blockTime: Promise<number> | undefined;
  return {
    nextTick() {
      oracles = new Map();
      blockTime = undefined;
    },
    reader: {
      chainId: reader.chainId,
      readOracle(aggregator) {
        const key = aggregator.toLowerCase();
        let reading = oracles.get(key);
        if (reading === undefined) {
          reading = reader.readOracle(aggregator);
          oracles.set(key, reading);
          reading.catch(() => oracles.delete(key));
        }
        return reading;
      },
      readPoolPrice: (ref) => reader.readPoolPrice(ref),
      latestBlockTimeMs() {
        if (blockTime === undefined) {
          const read = reader.latestBlockTimeMs();
          blockTime = read;
          read.catch(() => {
            if (blockTime === read) blockTime = undefined;
          });
        }
        return blockTime;
      },
    },
  };
}

const ms = (v: number): string => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const newEvaluationId = (): string => `evt_${randomUUID().replaceAll('-', '')}`;

/** Keeps the entries published (the bus, in-process); decoding is left to whoever reads them. */
function keptEntriesPublisher(): EventPublisher & { entries: EventEntry[] } {
  const entries: EventEntry[] = [];
  return {
    entries,
    publish(batch) {
      entries.push(...batch);
      return Promise.resolve();
    },
  };
}

// ---------------------------------------------------------------- the bench

export async function runHedgingBench(): Promise<void> {
  console.log('\nHedging flow on DynamoDB Local (in memory) and anvil (Uniswap V3 pool, PriceAggregator), production adapters');
  const started = performance.now();
  // Both servers start at once; whichever started is stopped even if the other failed.
  const [ddbStart, chainStart] = await Promise.allSettled([startDynamoDbLocal(), startChainFixture()]);
  try {
    if (ddbStart.status === 'rejected') throw ddbStart.reason;
    if (chainStart.status === 'rejected') throw chainStart.reason;
    const chain = chainStart.value;
    const { client, doc: rawDoc } = createDynamoDbClients({ region: 'us-east-1', endpoint: ddbStart.value.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      await ensureTable(client, TABLE);
      console.log(`  started in ${((performance.now() - started) / 1000).toFixed(1)} s (anvil ${ms(chain.startup.anvilMs)}, fixture deployment ${ms(chain.startup.deployMs)})`);
      await evaluationThroughput(rawDoc, chain);
      await priceMoveToSubmission(rawDoc, chain);
      const { priceMoveToOptionHedge } = await import('./option-hedge-bench.ts');
      await priceMoveToOptionHedge(rawDoc, chain);
      const { runCostBench } = await import('./cost-bench.ts');
      await runCostBench(rawDoc, chain, TABLE);
    } finally {
      client.destroy();
    }
  } finally {
    if (chainStart.status === 'fulfilled') await chainStart.value.stop();
    if (ddbStart.status === 'fulfilled') await ddbStart.value.stop();
  }
  console.log(`  section run time ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ---------------------------------------------------------------- 1. evaluations per second

async function evaluationThroughput(rawDoc: DynamoDBDocumentClient, chain: ChainFixture): Promise<void> {
  const { doc, counters } = countedDoc(rawDoc);
  const rpc = new BusyTime();
  let rpcRequests = 0;
  const client = createPublicClient({ chain: chain.chain, transport: http(chain.rpcUrl, { onFetchRequest: () => void rpcRequests++ }) });
  const market = timedReader(createViemMarketReader({ client, chainId: chain.chain.id }), rpc);
  const cached = perTickReader(market);
  const accounts = createAccountRepository({ doc, tableName: TABLE });
  const configs = createConfigRepository({ doc, tableName: TABLE, schema: AccountConfigDocumentSchema });
  const positions = createPositionRepository({ doc, tableName: TABLE });
  const published = keptEntriesPublisher();
  const deps = (reader: MarketReader): EvaluateDeps => ({
    configs: runtimeConfigs(configs),
    accounts,
    positions,
    evaluations: createEvaluationRepository({ doc, tableName: TABLE }),
    markets: (chainId) => (chainId === chain.chain.id ? reader : undefined),
    publisher: published,
    now: () => new Date(),
  });

  // A book inside its ±0.25 ETH band: short calls, long puts, and the spot that zeroes their delta.
  const nowMs = Date.now();
  const options: Position[] = [
    { id: 'calls-3000', underlying: 'ETH', kind: 'option', optionType: 'call', strike: 3000, expiryMs: nowMs + 30 * DAY_MS, quantity: -4 },
    { id: 'puts-2800', underlying: 'ETH', kind: 'option', optionType: 'put', strike: 2800, expiryMs: nowMs + 60 * DAY_MS, quantity: 2 },
  ];
  const optionDelta = portfolioExposure(options, { ETH: { spot: INITIAL_PRICE_USD, vol: 0.6, rate: 0, yield: 0 } }, nowMs)[0]!.delta;
  const book: Position[] = [...options, { id: 'hedge-ETH', underlying: 'ETH', kind: 'spot', quantity: -optionDelta }];
  const config = localConfigDocument({ underlying: 'ETH', hedgeInstrument: 'spot', band: { unit: 'units', trigger: 0.25, target: 'zero' }, market: localMarketConfig(chain) });
  const ids = Array.from({ length: ACCOUNTS }, (_, i) => `bench-${String(i).padStart(4, '0')}`);
  const seedStart = performance.now();
  await pool(ids, 32, async (accountId) => {
    await accounts.createAccount({ accountId, displayName: `Desk ${accountId}` }, 'bench:seed');
    await configs.putConfig(accountId, config, 0, 'bench:seed');
    for (const position of book) await positions.putPosition(accountId, position, position.kind === 'spot' ? 'hedge' : 'manual');
  });
  console.log(
    `\n  Evaluations: ${ACCOUNTS} accounts (2 option lines + spot, inside a ±0.25 ETH band), config without an execution block; seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
  );

  let decided = 0;
  let notNone = 0;
  const tick = async (evaluate: EvaluateDeps, concurrency: number) => {
    cached.nextTick();
    counters.reads = 0;
    counters.writes = 0;
    counters.busy.reset();
    rpc.reset();
    rpcRequests = 0;
    published.entries.length = 0;
    const latencies: number[] = [];
    const cpu = process.cpuUsage();
    const start = performance.now();
    await pool(ids, concurrency, async (accountId) => {
      const t0 = performance.now();
      const outcome = await evaluateAccount(evaluate, { accountId, evaluationId: newEvaluationId() });
      latencies.push(performance.now() - t0);
      if (outcome.status !== 'decided') throw new Error(`evaluation of ${accountId}: ${JSON.stringify(outcome)}`);
      decided++;
      if (outcome.decision.action !== 'none') notNone++;
    });
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    latencies.sort((a, b) => a - b);
    return {
      wallMs,
      cpuMs: (used.user + used.system) / 1000,
      latencies,
      reads: counters.reads / ids.length,
      writes: counters.writes / ids.length,
      rpcRequests: rpcRequests / ids.length,
      ddbMs: counters.busy.totalMs,
      rpcMs: rpc.totalMs,
    };
  };

  await tick(deps(market), CONCURRENCY); // first evaluation of each account (creates its state item), and JIT warm-up
  await tick(deps(market), 1);
  decided = 0;
  notNone = 0;
  console.log(`  ${'variant'.padEnd(36)} ${'evals/s'.padStart(8)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'CPU/eval'.padStart(9)} ${'evals/CPU-s'.padStart(11)} ${'DDB r/w'.padStart(8)} ${'RPC req'.padStart(7)}   time per evaluation`);
  for (const [label, reader, concurrency] of [
    ['sequential', market, 1],
    [`${CONCURRENCY} in flight`, market, CONCURRENCY],
    ['sequential, market cached per tick', cached.reader, 1],
    [`${CONCURRENCY} in flight, market cached per tick`, cached.reader, CONCURRENCY],
  ] as const) {
    const runs = [await tick(deps(reader), concurrency), await tick(deps(reader), concurrency)];
    const run = runs.sort((a, b) => a.wallMs - b.wallMs)[0]!; // the better of two ticks
    const perEval = (v: number): number => v / ids.length;
    const breakdown =
      concurrency === 1
        ? `DynamoDB ${ms(perEval(run.ddbMs))}, RPC ${ms(perEval(run.rpcMs))}, the rest ${ms(perEval(run.wallMs - run.ddbMs - run.rpcMs))}`
        : 'overlapped';
    console.log(
      `  ${label.padEnd(36)} ${(ids.length / (run.wallMs / 1000)).toFixed(0).padStart(8)} ${ms(quantile(run.latencies, 0.5)).padStart(9)} ${ms(quantile(run.latencies, 0.99)).padStart(9)} ${ms(perEval(run.cpuMs)).padStart(9)} ${(ids.length / (run.cpuMs / 1000)).toFixed(0).padStart(11)} ${`${run.reads.toFixed(1)}/${run.writes.toFixed(1)}`.padStart(8)} ${run.rpcRequests.toFixed(1).padStart(7)}   ${breakdown}`,
    );
  }
  console.log(`  ${decided} timed evaluations, ${notNone} decided anything but 'none'; CPU is this Node process's user+system time (DynamoDB Local and anvil run in their own processes)`);
}

// ---------------------------------------------------------------- 2. price move → submitted transaction

async function priceMoveToSubmission(doc: DynamoDBDocumentClient, chain: ChainFixture): Promise<void> {
  const { addresses } = chain;
  const localKeys = new Map<string, Hex>();
  const registry = createSignerRegistry({ localKeys });
  const publisher = keptEntriesPublisher();
  const now = (): Date => new Date();
  const stores = createHedgingStores({ doc, tableName: TABLE, now });
  const { configs, accounts, positions } = stores;
  // anvil mines on send: the approval's receipt is there at the first look, the poll interval never waited.
  const hedging = createLocalHedgingDeps({ chain, stores, signers: (ref) => registry.resolve(ref), publisher, now });
  const { client } = hedging;
  const { evaluate: evaluateDeps, follow: followDeps } = hedging;
  const dispatchDeps: DispatchDeps = { ...hedging.dispatch, owner: 'bench' };

  // The account, funded as the hedging world funds one: its own key, ETH, WETH and USDC.
  const accountId = `bench-latency-${randomUUID().slice(0, 8)}`;
  const key = generatePrivateKey();
  const signerName = `hedger-${accountId}`;
  localKeys.set(signerName, key);
  const signer = privateKeyToAccount(key);
  const mint = async (token: Address, to: Address, amount: bigint): Promise<void> => {
    await chain.confirm(await chain.deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [to, amount] }));
  };
  await chain.testClient.setBalance({ address: signer.address, value: parseUnits('100', 18) });
  await mint(addresses.usdc, signer.address, parseUnits('1000000', USDC_DECIMALS));
  await mint(addresses.weth, signer.address, parseUnits('100', WETH_DECIMALS));
  const config = localConfigDocument({
    underlying: 'ETH',
    hedgeInstrument: 'spot',
    band: { unit: 'units', trigger: 0.25, target: 'zero' },
    market: localMarketConfig(chain),
    execution: localExecutionConfig(chain, signerName),
  });
  await accounts.createAccount({ accountId, displayName: 'Latency desk' }, 'bench:seed');
  await configs.putConfig(accountId, config, 0, 'bench:seed');
  await positions.putPosition(
    accountId,
    { id: 'calls-1', underlying: 'ETH', kind: 'option', optionType: 'call', strike: 3000, expiryMs: Date.now() + 30 * DAY_MS, quantity: -4 },
    'manual',
  );

  // The trader moves the pool: plenty of both tokens, the router approved once.
  const trader = chain.trader;
  await mint(addresses.weth, trader.account.address, parseUnits('10000', WETH_DECIMALS));
  await mint(addresses.usdc, trader.account.address, parseUnits('30000000', USDC_DECIMALS));
  for (const token of [addresses.weth, addresses.usdc]) {
    await chain.confirm(await trader.writeContract({ address: token, abi: testTokenAbi, functionName: 'approve', args: [addresses.swapRouter, maxUint256] }));
  }
  const oneWeth = parseUnits('1', WETH_DECIMALS);
  const sqrtPriceOf = (usd: number): bigint => {
    const usdc = parseUnits(usd.toFixed(USDC_DECIMALS), USDC_DECIMALS);
    return chain.pool.wethIsToken0 ? encodeSqrtPriceX96(usdc, oneWeth) : encodeSqrtPriceX96(oneWeth, usdc);
  };
  /** Swaps until the pool's price is `usd` exactly: a large input stopped by sqrtPriceLimitX96 (the router takes only what the pool used). */
  const movePoolTo = async (usd: number): Promise<void> => {
    const [current] = await client.readContract({ address: addresses.pool, abi: uniswapV3PoolAbi, functionName: 'slot0' });
    const target = sqrtPriceOf(usd);
    if (current === target) return;
    // Raising the WETH price means buying WETH with USDC, whichever token is token0.
    const up = chain.pool.wethIsToken0 ? target > current : target < current;
    const [tokenIn, tokenOut, amountIn] = up
      ? [addresses.usdc, addresses.weth, parseUnits('20000000', USDC_DECIMALS)]
      : [addresses.weth, addresses.usdc, parseUnits('5000', WETH_DECIMALS)];
    await chain.confirm(
      await trader.writeContract({
        address: addresses.swapRouter,
        abi: uniswapV3SwapRouterAbi,
        functionName: 'exactInputSingle',
        args: [{ tokenIn, tokenOut, fee: POOL_FEE, recipient: trader.account.address, deadline: maxUint256, amountIn, amountOutMinimum: 0n, sqrtPriceLimitX96: target }],
        gas: SWAP_GAS_LIMIT,
      }),
    );
  };

  interface Sample {
    evaluateMs: number;
    dispatchMs: number;
    totalMs: number;
    transactions: number;
  }
  const samples: Sample[] = [];
  const move = async (index: number): Promise<Sample> => {
    const usd = INITIAL_PRICE_USD * (index % 2 === 0 ? 1 + MOVE : 1 - MOVE);
    await movePoolTo(usd);
    const nonceBefore = await client.getTransactionCount({ address: signer.address });
    publisher.entries.length = 0;
    await chain.confirm(
      await chain.deployer.writeContract({
        address: addresses.priceAggregator,
        abi: priceAggregatorAbi,
        functionName: 'updateAnswer',
        args: [parseUnits(usd.toFixed(AGGREGATOR_DECIMALS), AGGREGATOR_DECIMALS)],
      }),
    );
    // ---- timed: from the oracle update's receipt
    const t0 = performance.now();
    const evaluation = await evaluateAccount(evaluateDeps, { accountId, evaluationId: newEvaluationId() });
    const t1 = performance.now();
    if (evaluation.status !== 'decided' || !evaluation.dispatched) throw new Error(`move ${index} to ${usd}: the evaluation dispatched nothing: ${JSON.stringify(evaluation)}`);
    const requested = publisher.entries.find((entry) => entry.DetailType === 'Hedge Requested');
    if (requested === undefined) throw new Error(`move ${index}: no Hedge Requested published`);
    const [outcome] = await dispatchHedge(dispatchDeps, decodeEventOf('Hedge Requested', requested).detail);
    const t2 = performance.now();
    // ---- end of the timed part
    if (outcome?.status !== 'submitted') throw new Error(`move ${index} to ${usd}: dispatch did not submit: ${JSON.stringify(outcome)}`);
    // Confirms the swap so the hedge position counts in the next evaluation. Its receipt is
    // awaited first: anvil mines just after accepting, and followHedge looking between the
    // mining and the receipt's indexing reads "nonce used, no receipt" as NONCE_CONSUMED.
    const submitted = publisher.entries.find((entry) => entry.DetailType === 'Hedge Submitted');
    if (submitted === undefined) throw new Error(`move ${index}: no Hedge Submitted published`);
    const detail: EventDetail<'Hedge Submitted'> = decodeEventOf('Hedge Submitted', submitted).detail;
    await client.waitForTransactionReceipt({ hash: detail.txHash as Hex, pollingInterval: 10 });
    const follow = (): ReturnType<typeof followHedge> =>
      followHedge(followDeps, detail).catch((error: unknown) => {
        throw new Error(`move ${index}: following the hedge failed`, { cause: error });
      });
    let followed = await follow();
    for (let look = 0; look < 20 && followed.status === 'pending'; look++) followed = await follow();
    if (followed.status !== 'confirmed') throw new Error(`move ${index}: the hedge ended ${JSON.stringify(followed)}`);
    const transactions = (await client.getTransactionCount({ address: signer.address })) - nonceBefore;
    return { evaluateMs: t1 - t0, dispatchMs: t2 - t1, totalMs: t2 - t0, transactions };
  };

  let index = 0;
  for (let i = 0; i <= MOVES_WITH_APPROVAL; i++) samples.push(await move(index++));
  // A standing unlimited allowance, set with the signer's key outside the product (the
  // next allocation heals the nonce): shows what the per-trade exact approval costs.
  const signerWallet = createWalletClient({ account: signer, chain: chain.chain, transport: http(chain.rpcUrl) });
  for (const token of [addresses.weth, addresses.usdc]) {
    await chain.confirm(await signerWallet.writeContract({ address: token, abi: testTokenAbi, functionName: 'approve', args: [addresses.swapRouter, maxUint256] }));
  }
  const withAllowance: Sample[] = [];
  for (let i = 0; i < MOVES_WITH_ALLOWANCE; i++) withAllowance.push(await move(index++));

  const first = samples[0]!;
  const summary = (label: string, rows: readonly Sample[]): void => {
    const of = (pick: (s: Sample) => number): number[] => rows.map(pick).sort((a, b) => a - b);
    const total = of((s) => s.totalMs);
    const txs = [...new Set(rows.map((s) => s.transactions))].join('/');
    console.log(
      `  ${label.padEnd(48)} ${String(rows.length).padStart(3)} ${ms(quantile(total, 0.5)).padStart(9)} ${ms(quantile(total, 0.9)).padStart(9)} ${ms(total.at(-1)!).padStart(9)}   evaluate ${ms(quantile(of((s) => s.evaluateMs), 0.5))} + dispatch ${ms(quantile(of((s) => s.dispatchMs), 0.5))} (p50), ${txs} tx per trade`,
    );
  };
  console.log(`\n  Price move → swap submitted: oracle and pool moved ±${MOVE * 100} % around ${INITIAL_PRICE_USD}, alternately; 4 short ATM calls, ±0.25 ETH band`);
  console.log(`  timed from the updateAnswer receipt to dispatchHedge → 'submitted' (evaluate + dispatch, handed over in-process)`);
  console.log(`  ${''.padEnd(48)} ${'n'.padStart(3)} ${'p50'.padStart(9)} ${'p90'.padStart(9)} ${'max'.padStart(9)}`);
  console.log(
    `  ${'first trade (cold caches, exact approval)'.padEnd(48)} ${'1'.padStart(3)} ${ms(first.totalMs).padStart(9)} ${''.padStart(9)} ${''.padStart(9)}   evaluate ${ms(first.evaluateMs)} + dispatch ${ms(first.dispatchMs)}, ${first.transactions} tx`,
  );
  summary('later trades, exact approval each (production)', samples.slice(1));
  summary('later trades, standing allowance (no approval)', withAllowance);
}
