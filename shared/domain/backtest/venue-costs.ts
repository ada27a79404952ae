/**
 * What an order costs on the venues production executes on, priced by a model of each
 * venue instead of the flat fee/slippage/gas of costs.ts. Every amount is USD at the
 * step's price S (the oracle/index price the policy decided at); a buy's cost is what
 * it pays, a sell's what it gives up against S·q.
 *
 * ## Pools (Uniswap V3 pools of a fee tier, Uniswap V2 pairs)
 * A full-range constant-product pool: liquidity L = depth·√S₀ with `depth` the units of
 * the underlying it holds at the start price S₀, so at price S it holds x = L/√S units
 * and y = L·√S USD (y/x = S). A V3 pool whose liquidity is concentrated around the price
 * behaves like a full-range pool with larger (virtual) reserves: give those as its depth.
 * The pool meets every order at the step's price (arbitrage brings it back between
 * orders), and the fee φ (a V3 tier in hundredths of a bp / 10⁶; a V2 pair 0.3 %) is
 * taken from the input, as both versions do:
 *   sell q units:  receives  y·q(1−φ) / (x + q(1−φ))       (V2 getAmountOut)
 *   buy q units:   pays      y·q / ((x − q)(1−φ))            (V2 getAmountIn; q < x)
 * Attribution: the fee (φ of the input: φ·pays for a buy, φ·q·S for a sell) is a fee,
 * the rest of the distance from S·q is price impact (the slippage line).
 *
 * ## Routing (uniswap-routed)
 * Exactly as production (shared/adapters/venues/uniswap-routed-venue.ts): the order is cut
 * in `slices` equal slices, each pool is quoted at 1…slices of them with the pool model,
 * and `splitOrder` (shared/domain/dispatch/split-order.ts) chooses the allocation that costs
 * least with each leg's gas; the legs then fill at their exact amounts. A pool that cannot
 * fill a size (a buy of its whole reserve) is left out of that rung; when no combination
 * fills the order, the most that can be filled is (a partial fill, as production).
 *
 * ## Perp (perp-v2)
 * Perpetual Protocol v2 trades against a Uniswap V3 pool of virtual tokens and charges
 * its exchange fee ratio on the quote amount: the pool model without a pool fee gives
 * the quote amount Q, and the fee is feeRatio·Q (buy pays Q(1 + feeRatio), sell receives
 * Q(1 − feeRatio)). A position h pays funding h·S·f·Δt over each step, f the annual
 * funding rate (Perp v2 accrues the mark/index premium linearly in time), from one of:
 *   constant       f = annualRate (default: the market's funding rate, r − q unless given);
 *   meanReverting  an Ornstein–Uhlenbeck premium: df = κ(m − f)dt + η dW, κ = ln 2/halfLife,
 *                  sampled exactly on the grid, one independent stream per path.
 * Why these two: a constant basis is the expected cost of the carry and keeps a run
 * comparable with financed spot; funding on real perps is persistent but mean-reverting
 * around a positive basis (it swings from negative to tens of % a year and decays in days),
 * which the OU premium reproduces with three numbers and no fitted data. The premium is
 * independent of the price path (its own random stream, so the price paths stay the same
 * whatever the venues); a premium correlated with returns is not modelled. The mark is
 * taken at the index (the premium moves funding, not the fill price).
 *
 * ## Options (lyra-v1)
 * The option trades at its Black-Scholes value at the venue's implied vol
 * σ_v = max(0, baseVol + skew·ln(K/S)) (baseVol: the option's own vol unless the venue gives
 * one), plus fees per contract of premiumFee·V(σ_v) + spotFee·S, as Lyra's option-price
 * and spot-price fees: a buy pays V(σ_v)(1 + premiumFee) + spotFee·S, a sell receives
 * V(σ_v)(1 − premiumFee) − spotFee·S, or 0 when the fees exceed the premium (Lyra's rule).
 * Attribution: the option at the pricing vol is the hedge-options line as before, the
 * vol difference V(σ_v) − V(σ) is the option spread line, the fees are fees.
 *
 * Gas is a fixed USD amount per leg (routing), per trade (one pool, perp, options).
 */
import { splitOrder, type VenueLadder } from '../dispatch/split-order.ts';
import { InvalidInputError } from '../errors.ts';
import { requireFinite, requireNonNegative, requirePositive } from '../pricing/option-inputs.ts';
import { Xoshiro128 } from './random.ts';

