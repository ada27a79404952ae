/**
 * Portfolio insurance as a policy: the pure targets of portfolio-insurance.ts turned into
 * a decision of the ordinary engine (decide-hedge.ts), so that insurance orders go through
 * every guard the engine has (minimum and maximum trade, daily cap, cooldown, slicing,
 * kill switch, dry-run) and reach dispatch as ordinary delta-one hedge orders.
 *
 * - The portfolio: the risky leg (the book's delta-one holdings of the underlying, units)
 *   and the safe leg (stablecoin). Its value is kept self-financing in a ledger: it starts
 *   at `capitalUsd` and each valuation adds the units held since the last one times the
 *   price change (costs and slippage left out). The ledger also keeps the start value and
 *   the high-water mark, which the floor rules read.
 * - The target: CPPI's m × cushion, or the synthetic put's N(d1) × value, in USD, then in
 *   units at the oracle spot.
 * - The decision: the engine run with the delta measured from the target (risk.delta −
 *   target units) and a band of `insurance.band` × the target (units, to zero): it trades
 *   exactly when |exposure − target| > band × target and brings the exposure to the target.
 *   The decision's numbers and message are given back in the book's own terms (delta, the
 *   target, the floor), and a band trigger reads HEDGE_INSURANCE.
 *
 * Pure: values in, a decision and a ledger out.
 */
import type { HedgePolicyConfig } from '../../contracts/hedge-policy-config.ts';
import { InvalidInputError } from '../errors.ts';
import { MS_PER_YEAR } from '../exposure/positions.ts';
import { decideHedge } from './decide-hedge.ts';
import { fmtAbs, fmtUsd } from './policy-format.ts';
import type { Decision, PolicyInput } from './policy-types.ts';
import { cppiTarget, floorOf, syntheticPutTarget, type InsuranceTarget } from './portfolio-insurance.ts';

export type InsuranceConfig = NonNullable<HedgePolicyConfig['insurance']>;

/** What insurance remembers between evaluations (stored per account). */
export interface InsuranceLedger {
  /** The capital the ledger was started with (a changed capitalUsd starts a new ledger). */
  readonly capitalUsd: number;
  readonly startValueUsd: number;
  readonly highValueUsd: number;
  /** The portfolio's value at the last valuation. */
  readonly valueUsd: number;
  readonly lastSpot: number;
  /** Units of the underlying held at the last valuation (the risky leg). */
  readonly heldUnits: number;
  readonly startedAtMs: number;
  readonly valuedAtMs: number;
}

function requirePositive(value: number, field: string): void {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) throw new InvalidInputError(field, value, 'must be a positive finite number');
}

/**
 * The ledger after a valuation at `spot` with `heldUnits` now held: a new one when there
 * is none (or the capital changed), else the value moves by the units held before times
 * the price change and the high-water mark follows it up. A valuation at or before the
 * last one (a duplicate, out of order) changes nothing.
 *
 * @example
 * const ledger = valueInsuredPortfolio(undefined, 100_000, 2000, 25, now); // value 100,000
 * valueInsuredPortfolio(ledger, 100_000, 2200, 25, now + 60_000).valueUsd;  // 105,000
 */
export function valueInsuredPortfolio(ledger: InsuranceLedger | undefined, capitalUsd: number, spot: number, heldUnits: number, nowMs: number): InsuranceLedger {
  requirePositive(capitalUsd, 'capitalUsd');
  requirePositive(spot, 'spot');
  if (!Number.isFinite(heldUnits)) throw new InvalidInputError('heldUnits', heldUnits, 'must be a finite number');
  if (ledger === undefined || ledger.capitalUsd !== capitalUsd) {
    return { capitalUsd, startValueUsd: capitalUsd, highValueUsd: capitalUsd, valueUsd: capitalUsd, lastSpot: spot, heldUnits, startedAtMs: nowMs, valuedAtMs: nowMs };
  }
  if (!(nowMs > ledger.valuedAtMs)) return ledger;
  const valueUsd = ledger.valueUsd + ledger.heldUnits * (spot - ledger.lastSpot);
  return { ...ledger, valueUsd, highValueUsd: valueUsd > ledger.highValueUsd ? valueUsd : ledger.highValueUsd, lastSpot: spot, heldUnits, valuedAtMs: nowMs };
}

