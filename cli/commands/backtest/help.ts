/** `hedge backtest --help`: every flag, the config format, the definitions of the numbers. */
export const BACKTEST_HELP = `hedge backtest — what hedging an options book costs, over simulated or replayed prices

Usage:
  hedge backtest --config FILE [flags]        a book, market, policy and costs from a file
  hedge backtest [flags]                      a one-option book and a simple policy from flags
  hedge backtest ... --sweep KEY=v1,v2,...    one backtest per value: the cost/risk frontier

What it does: writes (or buys) the book at t0 at its Black-Scholes value, then along
each price path calls the hedge policy engine at every step with the book's risk (BSM
Greeks at the pricing vol, the hedge position included), fills its orders at the step's
price with fees, slippage and gas — or, with venues, on the venue of their instrument
priced by its cost model (see Venues) — and settles the options at expiry. Seeded: the same
command gives the same numbers; path p is the same in every run with the same seed, so
runs of a sweep see the same paths (common random numbers).

Definitions (USD; PV = discounted to t0 at the risk-free rate):
  bookValue        Black-Scholes value of the book as held at t0 (Σ quantity × price:
                   negative for a written book). premium = −bookValue.
  hedgeCost        per path: the PV of every cash flow after the premium — option payoffs,
                   hedge gains/losses, carry, fees, slippage, gas — as money paid by the
                   hedger. The premium is NOT included (Hull's "cost of writing and
                   hedging"): for a written book the mean is close to the premium, and a
                   perfect hedge has std 0. Reported: mean, std, p05, p95 over the paths.
  pnl              per path: premium − hedgeCost.
  ratio            std(hedgeCost) / |bookValue|.
  tradesPerPath    executed orders per path, the unwind at the horizon included.
  transactionCosts fees + slippage + gas, PV per path.
  timeOutsideBand  fraction of the time the delta carried between steps (after the
                   policy's trades) was outside the configured band (band.trigger, no vol
                   scaling); decisionsOutsideBand: fraction of steps at which the policy
                   found it outside. null without a band.
  attribution      mean PV by source, same sign as hedgeCost, parts sum to its mean:
                   option (book payoffs/marks), hedge (−gains of the perp/spot hedge),
                   hedgeOptions (options traded by the policy at their model value,
                   less payoffs/marks), optionSpread (what an option venue charged over
                   the model value: its vol against the pricing vol), financing (carry of
                   a spot hedge: interest on the cash tied up less the yield), funding
                   (what a perp hedge paid, or received, in funding), fees, slippage
                   (price impact on venues), gas, liquidityFees (the fee income of the
                   book's liquidity positions, received: negative). A liquidity
                   position's mark at the horizon is in option.
  partialFills     orders a routed venue filled only in part (its pools at capacity);
                   legsPerPath: venue legs per path (a routed order: one per pool used).
  tailRisk         VaR and CVaR (expected shortfall) of the hedge cost at 95% and 99%,
                   upper tail (the cost is money paid: larger is worse). VaR_a = the
                   ceil(n·a)-th smallest hedge cost, exceeded on at most 1−a of the paths;
                   CVaR_a = the mean of the worst fraction 1−a of the paths. The loss of
                   the hedged book (−P&L) is the same less the premium (lossVar, lossCvar).
                   Monte-Carlo standard errors: VaR from the spacing of the order
                   statistics ±√(na(1−a)) ranks around it (with a distribution-free 95%
                   interval), CVaR = sd((cost − VaR)⁺)/((1−a)√n); "—" (null) when too few
                   paths lie beyond.
  maxDrawdown      per path, the worst peak-to-trough fall of the hedged book's value
                   (premium − costs so far + live options at Black-Scholes, PV, after each
                   step's trades); reported: mean ± s.e., p95, p99, worst and its path.
  worstPaths       the five costliest paths by id: --only-path ID runs one alone.
  Cash earns/pays the risk-free rate; in PV at that rate the interest nets to zero.
  At the horizon the perp/spot hedge is unwound (a trade with its costs) and options
  still alive (horizon or data ending before expiry) are marked at Black-Scholes.
  One path (a replay) has no distribution: std, percentiles, the confidence interval
  and the ratio are shown as not defined (null in --json, with the reason).

Flags (override the config's fields; a value may also be written --flag=value):
 book (a one-option book; with --config the book must have one option):
  --type call|put       option type                                   [call]
  --strike K            strike, USD                                   [the spot]
  --maturity DUR        time to expiry                                [30d]
  --quantity Q          signed units of the underlying, negative = written   [-1]
 market:
  --spot S              initial price, USD                            [100]
                        (a replay of several CSVs, windows or a bootstrap: the price
                        every path is rescaled to start at [the first CSV's first price])
  --drift MU            real-world drift of the price, per year        [0]
  --vol SIGMA           volatility of the price (diffusion part), per √year   [0.2]
  --rate R              risk-free rate (continuous), per year          [0]
  --yield Q             yield/carry of the underlying, per year        [0]
  --implied-vol V       vol the options are priced (and by default hedged) at
                        [GBM: --vol; Merton: √(σ² + λ(m² + s²)); GARCH: its long-run
                        vol; replay: realised vol]
  --funding-rate F      annual funding paid by a long perp             [rate − yield]
  --hedge-with W        the vol of the hedge's delta: implied, or path (the paths' own
                        vol, as above; a replay's is known only afterwards)   [implied]
  --jumps L,M,S         Merton jump-diffusion: L jumps/year, log size ~ N(M, S²)
                        (M < 0: flash crashes; drift stays compensated); "off" = GBM
  --csv FILE            replay a price CSV instead (one path; see below); several
                        (--csv a.csv,b.csv or --csv repeated): each CSV is a path
  --csv-column C        the CSV's price column: a header name (close) or a number
                        [the 2nd of two columns; else the column named close or price]
  --windows-every DUR   rolling windows of the CSV(s), each as long as the run, one
                        starting every DUR: each window is a path (market.windows)
  --bootstrap-block DUR the stationary block bootstrap of the CSV(s)' returns, blocks of
                        DUR on average: --paths paths drawn by seed (market.bootstrap)
 policy (HedgePolicyConfig; quick runs hedge at every step when no trigger is given):
  --hedge-every DUR     cadence: hedge to the target every DUR; "off" removes it
  --band X              delta band: trade when |delta| > X units; "off" removes it
  --min-trade X         skip orders below X units                      [0]
  --hedge-instrument perp|spot                                         [perp]
  --cppi-multiplier M   the CPPI multiplier of the config's policy.insurance
  --insurance-band B    the relative band of its insurance (0.05: trade when the
                        exposure is 5% off its target)
  --crash-breaker on|off|hold|risk-reducing
                        the config's policy.crashBreaker as it is, without it, or
                        with that plan (compare them: --sweep crash-breaker=off,hold)
 costs:
  --fee-bps B           proportional fee, bps of traded notional       [0]
  --slippage-bps B      fixed slippage, bps of traded notional         [none]
  --impact-k K --adv A  square-root impact instead: slippage fraction k·σ_day·√(|q|/A),
                        σ_day = pricing vol/√365, A = average daily volume (units/day)
  --gas-usd G           fixed cost per trade, USD                      [0]
 venues (instead of costs; see Venues):
  --venues NAME         the venue set of the config's "venues" the run executes on
                        [venues.use; the only set when there is one]
 simulation:
  --paths N             number of paths, at most 10,000,000 (per-path results stay in
                        memory: about 120 bytes a path, 1.2 GB at the cap)   [10000]
                        (several CSVs or windows: the first N of them   [all])
  --seed S              seed (integer ≥ 0)                             [1]
  --steps N             N equal steps to the horizon, or
  --step DUR            one step every DUR    [a pure cadence: its interval; else 100 steps]
                        (several CSVs, windows, bootstrap: the rows' spacing or coarser)
                        The policy only acts on the grid: when the cadence is finer than
                        the step, or not a whole number of steps, the step is refined to
                        one that divides it (and the output says so).
  --horizon DUR         end of the run                                 [last expiry]
  --start ISO           the clock at t0 (daily caps, cooldowns, hedge option expiries)
                        [2025-01-01T00:00:00Z]
  --only-path ID        run path ID (0 … paths − 1) of the run alone: the same prices
                        and numbers as inside the whole run (one random stream per seed
                        and path); e.g. a path the costliest-paths list names. Not for a
                        replay of one series (one path). simulation.onlyPath in a config.
 output:
  --json                one JSON object instead of the table; its "config" is a valid
                        config file that reproduces the run (--config FILE)
  --sweep KEY=v1,v2,..  one run per value of flag KEY (e.g. band=0.05,0.1,0.2 or
                        hedge-every=1d,2d,1w); repeat --sweep for several series on
                        the same frontier. Prints the frontier (mean cost against std)
                        and writes an SVG chart. A flag given beside --sweep is the value
                        of the other sweeps' runs; a flag that every sweep replaces is an
                        error. Only policy, venue and grid sweeps (hedge-every, band,
                        min-trade, hedge-instrument, venues, step, steps, crash-breaker,
                        cppi-multiplier, insurance-band) mark efficient
                        points (venues=single-pool,routed,perp compares venue sets on the
                        same paths): other keys
                        (paths, seed, the market, the book, costs) change the sample or
                        the problem, not the policy.
  --chart FILE.svg      with --sweep: the frontier, mean cost against std, ±2 s.e. bars
                        on the means, a dashed line at the premium, labels in their units
                        [./backtest-frontier.svg]. Without --sweep: the run's P&L
                        histogram (when it has more than one path) and one path over
                        time: spot with the strikes and every trade, the options' delta,
                        the hedge and the net delta in the band, gamma, vega, the hedged
                        book's value (ends at the path's P&L) and the costs so far
  --chart-path P        the path --chart draws: costliest, median or a path id [costliest]
  --paths-out FILE.csv  one row per path (not with --sweep): path, hedge_cost, pnl,
                        trades, traded_units, the attribution (option, hedge,
                        hedge_options, option_spread, financing, funding, fees, slippage,
                        gas, liquidity_fees), transaction_costs, max_drawdown, realised_vol, jumps,
                        the P&L by Greek, csv and start (the CSV and window a replayed
                        path comes from); numbers in full (a row equals the path alone)
  --sweep-out FILE.csv  the sweep's table, one row per run (only with --sweep): mean ± s.e.,
                        std, ratio, VaR/CVaR 95/99% with their s.e., mean max drawdown,
                        trades, the attribution, the premium, efficient
  --progress            progress on stderr even when it is not a terminal (a line every
                        10% with the time left); on a terminal it is always shown, with
                        the run's size (paths × steps) before it starts
  --help                this text

Durations: 20w, 0.5w, 1d, 4h, 30m, 45s, 250ms, 2y, or a plain number of years (a week is
7/365 of a year, a day 1/365).

Config file (JSON; unknown fields are errors; examples in examples/backtest/):
  {
    "description": "free text",
    "market": {                     one of:
      "model": "gbm",    "spot": 49, "drift": 0.13, "vol": 0.2,
      "model": "merton", "spot", "drift", "vol", "jumps": {"intensity": 2, "mean": -0.15, "std": 0.05},
      "model": "garch",  "spot", "drift", "interval": "1h", "omega": 3e-7, "alpha": 0.05,
                         "beta": 0.93, "initialVol": 0.9 (optional; default the long run)
                         (omega, alpha, beta per interval, as hedge vol fit prints them)
      "model": "replay", "csv": "prices.csv" | ["a.csv", "b.csv"], "column": "close" (optional)
                                    (csv: relative to the config file)
                 optional: "windows": {"every": "1d"} | "bootstrap": {"meanBlock": "12h"},
                           "spot": 3000 (where the paths of several CSVs, windows or a
                           bootstrap start)
      and for all: "rate": 0.05, "yield": 0, "impliedVol": 0.2, "fundingRate": 0.05 (optional)
    },
    "book": [ {"id": "c1", "type": "call", "strike": 50, "maturity": "20w",
               "quantity": -100000, "vol": 0.2 (optional)},
              a Uniswap V3 liquidity position (held; see Liquidity positions):
              {"id": "lp1", "type": "uniswap-v3-liquidity", "fee": 500 (optional),
               "lowerPrice": 2500, "upperPrice": 3600 | "tickLower": 78240,
               "tickUpper": 81900 (+ optional "baseIsToken0", "baseDecimals",
               "quoteDecimals", as the live position),
               "liquidity": 1000 | "valueUsd": 100000 | "units": 30,
               "feeApr": 0.15 (optional)} ],
    "policy": { the hedge policy config of the account (HedgePolicyConfig): "underlying",
                "hedgeInstrument", "band", "cadence" (everyMs), "priceMove", "volScaling",
                "whalleyWilmott", "limits" (with "hedgeOptions": options the policy may
                trade, priced at BSM; expiryMs is epoch ms on the run's clock), "guards",
                "slicing" — durations there are milliseconds },
    "costs": { "feeBps": 2, "gasUsd": 1.5,
               "slippage": {"model": "none"} | {"model": "fixed", "bps": 3}
                         | {"model": "sqrt", "k": 0.8, "adv": 500000} },
    "venues": { "use": "routed",    (optional: orders execute on venues, not "costs")
      "sets": { "NAME": { "hedgeInstrument": "spot" (optional: the set's delta instrument),
                          "venues": [ at most one venue per instrument:
        {"kind": "uniswap-v3", "fee": 500, "depth": 5000, "gasUsd": 2},
        {"kind": "uniswap-routed", "slices": 10, "pools": [
           {"version": "v3", "fee": 3000, "depth": 10000, "gasUsd": 2},
           {"version": "v2", "depth": 2500, "gasUsd": 1.6} ]},
        {"kind": "perp-v2", "feeRatio": 0.001, "depth": 5000, "gasUsd": 0.5,
         "funding": {"model": "constant", "annualRate": 0.1}
                  | {"model": "meanReverting", "mean": 0.1, "halfLife": "7d",
                     "vol": 1, "start": 0.1}},   [constant at market.fundingRate]
        {"kind": "lyra-v1", "baseVol": 0.6, "skew": -0.1, "premiumFee": 0.01,
         "spotFee": 0.001, "gasUsd": 1} ] } } },
    "simulation": { "paths": 10000, "seed": 1, "steps": 100 | "step": "1d",
                    "horizon": "20w", "start": "2025-01-01T00:00:00Z" }
  }

Venues (shared/domain/backtest/venue-costs.ts; fees in hundredths of a bp, depth in units
of the underlying a pool holds at the start price, gas in USD per leg or trade):
  pools      a full-range constant-product pool, L = depth·√S₀, at price S: x = L/√S units,
             y = L·√S USD; the fee φ is taken from the input: a sell of q receives
             y·q(1−φ)/(x+q(1−φ)), a buy pays y·q/((x−q)(1−φ)) (V2 pairs: φ = 0.3 %, to the
             raw unit of Uniswap V2's getAmountOut/getAmountIn). Each order meets the
             pool at the step's price.
  routed     as production: each pool quoted at 1..slices slices of the order, the
             split that costs least with each leg's gas (splitOrder), a partial fill
             when the pools cannot fill it all.
  perp-v2    the pool model without a pool fee plus feeRatio of the quote amount;
             funding h·S·f·Δt per step at the funding model's rate f (constant, or
             Ornstein–Uhlenbeck around "mean" with "halfLife" and "vol" per √year).
  lyra-v1    Black-Scholes at the venue vol baseVol + skew·ln(K/S) (baseVol: the
             option's own vol unless given), plus premiumFee of that premium and
             spotFee of the spot per contract (a sell receives 0 when fees exceed it).
  A set must have a venue for the policy's delta instrument, and an option venue
  when the policy has hedge options (as the live config API refuses otherwise).

Liquidity positions ("type": "uniswap-v3-liquidity" in the book): a concentrated range
held by the operator, valued with the pool's closed form (V = P·x + y, x = L(1/√P − 1/√Pb),
y = L(√P − √Pa) inside the range; all base below it, all quote above). Its value at t0 is
in bookValue (positive: premium = −bookValue is what buying it cost), its delta x and
gamma −L/(2P^1.5) (0 outside the range) are added to the risk the policy sees at every
step, and at the horizon it is marked at its exact value (no cost; attribution: option).
Range: lowerPrice/upperPrice in USD per unit, or the pool's ticks (price 1.0001^tick,
converted with baseIsToken0 [true] and the decimals [0, 0]; with "fee", the ticks must
sit on its tick spacing). Size: liquidity (√(USD·unit); with ticks and decimals the
pool's raw L), or valueUsd / units (its value at the start price, USD or units of the
underlying, from which L is derived). feeApr: fees earned while in range, a fraction of
the position's value per year (V at each step's start price, not compounded, received as
cash): the liquidityFees line, and the LP's theta in the P&L by Greek. Without feeApr
no fee income is modelled. A book of liquidity positions only needs simulation.horizon.

Portfolio insurance (policy.insurance, "book": []): the capital starts in cash; the
evaluator's own decision (the insurance ledger, CPPI or synthetic put) buys and sells the
underlying (hedgeInstrument) to its target at every step; simulation.horizon ends the
run. Reported at the horizon, USD not discounted, the risky leg sold and every cost paid:
the value (and the capital held unhedged in the asset), the share of paths ending under
the floor (± s.e.) and under it at some decision, the mean shortfall of those paths and
the mean of the 1% worst shortfalls, upside/downside capture (the insured gain over the
unhedged one on the paths where the asset rose/fell) and turnover (notional / capital).
The floor of a share-of-high rule is taken on the portfolio's own high-water mark.
Crash breaker (policy.crashBreaker): decided as live, each step an oracle round (the
move trigger's σ: the realised EWMA before the step, at least the pricing vol; the
oracle-jump trigger: the step's move; there is no pool in a simulation, so the
pool-oracle trigger never fires). Reported: crashes per path, the time in crash mode,
and orders the slices plan's slippage limit refused (as dispatch would refuse them).
Runaway protection (policy.runaway) is refused: in a simulation every fill is recorded as
it happens, so it could never trip.

Replay CSV: a timestamp in the first column and the price in another, one row per
observation, optional header line, in increasing time order; every row has the same
number of values. "timestamp,price" needs nothing more; a wider file (date,open,high,
low,close) is read at its "close" (else "price") column, or the one --csv-column names.
Timestamps: ISO-8601 (no offset = UTC) or epoch numbers (seconds below 1e11,
milliseconds from 1e11). t0 is the first row; options settle at the first row at or
after their expiry; the grid is the rows themselves (a cadence finer than the rows is
an error).
Several paths from recorded prices (a distribution instead of one path): several CSVs
(each a path, each as long as the run), rolling windows (market.windows: one window as
long as the run every "every", in each CSV; overlapping windows share prices, so their
errors understate) or the stationary block bootstrap of Politis & Romano (market.
bootstrap: each step takes the next one-step log return of the data, or with probability
step/meanBlock a random one; simulation.paths paths, path p from stream (seed, p)). The
grid is then regular: the rows' spacing (the median gap of the coarsest CSV) or a coarser
simulation.step, each instant at the last row at or before it; every path is rescaled to
start at market.spot (default the first CSV's first price), so a book keeps its moneyness.

Models: GBM dS/S = μdt + σdW (exact log-normal steps). Merton: dS/S = (μ − λκ)dt + σdW +
jumps, log jump ~ N(m, s²), κ = e^{m+s²/2} − 1, so E[S_t] = S₀e^{μt}. GARCH(1,1): per
interval τ, ln(S_{t+τ}/S_t) = μτ − σ²_t/2 + ε_t, σ²_{t+τ} = ω + αε²_t + βσ²_t (a grid step
that cuts an interval keeps its variance; the interval's shocks update it). Random numbers:
xoshiro128** streams per (seed, path), normals by inversion (Wichura AS 241).

Exit status: 0 done; 2 bad flags, config, CSV or sweep (nothing is run); 1 a run failed;
130 stopped by Ctrl-C: the run stops after its current block of paths (about 250,000
path-steps) and reports the paths done — the run of --paths N, which its config says and
reproduces — or, in a sweep, the runs done; a second Ctrl-C quits at once.
Progress is shown on stderr when it is a terminal (or with --progress), after a line with
the run's size (paths × steps, memory, a rough time).

Examples:
  hedge backtest --spot 49 --strike 50 --maturity 20w --quantity -100000 --vol 0.2 \\
    --rate 0.05 --drift 0.13 --hedge-every 1w
  hedge backtest --config examples/backtest/hull-weekly.json --json
  hedge backtest --config examples/backtest/hull-weekly.json --paths 10000 --paths-out paths.csv
  hedge backtest --config examples/backtest/hull-weekly.json --paths 10000 --only-path 1511
  hedge backtest --config examples/backtest/eth-short-call.json \\
    --sweep band=2,5,10,20 --sweep hedge-every=4h,1d,3d,1w --chart frontier.svg
  hedge backtest --config examples/backtest/venues.json --sweep venues=single-pool,routed,perp
  hedge backtest --config examples/backtest/hull-weekly.json --paths 2000 --chart run.svg
  hedge backtest --csv examples/backtest/eth-hourly-90d.csv --strike 3000 --maturity 7d \\
    --quantity -50 --band 2 --windows-every 1d
`;
