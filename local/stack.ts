/**
 * The local stack behind `npm start`: everything the cloud runs, on 127.0.0.1, in one
 * process plus two children (DynamoDB Local, anvil).
 *
 *   DynamoDB Local ── the repositories (the same adapters as the Lambdas)
 *   anvil ─────────── tokens, Uniswap V3 and V2 pools, SwapRouter02, PriceAggregator,
 *                     OptionBook (local/chain); a Perp v2 perpetual and Lyra v1's option
 *                     market (local/market/venue-markets.ts)
 *   HTTP server ───── config-api and ingest-webhook handlers (API Gateway v2 events),
 *                     /api/status, /api/crash, the dashboard's files
 *   local bus ─────── THE routing table: evaluate → the evaluate handler; dispatch → the
 *                     per-signer lanes (FIFO semantics) → the dispatch handler; confirm →
 *                     the confirm loop → the confirm-hedge handler; alerting → the console
 *   webhooks ──────── a Standard Webhooks sender watching OptionBook → POST /webhooks/standard
 *                     → the confirmation queue → the confirm-positions handler
 *   scheduler ─────── one Evaluation Requested per active account per tick, after the
 *                     market simulator moved the oracle and the pools, and the perp's
 *                     mark and Lyra's spot followed
 *   tenants ───────── two demo accounts made through the API (local/demo): an options
 *                     vault (perp + Lyra options) and a spot desk (routed Uniswap)
 *
 * A tick = the market moves, the scheduler fans out, and the stack waits until the flow
 * has settled (evaluations, dispatches, confirmations), so a headless run is
 * deterministic in its sequence. After each confirmed hedge the stack requests one more
 * evaluation (trigger "operator") at the fill's market: that evaluation is the check of
 * the band and the Greek limits. Evaluations run on the market's clock: the time of the
 * tick being settled (see marketNow), so that re-check prices the book at the very market
 * (oracle and time) the decision was taken in.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createWalletClient, http, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createConfigApiHandler } from '../functions/config-api/create-config-api-handler.ts';
import { createDispatchHandler } from '../functions/dispatch/create-dispatch-handler.ts';
import { createEvaluateHandler } from '../functions/evaluate/create-evaluate-handler.ts';
import { createIngestWebhookHandler } from '../functions/ingest-webhook/handler.ts';
import { testTokenAbi } from '../shared/adapters/chain/artifacts/test-token.ts';
import { createViemOptionBookReader } from '../shared/adapters/chain/option-book-reader.ts';
import { createStaticChainDirectory, type ChainDirectoryConfig } from '../shared/adapters/directory/static-chain-directory.ts';
import { createHedgeRecordRepository } from '../shared/adapters/dynamodb/hedge-record-repository.ts';
import { createRateLimitRepository } from '../shared/adapters/dynamodb/rate-limit-repository.ts';
import { createWebhookDeliveryRepository } from '../shared/adapters/dynamodb/webhook-delivery-repository.ts';
import { createLocalBus, type DeliveredEvent } from '../shared/adapters/local-bus/local-bus.ts';
import { createLocalScheduler } from '../shared/adapters/local-bus/local-scheduler.ts';
import { createLocalSignerProvisioner } from '../shared/adapters/signing/local-signer-provisioner.ts';
import { createSignerRegistry } from '../shared/adapters/signing/local-transaction-signer.ts';
import { WEBHOOK_VERIFIERS } from '../shared/adapters/webhook-providers/webhook-verifiers.ts';
import type { ChainDirectory } from '../shared/app/confirm-positions/ports.ts';
import { encodeEvent } from '../shared/contracts/events/encode-event.ts';
import { DEFAULT_EVENT_BUS_NAME } from '../shared/contracts/events/event-entry.ts';
import type { EventPublisher } from '../shared/contracts/events/event-publisher.ts';
import { WEBHOOK_PAYLOAD_PARSERS } from '../shared/contracts/webhooks/webhook-payloads.ts';
import { createHedgingStores, runtimeConfigs } from '../shared/runtime/hedging-deps.ts';
import { safeErrorText } from '../shared/runtime/safe-error-text.ts';
import { createLocalHedgingDeps } from './chain/local-hedging-deps.ts';
import type { DemoAccount } from './demo/demo-account.ts';
import { createDemoTenants, openBooksThroughWebhooks, walletDirectory, type DemoTenant } from './demo/demo-tenants.ts';
import { startLocalHttpServer, type LocalHttpServer } from './http/http-server.ts';
import { createMarketSimulator, type MarketSimulator } from './market/market-simulator.ts';
import { createPoolMover } from './market/pool-mover.ts';
import { createConfirmLoop } from './queues/confirm-loop.ts';
import { untilReceiptKnown } from './queues/receipt-wait.ts';
import { createLocalConfirmationQueue } from './queues/confirmation-queue.ts';
import { createDispatchLanes } from './queues/dispatch-lanes.ts';
import { startChildren } from './runtime/start-children.ts';
import { lambdaContext } from './runtime/sqs-shapes.ts';
import { createStopList, type StopList } from './runtime/stop-list.ts';
import { createSleeper } from './runtime/stoppable-sleep.ts';
import { consoleLine, policyBandUnits } from './status/console-line.ts';
import { createStackChecks, type CheckedTenant, type StackReconciliation } from './status/stack-checks.ts';
import { createStatusCollector, type StatusCollector } from './status/status-collector.ts';
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
  /** One status line per tenant per tick. */
  readonly onTick?: (line: string) => void;
}