/** The insurance target for the ledger's value, the exposure held being `delta` × spot. */
export function insuranceTargetOf(insurance: InsuranceConfig, ledger: InsuranceLedger, spot: number, delta: number, impliedVol: number, rate: number, nowMs: number): InsuranceTarget {
  const state = { startValue: ledger.startValueUsd, highValue: ledger.highValueUsd };
  const value = ledger.valueUsd;
  const exposureUsd = delta * spot;
  if (!(value > 0)) return { floorUsd: floorOf(insurance.floor, state), targetExposureUsd: 0, rebalance: exposureUsd !== 0 };
  if (insurance.method === 'cppi') {
    return cppiTarget({ floor: insurance.floor, multiplier: insurance.multiplier, maxExposureShare: insurance.maxExposureShare, band: insurance.band }, state, value, exposureUsd);
  }
  const horizonYears = Math.max(0, (insurance.horizonEndMs - nowMs) / MS_PER_YEAR);
  return syntheticPutTarget({ floor: insurance.floor, horizonYears, vol: insurance.vol ?? impliedVol, rate, band: insurance.band }, state, value, spot, exposureUsd);
}

export interface InsuredDecision {
  readonly decision: Decision;
  readonly target: InsuranceTarget;
  readonly targetUnits: number;
}

/**
 * The engine's decision for an insured account (config.insurance set; the schema refuses
 * a band, a Whalley-Wilmott band or hedge options beside it).
 *
 * @example
 * const { decision, targetUnits } = decideInsured({ risk, market, config, state, nowMs }, ledger);
 * decision.reason; // "HEDGE_INSURANCE" when the exposure left its band around the target
 */
export function decideInsured(input: PolicyInput, ledger: InsuranceLedger, decide: (input: PolicyInput) => Decision = decideHedge): InsuredDecision {
  const insurance = input.config.insurance;
  if (insurance === undefined) throw new InvalidInputError('config.insurance', insurance, 'must be set for an insured decision');
  const { risk, market, nowMs } = input;
  const target = insuranceTargetOf(insurance, ledger, market.spot, risk.delta, market.impliedVol, market.rate, nowMs);
  const targetUnits = target.targetExposureUsd / market.spot;
  const config: HedgePolicyConfig = { ...input.config, band: { unit: 'units', trigger: insurance.band * targetUnits, target: 'zero', edgeFraction: 1 } };
  const inner = decide({ ...input, config, risk: { ...risk, delta: risk.delta - targetUnits } });
  const sym = input.config.underlying;
  const held = risk.delta;
  const reason = inner.reason === 'HEDGE_BAND' ? 'HEDGE_INSURANCE' : inner.reason;
  // The id, the message and the numbers are worked out when read (the engine's own id and
  // message may be deferred): the backtester takes millions of decisions and reads none of
  // them, and spreading the engine's numbers cost more than the rest of the decision.
  let message: string | undefined;
  let numbers: Record<string, number> | undefined;
  const decision: Decision = {
    get id() {
      return inner.id;
    },
    action: inner.action,
    reason,
    get message() {
      if (message === undefined) {
        const lead = `Insurance (${insurance.method}): portfolio ${fmtUsd(ledger.valueUsd)} USD over a floor of ${fmtUsd(target.floorUsd)} USD; target exposure ${fmtUsd(target.targetExposureUsd)} USD (${fmtAbs(targetUnits)} ${sym}), held ${fmtAbs(held)} ${sym}.`;
        message = `${lead} Measured from the target: ${inner.message}`.slice(0, 1000);
      }
      return message;
    },
    get numbers() {
      numbers ??= {
        ...inner.numbers,
        delta: held,
        deltaFromTarget: held - targetUnits,
        insuranceTargetUnits: targetUnits,
        insuranceTargetExposureUsd: target.targetExposureUsd,
        insuranceFloorUsd: target.floorUsd,
        portfolioValueUsd: ledger.valueUsd,
        portfolioHighUsd: ledger.highValueUsd,
        cushionUsd: ledger.valueUsd - target.floorUsd,
      };
      return numbers;
    },
    orders: inner.orders,
    plannedSlices: inner.plannedSlices,
    alerts: inner.alerts,
    dryRun: inner.dryRun,
    wouldTrade: inner.wouldTrade,
  };
  return { decision, target, targetUnits };
}
