/**
 * The protocol markets beside Uniswap that `npm start` trades on: a Perp v2 perpetual
 * (the options vault's delta hedge) and Lyra v1's option market (its gamma and vega
 * hedges), deployed on the local chain at start-up — or, on a restored chain, found where
 * the first start deployed them (`attachVenueMarkets` with the record kept in the data
 * directory) — and moved after the simulator each tick: the perp's mark
 * (perp-mark-follower.ts), then Lyra's spot, which also does Lyra's keepers' work (stale
 * greek caches refreshed, expired boards settled).
 *
 * In that order, one after the other, so a tick's transactions come in the same
 * sequence every run.
 */
import { createWalletClient, http, parseEther, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { VenueConfigSchema, type VenueConfig } from '../../shared/contracts/execution-config.ts';
import { randomChainKeys, type ChainKeys } from '../chain/chain-keys.ts';
import { ChainRestoreError, type LocalChain, type LocalWalletClient } from '../chain/local-chain.ts';
import { attachLyraMarket, deployLyraMarket, type LyraMarket, type LyraMarketRecord } from '../chain/lyra-market.ts';
import { attachPerpV2Market, deployPerpV2Market, type PerpV2Market, type PerpV2MarketRecord } from '../chain/perp-v2-market.ts';
import { createPerpMarkFollower, type PerpMarkFollower } from './perp-mark-follower.ts';

export interface VenueMarkets {
  readonly perp: PerpV2Market;
  readonly lyra: LyraMarket;
  /** Their venues as the allow-list takes them (contracts of both join the local allow-list). */
  readonly extraVenues: readonly VenueConfig[];
  /** Wall time of the two deployments, ms (0 when attached to a restored chain). */
  readonly deployMs: number;
  /** What a restart needs to attach to both again. */
  readonly record: VenueMarketsRecord;
  /** After the oracle and the pools moved to `priceUsd`: the perp's mark, then Lyra's spot. */
  follow(priceUsd: number): Promise<{ readonly perpMark: number }>;
}

export interface VenueMarketsRecord {
  readonly perp: PerpV2MarketRecord;
  readonly lyra: LyraMarketRecord;
  /** Lyra's own deployer (it owns Lyra's contracts) and the perp's keeper: their keys come from the seed. */
  readonly lyraDeployer: Address;
  readonly keeper: Address;
}

export async function deployVenueMarkets(chain: LocalChain, options: { readonly keys?: ChainKeys } = {}): Promise<VenueMarkets> {
  const keys = options.keys ?? randomChainKeys();
  const started = performance.now();
  // Side by side, which halves the start-up's longest leg: each deployer counts its nonces
  // locally, so Lyra gets a deployer of its own (it only reads the chain's oracle, and owns
  // everything it deploys: sUSD to fund traders with, spot, boards). The perp's deployment
  // moves the chain's clock past its TWAP window meanwhile; Lyra's boards and greek caches
  // are dated from whatever the chain's clock says when each is listed.
  const lyraDeployer = walletOf(chain, keys('lyra:deployer'));
  await chain.testClient.setBalance({ address: lyraDeployer.account.address, value: parseEther('1000') });
  const [perp, lyra] = await Promise.all([deployPerpV2Market(chain, { keys }), deployLyraMarket({ ...chain, deployer: lyraDeployer })]);
  const keeperKey = keys('perp:keeper');
  const follower: PerpMarkFollower = await createPerpMarkFollower(chain, perp, { keeperKey });
  const record: VenueMarketsRecord = { perp: perp.record, lyra: lyra.record, lyraDeployer: lyraDeployer.account.address, keeper: privateKeyToAccount(keeperKey).address };
  return venueMarkets(perp, lyra, follower, record, performance.now() - started);
}

/** Both markets as the first start deployed them on this (restored) chain: nothing is sent. */
export async function attachVenueMarkets(chain: LocalChain, record: VenueMarketsRecord, keys: ChainKeys): Promise<VenueMarkets> {
  const lyraDeployer = walletOf(chain, keys('lyra:deployer'));
  const keeperKey = keys('perp:keeper');
  if (lyraDeployer.account.address !== record.lyraDeployer || privateKeyToAccount(keeperKey).address !== record.keeper) {
    throw new ChainRestoreError("the keyring's seed does not make Lyra's deployer or the perp's keeper");
  }
  const [perp, lyra] = await Promise.all([attachPerpV2Market(chain, record.perp, keys), attachLyraMarket({ ...chain, deployer: lyraDeployer }, record.lyra)]);
  const follower = await createPerpMarkFollower(chain, perp, { keeperKey, alreadySetUp: true });
  return venueMarkets(perp, lyra, follower, record, 0);
}

function walletOf(chain: LocalChain, key: `0x${string}`): LocalWalletClient {
  return createWalletClient({ account: privateKeyToAccount(key), chain: chain.chain, transport: http(chain.rpcUrl), pollingInterval: 10 });
}

function venueMarkets(perp: PerpV2Market, lyra: LyraMarket, follower: PerpMarkFollower, record: VenueMarketsRecord, deployMs: number): VenueMarkets {
  const extraVenues = [perp.venueConfig(), lyra.venueConfig()].map((venue) => VenueConfigSchema.parse(venue));
  return {
    perp,
    lyra,
    extraVenues,
    deployMs,
    record,
    async follow(priceUsd) {
      const perpMark = await follower.follow(priceUsd);
      await lyra.setSpot(priceUsd);
      return { perpMark };
    },
  };
}
