/**
 * The enqueue-dispatch function's environment, read once per cold start and validated:
 * the only place this function reads process.env.
 *
 * DISPATCH_QUEUE_URL: the SQS FIFO queue the dispatcher consumes (its URL ends in `.fifo`:
 *   the message group and deduplication ids this function sends exist only there).
 */
import * as z from 'zod';

export const EnqueueDispatchEnvSchema = z.object({
  AWS_REGION: z.string().min(1),
  DISPATCH_QUEUE_URL: z.url().refine((url) => url.endsWith('.fifo'), 'must be the URL of a FIFO queue (ends in .fifo)'),
});
export type EnqueueDispatchEnv = z.output<typeof EnqueueDispatchEnvSchema>;

/** Throws naming the bad variables and why (never their values). */
export function loadEnqueueDispatchEnv(env: Readonly<Record<string, string | undefined>>): EnqueueDispatchEnv {
  const parsed = EnqueueDispatchEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`enqueue-dispatch environment is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
