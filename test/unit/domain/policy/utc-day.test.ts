import { describe, expect, it } from 'vitest';
import { utcDayStartMs } from '../../../../shared/domain/policy/utc-day.ts';

const DAY = 86_400_000;
/** The general formula: what utcDayStartMs returned before its whole-millisecond shortcut. */
const general = (ms: number): number => ms - (((ms % DAY) + DAY) % DAY);

describe('utcDayStartMs', () => {
  it('floors to UTC midnight, before 1970 too', () => {
    expect(utcDayStartMs(Date.UTC(2026, 0, 2, 13, 5))).toBe(Date.UTC(2026, 0, 2));
    expect(utcDayStartMs(Date.UTC(2026, 0, 2))).toBe(Date.UTC(2026, 0, 2));
    expect(utcDayStartMs(Date.UTC(2026, 0, 2) - 1)).toBe(Date.UTC(2026, 0, 1));
    expect(utcDayStartMs(-1)).toBe(-DAY);
    expect(utcDayStartMs(Date.UTC(1969, 11, 31, 23))).toBe(Date.UTC(1969, 11, 31));
  });

  it('gives the general formula’s double for every input, whole milliseconds or not', () => {
    const cases: number[] = [0, -0, 1, -1, 0.5, -0.5, 1e-300, -1e-300, Number.NaN, Infinity, -Infinity, 1e300, -1e300];
    for (const base of [0, DAY, -DAY, Date.UTC(2026, 0, 5), -Date.UTC(2026, 0, 5), 2 ** 52, -(2 ** 52), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 2 ** 60]) {
      for (let k = -2; k <= 2; k++) for (const j of [-1, -0.25, 0, 0.25, 1]) cases.push(base + k * DAY + j, Math.floor(base / DAY) * DAY + k * DAY + j);
    }
    let seed = 7;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    for (let i = 0; i < 20_000; i++) {
      const whole = Math.floor((random() - 0.5) * 2 ** Math.floor(random() * 54));
      cases.push(whole, whole * DAY, whole * DAY - 1, whole + 0.5);
    }
    for (const ms of cases) expect(Object.is(utcDayStartMs(ms), general(ms)), `ms ${ms}`).toBe(true);
  });
});