/** One pool: a V3 pool of a fee tier or a V2 pair. */
export interface PoolSpec {
  readonly version: 'v2' | 'v3';
  /** The fee in hundredths of a basis point (V3 tiers 100, 500, 3000, 10000; a V2 pair is 3000). */
  readonly feePips: number;
  /** Units of the underlying the pool holds at the start price (its virtual reserve). */
  readonly depthUnits: number;
  /** USD of gas per leg on this pool. */
  readonly gasUsd: number;
}

/** A V2 pair's fee: 0.3 %, i.e. 997/1000 of the input reaches the curve. */
export const V2_FEE_PIPS = 3000;

export type FundingModel =
  | { readonly kind: 'constant'; readonly annualRate: number }
  | {
      readonly kind: 'meanReverting';
      /** Long-run annual funding rate m. */
      readonly mean: number;
      /** The rate at t0. */
      readonly start: number;
      /** κ, per year (ln 2 / half-life). */
      readonly reversionPerYear: number;
      /** η, the rate's volatility per √year. */
      readonly volPerYear: number;
    };

export type SpotVenueModel =
  | { readonly kind: 'uniswap-v3'; readonly id: string; readonly pool: PoolSpec }
  | { readonly kind: 'uniswap-routed'; readonly id: string; readonly pools: readonly PoolSpec[]; readonly slices: number };

export interface PerpVenueModel {
  readonly kind: 'perp-v2';
  readonly id: string;
  /** Exchange fee ratio on the quote amount (Perp v2's default 0.1 %: 0.001). */
  readonly feeRatio: number;
  readonly depthUnits: number;
  readonly gasUsd: number;
  readonly funding: FundingModel;
}

export interface OptionVenueModel {
  readonly kind: 'lyra-v1';
  readonly id: string;
  /** The venue's at-the-money vol; absent: the option's own vol (the book's pricing). */
  readonly baseVol?: number;
  /** Vol added per unit of ln(K/S) (negative: puts dearer than calls). */
  readonly skew: number;
  /** Fee per contract as a share of the premium at the venue vol... */
  readonly premiumFee: number;
  /** ...plus this share of the spot. */
  readonly spotFee: number;
  readonly gasUsd: number;
}

/** The venues a run executes on, one per instrument (production sends an order to the first venue of its instrument). */
export interface VenueSet {
  readonly name: string;
  readonly spot?: SpotVenueModel;
  readonly perp?: PerpVenueModel;
  readonly option?: OptionVenueModel;
}

// ---- the pool model

/** The remaining share of the input after a fee of `feePips` (exactly 0.997 for 3000). */
export const keepOf = (feePips: number): number => (1_000_000 - feePips) / 1_000_000;

/** USD received for selling `units` into reserves (base x, quote y), `keep` = 1 − fee. */
export function constantProductSell(units: number, base: number, quote: number, keep: number): number {
  const net = units * keep;
  return (quote * net) / (base + net);
}

/** USD paid to buy `units` out of reserves (base x, quote y); Infinity when the pool holds no more than that. */
export function constantProductBuy(units: number, base: number, quote: number, keep: number): number {
  if (!(units < base)) return Infinity;
  return (quote * units) / ((base - units) * keep);
}

/** A pool's liquidity L from its depth at the start price: L = depth·√S₀. */
export const poolLiquidity = (depthUnits: number, startPrice: number): number => depthUnits * Math.sqrt(startPrice);

/** The reserves of a pool of liquidity L at price S: x = L/√S units, y = L·√S USD. */
export function poolReserves(liquidity: number, price: number): { readonly base: number; readonly quote: number } {
  const root = Math.sqrt(price);
  return { base: liquidity / root, quote: liquidity * root };
}

/** What one order cost on its venue (undiscounted USD), written into a reused object. */
export interface VenueFillCost {
  /** Units filled (less than ordered when the venue ran out of capacity; 0: nothing filled). */
  filledUnits: number;
  /** Cash of the filled units, fees included, gas not: > 0 paid (buy), < 0 received (sell). */
  cash: number;
  fee: number;
  /** Price impact against the step's price (the slippage line). */
  impact: number;
  gas: number;
  /** Transactions' legs (pools used; 1 for a single venue, 0 when nothing filled). */
  legs: number;
}

export const emptyFillCost = (): VenueFillCost => ({ filledUnits: 0, cash: 0, fee: 0, impact: 0, gas: 0, legs: 0 });

