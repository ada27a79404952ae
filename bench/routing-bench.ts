/**
 * The routed venue against the best single pool, on the local chain's three pools of
 * WETH/USDC (V3 0.3 % 1000 WETH deep, V3 0.05 % 300 WETH, V2 200 WETH): for buys and sells
 * from 0.1 to 1,000 WETH, the effective price with gas (20 gwei, ETH at 3000) of the best
 * single pool and of the split, the basis points the split saves, its legs and gas, and
 * what it can fill where no single pool can. Quotes only (V3 quoter and V2 reserves): a
 * quote is what the trade fills while the pools hold (the venue test executes them).
 */
import { createUniswapRoutedVenue } from '../shared/adapters/venues/uniswap-routed-venue.ts';
import { QuoteRejectedError } from '../shared/app/execution-ports.ts';
import type { VenueQuote } from '../shared/app/venue-port.ts';
import { UniswapRoutedVenueSchema } from '../shared/contracts/execution-config.ts';
import { INITIAL_PRICE_USD, POOL_FEE, startChainFixture, USDC_DECIMALS, WETH_DECIMALS, type ChainFixture } from '../test/support/chain-fixture.ts';

const GAS_USD_PER_UNIT = 20e-9 * INITIAL_PRICE_USD;
const SIZES = [0.1, 1, 10, 100, 300, 1000];

type Pool = { version: 'v3'; pool: string; fee: number } | { version: 'v2'; pair: string };

export async function runRoutingBench(): Promise<void> {
  const chain: ChainFixture = await startChainFixture();
  try {
    const a = chain.addresses;
    const pools: Record<string, Pool> = {
      'v3 0.3%': { version: 'v3', pool: a.pool, fee: POOL_FEE },
      'v3 0.05%': { version: 'v3', pool: a.routePool, fee: 500 },
      v2: { version: 'v2', pair: a.v2Pair },
    };
    const venue = (chosen: Pool[], slices: number) =>
      createUniswapRoutedVenue({
        client: chain.publicClient,
        venue: UniswapRoutedVenueSchema.parse({ kind: 'uniswap-routed', swapRouter02: a.swapRouter02, quoterV2: a.quoterV2, baseToken: a.weth, quoteToken: a.usdc, baseDecimals: WETH_DECIMALS, quoteDecimals: USDC_DECIMALS, pools: chosen, slices }),
      });
    const routed = venue(Object.values(pools), 20);
    /** USD per WETH with gas, signed so that less is better for the side. */
    const effective = (quote: VenueQuote, side: 'buy' | 'sell'): number => {
      const gasPerUnit = (Number(quote.gasEstimate) * GAS_USD_PER_UNIT) / quote.fillableQuantity;
      return side === 'buy' ? quote.priceUsd + gasPerUnit : quote.priceUsd - gasPerUnit;
    };
    const tryQuote = (v: ReturnType<typeof venue>, side: 'buy' | 'sell', quantity: number) =>
      v.quote({ side, quantity, gasUsdPerUnit: GAS_USD_PER_UNIT }).catch((error: unknown) => {
        if (error instanceof QuoteRejectedError) return undefined;
        throw error;
      });

    console.log('\n  Routing: the split across three WETH/USDC pools against the best single pool (quotes; 20 gwei, ETH 3000)');
    console.log(`  ${'side'.padEnd(5)}${'WETH'.padStart(7)}  ${'best single'.padEnd(22)}${'split'.padEnd(30)}${'saved'.padStart(9)}`);
    for (const side of ['buy', 'sell'] as const) {
      for (const quantity of SIZES) {
        let best: { name: string; price: number } | undefined;
        for (const [name, pool] of Object.entries(pools)) {
          const quote = await tryQuote(venue([pool], 1), side, quantity);
          if (quote === undefined || quote.fillableQuantity < quantity) continue;
          const price = effective(quote, side);
          if (best === undefined || (side === 'buy' ? price < best.price : price > best.price)) best = { name, price };
        }
        const split = await tryQuote(routed, side, quantity);
        const legs = split === undefined ? 0 : (JSON.parse(String(split.details.legs)) as unknown[]).length;
        const splitText =
          split === undefined
            ? 'cannot fill'
            : `${effective(split, side).toFixed(2)} (${legs} leg${legs === 1 ? '' : 's'}, ${split.gasEstimate.toLocaleString('en-US')} gas${split.fillableQuantity < quantity ? `, fills ${split.fillableQuantity}` : ''})`;
        const saved =
          best === undefined || split === undefined || split.fillableQuantity < quantity
            ? '—'
            : `${(((side === 'buy' ? best.price - effective(split, side) : effective(split, side) - best.price) / best.price) * 10_000).toFixed(1)} bps`;
        const bestText = best === undefined ? 'none can fill' : `${best.price.toFixed(2)} (${best.name})`;
        console.log(`  ${side.padEnd(5)}${String(quantity).padStart(7)}  ${bestText.padEnd(22)}${splitText.padEnd(30)}${saved.padStart(9)}`);
      }
    }
  } finally {
    await chain.stop();
  }
}
