/**
 * The hedging flow wired for the local chain, as the local stack, the test world and the
 * bench all run it: one chain (anvil), its venue contracts allow-listed (router and the two
 * tokens), gateway retries kept short, and approvals polled quickly (anvil mines on send).
 */
import type { PublicClient } from 'viem';
import type { EventPublisher } from '../../shared/contracts/events/event-publisher.ts';
import type { TransactionSigner } from '../../shared/app/execution-ports.ts';
import type { SignerRef } from '../../shared/contracts/execution-config.ts';
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
}

/** The contracts the local venue sends transactions to: the allow-list of a local run. */
export const localVenueContracts = (chain: Pick<LocalChain, 'addresses'>): readonly string[] => [chain.addresses.swapRouter, chain.addresses.weth, chain.addresses.usdc];

export function createLocalHedgingDeps(options: LocalHedgingOptions): HedgingDeps & { readonly client: PublicClient } {
  const { chain } = options;
  const access = createChainAccess({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chain.id,
    chain: chain.chain,
    ...(options.client === undefined ? {} : { client: options.client }),
    gateway: { retries: 1, timeoutMs: 5_000 },
  });
  const contracts = localVenueContracts(chain);
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
