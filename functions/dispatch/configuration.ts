/**
 * The dispatch function's environment, read once per cold start and validated: the only
 * place this function reads process.env.
 *
 * CHAINS (JSON): as evaluate's, [{ "chainId": 1, "rpcUrl": "https://…" }].
 * ALLOWED_CONTRACTS (JSON): { "<chainId>": ["0x…", …] } — the only contracts this
 *   deployment may send transactions to (the router, the tokens it approves); a venue
 *   naming anything else trips the allow-list guard and nothing is sent.
 * LOCAL_SIGNER_KEYS (JSON, optional): { "<name>": "0x<32-byte private key>" } for signer
 *   references of kind 'local'. For the local chain only: in the cloud every signer is a
 *   KMS key (kind 'kms', signed through KMS in AWS_REGION) and this variable is unset.
 * CLAIM_LEASE_MS (optional): how long a claim on a hedge holds; keep it above the
 *   function's timeout, so no other dispatcher takes over a hedge we are still sending.
 */
import * as z from 'zod';
import { ChainsSchema, describeEnvIssues, jsonVariable } from '../evaluate/configuration.ts';

const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address');

export const AllowedContractsSchema = z.record(z.string().regex(/^[1-9][0-9]*$/, 'keys must be chain ids'), z.array(Address));

/** Names as SignerRefSchema allows them; keys as 32-byte hex. Zod's messages never quote the value, so a bad key is not logged. */
export const LocalSignerKeysSchema = z.record(
  z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'signer names are 1-64 of A-Z a-z 0-9 _ -'),
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 32-byte hex private key')
    .transform((key) => key as `0x${string}`),
);

export const DispatchEnvSchema = z
  .object({
    AWS_REGION: z.string().min(1),
    TABLE_NAME: z.string().min(3).max(255),
    EVENT_BUS_NAME: z.string().min(1).max(256),
    CHAINS: jsonVariable(ChainsSchema),
    ALLOWED_CONTRACTS: jsonVariable(AllowedContractsSchema),
    LOCAL_SIGNER_KEYS: jsonVariable(LocalSignerKeysSchema).optional(),
    CLAIM_LEASE_MS: z.coerce.number().int().min(1_000).max(3_600_000).optional(),
    /** Set for DynamoDB Local; absent in the cloud. */
    DYNAMODB_ENDPOINT: z.url().optional(),
  })
  .superRefine((env, ctx) => {
    // An allow-list for a chain we have no RPC for is a typo in one of the two variables.
    const chains = new Set(env.CHAINS.map((c) => String(c.chainId)));
    for (const chainId of Object.keys(env.ALLOWED_CONTRACTS)) {
      if (!chains.has(chainId)) ctx.addIssue({ code: 'custom', path: ['ALLOWED_CONTRACTS', chainId], message: 'no entry of CHAINS has this chain id' });
    }
  });
export type DispatchEnv = z.output<typeof DispatchEnvSchema>;

/** Throws naming the bad variables and why (never their values: keys and RPC URLs are secrets). */
export function loadDispatchEnv(env: Readonly<Record<string, string | undefined>>): DispatchEnv {
  const parsed = DispatchEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`dispatch environment is invalid: ${describeEnvIssues(parsed.error)}`);
  return parsed.data;
}
