/**
 * The hedging flow's wiring, written once: DynamoDB repositories and per-chain viem
 * adapters into the dependencies of evaluate, dispatch and follow. The Lambda entries,
 * the local stack, the integration tests' world and the bench all build their use cases
 * here, so what they run is the same composition and only their environments differ
 * (RPC URLs, signers, allow-lists, the bus, the clock).
 *
 * The dispatcher's claim owner is left to the caller: it is per delivery in the Lambda
 * (awsRequestId and messageId), fixed in a test or the bench.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createPublicClient, http, type Chain, type PublicClient } from 'viem';
import { createViemChainGateway, type ViemChainGatewayOptions } from '../adapters/chain/viem-chain-gateway.ts';
import { createViemMarketReader } from '../adapters/chain/viem-market-reader.ts';
import { createAccountRepository, type AccountRepository } from '../adapters/dynamodb/account-repository.ts';
import { createConfigRepository, type ConfigRepository } from '../adapters/dynamodb/config-repository.ts';
import { createDispatchLimitsRepository } from '../adapters/dynamodb/dispatch-limits-repository.ts';
import { createEvaluationRepository } from '../adapters/dynamodb/evaluation-repository.ts';
import { createHedgeJournalRepository } from '../adapters/dynamodb/hedge-journal-repository.ts';
import { createNonceRepository, type NonceRepository } from '../adapters/dynamodb/nonce-repository.ts';
import { createPositionRepository, type PositionRepository } from '../adapters/dynamodb/position-repository.ts';
import { createVolForecastRepository } from '../adapters/dynamodb/vol-forecast-repository.ts';
import { lyraTradeErrorsAbi } from '../adapters/chain/lyra-abi.ts';
import { createVenue } from '../adapters/venues/create-venue.ts';
import type { FollowHedgeDeps } from '../app/confirm-hedge/follow-hedge.ts';
import type { DispatchDeps } from '../app/dispatch/dispatch-hedge.ts';
import type { EvaluateDeps } from '../app/evaluate/evaluate-account.ts';
import type { EvaluationStore, VolForecastStore } from '../app/evaluate/ports.ts';
import type { ChainGateway, MarketReader } from '../app/execution-ports.ts';
import type { Venue } from '../app/venue-port.ts';
import type { DispatchLimits, HedgeJournal } from '../app/hedge-journal-ports.ts';
import type { EventPublisher } from '../contracts/events/event-publisher.ts';
import { AccountConfigDocumentSchema, runtimeConfigOf, type AccountConfigDocument, type RuntimeConfig } from '../contracts/account-config.ts';
import type { VenueConfig } from '../contracts/execution-config.ts';

export interface HedgingStores {
  readonly configs: ConfigRepository<AccountConfigDocument>;
  readonly accounts: AccountRepository;
  readonly positions: PositionRepository;
  readonly evaluations: EvaluationStore;
  readonly journal: HedgeJournal;
  readonly limits: DispatchLimits;
  readonly nonces: NonceRepository;
  /** Vol forecast fits per underlying (volScaling.source "forecast"). */
  readonly volForecasts: VolForecastStore;
}

/**
 * @example
 * const stores = createHedgingStores({ doc, tableName: env.TABLE_NAME, now: () => new Date() });
 */
export function createHedgingStores(options: { readonly doc: DynamoDBDocumentClient; readonly tableName: string; readonly now: () => Date }): HedgingStores {
  const { doc, tableName, now } = options;
  return {
    configs: createConfigRepository({ doc, tableName, schema: AccountConfigDocumentSchema, now }),
    accounts: createAccountRepository({ doc, tableName, now }),
    positions: createPositionRepository({ doc, tableName, now }),
    evaluations: createEvaluationRepository({ doc, tableName, now }),
    journal: createHedgeJournalRepository({ doc, tableName, now }),
    limits: createDispatchLimitsRepository({ doc, tableName, now }),
    nonces: createNonceRepository({ doc, tableName, now }),
    volForecasts: createVolForecastRepository({ doc, tableName, now }),
  };
}

