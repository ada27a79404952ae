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
 *
 * Kept or not: with `dataDir` (what `npm start` passes) everything lives in a data
 * directory (local/data-dir): DynamoDB Local's database, the chain's state (saved by the
 * stack through anvil_dumpState after start-up, every SAVE_EVERY_MS of ticking and at
 * stop), the keyring and the manifest. A start on a kept directory deploys nothing and
 * makes no tenant: anvil loads the chain, the contracts are found where the manifest says,
 * the accounts, keys, configs, positions and hedge records are DynamoDB's, and the market
 * goes on from the oracle's last price. Without `dataDir` (the tests, headless runs)
 * nothing is kept: DynamoDB Local in memory, a fresh chain.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { createPublicClient, createWalletClient, formatUnits, http, parseEther, parseUnits, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createConfigApiHandler } from '../functions/config-api/create-config-api-handler.ts';
import { createDispatchHandler } from '../functions/dispatch/create-dispatch-handler.ts';
import { createEvaluateHandler } from '../functions/evaluate/create-evaluate-handler.ts';
import { createIngestWebhookHandler } from '../functions/ingest-webhook/handler.ts';
import { priceAggregatorAbi } from '../shared/adapters/chain/artifacts/price-aggregator.ts';
import { testTokenAbi } from '../shared/adapters/chain/artifacts/test-token.ts';
import { createViemOptionBookReader } from '../shared/adapters/chain/option-book-reader.ts';
import { createStaticChainDirectory, type ChainDirectoryConfig } from '../shared/adapters/directory/static-chain-directory.ts';
import { createHedgeRecordRepository } from '../shared/adapters/dynamodb/hedge-record-repository.ts';
import { createRateLimitRepository } from '../shared/adapters/dynamodb/rate-limit-repository.ts';
import { createWebhookDeliveryRepository } from '../shared/adapters/dynamodb/webhook-delivery-repository.ts';
import { createLocalBus, type DeliveredEvent } from '../shared/adapters/local-bus/local-bus.ts';
import { createLocalScheduler } from '../shared/adapters/local-bus/local-scheduler.ts';
import { createLocalSignerProvisioner, localSignerName } from '../shared/adapters/signing/local-signer-provisioner.ts';
import { createSignerRegistry } from '../shared/adapters/signing/local-transaction-signer.ts';
import { WEBHOOK_VERIFIERS } from '../shared/adapters/webhook-providers/webhook-verifiers.ts';
import type { ChainDirectory } from '../shared/app/confirm-positions/ports.ts';
import { encodeEvent } from '../shared/contracts/events/encode-event.ts';
import { DEFAULT_EVENT_BUS_NAME } from '../shared/contracts/events/event-entry.ts';
import type { EventPublisher } from '../shared/contracts/events/event-publisher.ts';
import { WEBHOOK_PAYLOAD_PARSERS } from '../shared/contracts/webhooks/webhook-payloads.ts';
import { createHedgingStores, runtimeConfigs } from '../shared/runtime/hedging-deps.ts';
import { safeErrorText } from '../shared/runtime/safe-error-text.ts';
import { randomChainKeys, seededChainKeys, type ChainKeys } from './chain/chain-keys.ts';
import { AGGREGATOR_DECIMALS, USDC_DECIMALS, WETH_DECIMALS, type LocalChain, type LocalChainRecord, type LocalWalletClient } from './chain/local-chain.ts';
import { createLocalHedgingDeps } from './chain/local-hedging-deps.ts';
import { openDataDir, unusable, type OpenedDataDir } from './data-dir/data-dir.ts';
import { assertJavaPresent } from './dynamodb/dynamodb-local.ts';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type ReadyManifest, type TenantRecord } from './data-dir/manifest.ts';
import { bookWalletOf, createDemoTenants, openBooksThroughWebhooks, walletDirectory } from './demo/demo-tenants.ts';
import { optionsVaultConfig, vaultHedgeOptions } from './demo/options-vault.ts';
import { spotDeskConfig } from './demo/spot-desk.ts';
import { startLocalHttpServer, type LocalHttpServer } from './http/http-server.ts';
import { createMarketSimulator, type MarketSimulator } from './market/market-simulator.ts';
import type { VenueMarkets, VenueMarketsRecord } from './market/venue-markets.ts';
import { createPoolMover } from './market/pool-mover.ts';
import { createConfirmLoop } from './queues/confirm-loop.ts';
import { untilReceiptKnown } from './queues/receipt-wait.ts';
import { createLocalConfirmationQueue } from './queues/confirmation-queue.ts';
import { createDispatchLanes } from './queues/dispatch-lanes.ts';
import { startChildren } from './runtime/start-children.ts';
import { lambdaContext } from './runtime/sqs-shapes.ts';
import { createStopList, type StopList } from './runtime/stop-list.ts';
import { createSleeper } from './runtime/stoppable-sleep.ts';
import { consoleLine } from './status/console-line.ts';
import { createStackChecks, type CheckedTenant, type StackReconciliation } from './status/stack-checks.ts';
import { bandEdges, createStatusCollector, type StatusCollector } from './status/status-collector.ts';
import type { HeadlessSummary, StackStatus } from './status-schema.ts';
import { createWebhookSender, type WebhookSender, type WebhookSenderOptions } from './webhooks/webhook-sender.ts';
import { startWorkerHost } from './worker/worker-host.ts';

