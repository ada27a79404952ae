/**
 * Where an account's market data comes from and how its hedges are executed: the `market`
 * and `execution` blocks of the operator's part of the per-account configuration
 * (operator-config.ts). Only the operator (admin key) writes them; the account reads them.
 * Without `market` the evaluator cannot price the book (it records that and decides
 * nothing); without `execution` decisions are recorded and never dispatched (advisory
 * mode). The backtester reads neither.
 *
 * @example
 * {
 *   "chainId": 31337,
 *   "oracle": { "address": "0x…", "maxStalenessMs": 3600000, "maxPoolDeviationBps": 100 },
 *   "vol": { "source": "fixed", "value": 0.6 }
 * }
 */
import * as z from 'zod';

/** A 20-byte hex address (any case); adapters checksum it. */
export const AddressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address');
const ChainId = z.number().int().positive();
const bps = z.number().int().min(0).max(10_000);

/** The volatility the book is priced with. */
export const VolSourceSchema = z.discriminatedUnion('source', [
  /** A fixed implied vol (decimal, 0.6 = 60%). */
  z.strictObject({ source: z.literal('fixed'), value: z.number().positive().max(10) }),
  /**
   * Realised: the EWMA of the oracle's log returns kept in the hedge state (annualised,
   * decay `ewmaLambda` per observation); `fallback` until two prices were seen, never below `floor`.
   */
  z.strictObject({
    source: z.literal('realised'),
    fallback: z.number().positive().max(10),
    floor: z.number().nonnegative().max(10).default(0.05),
    ewmaLambda: z.number().gt(0).lt(1).default(0.94),
  }),
  /** An on-chain feed with the aggregator interface answering the vol (decimal, scaled by its decimals). */
  z.strictObject({ source: z.literal('onchain'), feed: AddressSchema, maxStalenessMs: z.number().int().positive() }),
]);

export const MarketSourceSchema = z.strictObject({
  chainId: ChainId,
  oracle: z.strictObject({
    /** A Chainlink-style aggregator (latestRoundData) answering USD per unit of the underlying. */
    address: AddressSchema,
    /** An answer older than this (by the chain's clock) is stale: no decision is taken on it, no hedge sent. */
    maxStalenessMs: z.number().int().positive(),
    /** Dispatch refuses to trade when the pool price is further than this from the oracle (basis points). */
    maxPoolDeviationBps: bps.default(200),
  }),
  vol: VolSourceSchema,
  /** Continuously compounded rate and dividend/staking yield, decimal. */
  rate: z.number().min(-1).max(1).default(0),
  yield: z.number().min(-1).max(1).default(0),
});

/** The signer is named, never embedded: a key held by the deployment (local key or AWS KMS key). */
export const SignerRefSchema = z.discriminatedUnion('kind', [
  /** A local private key the dispatch function holds under this name (local chain, tests). */
  z.strictObject({ kind: z.literal('local'), name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
  /**
   * An AWS KMS asymmetric key (ECC_SECG_P256K1, SIGN_VERIFY), named by its key ARN only:
   * the dispatch lane and the nonce counter are per key, so one key must have exactly one
   * name (an alias and an id of the same key would be two lanes racing for one nonce).
   */
  z.strictObject({
    kind: z.literal('kms'),
    keyId: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,64}$/, 'must be the key ARN (arn:aws:kms:<region>:<account>:key/<key id>)'),
  }),
]);

/** What a venue trades: the underlying itself (spot), a perpetual on it, or options on it. */
export const InstrumentKindSchema = z.enum(['spot', 'perp', 'option']);
export type InstrumentKind = z.infer<typeof InstrumentKindSchema>;

/** The operator's name for one venue: in journals, routes and errors (`univ3-weth-usdc-30`). */
const VenueIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'a venue id is 1-48 of [a-z0-9-], starting with a letter or digit');

export const UniswapV3VenueSchema = z.strictObject({
  kind: z.literal('uniswap-v3'),
  /** Unique among the account's venues; defaults to the kind (enough while there is one venue of a kind). */
  id: VenueIdSchema.default('uniswap-v3'),
  pool: AddressSchema,
  swapRouter: AddressSchema,
  quoterV2: AddressSchema,
  /** The token the underlying is (e.g. WETH) and the one hedges are paid in (e.g. USDC). */
  baseToken: AddressSchema,
  quoteToken: AddressSchema,
  baseDecimals: z.number().int().min(0).max(36),
  quoteDecimals: z.number().int().min(0).max(36),
  /** The pool's fee tier in hundredths of a basis point (500, 3000, 10000). */
  fee: z.number().int().positive().max(1_000_000),
});

/** One pool of a routed Uniswap venue: a V3 pool of a fee tier, or a V2 pair. */
export const UniswapRoutePoolSchema = z.discriminatedUnion('version', [
  z.strictObject({ version: z.literal('v3'), pool: AddressSchema, fee: z.number().int().positive().max(1_000_000) }),
  z.strictObject({ version: z.literal('v2'), pair: AddressSchema }),
]);

