/**
 * The local stack behind `npm start`: everything the cloud runs, on 127.0.0.1, in one
 * process plus two children (DynamoDB Local, anvil).
 *
 *   DynamoDB Local ── the repositories (the same adapters as the Lambdas)
 *   anvil ─────────── tokens, Uniswap V3, PriceAggregator, OptionBook (local/chain)
 *   HTTP server ───── config-api and ingest-webhook handlers (API Gateway v2 events),
 *                     /api/status, /api/crash, the dashboard's files
 *   local bus ─────── THE routing table: evaluate → the evaluate handler; dispatch → the
 *                     per-signer lanes (FIFO semantics) → the dispatch handler; confirm →
 *                     the confirm loop → the confirm-hedge handler; alerting → the console
 *   webhooks ──────── a Standard Webhooks sender watching OptionBook → POST /webhooks/standard
 *                     → the confirmation queue → the confirm-positions handler
 *   scheduler ─────── one Evaluation Requested per active account per tick, after the
 *                     market simulator moved the oracle and the pool
 *
 * A tick = the market moves, the scheduler fans out, and the stack waits until the flow
 * has settled (evaluations, dispatches, confirmations), so a headless run is
 * deterministic in its sequence. After each confirmed hedge the stack requests one more
 * evaluation (trigger "operator") at the fill's market: that evaluation is the band check.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createWalletClient, http, parseUnits, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createConfigApiHandler } from '../functions/config-api/create-config-api-handler.ts';
import { createDispatchHandler } from '../functions/dispatch/create-dispatch-handler.ts';
import { createEvaluateHandler } from '../functions/evaluate/create-evaluate-handler.ts';
import { createIngestWebhookHandler } from '../functions/ingest-webhook/handler.ts';
import { testTokenAbi } from '../shared/adapters/chain/artifacts/test-token.ts';
import { createViemOptionBookReader } from '../shared/adapters/chain/option-book-reader.ts';
import { createStaticChainDirectory, type ChainDirectoryConfig } from '../shared/adapters/directory/static-chain-directory.ts';
import { createDynamoDbClients } from '../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { ensureTable } from '../shared/adapters/dynamodb/ensure-table.ts';
import { createHedgeRecordRepository, type StoredHedgeRecord } from '../shared/adapters/dynamodb/hedge-record-repository.ts';
import { createRateLimitRepository } from '../shared/adapters/dynamodb/rate-limit-repository.ts';
import { createWebhookDeliveryRepository } from '../shared/adapters/dynamodb/webhook-delivery-repository.ts';
import { createLocalBus, type DeliveredEvent } from '../shared/adapters/local-bus/local-bus.ts';
import { createLocalScheduler } from '../shared/adapters/local-bus/local-scheduler.ts';
import { createLocalSignerProvisioner } from '../shared/adapters/signing/local-signer-provisioner.ts';
import { createSignerRegistry } from '../shared/adapters/signing/local-transaction-signer.ts';
import { WEBHOOK_VERIFIERS } from '../shared/adapters/webhook-providers/webhook-verifiers.ts';
import type { ChainDirectory } from '../shared/app/confirm-positions/ports.ts';
import { hedgePositionId } from '../shared/app/evaluate/evaluate-account.ts';
import { encodeEvent } from '../shared/contracts/events/encode-event.ts';
import { DEFAULT_EVENT_BUS_NAME } from '../shared/contracts/events/event-entry.ts';
import type { EventPublisher } from '../shared/contracts/events/event-publisher.ts';
import { HedgePolicyConfigSchema } from '../shared/contracts/hedge-policy-config.ts';
import { WEBHOOK_PAYLOAD_PARSERS } from '../shared/contracts/webhooks/webhook-payloads.ts';
import { createHedgingStores, runtimeConfigs } from '../shared/runtime/hedging-deps.ts';
import { safeErrorText } from '../shared/runtime/safe-error-text.ts';
import { createLocalHedgingDeps } from './chain/local-hedging-deps.ts';
import { startLocalChain, USDC_DECIMALS, WETH_DECIMALS, type LocalChain } from './chain/local-chain.ts';
import { createDemoAccount, DEMO_BOOK, demoConfig, openDemoBook, type DemoAccount } from './demo/demo-account.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb/dynamodb-local.ts';
import { startLocalHttpServer, type LocalHttpServer } from './http/http-server.ts';
import { createMarketSimulator, type MarketSimulator } from './market/market-simulator.ts';
import { createPoolMover } from './market/pool-mover.ts';
import { createConfirmLoop } from './queues/confirm-loop.ts';
import { createLocalConfirmationQueue } from './queues/confirmation-queue.ts';
import { createDispatchLanes } from './queues/dispatch-lanes.ts';
import { lambdaContext } from './runtime/sqs-shapes.ts';
import { createSleeper } from './runtime/stoppable-sleep.ts';
import { consoleLine } from './status/console-line.ts';
import { reconcile, type Reconciliation } from './status/reconcile.ts';
import { bandEdges, createStatusCollector, type StatusCollector } from './status/status-collector.ts';
import type { HeadlessSummary, StackStatus } from './status-schema.ts';
import { createWebhookSender, type WebhookSender } from './webhooks/webhook-sender.ts';

export interface LocalStackOptions {
  /** The API/dashboard port; 0 (default) picks a free one. */
  readonly port?: number;
  /** The admin key; generated when absent. */
  readonly adminKey?: string;
  /** Annualised vol of the simulated market (default 0.8). */
  readonly vol?: number;
  /** Market time per tick in minutes (default 60). */
  readonly stepMinutes?: number;
  /** Seed of the market's random steps (default 1). */
  readonly seed?: number;
  /** A flash crash starts at this tick (1-based) of runTicks/the tick loop. */
  readonly crashAt?: number;
  /** How often the confirm loop looks at a pending hedge (default 100 ms). */
  readonly confirmPollMs?: number;
  /** Where the dashboard's files are (default local/dashboard/). */
  readonly dashboardRoot?: string;
  /** Diagnostics (to stderr in the CLI). */
  readonly log?: (line: string) => void;
  /** One status line per tick. */
  readonly onTick?: (line: string) => void;
}

