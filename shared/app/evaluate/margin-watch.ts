/**
 * The margin of the account's perpetuals, watched at every evaluation: what each perp
 * venue holds for the signer (size, margin ratio, funding not yet settled) goes into the
 * exposure snapshot, and a margin ratio under the venue's alert level raises MARGIN_LOW
 * (Risk Limit Breached) — before the liquidation distance gets short, whether or not a
 * hedge is traded. With the operator's `topUpToMarginRatio`, the alert also asks for a top-up
 * between trades (`marginTopUpDue`): one collateral deposit up to that ratio, dispatched
 * and confirmed like a hedge (shared/app/dispatch/top-up-margin.ts).
 *
 * @example
 * const watch = marginWatch(holdings, config.execution.venues); // { holdings, alerts: [{ code: 'MARGIN_LOW', … }] }
 */
import type { ExecutionConfig, PerpV2VenueConfig } from '../../contracts/execution-config.ts';
import type { PolicyAlert } from '../../domain/policy/policy-types.ts';
import type { MarginAccount } from '../venue-port.ts';

/** What one venue holds for the account, as the snapshot shows it. */
export interface VenueHolding {
  readonly venueId: string;
  readonly instrument: 'spot' | 'perp' | 'option';
  readonly quantity: number;
  readonly margin?: MarginAccount;
}

/** Reads the holdings of the account's signer on the given venues (the chain adapters). */
export type ReadVenueHoldings = (request: { readonly chainId: number; readonly account: string; readonly venues: readonly ExecutionConfig['venues'][number][] }) => Promise<VenueHolding[]>;

/** The venues whose margin is watched: the perpetuals. */
export function watchedVenues(execution: ExecutionConfig | undefined): PerpV2VenueConfig[] {
  return (execution?.venues ?? []).filter((venue): venue is PerpV2VenueConfig => venue.kind === 'perp-v2');
}

export function marginAlerts(holdings: readonly VenueHolding[], venues: readonly PerpV2VenueConfig[]): PolicyAlert[] {
  const alerts: PolicyAlert[] = [];
  for (const holding of holdings) {
    const venue = venues.find((candidate) => candidate.id === holding.venueId);
    const margin = holding.margin;
    if (venue === undefined || margin === undefined || holding.quantity === 0 || !(margin.marginRatio < venue.alertMarginRatio)) continue;
    const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
    alerts.push({
      code: 'MARGIN_LOW',
      message: `The margin on ${venue.id} is ${pct(margin.marginRatio)} of the position, under the alert level of ${pct(venue.alertMarginRatio)} (floor ${pct(venue.minMarginRatio)}, liquidation at ${pct(margin.maintenanceMarginRatio)})${venue.topUpToMarginRatio === undefined ? ': add collateral' : `: a top-up to ${pct(venue.topUpToMarginRatio)} is deposited from the signer's wallet`}.`,
      numbers: {
        marginRatio: margin.marginRatio,
        alertMarginRatio: venue.alertMarginRatio,
        minMarginRatio: venue.minMarginRatio,
        maintenanceMarginRatio: margin.maintenanceMarginRatio,
        accountValueUsd: margin.accountValueUsd,
        positionUnits: holding.quantity,
      },
    });
  }
  return alerts;
}

/**
 * The top-up the margin watch asks for: the first perp venue under its alert level whose
 * operator set `topUpToMarginRatio` and that has no top-up in flight already (one at a time
 * per venue: a second evaluation while the deposit is on its way asks for nothing more).
 */
export function marginTopUpDue(
  holdings: readonly VenueHolding[],
  venues: readonly PerpV2VenueConfig[],
  inFlightTopUps: ReadonlySet<string>,
): { readonly venueId: string; readonly targetMarginRatio: number; readonly marginRatio: number } | undefined {
  for (const holding of holdings) {
    const venue = venues.find((candidate) => candidate.id === holding.venueId);
    const margin = holding.margin;
    if (venue?.topUpToMarginRatio === undefined || margin === undefined || holding.quantity === 0 || !(margin.marginRatio < venue.alertMarginRatio)) continue;
    if (inFlightTopUps.has(venue.id)) continue;
    return { venueId: venue.id, targetMarginRatio: venue.topUpToMarginRatio, marginRatio: margin.marginRatio };
  }
  return undefined;
}
