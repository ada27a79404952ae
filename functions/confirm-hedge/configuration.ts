/**
 * The confirm-hedge function's environment, read once per cold start and validated: the
 * only place this function reads process.env.
 *
 * CHAINS (JSON): as evaluate's, [{ "chainId": 1, "rpcUrl": "https://…" }].
 * LOCAL_SIGNER_KEYS (JSON, optional): as dispatch's — the confirmer signs replacements and
 *   cancels with the hedge's own signer. Local chain only: in the cloud signers are KMS keys.
 * QUEUE_URL: the queue this function consumes, to push a still-pending record's next
 *   delivery further out (ChangeMessageVisibility).
 */
import * as z from 'zod';
import { LocalSignerKeysSchema } from '../dispatch/configuration.ts';
import { ChainsSchema, describeEnvIssues, jsonVariable } from '../evaluate/configuration.ts';

export const ConfirmHedgeEnvSchema = z.object({
  AWS_REGION: z.string().min(1),
  TABLE_NAME: z.string().min(3).max(255),
  EVENT_BUS_NAME: z.string().min(1).max(256),
  CHAINS: jsonVariable(ChainsSchema),
  LOCAL_SIGNER_KEYS: jsonVariable(LocalSignerKeysSchema).optional(),
  QUEUE_URL: z.url(),
  /** Set for DynamoDB Local; absent in the cloud. */
  DYNAMODB_ENDPOINT: z.url().optional(),
});
export type ConfirmHedgeEnv = z.output<typeof ConfirmHedgeEnvSchema>;

/** Throws naming the bad variables and why (never their values). */
export function loadConfirmHedgeEnv(env: Readonly<Record<string, string | undefined>>): ConfirmHedgeEnv {
  const parsed = ConfirmHedgeEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`confirm-hedge environment is invalid: ${describeEnvIssues(parsed.error)}`);
  return parsed.data;
}
