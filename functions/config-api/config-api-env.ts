/**
 * The configuration API's environment, read once per cold start and validated: the only
 * place this function reads process.env.
 */
import * as z from 'zod';

export const ConfigApiEnvSchema = z.object({
  AWS_REGION: z.string().min(1),
  TABLE_NAME: z.string().min(3).max(255),
  EVENT_BUS_NAME: z.string().min(1).max(256),
  /** SHA-256 (lowercase hex) of the admin key; the key itself is never configured here. */
  ADMIN_KEY_SHA256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lowercase hex'),
  /** Set for DynamoDB Local; absent in the cloud. */
  DYNAMODB_ENDPOINT: z.url().optional(),
});
export type ConfigApiEnv = z.infer<typeof ConfigApiEnvSchema>;

/** @example loadConfigApiEnv(process.env).TABLE_NAME */
export function loadConfigApiEnv(env: Readonly<Record<string, string | undefined>>): ConfigApiEnv {
  const parsed = ConfigApiEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`config-api environment is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
