/**
 * The protocol markets beside Uniswap that `npm start` trades on: a Perp v2 perpetual
 * (the options vault's delta hedge) and Lyra v1's option market (its gamma and vega
 * hedges), deployed on the local chain at start-up, and moved after the simulator each
 * tick: the perp's mark (perp-mark-follower.ts), then Lyra's spot, which also does
 * Lyra's keepers' work (stale greek caches refreshed, expired boards settled).
 *
 * In that order, one after the other, so a tick's transactions come in the same
 * sequence every run.
 */
import { createWalletClient, http, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { VenueConfigSchema, type VenueConfig } from '../../shared/contracts/execution-config.ts';
import type { LocalChain } from '../chain/local-chain.ts';
import { deployLyraMarket, type LyraMarket } from '../chain/lyra-market.ts';
import { deployPerpV2Market, type PerpV2Market } from '../chain/perp-v2-market.ts';
import { createPerpMarkFollower, type PerpMarkFollower } from './perp-mark-follower.ts';

export interface VenueMarkets {
  readonly perp: PerpV2Market;
  readonly lyra: LyraMarket;
  /** Their venues as the allow-list takes them (contracts of both join the local allow-list). */
  readonly extraVenues: readonly VenueConfig[];
  /** Wall time of the two deployments, ms. */
  readonly deployMs: number;
  /** After the oracle and the pools moved to `priceUsd`: the perp's mark, then Lyra's spot. */
  follow(priceUsd: number): Promise<{ readonly perpMark: number }>;
}

export async function deployVenueMarkets(chain: LocalChain): Promise<VenueMarkets> {
  const started = performance.now();
  // Side by side, which halves the start-up's longest leg: each deployer counts its nonces
  // locally, so Lyra gets a deployer of its own (it only reads the chain's oracle, and owns
  // everything it deploys: sUSD to fund traders with, spot, boards). The perp's deployment
  // moves the chain's clock past its TWAP window meanwhile; Lyra's boards and greek caches
  // are dated from whatever the chain's clock says when each is listed.
  const lyraDeployer = createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), chain: chain.chain, transport: http(chain.rpcUrl), pollingInterval: 10 });
  await chain.testClient.setBalance({ address: lyraDeployer.account.address, value: parseEther('1000') });
  const [perp, lyra] = await Promise.all([deployPerpV2Market(chain), deployLyraMarket({ ...chain, deployer: lyraDeployer })]);
  const follower: PerpMarkFollower = await createPerpMarkFollower(chain, perp);
  const extraVenues = [perp.venueConfig(), lyra.venueConfig()].map((venue) => VenueConfigSchema.parse(venue));
  return {
    perp,
    lyra,
    extraVenues,
    deployMs: performance.now() - started,
    async follow(priceUsd) {
      const perpMark = await follower.follow(priceUsd);
      await lyra.setSpot(priceUsd);
      return { perpMark };
    },
  };
}
