/**
 * Option Greeks with their units in their names, so that nobody mixes "vega per 1.00 of
 * volatility" with "vega per vol point" or "theta per year" with "theta per day" — the
 * classic trap of libraries that rescale silently.
 */

/** Time in years (the caller's day-count; the library never assumes one). */
export type Years = number;

export type OptionType = 'call' | 'put';

/** Raw sensitivities of one option (or one unit of a position). */
export interface OptionGreeks {
  /** Present value, in the currency of spot and strike. */
  readonly price: number;
  /** ∂V/∂S: value change per 1 unit move of the underlying (spot, or forward for Black-76). */
  readonly delta: number;
  /** ∂²V/∂S²: delta change per 1 unit move of the underlying. */
  readonly gamma: number;
  /** ∂V/∂σ with σ as a decimal: value change per 1.00 (= 100 vol points) of volatility. */
  readonly vegaPerUnitVol: number;
  /** −∂V/∂T: value change per year of calendar time passing (usually negative). */
  readonly thetaPerYear: number;
  /** ∂V/∂r with r as a decimal: value change per 1.00 (= 10,000 bp) of the rate. */
  readonly rhoPerUnitRate: number;
  /** ∂²V/∂S∂σ: delta change per 1.00 of volatility. */
  readonly vannaPerUnitVol: number;
  /** ∂²V/∂σ²: vega (per 1.00 vol) change per 1.00 of volatility. */
  readonly volgaPerUnitVol2: number;
}

/** Order of the fields in flat Float64Array outputs (batch API, CLI). */
export const GREEK_FIELDS = [
  'price',
  'delta',
  'gamma',
  'vegaPerUnitVol',
  'thetaPerYear',
  'rhoPerUnitRate',
  'vannaPerUnitVol',
  'volgaPerUnitVol2',
] as const satisfies readonly (keyof OptionGreeks)[];

export const GREEK_COUNT = GREEK_FIELDS.length;

/**
 * Vega per one volatility point (σ moving from 20% to 21%).
 *
 * @example vegaPerVolPoint({ vegaPerUnitVol: 39.9 } as OptionGreeks) // 0.399
 */
export function vegaPerVolPoint(greeks: Pick<OptionGreeks, 'vegaPerUnitVol'>): number {
  return greeks.vegaPerUnitVol / 100;
}

/**
 * Theta per calendar day (default 365 days a year).
 *
 * @example thetaPerDay({ thetaPerYear: -3.65 } as OptionGreeks) // -0.01
 */
export function thetaPerDay(greeks: Pick<OptionGreeks, 'thetaPerYear'>, daysPerYear = 365): number {
  return greeks.thetaPerYear / daysPerYear;
}

/**
 * Rho per basis point (r moving by 0.0001).
 *
 * @example rhoPerBasisPoint({ rhoPerUnitRate: 50 } as OptionGreeks) // 0.005
 */
export function rhoPerBasisPoint(greeks: Pick<OptionGreeks, 'rhoPerUnitRate'>): number {
  return greeks.rhoPerUnitRate / 10_000;
}
