/**
 * The simulator executing on venues (spec.venues): funding as its own line with the sign
 * of the premium, the option venue's price and spread, routing never worse than one pool
 * path by path, the attribution summing path by path, and the checks up front.
 */
import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfigInput } from '../../../../shared/contracts/hedge-policy-config.ts';
import { MS_PER_WEEK } from '../../../../shared/domain/backtest/durations.ts';
import { runBacktest, type BacktestSpec, type PerPathResults } from '../../../../shared/domain/backtest/simulate.ts';
import { fillFundingRates, V2_FEE_PIPS, venueVol, type FundingModel, type OptionVenueModel, type PerpVenueModel, type PoolSpec, type VenueSet } from '../../../../shared/domain/backtest/venue-costs.ts';
import { MS_PER_YEAR } from '../../../../shared/domain/exposure/positions.ts';
import { bsmPrice } from '../../../../shared/domain/pricing/black-scholes-merton.ts';
import { standInPolicy } from './stand-in-policy.ts';

const START = Date.UTC(2025, 0, 1);
const MONTH = MS_PER_YEAR / 12;

const perpVenue = (funding: FundingModel, overrides: Partial<PerpVenueModel> = {}): PerpVenueModel => ({ kind: 'perp-v2', id: 'perp', feeRatio: 0, depthUnits: 1e9, gasUsd: 0, funding, ...overrides });

/** A flat market (vol 0, r = q = 0, S = 100) and a deep in-the-money option hedged monthly for a year: the hedge is ±1 unit throughout. */
function flatSpec(venues: VenueSet, optionType: 'call' | 'put' = 'call', policy: Partial<HedgePolicyConfigInput> = {}): BacktestSpec {
  return {
    market: { kind: 'gbm', spot: 100, drift: 0, vol: 0 },
    rate: 0,
    yield: 0,
    pricingVol: 0,
    fundingRate: 0,
    book: [{ id: 'deep', optionType, strike: optionType === 'call' ? 50 : 150, maturityMs: MS_PER_YEAR, quantity: -1 }],
    policy: HedgePolicyConfigSchema.parse({ underlying: 'X', cadence: { everyMs: MONTH }, ...policy }),
    costs: { feeBps: 0, slippage: { kind: 'none' }, gasUsd: 0 },
    paths: 20,
    seed: 3,
    startMs: START,
    grid: { steps: 12 },
    venues,
  };
}

const partsOf = (perPath: PerPathResults, p: number): number =>
  perPath.option[p]! + perPath.hedge[p]! + perPath.hedgeOptions[p]! + perPath.optionSpread[p]! + perPath.financing[p]! + perPath.funding[p]! + perPath.fees[p]! + perPath.slippage[p]! + perPath.gas[p]!;

