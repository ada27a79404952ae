/**
 * The book's risk after a decision's orders fill, options valued with the same quotes the
 * policy engine uses: what tests compare against limits and bands.
 */
import { hedgeOptionQuote } from '../../shared/domain/policy/greek-hedge.ts';
import type { BookRisk, Decision, PolicyInput } from '../../shared/domain/policy/policy-types.ts';

export function riskAfter(input: PolicyInput, d: Decision): BookRisk {
  let { delta, gamma, vegaPerVolPoint } = input.risk;
  for (const o of d.orders) {
    const q = o.side === 'buy' ? o.quantity : -o.quantity;
    if (o.instrument.kind === 'option') {
      const id = o.instrument.id;
      const quote = hedgeOptionQuote(input.config.limits!.hedgeOptions.find((h) => h.id === id)!, input.market, input.nowMs)!;
      delta += q * quote.delta;
      gamma += q * quote.gamma;
      vegaPerVolPoint += q * quote.vegaPerVolPoint;
    } else delta += q;
  }
  return { ...input.risk, delta, gamma, vegaPerVolPoint };
}
