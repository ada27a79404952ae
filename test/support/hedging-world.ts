// The whole hedging flow on real parts, for integration tests: DynamoDB Local (the
// repositories), anvil with Uniswap V3, our PriceAggregator and OptionBook (the chain
// fixture), the viem adapters (market reader, venue, gateway, local-key signer) and the
// use cases evaluate → dispatch → follow. Only the event bus is a recorder: each test
// drives the flow step by step and inspects what was published.
//
//   const world = useHedgingWorld();                       // beforeAll/afterAll
//   const account = await world().openAccount({ shortCalls: 4 });
//   const evaluation = await world().evaluate(account.accountId);
import { createHash, randomUUID } from 'node:crypto';
import { createWalletClient, http, parseUnits, type Address, type Hex, type PrivateKeyAccount, type WalletClient, type HttpTransport } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { testTokenAbi } from '../../shared/adapters/chain/artifacts/test-token.ts';
import { priceAggregatorAbi } from '../../shared/adapters/chain/artifacts/price-aggregator.ts';
import { createViemChainGateway } from '../../shared/adapters/chain/viem-chain-gateway.ts';
import type { AccountRepository } from '../../shared/adapters/dynamodb/account-repository.ts';
import type { ConfigRepository } from '../../shared/adapters/dynamodb/config-repository.ts';
import type { PositionRepository } from '../../shared/adapters/dynamodb/position-repository.ts';
import { createSignerRegistry } from '../../shared/adapters/signing/local-transaction-signer.ts';
import { followHedge, type FollowHedgeDeps } from '../../shared/app/confirm-hedge/follow-hedge.ts';
import { dispatchHedge, type DispatchDeps } from '../../shared/app/dispatch/dispatch-hedge.ts';
import { evaluateAccount, type EvaluateDeps } from '../../shared/app/evaluate/evaluate-account.ts';
import type { ChainGateway } from '../../shared/app/execution-ports.ts';
import type { HedgeJournal } from '../../shared/app/hedge-journal-ports.ts';
import { decodeEvent } from '../../shared/contracts/events/decode-event.ts';
import type { EventDetail, EventType, HedgeEvent } from '../../shared/contracts/events/event-definitions.ts';
import type { EventEntry } from '../../shared/contracts/events/event-entry.ts';
import { encodeEvent } from '../../shared/contracts/events/encode-event.ts';
import type { EventPublisher } from '../../shared/contracts/events/event-publisher.ts';
import { runtimeConfigOf, type AccountConfigDocument, type RuntimeConfig } from '../../shared/contracts/account-config.ts';
import { VenueConfigSchema } from '../../shared/contracts/execution-config.ts';
import { createHedgingStores } from '../../shared/runtime/hedging-deps.ts';
import { createLocalHedgingDeps } from '../../local/chain/local-hedging-deps.ts';
import { AGGREGATOR_DECIMALS, startChainFixture, USDC_DECIMALS, WETH_DECIMALS, type ChainFixture } from './chain-fixture.ts';
import { useDynamoDbLocal } from './dynamodb-local.ts';
import { deployLyraMarket, type LyraMarket } from '../../local/chain/lyra-market.ts';
import { deployPerpV2Market, type PerpV2Market } from '../../local/chain/perp-v2-market.ts';
import { localConfigDocument, localExecutionConfig, localMarketConfig, type LocalAccountConfigInput } from '../../local/chain/local-hedge-config.ts';

export const DAY_MS = 86_400_000;

/** The bus, recorded: every entry published, decodable by type. */
export interface RecordingPublisher extends EventPublisher {
  readonly entries: EventEntry[];
  of<T extends EventType>(type: T, accountId?: string): EventDetail<T>[];
  /** Makes the next `count` publish calls fail (a bus outage). */
  failNext(count: number): void;
}

export function recordingPublisher(): RecordingPublisher {
  const entries: EventEntry[] = [];
  let failures = 0;
  return {
    entries,
    publish(batch) {
      if (failures > 0) {
        failures--;
        return Promise.reject(new Error('bus unavailable (injected)'));
      }
      entries.push(...batch);
      return Promise.resolve();
    },
    of<T extends EventType>(type: T, accountId?: string): EventDetail<T>[] {
      return entries
        .map((entry) => decodeEvent(entry))
        .filter((event): event is Extract<HedgeEvent, { type: T }> => event.type === type)
        .map((event) => event.detail as EventDetail<T>)
        .filter((detail) => accountId === undefined || detail.accountId === accountId);
    },
    failNext(count) {
      failures = count;
    },
  };
}

export interface OpenAccountOptions {
  /** Short calls at the money, 30 days (delta ≈ −0.5 each): the book the hedge buys against. */
  readonly shortCalls?: number;
  /** Changes to the default config, written flat: policy + the operator's market and execution (a ±0.25 ETH band to zero, realistic caps). */
  readonly config?: (base: LocalAccountConfigInput) => LocalAccountConfigInput;
  readonly status?: 'active' | 'paused';
}