export interface LocalStack {
  readonly url: string;
  readonly adminKey: string;
  readonly account: DemoAccount;
  readonly rpcUrl: string;
  readonly dynamoDbEndpoint: string;
  /** The child processes (tests check they are gone after stop()). */
  readonly pids: { readonly anvil: number; readonly dynamoDbLocal: number };
  status(): Promise<StackStatus>;
  /** Runs n ticks back to back, each settled before the next. */
  runTicks(n: number): Promise<void>;
  /** Ticks every `tickMs` until stop() (the interactive mode). */
  startTicking(tickMs: number): void;
  crash(): void;
  reconcile(): Promise<Reconciliation>;
  /** The ids of the demo account's positions as stored (diagnostics). */
  positionIds(): Promise<string[]>;
  summary(): Promise<HeadlessSummary>;
  stop(): Promise<void>;
}

const DEFAULT_DASHBOARD = fileURLToPath(new URL('./dashboard/', import.meta.url));
const SETTLE_TIMEOUT_MS = 30_000;
/** How long start-up waits for the demo book to arrive through the webhook path. */
const BOOK_ARRIVAL_TIMEOUT_MS = 20_000;
const TABLE_NAME = 'hedge-local';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
/** Errors as the log may show them (no credential, no RPC URL path, no signature). */
const errorText = safeErrorText;

/** Things to stop, in reverse order of start; a failure to stop one never keeps the others running. */
function createStopList(log: (line: string) => void) {
  const steps: { name: string; run: () => Promise<void> | void }[] = [];
  return {
    add(name: string, run: () => Promise<void> | void) {
      steps.push({ name, run });
    },
    async runAll() {
      for (const step of steps.splice(0).reverse()) {
        try {
          await step.run();
        } catch (error) {
          log(`stopping ${step.name} failed: ${errorText(error)}`);
        }
      }
    },
  };
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const startedAt = Date.now();
  const stops = createStopList(log);
  try {
    return await compose(options, log, startedAt, stops);
  } catch (error) {
    await stops.runAll();
    throw error;
  }
}