/** What the hedging flow reads and sends on one chain. */
export interface HedgingChain {
  readonly market: MarketReader;
  readonly gateway: ChainGateway;
  readonly venue: (venue: VenueConfig) => Venue;
}

export interface ChainAccessOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** A client the caller already keeps for this chain (the local stack's, with its fast polling); otherwise one over rpcUrl. */
  readonly client?: PublicClient;
  /** The viem chain of the client made here, when the caller knows it. */
  readonly chain?: Chain;
  /** The gateway's transport policy; its defaults suit a remote RPC provider. */
  readonly gateway?: Pick<ViemChainGatewayOptions, 'timeoutMs' | 'retries'>;
}

/**
 * The viem adapters of one chain: the market reader and the venues share one client; the
 * gateway keeps its own transport (its timeouts and retries are its own policy).
 *
 * @example
 * const access = createChainAccess({ rpcUrl: 'http://127.0.0.1:8545', chainId: 31337 });
 */
export function createChainAccess(options: ChainAccessOptions): HedgingChain & { readonly client: PublicClient } {
  const { rpcUrl, chainId } = options;
  const client: PublicClient = options.client ?? createPublicClient({ chain: options.chain, transport: http(rpcUrl) });
  return {
    client,
    market: createViemMarketReader({ client, chainId }),
    // The venues' custom errors, so that a simulation's revert reads as a name, not a selector.
    gateway: createViemChainGateway({ rpcUrl, chainId, abis: [lyraTradeErrorsAbi], ...options.gateway }),
    venue: (venue) => createVenue({ client, venue }),
  };
}

/**
 * One access per configured chain, keyed by chain id.
 *
 * @example
 * const chains = createChainAccessMap(env.CHAINS);
 */
export function createChainAccessMap(chains: readonly { readonly chainId: number; readonly rpcUrl: string }[]): ReadonlyMap<number, HedgingChain> {
  return new Map(chains.map((chain) => [chain.chainId, createChainAccess(chain)]));
}

type HedgingChains = ReadonlyMap<number, HedgingChain>;

/** What the hedging flow reads of an account's configuration: the runtime config (policy, market, effective execution) at its version. */
export interface RuntimeConfigReader {
  getConfig(accountId: string): Promise<{ readonly version: number; readonly config: RuntimeConfig } | undefined>;
}

/**
 * The flow's view of the stored document: undefined until the owner wrote a policy.
 *
 * @example
 * const reader = runtimeConfigs(stores.configs);
 * (await reader.getConfig('acc-1'))?.config.execution?.maxTradeNotionalUsd; // the lower of ceiling and own limit
 */
export function runtimeConfigs(configs: Pick<ConfigRepository<AccountConfigDocument>, 'getConfig'>): RuntimeConfigReader {
  return {
    async getConfig(accountId) {
      const stored = await configs.getConfig(accountId);
      const config = stored === undefined ? undefined : runtimeConfigOf(stored.config);
      return config === undefined ? undefined : { version: stored!.version, config };
    },
  };
}

function venuesOf(chains: HedgingChains): DispatchDeps['venues'] {
  return (venue, chainId) => {
    const chain = chains.get(chainId);
    if (chain === undefined) throw new Error(`no RPC endpoint is configured for chain ${chainId}`);
    return chain.venue(venue);
  };
}