export interface LocalStackOptions {
  /** The API/dashboard port; 0 (default) picks a free one. */
  readonly port?: number;
  /**
   * The admin key; generated when absent. With a kept data directory: generated at its
   * first start only (then kept as its SHA-256); given on a later start, it replaces the kept one.
   */
  readonly adminKey?: string;
  /**
   * Keep everything in this directory (local/data-dir) and pick up where the last start in
   * it stopped. Absent (the default): nothing is kept (DynamoDB Local in memory, a fresh chain).
   */
  readonly dataDir?: string;
  /** With dataDir: delete what the stack kept there and start clean. */
  readonly fresh?: boolean;
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
  /**
   * The URL the flow's functions (evaluate, dispatch, confirm) reach the chain by, given
   * anvil's: e.g. a proxy in front of it. Default anvil's own. The stack's own parts (the
   * market, the webhook sender, the checks) always use anvil's.
   */
  readonly functionsRpcUrl?: (anvilRpcUrl: string) => string;
  /**
   * Dispatch and confirm run in a child process (local/worker), forked again when it dies,
   * as Lambdas would: a killed worker is a Lambda dying mid-invocation. Default: in this process.
   */
  readonly workerProcess?: boolean;
  /** What each webhook poll delivers, given what it found (a provider's redeliveries and disorder); default what it found. */
  readonly webhookPlan?: WebhookSenderOptions['plan'];
  /**
   * Where each tick's wall time went, in ms by phase (market, follow, schedule, settle and
   * its waits: settle.bus, settle.lanes, settle.confirm, settle.positions; status, save),
   * after the tick (the soak's profile).
   */
  readonly onTickPhases?: (phases: Readonly<Record<string, number>>) => void;
  /**
   * With dataDir: how often (at least) the chain is saved while ticking (default 10 s; it is
   * always saved at stop). The soak passes Infinity: it restarts anvil from its own dump.
   */
  readonly saveChainEveryMs?: number;
}

/** A hedge record and the transactions its journal holds. */
export interface JournaledHedgeRecord {
  readonly accountId: string;
  readonly hedgeId: string;
  readonly stage: string;
  /** The transaction the confirmed step names. */
  readonly confirmedTx: string | undefined;
  readonly transactions: readonly { readonly hash: string; readonly nonce: number; readonly from: string; readonly purpose: string }[];
}

/** A demo tenant as the stack knows it. Its API key only on the start that made it: keys are shown once and kept as hashes. */
export interface StackAccount {
  readonly accountId: string;
  readonly displayName: string;
  /** The address the account hedges from (its own key, made with the account). */
  readonly signerAddress: Address;
  readonly apiKey: string | undefined;
}

