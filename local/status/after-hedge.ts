/**
 * The check after a hedge: when a hedge is confirmed, the account's next priced
 * evaluation (the stack requests one at once, at the fill's market) is compared with the
 * policy: its |delta| (hedges in flight included) with the band, its |gamma| and |vega|
 * with the Greek limits. A breach there means the hedges did not do what was decided.
 * The Greek limits are compared as the policy compares them (the same relative slack), so
 * a hedge to the limit, which lands there up to rounding, is not a breach.
 */
import type { HedgePolicyConfig } from '../../shared/contracts/hedge-policy-config.ts';
import { THRESHOLD_TOLERANCE } from '../../shared/domain/policy/policy-constants.ts';

export interface AfterHedgeStats {
  readonly checks: number;
  readonly maxAbsDelta: number;
  /** Confirmed hedges after which the delta was still outside the band. */
  readonly breaches: number;
  readonly gammaBreaches: number;
  readonly vegaBreaches: number;
}

export interface AfterHedgeCheck {
  /** Counts one check; returns what was breached (empty when nothing), for the event list. */
  record(risk: { readonly delta: number; readonly gamma: number; readonly vegaPerVolPoint: number }, config: HedgePolicyConfig | undefined, band: { readonly lower: number | null; readonly upper: number | null }): string[];
  readonly stats: AfterHedgeStats;
}

const beyond = (value: number, limit: number | undefined): boolean => limit !== undefined && Math.abs(value) > limit + limit * THRESHOLD_TOLERANCE;

export function createAfterHedgeCheck(): AfterHedgeCheck {
  let checks = 0;
  let maxAbsDelta = 0;
  let breaches = 0;
  let gammaBreaches = 0;
  let vegaBreaches = 0;
  return {
    record(risk, config, band) {
      const found: string[] = [];
      checks++;
      maxAbsDelta = Math.max(maxAbsDelta, Math.abs(risk.delta));
      if ((band.upper !== null && risk.delta > band.upper) || (band.lower !== null && risk.delta < band.lower)) {
        breaches++;
        found.push(`delta ${risk.delta} outside [${band.lower}, ${band.upper}]`);
      }
      if (beyond(risk.gamma, config?.limits?.maxAbsGamma)) {
        gammaBreaches++;
        found.push(`gamma ${risk.gamma} beyond ±${config?.limits?.maxAbsGamma}`);
      }
      if (beyond(risk.vegaPerVolPoint, config?.limits?.maxAbsVegaPerVolPoint)) {
        vegaBreaches++;
        found.push(`vega ${risk.vegaPerVolPoint} beyond ±${config?.limits?.maxAbsVegaPerVolPoint}`);
      }
      return found;
    },
    get stats() {
      return { checks, maxAbsDelta, breaches, gammaBreaches, vegaBreaches };
    },
  };
}