export interface EvaluateWiring {
  readonly stores: Pick<HedgingStores, 'configs' | 'accounts' | 'positions' | 'evaluations' | 'journal'> & Partial<Pick<HedgingStores, 'volForecasts'>>;
  readonly chains: HedgingChains;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

export function createEvaluateDeps(wiring: EvaluateWiring): EvaluateDeps {
  const { stores, chains, publisher, now } = wiring;
  return {
    configs: runtimeConfigs(stores.configs),
    accounts: stores.accounts,
    positions: stores.positions,
    evaluations: stores.evaluations,
    ...(stores.volForecasts === undefined ? {} : { volForecasts: stores.volForecasts }),
    markets: (chainId) => chains.get(chainId)?.market,
    // The perpetuals' margin, read through the same venue adapters dispatch trades with.
    venueHoldings: async ({ chainId, account, venues }) => {
      const chain = chains.get(chainId);
      if (chain === undefined) throw new Error(`no RPC endpoint is configured for chain ${chainId}`);
      return Promise.all(
        venues.map(async (config) => {
          const venue = chain.venue(config);
          const position = await venue.readPosition(account as `0x${string}`);
          return { venueId: venue.id, instrument: venue.instrument, quantity: position.quantity, ...(position.margin === undefined ? {} : { margin: position.margin }) };
        }),
      );
    },
    publisher,
    now,
    // Requests in flight for too long are published again (their dispatch message was lost).
    staleInFlight: { hedges: stores.journal },
  };
}

export interface FollowWiring {
  readonly stores: Pick<HedgingStores, 'configs' | 'accounts' | 'journal' | 'limits'>;
  readonly chains: HedgingChains;
  readonly signers: FollowHedgeDeps['signers'];
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

export function createFollowDeps(wiring: FollowWiring): FollowHedgeDeps {
  const { stores, chains, signers, publisher, now } = wiring;
  return {
    configs: runtimeConfigs(stores.configs),
    accounts: stores.accounts,
    journal: stores.journal,
    limits: stores.limits,
    gateways: (chainId) => chains.get(chainId)?.gateway,
    venues: venuesOf(chains),
    signers,
    publisher,
    now,
  };
}

export interface DispatchWiring extends Omit<FollowWiring, 'stores'> {
  readonly stores: Pick<HedgingStores, 'configs' | 'accounts' | 'journal' | 'limits' | 'nonces'>;
  readonly allowedContracts: DispatchDeps['allowedContracts'];
  readonly claimLeaseMs?: DispatchDeps['claimLeaseMs'];
  readonly approvalWait?: DispatchDeps['approvalWait'];
}

/** Everything the dispatcher needs but its claim owner. */
export function createDispatchDeps(wiring: DispatchWiring): Omit<DispatchDeps, 'owner'> {
  const { stores, chains, signers, allowedContracts, publisher, now } = wiring;
  return {
    configs: runtimeConfigs(stores.configs),
    accounts: stores.accounts,
    journal: stores.journal,
    limits: stores.limits,
    nonces: stores.nonces,
    chains: (chainId) => {
      const chain = chains.get(chainId);
      return chain === undefined ? undefined : { gateway: chain.gateway, market: chain.market };
    },
    venues: venuesOf(chains),
    signers,
    allowedContracts,
    publisher,
    now,
    ...(wiring.claimLeaseMs === undefined ? {} : { claimLeaseMs: wiring.claimLeaseMs }),
    ...(wiring.approvalWait === undefined ? {} : { approvalWait: wiring.approvalWait }),
  };
}

export interface HedgingDeps {
  readonly evaluate: EvaluateDeps;
  readonly dispatch: Omit<DispatchDeps, 'owner'>;
  readonly follow: FollowHedgeDeps;
}

/**
 * The three use cases over the same stores, chains and signers (one process running the whole flow).
 *
 * @example
 * const hedging = createHedgingDeps({ stores, chains, signers: (ref) => registry.resolve(ref), allowedContracts: () => [router], publisher, now });
 * await dispatchHedge({ ...hedging.dispatch, owner: 'local' }, request);
 */
export function createHedgingDeps(wiring: DispatchWiring & { readonly stores: HedgingStores }): HedgingDeps {
  return { evaluate: createEvaluateDeps(wiring), dispatch: createDispatchDeps(wiring), follow: createFollowDeps(wiring) };
}
