/**
 * The evaluate function's environment, read once per cold start and validated: the only
 * place this function reads process.env.
 *
 * CHAINS (JSON): [{ "chainId": 1, "rpcUrl": "https://…" }] — the chains whose oracles the
 * accounts' market blocks name. The same format is read by dispatch and confirm-hedge,
 * which import the schema from here so the three hedging functions cannot drift apart.
 */
import * as z from 'zod';

/** An env variable holding JSON, parsed and then validated by `schema` (the text is never echoed: it may be secret). */
export const jsonVariable = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

export const ChainsSchema = z
  .array(z.strictObject({ chainId: z.number().int().positive(), rpcUrl: z.url() }))
  .min(1)
  .refine((chains) => new Set(chains.map((c) => c.chainId)).size === chains.length, 'one entry per chain id');

export const EvaluateEnvSchema = z.object({
  AWS_REGION: z.string().min(1),
  TABLE_NAME: z.string().min(3).max(255),
  EVENT_BUS_NAME: z.string().min(1).max(256),
  CHAINS: jsonVariable(ChainsSchema),
  /** Set for DynamoDB Local; absent in the cloud. */
  DYNAMODB_ENDPOINT: z.url().optional(),
});
export type EvaluateEnv = z.output<typeof EvaluateEnvSchema>;

/** "VARIABLE.path: why" per problem: the variable is named, its value never (an RPC URL may carry an API key). */
export function describeEnvIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}

/** Throws naming the bad variables and why. */
export function loadEvaluateEnv(env: Readonly<Record<string, string | undefined>>): EvaluateEnv {
  const parsed = EvaluateEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`evaluate environment is invalid: ${describeEnvIssues(parsed.error)}`);
  return parsed.data;
}