/**
 * The underlying traded across several Uniswap pools of one pair at once — V3 pools of
 * different fee tiers and liquidity, V2 pairs — in ONE transaction through Uniswap's
 * SwapRouter02 (`multicall` with a deadline): the order is split where it costs least,
 * gas per leg included, and either every leg fills or none does.
 */
export const UniswapRoutedVenueSchema = z.strictObject({
  kind: z.literal('uniswap-routed'),
  id: VenueIdSchema.default('uniswap-routed'),
  /** Uniswap's SwapRouter02 (V2 and V3 swaps, multicall with deadline) and V3's QuoterV2. */
  swapRouter02: AddressSchema,
  quoterV2: AddressSchema,
  baseToken: AddressSchema,
  quoteToken: AddressSchema,
  baseDecimals: z.number().int().min(0).max(36),
  quoteDecimals: z.number().int().min(0).max(36),
  pools: z.array(UniswapRoutePoolSchema).min(1).max(8),
  /** The order is split in this many equal slices (each pool quoted at 1…slices of them). */
  slices: z.number().int().min(1).max(50).default(10),
});

/**
 * A Perpetual Protocol v2 ("curie") market: a perpetual on the underlying, margined in
 * the collateral token (USDC) deposited in its Vault, traded through its ClearingHouse
 * against a Uniswap V3 pool of its virtual tokens, marked at the pool's TWAP, funded
 * from the mark/index premium.
 */
export const PerpV2VenueSchema = z
  .strictObject({
    kind: z.literal('perp-v2'),
    id: VenueIdSchema.default('perp-v2'),
    clearingHouse: AddressSchema,
    vault: AddressSchema,
    accountBalance: AddressSchema,
    exchange: AddressSchema,
    /** The market: the virtual base token of the underlying (e.g. vETH). */
    baseToken: AddressSchema,
    /** What margin is posted in (e.g. USDC) and its decimals. */
    collateralToken: AddressSchema,
    collateralDecimals: z.number().int().min(0).max(18),
    /** An order that would leave the account's margin ratio under this floor is refused (MARGIN_FLOOR). */
    minMarginRatio: z.number().gt(0).max(10).default(0.2),
    /** Under this margin ratio an alert fires (MARGIN_LOW), before liquidation distance gets short. */
    alertMarginRatio: z.number().gt(0).max(10).default(0.3),
    /**
     * Before a trade the adapter deposits what the market's initial margin requires of it
     * (from the signer's own collateral balance); with a target, enough to bring the margin
     * ratio after the trade back to it. Absent: only what the trade requires.
     */
    topUpToMarginRatio: z.number().gt(0).max(10).optional(),
  })
  .refine((v) => v.alertMarginRatio >= v.minMarginRatio, { message: 'alertMarginRatio must be at least minMarginRatio', path: ['alertMarginRatio'] })
  .refine((v) => v.topUpToMarginRatio === undefined || v.topUpToMarginRatio > v.alertMarginRatio, {
    message: 'topUpToMarginRatio must be above alertMarginRatio (a top-up must clear the alert)',
    path: ['topUpToMarginRatio'],
  });

/**
 * A Lyra v1 ("Avalon") option market: European options on the underlying, priced by its
 * AMM (Black-Scholes with a skewed, traded implied vol, plus its fees), bought and sold
 * against its liquidity pool in its quote asset (sUSD); positions are ERC-721 tokens of
 * its OptionToken, settled in cash at expiry.
 */
export const LyraV1VenueSchema = z.strictObject({
  kind: z.literal('lyra-v1'),
  id: VenueIdSchema.default('lyra-v1'),
  optionMarket: AddressSchema,
  optionToken: AddressSchema,
  optionGreekCache: AddressSchema,
  shortCollateral: AddressSchema,
  /** What premiums are paid in (sUSD) and its decimals. */
  quoteAsset: AddressSchema,
  quoteDecimals: z.number().int().min(0).max(18),
  /**
   * Selling (writing) options: allowed only with this much quote collateral per contract,
   * as a multiple of the market's minimum (absent: the venue only buys, and closes what it bought).
   */
  shortCollateralMultiple: z.number().min(1).max(10).optional(),
  /** Lyra prices a large trade in this many slices (its `iterations`). */
  iterations: z.number().int().min(1).max(10).default(1),
});

/** Every venue an account can be given; each kind trades exactly one instrument (VENUE_INSTRUMENT). */
export const VenueConfigSchema = z.discriminatedUnion('kind', [UniswapV3VenueSchema, UniswapRoutedVenueSchema, PerpV2VenueSchema, LyraV1VenueSchema]);
export type VenueConfig = z.output<typeof VenueConfigSchema>;
export type VenueKind = VenueConfig['kind'];

