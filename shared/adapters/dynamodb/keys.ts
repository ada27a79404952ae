/**
 * Key builders: the one place the item key layout is spelled (see ACCESS-PATTERNS.md).
 * Numbers in sort keys are zero-padded so that string order is numeric order.
 */

export const accountPk = (accountId: string): string => `ACCOUNT#${accountId}`;

export const CONFIG_CURRENT_SK = 'CONFIG';
export const CONFIG_VERSION_PREFIX = 'CONFIG#V#';
export const configVersionSk = (version: number): string => `${CONFIG_VERSION_PREFIX}${String(version).padStart(12, '0')}`;

export const AUDIT_PREFIX = 'AUDIT#';
/** Audit items sort by time, then by a unique suffix (two events in the same millisecond both stay). */
export const auditSk = (at: Date, unique: string): string => `${AUDIT_PREFIX}${at.toISOString()}#${unique}`;

export const HEDGE_PREFIX = 'HEDGE#';
export const hedgeRecordSk = (at: Date, hedgeId: string): string => `${HEDGE_PREFIX}${at.toISOString()}#${hedgeId}`;

/** Signer addresses are case-insensitive hex: one counter per address whatever its checksum casing. */
export const signerPk = (signer: string): string => `SIGNER#${signer.toLowerCase()}`;
export const nonceSk = (chainId: number): string => `NONCE#${chainId}`;
/** The account a signer belongs to (one item per signer address). */
export const SIGNER_OWNER_SK = 'OWNER';

export const webhookDeliveryPk = (provider: string, deliveryId: string): string => `WEBHOOK#${provider}#${deliveryId}`;
export const WEBHOOK_DELIVERY_SK = 'DELIVERY';

export const pricePk = (underlying: string): string => `PRICE#${underlying}`;
export const PRICE_PREFIX = 'T#';
export const priceSk = (at: Date): string => `${PRICE_PREFIX}${at.toISOString()}`;

/** A volatility forecast's fit per underlying: one item per model and window (vol-forecast-repository.ts). */
export const volFitPk = (underlying: string): string => `VOLFIT#${underlying}`;
export const volFitSk = (key: string): string => `MODEL#${key}`;

/** Request budgets: one item per caller and fixed window. */
export const ratePk = (subject: string): string => `RATE#${subject}`;
export const rateWindowSk = (windowStartMs: number): string => `W#${windowStartMs}`;

/** Epoch seconds, the unit of the TTL attribute. */
export const epochSeconds = (at: Date): number => Math.floor(at.getTime() / 1000);

/** Account profile and status (one item per account). */
export const ACCOUNT_PROFILE_SK = 'PROFILE';
/** gsi1 partition of the accounts in a status (sparse: only active accounts carry gsi1 keys). */
export const accountStatusGsi1Pk = (status: string): string => `STATUS#${status}`;
export const ACCOUNT_GSI1_PREFIX = 'ACCOUNT#';
export const accountStatusGsi1Sk = (accountId: string): string => `${ACCOUNT_GSI1_PREFIX}${accountId}`;

/** An API key of an account (hash, status), listed under the account. */
export const API_KEY_PREFIX = 'APIKEY#';
export const apiKeySk = (keyId: string): string => `${API_KEY_PREFIX}${keyId}`;
/** The pointer item resolving a key hash to its account with one GetItem. */
export const apiKeyHashPk = (hash: string): string => `APIKEY#${hash}`;
export const API_KEY_HASH_SK = 'APIKEY';

/** Positions, keyed by position id alone (the id addresses the item whatever its underlying). */
export const POSITION_PREFIX = 'POSITION#';
export const positionSk = (positionId: string): string => `${POSITION_PREFIX}${positionId}`;

/** The policy engine's state of an account (one item per account). */
export const HEDGE_STATE_SK = 'HEDGESTATE';

/** Per-account counters of the dispatcher: failed hedges in a row, and notional reserved per UTC day. */
export const FAILURE_STREAK_SK = 'FAILURESTREAK';
export const DAILY_NOTIONAL_PREFIX = 'NOTIONAL#';
export const dailyNotionalSk = (utcDay: string): string => `${DAILY_NOTIONAL_PREFIX}${utcDay}`;

/** Deployment-wide items (not owned by an account): the global kill switch. */
export const GLOBAL_PK = 'GLOBAL';
export const KILL_SWITCH_SK = 'KILLSWITCH';
