/**
 * Portfolio exposure: a book of positions on one or more underlyings, valued at one
 * instant, becomes net Greeks per underlying — in units of the underlying and in USD —
 * with a per-expiry breakdown. Options go through the batch Greeks kernel (typed arrays,
 * no object per option), so books of tens of thousands of positions stay cheap.
 *
 * Expired options (expiry ≤ the valuation instant) carry no risk any more but are not
 * silently dropped: they are listed apart with the value they settle for at the current
 * spot, for the caller to settle.
 */
import { InvalidInputError } from '../errors.ts';
import { GREEK_COUNT } from '../pricing/greeks.ts';
import { bsmGreeksBatch } from '../pricing/greeks-batch.ts';
import { requireFinite, requireNonNegative, requirePositive } from '../pricing/option-inputs.ts';
import { liquidityGreeks, liquidityRangeOf } from './concentrated-liquidity.ts';
import { MS_PER_YEAR, type MarketSnapshot, type Position } from './positions.ts';

/** Net sensitivities of a group of positions (raw units, see field notes). */
export interface ExposureTotals {
  /** Mark-to-model value of the options (USD); linear positions add no premium. */
  readonly optionValueUsd: number;
  /** ∂V/∂S in units of the underlying: the amount to sell to be flat. */
  readonly delta: number;
  /** ∂²V/∂S², units of the underlying per 1 USD move. */
  readonly gamma: number;
  /** USD per 1.00 (100 points) of volatility. */
  readonly vegaPerUnitVol: number;
  /** USD per year of time passing. */
  readonly thetaPerYear: number;
}

export interface ExpiryExposure extends ExposureTotals {
  readonly expiryMs: number;
  readonly yearsToExpiry: number;
}

export interface ExpiredOption {
  readonly id: string;
  readonly expiryMs: number;
  /** What the position settles for at the current spot, USD (signed by quantity). */
  readonly settlementValueUsd: number;
}

export interface UnderlyingExposure extends ExposureTotals {
  readonly underlying: string;
  readonly spot: number;
  /** delta · spot: USD exposure, the P&L of a 100% move at constant delta. */
  readonly dollarDelta: number;
  /** USD P&L of a 1% move of the underlying, first order: delta · spot · 1%. */
  readonly deltaUsdPerPct: number;
  /** USD P&L from convexity on a 1% move: ½ · gamma · (spot · 1%)². */
  readonly gammaUsdPerPct: number;
  /** USD per volatility point (σ from 20% to 21%). */
  readonly vegaPerVolPoint: number;
  /** USD per calendar day (365 a year). */
  readonly thetaPerDay: number;
  readonly positionCount: number;
  /** Gross notional of the live options, Σ|quantity|·spot, USD. */
  readonly optionNotionalUsd: number;
  /** Years to the nearest live option expiry (0 when the book holds none). */
  readonly nearestExpiryYears: number;
  /** Options and futures grouped by expiry, earliest first. */
  readonly byExpiry: readonly ExpiryExposure[];
  readonly expired: readonly ExpiredOption[];
}

interface MutableTotals {
  optionValueUsd: number;
  delta: number;
  gamma: number;
  vegaPerUnitVol: number;
  thetaPerYear: number;
}

const emptyTotals = (): MutableTotals => ({ optionValueUsd: 0, delta: 0, gamma: 0, vegaPerUnitVol: 0, thetaPerYear: 0 });

function validatePosition(position: Position, index: number, market: MarketSnapshot): void {
  const at = `positions[${index}]`;
  if (typeof position.id !== 'string' || position.id === '') throw new InvalidInputError(`${at}.id`, position.id, 'must be a non-empty string');
  if (!Object.hasOwn(market, position.underlying)) {
    throw new InvalidInputError(`${at}.underlying`, position.underlying, 'has no market data in the snapshot');
  }
  requireFinite(position.quantity, `${at}.quantity`);
  switch (position.kind) {
    case 'option':
      if (position.optionType !== 'call' && position.optionType !== 'put') {
        throw new InvalidInputError(`${at}.optionType`, position.optionType, 'must be "call" or "put"');
      }
      requirePositive(position.strike, `${at}.strike`);
      requireFinite(position.expiryMs, `${at}.expiryMs`);
      if (position.vol !== undefined) requireNonNegative(position.vol, `${at}.vol`);
      return;
    case 'future':
      requireFinite(position.expiryMs, `${at}.expiryMs`);
      return;
    case 'uniswap-v3-liquidity':
      liquidityRangeOf(position);
      return;
    case 'spot':
    case 'perp':
      return;
    default:
      throw new InvalidInputError(`${at}.kind`, (position as { kind: unknown }).kind, 'must be "option", "future", "perp", "spot" or "uniswap-v3-liquidity"');
  }
}

function validateMarket(market: MarketSnapshot): void {
  for (const [symbol, m] of Object.entries(market)) {
    requirePositive(m.spot, `market.${symbol}.spot`);
    requireNonNegative(m.vol, `market.${symbol}.vol`);
    requireFinite(m.rate, `market.${symbol}.rate`);
    requireFinite(m.yield, `market.${symbol}.yield`);
  }
}

/**
 * Net exposure of a book per underlying, valued at `nowMs`.
 *
 * @example
 * const [eth] = portfolioExposure(
 *   [{ kind: 'option', id: 'c1', underlying: 'ETH', optionType: 'call', strike: 3000, expiryMs: now + 30 * 86_400_000, quantity: -10 },
 *    { kind: 'perp', id: 'hedge', underlying: 'ETH', quantity: 5 }],
 *   { ETH: { spot: 3000, vol: 0.6, rate: 0.04, yield: 0 } },
 *   now,
 * );
 * eth.delta // ≈ 5 − 10·0.54 = −0.4 units of ETH
 */
