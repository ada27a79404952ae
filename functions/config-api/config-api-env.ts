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
  /** Request limits (defaults 65536 bytes, 300 requests a minute per caller). */
  API_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(6 * 1024 * 1024).optional(),
  API_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).optional(),
  /** Per-account signing keys (KMS): the stage and AWS account they are made in, who signs with them, who makes them. */
  STAGE: z.string().min(1).max(32),
  AWS_ACCOUNT_ID: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  SIGNER_ROLE_ARNS: z
    .string()
    .transform((value) => value.split(',').map((arn) => arn.trim()).filter((arn) => arn.length > 0))
    .pipe(z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be IAM role ARNs, comma-separated')).min(1)),
  PROVISIONER_ROLE_ARN: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'),
});
export type ConfigApiEnv = z.infer<typeof ConfigApiEnvSchema>;

/** @example loadConfigApiEnv(process.env).TABLE_NAME */
export function loadConfigApiEnv(env: Readonly<Record<string, string | undefined>>): ConfigApiEnv {
  const parsed = ConfigApiEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`config-api environment is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
