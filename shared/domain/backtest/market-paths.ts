/**
 * Price paths for the backtester, on a time grid of whole milliseconds from the start:
 *
 * - **GBM**: dS/S = μ dt + σ dW, sampled exactly: S ← S·exp((μ − σ²/2)Δt + σ√Δt·Z).
 *   μ is the real-world drift of the price (μ = r − q is the risk-neutral one).
 * - **Merton jump-diffusion**: dS/S = (μ − λκ) dt + σ dW + (e^Y − 1) dN with N a
 *   Poisson process of intensity λ per year and jump sizes Y ~ N(m, s²) in log space,
 *   κ = E[e^Y − 1] = e^{m + s²/2} − 1. The −λκ compensation keeps E[S_t] = S₀·e^{μt},
 *   so μ means the same in both models; a negative m makes the jumps flash crashes.
 *   Per step: n ~ Poisson(λΔt) by inversion, and the n jumps add n·m + s·√n·Z′.
 * - **Replay**: the prices of a recorded series, on its own timestamps (one path).
 * - **History**: paths cut or resampled from recorded series (several series, rolling
 *   windows, a block bootstrap) on a regular grid: history-paths.ts.
 * - **GARCH(1,1)**: volatility that clusters, on the model's own interval: garch-market.ts.
 *
 * Every path p of a run draws from its own stream (seed, p) of {@link Xoshiro128}, so
 * a path is reproducible on its own, whatever else the run does.
 */
import { InvalidInputError } from '../errors.ts';
import { MAX_PRICE_LEVEL, MIN_PRICE_LEVEL, requireFinite, requireNonNegative, requirePositive } from '../pricing/option-inputs.ts';
import { MS_PER_YEAR } from '../exposure/positions.ts';
import { createGarchSource, validateGarchMarket, type GarchMarket } from './garch-market.ts';
import { createHistorySource, validateHistoryMarket, type HistoryMarket } from './history-paths.ts';
import { Xoshiro128 } from './random.ts';

export type { HistoryMarket } from './history-paths.ts';
export type { GarchMarket } from './garch-market.ts';

export interface GbmMarket {
  readonly kind: 'gbm';
  readonly spot: number;
  /** Real-world drift of the price, per year, continuously compounded. */
  readonly drift: number;
  readonly vol: number;
}

export interface MertonMarket {
  readonly kind: 'merton';
  readonly spot: number;
  /** Expected growth rate of the price, jumps included (the drift is compensated). */
  readonly drift: number;
  /** Volatility of the diffusion part. */
  readonly vol: number;
  /** Expected number of jumps per year (λ). */
  readonly jumpIntensity: number;
  /** Mean of the log jump size (m); negative for crashes. */
  readonly jumpMean: number;
  /** Standard deviation of the log jump size (s). */
  readonly jumpStd: number;
}

export interface ReplayMarket {
  readonly kind: 'replay';
  /** Milliseconds since the first observation, strictly increasing, first 0. */
  readonly offsetsMs: ArrayLike<number>;
  /** USD per unit, > 0. */
  readonly prices: ArrayLike<number>;
}

export type MarketModel = GbmMarket | MertonMarket | GarchMarket | ReplayMarket | HistoryMarket;

/** The instants of a run: offsets from the start (whole ms) and the same in years. */
export interface TimeGrid {
  readonly offsetsMs: Float64Array;
  readonly years: Float64Array;
}

export type GridSpacing = { readonly steps: number } | { readonly stepMs: number };

/** Largest grid a run may have (steps + 1 points); bigger is a mistake, not a backtest. */
export const MAX_GRID_POINTS = 10_000_001;

/**
 * The grid of a simulated market: `steps` equal steps over the horizon, or one point
 * every `stepMs` (the last step ends at the horizon and may be shorter), plus the
 * instants in `extraMs` inside (0, horizon) — the option expiries, so that every option
 * settles exactly at its expiry.
 */
