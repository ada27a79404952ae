/**
 * What portfolio insurance, the crash breaker and runaway protection remember between
 * evaluations, as stored with the account's hedge state (the HEDGESTATE item's `guards`,
 * written by the same conditional write as the state: see evaluation-repository.ts).
 * Validated before it is written and when it is read back; kept equal to the domain types
 * by the compile-time assertions at the end.
 */
import * as z from 'zod';
import type { CrashBreakerState } from '../domain/policy/crash-breaker.ts';
import type { InsuranceLedger } from '../domain/policy/insured-decision.ts';
import type { RunawayState } from '../domain/policy/runaway-protection.ts';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const epochMs = z.number().int().nonnegative();

export const InsuranceLedgerSchema = z.strictObject({
  capitalUsd: z.number().positive(),
  startValueUsd: finite,
  highValueUsd: finite,
  valueUsd: finite,
  lastSpot: z.number().positive(),
  heldUnits: finite,
  startedAtMs: epochMs,
  valuedAtMs: epochMs,
});

export const CrashBreakerStateSchema = z.strictObject({
  mode: z.enum(['normal', 'crash']),
  sinceMs: epochMs,
  lastTriggerMs: epochMs.exactOptional(),
  window: z.array(z.tuple([epochMs, z.number().positive()]).readonly()).max(2000).readonly(),
});

/** The breaker's state and the last oracle round the evaluator saw (for the round-to-round jump). */
export const BreakerMemorySchema = z.strictObject({
  breaker: CrashBreakerStateSchema,
  lastRound: z.strictObject({ roundId: z.string().regex(/^\d+$/), answer: z.number().positive() }).exactOptional(),
});

export const RunawayStateSchema = z.strictObject({
  expectedOffsetUnits: finite.exactOptional(),
  ineffectiveStreak: z.number().int().nonnegative(),
  lastHedge: z.strictObject({ side: z.enum(['buy', 'sell']), units: z.number().nonnegative(), recordedDeltaBefore: finite }).exactOptional(),
  tripped: z.strictObject({ code: z.enum(['POSITION_MISMATCH', 'INEFFECTIVE_HEDGES']), atMs: epochMs }).exactOptional(),
});

export const PolicyGuardStateSchema = z.strictObject({
  insurance: InsuranceLedgerSchema.exactOptional(),
  breaker: BreakerMemorySchema.exactOptional(),
  runaway: RunawayStateSchema.exactOptional(),
});

export type BreakerMemory = z.output<typeof BreakerMemorySchema>;
export type PolicyGuardState = z.output<typeof PolicyGuardStateSchema>;

type AssertAssignable<A extends B, B> = [A, B];
export type PolicyGuardStateSchemaMatchesDomain = [
  AssertAssignable<z.output<typeof InsuranceLedgerSchema>, InsuranceLedger>,
  AssertAssignable<InsuranceLedger, z.output<typeof InsuranceLedgerSchema>>,
  AssertAssignable<z.output<typeof CrashBreakerStateSchema>, CrashBreakerState>,
  AssertAssignable<CrashBreakerState, z.output<typeof CrashBreakerStateSchema>>,
  AssertAssignable<z.output<typeof RunawayStateSchema>, RunawayState>,
  AssertAssignable<RunawayState, z.output<typeof RunawayStateSchema>>,
];
