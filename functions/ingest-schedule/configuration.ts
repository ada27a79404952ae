/**
 * The ingest-schedule function's environment, read once per cold start and validated:
 * the only place this function reads process.env.
 *
 * FAN_OUT_PAGE_SIZE: accounts per page read (1..1000, the repository's page limit);
 * absent → the fan-out's default.
 */
import * as z from 'zod';

export const IngestScheduleEnvSchema = z.object({
  AWS_REGION: z.string().min(1),
  TABLE_NAME: z.string().min(3).max(255),
  EVENT_BUS_NAME: z.string().min(1).max(256),
  /** Set for DynamoDB Local; absent in the cloud. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  FAN_OUT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).optional(),
});
export type IngestScheduleEnv = z.output<typeof IngestScheduleEnvSchema>;

/** Throws naming the bad variables and why (never their values). */
export function loadIngestScheduleEnv(env: Readonly<Record<string, string | undefined>>): IngestScheduleEnv {
  const parsed = IngestScheduleEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`ingest-schedule environment is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