export interface LocalStack {
  readonly url: string;
  /** The admin key, when this start knows it: made now, or given. undefined on a restart that was given none (it is kept only as its SHA-256). */
  readonly adminKey: string | undefined;
  /** Where the admin key came from: made now, given (HEDGE_ADMIN_KEY), or kept from the data directory's first start. */
  readonly adminKeySource: 'generated' | 'given' | 'kept';
  /** The options vault (the first tenant). */
  readonly account: StackAccount;
  /** Every demo tenant: the options vault, then the spot desk. */
  readonly accounts: readonly StackAccount[];
  /** The data directory, and whether this start restored what it kept (undefined: nothing is kept). */
  readonly dataDir: { readonly path: string; readonly restored: boolean } | undefined;
  /** Milliseconds from the call to ready. */
  readonly startupMs: number;
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
  /** Delivers what happened on OptionBook since the last poll through the webhook path, and waits until the flow settled. */
  deliverWebhooks(): Promise<number>;
  /** The worker process's pid now (with workerProcess; undefined otherwise or between a death and its next fork). */
  workerPid(): number | undefined;
  /** The lanes ('dispatch', 'confirm') of what the worker process holds now. */
  workerBusy(): readonly string[];
  /** Messages given up: dispatch lanes' and the position confirmations' dead letters, hedges the confirm loop gave up following. */
  deadLetters(): { readonly dispatch: number; readonly positions: number; readonly confirmGivenUp: number };
  reconcile(): Promise<StackReconciliation>;
  /** Every hedge record of every tenant, with the transactions its journal holds (the soak matches them to the chain). */
  hedgeRecords(): Promise<JournaledHedgeRecord[]>;
  /** An account's positions as stored: id and quantity. */
  storedPositions(accountId: string): Promise<{ readonly id: string; readonly quantity: number }[]>;
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
/**
 * With workerProcess: the worker's claim on a hedge (3 s), and the lanes' deliveries (backoff
 * capped at 1 s, 120 of them: ~2 minutes). A worker killed between its claim and its journal
 * holds the hedge until the claim runs out; the redelivery then takes it within a second.
 * Safe however short: journaling needs the claim still held (claimOwner = this delivery),
 * and a lane delivers a message again only once its last delivery ended (answered, or
 * the worker that held it dead), so no live dispatcher loses its claim to a redelivery.
 */
const WORKER_CLAIM_LEASE_MS = 3_000;
const WORKER_LANE_MAX_RECEIVES = 120;
const WORKER_LANE_RETRY_CAP_MS = 1_000;
/** How often (at least) the chain's state is saved while ticking, and always at stop. */
const SAVE_EVERY_MS = 10_000;
/** What an account made after start-up (the dashboard, curl) gets from the local chain's faucet. */
const FAUCET = { eth: parseEther('10'), weth: parseUnits('100', WETH_DECIMALS), usdc: parseUnits('300000', USDC_DECIMALS), sUsd: 100_000 } as const;

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

/** A demo tenant while the stack runs: made now, or restored from the manifest. */
interface RunningTenant {
  readonly label: TenantRecord['label'];
  readonly account: StackAccount;
  readonly wallet: LocalWalletClient;
}

async function compose(options: LocalStackOptions, log: (line: string) => void, startedAt: number, stops: StopList): Promise<LocalStack> {
  // Before anything starts: a missing Java is one line at once, not after the chain's deployment.
  assertJavaPresent();
  // --- the data directory: fresh, or what the last start kept --------------------------
  const dir: OpenedDataDir | undefined = options.dataDir === undefined ? undefined : openDataDir(options.dataDir, { fresh: options.fresh === true });
  if (dir !== undefined) {
    stops.add('data directory lock', () => dir.release()); // the last thing stopped
    for (const note of dir.notes) log(note);
  }
  const kept = dir?.manifest;
  // What saveState writes, set once the stack is up (before that a stop saves nothing: a
  // fresh directory stays "initializing", a restored one as it was).
  let base: Omit<ReadyManifest, 'accounts' | 'webhookNextBlock' | 'ticks' | 'lastSave'> | undefined = undefined;
  let lastSaveAt = 0;
  let lastSaveMs = 0;
  /** When the chain on disk was saved, and at which block. */
  let chainSaved: { at: string; blockNumber: number } | undefined = kept === undefined ? undefined : { at: kept.lastSave.at, blockNumber: kept.lastSave.blockNumber };
  let saving: Promise<void> = Promise.resolve();
  const keys: ChainKeys = dir === undefined ? randomChainKeys() : seededChainKeys(dir.keyring.seed);
  const tableName = kept?.tableName ?? TABLE_NAME;

  // --- the two children, the table, the chain and its markets -------------------------
  const { ddb, doc, chain, markets } = await startChildren(
    tableName,
    stops,
    dir === undefined
      ? undefined
      : {
          root: dir.layout.root,
          dynamoDbPath: dir.layout.dynamodb,
          keys,
          ...(kept === undefined ? {} : { restore: { chainStateFile: dir.unpackChainState(), chain: chainRecordOf(kept), markets: marketsRecordOf(kept) } }),
        },
  ).finally(() => dir?.discardUnpackedChainState());
  // Saved before anvil stops (the stop list runs backwards): see saveState.
  stops.add('save the chain and the manifest', () => saveState(true));
  if (kept === undefined) log(`DynamoDB Local ${ddb.endpoint} (pid ${ddb.pid}), anvil ${chain.rpcUrl} (pid ${chain.anvilPid}); Perp v2 and Lyra v1 deployed in ${Math.round(markets.deployMs)} ms`);
  else log(`DynamoDB Local ${ddb.endpoint} (pid ${ddb.pid}), anvil ${chain.rpcUrl} (pid ${chain.anvilPid}); restored from ${dir?.layout.root ?? ''}: block ${await chain.publicClient.getBlockNumber()}, ${kept.ticks} ticks run before`);
  if (kept !== undefined) await keepChainTimeMonotonic(chain);
  const now = (): Date => new Date();

  // --- repositories (the Lambdas' adapters) -------------------------------------------
  const stores = createHedgingStores({ doc, tableName, now });
  const { accounts, configs, positions, limits, evaluations } = stores;
  const hedges = createHedgeRecordRepository({ doc, tableName });

  // --- the market ----------------------------------------------------------------------
  const transport = http(chain.rpcUrl);
  const maker = createWalletClient({ account: privateKeyToAccount(keys('market:maker')), chain: chain.chain, transport, pollingInterval: 10 });
  if (kept !== undefined && maker.account.address !== kept.poolMaker) throw unusable(dir?.layout.root ?? '', "the keyring's seed does not make the market maker");
  const poolMover = await createPoolMover(chain, maker, { alreadyFunded: kept !== undefined });
  // A restored market goes on from the oracle's last answer, on a path of its own (the seed moved by the ticks run).
  const market: MarketSimulator = createMarketSimulator({
    chain,
    pool: poolMover,
    seed: (options.seed ?? 1) + (kept?.ticks ?? 0),
    vol: options.vol ?? 0.8,
    stepYears: (options.stepMinutes ?? 60) / (365 * 24 * 60),
    ...(kept === undefined ? {} : { initialSpot: await oraclePrice(chain) }),
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
  // Kept: the data directory's keyring (0600), written the moment a key is made.
  const keyring: Map<string, Hex> = dir?.keyring ?? new Map<string, Hex>();
  const signers = createSignerRegistry({ localKeys: keyring });
  const signerProvisioner = createLocalSignerProvisioner({ keyring });
  const a = chain.addresses;
  // The stack's own client (fast polling) serves the market reader and the venues too, or
  // one as fast on the URL given in front of anvil; the perp's and Lyra's contracts join
  // the allow-list.
  const functionsRpcUrl = options.functionsRpcUrl?.(chain.rpcUrl) ?? chain.rpcUrl;
  const functionsClient = functionsRpcUrl === chain.rpcUrl ? chain.publicClient : createPublicClient({ chain: chain.chain, transport: http(functionsRpcUrl), pollingInterval: 10 });
  const hedging = createLocalHedgingDeps({
    chain: { rpcUrl: functionsRpcUrl, chain: chain.chain, addresses: a },
    stores,
    signers: (ref) => signers.resolve(ref),
    publisher,
    now,
    client: functionsClient,
    approvalPollMs: 25,
    extraVenues: markets.extraVenues,
  });
  // Dispatch and confirm in a worker process (forked again when it dies), or here.
  const worker =
    options.workerProcess === true
      ? startWorkerHost({
          config: { dynamoDbEndpoint: ddb.endpoint, tableName, rpcUrl: functionsRpcUrl, addresses: a, extraVenues: markets.extraVenues, approvalPollMs: 25, claimLeaseMs: WORKER_CLAIM_LEASE_MS },
          keys: () => keyring,
          publish: (entries) => publisher.publish(entries),
          log,
        })
      : undefined;
  if (worker !== undefined) stops.add('worker process', () => worker.stop());
  let confirmGivenUp = 0;

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
    // A worker that dies holding a claim: its redeliveries outlast the claim (as SQS's do in the cloud).
    ...(worker === undefined ? {} : { maxReceives: WORKER_LANE_MAX_RECEIVES, retryCapMs: WORKER_LANE_RETRY_CAP_MS }),
    handler: worker?.dispatch ?? createDispatchHandler({ deps: hedging.dispatch, onError: (error, record, disposition) => log(`dispatch ${record.messageId}: ${disposition} ${errorText(error)}`) }),
    onDeadLetter: (message) => collector.note('Dead Letter', null, `dispatch message ${message.messageId} of lane ${message.group ?? '?'} gave up`),
  });
  stops.add('dispatch lanes', () => lanes.stop());
  bus.subscribe('dispatch', (event) => lanes.enqueue(event));
  const confirmLoop = createConfirmLoop({
    ...(worker === undefined ? { deps: hedging.follow } : { remote: (event) => worker.confirm(event) }),
    pollMs: options.confirmPollMs ?? 100,
    beforeFirstLook: (event) => untilReceiptKnown(chain.publicClient, (event.detail as { txHash?: string }).txHash),
    onError: (error) => log(`confirm: ${errorText(error)}`),
    onFinal: (event, outcome) => {
      if (outcome === undefined) confirmGivenUp++;
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
  let positionDeadLetters = 0;
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
      positionDeadLetters++;
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
  // The admin key: made (or given) at a directory's first start and kept only as its
  // SHA-256; a later start knows it only when it is given again (HEDGE_ADMIN_KEY), and a
  // key given that differs from the kept one replaces it.
  const adminKeySource: LocalStack['adminKeySource'] = options.adminKey !== undefined ? 'given' : kept === undefined ? 'generated' : 'kept';
  const adminKey: string | undefined = options.adminKey ?? (kept === undefined ? `hk_admin_${randomBytes(24).toString('base64url')}` : undefined);
  const adminKeySha256 = adminKey === undefined ? (kept?.adminKeySha256 ?? '') : sha256Hex(adminKey);
  if (kept !== undefined && adminKey !== undefined && adminKeySha256 !== kept.adminKeySha256) log('the admin key given (HEDGE_ADMIN_KEY) is not the one kept in the data directory: it replaces it from now on');
  const createdAccounts: string[] = [...(kept?.accounts ?? [])];
  let demoReady = false;
  const configApiHandler = createConfigApiHandler({
    accounts,
    configs,
    positions,
    hedges,
    evaluations,
    killSwitch: limits,
    signers: signerProvisioner,
    publisher,
    eventBusName: DEFAULT_EVENT_BUS_NAME,
    adminKeyHash: adminKeySha256,
    clock: now,
    newId: randomUUID,
    logError: (error) => log(`config-api: ${errorText(error)}`),
    // The same request budget as the cloud (300 a minute per caller), counted in DynamoDB Local.
    limits: { budget: createRateLimitRepository({ doc, tableName, now }) },
  });
  // An account made after start-up (the dashboard, curl) joins the status and the data
  // directory's list, and its signer gets gas and tokens from the local chain's faucet.
  const configApi = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyResultV2> => {
    const result = await configApiHandler(event, context);
    const created = demoReady && event.requestContext.http.method === 'POST' && event.rawPath.replace(/\/$/, '') === '/accounts' && typeof result === 'object' && result.statusCode === 201;
    if (created) await onAccountCreated(String(result.body ?? ''));
    return result;
  };
  async function onAccountCreated(body: string): Promise<void> {
    try {
      const { accountId, signer } = JSON.parse(body) as { accountId: string; signer?: { address?: Address } };
      createdAccounts.push(accountId);
      collector.addAccount(accountId);
      if (signer?.address !== undefined) await faucet(chain, markets, signer.address);
      log(`account ${accountId} made through the API${signer?.address === undefined ? '' : `, its signer ${signer.address} funded by the local faucet`}`);
      await saveState(false, false); // the manifest lists it at once (its keys are in the keyring already)
    } catch (error) {
      log(`after an account was made: ${errorText(error)}`);
    }
  }
  const presets = async (): Promise<unknown> => {
    const desk = spotDeskConfig(chain);
    // The option set-up needs a live Lyra board (a long-kept chain may have none left).
    const vault = await markets.lyra
      .liveBoards()
      .then(async (boards) => optionsVaultConfig(chain, markets, vaultHedgeOptions(boards, await oraclePrice(chain))))
      .catch(() => undefined);
    return {
      presets: [
        { id: 'spot-routed', name: 'Spot through the routed Uniswap pools', operator: desk.operator, policy: desk.policy },
        ...(vault === undefined ? [] : [{ id: 'perp-and-options', name: 'Perp v2 delta hedge, Lyra options for the gamma and vega limits', operator: vault.operator, policy: vault.policy }]),
      ],
      faucet: { eth: formatUnits(FAUCET.eth, 18), weth: formatUnits(FAUCET.weth, WETH_DECIMALS), usdc: formatUnits(FAUCET.usdc, USDC_DECIMALS), sUsd: String(FAUCET.sUsd) },
    };
  };
  const server: LocalHttpServer = await startLocalHttpServer({
    port: options.port ?? 0,
    configApi,
    presets,
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
    // A restart goes on from the first block not reported (every earlier log went through the webhook path already).
    ...(kept === undefined || kept.webhookNextBlock === null ? {} : { fromBlock: BigInt(kept.webhookNextBlock) }),
    onError: (error) => log(`webhook sender: ${errorText(error)}`),
    ...(options.webhookPlan === undefined ? {} : { plan: options.webhookPlan }),
    // A delivery the receiver did not accept is logged: a provider's failed delivery is a position that may be late or missing.
    onDelivery: (delivery) => {
      if (delivery.status < 200 || delivery.status > 299) log(`webhook sender: delivery ${delivery.deliveryId} of ${delivery.txHash} answered ${delivery.status}`);
    },
  });
  stops.add('webhook sender', () => sender.stop());

  // --- settling: wait until nothing moves -----------------------------------------------
  /** Ticks after which the flow had not settled (the summary's figures may then be cut short). */
  let settleTimeouts = 0;
  /** Adds the ms `fn` took to `phases[name]` (the tick's profile), when one is kept. */
  async function timed<T>(phases: Record<string, number> | undefined, name: string, fn: () => Promise<T>): Promise<T> {
    if (phases === undefined) return fn();
    const started = performance.now();
    try {
      return await fn();
    } finally {
      phases[name] = (phases[name] ?? 0) + (performance.now() - started);
    }
  }
  async function settle(phases?: Record<string, number>): Promise<void> {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      const before = published;
      await timed(phases, 'settle.bus', () => bus.idle());
      await timed(phases, 'settle.positions', () => confirmations.idle());
      await timed(phases, 'settle.lanes', () => lanes.idle());
      await timed(phases, 'settle.confirm', () => confirmLoop.idle());
      await timed(phases, 'settle.bus', () => bus.idle());
      if (published === before) return;
      if (Date.now() > deadline) {
        settleTimeouts++;
        log(`the flow did not settle within ${SETTLE_TIMEOUT_MS} ms; going on`);
        return;
      }
    }
  }

  // --- the demo tenants, their signers and their books ---------------------------------
  // Made through the API on a fresh start; found again (accounts, signers' keys, book
  // wallets) on a restart, where nothing is made twice.
  let tenants: RunningTenant[];
  let checked: CheckedTenant[];
  if (kept === undefined) {
    if (adminKey === undefined) throw new Error('a fresh start has an admin key');
    const made = await createDemoTenants({ chain, markets, apiUrl: server.url, adminKey, keys });
    tenants = made.map(({ label, account, wallet }) => ({ label, account, wallet }));
    // What each signer holds of the base token before any hedge: the spot reconciliation's zero.
    checked = await Promise.all(
      tenants.map(async ({ account }) => ({
        accountId: account.accountId,
        signer: account.signerAddress,
        startBaseBalance: await chain.publicClient.readContract({ address: a.weth, abi: testTokenAbi, functionName: 'balanceOf', args: [account.signerAddress] }),
      })),
    );
    linkWallet({ accounts: { [String(chain.chain.id)]: walletDirectory(tenants) }, underlyings: { [String(chain.chain.id)]: { [a.weth]: 'ETH' } } });
    collector.recordMarket(market.last);
    // The books reach DynamoDB only through the webhook path; the policies follow them.
    await openBooksThroughWebhooks({
      chain,
      apiUrl: server.url,
      tenants: made,
      deliver: async () => {
        await sender.poll();
        await settle();
      },
      storedBookPositions: async (accountId) => (await positions.listPositions(accountId)).filter((p) => p.source === 'chain').length,
      timeoutMs: BOOK_ARRIVAL_TIMEOUT_MS,
      log,
    });
    for (const { account } of tenants) log(`${account.displayName} ${account.accountId}: book opened on OptionBook ${a.optionBook}, positions in through the webhook path`);
  } else {
    tenants = await restoreTenants(kept, { chain, keys, keyring, root: dir?.layout.root ?? '', exists: async (accountId) => (await accounts.getAccount(accountId)) !== undefined });
    checked = kept.tenants.map((tenant) => ({ accountId: tenant.accountId, signer: tenant.signer, startBaseBalance: BigInt(tenant.startBaseBalance) }));
    linkWallet({ accounts: { [String(chain.chain.id)]: walletDirectory(tenants) }, underlyings: { [String(chain.chain.id)]: { [a.weth]: 'ETH' } } });
    collector.recordMarket(market.last);
    log(`restored ${tenants.map(({ account }) => `${account.displayName} ${account.accountId}`).join(', ')}${createdAccounts.length === 0 ? '' : ` and ${createdAccounts.length} account(s) made through the API`}`);
  }
  for (const tenant of tenants) collector.addAccount(tenant.account.accountId);
  for (const accountId of createdAccounts) collector.addAccount(accountId);
  const checks = createStackChecks({ client: chain.publicClient, baseToken: a.weth, tenants: () => checked, configs: runtimeConfigs(configs), positions, hedges });
  demoReady = true;

  // --- what is kept: the manifest (with the chain's state beside it) ---------------------
  let totalTicks = kept?.ticks ?? 0;
  base =
    dir === undefined
      ? undefined
      : {
          format: MANIFEST_FORMAT,
          version: MANIFEST_VERSION,
          createdAt: kept?.createdAt ?? new Date(startedAt).toISOString(),
          state: 'ready',
          tableName,
          adminKeySha256,
          chain: manifestChainOf(chain.chain.id, chain.record),
          markets: manifestMarketsOf(markets.record),
          poolMaker: maker.account.address,
          tenants: tenants.map(({ label, account, wallet }) => ({
            label,
            accountId: account.accountId,
            displayName: account.displayName,
            signer: account.signerAddress,
            bookWallet: wallet.account.address,
            startBaseBalance: String(checked.find((c) => c.accountId === account.accountId)?.startBaseBalance ?? 0n),
          })),
        };
  /**
   * The chain's state, then the manifest that names it (so a manifest never names a chain
   * it is ahead of). `withChain` false: the manifest only (the chain on disk is current).
   */
  function saveState(stoppedCleanly: boolean, withChain = true): Promise<void> {
    if (dir === undefined || base === undefined) return Promise.resolve();
    const manifestBase = base;
    const run = saving.then(async () => {
      const started = Date.now();
      const [state, blockNumber] = await Promise.all([withChain ? chain.dumpState() : undefined, chain.publicClient.getBlockNumber()]);
      if (state !== undefined) {
        dir.writeChainState(state);
        chainSaved = { at: new Date().toISOString(), blockNumber: Number(blockNumber) };
      }
      const next = sender.nextBlock();
      dir.writeManifest({
        ...manifestBase,
        accounts: [...createdAccounts],
        webhookNextBlock: next === undefined ? null : String(next),
        ticks: totalTicks,
        lastSave: { ...(chainSaved ?? { at: new Date().toISOString(), blockNumber: Number(blockNumber) }), stoppedCleanly },
      });
      lastSaveAt = Date.now();
      lastSaveMs = lastSaveAt - started;
      if (stoppedCleanly && state !== undefined) log(`saved the chain (block ${blockNumber}, ${Math.round(state.length / 1024)} KiB gzipped) and the manifest to ${dir.layout.root} in ${lastSaveMs} ms`);
    });
    saving = run.catch((error: unknown) => log(`saving the data directory failed: ${errorText(error)}`));
    return run;
  }
  // The first save: a fresh directory becomes usable (its manifest says "ready", its chain
  // beside it); a restored one is marked running (its chain on disk is the one just loaded,
  // but for the block mined to keep the clock going: the next save has it).
  await saveState(false, kept === undefined);

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
    const phases: Record<string, number> | undefined = options.onTickPhases === undefined ? undefined : {};
    if (options.crashAt === tickIndex) market.crash();
    const point = await timed(phases, 'market', () => market.step());
    // The perp's mark and Lyra's spot follow the oracle before anyone evaluates. If one
    // cannot, the tick goes on: the venue's own guards then refuse what it cannot price.
    await timed(phases, 'follow', () => markets.follow(point.oracle)).catch((error: unknown) => log(`the perp's mark or Lyra's spot did not follow ${point.oracle}: ${errorText(error)}`));
    collector.recordMarket(point);
    // Distinct tick times: the tick's ISO time is its event ids' natural key.
    lastTickAt = Math.max(Date.now(), lastTickAt + 1);
    await timed(phases, 'schedule', () => scheduler.tick(lastTickAt));
    await timed(phases, 'settle', () => settle(phases));
    collector.countTick();
    totalTicks++;
    const statusStarted = performance.now();
    // The console lines (nobody asked for them: no read of the policies).
    for (const tenant of options.onTick === undefined ? [] : tenants) {
      const { accountId } = tenant.account;
      const exposure = collector.latestExposure(accountId);
      // The policy as stored now (the dashboard may have changed it).
      const config = (await runtimeConfigs(configs).getConfig(accountId).catch(() => undefined))?.config;
      options.onTick?.(
        consoleLine({
          tick: tickIndex,
          label: tenant.label,
          market: market.last,
          crashing: market.crashing,
          exposure,
          band: bandEdges(config, exposure?.market?.spot ?? market.last.oracle).upper,
          lastDecision: collector.lastDecision(accountId),
          lastHedge: collector.lastHedge(accountId),
        }),
      );
    }
    if (phases !== undefined) phases.status = performance.now() - statusStarted;
    // A save costs more as the chain's history grows: never more than ~5 % of the time.
    if (dir !== undefined && Date.now() - lastSaveAt >= Math.max(options.saveChainEveryMs ?? SAVE_EVERY_MS, 20 * lastSaveMs)) await timed(phases, 'save', () => saveState(false)).catch(() => undefined);
    if (phases !== undefined) options.onTickPhases?.(phases);
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
  const startupMs = Date.now() - startedAt;
  log(`ready in ${startupMs} ms`);

  return {
    url: server.url,
    adminKey,
    adminKeySource,
    account: vault.account,
    accounts: tenants.map((tenant) => tenant.account),
    dataDir: dir === undefined ? undefined : { path: dir.layout.root, restored: kept !== undefined },
    startupMs,
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
    async deliverWebhooks() {
      const delivered = await sender.poll();
      await settle();
      return delivered;
    },
    workerPid: () => worker?.pid(),
    workerBusy: () => worker?.busy() ?? [],
    deadLetters: () => ({ dispatch: lanes.deadLetters.length, positions: positionDeadLetters, confirmGivenUp }),
    reconcile: () => checks.reconcile(),
    async hedgeRecords() {
      const out: JournaledHedgeRecord[] = [];
      for (const tenant of checked) {
        for (const record of await checks.records(tenant.accountId)) {
          const view = await stores.journal.get({ accountId: record.accountId, hedgeId: record.hedgeId, at: new Date(record.at) });
          const confirmedTx = record.steps.find((step) => step.stage === 'confirmed')?.data.txHash;
          out.push({
            accountId: record.accountId,
            hedgeId: record.hedgeId,
            stage: record.stage,
            confirmedTx: typeof confirmedTx === 'string' ? confirmedTx : undefined,
            transactions: (view?.transactions ?? []).map((tx) => ({ hash: tx.hash, nonce: tx.nonce, from: tx.from, purpose: tx.purpose })),
          });
        }
      }
      return out;
    },
    storedPositions: async (accountId) => (await positions.listPositions(accountId)).map((p) => ({ id: p.position.id, quantity: p.position.quantity })),
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

/** The oracle's answer now, USD. */
async function oraclePrice(chain: LocalChain): Promise<number> {
  const [, answer] = await chain.publicClient.readContract({ address: chain.addresses.priceAggregator, abi: priceAggregatorAbi, functionName: 'latestRoundData' });
  return Number(formatUnits(answer, AGGREGATOR_DECIMALS));
}

/**
 * anvil stamps the first block after a load with the wall clock, which can be behind the
 * saved chain (the perp's follower runs the chain ahead of the wall clock): the chain's
 * clock must never go back, so the next block follows the last one (anvil keeps the offset).
 */
async function keepChainTimeMonotonic(chain: LocalChain): Promise<void> {
  const { timestamp } = await chain.publicClient.getBlock();
  if (timestamp < BigInt(Math.floor(Date.now() / 1000))) return;
  await chain.testClient.setNextBlockTimestamp({ timestamp: timestamp + 1n });
  await chain.testClient.mine({ blocks: 1 });
}

/** The demo tenants of the manifest, checked: each account in DynamoDB, its signer's key in the keyring, its book wallet the seed's. */
async function restoreTenants(
  kept: ReadyManifest,
  deps: { readonly chain: LocalChain; readonly keys: ChainKeys; readonly keyring: ReadonlyMap<string, Hex>; readonly root: string; exists(accountId: string): Promise<boolean> },
): Promise<RunningTenant[]> {
  const tenants: RunningTenant[] = [];
  for (const tenant of kept.tenants) {
    if (!(await deps.exists(tenant.accountId))) throw unusable(deps.root, `DynamoDB Local's database has no account ${tenant.accountId} (${tenant.displayName}) the manifest names`);
    const key = deps.keyring.get(localSignerName(tenant.accountId));
    if (key === undefined || privateKeyToAccount(key).address !== tenant.signer) throw unusable(deps.root, `the keyring has no signing key for ${tenant.displayName} (${tenant.signer})`);
    const wallet = bookWalletOf(deps.chain, deps.keys, tenant.label);
    if (wallet.account.address !== tenant.bookWallet) throw unusable(deps.root, `the keyring's seed does not make ${tenant.displayName}'s book wallet`);
    tenants.push({ label: tenant.label, account: { accountId: tenant.accountId, displayName: tenant.displayName, signerAddress: tenant.signer, apiKey: undefined }, wallet });
  }
  return tenants;
}

/** Gas and tokens for an account's signer made after start-up: ETH, WETH and USDC (spot, perp margin), sUSD (Lyra premiums). */
async function faucet(chain: LocalChain, markets: VenueMarkets, signer: Address): Promise<void> {
  await chain.testClient.setBalance({ address: signer, value: FAUCET.eth });
  for (const [token, amount] of [
    [chain.addresses.weth, FAUCET.weth],
    [chain.addresses.usdc, FAUCET.usdc],
  ] as const) {
    await chain.confirm(await chain.deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [signer, amount] }));
  }
  await markets.lyra.fundTrader(signer, FAUCET.sUsd);
}

function chainRecordOf(kept: ReadyManifest): LocalChainRecord {
  const { addresses, pool, deployer, trader } = kept.chain;
  return { addresses, pool: { ...pool, initialSqrtPriceX96: BigInt(pool.initialSqrtPriceX96) }, deployer, trader };
}

function marketsRecordOf(kept: ReadyManifest): VenueMarketsRecord {
  return kept.markets;
}

function manifestChainOf(chainId: number, record: LocalChainRecord): ReadyManifest['chain'] {
  return { chainId, addresses: record.addresses, pool: { ...record.pool, initialSqrtPriceX96: String(record.pool.initialSqrtPriceX96) }, deployer: record.deployer, trader: record.trader };
}

function manifestMarketsOf(record: VenueMarketsRecord): ReadyManifest['markets'] {
  return record;
}
