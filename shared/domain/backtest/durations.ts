/**
 * Durations as people write them: `20w`, `0.5w`, `1d`, `4h`, `30m`, `45s`, `2y`, or a
 * plain number of years. The year is ACT/365 (the book's day count), so a week is 7/365
 * of a year and a day 1/365. The result is whole milliseconds (rounded), the clock of
 * the policy engine and of the simulator's time grid.
 */
import { MS_PER_YEAR } from '../exposure/positions.ts';

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60 * MS_PER_SECOND;
export const MS_PER_HOUR = 60 * MS_PER_MINUTE;
export const MS_PER_DAY = 24 * MS_PER_HOUR;
export const MS_PER_WEEK = 7 * MS_PER_DAY;

const UNIT_MS: Readonly<Record<string, number>> = { s: MS_PER_SECOND, m: MS_PER_MINUTE, h: MS_PER_HOUR, d: MS_PER_DAY, w: MS_PER_WEEK, y: MS_PER_YEAR };

const DURATION = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*([smhdwy]?)$/;

/**
 * Milliseconds of a duration, or undefined when `text` is not one. Zero and negative
 * durations are not durations.
 *
 * @example parseDurationMs('20w') // 12096000000 (20·7 days)
 * @example parseDurationMs('0.25') // 7884000000 (a quarter of a 365-day year)
 */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const numberText = text.trim().slice(0, text.trim().length - (match[2] ?? '').length).trim();
  const value = Number(numberText);
  const unit = match[2] === '' || match[2] === undefined ? MS_PER_YEAR : UNIT_MS[match[2]]!;
  const ms = Math.round(value * unit);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** Years (ACT/365) of a millisecond duration. */
export const msToYears = (ms: number): number => ms / MS_PER_YEAR;

/** A short human form of a duration: "1w", "3.5d", "4h", "0.25y". */
export function formatDurationMs(ms: number): string {
  const units: [string, number][] = [['y', MS_PER_YEAR], ['w', MS_PER_WEEK], ['d', MS_PER_DAY], ['h', MS_PER_HOUR], ['m', MS_PER_MINUTE], ['s', MS_PER_SECOND]];
  for (const [unit, size] of units) {
    const v = ms / size;
    if (v >= 1 && Math.abs(v * 1000 - Math.round(v * 1000)) < 1e-6) return `${Number(v.toFixed(3))}${unit}`;
  }
  return `${ms}ms`;
}
