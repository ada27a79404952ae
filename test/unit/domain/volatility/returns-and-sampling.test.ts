import { describe, expect, it } from 'vitest';
import { logReturns, requireFittableReturns } from '../../../../shared/domain/volatility/log-returns.ts';
import { annualisedVol, samplingIntervalMs, stepsPerYear } from '../../../../shared/domain/volatility/sampling.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('log returns', () => {
  it('are ln(Pₜ/Pₜ₋₁) and refuse prices that are not finite and > 0', () => {
    const r = logReturns([100, 110, 99]);
    expect(r[0]).toBeCloseTo(Math.log(1.1), 15);
    expect(r[1]).toBeCloseTo(Math.log(0.9), 15);
    expect(() => logReturns([100, 0, 99])).toThrow(/prices\[1\] must be a finite number > 0/);
    expect(() => logReturns([100, NaN])).toThrow(/prices\[1\]/);
  });

  it('have their moments checked before a fit: count, finiteness, not constant', () => {
    const { mean, standardDeviation } = requireFittableReturns([0.01, -0.01, 0.02], 3);
    expect(mean).toBeCloseTo(0.02 / 3, 15);
    // Deviations 1/3, −5/3, 4/3 (×0.01): variance (1 + 25 + 16)/9/3·1e-4 = 14/9·1e-4.
    expect(standardDeviation).toBeCloseTo(Math.sqrt((14 / 9) * 1e-4), 15);
    expect(() => requireFittableReturns([0.01, 0.02], 3)).toThrow(/at least 3/);
    // A price growing at an exactly constant rate: returns equal up to rounding.
    const trend = logReturns(Array.from({ length: 30 }, (_, i) => 100 * 1.01 ** i));
    expect(() => requireFittableReturns(trend, 3)).toThrow(/constant/);
  });
});

describe('sampling and annualisation', () => {
  it('take the mean spacing: hourly is 8,760 steps a year', () => {
    expect(samplingIntervalMs([0, HOUR, 2 * HOUR, 3 * HOUR])).toBe(HOUR);
    expect(stepsPerYear(HOUR)).toBeCloseTo(8760, 9);
  });

  it('count weekday closes at their real rate: 5 returns per 7 days is 260.7 a year', () => {
    // Mon..Fri, Mon: six closes, five returns, seven days.
    const weekdays = [0, 1, 2, 3, 4, 7].map((d) => d * DAY);
    expect(samplingIntervalMs(weekdays) / ((7 / 5) * DAY)).toBeCloseTo(1, 15);
    expect(stepsPerYear(samplingIntervalMs(weekdays))).toBeCloseTo((365 * 5) / 7, 9);
  });

  it('annualise a per-step variance: 1% a day is 19.105% a year', () => {
    expect(annualisedVol(1e-4, DAY)).toBeCloseTo(0.01 * Math.sqrt(365), 15);
    expect(() => samplingIntervalMs([5])).toThrow(/at least 2/);
  });
});
