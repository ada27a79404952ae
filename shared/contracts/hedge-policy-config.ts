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
 * A volatility forecast the policy scales with (`volScaling.source: "forecast"`): a model
 * fitted by maximum likelihood on the last `window` price observations, refitted every
 * `refitEveryMs`, and between refits filtered one return at a time (σ²ₙ₊₁ = ω + α·ε²ₙ + β·σ²ₙ).
 * The vol used is the forecast's average over the hedge horizon (`volScaling.horizonMs`):
 * √(V(H)·steps per year), V(H) the mean variance per step of the next H steps
 * (shared/domain/volatility/variance-forecast.ts). Until `window` holds enough
 * observations for a fit (51 prices for GARCH, 21 for EWMA), the implied vol is used and
 * the decision says so (`numbers.forecastFallback`).
 */
export const VolForecastSchema = z
  .object({
    /** GARCH(1,1) (mean-reverting term structure) or EWMA with its λ fitted (flat). */
    model: z.enum(['garch', 'ewma']).default('garch'),
    /** Price observations kept and fitted (the returns are one fewer). Stored with the account's hedge state: at most 2,000. */
    window: z.number().int().min(51).max(2000).default(720),
    /** Refit when the stored fit is this old (the parameters are stored per underlying). */
    refitEveryMs: durationMs.min(60_000).default(86_400_000),
  })
  .strict();

/**
 * Long-gamma scalping (`volScaling.mode: "scalping"`): the band (and, with `scaleCadence`,
 * the cadence interval) is multiplied by f = clamp((σ_implied/σ_expected)^exponent,
 * minFactor, maxFactor) while the book is long gamma: narrower (hedge more often, locking in
 * more of the gamma P&L) when the vol expected over the horizon beats the implied the
 * options were bought at, wider (fewer, cheaper trades) when it does not. Within
 * 1 ± neutralBand of implied the factor is 1; a flat or short-gamma book keeps the plain band.
 */
export const ScalpingSchema = z
  .object({
    exponent: z.number().positive().max(10).default(2),
    minFactor: z.number().positive().max(1).default(0.25),
    maxFactor: z.number().min(1).max(100).default(4),
    neutralBand: z.number().min(0).lt(1).default(0.05),
  })
  .strict();

/**
 * Volatility scaling of the band and the cadence. With `mode: "ratio"` the band and the
 * cadence interval are multiplied by σ/referenceVol and referenceVol/σ respectively.
 * With `mode: "gammaRisk"` the band half-width (in units) becomes
 * `multiplier · |Γ| · S · σ · √(horizonMs in years)`: the delta that one horizon's
 * one-sigma move would create, floored at `minBandUnits`. With `mode: "scalping"` (see
 * ScalpingSchema) the band and cadence move with σ against the implied vol.
 * σ comes from `source`: the market's implied vol, the realised EWMA of the prices seen,
 * or a fitted `forecast` (its average over `horizonMs`).
 */
export const VolScalingSchema = z
  .object({
    source: z.enum(['realised', 'implied', 'forecast']),
    mode: z.enum(['ratio', 'gammaRisk', 'scalping']).default('ratio'),
    referenceVol: positive.default(0.6),
    /** EWMA decay per observation for the realised estimate (RiskMetrics uses 0.94). */
    ewmaLambda: z.number().gt(0).lt(1).default(0.94),
    scaleBand: z.boolean().default(true),
    scaleCadence: z.boolean().default(false),
    multiplier: positive.default(1),
    /** The hedge horizon: gammaRisk's one-sigma move, and the horizon a forecast is averaged over. */
    horizonMs: durationMs.default(3_600_000),
    minBandUnits: nonNegative.default(0),
    /** With source "forecast": the model (required there, refused elsewhere). */
    forecast: VolForecastSchema.optional(),
    /** With mode "scalping": how far the band moves (defaults when absent). */
    scalping: ScalpingSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.source === 'forecast' && v.forecast === undefined) ctx.addIssue({ code: 'custom', path: ['forecast'], message: 'volScaling.source "forecast" needs a forecast block: { "model": "garch", "window": 720, "refitEveryMs": 86400000 }' });
    if (v.source !== 'forecast' && v.forecast !== undefined) ctx.addIssue({ code: 'custom', path: ['forecast'], message: `volScaling.forecast is used only with source "forecast" (the source is "${v.source}")` });
    if (v.mode === 'scalping' && v.source === 'implied') ctx.addIssue({ code: 'custom', path: ['mode'], message: 'volScaling.mode "scalping" compares an expected realised vol with implied: use source "forecast" or "realised"' });
    if (v.mode !== 'scalping' && v.scalping !== undefined) ctx.addIssue({ code: 'custom', path: ['scalping'], message: `volScaling.scalping is used only with mode "scalping" (the mode is "${v.mode}")` });
    if (v.scalping !== undefined && v.scalping.minFactor > v.scalping.maxFactor) ctx.addIssue({ code: 'custom', path: ['scalping', 'minFactor'], message: 'must not exceed maxFactor' });
  });

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