export interface LocalStack {
  readonly url: string;
  readonly adminKey: string;
  /** The options vault (the first tenant). */
  readonly account: DemoAccount;
  /** Every demo tenant: the options vault, then the spot desk. */
  readonly accounts: readonly DemoAccount[];
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
  reconcile(): Promise<StackReconciliation>;
  /** The ids of an account's positions as stored (default: the options vault's; diagnostics). */
  positionIds(accountId?: string): Promise<string[]>;
  summary(): Promise<HeadlessSummary>;
  stop(): Promise<void>;
}

const DEFAULT_DASHBOARD = fileURLToPath(new URL('./dashboard/', import.meta.url));
const SETTLE_TIMEOUT_MS = 30_000;
/** How long start-up waits for the demo books to arrive through the webhook path. */
const BOOK_ARRIVAL_TIMEOUT_MS = 20_000;
const TABLE_NAME = 'hedge-local';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
/** Errors as the log may show them (no credential, no RPC URL path, no signature). */
const errorText = safeErrorText;

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

async function compose(options: LocalStackOptions, log: (line: string) => void, startedAt: number, stops: StopList): Promise<LocalStack> {
  // --- the two children, the table, the chain and its markets -------------------------
  const { ddb, doc, chain, markets } = await startChildren(TABLE_NAME, stops);
  log(`DynamoDB Local ${ddb.endpoint} (pid ${ddb.pid}), anvil ${chain.rpcUrl} (pid ${chain.anvilPid}); Perp v2 and Lyra v1 deployed in ${Math.round(markets.deployMs)} ms`);
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
    onBreachAfterHedge: (accountId, summary) => log(`BREACH AFTER HEDGE ${accountId}: ${summary}`),
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
  // The stack's own client (fast polling) serves the market reader and the venues too; the
  // perp's and Lyra's contracts join the allow-list.
  const hedging = createLocalHedgingDeps({ chain, stores, signers: (ref) => signers.resolve(ref), publisher, now, client: chain.publicClient, approvalPollMs: 25, extraVenues: markets.extraVenues });

  // The market's clock: the time of the tick being settled (the wall clock before the
  // first). The simulated market exists at ticks; an evaluation prices the book at the
  // tick's market, the re-check after a hedge included — on the wall clock that re-check
  // would see a second of time decay the decision did not, and a hedge to a Greek limit
  // would look like a breach of it. Dispatch and confirmation keep the wall clock.
  let lastTickAt = 0;
  const marketNow = (): Date => (lastTickAt === 0 ? new Date() : new Date(lastTickAt));

  // --- consumers of the routing table --------------------------------------------------
  const evaluate = createEvaluateHandler({ deps: { ...hedging.evaluate, now: marketNow } });
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
    beforeFirstLook: (event) => untilReceiptKnown(chain.publicClient, (event.detail as { txHash?: string }).txHash),
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

  // --- the demo tenants, their signers and their books ---------------------------------
  const tenants: DemoTenant[] = await createDemoTenants({ chain, markets, apiUrl: server.url, adminKey });
  for (const tenant of tenants) collector.addAccount(tenant.account.accountId);
  linkWallet({ accounts: { [String(chain.chain.id)]: walletDirectory(tenants) }, underlyings: { [String(chain.chain.id)]: { [a.weth]: 'ETH' } } });
  // What each signer holds of the base token before any hedge: the spot reconciliation's zero.
  const checked: CheckedTenant[] = await Promise.all(
    tenants.map(async ({ account }) => ({
      accountId: account.accountId,
      signer: account.signerAddress,
      startBaseBalance: await chain.publicClient.readContract({ address: a.weth, abi: testTokenAbi, functionName: 'balanceOf', args: [account.signerAddress] }),
    })),
  );
  const checks = createStackChecks({ client: chain.publicClient, baseToken: a.weth, tenants: () => checked, configs: runtimeConfigs(configs), positions, hedges });
  collector.recordMarket(market.last);
  // The books reach DynamoDB only through the webhook path; the policies follow them.
  await openBooksThroughWebhooks({
    chain,
    apiUrl: server.url,
    tenants,
    deliver: async () => {
      await sender.poll();
      await settle();
    },
    storedBookPositions: async (accountId) => (await positions.listPositions(accountId)).filter((p) => p.source === 'chain').length,
    timeoutMs: BOOK_ARRIVAL_TIMEOUT_MS,
    log,
  });
  for (const { account } of tenants) log(`${account.displayName} ${account.accountId}: book opened on OptionBook ${a.optionBook}, positions in through the webhook path`);

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
  let tickIndex = 0;
  let tickChain: Promise<void> = Promise.resolve();
  let stopping = false;

  async function oneTick(): Promise<void> {
    tickIndex++;
    if (options.crashAt === tickIndex) market.crash();
    const point = await market.step();
    // The perp's mark and Lyra's spot follow the oracle before anyone evaluates. If one
    // cannot, the tick goes on: the venue's own guards then refuse what it cannot price.
    await markets.follow(point.oracle).catch((error: unknown) => log(`the perp's mark or Lyra's spot did not follow ${point.oracle}: ${errorText(error)}`));
    collector.recordMarket(point);
    // Distinct tick times: the tick's ISO time is its event ids' natural key.
    lastTickAt = Math.max(Date.now(), lastTickAt + 1);
    await scheduler.tick(lastTickAt);
    await settle();
    collector.countTick();
    for (const tenant of tenants) {
      const { accountId } = tenant.account;
      const exposure = collector.latestExposure(accountId);
      options.onTick?.(
        consoleLine({
          tick: tickIndex,
          label: tenant.label,
          market: market.last,
          crashing: market.crashing,
          exposure,
          band: policyBandUnits(tenant.config.policy, exposure?.market?.spot ?? market.last.oracle),
          lastDecision: collector.lastDecision(accountId),
          lastHedge: collector.lastHedge(accountId),
        }),
      );
    }
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
  const [vault] = tenants;
  if (vault === undefined) throw new Error('the demo has no tenant');
  log(`ready in ${Date.now() - startedAt} ms`);

  return {
    url: server.url,
    adminKey,
    account: vault.account,
    accounts: tenants.map((tenant) => tenant.account),
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
    reconcile: () => checks.reconcile(),
    positionIds: async (accountId = vault.account.accountId) => (await positions.listPositions(accountId)).map((p) => p.position.id),
    async summary() {
      const reconciliation = await checks.reconcile();
      if (settleTimeouts > 0) log(`${settleTimeouts} tick(s) did not settle within ${SETTLE_TIMEOUT_MS} ms: a slow machine, not a mismatch, if 'reconciled' is false`);
      for (const tenant of reconciliation.tenants) if (!tenant.reconciled) log(`${tenant.accountId} not reconciled: ${tenant.problems.join('; ')}`);
      return checks.summary({ collector, startedAt, reconciliation });
    },
    stop() {
      stopped ??= stops.runAll();
      return stopped;
    },
  };
}
