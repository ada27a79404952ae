/**
 * The hedging flow wired for the local chain, as the local stack, the test world and the
 * bench all run it: one chain (anvil), its venue contracts allow-listed (the Uniswap
 * routers and the two tokens, and those of any other market deployed on it), gateway
 * retries kept short, and approvals polled quickly (anvil mines on send).
 */
import type { PublicClient } from 'viem';
import type { EventPublisher } from '../../shared/contracts/events/event-publisher.ts';
import type { TransactionSigner } from '../../shared/app/execution-ports.ts';
import type { SignerRef, VenueConfig } from '../../shared/contracts/execution-config.ts';
import { createChainAccess, createHedgingDeps, type HedgingDeps, type HedgingStores } from '../../shared/runtime/hedging-deps.ts';
import type { LocalChain } from './local-chain.ts';

export interface LocalHedgingOptions {
  readonly chain: Pick<LocalChain, 'rpcUrl' | 'chain' | 'addresses'>;
  readonly stores: HedgingStores;
  readonly signers: (ref: SignerRef) => Promise<TransactionSigner>;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
  /** A client of the caller's (e.g. with its own polling); one is made from the RPC URL otherwise. */
  readonly client?: PublicClient;
  /** How often an approval's receipt is looked for (default 50 ms). */
  readonly approvalPollMs?: number;
  /** The venues of markets deployed beside Uniswap (a perp, options): their contracts join the allow-list. */
  readonly extraVenues?: readonly VenueConfig[];
}

/** The contracts the local Uniswap venues send transactions to (both routers, the two tokens). */
export const localVenueContracts = (chain: Pick<LocalChain, 'addresses'>): readonly string[] => [
  chain.addresses.swapRouter,
  chain.addresses.swapRouter02,
  chain.addresses.weth,
  chain.addresses.usdc,
];

export function createLocalHedgingDeps(options: LocalHedgingOptions): HedgingDeps & { readonly client: PublicClient } {
  const { chain } = options;
  const access = createChainAccess({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chain.id,
    chain: chain.chain,
    ...(options.client === undefined ? {} : { client: options.client }),
    gateway: { retries: 1, timeoutMs: 5_000 },
  });
  const contracts = [...localVenueContracts(chain), ...(options.extraVenues ?? []).flatMap((venue) => access.venue(venue).contracts)];
  const deps = createHedgingDeps({
    stores: options.stores,
    chains: new Map([[chain.chain.id, access]]),
    signers: options.signers,
    allowedContracts: () => contracts,
    publisher: options.publisher,
    now: options.now,
    approvalWait: { timeoutMs: 10_000, pollMs: options.approvalPollMs ?? 50 },
  });
  return { ...deps, client: access.client };
}
