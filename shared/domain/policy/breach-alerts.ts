/**
 * The Greek-limit alerts of a decision: gamma and/or vega beyond the account's limits,
 * with what the option hedge (if any) brings them to.
 */
import type { HedgePolicyConfig } from '../../contracts/hedge-policy-config.ts';
import { fmtAbs, fmtGreek, fmtSigned } from './policy-format.ts';
import type { PolicyAlert } from './policy-types.ts';

/**
 * GAMMA_LIMIT_BREACHED then VEGA_LIMIT_BREACHED, for the breaches flagged.
 *
 * @param after the Greeks after the option trades of this decision (`traded`: whether any were sent).
 * @example breachAlerts(config, 0.5, 0, true, false, undefined)[0].code // "GAMMA_LIMIT_BREACHED"
 */
export function breachAlerts(
  config: HedgePolicyConfig,
  gamma: number,
  vega: number,
  gammaBreach: boolean,
  vegaBreach: boolean,
  after: { readonly gamma: number; readonly vega: number; readonly traded: boolean } | undefined,
): PolicyAlert[] {
  const limits = config.limits!;
  const sym = config.underlying;
  const hasOptions = limits.hedgeOptions.length > 0;
  const traded = after !== undefined && after.traded;
  const alerts: PolicyAlert[] = [];
  if (gammaBreach) {
    const max = limits.maxAbsGamma!;
    alerts.push({
      code: 'GAMMA_LIMIT_BREACHED',
      message: `Gamma ${fmtGreek(gamma)} ${sym}/USD is beyond the ±${fmtAbs(max)} limit${tail(traded, hasOptions, after?.gamma, fmtGreek)}`,
      numbers: after === undefined ? { gamma, maxAbsGamma: max } : { gamma, maxAbsGamma: max, gammaAfter: after.gamma },
    });
  }
  if (vegaBreach) {
    const max = limits.maxAbsVegaPerVolPoint!;
    alerts.push({
      code: 'VEGA_LIMIT_BREACHED',
      message: `Vega ${fmtSigned(vega)} USD per vol point is beyond the ±${fmtAbs(max)} limit${tail(traded, hasOptions, after?.vega, fmtSigned)}`,
      numbers:
        after === undefined
          ? { vegaPerVolPoint: vega, maxAbsVegaPerVolPoint: max }
          : { vegaPerVolPoint: vega, maxAbsVegaPerVolPoint: max, vegaAfter: after.vega },
    });
  }
  return alerts;
}

/** The end of a breach alert: what the option hedge does about it. */
function tail(traded: boolean, hasOptions: boolean, afterValue: number | undefined, fmt: (x: number) => string): string {
  return traded ? `; the option hedge brings it to ${fmt(afterValue!)}.` : hasOptions ? '; no option hedge is sent now.' : '; no hedge option is configured: alert only.';
}
