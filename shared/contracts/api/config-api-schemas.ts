/**
 * The shapes of the configuration API, one zod schema per shape, used by the handler
 * (validation) and by the OpenAPI generator (z.toJSONSchema): the document cannot drift
 * from what the handler accepts and returns.
 */
import * as z from 'zod';
import { AccountIdSchema, AccountStatusSchema, ApiKeyIdSchema } from '../account-schema.ts';
import { ExposureSnapshotSchema } from '../exposure-snapshot.ts';
import { SignerRefSchema } from '../execution-config.ts';
import { AccountPolicySchema } from '../hedge-policy-config.ts';
import { OperatorConfigSchema, StoredOperatorConfigSchema } from '../operator-config.ts';
import { PositionSchema } from '../position-schema.ts';

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).exactOptional(),
});

// Path parameters.
export const AccountPathSchema = z.strictObject({ accountId: AccountIdSchema });
export const ApiKeyPathSchema = z.strictObject({ accountId: AccountIdSchema, keyId: ApiKeyIdSchema });
export const PositionIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'a position id is 1-128 of [A-Za-z0-9._:-], starting with a letter or digit');
export const PositionPathSchema = z.strictObject({ accountId: AccountIdSchema, positionId: PositionIdSchema });

/** `?limit=1..100&cursor=…` (query values are strings). */
export const PageQuerySchema = z.strictObject({
  limit: z.string().regex(/^(100|[1-9][0-9]?)$/, 'limit is an integer from 1 to 100').exactOptional(),
  cursor: z.string().min(1).max(2048).exactOptional(),
});

// Accounts and keys.
export const CreateAccountRequestSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(200),
  contactEmail: z.email().exactOptional(),
});
const AccountSignerSchema = z.object({ ref: SignerRefSchema, address: z.string().describe('the address the account hedges from: fund it (gas, and what its venues trade with)') });
export const CreateAccountResponseSchema = z.object({ accountId: AccountIdSchema, keyId: ApiKeyIdSchema, apiKey: z.string(), signer: AccountSignerSchema.exactOptional() });
export const IssueApiKeyResponseSchema = z.object({ keyId: ApiKeyIdSchema, apiKey: z.string() });
const PauseSchema = z.object({
  by: z.enum(['account', 'system', 'operator']),
  reason: z.string(),
  code: z.string().exactOptional(),
  pauseId: z.string().describe('quote it as acknowledgePauseId to lift a system pause with the account key'),
  at: z.string(),
});
export const AccountResponseSchema = z.object({
  accountId: AccountIdSchema,
  displayName: z.string(),
  contactEmail: z.string().exactOptional(),
  status: AccountStatusSchema,
  signer: AccountSignerSchema.exactOptional(),
  pause: PauseSchema.exactOptional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const AccountStatusResponseSchema = z.object({ accountId: AccountIdSchema, status: AccountStatusSchema, pause: PauseSchema.exactOptional() });
/** Optional body of POST …/pause. */
export const PauseRequestSchema = z.strictObject({ reason: z.string().trim().min(1).max(500).exactOptional() });
/**
 * Optional body of POST …/resume. The account lifts a pause the system made only by
 * naming it and saying why it is safe (both audited); the operator may add a note.
 */
export const ResumeRequestSchema = z.strictObject({
  acknowledgePauseId: z.string().min(1).max(100).exactOptional(),
  note: z.string().trim().min(1).max(500).exactOptional(),
}).refine((body) => body.acknowledgePauseId === undefined || body.note !== undefined, { message: 'an acknowledgement needs a note (why it is safe to trade again)', path: ['note'] });

// Configuration.
/** The account owner's part: the policy and its own limits (the operator's part is `operator-config`). */
export const PutConfigRequestSchema = AccountPolicySchema;
/** The operator's part (admin key): underlying, market, execution without the signer (the account's own). */
export const PutOperatorConfigRequestSchema = OperatorConfigSchema;
/** Fields of the configuration only the operator writes: in an account's PUT they are a 403, not a typo. */
export const OPERATOR_OWNED_FIELDS = ['market', 'execution'] as const;
/**
 * `?expectedVersion=n`: the version replaced, for clients that cannot set If-Match. It is a
 * query parameter, not a body field, so the body stays exactly the config.
 */
export const PutConfigQuerySchema = z.strictObject({
  expectedVersion: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,14})$/, 'expectedVersion is the version you read, a non-negative integer (0 creates the first version)')
    .describe('the version you read (0 creates the first version): the alternative to If-Match; send one of them (428 without either; 400 if both and they differ)')
    .exactOptional(),
});
export const ConfigVersionSchema = z.object({
  accountId: AccountIdSchema,
  version: z.number().int().positive(),
  config: AccountPolicySchema.nullable().describe("the account owner's policy (null until written)"),
  operator: StoredOperatorConfigSchema.nullable().describe("the operator's part, read-only to the account (null until set)"),
  effectiveLimits: z
    .object({ maxTradeNotionalUsd: z.number(), maxDailyNotionalUsd: z.number(), maxSlippageBps: z.number() })
    .nullable()
    .describe("what dispatch enforces: the operator's ceilings lowered to the account's executionLimits"),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export const ConfigHistoryResponseSchema = z.object({ items: z.array(ConfigVersionSchema), cursor: z.string().exactOptional() });

// Positions.
export const PutPositionRequestSchema = PositionSchema;
export const PositionResponseSchema = z.object({
  position: PositionSchema,
  source: z.enum(['manual', 'chain', 'hedge']),
  revision: z.number().int().positive(),
  updatedAt: z.string(),
});
export const PositionListResponseSchema = z.object({ items: z.array(PositionResponseSchema) });

// Operations.
export const RebalanceResponseSchema = z.object({ eventId: z.string() });
export const HedgeRecordResponseSchema = z.object({
  hedgeId: z.string(),
  at: z.string(),
  stage: z.enum(['decided', 'ordered', 'submitted', 'confirmed', 'failed', 'skipped']),
  record: z.record(z.string(), z.unknown()),
  steps: z.array(z.object({ stage: z.string(), key: z.string(), at: z.string(), data: z.record(z.string(), z.unknown()) })),
});
export const HedgeListResponseSchema = z.object({ items: z.array(HedgeRecordResponseSchema), cursor: z.string().exactOptional() });

// Hedging state. The snapshot schema is the evaluator's own (one schema for store and API).
export const ExposureResponseSchema = ExposureSnapshotSchema;

// Administration.
export const KillSwitchStateSchema = z.object({ engaged: z.boolean(), reason: z.string().exactOptional() });
export const PutKillSwitchRequestSchema = z.strictObject({
  engaged: z.boolean(),
  /** Required both ways, so the audit trail says why it was engaged and why it was released. */
  reason: z.string().trim().min(1).max(500),
});

export const OpenApiDocumentSchema = z.record(z.string(), z.unknown());