function clear(out: VenueFillCost): void {
  out.filledUnits = 0;
  out.cash = 0;
  out.fee = 0;
  out.impact = 0;
  out.gas = 0;
  out.legs = 0;
}

/** A pool ready to trade: its liquidity and fee. */
interface LivePool {
  readonly spec: PoolSpec;
  readonly liquidity: number;
  readonly keep: number;
}

/**
 * Signed cost of `units` on a pool at price S (buy: USD paid; sell: −USD received);
 * Infinity when it cannot fill. Written with its fee and impact into `out` when given.
 */
function poolCost(pool: LivePool, buy: boolean, units: number, price: number, out?: VenueFillCost): number {
  const root = Math.sqrt(price);
  const base = pool.liquidity / root;
  const quote = pool.liquidity * root;
  if (buy) {
    const paid = constantProductBuy(units, base, quote, pool.keep);
    if (out !== undefined && paid !== Infinity) {
      const net = paid * pool.keep;
      out.fee += paid - net;
      out.impact += net - units * price;
    }
    return paid;
  }
  const received = constantProductSell(units, base, quote, pool.keep);
  if (out !== undefined) {
    out.fee += units * (1 - pool.keep) * price;
    out.impact += units * pool.keep * price - received;
  }
  return -received;
}

/** What `units` of a pool alone cost at price S, gas included (for tests and reports). */
export function singlePoolTrade(pool: PoolSpec, startPrice: number, side: 'buy' | 'sell', units: number, price: number, out: VenueFillCost = emptyFillCost()): VenueFillCost {
  const live = { spec: pool, liquidity: poolLiquidity(pool.depthUnits, startPrice), keep: keepOf(pool.feePips) };
  clear(out);
  const cost = poolCost(live, side === 'buy', units, price, out);
  if (cost === Infinity) {
    clear(out);
    return out;
  }
  out.filledUnits = units;
  out.cash = cost;
  out.gas = pool.gasUsd;
  out.legs = 1;
  return out;
}

// ---- executing orders on a venue set

/** A delta-one venue (spot pools or the perp): fills `units` at price S into `out`. */
export interface DeltaVenue {
  trade(side: 'buy' | 'sell', units: number, price: number, out: VenueFillCost): void;
}

function singlePoolVenue(pool: PoolSpec, startPrice: number): DeltaVenue {
  const live: LivePool = { spec: pool, liquidity: poolLiquidity(pool.depthUnits, startPrice), keep: keepOf(pool.feePips) };
  return {
    trade(side, units, price, out) {
      clear(out);
      const cost = poolCost(live, side === 'buy', units, price, out);
      if (cost === Infinity) {
        clear(out); // production's quote fails: nothing is sent
        return;
      }
      out.filledUnits = units;
      out.cash = cost;
      out.gas = pool.gasUsd;
      out.legs = 1;
    },
  };
}

/** The routed venue: ladders quoted with the pool model, split as production splits. */
export function routedVenue(pools: readonly PoolSpec[], slices: number, startPrice: number): DeltaVenue {
  const live: LivePool[] = pools.map((spec) => ({ spec, liquidity: poolLiquidity(spec.depthUnits, startPrice), keep: keepOf(spec.feePips) }));
  // The ladders, reused by every order (splitOrder only reads them).
  const costs: (number | undefined)[][] = live.map(() => Array.from({ length: slices + 1 }, (_, k) => (k === 0 ? 0 : undefined)));
  const ladders: VenueLadder[] = live.map((pool, v) => ({ costs: costs[v]!, gas: pool.spec.gasUsd }));
  const request = { slices, venues: ladders };
  return {
    trade(side, units, price, out) {
      clear(out);
      const buy = side === 'buy';
      const slice = (k: number): number => (k === slices ? units : (units * k) / slices);
      for (let v = 0; v < live.length; v++) {
        const ladder = costs[v]!;
        for (let k = 1; k <= slices; k++) {
          const cost = poolCost(live[v]!, buy, slice(k), price);
          ladder[k] = cost === Infinity ? undefined : cost;
        }
      }
      const split = splitOrder(request);
      if (split.filledSlices === 0) return;
      // Each leg at its share, the last taking the rounding, as production quotes them again.
      const filled = slice(split.filledSlices);
      let lastLeg = live.length - 1;
      while (split.allocation[lastLeg] === 0) lastLeg--;
      let assigned = 0;
      for (let v = 0; v <= lastLeg; v++) {
        const k = split.allocation[v]!;
        if (k === 0) continue;
        const amount = v === lastLeg ? filled - assigned : slice(k);
        assigned += amount;
        out.cash += poolCost(live[v]!, buy, amount, price, out);
        out.gas += live[v]!.spec.gasUsd;
        out.legs++;
      }
      out.filledUnits = filled;
    },
  };
}

