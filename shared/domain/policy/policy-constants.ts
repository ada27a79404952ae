/**
 * Constants shared by the hedge policy engine. Time is epoch milliseconds (UTC) and
 * years are ACT/365 fixed, the day count of the rest of the core.
 */
export { MS_PER_YEAR } from '../exposure/positions.ts';

/** One UTC day. Epoch milliseconds have no leap seconds, so UTC days are exactly this long. */
export const MS_PER_DAY = 86_400_000;

/**
 * Relative slack on every "greater than a threshold" test (band, Whalley-Wilmott band,
 * gamma and vega limits). A hedge to the band edge or to a limit lands there up to a few
 * ulps; without the slack that rounding could re-fire the trigger and the hysteresis
 * promise ("after a hedge to target, unchanged inputs decide nothing") would fail.
 */
export const THRESHOLD_TOLERANCE = 1e-9;

/**
 * Slack on delta thresholds and "nothing left to trade", units of the underlying: an
 * absolute 1e-9 (dust for any real asset: 1e-9 BTC is a hundredth of a cent) plus 1e-12
 * of the magnitudes that were summed to get the delta (the book's delta and the pending
 * slices). It matters for bands of zero width (a % of notional band on a book without
 * options, Whalley-Wilmott without gamma) and after large option hedges, where a delta
 * of 1e-13 left by rounding must not count as a breach and trade again.
 */
export const DELTA_DUST_UNITS = 1e-9;
export const DELTA_DUST_RELATIVE = 1e-12;

/** Floor of any volatility used for scaling, so that σ → 0 never divides by zero. */
export const MIN_SCALING_VOL = 1e-4;

/**
 * Part of the engine's identity hashed into every decision id: a change of decision
 * logic gets new ids, so an idempotency store never confuses two engine versions.
 */
export const POLICY_ENGINE_VERSION = 1;