/** The floor portfolio insurance keeps the portfolio's value above. */
export const InsuranceFloorSchema = z.discriminatedUnion('kind', [
  /** A fixed value, USD. */
  z.strictObject({ kind: z.literal('value'), usd: nonNegative }),
  /** A share of the value when insurance started. */
  z.strictObject({ kind: z.literal('share-of-start'), share: z.number().min(0).lt(1) }),
  /** A share of the highest value seen (a ratchet: the floor only rises). */
  z.strictObject({ kind: z.literal('share-of-high'), share: z.number().min(0).lt(1) }),
]);

/**
 * Portfolio insurance: the policy keeps the risky leg (the underlying, traded as
 * `hedgeInstrument`: spot or perp) at a target exposure so that the portfolio (risky leg +
 * stablecoin) stays above `floor`; the safe leg is what is not in the risky leg.
 * - "cppi": exposure = multiplier × (value − floor), at most maxExposureShare × value;
 * - "syntheticPut": exposure = N(d1) × value, the delta of the underlying plus a put struck
 *   at the floor with `horizonMs` left (Black-Scholes at `vol`, the market's vol when absent).
 * Both trade back to the target when the exposure drifts more than `band` (relative) from it,
 * or when the policy's cadence is due. The portfolio is valued self-financing: it starts at
 * `capitalUsd` and gains the risky units held × each price change.
 */
export const InsuranceSchema = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('cppi'),
    capitalUsd: positive,
    floor: InsuranceFloorSchema,
    multiplier: z.number().positive().max(50),
    maxExposureShare: positive.max(10).default(1),
    band: z.number().min(0).max(1).default(0.05),
  }),
  z.strictObject({
    method: z.literal('syntheticPut'),
    capitalUsd: positive,
    floor: InsuranceFloorSchema,
    /** The insured horizon: the put's expiry, epoch ms. */
    horizonEndMs: z.number().int().positive(),
    vol: positive.max(10).optional(),
    band: z.number().min(0).max(1).default(0.05),
  }),
]);

/** What the crash breaker does while the account is in crash mode. */
export const CrashPlanSchema = z.discriminatedUnion('kind', [
  /** No order goes out; every evaluation alerts (CRASH_MODE). */
  z.strictObject({ kind: z.literal('hold') }),
  /** Only delta-one orders that bring |delta| down go out, never past zero. */
  z.strictObject({ kind: z.literal('risk-reducing') }),
  /** Orders are cut into `slices` child orders over `windowMs`, each sent with at most `maxSlippageBps` (within the operator's ceiling). */
  z.strictObject({
    kind: z.literal('slices'),
    slices: z.number().int().min(2).max(100),
    windowMs: durationMs,
    maxSlippageBps: z.number().int().min(1).max(10_000),
  }),
]);

/**
 * The crash circuit breaker: crash mode when the oracle moved more than `moveSigmas`
 * forecast standard deviations within `windowMs` (σ: before this price, the policy's vol
 * forecast over the window when it has one, else the realised EWMA; never below the market's vol), when the pool and the oracle part
 * by more than `maxPoolOracleDeviationBps`, or when the oracle's answer jumps more than
 * `maxOracleJumpBps` from the previous round the evaluator saw; back to normal after `calmMs`
 * without a trigger.
 */
