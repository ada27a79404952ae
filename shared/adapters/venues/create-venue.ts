/**
 * The adapter of a configured venue, by its kind: the one place that knows every venue
 * adapter. Dispatch, confirm and evaluate only ever see the Venue port.
 *
 * @example
 * const venue = createVenue({ client, venue: execution.venues[0] });
 */
import type { PublicClient } from 'viem';
import type { Venue } from '../../app/venue-port.ts';
import type { VenueConfig } from '../../contracts/execution-config.ts';
import { createLyraV1Venue } from './lyra-v1-venue.ts';
import { createPerpV2Venue } from './perp-v2-venue.ts';
import { createUniswapRoutedVenue } from './uniswap-routed-venue.ts';
import { createUniswapV3Venue } from './uniswap-v3-venue.ts';

export function createVenue(options: { readonly client: PublicClient; readonly venue: VenueConfig }): Venue {
  const { client, venue } = options;
  switch (venue.kind) {
    case 'uniswap-v3':
      return createUniswapV3Venue({ client, venue });
    case 'uniswap-routed':
      return createUniswapRoutedVenue({ client, venue });
    case 'lyra-v1':
      return createLyraV1Venue({ client, venue });
    case 'perp-v2':
      return createPerpV2Venue({ client, venue });
  }
}
