/** The help texts of `hedge vol` and `hedge vol fit`. */

export const VOL_HELP = `hedge vol — volatility models of a price series

Usage: hedge vol <command> [--help]

Commands:
  fit   fit GARCH(1,1) or EWMA to a price CSV and forecast vol over hedge horizons
        (hedge vol fit --help)
`;

export const VOL_FIT_HELP = `hedge vol fit — fit a volatility model to a price series and forecast it

Usage: hedge vol fit --csv FILE [--model garch|ewma] [--horizon 1d[,7d,...]] [--json]

  --csv FILE            prices in the replay format: timestamp,price per line (ISO-8601
                        or epoch seconds/ms; a header line and # comments are allowed)
  --csv-column C        the price column of a wider file (a header name or a number)
  --model garch|ewma    GARCH(1,1) by Gaussian maximum likelihood (default), or the
                        RiskMetrics EWMA
  --horizon LIST        hedge horizons to forecast over, comma-separated durations
                        (e.g. 4h,1d,7d; default 1d)
  --json                one JSON object instead of the table
  GARCH only:
  --variance-targeting  fix the long-run variance at the sample's: ω = s²·(1 − α − β)
  --start sample|presample
                        where the variance recursion starts: σ²₁ = s² (sample, default)
                        or σ²₀ = ε²₀ = s² (presample: the convention of the FCP benchmark,
                        fGarch, rugarch and TSP)
  EWMA only:
  --lambda L            a fixed decay in (0, 1), e.g. 0.94 (RiskMetrics daily); default:
                        fitted by maximum likelihood
  --implied-vol V       the options' implied vol (0.6 = 60%): adds the regime signal,
                        forecast vol over the first horizon against V
  --help                this text

The model: log returns rₜ = ln(Pₜ/Pₜ₋₁) = μ + εₜ, εₜ = σₜzₜ, with
  GARCH(1,1)  σ²ₜ = ω + α·ε²ₜ₋₁ + β·σ²ₜ₋₁  (ω > 0, α, β ≥ 0, α + β < 1)
  EWMA        σ²ₜ = λ·σ²ₜ₋₁ + (1 − λ)·r²ₜ₋₁  (μ = 0; a flat forecast)
Parameters are per sampling step. Vols are annualised (ACT/365) with the mean spacing
of the timestamps; a forecast's vol is √(average variance per step over the horizon).
Standard errors come from the Hessian of the log-likelihood; a parameter on a bound
(α or β = 0, α + β = 1) has none (null).

JSON: {model, observations, sampling, params, standardErrors, logLikelihood,
       persistence, halfLife, annualisedVol, longRunVol, forecast: [{horizon, steps,
       vol, terminalVol}], jumps, regime?} — annualisedVol is the next step's vol.

Exit status: 0 done; 2 bad flags, an unreadable or bad CSV, too few prices, or a
constant series (one line on stderr).

Example:
  hedge vol fit --csv examples/backtest/eth-sample.csv --horizon 4h,1d
`;
