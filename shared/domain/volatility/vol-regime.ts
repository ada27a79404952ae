/**
 * The volatility regime a hedging policy reads: is the vol we expect to realise over
 * the hedge horizon above or below the vol the options are priced at, and is the
 * market jumping?
 *
 * A long-gamma book earns ½Γ·S²·(σ²_realised − σ²_implied) per unit time: it wants to
 * hedge often when realised beats implied, and less when it does not; a short-gamma book
 * the other way round. The ratio of vols is the signal; a band around 1 keeps the
 * policy from flipping on noise. A jump says the last move is not evidence of a higher
 * diffusive vol: hedge it, but do not let it inflate the band.
 */
import { InvalidInputError } from '../errors.ts';

/** Which side of implied the expected realised vol is on. */
export type VolRegime = 'realised-above-implied' | 'realised-below-implied' | 'neutral';

export interface VolRegimeInput {
  /** The vol expected to be realised over the hedge horizon, annualised (e.g. √V(H) of a fit). */
  readonly realisedVol: number;
  /** The implied vol of the options hedged, annualised. */
  readonly impliedVol: number;
  /** A ratio within 1 ± neutralBand is neutral. Default 0.1. */
  readonly neutralBand?: number;
  /** Whether a jump detector (jump-detection.ts) fired on the recent returns. Default false. */
  readonly jump?: boolean;
}

/** The regime signal, with the numbers behind it. */
export interface VolRegimeSignal {
  readonly realisedVol: number;
  readonly impliedVol: number;
  /** realisedVol / impliedVol. */
  readonly realisedOverImplied: number;
  /** σ²_realised − σ²_implied: per year, what a unit of cash gamma earns (×½) by hedging. */
  readonly varianceSpread: number;
  readonly regime: VolRegime;
  readonly jump: boolean;
}

/**
 * Classifies realised against implied vol.
 *
 * @example
 * volRegimeSignal({ realisedVol: 0.66, impliedVol: 0.5 })
 * // { realisedOverImplied: 1.32, varianceSpread: 0.1856, regime: 'realised-above-implied', jump: false, … }
 */
export function volRegimeSignal(input: VolRegimeInput): VolRegimeSignal {
  const { realisedVol, impliedVol } = input;
  const neutralBand = input.neutralBand ?? 0.1;
  if (!(realisedVol >= 0 && realisedVol < Infinity)) throw new InvalidInputError('realisedVol', realisedVol, 'must be a finite vol ≥ 0');
  if (!(impliedVol > 0 && impliedVol < Infinity)) throw new InvalidInputError('impliedVol', impliedVol, 'must be a finite vol > 0');
  if (!(neutralBand >= 0 && neutralBand < 1)) throw new InvalidInputError('neutralBand', neutralBand, 'must be in [0, 1)');
  const ratio = realisedVol / impliedVol;
  const regime: VolRegime = ratio > 1 + neutralBand ? 'realised-above-implied' : ratio < 1 - neutralBand ? 'realised-below-implied' : 'neutral';
  return {
    realisedVol,
    impliedVol,
    realisedOverImplied: ratio,
    varianceSpread: realisedVol * realisedVol - impliedVol * impliedVol,
    regime,
    jump: input.jump ?? false,
  };
}
