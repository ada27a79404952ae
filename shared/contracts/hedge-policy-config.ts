/**
 * The per-account hedge policy configuration: ONE schema, used by the policy engine, the
 * backtester's config files, and (with `executionLimits`) the configuration API. Every rule is optional
 * and they compose; durations are milliseconds, sizes are units of the underlying unless
 * the field says USD or percent.
 *
 * @example A delta band of ±5 ETH that hedges back to zero, at most every 10 minutes
 * unless the drift is twice the band, clipped at 50 ETH and sliced over 10 minutes:
 * {
 *   "underlying": "ETH",
 *   "band": { "unit": "units", "trigger": 5, "target": "zero" },
 *   "guards": { "minTradeUnits": 0.1, "maxTradeUnits": 50, "cooldownMs": 600000, "cooldownBypassMultiple": 2 },
 *   "slicing": { "clipUnits": 20, "slices": 4, "windowMs": 600000 }
 * }
 */
import * as z from 'zod';
import { ExecutionLimitsSchema } from './execution-config.ts';

const positive = z.number().positive();
const nonNegative = z.number().nonnegative();
const durationMs = z.number().int().positive();

/** Net-delta threshold band with hysteresis: trade when |delta| > trigger, to the target. */
export const DeltaBandSchema = z
  .object({
    /** What `trigger` is measured in: units of the underlying, USD (delta × spot), or % of the book's notional. */
    unit: z.enum(['units', 'usd', 'pctNotional']),
    /** Half-width of the no-trade band, in `unit`. */
    trigger: positive,
    /** Where a hedge brings the delta: back to zero, or to the band edge (scaled by `edgeFraction`). */
    target: z.enum(['zero', 'edge']).default('zero'),
    /** With target "edge": the delta left after a hedge, as a fraction of the trigger (0..1). */
    edgeFraction: z.number().min(0).max(1).default(1),
  })
  .strict();

/** Hedge when the underlying moved more than `pct` percent since the last hedge. */
export const PriceMoveSchema = z.object({ pct: positive }).strict();

/** Hedge every `everyMs`, whatever the drift (to the band target, or to zero without a band). */
export const CadenceSchema = z.object({ everyMs: durationMs }).strict();

/**
 * Volatility scaling of the band and the cadence. With `mode: "ratio"` the band and the
 * cadence interval are multiplied by σ/referenceVol and referenceVol/σ respectively.
 * With `mode: "gammaRisk"` the band half-width (in units) becomes
 * `multiplier · |Γ| · S · σ · √(horizonMs in years)`: the delta that one horizon's
 * one-sigma move would create, floored at `minBandUnits`.
 */
export const VolScalingSchema = z
  .object({
    source: z.enum(['realised', 'implied']),
    mode: z.enum(['ratio', 'gammaRisk']).default('ratio'),
    referenceVol: positive.default(0.6),
    /** EWMA decay per observation for the realised estimate (RiskMetrics uses 0.94). */
    ewmaLambda: z.number().gt(0).lt(1).default(0.94),
    scaleBand: z.boolean().default(true),
    scaleCadence: z.boolean().default(false),
    multiplier: positive.default(1),
    horizonMs: durationMs.default(3_600_000),
    minBandUnits: nonNegative.default(0),
  })
  .strict();

/**
 * Whalley-Wilmott asymptotically optimal no-trade band: half-width
 * (3/2 · e^{−r·τ} · k · S · Γ² / λ)^{1/3} in units of the underlying, with k the
 * proportional cost and λ the risk aversion.
 */
export const WhalleyWilmottSchema = z
  .object({
    /** Exponential-utility risk aversion λ, per USD (e.g. 1e-4: indifferent to ~$10k bets). */
    riskAversion: positive,
    /** Proportional cost per unit of notional traded, in basis points. */
    costBps: positive,
  })
  .strict();

/** An option the policy may trade to neutralise gamma (and vega, with a second one). */
export const OptionInstrumentSchema = z
  .object({
    id: z.string().min(1),
    optionType: z.enum(['call', 'put']),
    strike: positive,
    expiryMs: z.number().int().positive(),
    /** Its implied vol; the market vol when absent. */
    vol: positive.optional(),
  })
  .strict();

