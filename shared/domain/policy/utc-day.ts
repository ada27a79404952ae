/**
 * UTC day boundaries from millisecond arithmetic (no Date: the core reads no clock and
 * needs no calendar for this). Epoch milliseconds ignore leap seconds, so every UTC day
 * starts at a multiple of 86 400 000 ms.
 */
import { MS_PER_DAY } from './policy-constants.ts';

/**
 * Start (UTC midnight, epoch ms) of the day containing `ms`; floors towards −∞, so it is
 * also right before 1970.
 *
 * @example utcDayStartMs(Date.UTC(2026, 0, 2, 13, 5)) // Date.UTC(2026, 0, 2)
 */
export function utcDayStartMs(ms: number): number {
  return ms - (((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY);
}