export function buildTimeGrid(horizonMs: number, spacing: GridSpacing, extraMs: readonly number[] = []): TimeGrid {
  requirePositive(horizonMs, 'horizonMs');
  const points: number[] = [];
  if ('steps' in spacing) {
    const { steps } = spacing;
    if (!Number.isInteger(steps) || steps < 1 || steps >= MAX_GRID_POINTS) throw new InvalidInputError('steps', steps, `must be an integer in [1, ${MAX_GRID_POINTS - 1}]`);
    for (let k = 0; k <= steps; k++) points.push(Math.round((k * horizonMs) / steps));
  } else {
    const { stepMs } = spacing;
    requirePositive(stepMs, 'stepMs');
    if (horizonMs / stepMs >= MAX_GRID_POINTS) throw new InvalidInputError('stepMs', stepMs, `gives more than ${MAX_GRID_POINTS - 1} steps over the horizon`);
    for (let k = 0; k * stepMs < horizonMs; k++) points.push(Math.round(k * stepMs));
    points.push(horizonMs);
  }
  for (const extra of extraMs) if (extra > 0 && extra < horizonMs) points.push(Math.round(extra));
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  return gridOf(sorted);
}

function gridOf(offsets: ArrayLike<number>): TimeGrid {
  const offsetsMs = Float64Array.from(offsets as ArrayLike<number>);
  const years = offsetsMs.map((ms) => ms / MS_PER_YEAR);
  return { offsetsMs, years };
}

/** The grid of a replayed series: its own timestamps up to the horizon. */
export function replayGrid(market: ReplayMarket, horizonMs: number): TimeGrid {
  const n = market.offsetsMs.length;
  let end = 0;
  while (end + 1 < n && market.offsetsMs[end + 1]! <= horizonMs) end++;
  return gridOf(Array.from({ length: end + 1 }, (_, i) => market.offsetsMs[i]!));
}

export function validateMarket(market: MarketModel): void {
  switch (market.kind) {
    case 'gbm':
    case 'merton':
      requirePositive(market.spot, 'market.spot');
      requireFinite(market.drift, 'market.drift');
      requireNonNegative(market.vol, 'market.vol');
      if (market.kind === 'merton') {
        requireNonNegative(market.jumpIntensity, 'market.jumpIntensity');
        requireFinite(market.jumpMean, 'market.jumpMean');
        requireNonNegative(market.jumpStd, 'market.jumpStd');
      }
      return;
    case 'replay': {
      const { offsetsMs, prices } = market;
      if (offsetsMs.length !== prices.length) throw new InvalidInputError('market.prices.length', prices.length, `must equal the number of timestamps (${offsetsMs.length})`);
      if (prices.length < 2) throw new InvalidInputError('market.prices', prices.length, 'needs at least 2 observations');
      if (offsetsMs[0] !== 0) throw new InvalidInputError('market.offsetsMs[0]', offsetsMs[0], 'must be 0 (offsets are from the first observation)');
      for (let i = 0; i < prices.length; i++) {
        const p = prices[i]!;
        if (!(p >= MIN_PRICE_LEVEL && p <= MAX_PRICE_LEVEL)) throw new InvalidInputError(`market.prices[${i}]`, p, `must be a price in [${MIN_PRICE_LEVEL}, ${MAX_PRICE_LEVEL}]`);
        if (i > 0 && !(offsetsMs[i]! > offsetsMs[i - 1]!)) throw new InvalidInputError(`market.offsetsMs[${i}]`, offsetsMs[i], 'must be after the previous timestamp');
      }
      return;
    }
    case 'history':
      validateHistoryMarket(market);
      return;
    case 'garch':
      validateGarchMarket(market);
      return;
    default:
      throw new InvalidInputError('market.kind', (market as { kind: unknown }).kind, 'must be "gbm", "merton", "garch", "replay" or "history"');
  }
}

/** Fills price paths on a fixed grid; `fill` writes path p into `out` (grid length). */
export interface PathSource {
  /** How many distinct paths the source has (1 for a replay; a history market's series or windows). */
  readonly pathCount: number;
  /** Writes path `path` into out[0..grid length) and returns its number of jumps. */
  fill(path: number, out: Float64Array): number;
}

/** Cap on the jumps of one step: a λΔt this large is a configuration error, not a market. */
const MAX_JUMPS_PER_STEP = 10_000;
/** λΔt above this (e^{−λΔt} would lose the Poisson head to underflow) is rejected. */
const MAX_JUMP_RATE_PER_STEP = 100;

