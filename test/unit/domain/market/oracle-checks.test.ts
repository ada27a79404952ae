// Oracle and vol-feed readings judged the Chainlink way (positive answer, completed round,
// fresh by the chain's clock, not from the future), and the pool's deviation from the oracle.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/domain/errors.ts';
import {
  MAX_PLAUSIBLE_VOL,
  ORACLE_FUTURE_TOLERANCE_MS,
  checkOracleReading,
  checkPoolDeviation,
  deviationBps,
  volFromFeed,
} from '../../../../shared/domain/market/oracle-checks.ts';
import type { FeedReading } from '../../../../shared/domain/market/oracle-checks.ts';
import type { OracleReading } from '../../../../shared/app/execution-ports.ts';

const NOW_MS = 1_700_000_000_000;
const HOUR_MS = 3_600_000;

const reading = (overrides: Partial<FeedReading> = {}): FeedReading => ({
  roundId: 7n,
  answer: 3000.12,
  startedAtMs: NOW_MS - 12_000,
  updatedAtMs: NOW_MS - 12_000,
  answeredInRound: 7n,
  decimals: 8,
  ...overrides,
});

describe('checkOracleReading', () => {
  it('passes a fresh, positive, completed answer with its age', () => {
    expect(checkOracleReading(reading(), NOW_MS, HOUR_MS)).toEqual({ ok: true, price: 3000.12, ageMs: 12_000 });
  });

  it("takes the MarketReader port's OracleReading as it is", () => {
    const fromPort: OracleReading = reading();
    expect(checkOracleReading(fromPort, NOW_MS, HOUR_MS).ok).toBe(true);
  });

  it('an answer exactly maxStalenessMs old passes; one millisecond more is stale', () => {
    expect(checkOracleReading(reading({ updatedAtMs: NOW_MS - HOUR_MS }), NOW_MS, HOUR_MS)).toEqual({ ok: true, price: 3000.12, ageMs: HOUR_MS });
    const stale = checkOracleReading(reading({ updatedAtMs: NOW_MS - HOUR_MS - 1 }), NOW_MS, HOUR_MS);
    expect(stale).toMatchObject({ ok: false, code: 'ORACLE_STALE' });
    expect(stale.ok ? '' : stale.message).toBe(
      `The oracle's answer is ${HOUR_MS + 1} ms old at chain time ${NOW_MS} ms (updated at ${NOW_MS - HOUR_MS - 1} ms), over the ${HOUR_MS} ms limit.`,
    );
  });

  it('an update up to the tolerance ahead of the chain clock is fresh (age 0); further ahead it is rejected', () => {
    expect(checkOracleReading(reading({ updatedAtMs: NOW_MS + ORACLE_FUTURE_TOLERANCE_MS }), NOW_MS, HOUR_MS)).toEqual({ ok: true, price: 3000.12, ageMs: 0 });
    const ahead = checkOracleReading(reading({ updatedAtMs: NOW_MS + ORACLE_FUTURE_TOLERANCE_MS + 1 }), NOW_MS, HOUR_MS);
    expect(ahead).toMatchObject({ ok: false, code: 'ORACLE_FROM_THE_FUTURE' });
    expect(ahead.ok ? '' : ahead.message).toContain(`${ORACLE_FUTURE_TOLERANCE_MS + 1} ms after the chain time ${NOW_MS} ms`);
  });

  it.each([0, -1, -3000.12])('rejects the non-positive answer %s', (answer) => {
    const result = checkOracleReading(reading({ answer }), NOW_MS, HOUR_MS);
    expect(result).toEqual({ ok: false, code: 'ORACLE_NON_POSITIVE_ANSWER', message: `The oracle answers ${answer} in round 7, which is not positive.` });
  });

  it('rejects a round that never completed (updatedAt 0)', () => {
    const result = checkOracleReading(reading({ updatedAtMs: 0, startedAtMs: 0 }), NOW_MS, HOUR_MS);
    expect(result).toMatchObject({ ok: false, code: 'ORACLE_INCOMPLETE_ROUND', message: expect.stringContaining('updatedAt 0 ms') as unknown });
  });

  it('rejects an answer carried over from an earlier round (answeredInRound < roundId)', () => {
    const result = checkOracleReading(reading({ roundId: 8n, answeredInRound: 7n }), NOW_MS, HOUR_MS);
    expect(result).toMatchObject({ ok: false, code: 'ORACLE_INCOMPLETE_ROUND', message: expect.stringContaining('round 7, before the current round 8') as unknown });
    expect(checkOracleReading(reading({ roundId: 7n, answeredInRound: 8n }), NOW_MS, HOUR_MS).ok).toBe(true);
  });

  it.each([
    { field: 'answer', overrides: { answer: Number.NaN } },
    { field: 'answer', overrides: { answer: Number.POSITIVE_INFINITY } },
    { field: 'updatedAtMs', overrides: { updatedAtMs: Number.NaN } },
  ])('rejects a reading whose $field is $overrides', ({ field, overrides }) => {
    const result = checkOracleReading(reading(overrides), NOW_MS, HOUR_MS);
    expect(result).toMatchObject({ ok: false, code: 'ORACLE_NOT_FINITE', message: expect.stringContaining(`reading's ${field} is`) as unknown });
  });

  it('checks in order: the answer before the round, the round before the clock', () => {
    expect(checkOracleReading(reading({ answer: -1, updatedAtMs: 0 }), NOW_MS, HOUR_MS)).toMatchObject({ code: 'ORACLE_NON_POSITIVE_ANSWER' });
    expect(checkOracleReading(reading({ answeredInRound: 1n, updatedAtMs: NOW_MS - 2 * HOUR_MS }), NOW_MS, HOUR_MS)).toMatchObject({ code: 'ORACLE_INCOMPLETE_ROUND' });
  });

  it.each([
    { nowMs: Number.NaN, maxStalenessMs: HOUR_MS },
    { nowMs: NOW_MS, maxStalenessMs: 0 },
    { nowMs: NOW_MS, maxStalenessMs: Number.POSITIVE_INFINITY },
  ])('throws on caller errors: nowMs $nowMs, maxStalenessMs $maxStalenessMs', ({ nowMs, maxStalenessMs }) => {
    expect(() => checkOracleReading(reading(), nowMs, maxStalenessMs)).toThrow(InvalidInputError);
  });

  it('is fresh exactly when the age is within the limit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 86_400_000 }), fc.integer({ min: -ORACLE_FUTURE_TOLERANCE_MS, max: 200_000_000 }), (maxStalenessMs, ageMs) => {
        const result = checkOracleReading(reading({ updatedAtMs: NOW_MS - ageMs }), NOW_MS, maxStalenessMs);
        expect(result.ok).toBe(ageMs <= maxStalenessMs);
        if (result.ok) expect(result.ageMs).toBe(Math.max(0, ageMs));
        else expect(result.code).toBe('ORACLE_STALE');
      }),
    );
  });
});