export function portfolioExposure(positions: readonly Position[], market: MarketSnapshot, nowMs: number): UnderlyingExposure[] {
  requireFinite(nowMs, 'nowMs');
  validateMarket(market);
  positions.forEach((p, i) => validatePosition(p, i, market));

  // Live options into one batch.
  const live: { position: Position & { kind: 'option' }; years: number }[] = [];
  for (const p of positions) if (p.kind === 'option' && p.expiryMs > nowMs) live.push({ position: p, years: (p.expiryMs - nowMs) / MS_PER_YEAR });
  const n = live.length;
  const batch = {
    isPut: new Uint8Array(n),
    spot: new Float64Array(n),
    strike: new Float64Array(n),
    maturity: new Float64Array(n),
    vol: new Float64Array(n),
    rate: new Float64Array(n),
    yield: new Float64Array(n),
  };
  live.forEach(({ position, years }, i) => {
    const m = market[position.underlying]!;
    batch.isPut[i] = position.optionType === 'put' ? 1 : 0;
    batch.spot[i] = m.spot;
    batch.strike[i] = position.strike;
    batch.maturity[i] = years;
    batch.vol[i] = position.vol ?? m.vol;
    batch.rate[i] = m.rate;
    batch.yield[i] = m.yield;
  });
  const greeks = bsmGreeksBatch(batch);

  interface Accumulator {
    totals: MutableTotals;
    expiries: Map<number, MutableTotals>;
    expired: ExpiredOption[];
    count: number;
    optionUnits: number;
    nearestExpiryYears: number;
  }
  const byUnderlying = new Map<string, Accumulator>();
  const accumulatorFor = (symbol: string): Accumulator => {
    let acc = byUnderlying.get(symbol);
    if (!acc) {
      acc = { totals: emptyTotals(), expiries: new Map(), expired: [], count: 0, optionUnits: 0, nearestExpiryYears: Infinity };
      byUnderlying.set(symbol, acc);
    }
    return acc;
  };
  const add = (acc: Accumulator, expiryMs: number | undefined, value: number, delta: number, gamma: number, vega: number, theta: number): void => {
    const targets = [acc.totals];
    if (expiryMs !== undefined) {
      let bucket = acc.expiries.get(expiryMs);
      if (!bucket) {
        bucket = emptyTotals();
        acc.expiries.set(expiryMs, bucket);
      }
      targets.push(bucket);
    }
    for (const t of targets) {
      t.optionValueUsd += value;
      t.delta += delta;
      t.gamma += gamma;
      t.vegaPerUnitVol += vega;
      t.thetaPerYear += theta;
    }
  };

  live.forEach(({ position, years }, i) => {
    const q = position.quantity;
    const row = i * GREEK_COUNT;
    const acc = accumulatorFor(position.underlying);
    acc.optionUnits += Math.abs(q);
    acc.nearestExpiryYears = Math.min(acc.nearestExpiryYears, years);
    add(acc, position.expiryMs, q * greeks[row]!, q * greeks[row + 1]!, q * greeks[row + 2]!, q * greeks[row + 3]!, q * greeks[row + 4]!);
  });

  for (const p of positions) {
    const acc = accumulatorFor(p.underlying);
    acc.count++;
    const m = market[p.underlying]!;
    if (p.kind === 'option') {
      if (p.expiryMs <= nowMs) {
        const intrinsic = p.optionType === 'call' ? Math.max(m.spot - p.strike, 0) : Math.max(p.strike - m.spot, 0);
        acc.expired.push({ id: p.id, expiryMs: p.expiryMs, settlementValueUsd: p.quantity * intrinsic });
      }
    } else if (p.kind === 'future') {
      // Delta to spot of a future on F = S·e^{(r−q)τ}; as τ shrinks F drifts to S (theta).
      const years = Math.max(p.expiryMs - nowMs, 0) / MS_PER_YEAR;
      const growth = Math.exp((m.rate - m.yield) * years);
      add(acc, p.expiryMs, 0, p.quantity * growth, 0, 0, -p.quantity * (m.rate - m.yield) * m.spot * growth);
    } else if (p.kind === 'uniswap-v3-liquidity') {
      // Delta and (short) gamma of the range at spot; its value is not an option premium.
      const greeks = liquidityGreeks(liquidityRangeOf(p), m.spot);
      add(acc, undefined, 0, p.quantity * greeks.delta, p.quantity * greeks.gamma, 0, 0);
    } else {
      add(acc, undefined, 0, p.quantity, 0, 0, 0);
    }
  }

  return [...byUnderlying.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([underlying, acc]) => {
      const spot = market[underlying]!.spot;
      const t = acc.totals;
      return {
        underlying,
        spot,
        ...t,
        dollarDelta: t.delta * spot,
        deltaUsdPerPct: t.delta * spot * 0.01,
        gammaUsdPerPct: 0.5 * t.gamma * (spot * 0.01) ** 2,
        vegaPerVolPoint: t.vegaPerUnitVol / 100,
        thetaPerDay: t.thetaPerYear / 365,
        positionCount: acc.count,
        optionNotionalUsd: acc.optionUnits * spot,
        nearestExpiryYears: Number.isFinite(acc.nearestExpiryYears) ? acc.nearestExpiryYears : 0,
        byExpiry: [...acc.expiries.entries()]
          .sort(([a], [b]) => a - b)
          .map(([expiryMs, bucket]) => ({ expiryMs, yearsToExpiry: Math.max(expiryMs - nowMs, 0) / MS_PER_YEAR, ...bucket })),
        expired: acc.expired,
      };
    });
}
