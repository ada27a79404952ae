/**
 * The policy engine's HedgeState (shared/domain/policy/policy-types.ts) as a zod schema,
 * for the store: validated before it is written and when it is read back. Kept equal to
 * the domain type by compile-time assertions both ways (see the end of the file).
 */
import * as z from 'zod';
import type { HedgeState, PlannedSlice } from '../domain/policy/policy-types.ts';

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
  })
  .strict();

type AssertAssignable<A extends B, B> = [A, B];
export type HedgeStateSchemaMatchesDomain = [
  AssertAssignable<z.infer<typeof HedgeStateSchema>, HedgeState>,
  AssertAssignable<HedgeState, z.infer<typeof HedgeStateSchema>>,
  AssertAssignable<z.infer<typeof PlannedSliceSchema>, PlannedSlice>,
  AssertAssignable<PlannedSlice, z.infer<typeof PlannedSliceSchema>>,
];
