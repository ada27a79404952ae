/**
 * The confirm-positions function's environment, read once per cold start and validated:
 * the only place this function reads process.env.
 *
 * CHAINS (JSON): [{ "chainId": 1, "rpcUrl": "https://…", "optionBook": "0x…" }]
 * CHAIN_DIRECTORY (JSON): see shared/adapters/directory/static-chain-directory.ts
 */
import * as z from 'zod';
import { ChainDirectoryConfigSchema } from '../../shared/adapters/directory/static-chain-directory.ts';

const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

export const ConfirmPositionsEnvSchema = z.object({
  AWS_REGION: z.string().min(1),
  TABLE_NAME: z.string().min(3).max(255),
  EVENT_BUS_NAME: z.string().min(1).max(256),
  REQUIRED_CONFIRMATIONS: z.coerce.number().int().min(1).max(1000).default(3),
  CHAINS: json(
    z
      .array(z.strictObject({ chainId: z.number().int().positive(), rpcUrl: z.url(), optionBook: z.string().regex(/^0x[0-9a-fA-F]{40}$/) }))
      .min(1)
      .refine((chains) => new Set(chains.map((c) => c.chainId)).size === chains.length, 'one entry per chain id'),
  ),
  CHAIN_DIRECTORY: json(ChainDirectoryConfigSchema),
  /** Set for DynamoDB Local; absent in the cloud. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** The queue this function consumes: with it, a deferred record's next delivery is pushed out further each time. */
  QUEUE_URL: z.url().optional(),
});
export type ConfirmPositionsEnv = z.output<typeof ConfirmPositionsEnvSchema>;

/** Throws naming the bad variables (never their values: an RPC URL may carry an API key). */
export function loadConfirmPositionsEnv(env: Readonly<Record<string, string | undefined>>): ConfirmPositionsEnv {
  const parsed = ConfirmPositionsEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`confirm-positions environment is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