export const CrashBreakerSchema = z
  .strictObject({
    /** The move trigger: k and its window (both, or neither: a breaker may trip on the pool or the oracle's jump alone). */
    moveSigmas: positive.max(100).optional(),
    windowMs: durationMs.max(86_400_000).optional(),
    maxPoolOracleDeviationBps: z.number().int().min(1).max(10_000).optional(),
    maxOracleJumpBps: z.number().int().min(1).max(10_000).optional(),
    plan: CrashPlanSchema,
    calmMs: z.number().int().nonnegative().max(7 * 86_400_000),
  })
  .superRefine((b, ctx) => {
    if (b.moveSigmas !== undefined && b.windowMs === undefined) ctx.addIssue({ code: 'custom', path: ['windowMs'], message: 'is needed with moveSigmas: the move trigger measures the move within this window' });
    if (b.windowMs !== undefined && b.moveSigmas === undefined) ctx.addIssue({ code: 'custom', path: ['moveSigmas'], message: 'is needed with windowMs: the window is only the move trigger\'s (give both, or neither)' });
    if (b.moveSigmas === undefined && b.windowMs === undefined && b.maxPoolOracleDeviationBps === undefined && b.maxOracleJumpBps === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs a trigger: moveSigmas with windowMs, maxPoolOracleDeviationBps or maxOracleJumpBps' });
    }
  });

/**
 * Runaway protection: the account pauses (a system pause) with an alert instead of trading
 * again when the hedge position on chain parts from the records by more than
 * `maxPositionMismatchUnits` (against the difference seen at the first check: what the
 * signer held apart from hedges), or when `maxIneffectiveHedges` hedges in one direction in a
 * row each moved the recorded exposure by less than `minEffectFraction` of their size.
 */
export const RunawaySchema = z.strictObject({
  maxPositionMismatchUnits: positive.optional(),
  maxIneffectiveHedges: z.number().int().min(2).max(50).default(3),
  minEffectFraction: z.number().gt(0).max(1).default(0.5),
});

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
  /** The policy's safeguards (shared/domain/policy/guarded-decision.ts), run by the evaluator; the backtester runs insurance and the breaker (runaway protection needs a chain to compare with). */
  insurance: InsuranceSchema.optional(),
  crashBreaker: CrashBreakerSchema.optional(),
  runaway: RunawaySchema.optional(),
};

type PolicyFields = z.output<z.ZodObject<typeof POLICY_FIELDS>>;

/** Rules across fields: a policy must trigger somehow, and no setting may be silently ignored. */
function checkPolicyRules(c: PolicyFields, ctx: z.core.$RefinementCtx<PolicyFields>): void {
  if (!(c.band || c.cadence || c.priceMove || c.whalleyWilmott || c.insurance)) {
    ctx.addIssue({ code: 'custom', path: [], message: 'a policy needs at least one trigger: band, cadence, priceMove, whalleyWilmott or insurance' });
  }
  if (c.insurance) checkInsuranceRules(c, ctx);
  if (c.slicing?.volScaled && !c.volScaling) ctx.addIssue({ code: 'custom', path: ['slicing', 'volScaled'], message: 'slicing.volScaled needs a volScaling block' });
  if (c.volScaling?.mode === 'gammaRisk' && !c.band) ctx.addIssue({ code: 'custom', path: ['volScaling', 'mode'], message: 'volScaling.mode "gammaRisk" sets the band width: it needs a band' });
  if (c.volScaling?.mode === 'scalping' && !c.band && !c.cadence) ctx.addIssue({ code: 'custom', path: ['volScaling', 'mode'], message: 'volScaling.mode "scalping" narrows or widens the band (or the cadence): it needs a band or a cadence' });
}

/** Insurance sets where the delta goes: a rule that sets another target would be silently ignored. */
function checkInsuranceRules(c: PolicyFields, ctx: z.core.$RefinementCtx<PolicyFields>): void {
  const insurance = c.insurance!;
  if (c.band) ctx.addIssue({ code: 'custom', path: ['band'], message: 'insurance sets the delta target and its band (insurance.band): leave band out' });
  if (c.whalleyWilmott) ctx.addIssue({ code: 'custom', path: ['whalleyWilmott'], message: 'insurance sets the delta target and its band (insurance.band): leave whalleyWilmott out' });
  if ((c.limits?.hedgeOptions.length ?? 0) > 0) ctx.addIssue({ code: 'custom', path: ['limits', 'hedgeOptions'], message: 'insurance trades the underlying only: leave hedgeOptions out' });
  if (c.volScaling?.mode === 'gammaRisk' || c.volScaling?.mode === 'scalping') ctx.addIssue({ code: 'custom', path: ['volScaling', 'mode'], message: `volScaling.mode "${c.volScaling.mode}" sets a band width: insurance has its own band` });
  if (insurance.floor.kind === 'value' && insurance.floor.usd >= insurance.capitalUsd) {
    ctx.addIssue({ code: 'custom', path: ['insurance', 'floor', 'usd'], message: `the floor must be below the capital insured (${insurance.capitalUsd} USD)` });
  }
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
