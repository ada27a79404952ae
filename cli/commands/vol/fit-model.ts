/**
 * `hedge vol fit`'s computation: prices → log returns → the fitted model → forecasts,
 * jumps and the regime, as one plain object (the JSON the command prints). Everything
 * numeric is the pure core's (shared/domain/volatility); this file only chooses and
 * names.
 */
import type { PriceSeries } from '../../../shared/contracts/backtest-config.ts';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND } from '../../../shared/domain/backtest/durations.ts';
import { MS_PER_YEAR } from '../../../shared/domain/exposure/positions.ts';
import { fitEwma, MIN_EWMA_RETURNS, type EwmaFit } from '../../../shared/domain/volatility/ewma.ts';
import { fitGarch, MIN_GARCH_RETURNS, type GarchFit } from '../../../shared/domain/volatility/garch-fit.ts';
import { bipowerJumpTest, MIN_BIPOWER_RETURNS, shockJumps } from '../../../shared/domain/volatility/jump-detection.ts';
import { logReturns } from '../../../shared/domain/volatility/log-returns.ts';
import { samplingIntervalMs, stepsPerYear } from '../../../shared/domain/volatility/sampling.ts';
import { longRunVariance, volTermStructure } from '../../../shared/domain/volatility/variance-forecast.ts';
import { volRegimeSignal, type VolRegimeSignal } from '../../../shared/domain/volatility/vol-regime.ts';
import { UsageError } from '../backtest/usage-error.ts';
import type { VolFitFlags } from './fit-flags.ts';

/** A standardised residual beyond this many conditional sigmas is reported as a jump. */
export const JUMP_THRESHOLD = 4;

/** A duration in steps and in time; null where it is infinite (a unit-root variance). */
export type Span = { readonly steps: number; readonly ms: number; readonly text: string } | null;

export interface ForecastPoint {
  /** The horizon as given, e.g. "1d". */
  readonly horizon: string;
  /** It, in sampling steps (fractional when it is not a whole number of them). */
  readonly steps: number;
  /** √(average variance per step over the horizon), annualised: the vol to hedge the horizon with. */
  readonly vol: number;
  /** The vol of the horizon's last step, annualised. */
  readonly terminalVol: number;
}

/** What `hedge vol fit --json` prints. */
export interface VolFitReport {
  readonly model: 'garch' | 'ewma';
  /** Returns fitted (prices − 1). */
  readonly observations: number;
  readonly sampling: { readonly intervalMs: number; readonly interval: string; readonly stepsPerYear: number };
  readonly params: { readonly mu: number; readonly omega: number; readonly alpha: number; readonly beta: number } | { readonly lambda: number };
  readonly standardErrors: { readonly mu: number | null; readonly omega: number | null; readonly alpha: number | null; readonly beta: number | null } | { readonly lambda: number | null };
  /** GARCH: the constraints the fit ended on (their standard errors are null). */
  readonly atBound?: readonly string[];
  /** GARCH: the recursion's start and whether the long-run variance was targeted. */
  readonly start?: 'sample' | 'presample';
  readonly varianceTargeting?: boolean;
  /** EWMA: whether λ was fitted or given. */
  readonly lambdaSource?: 'fitted' | 'fixed';
  readonly logLikelihood: number;
  /** α + β (1 for EWMA). */
  readonly persistence: number;
  /** GARCH: a variance shock's half-life; EWMA: an observation weight's half-life. */
  readonly halfLife: Span;
  /** The next step's conditional vol, annualised. */
  readonly annualisedVol: number;
  /** √(ω/(1 − α − β)) annualised; null for EWMA (no level to revert to). */
  readonly longRunVol: number | null;
  readonly forecast: readonly ForecastPoint[];
  readonly jumps: {
    readonly threshold: number;
    /** Returns whose residual was beyond `threshold` conditional sigmas. */
    readonly count: number;
    readonly latest: { readonly time: string; readonly return: number; readonly z: number } | null;
    /** The bipower test over the whole sample (null with fewer than 10 returns). */
    readonly bipower: { readonly relativeJump: number; readonly statistic: number; readonly pValue: number; readonly jump: boolean } | null;
  };
  /** With --implied-vol: the first horizon's forecast vol against it; jump = the last return was one. */
  readonly regime?: VolRegimeSignal;
}

const READABLE_UNITS: readonly (readonly [string, number])[] = [['y', MS_PER_YEAR], ['d', MS_PER_DAY], ['h', MS_PER_HOUR], ['m', MS_PER_MINUTE], ['s', MS_PER_SECOND]];

/** A duration for people, in its largest whole unit to 3 significant digits: "39.1h", "2.5d", "79.1y". */
export function readableDuration(ms: number): string {
  for (const [unit, size] of READABLE_UNITS) if (ms >= size) return `${Number((ms / size).toPrecision(3))}${unit}`;
  return `${Number(ms.toPrecision(3))}ms`;
}