/** Gamma and vega limits; a breach alerts, and with option instruments configured, is hedged. */
export const GreekLimitsSchema = z
  .object({
    /** Max |gamma| in units of the underlying per 1 USD move. */
    maxAbsGamma: positive.optional(),
    /** Max |vega| in USD per volatility point. */
    maxAbsVegaPerVolPoint: positive.optional(),
    /** 1 option: delta+gamma solved jointly; 2 options: delta+gamma+vega. */
    hedgeOptions: z.array(OptionInstrumentSchema).max(2).default([]),
  })
  .strict();

export const GuardsSchema = z
  .object({
    /** Orders smaller than this (units) are not worth their cost: skipped. */
    minTradeUnits: nonNegative.default(0),
    /** Orders are clipped to this size (units). */
    maxTradeUnits: positive.optional(),
    /** No hedge within this long after the previous one... */
    cooldownMs: z.number().int().nonnegative().default(0),
    /** ...unless |delta| exceeds this multiple of the trigger. */
    cooldownBypassMultiple: z.number().min(1).default(3),
    /** Notional traded per UTC day, USD. */
    maxDailyNotionalUsd: positive.optional(),
    /** The account kill switch: decide nothing, alert. */
    paused: z.boolean().default(false),
    /** Decide and record, never trade. */
    dryRun: z.boolean().default(false),
  })
  .strict();

/** An order above `clipUnits` becomes `slices` child orders spread over `windowMs`. */
export const SlicingSchema = z
  .object({
    clipUnits: positive,
    slices: z.number().int().min(2).max(100),
    windowMs: durationMs,
    /** Scale the window by referenceVol/σ of the vol scaling (shorter when vol is high); needs `volScaling`. */
    volScaled: z.boolean().default(false),
  })
  .strict();

const POLICY_FIELDS = {
  underlying: z.string().min(1),
  /** The delta hedge instrument: a perp or the spot asset (both delta one). Live, the operator must have given the account a venue that trades it. */
  hedgeInstrument: z.enum(['perp', 'spot']).default('perp'),
  band: DeltaBandSchema.optional(),
  priceMove: PriceMoveSchema.optional(),
  cadence: CadenceSchema.optional(),
  volScaling: VolScalingSchema.optional(),
  whalleyWilmott: WhalleyWilmottSchema.optional(),
  limits: GreekLimitsSchema.optional(),
  guards: GuardsSchema.default(GuardsSchema.parse({})),
  slicing: SlicingSchema.optional(),
};

type PolicyFields = z.output<z.ZodObject<typeof POLICY_FIELDS>>;

/** Rules across fields: a policy must trigger somehow, and no setting may be silently ignored. */
function checkPolicyRules(c: PolicyFields, ctx: z.core.$RefinementCtx<PolicyFields>): void {
  if (!(c.band || c.cadence || c.priceMove || c.whalleyWilmott)) {
    ctx.addIssue({ code: 'custom', path: [], message: 'a policy needs at least one trigger: band, cadence, priceMove or whalleyWilmott' });
  }
  if (c.slicing?.volScaled && !c.volScaling) ctx.addIssue({ code: 'custom', path: ['slicing', 'volScaled'], message: 'slicing.volScaled needs a volScaling block' });
  if (c.volScaling?.mode === 'gammaRisk' && !c.band) ctx.addIssue({ code: 'custom', path: ['volScaling', 'mode'], message: 'volScaling.mode "gammaRisk" sets the band width: it needs a band' });
}

/** The hedge policy the engine and the backtester run. */
export const HedgePolicyConfigSchema = z.strictObject(POLICY_FIELDS).superRefine(checkPolicyRules);

/**
 * The account owner's part of the live configuration (`PUT /accounts/{id}/config`): the
 * policy, and limits that can only tighten the operator's ceilings. Where market data
 * comes from and how hedges are executed are the operator's (operator-config.ts).
 */
export const AccountPolicySchema = z.strictObject({ ...POLICY_FIELDS, executionLimits: ExecutionLimitsSchema.optional() }).superRefine(checkPolicyRules);

export type HedgePolicyConfig = z.infer<typeof HedgePolicyConfigSchema>;
export type HedgePolicyConfigInput = z.input<typeof HedgePolicyConfigSchema>;
export type AccountPolicy = z.infer<typeof AccountPolicySchema>;
export type AccountPolicyInput = z.input<typeof AccountPolicySchema>;
export type OptionInstrument = z.infer<typeof OptionInstrumentSchema>;
