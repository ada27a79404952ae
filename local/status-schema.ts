/**
 * What the local stack serves at `GET /api/status` (the dashboard polls it) and what the
 * headless mode summarises: ONE schema, validated by the server before it answers and by
 * the browser test. Times are epoch milliseconds; money is USD; sizes are units of the
 * underlying. Series are bounded (the newest points win) so the payload stays small.
 */
import * as z from 'zod';
import { ExposureSnapshotSchema } from '../shared/contracts/exposure-snapshot.ts';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const ms = z.number().int().nonnegative();

/** One point of the market: the oracle and the pool, with the simulator's regime. */
export const MarketPointSchema = z.strictObject({ t: ms, oracle: finite, pool: finite });

/** One point of an account's exposure, as the evaluator saw it. */
export const ExposurePointSchema = z.strictObject({
  t: ms,
  /** Net delta incl. hedges in flight (what the policy compared with the band). */
  delta: finite,
  /** The band's edges around zero (units); null without a band. */
  bandLower: finite.nullable(),
  bandUpper: finite.nullable(),
  spot: finite,
});

export const HedgeViewSchema = z.strictObject({
  hedgeId: z.string(),
  t: ms,
  stage: z.enum(['decided', 'ordered', 'submitted', 'confirmed', 'failed', 'skipped']),
  /** What the hedge trades: the underlying (spot), the perpetual, or an option. */
  instrument: z.enum(['spot', 'perp', 'option']),
  /** The policy's id of the hedge option traded (options), null otherwise. */
  instrumentId: z.string().nullable(),
  /** The venue that filled it (confirmed hedges), null before. */
  venueId: z.string().nullable(),
  /** How many pools a routed fill was split across (confirmed routed hedges), null otherwise. */
  legs: z.number().int().positive().nullable(),
  side: z.enum(['buy', 'sell']),
  quantity: finite,
  /** Executed average price (confirmed hedges; options: the premium per contract). */
  priceUsd: finite.nullable(),
  txHash: z.string().nullable(),
  /** Why it failed or was skipped (a guard's code), null otherwise. */
  code: z.string().nullable(),
  message: z.string(),
});

export const GuardTripSchema = z.strictObject({ t: ms, hedgeId: z.string(), code: z.string(), message: z.string() });

/**
 * P&L since the stack started, attributed: the options' mark-to-model change, the hedge
 * position's gains at the oracle, and the costs (pool fees, price impact and gas, measured
 * as the executed price's distance from the oracle plus gas in USD). total = the sum.
 */
export const PnlPointSchema = z.strictObject({ t: ms, optionsUsd: finite, hedgeUsd: finite, fundingUsd: finite, costsUsd: finite, totalUsd: finite });

export const AccountStatusSchema = z.strictObject({
  accountId: z.string(),
  displayName: z.string(),
  status: z.enum(['active', 'paused']),
  /** The account's current configuration (as the API returns it). */
  config: z.record(z.string(), z.unknown()),
  exposure: ExposureSnapshotSchema.nullable(),
  series: z.array(ExposurePointSchema),
  hedges: z.array(HedgeViewSchema),
  guards: z.array(GuardTripSchema),
  pnl: z.array(PnlPointSchema),
  /** The crash breaker's mode (Crash Mode Changed events): normal until one switches it. */
  crashMode: z.strictObject({
    mode: z.enum(['normal', 'crash']),
    /** When it switched (the evaluation's clock); null: never switched. */
    since: ms.nullable(),
    plan: z.enum(['hold', 'risk-reducing', 'slices']).nullable(),
    reason: z.string().nullable(),
  }),
});

export const StackEventSchema = z.strictObject({ t: ms, type: z.string(), accountId: z.string().nullable(), summary: z.string() });

export const StackStatusSchema = z.strictObject({
  startedAt: ms,
  now: ms,
  ticks: z.number().int().nonnegative(),
  chain: z.strictObject({ chainId: z.number().int().positive(), blockNumber: z.number().int().nonnegative() }),
  market: z.strictObject({
    oracle: finite,
    pool: finite,
    /** The simulator's annualised vol and whether a flash crash is in progress. */
    vol: finite,
    crashing: z.boolean(),
    series: z.array(MarketPointSchema),
  }),
  accounts: z.array(AccountStatusSchema),
  events: z.array(StackEventSchema),
});

export type StackStatus = z.output<typeof StackStatusSchema>;
export type AccountStatusView = z.output<typeof AccountStatusSchema>;

const count = z.number().int().nonnegative();

/** `npm start -- --headless --ticks N --json` prints exactly this. Counts are over every tenant. */
export const HeadlessSummarySchema = z.strictObject({
  ticks: count,
  hedgesSubmitted: count,
  hedgesConfirmed: count,
  hedgesFailed: count,
  /** Confirmed hedges by what they traded. */
  hedgesConfirmedByInstrument: z.strictObject({ spot: count, perp: count, option: count }),
  /** Legs of the confirmed routed fills (pools each was split across, summed). */
  routedLegs: count,
  /** Switches into crash mode (the spot desk's crash breaker trips on the flash crash's oracle steps). */
  crashModeSwitches: count,
  /** The largest |delta| (units, hedges in flight included) seen right after a confirmed hedge. */
  maxAbsDeltaAfterHedge: finite,
  /** Confirmed hedges after which the delta was still outside the band... */
  bandBreachesAfterHedge: count,
  /** ...|gamma| beyond the policy's limit... */
  gammaBreachesAfterHedge: count,
  /** ...|vega| beyond the policy's limit (each from the evaluation right after the hedge). */
  vegaBreachesAfterHedge: count,
  /**
   * For every tenant: the spot hedge position equals the signer's WETH change, the perp
   * position the venue's position on chain, every option hedge position the option
   * venue's position of its series (each also the sum of the confirmed fills); every
   * record ended, every confirmed one with a successful receipt.
   */
  reconciled: z.boolean(),
  runTimeMs: ms,
});

export type HeadlessSummary = z.output<typeof HeadlessSummarySchema>;

/** Series and lists are cut to the newest this many entries. */
export const STATUS_LIMITS = { marketPoints: 600, exposurePoints: 600, hedges: 50, guards: 50, pnlPoints: 600, events: 100 } as const;