export function createPathSource(market: MarketModel, grid: TimeGrid, seed: number): PathSource {
  validateMarket(market);
  const points = grid.years.length;
  if (market.kind === 'replay') {
    if (points > market.prices.length) throw new InvalidInputError('grid', points, `has more points than the series (${market.prices.length})`);
    const prices = Float64Array.from({ length: points }, (_, i) => market.prices[i]!);
    return {
      pathCount: 1,
      fill(_path, out) {
        out.set(prices);
        return 0;
      },
    };
  }
  if (market.kind === 'history') return createHistorySource(market, grid, seed);
  if (market.kind === 'garch') return createGarchSource(market, grid, seed);

  // Per-step constants, shared by every path.
  const steps = points - 1;
  const driftTerm = new Float64Array(steps);
  const volTerm = new Float64Array(steps);
  const jumpRate = new Float64Array(steps); // λΔt
  const noJump = new Float64Array(steps); // e^{−λΔt}
  const { spot, drift, vol } = market;
  const lambda = market.kind === 'merton' ? market.jumpIntensity : 0;
  const jumpMean = market.kind === 'merton' ? market.jumpMean : 0;
  const jumpStd = market.kind === 'merton' ? market.jumpStd : 0;
  const kappa = lambda > 0 ? Math.expm1(jumpMean + 0.5 * jumpStd * jumpStd) : 0;
  for (let k = 0; k < steps; k++) {
    const dt = grid.years[k + 1]! - grid.years[k]!;
    driftTerm[k] = (drift - lambda * kappa - 0.5 * vol * vol) * dt;
    volTerm[k] = vol * Math.sqrt(dt);
    jumpRate[k] = lambda * dt;
    noJump[k] = Math.exp(-lambda * dt);
    if (jumpRate[k]! > MAX_JUMP_RATE_PER_STEP) {
      throw new InvalidInputError('market.jumpIntensity', lambda, `gives ${jumpRate[k]} expected jumps in one step (at most ${MAX_JUMP_RATE_PER_STEP}): use more steps`);
    }
  }
  const rng = new Xoshiro128(seed);
  const withJumps = lambda > 0;

  return {
    pathCount: Infinity,
    fill(path, out) {
      rng.reseed(seed, path);
      let s = spot;
      let jumps = 0;
      out[0] = s;
      for (let k = 0; k < steps; k++) {
        let logReturn = driftTerm[k]! + volTerm[k]! * rng.nextNormal();
        if (withJumps) {
          // Poisson by inversion: the smallest n with P(N ≤ n) ≥ u.
          const u = rng.nextDouble();
          const rate = jumpRate[k]!;
          let p = noJump[k]!;
          let cdf = p;
          let n = 0;
          while (u > cdf && n < MAX_JUMPS_PER_STEP) {
            n++;
            p *= rate / n;
            cdf += p;
            if (p === 0 && n > rate) break; // the remaining mass is below rounding: u sits in it
          }
          if (n > 0) {
            jumps += n;
            logReturn += n * jumpMean + jumpStd * Math.sqrt(n) * rng.nextNormal();
          }
        }
        s *= Math.exp(logReturn);
        if (!(s >= MIN_PRICE_LEVEL && s <= MAX_PRICE_LEVEL)) {
          throw new InvalidInputError(`path ${path} price at step ${k + 1}`, s, `left [${MIN_PRICE_LEVEL}, ${MAX_PRICE_LEVEL}]: the market parameters are out of range`);
        }
        out[k + 1] = s;
      }
      return jumps;
    },
  };
}

/**
 * Annualised realised volatility of a replayed series: √(Σ ln(Sᵢ/Sᵢ₋₁)² / Σ Δtᵢ) — the
 * zero-mean estimator, which handles irregular spacing and is the default pricing vol
 * of a replay.
 */
export function realisedVol(market: ReplayMarket): number {
  validateMarket(market);
  let sumSquares = 0;
  for (let i = 1; i < market.prices.length; i++) sumSquares += Math.log(market.prices[i]! / market.prices[i - 1]!) ** 2;
  const years = market.offsetsMs[market.offsetsMs.length - 1]! / MS_PER_YEAR;
  return Math.sqrt(sumSquares / years);
}

/** Volatility of the log price per √year: the diffusion's plus the jumps' (λ·(m² + s²)). */
export function totalVol(market: GbmMarket | MertonMarket): number {
  if (market.kind === 'gbm') return market.vol;
  return Math.sqrt(market.vol ** 2 + market.jumpIntensity * (market.jumpMean ** 2 + market.jumpStd ** 2));
}
