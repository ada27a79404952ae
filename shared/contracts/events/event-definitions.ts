/**
 * The events on the hedge bus: ONE definition per event type, used by producers
 * (encodeEvent), consumers (decodeEvent), the routing table, the local bus and tests.
 *
 * Every detail carries the envelope fields
 * - `version`: the detail schema's version (a consumer rejects versions it was not built for),
 * - `eventId`: deterministic, from the event's natural key (see event-id.ts), the idempotency key,
 * - `accountId`: the tenant; every consumer scopes reads, writes and dedupe keys by it,
 * - `occurredAt`: ISO-8601 UTC time of the fact (producers pass their clock's time in),
 * - `correlationId` (optional): the id of the flow the event belongs to, from the webhook
 *   or schedule tick (or API request) that started it through evaluate, dispatch and
 *   confirm; every producer copies its trigger's. Not part of the natural key, so it never
 *   changes an event id. Optional, so events from producers that predate it stay valid
 *   (a consumer that meets one without it adopts the event's own id as the correlation id).
 *   Added in place, not as a v2: old producers' events validate unchanged; a consumer is
 *   deployed before the producers that fill it in (strict schemas refuse unknown fields),
 *   as for any contract change here.
 * and the payload fields beside them (flat, so rules can match on them).
 *
 * Domain types are the source of truth where they exist (HedgeOrder, ReasonCode,
 * AlertCode, BookRisk in shared/domain/policy/policy-types.ts); the schemas below are
 * checked against them at compile time, so a change there breaks the build here.
 *
 * Changing a detail incompatibly: add a v2 schema and bump `version`; consumers keep
 * rejecting what they do not support with UnsupportedEventVersionError until deployed.
 */
import * as z from 'zod';
import type { AlertCode, BookRisk, HedgeOrder, ReasonCode } from '../../domain/policy/policy-types.ts';

/** Tenant id: 1-128 characters of letters, digits, '.', '_' or '-'. */
export const AccountIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 letters, digits, ".", "_" or "-"');
const EventIdSchema = z.string().regex(/^evt_[0-9a-f]{32}$/, 'must be "evt_" and 32 hex digits');
const TxHashSchema = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 32-byte hex transaction hash');
const AddressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address');
const NonEmpty = z.string().min(1).max(256);
const ChainIdSchema = z.number().int().positive();
const BlockNumberSchema = z.number().int().nonnegative();
const Underlying = z.string().min(1).max(32);
/**
 * A flow's correlation id: an id, never data (an EventBridge event id, an API Gateway or
 * Lambda request id, an event id): 1-128 characters of letters, digits and `._=+/-` (the
 * base64 of API Gateway's ids; no `:`, so never a URL).
 */
export const CorrelationIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._=+/-]{0,127}$/, 'must be 1-128 letters, digits or "._=+/-"');

function envelope<V extends number>(version: V) {
  return { version: z.literal(version), eventId: EventIdSchema, accountId: AccountIdSchema, occurredAt: z.iso.datetime(), correlationId: CorrelationIdSchema.optional() };
}

const HedgeInstrumentSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('perp') }),
  z.strictObject({ kind: z.literal('spot') }),
  z.strictObject({ kind: z.literal('option'), id: NonEmpty }),
]);

/** Mirrors HedgeOrder (shared/domain/policy/policy-types.ts), checked below. */
export const HedgeOrderSchema = z.strictObject({
  instrument: HedgeInstrumentSchema,
  side: z.enum(['buy', 'sell']),
  quantity: z.number().positive(),
  notionalUsd: z.number().nonnegative(),
  sliceIndex: z.number().int().nonnegative(),
  sliceCount: z.number().int().positive(),
  notBeforeMs: z.number().int(),
});

const REASON_CODES = [
  'NONE_WITHIN_BAND', 'NONE_BELOW_MIN_TRADE', 'NONE_COOLDOWN', 'NONE_PAUSED', 'NONE_DAILY_CAP_REACHED', 'NONE_NO_TRIGGER',
  'HEDGE_BAND', 'HEDGE_PRICE_MOVE', 'HEDGE_CADENCE', 'HEDGE_WHALLEY_WILMOTT', 'HEDGE_GREEK_LIMITS', 'HEDGE_PENDING_SLICE',
  'HEDGE_INSURANCE', 'NONE_CRASH_MODE',
] as const satisfies readonly ReasonCode[];
const ALERT_CODES = ['GAMMA_LIMIT_BREACHED', 'VEGA_LIMIT_BREACHED', 'ACCOUNT_PAUSED', 'DAILY_NOTIONAL_CAP', 'TRADE_CLIPPED', 'MARGIN_LOW', 'CRASH_MODE', 'RUNAWAY'] as const satisfies readonly AlertCode[];

/** Mirrors BookRisk (shared/domain/policy/policy-types.ts), checked below. */
export const BookRiskSchema = z.strictObject({
  delta: z.number(),
  gamma: z.number(),
  vegaPerVolPoint: z.number(),
  optionNotionalUsd: z.number().nonnegative(),
  yearsToExpiry: z.number().nonnegative(),
});

