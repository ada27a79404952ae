/**
 * What a decision's orders mean on chain: the underlying, the chain, the venues (by id,
 * with the contracts and tokens that give their units a meaning) and the signer. Stored
 * with each hedge record by the evaluator and compared by the dispatcher with today's
 * configuration: units decided for one asset, venue or key must never be sent to another
 * (the decision is dropped; the next evaluation decides again under the new configuration).
 */
import type { RuntimeConfig } from '../contracts/account-config.ts';
import type { VenueConfig } from '../contracts/execution-config.ts';

export function executionFingerprint(config: RuntimeConfig): string {
  const { venues, signer } = config.execution ?? {};
  return JSON.stringify({
    underlying: config.underlying,
    chainId: config.market?.chainId ?? null,
    venues: venues === undefined ? null : venues.map(venueIdentity),
    signer: signer === undefined ? null : signer.kind === 'local' ? `local:${signer.name}` : `kms:${signer.keyId}`,
  });
}

/** The fields that say what a venue trades and where: not its limits or tuning. */
function venueIdentity(venue: VenueConfig): Record<string, unknown> {
  const lower = (value: string): string => value.toLowerCase();
  switch (venue.kind) {
    case 'uniswap-v3':
      return {
        id: venue.id,
        kind: venue.kind,
        pool: lower(venue.pool),
        swapRouter: lower(venue.swapRouter),
        baseToken: lower(venue.baseToken),
        quoteToken: lower(venue.quoteToken),
        baseDecimals: venue.baseDecimals,
        quoteDecimals: venue.quoteDecimals,
      };
    case 'uniswap-routed':
      return {
        id: venue.id,
        kind: venue.kind,
        swapRouter02: lower(venue.swapRouter02),
        baseToken: lower(venue.baseToken),
        quoteToken: lower(venue.quoteToken),
        baseDecimals: venue.baseDecimals,
        quoteDecimals: venue.quoteDecimals,
        pools: venue.pools.map((pool) => (pool.version === 'v3' ? `v3:${lower(pool.pool)}:${pool.fee}` : `v2:${lower(pool.pair)}`)),
      };
    case 'perp-v2':
      return {
        id: venue.id,
        kind: venue.kind,
        clearingHouse: lower(venue.clearingHouse),
        vault: lower(venue.vault),
        baseToken: lower(venue.baseToken),
        collateralToken: lower(venue.collateralToken),
        collateralDecimals: venue.collateralDecimals,
      };
    case 'lyra-v1':
      return {
        id: venue.id,
        kind: venue.kind,
        optionMarket: lower(venue.optionMarket),
        optionToken: lower(venue.optionToken),
        optionGreekCache: lower(venue.optionGreekCache),
        shortCollateral: lower(venue.shortCollateral),
        quoteAsset: lower(venue.quoteAsset),
        quoteDecimals: venue.quoteDecimals,
        // Whether the venue may write options changes what a sell order does.
        mayShort: venue.shortCollateralMultiple !== undefined,
      };
  }
}