/** The instrument each kind of venue trades: an order is only ever sent to a venue of its instrument. */
export const VENUE_INSTRUMENT: Readonly<Record<VenueKind, InstrumentKind>> = { 'uniswap-v3': 'spot', 'uniswap-routed': 'spot', 'perp-v2': 'perp', 'lyra-v1': 'option' };

/** The venues of a set that trade an instrument, in the operator's order. */
export function venuesFor(venues: readonly VenueConfig[], instrument: InstrumentKind): VenueConfig[] {
  return venues.filter((venue) => VENUE_INSTRUMENT[venue.kind] === instrument);
}

/** The instruments a set of venues can execute. */
export function instrumentsTraded(venues: readonly VenueConfig[]): ReadonlySet<InstrumentKind> {
  return new Set(venues.map((venue) => VENUE_INSTRUMENT[venue.kind]));
}

/**
 * What the account owner may tighten (never widen) of the operator's ceilings: the
 * effective limit is the lower of the two, and a value above the ceiling is refused where
 * it is written.
 */
export const ExecutionLimitsSchema = z.strictObject({
  maxTradeNotionalUsd: z.number().positive().optional(),
  maxDailyNotionalUsd: z.number().positive().optional(),
  maxSlippageBps: bps.optional(),
});
export type ExecutionLimits = z.output<typeof ExecutionLimitsSchema>;

/**
 * How the operator lets an account's hedges be executed: the venues by instrument, the
 * ceilings on what a trade and a day may spend and on slippage, and the transaction
 * policy. The signer is not in it: each account hedges from its own key, provisioned
 * with the account, and the store adds it (`ExecutionConfig`).
 */
const OperatorExecutionFields = z.strictObject({
  venues: z.array(VenueConfigSchema).min(1).max(16),
  /** Ceilings: worst execution accepted against the venue's own quote, and of the quote against the oracle (basis points)... */
  maxSlippageBps: bps.default(50),
  /** ...and per-trade and per-UTC-day notional (USD), enforced at dispatch whatever the policy said. */
  maxTradeNotionalUsd: z.number().positive(),
  maxDailyNotionalUsd: z.number().positive(),
  /** Options: worst premium accepted against the model premium the policy priced the order at (basis points of the premium: a venue's spread and fees are a share of it). */
  maxOptionPremiumMarkupBps: z.number().int().min(0).max(100_000).default(2_500),
  /** EIP-1559 caps, gwei: a hedge whose fees would exceed them waits (guard), replacements stop at them. */
  maxFeePerGasGwei: z.number().positive(),
  maxPriorityFeePerGasGwei: z.number().positive(),
  /** Blocks (the receipt's included) before a hedge counts as confirmed. */
  confirmations: z.number().int().min(1).max(100).default(1),
  /** The swap's deadline, seconds after signing. */
  deadlineSeconds: z.number().int().min(10).max(3600).default(300),
  /** A transaction not mined after this long is replaced at the same nonce with fees raised by `feeBumpPct`. */
  replaceAfterMs: z.number().int().positive().default(60_000),
  feeBumpPct: z.number().min(10).max(100).default(12.5),
  maxReplacements: z.number().int().min(0).max(10).default(3),
  /** This many failed hedges in a row pause the account (a system pause, lifted by the operator or acknowledged), with an alert. */
  maxConsecutiveFailures: z.number().int().min(1).max(100).default(3),
});

function uniqueVenueIds(execution: { venues: readonly { id: string }[] }, ctx: z.core.$RefinementCtx<{ venues: readonly { id: string }[] }>): void {
  const seen = new Set<string>();
  execution.venues.forEach((venue, index) => {
    if (seen.has(venue.id)) ctx.addIssue({ code: 'custom', path: ['venues', index, 'id'], message: `venue id "${venue.id}" is used twice: give each venue its own id` });
    seen.add(venue.id);
  });
}

export const OperatorExecutionSchema = OperatorExecutionFields.superRefine(uniqueVenueIds);

/** The operator's execution block as stored: with the account's own signer (set by the store from the account, never by a request). */
export const StoredOperatorExecutionSchema = OperatorExecutionFields.extend({ signer: SignerRefSchema }).superRefine(uniqueVenueIds);

/**
 * The execution the flow runs with (RuntimeConfig.execution): the operator's block, the
 * account's signer, and the ceilings already lowered to the account's own limits.
 */
export type ExecutionConfig = z.output<typeof StoredOperatorExecutionSchema>;
export type OperatorExecution = z.output<typeof OperatorExecutionSchema>;
export type MarketSource = z.output<typeof MarketSourceSchema>;
export type VolSource = z.output<typeof VolSourceSchema>;
export type SignerRef = z.output<typeof SignerRefSchema>;
export type UniswapV3VenueConfig = z.output<typeof UniswapV3VenueSchema>;
export type PerpV2VenueConfig = z.output<typeof PerpV2VenueSchema>;
export type UniswapRoutedVenueConfig = z.output<typeof UniswapRoutedVenueSchema>;
export type LyraV1VenueConfig = z.output<typeof LyraV1VenueSchema>;
