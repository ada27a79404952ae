/**
 * Whether an oracle answer may be acted on, judged the way Chainlink recommends consumers
 * judge `latestRoundData`: a positive answer, a round that completed (updatedAt set and
 * answered in this round or a later one), and an update recent enough by the chain's own
 * clock. The same checks serve a vol feed (an aggregator answering a volatility), which
 * must in addition be plausible. Also: how far the pool trades from the oracle.
 *
 * Pure: the reading and the time come in as plain values (the MarketReader port reads them).
 */
import { InvalidInputError } from '../errors.ts';

/** One decoded `latestRoundData` answer: the fields of the MarketReader port's OracleReading. */
export interface FeedReading {
  readonly roundId: bigint;
  /** Scaled by 10^-decimals (3000.12 USD, 0.65 vol). */
  readonly answer: number;
  readonly startedAtMs: number;
  readonly updatedAtMs: number;
  readonly answeredInRound: bigint;
  readonly decimals: number;
}

export type OracleCheckCode = 'ORACLE_NON_POSITIVE_ANSWER' | 'ORACLE_INCOMPLETE_ROUND' | 'ORACLE_STALE' | 'ORACLE_FROM_THE_FUTURE' | 'ORACLE_NOT_FINITE';

export interface CheckFailure<Code extends string> {
  readonly ok: false;
  readonly code: Code;
  /** One sentence with the numbers that failed. */
  readonly message: string;
}

export type OracleCheck = { readonly ok: true; readonly price: number; readonly ageMs: number } | CheckFailure<OracleCheckCode>;
export type PoolDeviationCheck = { readonly ok: true; readonly deviationBps: number } | CheckFailure<'ORACLE_POOL_DEVIATION'>;
export type VolFeedCheck = { readonly ok: true; readonly vol: number; readonly ageMs: number } | CheckFailure<OracleCheckCode | 'VOL_NOT_PLAUSIBLE'>;

/**
 * How far ahead of the chain's clock an update may be before it is rejected. An honest
 * feed can be slightly ahead: its update is stamped with the block that included it,
 * while "now" is the latest block the reader saw, which can lag behind when the two reads
 * hit different nodes of an RPC provider (a block or a few, ~12 s each on mainnet).
 * A minute covers that; an update further ahead is a broken or manipulated feed.
 */
export const ORACLE_FUTURE_TOLERANCE_MS = 60_000;

/** 1000 % a year: the ceiling of the config's fixed vol too; a feed above it is broken, not volatile. */
export const MAX_PLAUSIBLE_VOL = 10;

const BASIS_POINTS = 10_000;

/**
 * Judges a price oracle's answer at chain time `nowMs`. An answer exactly `maxStalenessMs`
 * old still passes. `ageMs` is never negative: an update stamped slightly ahead of now
 * (within ORACLE_FUTURE_TOLERANCE_MS) counts as fresh, age 0.
 *
 * @example checkOracleReading(reading, 1_700_000_000_000, 3_600_000) // { ok: true, price: 3000, ageMs: 12000 }
 */
export function checkOracleReading(reading: FeedReading, nowMs: number, maxStalenessMs: number): OracleCheck {
  const checked = checkFeed(reading, nowMs, maxStalenessMs, 'oracle');
  return checked.ok ? { ok: true, price: checked.answer, ageMs: checked.ageMs } : checked;
}

/** Judges a vol feed's answer (a decimal vol, 0.65 = 65 %) like an oracle's, and its plausibility. */
export function volFromFeed(reading: FeedReading, nowMs: number, maxStalenessMs: number): VolFeedCheck {
  const checked = checkFeed(reading, nowMs, maxStalenessMs, 'vol feed');
  if (!checked.ok) return checked;
  if (checked.answer > MAX_PLAUSIBLE_VOL) {
    return fail('VOL_NOT_PLAUSIBLE', `The vol feed answers ${checked.answer} (round ${reading.roundId}), above the plausible maximum of ${MAX_PLAUSIBLE_VOL}.`);
  }
  return { ok: true, vol: checked.answer, ageMs: checked.ageMs };
}

/**
 * |other / reference − 1| in basis points, for positive finite prices.
 *
 * Computed as |other − reference| / reference: for prices within a factor of two of each
 * other the subtraction is exact (Sterbenz), so the result is rounded once or twice rather
 * than after a cancellation, and it is zero exactly when the two prices are equal.
 */
export function deviationBps(reference: number, other: number): number {
  requirePositiveFinite('reference', reference);
  requirePositiveFinite('other', other);
  return (Math.abs(other - reference) / reference) * BASIS_POINTS;
}

