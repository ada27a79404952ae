/**
 * The policy engine's HedgeState (shared/domain/policy/policy-types.ts) as a zod schema,
 * for the store: validated before it is written and when it is read back. Kept equal to
 * the domain type by compile-time assertions both ways (see the end of the file).
 */
import * as z from 'zod';
import type { HedgeState, PlannedSlice } from '../domain/policy/policy-types.ts';
import type { ForecastFit, ForecastState } from '../domain/policy/vol-forecast.ts';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const epochMs = z.number().int().nonnegative();

export const PlannedSliceSchema = z
  .object({
    quantity: finite,
    notBeforeMs: epochMs,
    sliceIndex: z.number().int().nonnegative(),
    sliceCount: z.number().int().positive(),
    decisionId: z.string().min(1),
  })
  .strict();

/** A fitted variance model, per step of intervalMs (vol-forecast.ts ForecastFit); also the item stored per underlying. */
export const ForecastFitSchema = z.strictObject({
  model: z.enum(['garch', 'ewma']),
  mu: finite,
  omega: z.number().nonnegative(),
  alpha: z.number().nonnegative(),
  beta: z.number().nonnegative(),
  meanReversion: z.number().min(0).max(1),
  intervalMs: z.number().positive(),
  fittedAtMs: epochMs,
  observations: z.number().int().positive(),
});

/** The forecast's state (vol-forecast.ts ForecastState): the history is bounded by the config's window (at most 2,000). */
export const ForecastStateSchema = z.strictObject({
  fit: ForecastFitSchema.exactOptional(),
  variance: z.number().nonnegative().exactOptional(),
  history: z.array(z.tuple([epochMs, z.number().positive()]).readonly()).max(2000).readonly().exactOptional(),
  window: z.number().int().positive().max(2000).exactOptional(),
});

export const HedgeStateSchema = z
  .object({
    lastHedgeAtMs: epochMs.exactOptional(),
    lastHedgeSpot: z.number().positive().exactOptional(),
    dayStartMs: epochMs,
    dailyNotionalUsd: z.number().nonnegative(),
    ewmaVariance: z.number().nonnegative().exactOptional(),
    lastPrice: z.number().positive().exactOptional(),
    lastPriceAtMs: epochMs.exactOptional(),
    pendingSlices: z.array(PlannedSliceSchema).readonly(),
    forecast: ForecastStateSchema.exactOptional(),
  })
  .strict();

type AssertAssignable<A extends B, B> = [A, B];
export type HedgeStateSchemaMatchesDomain = [
  AssertAssignable<z.infer<typeof HedgeStateSchema>, HedgeState>,
  AssertAssignable<HedgeState, z.infer<typeof HedgeStateSchema>>,
  AssertAssignable<z.infer<typeof PlannedSliceSchema>, PlannedSlice>,
  AssertAssignable<PlannedSlice, z.infer<typeof PlannedSliceSchema>>,
  AssertAssignable<z.infer<typeof ForecastStateSchema>, ForecastState>,
  AssertAssignable<ForecastState, z.infer<typeof ForecastStateSchema>>,
  AssertAssignable<z.infer<typeof ForecastFitSchema>, ForecastFit>,
  AssertAssignable<ForecastFit, z.infer<typeof ForecastFitSchema>>,
];