describe('funding on a perp venue', () => {
  it('accrues h·S·f·Δt with the sign of the premium, on its own line (by hand: 1 unit × $100 × 10 % × 1 year = $10)', () => {
    const cases: [optionType: 'call' | 'put', rate: number, want: number][] = [
      ['call', 0.1, 10], // written call: long the perp, a positive premium is paid
      ['call', -0.1, -10], // a negative premium is received
      ['put', 0.1, -10], // written put: short the perp, a positive premium is received
    ];
    for (const [optionType, annualRate, want] of cases) {
      const { summary, perPath } = runBacktest(flatSpec({ name: 'perp', perp: perpVenue({ kind: 'constant', annualRate }) }, optionType), standInPolicy());
      expect(summary.attribution.funding, `${optionType} ${annualRate}`).toBeCloseTo(want, 10);
      expect(summary.attribution.financing).toBe(0); // a perp ties up no cash: no carry beside its funding
      for (let p = 0; p < summary.paths; p++) expect(partsOf(perPath, p)).toBeCloseTo(perPath.hedgeCost[p]!, 9);
      expect(summary.attribution.total).toBeCloseTo(summary.hedgeCost.mean, 9);
    }
  });

  it('a mean-reverting premium: each path pays Σ S·f_{k−1}·Δt of its own premium path, and the parts still sum', () => {
    const model: FundingModel = { kind: 'meanReverting', mean: 0.02, start: 0.02, reversionPerYear: 12, volPerYear: 0.5 };
    const spec = { ...flatSpec({ name: 'perp', perp: perpVenue(model) }), paths: 300 };
    const { summary, perPath, grid } = runBacktest(spec, standInPolicy());
    const rates = new Float64Array(grid.years.length);
    let positive = 0;
    let negative = 0;
    for (let p = 0; p < summary.paths; p++) {
      fillFundingRates(model, grid.years, spec.seed, p, rates);
      let want = 0;
      for (let k = 1; k < rates.length; k++) want += 100 * rates[k - 1]! * (grid.years[k]! - grid.years[k - 1]!);
      expect(perPath.funding[p]).toBeCloseTo(want, 10);
      if (want > 0) positive++;
      else negative++;
      expect(partsOf(perPath, p)).toBeCloseTo(perPath.hedgeCost[p]!, 9);
    }
    expect(positive).toBeGreaterThan(0); // the premium's sign varies by path, and so does the funding's
    expect(negative).toBeGreaterThan(0);
    expect(summary.hedgeCost.std).toBeGreaterThan(1); // funding risk with a flat price
  });

  it('charges the perp its fee and impact on the way in and out', () => {
    const { summary } = runBacktest(flatSpec({ name: 'perp', perp: perpVenue({ kind: 'constant', annualRate: 0 }, { feeRatio: 0.001, depthUnits: 100, gasUsd: 0.5 }) }), standInPolicy());
    const bought = (10_000 * 1) / 99; // buy 1 unit from 100 units at 100: 101.0101 USD
    const sold = (10_000 * 1) / 101; // sell it back at the horizon: 99.0099 USD
    expect(summary.attribution.slippage).toBeCloseTo(bought - 100 + (100 - sold), 9);
    expect(summary.attribution.fees).toBeCloseTo(0.001 * (bought + sold), 12);
    expect(summary.attribution.gas).toBeCloseTo(1, 12);
    expect(summary.tradesPerPath).toBe(2);
    expect(summary.legsPerPath).toBe(2);
  });
});

describe('hedge options on an option venue', () => {
  it('costs the venue premium × (1 + premium fee) at the venue vol: model value + option spread + fees', () => {
    // Replay: S 100 for a week. Written 4-week ATM call; the policy buys the 4-week 110 call once.
    const lyra: OptionVenueModel = { kind: 'lyra-v1', id: 'lyra', baseVol: 0.55, skew: 0.2, premiumFee: 0.02, spotFee: 0, gasUsd: 1 };
    const spec: BacktestSpec = {
      ...flatSpec({ name: 'options', perp: perpVenue({ kind: 'constant', annualRate: 0 }), option: lyra }),
      market: { kind: 'replay', offsetsMs: [0, MS_PER_WEEK], prices: [100, 100] },
      pricingVol: 0.5,
      book: [{ id: 'book', optionType: 'call', strike: 100, maturityMs: 4 * MS_PER_WEEK, quantity: -1 }],
      policy: HedgePolicyConfigSchema.parse({ underlying: 'X', cadence: { everyMs: MS_PER_WEEK }, limits: { hedgeOptions: [{ id: 'h', optionType: 'call', strike: 110, expiryMs: START + 4 * MS_PER_WEEK }] } }),
    };
    const { summary } = runBacktest(spec, standInPolicy());
    const tau = (4 * 7) / 365;
    const vol = venueVol(lyra, 0.5, 110, 100);
    expect(vol).toBeCloseTo(0.55 + 0.2 * Math.log(1.1), 15);
    const atVenue = bsmPrice({ type: 'call', spot: 100, strike: 110, maturity: tau, vol, rate: 0, yield: 0 });
    const atModel = bsmPrice({ type: 'call', spot: 100, strike: 110, maturity: tau, vol: 0.5, rate: 0, yield: 0 });
    const mark = bsmPrice({ type: 'call', spot: 100, strike: 110, maturity: tau - 7 / 365, vol: 0.5, rate: 0, yield: 0 });
    const a = summary.attribution;
    expect(a.hedgeOptions).toBeCloseTo(atModel - mark, 12);
    expect(a.optionSpread).toBeCloseTo(atVenue - atModel, 12);
    expect(a.fees).toBeCloseTo(0.02 * atVenue, 12);
    expect(a.hedgeOptions + mark + a.optionSpread + a.fees).toBeCloseTo(atVenue * 1.02, 12); // what was paid
    expect(a.gas).toBe(1);
    expect(a.optionSpread).toBeGreaterThan(0); // the venue's vol (57 %) above the pricing vol (50 %)
  });
});

