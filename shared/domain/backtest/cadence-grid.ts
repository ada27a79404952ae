/**
 * A cadence on a time grid. The simulator calls the policy at the grid's instants only,
 * and a cadence fires at the first instant at least `everyMs` after the last hedge: on a
 * grid of spacing g the policy hedges every ⌈everyMs/g⌉·g. A cadence finer than the
 * step, or one that is not a whole number of steps, would silently become another
 * cadence (a sweep of 1w, 0.5w, 0.25w on a weekly grid gives three identical rows).
 * This module says whether a grid honours a cadence, and which step would.
 */
import { MAX_GRID_POINTS, type GridSpacing } from './market-paths.ts';

/**
 * Grid instants are rounded to whole milliseconds: a cadence within this of the
 * effective interval is honoured (e.g. 100 equal steps of 7.2000003 h and a cadence of
 * 7.2 h fire at every step).
 */
const ROUNDING_MS = 1;

/** The spacing of a simulated grid, ms (fractional for equal steps over a horizon). */
export function gridIntervalMs(spacing: GridSpacing, horizonMs: number): number {
  return 'steps' in spacing ? horizonMs / spacing.steps : spacing.stepMs;
}

/**
 * How often a cadence of `cadenceMs` really hedges on a grid of spacing `intervalMs`:
 * the first whole number of steps whose (rounded) length reaches the cadence.
 */
export function effectiveCadenceMs(cadenceMs: number, intervalMs: number): number {
  let steps = Math.max(1, Math.ceil(cadenceMs / intervalMs - 1e-12));
  while (Math.floor(steps * intervalMs + 1e-9) < cadenceMs) steps++;
  return steps * intervalMs;
}

/** Whether the grid lets the cadence fire exactly every `cadenceMs` (to the grid's rounding). */
export function honoursCadence(cadenceMs: number, intervalMs: number): boolean {
  return effectiveCadenceMs(cadenceMs, intervalMs) - cadenceMs < ROUNDING_MS;
}

/**
 * The step a grid needs so that the cadence fires exactly: the largest whole-millisecond
 * step at most `intervalMs` that divides `cadenceMs` (the cadence itself when it is finer
 * than the step). Undefined when that step would put more than the grid's maximum
 * number of points over the horizon.
 *
 * @example stepForCadence(0.5 week, 1 week) // 0.5 week; stepForCadence(6 h, 4 h) // 3 h
 */
export function stepForCadence(cadenceMs: number, intervalMs: number, horizonMs: number): number | undefined {
  if (!Number.isInteger(cadenceMs) || cadenceMs < 1) return undefined;
  for (let n = Math.max(1, Math.ceil(cadenceMs / intervalMs - 1e-12)); ; n++) {
    const step = cadenceMs / n;
    if (horizonMs / step >= MAX_GRID_POINTS) return undefined;
    if (cadenceMs % n === 0 && step <= intervalMs + 1e-9) return step;
  }
}

/** The shortest spacing between consecutive instants of a grid (a replay's rows), ms. */
export function shortestSpacingMs(offsetsMs: ArrayLike<number>): number {
  let shortest = Infinity;
  for (let i = 1; i < offsetsMs.length; i++) shortest = Math.min(shortest, offsetsMs[i]! - offsetsMs[i - 1]!);
  return shortest;
}