describe('volFromFeed', () => {
  const vol = (answer: number, overrides: Partial<FeedReading> = {}): FeedReading => reading({ answer, decimals: 8, ...overrides });

  it('reads a fresh plausible vol', () => {
    expect(volFromFeed(vol(0.65), NOW_MS, HOUR_MS)).toEqual({ ok: true, vol: 0.65, ageMs: 12_000 });
    expect(volFromFeed(vol(MAX_PLAUSIBLE_VOL), NOW_MS, HOUR_MS)).toMatchObject({ ok: true, vol: MAX_PLAUSIBLE_VOL });
  });

  it('rejects a vol above 1000 % as not plausible', () => {
    expect(volFromFeed(vol(10.0001), NOW_MS, HOUR_MS)).toEqual({
      ok: false,
      code: 'VOL_NOT_PLAUSIBLE',
      message: 'The vol feed answers 10.0001 (round 7), above the plausible maximum of 10.',
    });
  });

  it('applies the oracle checks, naming the vol feed', () => {
    const stale = volFromFeed(vol(0.65, { updatedAtMs: NOW_MS - HOUR_MS - 1 }), NOW_MS, HOUR_MS);
    expect(stale).toMatchObject({ ok: false, code: 'ORACLE_STALE', message: expect.stringMatching(/^The vol feed's answer is/) as unknown });
    expect(volFromFeed(vol(0), NOW_MS, HOUR_MS)).toMatchObject({ ok: false, code: 'ORACLE_NON_POSITIVE_ANSWER' });
    expect(volFromFeed(vol(Number.NaN), NOW_MS, HOUR_MS)).toMatchObject({ ok: false, code: 'ORACLE_NOT_FINITE' });
    expect(volFromFeed(vol(0.65, { answeredInRound: 6n }), NOW_MS, HOUR_MS)).toMatchObject({ ok: false, code: 'ORACLE_INCOMPLETE_ROUND' });
    expect(volFromFeed(vol(0.65, { updatedAtMs: NOW_MS + 2 * ORACLE_FUTURE_TOLERANCE_MS }), NOW_MS, HOUR_MS)).toMatchObject({ ok: false, code: 'ORACLE_FROM_THE_FUTURE' });
  });
});

describe('deviationBps and checkPoolDeviation', () => {
  const positive = fc.double({ min: 1e-6, max: 1e9, noNaN: true, noDefaultInfinity: true });

  it('is |other / reference − 1| in basis points', () => {
    expect(deviationBps(3000, 3000)).toBe(0);
    expect(deviationBps(3000, 3060)).toBe(200);
    expect(deviationBps(3000, 2940)).toBe(200);
    expect(deviationBps(3000, 3003)).toBeCloseTo(10, 12);
  });

  it('a deviation of exactly maxBps passes; beyond it fails with the numbers', () => {
    expect(checkPoolDeviation(3000, 3060, 200)).toEqual({ ok: true, deviationBps: 200 });
    expect(checkPoolDeviation(3000, 2940, 200)).toEqual({ ok: true, deviationBps: 200 });
    expect(checkPoolDeviation(3000, 3060.01, 200)).toEqual({
      ok: false,
      code: 'ORACLE_POOL_DEVIATION',
      message: 'The pool price 3060.01 is 200.03 bps from the oracle price 3000, over the 200 bps limit.',
    });
    expect(checkPoolDeviation(3000, 3000, 0)).toEqual({ ok: true, deviationBps: 0 });
    expect(checkPoolDeviation(3000, 3000.000001, 0)).toMatchObject({ ok: false, code: 'ORACLE_POOL_DEVIATION' });
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('throws on the invalid price %s', (bad) => {
    expect(() => deviationBps(bad, 3000)).toThrow(InvalidInputError);
    expect(() => deviationBps(3000, bad)).toThrow(InvalidInputError);
  });

  it.each([-1, Number.NaN])('throws on the invalid limit %s', (bad) => {
    expect(() => checkPoolDeviation(3000, 3000, bad)).toThrow(InvalidInputError);
  });

  it('is zero exactly when the prices are equal', () => {
    fc.assert(
      fc.property(positive, positive, (a, b) => {
        expect(deviationBps(a, b) === 0).toBe(a === b);
        expect(deviationBps(a, a)).toBe(0);
      }),
    );
  });

  it('is zero-iff-equal down to neighbouring doubles', () => {
    fc.assert(
      fc.property(positive, (a) => {
        const next = a + a * Number.EPSILON; // a neighbour or two up
        expect(deviationBps(a, next)).toBeGreaterThan(0);
      }),
    );
  });

  it('is symmetric up to the choice of reference: d(a, b) / d(b, a) = b / a', () => {
    fc.assert(
      fc.property(positive, positive, (a, b) => {
        fc.pre(a !== b);
        expect(deviationBps(a, b) / deviationBps(b, a) / (b / a)).toBeCloseTo(1, 12);
      }),
    );
  });

  it('depends only on the ratio of the prices (a change of units leaves it alone)', () => {
    fc.assert(
      fc.property(positive, fc.double({ min: 0.5, max: 2, noNaN: true }), fc.constantFrom(1e-6, 1e-3, 1e3, 1e6), (a, ratio, unit) => {
        const b = a * ratio;
        expect(deviationBps(a * unit, b * unit)).toBeCloseTo(deviationBps(a, b), 6);
      }),
    );
  });
});