// Compile-time checks: the schemas and the domain types accept exactly the same values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesDomain: [
  Same<z.output<typeof HedgeOrderSchema>, HedgeOrder>,
  Same<z.output<typeof BookRiskSchema>, BookRisk>,
  Same<(typeof REASON_CODES)[number], ReasonCode>,
  Same<(typeof ALERT_CODES)[number], AlertCode>,
] = [true, true, true, true];
void schemaMatchesDomain;

/**
 * Evaluate an account now. Natural key `triggerId`: the schedule tick's ISO time, the
 * Positions Changed event id, or the API request id.
 */
export const EvaluationRequestedV1 = z.strictObject({
  ...envelope(1),
  trigger: z.enum(['schedule', 'positions', 'operator']),
  triggerId: NonEmpty,
});

/** The chain says the book changed (verified, decoded webhook). Natural key: chain id + tx hash. */
export const PositionsChangedV1 = z.strictObject({
  ...envelope(1),
  chainId: ChainIdSchema,
  txHash: TxHashSchema,
  blockNumber: BlockNumberSchema,
  underlyings: z.array(Underlying).min(1),
});

/** The book's risk on one underlying, as the policy saw it. Natural key: evaluation + underlying. */
export const ExposureComputedV1 = z.strictObject({
  ...envelope(1),
  /** The Evaluation Requested event id this evaluation answered. */
  evaluationId: EventIdSchema,
  underlying: Underlying,
  spot: z.number().positive(),
  risk: BookRiskSchema,
});

/** The policy decided to trade. Natural key: the decision id (decideHedge's deterministic id). */
export const HedgeRequestedV1 = z.strictObject({
  ...envelope(1),
  decisionId: NonEmpty,
  /**
   * Dispatch is serialised per signer and chain: this names the serial lane
   * ("<chainId>:<signer reference>"), the SQS FIFO message group in the cloud and the
   * local dispatcher's queue key. No secret: a key name or KMS key id, never a key.
   */
  dispatchGroup: z.string().regex(/^[A-Za-z0-9:_./=+@-]{1,128}$/, 'must be 1-128 characters valid in an SQS message group id'),
  underlying: Underlying,
  reason: z.enum(REASON_CODES),
  message: z.string().max(1000),
  /** At least one, unless the request is a margin top-up (`marginTopUp`), which may come alone. */
  orders: z.array(HedgeOrderSchema),
  /**
   * A slippage limit tighter than the account's (the crash breaker's slices plan), basis
   * points: dispatch uses the lower of this and the configured one. Optional, added in
   * place like correlationId (consumers are deployed before the producers that fill it).
   */
  maxSlippageBps: z.number().int().min(1).max(10_000).optional(),
  /**
   * A margin top-up between trades (MARGIN_LOW with the operator's `topUpToMarginRatio`):
   * a collateral deposit on the perp venue `venueId` up to `targetMarginRatio`, dispatched
   * as the hedge hedgeIdOf(decisionId, orders.length). Optional, added in place like
   * correlationId (consumers are deployed before the producers that fill it).
   */
  marginTopUp: z.strictObject({ venueId: NonEmpty, targetMarginRatio: z.number().positive().max(10) }).optional(),
}).refine((detail) => detail.orders.length > 0 || detail.marginTopUp !== undefined, { message: 'a Hedge Requested needs at least one order or a margin top-up', path: ['orders'] });

/**
 * A hedge transaction was sent. Natural key: hedge id + tx hash (a replacement
 * transaction of a stuck hedge is a new fact).
 */
export const HedgeSubmittedV1 = z.strictObject({
  ...envelope(1),
  /** hedgeIdOf(decisionId, the order's position in Hedge Requested's orders). */
  hedgeId: NonEmpty,
  decisionId: NonEmpty,
  /** When the hedge was decided: with the account and hedge id, the key of its record. */
  decidedAt: z.iso.datetime(),
  chainId: ChainIdSchema,
  txHash: TxHashSchema,
  signer: AddressSchema,
  nonce: z.number().int().nonnegative(),
});

/** The hedge's transaction is mined and succeeded. Natural key: hedge id (a hedge confirms once). */
export const HedgeConfirmedV1 = z.strictObject({
  ...envelope(1),
  hedgeId: NonEmpty,
  decidedAt: z.iso.datetime(),
  chainId: ChainIdSchema,
  txHash: TxHashSchema,
  blockNumber: BlockNumberSchema,
  gasUsed: z.number().int().nonnegative(),
  /** What the swap did, decoded from the pool's Swap log: base bought (+) / sold (−), quote paid (−) / received (+), average price. */
  baseDelta: z.number(),
  quoteDelta: z.number(),
  priceUsd: z.number().nonnegative(),
  /** A perpetual's funding the transaction settled on the way, USD (+ received, − paid); absent for other venues. */
  fundingUsd: z.number().optional(),
  /** A margin top-up (no trade: baseDelta and quoteDelta 0): the collateral it deposited, USD. Absent for trades. */
  marginDepositUsd: z.number().positive().optional(),
});