function perpVenue(model: PerpVenueModel, startPrice: number): DeltaVenue {
  const live: LivePool = { spec: { version: 'v3', feePips: 0, depthUnits: model.depthUnits, gasUsd: model.gasUsd }, liquidity: poolLiquidity(model.depthUnits, startPrice), keep: 1 };
  const fee = model.feeRatio;
  return {
    trade(side, units, price, out) {
      clear(out);
      const buy = side === 'buy';
      const cost = poolCost(live, buy, units, price, out); // the impact (no pool fee)
      if (cost === Infinity) {
        clear(out); // the ClearingHouse's swap cannot fill it: Perp v2 reverts
        return;
      }
      const quoteAmount = Math.abs(cost);
      out.fee = fee * quoteAmount;
      out.cash = cost + out.fee;
      out.filledUnits = units;
      out.gas = model.gasUsd;
      out.legs = 1;
    },
  };
}

export function deltaVenueOf(model: SpotVenueModel | PerpVenueModel, startPrice: number): DeltaVenue {
  switch (model.kind) {
    case 'uniswap-v3':
      return singlePoolVenue(model.pool, startPrice);
    case 'uniswap-routed':
      return routedVenue(model.pools, model.slices, startPrice);
    case 'perp-v2':
      return perpVenue(model, startPrice);
  }
}

// ---- options

/** The venue's implied vol for strike K at spot S: max(0, base + skew·ln(K/S)). */
export const venueVol = (venue: OptionVenueModel, ownVol: number, strike: number, spot: number): number =>
  Math.max(0, (venue.baseVol ?? ownVol) + venue.skew * Math.log(strike / spot));

/**
 * The cash of `contracts` options bought (> 0, paid) or sold (< 0, received) at premium
 * `premium` (at the venue vol) and spot S, with its fee. Gas is not in it.
 */
export function optionVenueCash(venue: OptionVenueModel, buy: boolean, contracts: number, premium: number, spot: number): { readonly cash: number; readonly fee: number } {
  const fee = venue.premiumFee * premium + venue.spotFee * spot;
  if (buy) return { cash: contracts * (premium + fee), fee: contracts * fee };
  // A sell whose fees exceed the premium receives nothing (Lyra's rule): the fee is capped at the premium.
  const charged = Math.min(fee, premium);
  return { cash: -contracts * (premium - charged), fee: contracts * charged };
}

// ---- funding

/** The random stream of path p's funding premium: far from the price paths' streams (0, 1, 2, ...). */
export const FUNDING_STREAM_BASE = 2 ** 52;

/**
 * Writes the annual funding rate at each grid instant of path `path` into out[0..years.length):
 * constant, or the OU premium sampled exactly on the grid
 * (f_k = m + (f_{k−1} − m)e^{−κΔt} + η√((1 − e^{−2κΔt})/2κ)·z_k).
 */
export function fillFundingRates(model: FundingModel, years: ArrayLike<number>, seed: number, path: number, out: Float64Array, rng: Xoshiro128 = new Xoshiro128(seed, FUNDING_STREAM_BASE + path)): void {
  const n = years.length;
  if (model.kind === 'constant') {
    out.fill(model.annualRate, 0, n);
    return;
  }
  rng.reseed(seed, FUNDING_STREAM_BASE + path);
  const { mean, reversionPerYear: kappa, volPerYear: eta } = model;
  let f = model.start;
  out[0] = f;
  for (let k = 1; k < n; k++) {
    const dt = years[k]! - years[k - 1]!;
    const decay = Math.exp(-kappa * dt);
    const sd = eta * Math.sqrt(-Math.expm1(-2 * kappa * dt) / (2 * kappa));
    f = mean + (f - mean) * decay + sd * rng.nextNormal();
    out[k] = f;
  }
}

// ---- checks and descriptions