async function compose(options: LocalStackOptions, log: (line: string) => void, startedAt: number, stops: ReturnType<typeof createStopList>): Promise<LocalStack> {
  // --- the two children ---------------------------------------------------------------
  // Started side by side; whichever started is stopped if the other failed.
  const [ddbStart, chainStart] = await Promise.allSettled([startDynamoDbLocal(), startLocalChain()]);
  if (ddbStart.status === 'fulfilled') stops.add('DynamoDB Local', () => ddbStart.value.stop());
  if (chainStart.status === 'fulfilled') stops.add('anvil', () => chainStart.value.stop());
  if (ddbStart.status === 'rejected') throw ddbStart.reason;
  if (chainStart.status === 'rejected') throw chainStart.reason;
  const ddb: DynamoDbLocal = ddbStart.value;
  const chain: LocalChain = chainStart.value;
  log(`DynamoDB Local ${ddb.endpoint} (pid ${ddb.pid}), anvil ${chain.rpcUrl} (pid ${chain.anvilPid})`);

  const { client: dynamo, doc } = createDynamoDbClients({ region: 'local', endpoint: ddb.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  stops.add('DynamoDB client', () => dynamo.destroy());
  await ensureTable(dynamo, TABLE_NAME);
  const tableName = TABLE_NAME;
  const now = (): Date => new Date();

  // --- repositories (the Lambdas' adapters) -------------------------------------------
  const stores = createHedgingStores({ doc, tableName, now });
  const { accounts, configs, positions, limits, evaluations } = stores;
  const hedges = createHedgeRecordRepository({ doc, tableName });

  // --- the market ----------------------------------------------------------------------
  const transport = http(chain.rpcUrl);
  const maker = createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), chain: chain.chain, transport, pollingInterval: 10 });
  const poolMover = await createPoolMover(chain, maker);
  const market: MarketSimulator = createMarketSimulator({
    chain,
    pool: poolMover,
    seed: options.seed ?? 1,
    vol: options.vol ?? 0.8,
    stepYears: (options.stepMinutes ?? 60) / (365 * 24 * 60),
  });

  // --- the bus, teed into the status ---------------------------------------------------
  const collector: StatusCollector = createStatusCollector({
    startedAt,
    now: Date.now,
    chain: async () => ({ chainId: chain.chain.id, blockNumber: Number(await chain.publicClient.getBlockNumber()) }),
    market: () => ({ vol: market.vol, crashing: market.crashing }),
    accounts,
    // What the flow runs with (the policy, the operator's market and effective execution).
    configs: runtimeConfigs(configs),
    evaluations,
    hedges,
    gasCostEth: async (txHash) => {
      const receipt = await chain.publicClient.getTransactionReceipt({ hash: txHash as `0x${string}` });
      return Number(receipt.gasUsed * receipt.effectiveGasPrice) / 1e18;
    },
  });
  let published = 0;
  const bus = createLocalBus({ onDeliveryError: (failure) => log(`${failure.consumer} failed on ${failure.event['detail-type']}: ${errorText(failure.error)}`) });
  stops.add('bus', () => bus.stop());
  const publisher: EventPublisher = {
    async publish(entries) {
      await bus.publish(entries);
      published += entries.length;
      collector.observe(entries);
    },
  };

  // --- the hedging flow's dependencies (as in the Lambdas' entries) --------------------
  // One key per account, made when the operator creates it (the config API's provisioner).
  const keyring = new Map<string, Hex>();
  const signers = createSignerRegistry({ localKeys: keyring });
  const signerProvisioner = createLocalSignerProvisioner({ keyring });
  const a = chain.addresses;
  // The stack's own client (fast polling) serves the market reader and the venues too.
  const hedging = createLocalHedgingDeps({ chain, stores, signers: (ref) => signers.resolve(ref), publisher, now, client: chain.publicClient, approvalPollMs: 25 });

  // --- consumers of the routing table --------------------------------------------------
  const evaluate = createEvaluateHandler({ deps: hedging.evaluate });
  bus.subscribe('evaluate', async (event: DeliveredEvent) => {
    const result = await evaluate(event as Parameters<typeof evaluate>[0], lambdaContext('evaluate'));
    await collector.recordEvaluation(result.accountId);
  });
  const lanes = createDispatchLanes({
    handler: createDispatchHandler({ deps: hedging.dispatch, onError: (error, record, disposition) => log(`dispatch ${record.messageId}: ${disposition} ${errorText(error)}`) }),
    onDeadLetter: (message) => collector.note('Dead Letter', null, `dispatch message ${message.messageId} of lane ${message.group ?? '?'} gave up`),
  });
  stops.add('dispatch lanes', () => lanes.stop());
  bus.subscribe('dispatch', (event) => lanes.enqueue(event));
  const confirmLoop = createConfirmLoop({
    deps: hedging.follow,
    pollMs: options.confirmPollMs ?? 100,
    onError: (error) => log(`confirm: ${errorText(error)}`),
    onFinal: (event, outcome) => {
      if (outcome?.status !== 'confirmed') return;
      const { accountId, hedgeId } = event.detail as { accountId: string; hedgeId: string };
      const recheck = encodeEvent('Evaluation Requested', { accountId, occurredAt: new Date().toISOString(), trigger: 'operator', triggerId: `hedge-confirmed:${hedgeId}` });
      publisher.publish([recheck]).catch((error: unknown) => log(`re-evaluation after ${hedgeId}: ${errorText(error)}`));
    },
  });
  stops.add('confirm loop', () => confirmLoop.stop());
  bus.subscribe('confirm', (event) => confirmLoop.follow(event));
  bus.subscribe('alerting', (event) => {
    const detail = event.detail as { accountId?: string; code?: string; message?: string };
    log(`ALERT ${event['detail-type']} ${detail.accountId ?? ''} ${detail.code ?? ''}: ${detail.message ?? ''}`);
  });

  // --- webhooks: ingest → confirmation queue → confirm-positions ----------------------
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  let directory: ChainDirectory = createStaticChainDirectory({ accounts: {}, underlyings: {} });
  const linkWallet = (config: ChainDirectoryConfig): void => {
    directory = createStaticChainDirectory(config);
  };
  const confirmations = createLocalConfirmationQueue({
    deps: {
      readers: { [chain.chain.id]: createViemOptionBookReader({ client: chain.publicClient, chainId: chain.chain.id, optionBook: a.optionBook }) },
      positions,
      directory: { accountFor: (id, address) => directory.accountFor(id, address), underlyingFor: (id, token) => directory.underlyingFor(id, token) },
      publisher,
      requiredConfirmations: 1,
      now,
    },
    onError: (error) => log(`confirm-positions: ${errorText(error)}`),
    // A position confirmation that gave up is a position the book is missing: never silent.
    onDeadLetter: (message) => {
      log(`confirm-positions gave up on message ${message.messageId}: a position may be missing`);
      collector.note('Dead Letter', null, `position confirmation ${message.messageId} gave up`);
    },
  });
  stops.add('confirmation queue', () => confirmations.stop());
  const ingestWebhook = createIngestWebhookHandler({
    deps: {
      sources: { standard: { verify: WEBHOOK_VERIFIERS.standard, parse: WEBHOOK_PAYLOAD_PARSERS.standard, secrets: [webhookSecret], chainId: chain.chain.id, contracts: [a.optionBook] } },
      dedupe: createWebhookDeliveryRepository({ doc, tableName, now }),
      queue: confirmations,
      now,
    },
    onError: (error) => log(`ingest-webhook: ${errorText(error)}`),
  });

  // --- the HTTP API --------------------------------------------------------------------
  const adminKey = options.adminKey ?? `hk_admin_${randomBytes(24).toString('base64url')}`;
  const configApi = createConfigApiHandler({
    accounts,
    configs,
    positions,
    hedges,
    evaluations,
    killSwitch: limits,
    signers: signerProvisioner,
    publisher,
    eventBusName: DEFAULT_EVENT_BUS_NAME,
    adminKeyHash: sha256Hex(adminKey),
    clock: now,
    newId: randomUUID,
    logError: (error) => log(`config-api: ${errorText(error)}`),
    // The same request budget as the cloud (300 a minute per caller), counted in DynamoDB Local.
    limits: { budget: createRateLimitRepository({ doc, tableName, now }) },
  });
  const server: LocalHttpServer = await startLocalHttpServer({
    port: options.port ?? 0,
    configApi,
    ingestWebhook,
    status: () => collector.status(),
    crash: () => market.crash(),
    dashboardRoot: options.dashboardRoot ?? DEFAULT_DASHBOARD,
    onError: (error) => log(`http: ${errorText(error)}`),
  });
  stops.add('HTTP server', () => server.close());

  const sender: WebhookSender = createWebhookSender({
    client: chain.publicClient,
    contract: a.optionBook,
    chainId: chain.chain.id,
    endpoint: `${server.url}/webhooks/standard`,
    secret: webhookSecret,
    onError: (error) => log(`webhook sender: ${errorText(error)}`),
    // A delivery the receiver did not accept is logged: a provider's failed delivery is a position that may be late or missing.
    onDelivery: (delivery) => {
      if (delivery.status < 200 || delivery.status > 299) log(`webhook sender: delivery ${delivery.deliveryId} of ${delivery.txHash} answered ${delivery.status}`);
    },
  });
  stops.add('webhook sender', () => sender.stop());

  // --- settling: wait until nothing moves -----------------------------------------------
  /** Ticks after which the flow had not settled (the summary's figures may then be cut short). */
  let settleTimeouts = 0;
  async function settle(): Promise<void> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      const before = published;
      await bus.idle();
      await confirmations.idle();
      await lanes.idle();
      await confirmLoop.idle();
      await bus.idle();
      if (published === before) return;
      if (Date.now() > deadline) {
        settleTimeouts++;
        log(`the flow did not settle within ${SETTLE_TIMEOUT_MS} ms; going on`);
        return;
      }
    }
  }

  // --- the demo account, its signer and its book ---------------------------------------
  const config = demoConfig(chain);
  const account = await createDemoAccount(server.url, adminKey, config);
  const signerAddress = account.signerAddress;
  collector.addAccount(account.accountId);
  const wallet = createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), chain: chain.chain, transport, pollingInterval: 10 });
  linkWallet({ accounts: { [String(chain.chain.id)]: { [wallet.account.address]: account.accountId } }, underlyings: { [String(chain.chain.id)]: { [a.weth]: 'ETH' } } });
  await chain.testClient.setBalance({ address: wallet.account.address, value: parseUnits('10', 18) });
  await chain.testClient.setBalance({ address: signerAddress, value: parseUnits('100', 18) });
  for (const [token, amount] of [
    [a.usdc, parseUnits('2000000', USDC_DECIMALS)],
    [a.weth, parseUnits('200', WETH_DECIMALS)],
  ] as const) {
    await chain.confirm(await chain.deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [signerAddress, amount] }));
  }
  const signerStartWeth = await chain.publicClient.readContract({ address: a.weth, abi: testTokenAbi, functionName: 'balanceOf', args: [signerAddress] });
  collector.recordMarket(market.last);
  await openDemoBook(chain, wallet);
  // The book reaches DynamoDB only through the webhook path: wait (bounded) until every
  // option opened is stored, so the first tick prices the whole book, and say so if not.
  const bookDeadline = Date.now() + BOOK_ARRIVAL_TIMEOUT_MS;
  let stored = 0;
  for (;;) {
    await sender.poll();
    await settle();
    stored = (await positions.listPositions(account.accountId)).filter((p) => p.source === 'chain').length;
    if (stored >= DEMO_BOOK.length || Date.now() > bookDeadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (stored < DEMO_BOOK.length) log(`only ${stored} of the ${DEMO_BOOK.length} options opened reached the store through the webhook path`);
  log(`demo account ${account.accountId}: book opened on OptionBook ${a.optionBook}, positions in through the webhook path`);

  // --- ticking ---------------------------------------------------------------------------
  const scheduler = createLocalScheduler({
    everyMs: 1_000,
    listAccounts: async () => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await accounts.listActiveAccounts(cursor === undefined ? { limit: 1000 } : { limit: 1000, cursor });
        ids.push(...page.items.map((item) => item.accountId));
        cursor = page.cursor;
      } while (cursor !== undefined);
      return ids;
    },
    publisher,
    onError: (error) => log(`scheduler: ${errorText(error)}`),
  });
  stops.add('scheduler', () => scheduler.stop());
  let lastTickAt = 0;
  let tickIndex = 0;
  let tickChain: Promise<void> = Promise.resolve();
  let stopping = false;

  async function oneTick(): Promise<void> {
    tickIndex++;
    if (options.crashAt === tickIndex) market.crash();
    collector.recordMarket(await market.step());
    // Distinct tick times: the tick's ISO time is its event ids' natural key.
    lastTickAt = Math.max(Date.now(), lastTickAt + 1);
    await scheduler.tick(lastTickAt);
    await settle();
    collector.countTick();
    const exposure = collector.latestExposure(account.accountId);
    const edges = bandEdges(HedgePolicyConfigSchema.parse(withoutLimits(config.policy)), exposure?.market?.spot ?? market.last.oracle);
    options.onTick?.(
      consoleLine({
        tick: tickIndex,
        market: market.last,
        crashing: market.crashing,
        exposure,
        band: edges.upper,
        lastDecision: collector.lastDecision(account.accountId),
        lastHedge: collector.lastHedge(account.accountId),
      }),
    );
  }
  const enqueueTick = (): Promise<void> => {
    const run = tickChain.then(() => (stopping ? undefined : oneTick()));
    tickChain = run.catch((error: unknown) => log(`tick failed: ${errorText(error)}`));
    return run;
  };

  const sleeper = createSleeper();
  let loop: Promise<void> | undefined;
  stops.add('tick loop', async () => {
    stopping = true;
    sleeper.wakeAll();
    await loop;
    await tickChain;
  });

  let stopped: Promise<void> | undefined;
  const storedHedgeRecords = async (): Promise<StoredHedgeRecord[]> => {
    const out: StoredHedgeRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await hedges.listHedgeRecords(account.accountId, cursor === undefined ? { limit: 100 } : { limit: 100, cursor });
      out.push(...page.items);
      cursor = page.cursor;
    } while (cursor !== undefined);
    return out;
  };
  const reconcileNow = async (): Promise<Reconciliation> =>
    reconcile({
      client: chain.publicClient,
      baseToken: a.weth,
      baseDecimals: WETH_DECIMALS,
      signer: signerAddress,
      startBalance: signerStartWeth,
      storedHedgeUnits: (await positions.getPosition(account.accountId, hedgePositionId('ETH')))?.position.quantity ?? 0,
      records: await storedHedgeRecords(),
    });

  return {
    url: server.url,
    adminKey,
    account,
    rpcUrl: chain.rpcUrl,
    dynamoDbEndpoint: ddb.endpoint,
    pids: { anvil: chain.anvilPid, dynamoDbLocal: ddb.pid },
    status: () => collector.status(),
    async runTicks(n) {
      for (let i = 0; i < n && !stopping; i++) await enqueueTick();
    },
    startTicking(tickMs) {
      if (loop !== undefined) return;
      sender.start(Math.max(250, Math.min(tickMs, 2_000)));
      loop = (async () => {
        while (!stopping) {
          const started = Date.now();
          await enqueueTick().catch(() => undefined);
          await sleeper.sleep(Math.max(0, tickMs - (Date.now() - started)));
        }
      })();
    },
    crash: () => market.crash(),
    reconcile: reconcileNow,
    positionIds: async () => (await positions.listPositions(account.accountId)).map((p) => p.position.id),
    async summary() {
      const counts = collector.hedgeCounts;
      const after = collector.afterHedge;
      const check = await reconcileNow();
      if (settleTimeouts > 0) log(`${settleTimeouts} tick(s) did not settle within ${SETTLE_TIMEOUT_MS} ms: a slow machine, not a mismatch, if 'reconciled' is false`);
      if (!check.reconciled) log(`not reconciled: stored ${check.storedUnits} vs on-chain ${check.onChainUnits}; ${check.badReceipts.join('; ')}`);
      return {
        ticks: collector.ticks,
        hedgesSubmitted: counts.submitted,
        hedgesConfirmed: counts.confirmed,
        hedgesFailed: counts.failed,
        maxAbsDeltaAfterHedge: after.maxAbsDelta,
        bandBreachesAfterHedge: after.breaches,
        reconciled: check.reconciled,
        runTimeMs: Math.max(0, Math.round(Date.now() - startedAt)),
      };
    },
    stop() {
      stopped ??= stops.runAll();
      return stopped;
    },
  };
}

/** The policy as the engine reads it (the account's own execution limits are dispatch's, not the engine's). */
function withoutLimits(policy: ReturnType<typeof demoConfig>['policy']): Omit<ReturnType<typeof demoConfig>['policy'], 'executionLimits'> {
  const { executionLimits: _limits, ...engine } = policy;
  return engine;
}