export interface OpenedAccount {
  readonly accountId: string;
  readonly signer: Address;
  readonly signerName: string;
  /** What the flow runs with (policy, market, effective execution). */
  readonly config: RuntimeConfig;
  /** As stored. */
  readonly document: AccountConfigDocument;
}

export interface HedgingWorld {
  readonly chain: ChainFixture;
  /** The DynamoDB Local table the stores use (for reads the stores do not offer, e.g. the audit trail). */
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** The markets deployed on the chain besides Uniswap, when the world was asked for them. */
  readonly perp?: PerpV2Market;
  readonly lyra?: LyraMarket;
  readonly publisher: RecordingPublisher;
  readonly accounts: AccountRepository;
  readonly configs: ConfigRepository<AccountConfigDocument>;
  readonly positions: PositionRepository;
  readonly journal: HedgeJournal;
  readonly evaluateDeps: EvaluateDeps;
  readonly dispatchDeps: DispatchDeps;
  readonly followDeps: FollowHedgeDeps;
  /** The clock every use case reads; tests move it. */
  clock: { nowMs: number };
  openAccount(options?: OpenAccountOptions): Promise<OpenedAccount>;
  /** 100 ETH for gas, 1,000,000 USDC and 100 WETH. */
  fund(address: Address): Promise<void>;
  /** Publishes a Evaluation Requested for the account (operator trigger) and evaluates it. */
  evaluate(accountId: string): ReturnType<typeof evaluateAccount>;
  dispatchLatest(accountId: string, overrides?: Partial<DispatchDeps>): ReturnType<typeof dispatchHedge>;
  /** Follows the account's latest Hedge Submitted until it is final (or `maxLooks`). */
  followUntilFinal(accountId: string, maxLooks?: number): ReturnType<typeof followHedge>;
  setOraclePrice(usd: number): Promise<void>;
  balances(address: Address): Promise<{ weth: number; usdc: number }>;
  /** The account's signer as a wallet, for transactions made outside the system (an operator using the key). */
  signerWallet(account: OpenedAccount): WalletClient<HttpTransport, typeof foundry, PrivateKeyAccount>;
  /** The pool's token contracts, for approvals and transfers made outside the system. */
  readonly tokenAbi: typeof testTokenAbi;
  /** A gateway to another RPC URL (a faulty proxy), same chain. */
  gatewayAt(rpcUrl: string, options?: { timeoutMs?: number; retries?: number }): ChainGateway;
}

const localKeys = new Map<string, Hex>();

export interface HedgingWorldOptions {
  /** Deploy a Perp v2 market and/or a Lyra v1 option market on the chain (its reset point moves past them). */
  readonly markets?: readonly ('perp' | 'lyra')[];
}