function validatePool(pool: PoolSpec, field: string): void {
  if (pool.version !== 'v2' && pool.version !== 'v3') throw new InvalidInputError(`${field}.version`, pool.version, 'must be "v2" or "v3"');
  if (!Number.isInteger(pool.feePips) || pool.feePips < 0 || pool.feePips >= 1_000_000) throw new InvalidInputError(`${field}.fee`, pool.feePips, 'must be an integer in [0, 1000000) (hundredths of a basis point)');
  requirePositive(pool.depthUnits, `${field}.depth`);
  requireNonNegative(pool.gasUsd, `${field}.gasUsd`);
}

export function validateVenueSet(set: VenueSet): void {
  const field = `venues ${set.name}`;
  const spot = set.spot;
  if (spot?.kind === 'uniswap-v3') validatePool(spot.pool, `${field} ${spot.id}`);
  if (spot?.kind === 'uniswap-routed') {
    if (spot.pools.length === 0) throw new InvalidInputError(`${field} ${spot.id}.pools`, 0, 'needs at least one pool');
    spot.pools.forEach((pool, i) => validatePool(pool, `${field} ${spot.id}.pools[${i}]`));
    if (!Number.isInteger(spot.slices) || spot.slices < 1 || spot.slices > 1000) throw new InvalidInputError(`${field} ${spot.id}.slices`, spot.slices, 'must be an integer in [1, 1000]');
  }
  const perp = set.perp;
  if (perp) {
    requireNonNegative(perp.feeRatio, `${field} ${perp.id}.feeRatio`);
    requirePositive(perp.depthUnits, `${field} ${perp.id}.depth`);
    requireNonNegative(perp.gasUsd, `${field} ${perp.id}.gasUsd`);
    const f = perp.funding;
    if (f.kind === 'constant') requireFinite(f.annualRate, `${field} ${perp.id}.funding.annualRate`);
    else {
      requireFinite(f.mean, `${field} ${perp.id}.funding.mean`);
      requireFinite(f.start, `${field} ${perp.id}.funding.start`);
      requirePositive(f.reversionPerYear, `${field} ${perp.id}.funding.halfLife`);
      requireNonNegative(f.volPerYear, `${field} ${perp.id}.funding.vol`);
    }
  }
  const option = set.option;
  if (option) {
    if (option.baseVol !== undefined) requireNonNegative(option.baseVol, `${field} ${option.id}.baseVol`);
    requireFinite(option.skew, `${field} ${option.id}.skew`);
    requireNonNegative(option.premiumFee, `${field} ${option.id}.premiumFee`);
    requireNonNegative(option.spotFee, `${field} ${option.id}.spotFee`);
    requireNonNegative(option.gasUsd, `${field} ${option.id}.gasUsd`);
  }
}

const pctOfPips = (pips: number): string => `${Number((pips / 10_000).toFixed(4))}%`;
const units = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const describePool = (p: PoolSpec): string => `${p.version} ${pctOfPips(p.feePips)} depth ${units(p.depthUnits)} gas $${p.gasUsd}`;

/** One line: "venues routed: spot on uniswap-routed (routed over v3 0.05% depth 2,000 gas $2, ...; 10 slices); options on ...". */
export function describeVenueSet(set: VenueSet): string {
  return `venues ${set.name}: ${describeVenues(set)}`;
}

/** The venues of a set by instrument, without its name. */
export function describeVenues(set: VenueSet): string {
  const parts: string[] = [];
  const spot = set.spot;
  if (spot?.kind === 'uniswap-v3') parts.push(`spot on ${spot.id} (one pool: ${describePool(spot.pool)})`);
  if (spot?.kind === 'uniswap-routed') parts.push(`spot on ${spot.id} (routed over ${spot.pools.map(describePool).join(', ')}; ${spot.slices} slices)`);
  const perp = set.perp;
  if (perp) {
    const f = perp.funding;
    const funding = f.kind === 'constant' ? `funding ${f.annualRate}/y` : `funding OU mean ${f.mean}/y, half-life ${Number(((Math.LN2 / f.reversionPerYear) * 365).toPrecision(3))}d, vol ${f.volPerYear}`;
    parts.push(`perp on ${perp.id} (fee ${Number((perp.feeRatio * 100).toFixed(4))}%, depth ${units(perp.depthUnits)}, gas $${perp.gasUsd}, ${funding})`);
  }
  const option = set.option;
  if (option) {
    parts.push(`options on ${option.id} (vol ${option.baseVol ?? 'as priced'}, skew ${option.skew}, fees ${option.premiumFee} of premium + ${option.spotFee} of spot, gas $${option.gasUsd})`);
  }
  return parts.join('; ');
}