function span(steps: number, intervalMs: number): Span {
  if (!Number.isFinite(steps)) return null;
  const ms = steps * intervalMs;
  return { steps, ms, text: readableDuration(ms) };
}

function fitModel(returns: Float64Array, flags: VolFitFlags): GarchFit | EwmaFit {
  if (flags.model === 'ewma') return fitEwma(returns, flags.lambda === undefined ? {} : { lambda: flags.lambda });
  return fitGarch(returns, { start: flags.start ?? 'sample', varianceTargeting: flags['variance-targeting'] ?? false });
}

/**
 * Fits the model the flags ask for to `series` and reports it. `source` names the file
 * in errors. Too few prices and a constant series are UsageErrors here, before any
 * fitting; a series the core still refuses (constant up to rounding: prices growing at
 * an exactly steady rate) comes back from it as an InvalidInputError.
 */
export function volFitReport(series: PriceSeries, flags: VolFitFlags, source: string): VolFitReport {
  const minimum = flags.model === 'garch' ? MIN_GARCH_RETURNS : MIN_EWMA_RETURNS;
  const count = series.prices.length;
  if (count - 1 < minimum) {
    throw new UsageError(`${source} has ${count} prices: ${flags.model === 'garch' ? 'a GARCH(1,1)' : 'an EWMA'} fit needs at least ${minimum + 1} (${minimum} returns)`);
  }
  const returns = logReturns(series.prices);
  if (returns.every((r) => r === returns[0])) {
    throw new UsageError(`${source}: the series is constant (all ${returns.length} returns are ${returns[0] === 0 ? 'zero' : 'equal'}), so it has no volatility to fit`);
  }
  const fit = fitModel(returns, flags);
  const intervalMs = samplingIntervalMs(series.timesMs);
  const perYear = stepsPerYear(intervalMs);
  const n = returns.length;
  const annualise = (variance: number): number => Math.sqrt(variance * perYear);

  const horizons = flags.horizon.map((h) => ({ text: h.text, steps: h.ms / intervalMs }));
  const forecast = volTermStructure(
    fit.dynamics,
    horizons.map((h) => h.steps),
    perYear,
  ).map((point, i): ForecastPoint => ({ horizon: horizons[i]!.text, steps: point.steps, vol: point.averageVol, terminalVol: point.terminalVol }));

  const mu = fit.model === 'garch' ? fit.params.mu : 0;
  const shocks = shockJumps(returns, fit.conditionalVariances, { mu, threshold: JUMP_THRESHOLD });
  const latestShock = shocks[shocks.length - 1];
  const bipower = n >= MIN_BIPOWER_RETURNS ? bipowerJumpTest(returns) : undefined;
  const jumps: VolFitReport['jumps'] = {
    threshold: JUMP_THRESHOLD,
    count: shocks.length,
    latest: latestShock ? { time: new Date(series.timesMs[latestShock.index + 1]!).toISOString(), return: returns[latestShock.index]!, z: latestShock.z } : null,
    bipower: bipower ? { relativeJump: bipower.relativeJump, statistic: bipower.statistic, pValue: bipower.pValue, jump: bipower.jump } : null,
  };
  const regime =
    flags['implied-vol'] === undefined ? undefined : volRegimeSignal({ realisedVol: forecast[0]!.vol, impliedVol: flags['implied-vol'], jump: latestShock?.index === n - 1 });

  const sampling = { intervalMs, interval: readableDuration(intervalMs), stepsPerYear: perYear };
  // Keys in the order the issue lists them, then the extras.
  const tail = { forecast, jumps, ...(regime ? { regime } : {}) };
  if (fit.model === 'ewma') {
    return {
      model: 'ewma',
      observations: n,
      params: { lambda: fit.lambda },
      standardErrors: { lambda: fit.lambdaStandardError },
      logLikelihood: fit.logLikelihood,
      persistence: 1,
      halfLife: span(fit.halfLifeSteps, intervalMs),
      annualisedVol: annualise(fit.dynamics.nextVariance),
      longRunVol: null,
      sampling,
      lambdaSource: fit.lambdaSource,
      ...tail,
    };
  }
  const longRun = longRunVariance(fit.dynamics);
  return {
    model: 'garch',
    observations: n,
    params: fit.params,
    standardErrors: fit.standardErrors,
    logLikelihood: fit.logLikelihood,
    persistence: fit.persistence,
    halfLife: span(fit.halfLifeSteps, intervalMs),
    annualisedVol: annualise(fit.dynamics.nextVariance),
    longRunVol: Number.isFinite(longRun) ? annualise(longRun) : null,
    sampling,
    atBound: fit.atBound,
    start: fit.start,
    varianceTargeting: fit.varianceTargeting,
    ...tail,
  };
}
