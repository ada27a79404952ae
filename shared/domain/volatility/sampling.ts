/**
 * The sampling interval of a price series and the annualisation it implies. Models
 * work per step; people and option prices speak of vol per year (ACT/365, the book's
 * day count).
 *
 * The interval is the mean spacing (t_last − t_first)/(n − 1), not the median: a series
 * of weekday closes has a median spacing of one day, but its 252 returns a year carry a
 * year's variance (the weekend's move lands in Monday's return), so the mean spacing of
 * 365/252 days is what turns per-step variance into variance per year. For a regular
 * series the two agree.
 */
import { MS_PER_YEAR } from '../exposure/positions.ts';
import { InvalidInputError } from '../errors.ts';

/**
 * The mean spacing of strictly increasing timestamps, in ms.
 *
 * @example samplingIntervalMs([0, 3_600_000, 7_200_000]) // 3_600_000 (hourly)
 */
export function samplingIntervalMs(timesMs: readonly number[]): number {
  if (timesMs.length < 2) throw new InvalidInputError('timesMs', timesMs.length, 'must hold at least 2 timestamps to have a sampling interval');
  const interval = (timesMs[timesMs.length - 1]! - timesMs[0]!) / (timesMs.length - 1);
  if (!(interval > 0 && interval < Infinity)) throw new InvalidInputError('timesMs', interval, 'must increase (the mean spacing must be > 0)');
  return interval;
}

/**
 * How many sampling steps make a year (ACT/365).
 *
 * @example stepsPerYear(86_400_000) // 365 (daily)
 */
export function stepsPerYear(intervalMs: number): number {
  if (!(intervalMs > 0 && intervalMs < Infinity)) throw new InvalidInputError('intervalMs', intervalMs, 'must be a finite duration > 0');
  return MS_PER_YEAR / intervalMs;
}

/**
 * Annualised vol of a per-step variance: √(σ²·steps per year).
 *
 * @example annualisedVol(1e-4, 86_400_000) // 0.19105 (1% a day is 19.1% a year)
 */
export function annualisedVol(perStepVariance: number, intervalMs: number): number {
  return Math.sqrt(perStepVariance * stepsPerYear(intervalMs));
}
