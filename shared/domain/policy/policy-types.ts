/**
 * The policy engine's inputs and outputs. The engine is one pure function,
 * (risk, market, config, state, now) → decision; these types are its contract with the
 * evaluator (production) and the backtester (offline), which run the very same code.
 */
import type { HedgePolicyConfig } from '../../contracts/hedge-policy-config.ts';
import type { ForecastState } from './vol-forecast.ts';

/** The book's net risk on one underlying, hedge position included (see portfolioExposure). */
export interface BookRisk {
  /** Net delta, units of the underlying. */
  readonly delta: number;
  /** Net gamma, units of the underlying per 1 USD move. */
  readonly gamma: number;
  /** Net vega, USD per volatility point. */
  readonly vegaPerVolPoint: number;
  /** Gross notional of the options, Σ|quantity|·spot, USD (the base of "% of notional" bands). */
  readonly optionNotionalUsd: number;
  /** Time to the book's (nearest live) expiry in years, for Whalley-Wilmott's discounting. */
  readonly yearsToExpiry: number;
}

/** The market the decision is taken in. */
export interface PolicyMarket {
  /** Oracle spot, USD per unit. */
  readonly spot: number;
  /** Implied (or configured) volatility of the book, decimal. */
  readonly impliedVol: number;
  readonly rate: number;
  readonly yield: number;
}

/** A child order still to be sent, from an earlier sliced decision. */
export interface PlannedSlice {
  /** Signed units: > 0 buy, < 0 sell. */
  readonly quantity: number;
  readonly notBeforeMs: number;
  readonly sliceIndex: number;
  readonly sliceCount: number;
  /** The decision that planned it (its id is the idempotency key of the orders). */
  readonly decisionId: string;
}

/** What the engine remembers between decisions (stored per account). */
export interface HedgeState {
  readonly lastHedgeAtMs?: number;
  readonly lastHedgeSpot?: number;
  /** Start (UTC midnight, ms) of the day `dailyNotionalUsd` counts. */
  readonly dayStartMs: number;
  readonly dailyNotionalUsd: number;
  /** EWMA estimate of the variance of log returns, annualised (σ²). */
  readonly ewmaVariance?: number;
  readonly lastPrice?: number;
  readonly lastPriceAtMs?: number;
  readonly pendingSlices: readonly PlannedSlice[];
  /** The volatility forecast (volScaling.source "forecast"): fit, filtered variance, bounded price history. */
  readonly forecast?: ForecastState;
}

export type HedgeInstrument = { readonly kind: 'perp' } | { readonly kind: 'spot' } | { readonly kind: 'option'; readonly id: string };

export interface HedgeOrder {
  readonly instrument: HedgeInstrument;
  readonly side: 'buy' | 'sell';
  /** Units of the instrument, > 0. */
  readonly quantity: number;
  /** quantity × price (spot, or the option premium), USD. */
  readonly notionalUsd: number;
  readonly sliceIndex: number;
  readonly sliceCount: number;
  readonly notBeforeMs: number;
}

export type AlertCode =
  | 'GAMMA_LIMIT_BREACHED'
  | 'VEGA_LIMIT_BREACHED'
  | 'ACCOUNT_PAUSED'
  | 'DAILY_NOTIONAL_CAP'
  | 'TRADE_CLIPPED'
  | 'MARGIN_LOW'
  /** The crash breaker is in crash mode: its plan held or cut the orders. */
  | 'CRASH_MODE'
  /** Runaway protection paused the account (position mismatch, or hedges that do not move the exposure). */
  | 'RUNAWAY';

export interface PolicyAlert {
  readonly code: AlertCode;
  readonly message: string;
  readonly numbers: Readonly<Record<string, number>>;
}

/**
 * Machine-readable reasons. NONE_* say why nothing was traded; HEDGE_* which trigger
 * fired; the rest are guards that changed or stopped a trade.
 */
export type ReasonCode =
  | 'NONE_WITHIN_BAND'
  | 'NONE_BELOW_MIN_TRADE'
  | 'NONE_COOLDOWN'
  | 'NONE_PAUSED'
  | 'NONE_DAILY_CAP_REACHED'
  | 'NONE_NO_TRIGGER'
  | 'HEDGE_BAND'
  | 'HEDGE_PRICE_MOVE'
  | 'HEDGE_CADENCE'
  | 'HEDGE_WHALLEY_WILMOTT'
  | 'HEDGE_GREEK_LIMITS'
  | 'HEDGE_PENDING_SLICE'
  /** Portfolio insurance: the risky leg drifted outside its band around the insurance target. */
  | 'HEDGE_INSURANCE'
  /** The crash breaker's plan held every order back. */
  | 'NONE_CRASH_MODE';

export interface Decision {
  /** Deterministic id (a hash of the inputs that matter), the idempotency key downstream. */
  readonly id: string;
  readonly action: 'none' | 'hedge' | 'alert';
  readonly reason: ReasonCode;
  /** One human sentence, e.g. "Delta 12.4 ETH is outside the ±5 ETH band: sell 12.4 ETH." */
  readonly message: string;
  /** The numbers behind it: delta, band, target, trigger, drift, vol used, ... */
  readonly numbers: Readonly<Record<string, number>>;
  /** Orders to send now (slices due later are in `plannedSlices`). Empty in dry-run. */
  readonly orders: readonly HedgeOrder[];
  /** Child orders of a sliced hedge still to come, for the state. */
  readonly plannedSlices: readonly PlannedSlice[];
  readonly alerts: readonly PolicyAlert[];
  /** True when the account is in dry-run: `wouldTrade` holds what it would have sent. */
  readonly dryRun: boolean;
  readonly wouldTrade: readonly HedgeOrder[];
}

export interface PolicyInput {
  readonly risk: BookRisk;
  readonly market: PolicyMarket;
  readonly config: HedgePolicyConfig;
  readonly state: HedgeState;
  readonly nowMs: number;
}