/** The pool's deviation from the oracle (the reference); a deviation of exactly `maxBps` passes. */
export function checkPoolDeviation(oraclePrice: number, poolPrice: number, maxBps: number): PoolDeviationCheck {
  if (!Number.isFinite(maxBps) || maxBps < 0) throw new InvalidInputError('maxBps', maxBps, 'must be a finite number ≥ 0');
  const deviation = deviationBps(oraclePrice, poolPrice);
  if (deviation > maxBps) {
    return fail('ORACLE_POOL_DEVIATION', `The pool price ${poolPrice} is ${round2(deviation)} bps from the oracle price ${oraclePrice}, over the ${maxBps} bps limit.`);
  }
  return { ok: true, deviationBps: deviation };
}

// ---------------------------------------------------------------- the shared checks

type FeedCheck = { readonly ok: true; readonly answer: number; readonly ageMs: number } | CheckFailure<OracleCheckCode>;

function checkFeed(reading: FeedReading, nowMs: number, maxStalenessMs: number, subject: string): FeedCheck {
  requireFinite('nowMs', nowMs);
  requirePositiveFinite('maxStalenessMs', maxStalenessMs);
  return (
    notFinite(reading, subject) ??
    nonPositive(reading, subject) ??
    incompleteRound(reading, subject) ??
    fromTheFuture(reading, nowMs, subject) ??
    stale(reading, nowMs, maxStalenessMs, subject) ?? { ok: true, answer: reading.answer, ageMs: Math.max(0, nowMs - reading.updatedAtMs) }
  );
}

function notFinite(reading: FeedReading, subject: string): CheckFailure<'ORACLE_NOT_FINITE'> | undefined {
  const fields = { answer: reading.answer, updatedAtMs: reading.updatedAtMs };
  const bad = Object.entries(fields).find(([, value]) => !Number.isFinite(value));
  return bad && fail('ORACLE_NOT_FINITE', `The ${subject} reading's ${bad[0]} is ${bad[1]}, not a finite number (round ${reading.roundId}).`);
}

function nonPositive(reading: FeedReading, subject: string): CheckFailure<'ORACLE_NON_POSITIVE_ANSWER'> | undefined {
  if (reading.answer > 0) return undefined;
  return fail('ORACLE_NON_POSITIVE_ANSWER', `The ${subject} answers ${reading.answer} in round ${reading.roundId}, which is not positive.`);
}

function incompleteRound(reading: FeedReading, subject: string): CheckFailure<'ORACLE_INCOMPLETE_ROUND'> | undefined {
  if (reading.updatedAtMs <= 0) {
    return fail('ORACLE_INCOMPLETE_ROUND', `The ${subject}'s round ${reading.roundId} has updatedAt ${reading.updatedAtMs} ms, so it never completed.`);
  }
  if (reading.answeredInRound < reading.roundId) {
    return fail('ORACLE_INCOMPLETE_ROUND', `The ${subject}'s answer was computed in round ${reading.answeredInRound}, before the current round ${reading.roundId}, so it is carried over.`);
  }
  return undefined;
}

function fromTheFuture(reading: FeedReading, nowMs: number, subject: string): CheckFailure<'ORACLE_FROM_THE_FUTURE'> | undefined {
  const aheadMs = reading.updatedAtMs - nowMs;
  if (aheadMs <= ORACLE_FUTURE_TOLERANCE_MS) return undefined;
  return fail(
    'ORACLE_FROM_THE_FUTURE',
    `The ${subject} was updated at ${reading.updatedAtMs} ms, ${aheadMs} ms after the chain time ${nowMs} ms, beyond the ${ORACLE_FUTURE_TOLERANCE_MS} ms tolerance.`,
  );
}

function stale(reading: FeedReading, nowMs: number, maxStalenessMs: number, subject: string): CheckFailure<'ORACLE_STALE'> | undefined {
  const ageMs = nowMs - reading.updatedAtMs;
  if (ageMs <= maxStalenessMs) return undefined;
  return fail('ORACLE_STALE', `The ${subject}'s answer is ${ageMs} ms old at chain time ${nowMs} ms (updated at ${reading.updatedAtMs} ms), over the ${maxStalenessMs} ms limit.`);
}

function fail<Code extends string>(code: Code, message: string): CheckFailure<Code> {
  return { ok: false, code, message };
}

function requireFinite(field: string, value: number): void {
  if (!Number.isFinite(value)) throw new InvalidInputError(field, value, 'must be a finite number');
}

function requirePositiveFinite(field: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidInputError(field, value, 'must be a finite number > 0');
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
