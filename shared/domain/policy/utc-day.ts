/**
 * UTC day boundaries from millisecond arithmetic (no Date: the core reads no clock and
 * needs no calendar for this). Epoch milliseconds ignore leap seconds, so every UTC day
 * starts at a multiple of 86 400 000 ms.
 */
import { MS_PER_DAY } from './policy-constants.ts';

// Module-local copy (read on every call).
const DAY = MS_PER_DAY;

/**
 * Start (UTC midnight, epoch ms) of the day containing `ms`; floors towards −∞, so it is
 * also right before 1970.
 *
 * Whole milliseconds (every clock the engine sees) take a division and a floor; the two
 * floating-point remainders of the general formula cost ~10× more, and this runs on
 * every step of a backtest. Both give the same double: for an integer ms within
 * ±2^53, the result is the one multiple of a day in (ms − day, ms], which the check
 * below confirms exactly; anything else takes the general formula.
 *
 * @example utcDayStartMs(Date.UTC(2026, 0, 2, 13, 5)) // Date.UTC(2026, 0, 2)
 */
export function utcDayStartMs(ms: number): number {
  if (Number.isSafeInteger(ms)) {
    const start = Math.floor(ms / DAY) * DAY;
    if (start <= ms && ms - start < DAY) return start;
  }
  return ms - (((ms % DAY) + DAY) % DAY);
}