export function useHedgingWorld(worldOptions: HedgingWorldOptions = {}): () => HedgingWorld {
  const ddb = useDynamoDbLocal();
  let world: HedgingWorld | undefined;
  beforeAll(async () => {
    const chain = await startChainFixture();
    const markets = worldOptions.markets ?? [];
    const perp = markets.includes('perp') ? await deployPerpV2Market(chain) : undefined;
    const lyra = markets.includes('lyra') ? await deployLyraMarket(chain) : undefined;
    if (perp !== undefined || lyra !== undefined) await chain.markBaseline();
    const { doc, tableName } = ddb();
    const clock = { nowMs: Date.now() };
    const now = (): Date => new Date(clock.nowMs);
    const publisher = recordingPublisher();
    const stores = createHedgingStores({ doc, tableName, now });
    const { configs, accounts, positions, journal } = stores;
    const registry = createSignerRegistry({ localKeys });
    const addresses = chain.addresses;
    const extraVenues = [...(perp === undefined ? [] : [perp.venueConfig()]), ...(lyra === undefined ? [] : [lyra.venueConfig()])].map((venue) => VenueConfigSchema.parse(venue));
    const hedging = createLocalHedgingDeps({ chain, stores, signers: (ref) => registry.resolve(ref), publisher, now, extraVenues });
    const { evaluate: evaluateDeps, follow: followDeps } = hedging;
    const dispatchDeps: DispatchDeps = { ...hedging.dispatch, owner: `test-${randomUUID().slice(0, 8)}` };

    const mint = async (token: Address, to: Address, amount: bigint): Promise<void> => {
      await chain.confirm(await chain.deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [to, amount] }));
    };

    world = {
      chain,
      doc,
      tableName,
      ...(perp === undefined ? {} : { perp }),
      ...(lyra === undefined ? {} : { lyra }),
      publisher,
      accounts,
      configs,
      positions,
      journal,
      evaluateDeps,
      dispatchDeps,
      followDeps,
      clock,
      async openAccount(options = {}) {
        const accountId = `acc-${randomUUID().slice(0, 8)}`;
        const key = generatePrivateKey();
        const signer = privateKeyToAccount(key).address;
        const signerName = `hedger-${accountId}`;
        localKeys.set(signerName, key);
        await this.fund(signer);
        const base: LocalAccountConfigInput = {
          underlying: 'ETH',
          hedgeInstrument: 'spot',
          band: { unit: 'units', trigger: 0.25, target: 'zero' },
          market: localMarketConfig(chain),
          execution: localExecutionConfig(chain, signerName),
        };
        const document = localConfigDocument(options.config ? options.config(base) : base);
        const config = runtimeConfigOf(document)!;
        // As the config API creates it: with its first key and its own signer.
        await accounts.createAccountWithKey({ accountId, displayName: `Desk ${accountId}` }, 'test:world', { keyId: 'key-1', hash: createHash('sha256').update(accountId).digest('hex') }, { ref: { kind: 'local', name: signerName }, address: signer });
        if (options.status === 'paused') await accounts.pauseAccount(accountId, { by: 'account', reason: 'paused by the test' }, 'test:world');
        await configs.putConfig(accountId, document, 0, 'test:world');
        const shortCalls = options.shortCalls ?? 4;
        if (shortCalls > 0) {
          await positions.putPosition(
            accountId,
            { id: 'calls-1', underlying: 'ETH', kind: 'option', optionType: 'call', strike: 3000, expiryMs: clock.nowMs + 30 * DAY_MS, quantity: -shortCalls },
            'manual',
          );
        }
        return { accountId, signer, signerName, config, document };
      },
      async fund(address) {
        await chain.testClient.setBalance({ address, value: parseUnits('100', 18) });
        await mint(addresses.usdc, address, parseUnits('1000000', USDC_DECIMALS));
        await mint(addresses.weth, address, parseUnits('100', WETH_DECIMALS));
      },
      async evaluate(accountId) {
        const trigger = encodeEvent('Evaluation Requested', {
          accountId,
          occurredAt: new Date(clock.nowMs).toISOString(),
          trigger: 'operator',
          triggerId: randomUUID(),
        });
        const eventId = (JSON.parse(trigger.Detail) as { eventId: string }).eventId;
        return evaluateAccount(evaluateDeps, { accountId, evaluationId: eventId });
      },
      async dispatchLatest(accountId, overrides = {}) {
        const requested = publisher.of('Hedge Requested', accountId).at(-1);
        if (requested === undefined) throw new Error(`no Hedge Requested for ${accountId}`);
        return dispatchHedge({ ...dispatchDeps, ...overrides }, requested);
      },
      async followUntilFinal(accountId, maxLooks = 20) {
        const submitted = publisher.of('Hedge Submitted', accountId).at(-1);
        if (submitted === undefined) throw new Error(`no Hedge Submitted for ${accountId}`);
        let outcome = await followHedge(followDeps, submitted);
        for (let look = 1; look < maxLooks && outcome.status === 'pending'; look++) outcome = await followHedge(followDeps, submitted);
        return outcome;
      },
      async setOraclePrice(usd) {
        await chain.confirm(
          await chain.deployer.writeContract({
            address: addresses.priceAggregator,
            abi: priceAggregatorAbi,
            functionName: 'updateAnswer',
            args: [BigInt(Math.round(usd * 10 ** AGGREGATOR_DECIMALS))],
          }),
        );
      },
      async balances(address) {
        const read = (token: Address) => chain.publicClient.readContract({ address: token, abi: testTokenAbi, functionName: 'balanceOf', args: [address] });
        const [weth, usdc] = await Promise.all([read(addresses.weth), read(addresses.usdc)]);
        return { weth: Number(weth) / 10 ** WETH_DECIMALS, usdc: Number(usdc) / 10 ** USDC_DECIMALS };
      },
      signerWallet(account) {
        const key = localKeys.get(account.signerName);
        if (key === undefined) throw new Error(`no key for ${account.signerName}`);
        return createWalletClient({ chain: foundry, transport: http(chain.rpcUrl), account: privateKeyToAccount(key) });
      },
      tokenAbi: testTokenAbi,
      gatewayAt(rpcUrl, options = {}) {
        return createViemChainGateway({ rpcUrl, chainId: chain.chain.id, retries: options.retries ?? 2, timeoutMs: options.timeoutMs ?? 2_000 });
      },
    };
  }, 120_000);
  afterAll(async () => {
    await world?.chain.stop();
    world = undefined;
  });
  return () => {
    if (world === undefined) throw new Error('the hedging world is not running (use the accessor inside a test)');
    return world;
  };
}
