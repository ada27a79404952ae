/**
 * Durations as people write them: `20w`, `0.5w`, `1d`, `4h`, `30m`, `45s`, `250ms`, `2y`,
 * or a plain number of years. The year is ACT/365 (the book's day count), so a week is
 * 7/365 of a year and a day 1/365. The result is whole milliseconds (rounded), the clock
 * of the policy engine and of the simulator's time grid.
 */
import { MS_PER_YEAR } from '../exposure/positions.ts';

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60 * MS_PER_SECOND;
export const MS_PER_HOUR = 60 * MS_PER_MINUTE;
export const MS_PER_DAY = 24 * MS_PER_HOUR;
export const MS_PER_WEEK = 7 * MS_PER_DAY;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: MS_PER_SECOND, m: MS_PER_MINUTE, h: MS_PER_HOUR, d: MS_PER_DAY, w: MS_PER_WEEK, y: MS_PER_YEAR };

// The sign is matched so that "-1w" is reported as "must be > 0", not as gibberish.
const DURATION = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)((?:[eE][+-]?[0-9]+)?)\s*(ms|[smhdwy]?)$/;

export const DURATION_EXAMPLES = 'e.g. 20w, 0.5w, 1d, 4h, 30m, 45s, 250ms, or a number of years';

/** A duration read from text: whole milliseconds, or why the text is not one. */
export type DurationReading = { readonly ms: number } | { readonly error: string };

/**
 * Reads a duration; the error says what is wrong in words a user can act on
 * ("must be > 0" for "0" or "-1w", "is not a duration" for "3 weeks").
 */
export function readDuration(text: string): DurationReading {
  const trimmed = text.trim();
  const match = DURATION.exec(trimmed);
  if (!match) return { error: `${JSON.stringify(text)} is not a duration (${DURATION_EXAMPLES})` };
  const value = Number(`${match[1]}${match[2]}${match[3]}`);
  const unit = UNIT_MS[match[4] === '' || match[4] === undefined ? 'y' : match[4]]!;
  if (!(value > 0)) return { error: `must be > 0 (got ${JSON.stringify(trimmed)})` };
  const ms = Math.round(value * unit);
  if (!Number.isFinite(ms)) return { error: `${JSON.stringify(trimmed)} is too long` };
  if (!(ms > 0)) return { error: `${JSON.stringify(trimmed)} is shorter than a millisecond` };
  return { ms };
}

/**
 * Milliseconds of a duration, or undefined when `text` is not one. Zero and negative
 * durations are not durations.
 *
 * @example parseDurationMs('20w') // 12096000000 (20·7 days)
 * @example parseDurationMs('0.25') // 7884000000 (a quarter of a 365-day year)
 */
export function parseDurationMs(text: string): number | undefined {
  const reading = readDuration(text);
  return 'ms' in reading ? reading.ms : undefined;
}

/** Years (ACT/365) of a millisecond duration. */
export const msToYears = (ms: number): number => ms / MS_PER_YEAR;

const DISPLAY_UNITS: readonly (readonly [string, number])[] = [['y', MS_PER_YEAR], ['w', MS_PER_WEEK], ['d', MS_PER_DAY], ['h', MS_PER_HOUR], ['m', MS_PER_MINUTE], ['s', MS_PER_SECOND]];

/** A short human form of a duration: "1w", "3.5d", "4h", "0.25y" (rounded for display). */
export function formatDurationMs(ms: number): string {
  for (const [unit, size] of DISPLAY_UNITS) {
    const v = ms / size;
    if (v >= 1 && Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6) return `${Number(v.toFixed(3))}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * The text of a whole-millisecond duration that reads back to exactly `ms`: the largest
 * unit that gives at most three decimals (seconds always do from 1 s), else milliseconds. Used where a duration is
 * written out to be read again (the config `hedge backtest --json` echoes), which the
 * display form {@link formatDurationMs} does not promise.
 *
 * @example durationText(302_400_000) // "3.5d"; durationText(370_285_714) // "370285.714s"; durationText(250) // "250ms"
 */
export function durationText(ms: number): string {
  for (const [unit, size] of DISPLAY_UNITS) {
    if (ms < size) continue;
    const text = `${Number((ms / size).toFixed(3))}${unit}`;
    if (parseDurationMs(text) === ms) return text;
  }
  return `${ms}ms`;
}