/** The hedge ended without a trade. Natural key: hedge id (terminal, once per hedge). */
export const HedgeFailedV1 = z.strictObject({
  ...envelope(1),
  hedgeId: NonEmpty,
  decidedAt: z.iso.datetime(),
  stage: z.enum(['guard', 'quote', 'simulation', 'submission', 'receipt']),
  code: NonEmpty,
  message: z.string().max(1000),
  txHash: TxHashSchema.optional(),
});

/** A Greek or notional limit bound. Natural key: decision id + alert code. */
export const RiskLimitBreachedV1 = z.strictObject({
  ...envelope(1),
  decisionId: NonEmpty,
  underlying: Underlying,
  code: z.enum(ALERT_CODES),
  message: z.string().max(1000),
  numbers: z.record(z.string(), z.number()),
});

/**
 * The crash circuit breaker switched the account into crash mode (`to: "crash"`, with the
 * triggers that fired) or back (`to: "normal"`, after the calm period). Natural key: the
 * switch and its time (a breaker switches at most once per evaluation).
 */
export const CrashModeChangedV1 = z.strictObject({
  ...envelope(1),
  underlying: Underlying,
  /** The evaluation that observed it. */
  evaluationId: EventIdSchema,
  from: z.enum(['normal', 'crash']),
  to: z.enum(['normal', 'crash']),
  /** When the switch happened (the evaluation's clock), ISO-8601. */
  switchedAt: z.iso.datetime(),
  triggers: z.array(z.enum(['MOVE', 'POOL_ORACLE_DEVIATION', 'ORACLE_JUMP'])),
  /** The plan in force while in crash mode. */
  plan: z.enum(['hold', 'risk-reducing', 'slices']),
  reason: z.string().max(1000),
  numbers: z.record(z.string(), z.number()),
});

/** A detail without the fields encodeEvent fills in (version, eventId). */
type PayloadOf<S extends z.ZodType> = Omit<z.input<S>, 'version' | 'eventId'>;

interface Definition<S extends z.ZodType> {
  readonly version: number;
  readonly schema: S;
  /** The fact the event reports, unique per (type, account): hashed into `eventId`. */
  readonly naturalKey: (payload: PayloadOf<S>) => string;
}

function define<S extends z.ZodType>(version: number, schema: S, naturalKey: (payload: PayloadOf<S>) => string): Definition<S> {
  return { version, schema, naturalKey };
}

/** Every event type → its current version, schema and natural key. */
export const EVENT_DEFINITIONS = {
  'Evaluation Requested': define(1, EvaluationRequestedV1, (p) => `${p.trigger}:${p.triggerId}`),
  'Positions Changed': define(1, PositionsChangedV1, (p) => `${p.chainId}:${p.txHash.toLowerCase()}`),
  'Exposure Computed': define(1, ExposureComputedV1, (p) => `${p.evaluationId}:${p.underlying}`),
  'Hedge Requested': define(1, HedgeRequestedV1, (p) => p.decisionId),
  'Hedge Submitted': define(1, HedgeSubmittedV1, (p) => `${p.hedgeId}:${p.txHash.toLowerCase()}`),
  'Hedge Confirmed': define(1, HedgeConfirmedV1, (p) => p.hedgeId),
  'Hedge Failed': define(1, HedgeFailedV1, (p) => p.hedgeId),
  'Risk Limit Breached': define(1, RiskLimitBreachedV1, (p) => `${p.decisionId}:${p.code}`),
  'Crash Mode Changed': define(1, CrashModeChangedV1, (p) => `${p.to}:${p.switchedAt}`),
} as const;

export type EventDefinitions = typeof EVENT_DEFINITIONS;
/** A detail-type on our bus, e.g. "Hedge Requested". */
export type EventType = keyof EventDefinitions;
export const EVENT_TYPES = Object.keys(EVENT_DEFINITIONS) as EventType[];

/** The validated detail of an event of type T. */
export type EventDetail<T extends EventType> = z.output<EventDefinitions[T]['schema']>;
/** What a producer passes to encodeEvent for type T: the detail without version and eventId. */
export type EventPayload<T extends EventType> = PayloadOf<EventDefinitions[T]['schema']>;

/**
 * The correlation id a consumer carries on: the event's own, or — for an event from a
 * producer that predates the field — the event's id, so the flow is correlated from here.
 *
 * @example correlationIdOf({ eventId: 'evt_…', correlationId: 'c-1' }) // 'c-1'
 */
export function correlationIdOf(detail: { readonly eventId: string; readonly correlationId?: string | undefined }): string {
  return detail.correlationId ?? detail.eventId;
}

/** A decoded event: the type and its detail, narrowed together. */
export type HedgeEvent = { [T in EventType]: { readonly type: T; readonly detail: EventDetail<T> } }[EventType];
