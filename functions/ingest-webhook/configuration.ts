/**
 * The ingest-webhook function's configuration, read once at cold start and validated.
 * Secrets arrive through configuration (in the cloud: a Secrets Manager value injected as
 * an environment variable by the stack), never from code. Several secrets per provider
 * are active during a rotation.
 *
 * WEBHOOK_SOURCES (JSON): { "<provider>": { "secrets": ["…"], "chainId": 1, "contracts": ["0x…"] } }
 */
import * as z from 'zod';
import { WEBHOOK_PROVIDERS, WEBHOOK_VERIFIERS } from '../../shared/adapters/webhook-providers/webhook-verifiers.ts';
import type { WebhookSource } from '../../shared/app/ingest-webhook/ingest-webhook.ts';
import { WEBHOOK_PAYLOAD_PARSERS } from '../../shared/contracts/webhooks/webhook-payloads.ts';

export const WebhookSourceConfigSchema = z.strictObject({
  secrets: z.array(z.string().min(16, 'a webhook secret must be at least 16 characters')).min(1).max(5),
  chainId: z.number().int().positive(),
  contracts: z.array(z.string().regex(/^0x[0-9a-fA-F]{40}$/)).min(1),
});

export const IngestWebhookConfigSchema = z.strictObject({
  sources: z.partialRecord(z.enum(WEBHOOK_PROVIDERS), WebhookSourceConfigSchema),
  maxBodyBytes: z.number().int().positive().max(6 * 1024 * 1024).default(256 * 1024),
});
export type IngestWebhookConfig = z.output<typeof IngestWebhookConfigSchema>;

export class InvalidConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidConfigurationError';
  }
}

/** Parses the environment once; throws InvalidConfigurationError naming the bad field (never its value). */
export function readIngestWebhookConfig(env: Readonly<Record<string, string | undefined>>): IngestWebhookConfig {
  let sources: unknown;
  try {
    sources = JSON.parse(env.WEBHOOK_SOURCES ?? '');
  } catch (cause) {
    throw new InvalidConfigurationError('WEBHOOK_SOURCES must be JSON', { cause });
  }
  const maxBodyBytes = env.WEBHOOK_MAX_BODY_BYTES === undefined ? undefined : Number(env.WEBHOOK_MAX_BODY_BYTES);
  const parsed = IngestWebhookConfigSchema.safeParse({ sources, ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }) });
  if (!parsed.success) {
    throw new InvalidConfigurationError(`invalid ingest-webhook configuration: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  return parsed.data;
}

/** The configured providers as the use case's webhook sources (verifier + payload parser + secrets). */
export function webhookSourcesFrom(config: IngestWebhookConfig): Record<string, WebhookSource> {
  const sources: Record<string, WebhookSource> = {};
  for (const provider of WEBHOOK_PROVIDERS) {
    const source = config.sources[provider];
    if (source === undefined) continue;
    sources[provider] = { verify: WEBHOOK_VERIFIERS[provider], parse: WEBHOOK_PAYLOAD_PARSERS[provider], ...source };
  }
  return sources;
}

/** The rest of the function's environment: where the adapters point (no secrets here). */
export const IngestWebhookRuntimeEnvSchema = z.object({
  AWS_REGION: z.string().min(1),
  TABLE_NAME: z.string().min(3).max(255),
  CONFIRMATION_QUEUE_URL: z.url(),
  /** 'true' for a FIFO queue; default: the URL ends in `.fifo`. */
  CONFIRMATION_QUEUE_FIFO: z.enum(['true', 'false']).optional(),
  /** Set for DynamoDB Local; absent in the cloud. */
  DYNAMODB_ENDPOINT: z.url().optional(),
});

export interface IngestWebhookEnv {
  readonly config: IngestWebhookConfig;
  readonly runtime: z.output<typeof IngestWebhookRuntimeEnvSchema>;
}

/** Everything the entry needs from the environment, validated once: the only reader of process.env for this function. */
export function loadIngestWebhookEnv(env: Readonly<Record<string, string | undefined>>): IngestWebhookEnv {
  const config = readIngestWebhookConfig(env);
  const runtime = IngestWebhookRuntimeEnvSchema.safeParse(env);
  if (!runtime.success) {
    throw new InvalidConfigurationError(`invalid ingest-webhook environment: ${runtime.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  return { config, runtime: runtime.data };
}