describe('routing in the simulator', () => {
  const pools: PoolSpec[] = [
    { version: 'v3', feePips: 500, depthUnits: 400, gasUsd: 2 },
    { version: 'v3', feePips: 3000, depthUnits: 3000, gasUsd: 2 },
    { version: 'v2', feePips: V2_FEE_PIPS, depthUnits: 800, gasUsd: 1.5 },
  ];
  const spec = (venues: VenueSet): BacktestSpec => ({
    market: { kind: 'merton', spot: 3000, drift: 0.04, vol: 0.6, jumpIntensity: 4, jumpMean: -0.1, jumpStd: 0.05 },
    rate: 0.04,
    yield: 0,
    pricingVol: 0.6,
    fundingRate: 0.04,
    book: [{ id: 'c', optionType: 'call', strike: 3000, maturityMs: 30 * 86_400_000, quantity: -100 }],
    policy: HedgePolicyConfigSchema.parse({ underlying: 'ETH', hedgeInstrument: 'spot', band: { unit: 'units', trigger: 5 } }),
    costs: { feeBps: 0, slippage: { kind: 'none' }, gasUsd: 0 },
    paths: 300,
    seed: 11,
    startMs: START,
    grid: { steps: 120 },
    venues,
  });

  it('is never worse than the best single pool, path by path, on the same trades; its parts sum path by path', () => {
    const routed = runBacktest(spec({ name: 'routed', spot: { kind: 'uniswap-routed', id: 'r', pools, slices: 10 } }), standInPolicy());
    expect(routed.summary.partialFills).toBe(0);
    expect(routed.summary.legsPerPath).toBeGreaterThan(routed.summary.tradesPerPath); // some orders took several pools
    const singles = pools.map((pool) => runBacktest(spec({ name: 'one', spot: { kind: 'uniswap-v3', id: 'p', pool } }), standInPolicy()));
    const tx = (r: PerPathResults, p: number): number => r.fees[p]! + r.slippage[p]! + r.gas[p]!;
    for (let p = 0; p < routed.summary.paths; p++) {
      expect(partsOf(routed.perPath, p)).toBeCloseTo(routed.perPath.hedgeCost[p]!, 6);
      for (const single of singles) {
        expect(single.perPath.hedge[p]).toBe(routed.perPath.hedge[p]); // the same trades
        expect(tx(routed.perPath, p)).toBeLessThanOrEqual(tx(single.perPath, p) + 1e-9);
      }
    }
    const best = Math.min(...singles.map((s) => s.summary.transactionCosts.mean));
    expect(routed.summary.transactionCosts.mean).toBeLessThan(best);
  });

  it('fills part of an order beyond the pools and says so', () => {
    const tiny: PoolSpec = { version: 'v3', feePips: 500, depthUnits: 30, gasUsd: 0 };
    const { summary } = runBacktest(spec({ name: 'thin', spot: { kind: 'uniswap-routed', id: 'r', pools: [tiny, tiny], slices: 10 } }), standInPolicy());
    expect(summary.partialFills).toBeGreaterThan(0); // the first hedge (~54 units) is beyond 2 × 30
  });
});

describe('checks up front', () => {
  it('refuses an instrument without a venue, as the live config API does', () => {
    const spotOnly: VenueSet = { name: 'pools', spot: { kind: 'uniswap-v3', id: 'p', pool: { version: 'v3', feePips: 500, depthUnits: 100, gasUsd: 0 } } };
    expect(() => runBacktest(flatSpec(spotOnly), standInPolicy())).toThrow(/policy\.hedgeInstrument.*has no venue in venue set pools \(it trades: spot\)/);
    const withOptions = flatSpec({ ...spotOnly, perp: perpVenue({ kind: 'constant', annualRate: 0 }) }, 'call', { limits: { hedgeOptions: [{ id: 'h', optionType: 'call', strike: 100, expiryMs: START + MONTH }] } });
    expect(() => runBacktest(withOptions, standInPolicy())).toThrow(/policy\.limits\.hedgeOptions.*need an option venue/);
    expect(() => runBacktest(flatSpec({ name: 'bad', perp: perpVenue({ kind: 'constant', annualRate: 0 }, { depthUnits: 0 }) }), standInPolicy())).toThrow(/depth/);
    const withCosts = { ...flatSpec({ name: 'perp', perp: perpVenue({ kind: 'constant', annualRate: 0 }) }), costs: { feeBps: 5, slippage: { kind: 'none' as const }, gasUsd: 0 } };
    expect(() => runBacktest(withCosts, standInPolicy())).toThrow(/costs.*do not apply when orders execute on venues/);
  });
});
