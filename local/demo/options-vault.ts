/**
 * "Demo options vault": a put-selling options vault's book, delta hedged with the Perp v2
 * perpetual and kept within gamma and vega limits with two Lyra options (a call and a put
 * of Lyra's longest live board).
 *
 * Why this book: a short-call book LOSES gamma and vega in a crash (its strikes are left
 * above the market), so no limit could bind then. A vault that writes puts below the money
 * gains both as ETH falls toward its strikes: the limits below leave headroom for the
 * ordinary hourly moves and bind as a flash crash goes through 2,700-2,900.
 *
 * Why these limits (measured over seeded 80-tick runs with a crash at tick 20, 20 seeds):
 * |gamma| 0.0098 and |vega| 36.2 at 3,000; gamma peaks at 0.0145 near 2,600, vega at
 * 39.3 near 2,800. Limits of 0.0125 and 38.5 bind in every crash, and on a few calm ticks
 * of the runs that drift toward 2,850 first.
 *
 * Why vol 0.8 everywhere: it is the simulator's vol and Lyra's base implied vol, so the
 * book, the hedge options the policy prices and the options Lyra sells are valued alike,
 * and the option premium guard compares like with like.
 *
 * Why minTradeUnits 1e-6 (dust): the policy hedges a Greek exactly back to its limit, so
 * the book then sits on the limit and the next move often takes it a hair beyond. A breach
 * smaller than one minimum trade cannot be fixed and stands (an alert each evaluation,
 * and a breach after the next perp hedge): with 1e-4 that happened on flat stretches of
 * the gamma curve (seen: 2e-6 of the limit). The band keeps perp trades far above it.
 */
import type { Address } from 'viem';
import type { OptionInstrument } from '../../shared/contracts/hedge-policy-config.ts';
import type { LocalChain } from '../chain/local-chain.ts';
import { localMarketConfig, localOperatorExecution } from '../chain/local-hedge-config.ts';
import type { LyraBoardListing } from '../chain/lyra-market.ts';
import type { VenueMarkets } from '../market/venue-markets.ts';
import type { DemoConfig, DemoOption } from './demo-account.ts';

export const OPTIONS_VAULT_NAME = 'Demo options vault';

/** Short puts under the money and a covered call above: 18 contracts, three expiries. */
export const OPTIONS_VAULT_BOOK: readonly DemoOption[] = [
  { type: 'call', strike: 3300, days: 30, size: -4 },
  { type: 'put', strike: 2700, days: 7, size: -3 },
  { type: 'put', strike: 2700, days: 14, size: -6 },
  { type: 'put', strike: 2400, days: 30, size: -5 },
];

/** The vol the vault is priced at: the simulator's, and Lyra's base IV. */
export const OPTIONS_VAULT_VOL = 0.8;
export const OPTIONS_VAULT_LIMITS = { maxAbsGamma: 0.0125, maxAbsVegaPerVolPoint: 38.5 } as const;
/**
 * The worst premium the operator accepts over the model (basis points of the premium).
 * Lyra's AMM charges about 1 % of spot per contract (its spot fee, scaled up for expiries
 * past six weeks) plus option, vega and variance fees, and moves its vol up as the vault
 * buys: on the 60-day options out of the money that is 25-35 % of a ~$150-250 premium,
 * above the 25 % default (measured: 26-32 %).
 */
const OPTION_PREMIUM_MARKUP_BPS = 5_000;
/** What the stack funds the vault's signer with: perp margin (USDC), option premiums (sUSD). */
const MARGIN_USDC = 1_000_000n * 10n ** 6n;
const PREMIUM_SUSD = 1_000_000;

/**
 * The hedge options: a call at the money and a put 10 % under it, on Lyra's longest live
 * board, whose deltas stay inside Lyra's tradable range (≥ 0.15) through a 25 % crash.
 */
export function vaultHedgeOptions(boards: readonly LyraBoardListing[], spotUsd: number): OptionInstrument[] {
  const board = [...boards].sort((a, b) => b.expiryMs - a.expiryMs)[0];
  if (board === undefined || board.strikes.length === 0) throw new Error('Lyra lists no live board: the vault has no hedge options');
  const nearest = (target: number): number => board.strikes.reduce((best, s) => (Math.abs(s.strike - target) < Math.abs(best - target) ? s.strike : best), board.strikes[0]!.strike);
  const call = nearest(spotUsd);
  const put = nearest(spotUsd * 0.9);
  return [
    { id: `lyra-call-${call}`, optionType: 'call', strike: call, expiryMs: board.expiryMs, vol: OPTIONS_VAULT_VOL },
    { id: `lyra-put-${put}`, optionType: 'put', strike: put, expiryMs: board.expiryMs, vol: OPTIONS_VAULT_VOL },
  ];
}

export function optionsVaultConfig(chain: LocalChain, markets: VenueMarkets, hedgeOptions: readonly OptionInstrument[]): DemoConfig {
  return {
    operator: {
      underlying: 'ETH',
      // Staleness is generous: headless ticks run faster than wall-clock minutes.
      market: { ...localMarketConfig(chain, { maxStalenessMs: 600_000, maxPoolDeviationBps: 300 }), vol: { source: 'fixed', value: OPTIONS_VAULT_VOL } },
      execution: {
        ...localOperatorExecution(chain, { maxSlippageBps: 300, maxTradeNotionalUsd: 150_000, maxDailyNotionalUsd: 10_000_000, maxConsecutiveFailures: 5 }),
        maxOptionPremiumMarkupBps: OPTION_PREMIUM_MARKUP_BPS,
        // Without a top-up only the initial margin is deposited, and the first move against
        // the perp would raise MARGIN_LOW: the operator keeps it at 50 %.
        venues: [markets.perp.venueConfig({ topUpToMarginRatio: 0.5 }), markets.lyra.venueConfig()],
      },
    },
    policy: {
      underlying: 'ETH',
      hedgeInstrument: 'perp',
      band: { unit: 'units', trigger: 0.5, target: 'zero' },
      guards: { minTradeUnits: 0.000001, maxTradeUnits: 50 },
      limits: { ...OPTIONS_VAULT_LIMITS, hedgeOptions: [...hedgeOptions] },
    },
  };
}

/** Gas, perp margin and option premiums for the vault's signer. */
export async function fundOptionsVault(chain: LocalChain, markets: VenueMarkets, signer: Address): Promise<void> {
  await chain.testClient.setBalance({ address: signer, value: 100n * 10n ** 18n });
  await markets.perp.fundTrader(signer, MARGIN_USDC);
  await markets.lyra.fundTrader(signer, PREMIUM_SUSD);
}
