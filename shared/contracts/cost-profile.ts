/**
 * The usage profile the cost model prices (shared/domain/cost/monthly-cost.ts), as the
 * bench writes it and `hedge cost --profile FILE` reads it.
 */
import * as z from 'zod';
import { FUNCTION_NAMES, type UsageProfile } from '../domain/cost/monthly-cost.ts';

const count = z.number().finite().nonnegative();

const InvocationTotalsSchema = z.strictObject({
  invocations: count,
  computeMs: count,
  dynamoDbCalls: count,
  rpcCalls: count,
  kmsCalls: count,
  publishCalls: count,
  logBytes: count,
});

const WorkUsageSchema = z.strictObject({
  functions: z.partialRecord(z.enum(FUNCTION_NAMES), InvocationTotalsSchema),
  readUnits: count,
  writeUnits: count,
  events: count,
  fifoRequests: count,
  standardQueueRequests: count,
  kmsRequests: count,
});

export const UsageProfileSchema = z.strictObject({
  measuredOn: z.iso.date(),
  command: z.string().min(1),
  quietEvaluation: WorkUsageSchema,
  hedge: WorkUsageSchema,
  fanOutPerAccount: WorkUsageSchema,
}) satisfies z.ZodType<UsageProfile>;
