/**
 * A GARCH(1,1) market for the backtester: volatility that clusters, so that policies
 * which forecast it (or estimate it from the recent past) can be compared with fixed ones
 * on the same paths.
 *
 * The model is the one `hedge vol fit` estimates, on log returns over its own interval τ
 * (e.g. one hour): ln(Sₜ₊τ/Sₜ) = μτ − σ²ₜ/2 + εₜ, εₜ = σₜ·zₜ, σ²ₜ₊τ = ω + α·ε²ₜ + β·σ²ₜ, so
 * the parameters printed by the fit (per interval) are used as they are, and μ (per
 * year) is the real-world drift of the price (E[Sₜ] = S₀e^{μt} given the variances).
 *
 * The backtest grid need not fall on the model's intervals (expiries are grid points, and
 * the last step may be short). Within an interval the variance is σ²ₜ, constant, so a
 * piece of length fτ (0 < f ≤ 1) draws σₜ√f·z; the pieces' shocks add up to the
 * interval's εₜ, which then updates the variance at the interval's end. At the interval
 * boundaries the path is therefore exactly the GARCH process; within an interval it moves
 * as a Brownian motion with that interval's variance.
 *
 * Every path p draws from its own stream (seed, p), as the other markets do.
 */
import { InvalidInputError } from '../errors.ts';
import { MS_PER_YEAR } from '../exposure/positions.ts';
import { requireFinite, requirePositive } from '../pricing/option-inputs.ts';
import type { PathSource, TimeGrid } from './market-paths.ts';
import { Xoshiro128 } from './random.ts';

export interface GarchMarket {
  readonly kind: 'garch';
  readonly spot: number;
  /** Real-world drift of the price, per year, continuously compounded. */
  readonly drift: number;
  /** The model's interval τ in ms (the sampling interval of the series it was fitted on). */
  readonly intervalMs: number;
  /** Per interval, in squared log-return units, as `hedge vol fit` prints them. */
  readonly omega: number;
  readonly alpha: number;
  readonly beta: number;
  /** The conditional variance per interval at the start; the long-run ω/(1 − α − β) when absent. */
  readonly initialVariance?: number;
}

/** Largest number of model intervals in one run (each costs one normal per path). */
export const MAX_GARCH_INTERVALS = 10_000_000;

/** ω/(1 − α − β): the variance per interval the process reverts to. */
export const garchLongRunVariance = (market: Pick<GarchMarket, 'omega' | 'alpha' | 'beta'>): number => market.omega / (1 - market.alpha - market.beta);

/** An annualised volatility from a variance per interval of `intervalMs`. */
export const annualisedVolOf = (variancePerInterval: number, intervalMs: number): number => Math.sqrt((variancePerInterval * MS_PER_YEAR) / intervalMs);

export function validateGarchMarket(market: GarchMarket): void {
  requirePositive(market.spot, 'market.spot');
  requireFinite(market.drift, 'market.drift');
  requirePositive(market.intervalMs, 'market.intervalMs');
  requirePositive(market.omega, 'market.omega');
  for (const name of ['alpha', 'beta'] as const) {
    const value = market[name];
    if (!(Number.isFinite(value) && value >= 0)) throw new InvalidInputError(`market.${name}`, value, 'must be ≥ 0');
  }
  if (!(market.alpha + market.beta < 1)) {
    throw new InvalidInputError('market.beta', market.beta, `α + β = ${market.alpha + market.beta} must be under 1 (a stationary variance; a persistence of 1 has no long-run level to simulate around)`);
  }
  if (market.initialVariance !== undefined) requirePositive(market.initialVariance, 'market.initialVariance');
  // A variance per interval of 1 is a 100 % move each interval: parameters in percent, not fractions.
  const longRun = garchLongRunVariance(market);
  if (!(longRun < 1)) throw new InvalidInputError('market.omega', market.omega, `gives a long-run variance per interval of ${longRun} (σ ≥ 100 % per interval): are the returns in percent? ω is in squared log-return units`);
}

export function createGarchSource(market: GarchMarket, grid: TimeGrid, seed: number): PathSource {
  validateGarchMarket(market);
  const { spot, drift, intervalMs, omega, alpha, beta } = market;
  const offsets = grid.offsetsMs;
  const steps = offsets.length - 1;
  const horizonMs = offsets[steps]! - offsets[0]!;
  if (horizonMs / intervalMs > MAX_GARCH_INTERVALS) {
    throw new InvalidInputError('market.intervalMs', intervalMs, `gives ${Math.ceil(horizonMs / intervalMs)} model intervals over the horizon (at most ${MAX_GARCH_INTERVALS})`);
  }
  const startVariance = market.initialVariance ?? garchLongRunVariance(market);
  const driftPerInterval = (drift * intervalMs) / MS_PER_YEAR;
  const rng = new Xoshiro128(seed);

  return {
    pathCount: Infinity,
    fill(path, out) {
      rng.reseed(seed, path);
      let logPrice = Math.log(spot);
      let variance = startVariance;
      let shockSoFar = 0; // ε of the interval in progress, from its pieces
      let intoInterval = 0; // ms of the interval in progress already simulated
      out[0] = spot;
      for (let k = 0; k < steps; k++) {
        let remaining = offsets[k + 1]! - offsets[k]!;
        while (remaining > 0) {
          const pieceMs = Math.min(remaining, intervalMs - intoInterval);
          const f = pieceMs / intervalMs;
          const shock = Math.sqrt(variance * f) * rng.nextNormal();
          logPrice += (driftPerInterval - 0.5 * variance) * f + shock;
          shockSoFar += shock;
          intoInterval += pieceMs;
          remaining -= pieceMs;
          if (intoInterval >= intervalMs) {
            variance = omega + alpha * shockSoFar * shockSoFar + beta * variance;
            shockSoFar = 0;
            intoInterval = 0;
          }
        }
        out[k + 1] = Math.exp(logPrice);
      }
      return 0;
    },
  };
}
