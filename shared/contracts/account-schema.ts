/**
 * Accounts and their API keys at the boundary (API and store): ids that are safe inside
 * the table's keys (no `#`), the profile an account is created with, and API-key hashes.
 * The store never sees an API key, only its SHA-256 (hex, computed by the caller).
 *
 * @example
 * NewAccountSchema.parse({ accountId: 'acc-1', displayName: 'Desk 1' });
 */
import * as z from 'zod';

/** Letters, digits and `._:-`, starting with a letter or digit, at most 64 characters. */
export const AccountIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'an account id is 1-64 of [A-Za-z0-9._:-], starting with a letter or digit');

export const AccountStatusSchema = z.enum(['active', 'paused']);
export type AccountStatus = z.infer<typeof AccountStatusSchema>;

export const NewAccountSchema = z
  .object({
    accountId: AccountIdSchema,
    displayName: z.string().trim().min(1).max(200),
    contactEmail: z.email().exactOptional(),
  })
  .strict();
export type NewAccount = z.infer<typeof NewAccountSchema>;

/** Who made a change, as recorded in the audit trail (e.g. "user:alice", "system:scheduler"). */
export const ActorSchema = z.string().min(1).max(200);

export const ApiKeyIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a key id is 1-64 of [A-Za-z0-9._-], starting with a letter or digit');

/** SHA-256 of the API key, lowercase hex. */
export const ApiKeyHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a key hash is a SHA-256, 64 lowercase hex digits');

export const PageRequestSchema = z
  .object({
    limit: z.number().int().min(1).max(1000).exactOptional(),
    cursor: z.string().min(1).exactOptional(),
  })
  .strict();
