/**
 * The backtest simulator: writes an options book at t0, hedges it along each price path
 * with the policy engine, and measures the present value of what that cost.
 *
 * ## What one path does
 *
 * At every grid instant t_k (price S_k, discount factor D_k = e^{−r·t_k}):
 * 1. the hedge held since t_{k−1} is marked to market: it gains h·(S_k − S_{k−1}); spot
 *    pays its carry h·S_{k−1}·(e^{(r−q)·Δt} − 1) (interest on the cash tied up, less the
 *    yield received: financing); a perp pays funding, h·S_{k−1}·(e^{f·Δt} − 1) at the
 *    spec's funding rate f (by default r − q, which makes a perp and a financed spot
 *    position the same thing), or, on a perp venue, h·S_{k−1}·f_{k−1}·Δt at its funding
 *    model's rate (venue-costs.ts);
 * 2. options that expire at t_k pay their payoff (an option whose expiry is not on the
 *    grid — replayed data — settles at the first instant at or after its expiry);
 * 3. at the last instant (the horizon) the hedge is unwound at S_k, paying the costs of
 *    a trade like any other, and options still alive are marked at their Black-Scholes
 *    value (no cost) — only when the horizon is before their expiry;
 * 4. otherwise the policy observes the price, gets the book's risk (BSM Greeks of every
 *    live option at the pricing vol, plus the delta of the hedge position), decides,
 *    and its orders fill at S_k (options at their BSM value) with fees, slippage and gas —
 *    or, when the spec has venues, on the venue of their instrument with its cost model
 *    (venue-costs.ts: pools and routing, the perp, the option market), as production
 *    sends an order to the venue of its instrument.
 *
 * ## Definitions (the sign convention of every number returned)
 *
 * - `bookValue`: the Black-Scholes value at t0 of the options as held (Σ q·V), so a
 *   written book has a negative value. `premium` = −bookValue: what writing it at fair
 *   value brings in (negative when the book is bought).
 * - **hedge cost** of a path: the PV at t0 (discounted at r) of every cash flow after the
 *   premium: option payoffs, hedge gains and losses, carry, fees, slippage and gas, with
 *   the sign of money paid by the hedger. The premium is not in it (J. Hull's "cost of
 *   writing and hedging"), so for a written book its mean is close to the premium, and
 *   a perfect hedge has a zero standard deviation. Cash earns or pays r: in PV at r that
 *   interest nets to zero, so it needs no line of its own.
 * - `pnl` of a path: premium − hedge cost.
 * - `ratio`: std(hedge cost) / |bookValue|.
 * - attribution (same sign as the hedge cost, parts sum to it path by path):
 *   `option` (PV of the book's payoffs and marks, paid − received), `hedge` (the delta
 *   hedge's price moves, −gains), `hedgeOptions` (premiums paid for options the policy
 *   trades at their model value, less their payoffs and marks), `optionSpread` (what an
 *   option venue charged over the model value: its vol against the pricing vol), `financing`
 *   (the carry of spot), `funding` (the perp's funding), `fees`, `slippage` (price impact),
 *   `gas`.
 *
 * The loop allocates nothing of its own per step: prices, Greeks and per-path results
 * live in typed arrays and the policy's input objects are reused (the policy must not
 * keep references to its input between calls — a pure function never does). On venues,
 * an order on a routed venue allocates in `splitOrder` (production's own function, used
 * as is), which makes such runs about twice as slow as one pool; nothing else does.
 */
import type { HedgePolicyConfig } from '../../contracts/hedge-policy-config.ts';
import { InvalidInputError } from '../errors.ts';
import { MS_PER_YEAR } from '../exposure/positions.ts';
import { bsmGreeksRowInto } from '../pricing/black-scholes-merton.ts';
import { validateBsmBatch } from '../pricing/greeks-batch.ts';
import { GREEK_COUNT } from '../pricing/greeks.ts';
import { allocateBsmBatch } from '../pricing/option-batch.ts';
import { requireFinite, requireNonNegative, requirePositive } from '../pricing/option-inputs.ts';
import type { GuardedDecision, GuardInputs } from '../policy/guarded-decision.ts';
import type { Decision, HedgeOrder, HedgeState, PolicyInput } from '../policy/policy-types.ts';
import { floorOf } from '../policy/portfolio-insurance.ts';
import type { PolicyGuardState } from '../../contracts/policy-guard-state-schema.ts';
import { describeCosts, slippageFraction, validateCosts, type CostModel } from './costs.ts';
import { effectiveCadenceMs, gridIntervalMs, honoursCadence, shortestSpacingMs } from './cadence-grid.ts';
import { evaluateLiquidityBook, liquidityBookAt, validateBookLiquidity, type BookLiquidity } from './liquidity-book.ts';
import { buildTimeGrid, createPathSource, replayGrid, validateMarket, type GridSpacing, type MarketModel, type PathSource, type TimeGrid } from './market-paths.ts';
import { allocatePathTrace, type PathTrace, type PathTraceRequest } from './path-trace.ts';
import { requireSeed, Xoshiro128 } from './random.ts';
import { deltaVenueOf, emptyFillCost, FUNDING_STREAM_BASE, fillFundingRates, optionVenueCash, validateVenueSet, venueVol, type DeltaVenue, type VenueSet } from './venue-costs.ts';
import { summarize, type Summary } from './statistics.ts';
import { insuranceReport, type InsurancePaths, type InsuranceReport } from './insurance-report.ts';

/** An option of the book: a European option on the simulated underlying. */
export interface BookOption {
  readonly id: string;
  readonly optionType: 'call' | 'put';
  readonly strike: number;
  /** Time from the start to expiry, ms. */
  readonly maturityMs: number;
  /** Signed units of the underlying: > 0 bought, < 0 written. */
  readonly quantity: number;
  /** Its implied vol; the market's pricing vol when absent. */
  readonly vol?: number;
}

export interface BacktestSpec {
  readonly market: MarketModel;
  /** Risk-free rate (continuously compounded): discounting, cash, option pricing. */
  readonly rate: number;
  /** Yield (carry) of the underlying, used in option pricing and in the carry of spot. */
  readonly yield: number;
  /** The vol options are priced at (the policy sees it as `impliedVol`). */
  readonly pricingVol: number;
  /**
   * The vol of the hedge's delta (and of every Greek the policy sees); default each
   * option's pricing vol. The paths' own vol here hedges a bought option at the vol that
   * is realised: its P&L then locks in V(realised) − V(implied) as the interval shrinks.
   * Premium, payoffs and marks stay at the pricing vol.
   */
  readonly hedgeVol?: number;
  /** Annual funding rate a long perp pays (default in the contracts: rate − yield). */
  readonly fundingRate: number;
  readonly book: readonly BookOption[];
  /**
   * Uniswap V3 liquidity positions held beside the options (liquidity-book.ts): their
   * value at t0 is in bookValue, their delta and gamma in the risk the policy sees, and at
   * the horizon they are marked at their exact value (in the `option` line); their fee
   * income, when they have a feeApr, is the `liquidityFees` line.
   */
  readonly liquidity?: readonly BookLiquidity[];
  readonly policy: HedgePolicyConfig;
  readonly costs: CostModel;
  /**
   * Number of paths: simulated or bootstrapped paths; a history market's series or
   * windows (at most as many as it has); a replay has exactly one.
   */
  readonly paths: number;
  readonly seed: number;
  /**
   * Id of the first path run (default 0): the run draws paths firstPath … firstPath +
   * paths − 1 of the seed's streams, so `{ firstPath: n, paths: 1 }` is path n of a
   * larger run, number for number. A replay has only path 0.
   */
  readonly firstPath?: number;
  /** Epoch ms of t0: the clock the policy sees (daily caps, cooldowns, option expiries). */
  readonly startMs: number;
  /** End of the run, ms from the start; default the last expiry of the book. */
  readonly horizonMs?: number;
  /**
   * Simulated markets only: the time grid (policy decisions happen on it). A replay's grid
   * is its rows, a history market's its `stepMs`.
   */
  readonly grid: GridSpacing;
  /**
   * The venues orders execute on, one per instrument, each with its cost model
   * (venue-costs.ts); `costs` then does not apply. Absent: every order fills at the
   * step's price with `costs`. An order's instrument must have a venue (checked up front).
   */
  readonly venues?: VenueSet;
}

/** A fill handed back to the policy: the order and its execution price (slippage included). */
export interface Fill {
  readonly order: HedgeOrder;
  readonly price: number;
}

/** The policy engine, injected (production wires shared/domain/policy). */
export interface PolicyFunctions {
  initial(nowMs: number): HedgeState;
  observe(state: HedgeState, price: number, atMs: number, ewmaLambda: number): HedgeState;
  decide(input: PolicyInput): Decision;
  apply(state: HedgeState, decision: Decision, fills: Fill[], nowMs: number): HedgeState;
  /**
   * The decision with the policy's safeguards around the engine (portfolio insurance, the
   * crash breaker), as the evaluator takes it: needed when the policy has `insurance` or
   * `crashBreaker`, whose memory (the insurance ledger, the breaker's window) the simulator
   * carries from one decision to the next of a path.
   */
  decideGuarded?(input: PolicyInput, inputs: GuardInputs): GuardedDecision;
}

export interface Attribution {
  readonly option: number;
  readonly hedge: number;
  readonly hedgeOptions: number;
  /** What an option venue charged above the model value (its vol against the pricing vol). */
  readonly optionSpread: number;
  /** The carry of a spot hedge. */
  readonly financing: number;
  /** The funding a perp hedge paid (> 0) or received. */
  readonly funding: number;
  readonly fees: number;
  readonly slippage: number;
  readonly gas: number;
  /** Fee income of the book's liquidity positions (their feeApr), received: ≤ 0. */
  readonly liquidityFees: number;
  /** The sum of the parts: the mean hedge cost. */
  readonly total: number;
}

export interface BacktestSummary {
  readonly bookValue: number;
  readonly premium: number;
  readonly hedgeCost: Summary;
  readonly pnl: Summary;
  /** std(hedge cost) / |bookValue| (Infinity for a book worth 0; NaN for one path: no std). */
  readonly ratio: number;
  readonly tradesPerPath: number;
  /** Fees + slippage + gas, PV per path. */
  readonly transactionCosts: Summary;
  /** Units of the underlying traded per path (delta-one hedge only). */
  readonly tradedUnitsPerPath: number;
  /**
   * Fraction of the time the delta carried between decisions (after the policy's
   * trades) was outside the configured band (band.trigger at each instant's spot and
   * notional, without vol scaling); null when the policy has no band.
   */
  readonly timeOutsideBand: number | null;
  /** Fraction of decision instants at which the policy found the delta outside the band. */
  readonly decisionsOutsideBand: number | null;
  readonly attribution: Attribution;
  /** Mean P&L by Greek (PerPathResults' pnlGamma … pnlOther), summing to the mean P&L. */
  readonly pnlByGreek: PnlByGreek;
  readonly alertsPerPath: number;
  /** Orders the simulator could not fill (an option already expired or unknown, or a venue without the capacity). */
  readonly skippedOrders: number;
  /** Orders a venue filled only in part (a routed venue at the capacity of its pools), over all paths. */
  readonly partialFills: number;
  /** Venue legs per path (a routed order counts one per pool it used; without venues, one per trade). */
  readonly legsPerPath: number;
  readonly jumpsPerPath: number;
  /** Portfolio insurance's outcome (the policy has `insurance`): the floor, shortfalls, upside, turnover. */
  readonly insurance?: InsuranceReport;
  /** The crash breaker's activity (the policy has `crashBreaker`). */
  readonly crashBreaker?: CrashBreakerActivity;
  readonly paths: number;
  /** Grid intervals per path. */
  readonly steps: number;
  readonly horizonYears: number;
}

/** Per-path results (Float64Array of length paths), for tests and further analysis. */
export interface PerPathResults {
  readonly hedgeCost: Float64Array;
  readonly option: Float64Array;
  readonly hedge: Float64Array;
  readonly hedgeOptions: Float64Array;
  readonly optionSpread: Float64Array;
  readonly financing: Float64Array;
  readonly funding: Float64Array;
  readonly fees: Float64Array;
  readonly slippage: Float64Array;
  readonly gas: Float64Array;
  /** Fee income of the liquidity positions (≤ 0: received), an attribution line like the others. */
  readonly liquidityFees: Float64Array;
  readonly trades: Float64Array;
  readonly jumps: Float64Array;
  /** Units of the underlying traded (delta-one hedge, the unwind included). */
  readonly tradedUnits: Float64Array;
  /**
   * Worst peak-to-trough fall of the hedged book's value along the path (≥ 0, USD, PV
   * at t0): premium − costs so far + the live options marked at Black-Scholes, after
   * each instant's trades; it starts at 0 at t0 and ends at the path's P&L.
   */
  readonly maxDrawdown: Float64Array;
  /**
   * The path's P&L (premium − hedge cost) by Greek, PV at t0: ½Γ(ΔS)² (`pnlGamma`),
   * Θ·Δt (`pnlTheta`), the book's and hedge's net delta times ΔS (`pnlDelta`), carry
   * (`pnlCarry`: −financing − funding), costs (`pnlCosts`: −fees − slippage − gas − option
   * spread) and what the second-order expansion leaves (`pnlOther`); they sum to the P&L.
   * The Greeks are the options' at the pricing vol, taken at the start of each step
   * (plus the liquidity positions' delta and gamma, and their fee income as theta).
   * Implied vol is constant in these markets, so there is no vega line.
   */
  readonly pnlGamma: Float64Array;
  readonly pnlTheta: Float64Array;
  readonly pnlDelta: Float64Array;
  readonly pnlCarry: Float64Array;
  readonly pnlCosts: Float64Array;
  readonly pnlOther: Float64Array;
}

/** A crash-breaker run's per-path activity: switches into crash mode, and years spent in it. */
export interface CrashPaths {
  readonly switches: Float64Array;
  readonly years: Float64Array;
}

/** What the crash breaker did over the run. */
export interface CrashBreakerActivity {
  /** Switches into crash mode per path. */
  readonly crashesPerPath: number;
  /** Fraction of the time spent in crash mode. */
  readonly timeInCrashMode: number;
  /** Orders the slices plan's slippage limit refused (their cost model's slippage above it), over all paths. */
  readonly slippageRefusals: number;
}

/** The breaker's activity from its per-path counts (shared with the merge of blocks of paths). */
export function crashBreakerActivity(crashPaths: CrashPaths, horizonYears: number, slippageRefusals: number): CrashBreakerActivity {
  const paths = crashPaths.switches.length;
  let switches = 0;
  let years = 0;
  for (let p = 0; p < paths; p++) {
    switches += crashPaths.switches[p]!;
    years += crashPaths.years[p]!;
  }
  return { crashesPerPath: switches / paths, timeInCrashMode: horizonYears > 0 ? years / (horizonYears * paths) : 0, slippageRefusals };
}

export interface PnlByGreek {
  readonly gamma: number;
  readonly theta: number;
  readonly delta: number;
  readonly carry: number;
  readonly costs: number;
  readonly other: number;
}

/** The mean of each P&L-by-Greek array. */
export function pnlByGreekOf(perPath: PerPathResults): PnlByGreek {
  const mean = (a: Float64Array): number => {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += a[i]!;
    return sum / a.length;
  };
  return { gamma: mean(perPath.pnlGamma), theta: mean(perPath.pnlTheta), delta: mean(perPath.pnlDelta), carry: mean(perPath.pnlCarry), costs: mean(perPath.pnlCosts), other: mean(perPath.pnlOther) };
}

export interface BacktestResult {
  readonly summary: BacktestSummary;
  readonly perPath: PerPathResults;
  /** The time grid used (offsets from the start, ms and years). */
  readonly grid: TimeGrid;
  /** The step-by-step record of the path `options.trace` asked for, when it is one of the run's. */
  readonly trace?: PathTrace;
  /** An insured portfolio's per-path outcome (the policy has `insurance`). */
  readonly insurancePaths?: InsurancePaths;
  /** The crash breaker's per-path activity (the policy has `crashBreaker`). */
  readonly crashPaths?: CrashPaths;
}

export interface BacktestOptions {
  /** Called after every `progressEvery` paths and at the end (e.g. for a progress bar). */
  readonly onProgress?: (donePaths: number, totalPaths: number) => void;
  readonly progressEvery?: number;
  /**
   * Record one path step by step (path-trace.ts): its prices, the book's Greeks, the
   * hedge, the hedged book's value and the trades, in `result.trace`. Only that path pays
   * for it (a branch per step on the others); without it nothing is recorded.
   */
  readonly trace?: PathTraceRequest;
}

/** Default EWMA decay for the realised-vol estimate when the policy has no vol scaling. */
const DEFAULT_EWMA_LAMBDA = 0.94;
/** Paths at most per run: per-path results are kept in memory (12 arrays of 8 bytes). */
export const MAX_PATHS = 10_000_000;

function validateSpec(spec: BacktestSpec): void {
  validateMarket(spec.market);
  requireFinite(spec.rate, 'rate');
  requireFinite(spec.yield, 'yield');
  requireNonNegative(spec.pricingVol, 'pricingVol');
  if (spec.hedgeVol !== undefined) requirePositive(spec.hedgeVol, 'hedgeVol');
  requireFinite(spec.fundingRate, 'fundingRate');
  validateCosts(spec.costs);
  requireSeed(spec.seed);
  requireFinite(spec.startMs, 'startMs');
  if (!Number.isInteger(spec.paths) || spec.paths < 1 || spec.paths > MAX_PATHS) throw new InvalidInputError('paths', spec.paths, `must be an integer in [1, ${MAX_PATHS}]`);
  const firstPath = spec.firstPath ?? 0;
  if (!Number.isInteger(firstPath) || firstPath < 0 || firstPath + spec.paths > MAX_PATHS) throw new InvalidInputError('firstPath', firstPath, `must be an integer in [0, ${MAX_PATHS} − paths]`);
  if (firstPath > 0 && spec.market.kind === 'replay') throw new InvalidInputError('firstPath', firstPath, 'must be 0: a replay has one path');
  const liquidity = spec.liquidity ?? [];
  // An insured portfolio needs no option: the underlying and cash are its book.
  if (spec.book.length === 0 && liquidity.length === 0 && spec.policy.insurance === undefined) throw new InvalidInputError('book', 0, 'needs at least one option or liquidity position');
  if (spec.book.length === 0 && spec.horizonMs === undefined) throw new InvalidInputError('horizonMs', 'absent', 'is needed: a book without options (liquidity positions, an insured portfolio) has no expiry to end the run at');
  if (spec.policy.runaway !== undefined) {
    throw new InvalidInputError('policy.runaway', 'set', 'compares the hedge position on chain with the records, and hedges that fail to move the exposure: in a simulation every fill is recorded as it happens, so there is nothing to backtest');
  }
  validateBookLiquidity(liquidity);
  spec.book.forEach((o, i) => {
    if (o.optionType !== 'call' && o.optionType !== 'put') throw new InvalidInputError(`book[${i}].type`, o.optionType, 'must be "call" or "put"');
    requirePositive(o.strike, `book[${i}].strike`);
    requirePositive(o.maturityMs, `book[${i}].maturity`);
    requireFinite(o.quantity, `book[${i}].quantity`);
    if (o.vol !== undefined) requireNonNegative(o.vol, `book[${i}].vol`);
  });
  if (spec.horizonMs !== undefined) requirePositive(spec.horizonMs, 'horizonMs');
  if (spec.venues) {
    const venues = spec.venues;
    validateVenueSet(venues);
    const c = spec.costs;
    if (c.feeBps !== 0 || c.gasUsd !== 0 || c.slippage.kind !== 'none') throw new InvalidInputError('costs', describeCosts(c), `do not apply when orders execute on venues (venue set ${venues.name}): each venue has its cost model`);
    // As the live config API: an instrument the policy trades must have a venue.
    const instrument = spec.policy.hedgeInstrument;
    if (!venues[instrument]) throw new InvalidInputError('policy.hedgeInstrument', instrument, `has no venue in venue set ${venues.name} (it trades: ${venueInstruments(venues)})`);
    if ((spec.policy.limits?.hedgeOptions.length ?? 0) > 0 && !venues.option) {
      throw new InvalidInputError('policy.limits.hedgeOptions', spec.policy.limits!.hedgeOptions.length, `need an option venue, and venue set ${venues.name} has none (it trades: ${venueInstruments(venues)})`);
    }
  }
}

const venueInstruments = (venues: VenueSet): string => (['spot', 'perp', 'option'] as const).filter((i) => venues[i] !== undefined).join(', ') || 'nothing';

/** The rows of the option batch: the book's options, then the policy's hedge options. */
interface OptionRows {
  readonly count: number;
  readonly bookCount: number;
  readonly ids: readonly string[];
  readonly isPut: Uint8Array;
  readonly strike: Float64Array;
  readonly maturityYears: Float64Array;
  readonly vol: Float64Array;
  /** Initial quantity (book) or 0 (hedge options). */
  readonly quantity: Float64Array;
  /** Grid index at which the option settles or is marked; −1 if expired before t0. */
  readonly settleIndex: Int32Array;
  /** 1 when it settles for its payoff at settleIndex, 0 when it is marked at BSM there. */
  readonly settlesForPayoff: Uint8Array;
  readonly rowById: ReadonlyMap<string, number>;
}

function optionRows(spec: BacktestSpec, grid: TimeGrid): OptionRows {
  const hedgeOptions = spec.policy.limits?.hedgeOptions ?? [];
  const count = spec.book.length + hedgeOptions.length;
  const rows = {
    count,
    bookCount: spec.book.length,
    ids: [...spec.book.map((o) => o.id), ...hedgeOptions.map((o) => o.id)],
    isPut: new Uint8Array(count),
    strike: new Float64Array(count),
    maturityYears: new Float64Array(count),
    vol: new Float64Array(count),
    quantity: new Float64Array(count),
    settleIndex: new Int32Array(count),
    settlesForPayoff: new Uint8Array(count),
    rowById: new Map<string, number>(),
  };
  const last = grid.offsetsMs.length - 1;
  const place = (row: number, id: string, isPut: boolean, strike: number, maturityMs: number, vol: number, quantity: number): void => {
    if (rows.rowById.has(id)) throw new InvalidInputError('option id', id, 'is used twice (book and policy.limits.hedgeOptions ids must be unique)');
    rows.rowById.set(id, row);
    rows.isPut[row] = isPut ? 1 : 0;
    rows.strike[row] = strike;
    rows.maturityYears[row] = maturityMs / MS_PER_YEAR;
    rows.vol[row] = vol;
    rows.quantity[row] = quantity;
    if (maturityMs <= 0) {
      rows.settleIndex[row] = -1;
      return;
    }
    let k = 0;
    while (k < last && grid.offsetsMs[k]! < maturityMs) k++;
    rows.settleIndex[row] = k;
    rows.settlesForPayoff[row] = grid.offsetsMs[k]! >= maturityMs ? 1 : 0;
  };
  spec.book.forEach((o, i) => place(i, o.id, o.optionType === 'put', o.strike, o.maturityMs, o.vol ?? spec.pricingVol, o.quantity));
  hedgeOptions.forEach((o, j) => place(spec.book.length + j, o.id, o.optionType === 'put', o.strike, o.expiryMs - spec.startMs, o.vol ?? spec.pricingVol, 0));
  return rows;
}

/** The end of the run, ms from the start: the horizon, else the book's last expiry. */
const horizonOf = (spec: BacktestSpec): number => spec.horizonMs ?? Math.max(...spec.book.map((o) => o.maturityMs));

/** The grid of a run: from the replayed data, or built over the horizon. */
export function gridFor(spec: BacktestSpec): TimeGrid {
  const horizon = horizonOf(spec);
  if (spec.market.kind === 'replay') {
    const grid = replayGrid(spec.market, horizon);
    if (grid.offsetsMs.length < 2) throw new InvalidInputError('horizon', horizon, 'leaves fewer than 2 observations of the replayed series');
    return grid;
  }
  // Recorded data: the data's step, options settling at the first instant at or after expiry (as a replay).
  if (spec.market.kind === 'history') return buildTimeGrid(horizon, { stepMs: spec.market.stepMs });
  const expiries = spec.book.map((o) => o.maturityMs);
  for (const o of spec.policy.limits?.hedgeOptions ?? []) expiries.push(o.expiryMs - spec.startMs);
  return buildTimeGrid(horizon, spec.grid, expiries);
}

/**
 * The policy is called at the grid's instants only, so a cadence the grid cannot honour
 * would silently become another one (see cadence-grid.ts): refused here, whoever builds
 * the spec (the backtest config refines the step before it gets here). A vol-scaled
 * cadence changes with the vol and is not checked.
 */
function requireCadenceOnGrid(spec: BacktestSpec, grid: TimeGrid): void {
  const cadence = spec.policy.cadence;
  if (cadence === undefined || spec.policy.volScaling?.scaleCadence === true) return;
  const everyMs = cadence.everyMs;
  if (spec.market.kind === 'replay') {
    const rowsMs = shortestSpacingMs(grid.offsetsMs);
    if (everyMs < rowsMs) throw new InvalidInputError('policy.cadence.everyMs', everyMs, `is finer than the replayed series (its rows are at least ${rowsMs} ms apart): the policy could only hedge at every row`);
    return;
  }
  const intervalMs = spec.market.kind === 'history' ? spec.market.stepMs : gridIntervalMs(spec.grid, horizonOf(spec));
  if (!honoursCadence(everyMs, intervalMs)) {
    throw new InvalidInputError('policy.cadence.everyMs', everyMs, `is not a whole number of simulation steps of ${intervalMs} ms: the policy could only hedge every ${effectiveCadenceMs(everyMs, intervalMs)} ms (use a step that divides the cadence)`);
  }
}

const payoff = (isPut: number, strike: number, spot: number): number => (isPut === 1 ? Math.max(strike - spot, 0) : Math.max(spot - strike, 0));

/** The band half-width in units at one instant, or NaN without a band. */
function bandUnits(config: HedgePolicyConfig, spot: number, optionNotionalUsd: number): number {
  const band = config.band;
  if (!band) return NaN;
  switch (band.unit) {
    case 'units':
      return band.trigger;
    case 'usd':
      return band.trigger / spot;
    case 'pctNotional':
      return ((band.trigger / 100) * optionNotionalUsd) / spot;
  }
}

/** What a checked spec gives the run: its grid, prices, option rows and their batch. */
interface CheckedSpec {
  readonly grid: TimeGrid;
  readonly source: PathSource;
  readonly rows: OptionRows;
  readonly batch: ReturnType<typeof allocateBsmBatch>;
}

function checkSpec(spec: BacktestSpec): CheckedSpec {
  validateSpec(spec);
  const grid = gridFor(spec);
  requireCadenceOnGrid(spec, grid);
  const source = createPathSource(spec.market, grid, spec.seed);
  const firstPath = spec.firstPath ?? 0;
  // A history market has as many paths as its series or windows (a replay's one path is clamped to).
  if (spec.market.kind === 'history' && firstPath + spec.paths > source.pathCount) {
    const what = `the market has ${source.pathCount} path(s) (its ${spec.market.sampling.kind === 'series' ? 'series' : 'windows'})`;
    throw new InvalidInputError(firstPath > 0 ? 'firstPath' : 'paths', firstPath > 0 ? firstPath : spec.paths, `asks for paths ${firstPath} to ${firstPath + spec.paths - 1}, and ${what}`);
  }
  const rows = optionRows(spec, grid);
  // The option batch, validated once (spot and maturity change per step, within range).
  const batch = allocateBsmBatch(rows.count);
  for (let i = 0; i < rows.count; i++) {
    batch.isPut[i] = rows.isPut[i]!;
    batch.spot[i] = 1;
    batch.strike[i] = rows.strike[i]!;
    batch.maturity[i] = Math.max(rows.maturityYears[i]!, 0);
    batch.vol[i] = rows.vol[i]!;
    batch.rate[i] = spec.rate;
    batch.yield[i] = spec.yield;
  }
  validateBsmBatch(batch);
  return { grid, source, rows, batch };
}

/**
 * Everything {@link runBacktest} would reject before its first path (the spec, the grid,
 * the cadence on it, the market's parameters, the options' inputs), without running:
 * callers validating user input check here and report a bad input as such.
 */
export function checkBacktestSpec(spec: BacktestSpec): void {
  checkSpec(spec);
}

/**
 * Runs the backtest: `spec.paths` paths (one for a replay), each hedged by `policy`.
 * Deterministic: the same spec and policy give the same numbers, bit for bit.
 */
export function runBacktest(spec: BacktestSpec, policy: PolicyFunctions, options: BacktestOptions = {}): BacktestResult {
  const { grid, source, rows, batch } = checkSpec(spec);
  const points = grid.offsetsMs.length;
  const last = points - 1;
  const paths = Math.min(spec.paths, source.pathCount);
  const config = spec.policy;
  const { rate, costs } = spec;
  const carryYield = spec.yield;
  const ewmaLambda = config.volScaling?.ewmaLambda ?? DEFAULT_EWMA_LAMBDA;
  const feeRate = costs.feeBps * 1e-4;
  const gasUsd = costs.gasUsd;
  const slippage = costs.slippage;
  const dailyVol = spec.pricingVol / Math.sqrt(365);
  const hasBand = config.band !== undefined;
  // The policy's safeguards, decided as the evaluator does, their memory carried along the path.
  const insurance = config.insurance;
  const breaker = config.crashBreaker;
  const guardedRun = insurance !== undefined || breaker !== undefined;
  if (guardedRun && policy.decideGuarded === undefined) throw new InvalidInputError('policy functions', 'without decideGuarded', 'cannot run a policy with insurance or a crash breaker');
  const capital = insurance?.capitalUsd ?? 0;
  // Each grid instant is an oracle round (the breaker's round-to-round jump compares them).
  const rounds = guardedRun ? Array.from(grid.offsetsMs, (_, k) => String(k + 1)) : [];

  // Per-instant constants shared by every path.
  const discount = grid.years.map((t) => Math.exp(-rate * t));
  const nowMs = grid.offsetsMs.map((ms) => spec.startMs + ms);
  const perpCarry = new Float64Array(points); // e^{f·Δt} − 1 for the interval ending at k
  const spotCarry = new Float64Array(points); // e^{(r−q)·Δt} − 1
  const dtYears = new Float64Array(points);
  for (let k = 1; k < points; k++) {
    const dt = grid.years[k]! - grid.years[k - 1]!;
    dtYears[k] = dt;
    perpCarry[k] = Math.expm1(spec.fundingRate * dt);
    spotCarry[k] = Math.expm1((rate - carryYield) * dt);
  }

  const greeks = new Float64Array(rows.count * GREEK_COUNT);
  const quantity = new Float64Array(rows.count);
  const prices = new Float64Array(points);

  // Book value at t0, at the first price of the market.
  const firstPrices = new Float64Array(points);
  source.fill(0, firstPrices);
  const spot0 = firstPrices[0]!;
  let bookValue = 0;
  for (let i = 0; i < rows.bookCount; i++) {
    batch.spot[i] = spot0;
    bsmGreeksRowInto(batch, i, greeks, i * GREEK_COUNT);
    bookValue += rows.quantity[i]! * greeks[i * GREEK_COUNT]!;
  }
  // Liquidity positions: sized and valued at the first price (held: a positive value).
  const lp = liquidityBookAt(spec.liquidity ?? [], spot0);
  bookValue += lp.valueAtStart;

  // Venues: pools sized at the first price; the perp's funding rates per path (a constant once).
  const venues = spec.venues;
  const spotVenue: DeltaVenue | undefined = venues?.spot ? deltaVenueOf(venues.spot, spot0) : undefined;
  const perpVenue: DeltaVenue | undefined = venues?.perp ? deltaVenueOf(venues.perp, spot0) : undefined;
  const optionVenue = venues?.option;
  const fundingModel = venues?.perp?.funding;
  const fundingRates = new Float64Array(points);
  const fundingRng = new Xoshiro128(spec.seed, FUNDING_STREAM_BASE);
  if (fundingModel?.kind === 'constant') fillFundingRates(fundingModel, grid.years, spec.seed, 0, fundingRates);
  const fill = emptyFillCost();
  const venueGreeks = new Float64Array(GREEK_COUNT);
  let partialFills = 0;
  let legs = 0;

  const insurancePaths: InsurancePaths | undefined =
    insurance === undefined ? undefined : { value: new Float64Array(paths), floor: new Float64Array(paths), everUnder: new Float64Array(paths), unhedged: new Float64Array(paths), tradedNotional: new Float64Array(paths) };
  const crashPaths: CrashPaths | undefined = breaker === undefined ? undefined : { switches: new Float64Array(paths), years: new Float64Array(paths) };
  let slippageRefusals = 0;
  const out: PerPathResults = {
    hedgeCost: new Float64Array(paths),
    option: new Float64Array(paths),
    hedge: new Float64Array(paths),
    hedgeOptions: new Float64Array(paths),
    optionSpread: new Float64Array(paths),
    financing: new Float64Array(paths),
    funding: new Float64Array(paths),
    fees: new Float64Array(paths),
    slippage: new Float64Array(paths),
    gas: new Float64Array(paths),
    liquidityFees: new Float64Array(paths),
    trades: new Float64Array(paths),
    jumps: new Float64Array(paths),
    tradedUnits: new Float64Array(paths),
    maxDrawdown: new Float64Array(paths),
    pnlGamma: new Float64Array(paths),
    pnlTheta: new Float64Array(paths),
    pnlDelta: new Float64Array(paths),
    pnlCarry: new Float64Array(paths),
    pnlCosts: new Float64Array(paths),
    pnlOther: new Float64Array(paths),
  };
  const transactionCosts = new Float64Array(paths);
  const hedgeVol = spec.hedgeVol;
  // The options' own Greeks at the pricing vol, when the hedge's are at another vol.
  const valueGreeks = hedgeVol === undefined ? greeks : new Float64Array(greeks.length);

  // Reused policy inputs (mutable views of the readonly contract types).
  const risk = { delta: 0, gamma: 0, vegaPerVolPoint: 0, optionNotionalUsd: 0, yearsToExpiry: 0 };
  const market = { spot: 0, impliedVol: spec.pricingVol, rate, yield: carryYield };
  const input: { risk: typeof risk; market: typeof market; config: HedgePolicyConfig; state: HedgeState; nowMs: number } = {
    risk,
    market,
    config,
    state: policy.initial(spec.startMs),
    nowMs: spec.startMs,
  };
  const fills: Fill[] = [];

  let skippedOrders = 0;
  let alerts = 0;
  let tradedUnits = 0;
  let outsideTime = 0;
  let outsideDecisions = 0;
  let decisions = 0;
  const progressEvery = Math.max(1, Math.floor(options.progressEvery ?? Math.max(1, Math.ceil(paths / 100))));

  const firstPath = spec.firstPath ?? 0;
  const premium0 = -bookValue;
  const tracedIndex = options.trace === undefined ? -1 : options.trace.path - firstPath;
  const trace = tracedIndex >= 0 && tracedIndex < paths ? allocatePathTrace(options.trace!.path, points) : undefined;
  for (let p = 0; p < paths; p++) {
    const traced = p === tracedIndex ? trace : undefined;
    out.jumps[p] = source.fill(firstPath + p, prices);
    if (fundingModel?.kind === 'meanReverting') fillFundingRates(fundingModel, grid.years, spec.seed, firstPath + p, fundingRates, fundingRng);
    let pathUnits = 0;
    let peakValue = 0;
    let maxDrawdown = 0;
    quantity.set(rows.quantity);
    let state = policy.initial(spec.startMs);
    let perp = 0;
    let spot = 0;
    let costOption = 0;
    let costHedge = 0;
    let costHedgeOptions = 0;
    let optionSpread = 0;
    let financing = 0;
    let funding = 0;
    let fees = 0;
    let slip = 0;
    let gas = 0;
    let trades = 0;
    let carriedDelta = 0;
    let carriedBand = NaN;
    // The options' delta, gamma and theta (pricing vol, after the step's trades) of the last step.
    let optDelta = 0;
    let optGamma = 0;
    let optTheta = 0;
    let pnlGamma = 0;
    let pnlTheta = 0;
    let pnlDelta = 0;
    let pathNotional = 0;
    // The safeguards' memory, the breaker's mode, and an insured portfolio's high-water mark.
    let guards: PolicyGuardState = {};
    let inCrash = false;
    let pathCrashes = 0;
    let pathCrashYears = 0;
    let high = capital;
    let everUnder = 0;
    // The liquidity positions' fee income (feeApr), PV, as a cost (received: negative).
    let lpFees = 0;

    for (let k = 0; k <= last; k++) {
      const s = prices[k]!;
      const d = discount[k]!;
      if (k > 0) {
        const move = s - prices[k - 1]!;
        pnlGamma += 0.5 * optGamma * move * move * d;
        pnlTheta += optTheta * dtYears[k]! * d;
        pnlDelta += (optDelta + perp + spot) * move * d;
        costHedge -= (perp + spot) * move * d;
        financing += spot * spotCarry[k]! * prices[k - 1]! * d;
        if (perp !== 0) funding += perp * (fundingModel ? fundingRates[k - 1]! * dtYears[k]! : perpCarry[k]!) * prices[k - 1]! * d;
        if (hasBand && Math.abs(carriedDelta) > carriedBand * (1 + 1e-12)) outsideTime += dtYears[k]!;
        if (inCrash) pathCrashYears += dtYears[k]!;
        // Fees earned over the step by the positions in range at S_{k−1} (in optTheta too).
        if (lp.count > 0) lpFees -= lp.feesPerYear * dtYears[k]! * d;
      }
      // Settlements (and, at the horizon, marks) of the options due now.
      let anyLive = false;
      for (let i = 0; i < rows.count; i++) {
        const due = rows.settleIndex[i]!;
        if (due === k) {
          const q = quantity[i]!;
          if (q !== 0) {
            let value: number;
            if (rows.settlesForPayoff[i] === 1) value = payoff(rows.isPut[i]!, rows.strike[i]!, s);
            else {
              batch.spot[i] = s;
              batch.maturity[i] = rows.maturityYears[i]! - grid.years[k]!;
              bsmGreeksRowInto(batch, i, greeks, i * GREEK_COUNT);
              value = greeks[i * GREEK_COUNT]!;
            }
            if (i < rows.bookCount) costOption -= q * value * d;
            else costHedgeOptions -= q * value * d;
            quantity[i] = 0;
          }
        } else if (due > k) anyLive = true;
      }
      if (k === last) {
        if (lp.count > 0) {
          // Liquidity positions marked at their exact value (no cost), as options still alive.
          evaluateLiquidityBook(lp, s);
          costOption -= lp.value * d;
        }
        // Unwind the delta-one hedge at the horizon, paying for it like any trade.
        if (venues) {
          let left = 0;
          for (const [held, venue] of [[spot, spotVenue], [perp, perpVenue]] as const) {
            if (held === 0) continue;
            if (!venue) {
              skippedOrders++;
              left += held;
              continue;
            }
            venue.trade(held > 0 ? 'sell' : 'buy', Math.abs(held), s, fill);
            if (fill.filledUnits === 0) {
              skippedOrders++;
              left += held;
              continue;
            }
            left += held > 0 ? held - fill.filledUnits : held + fill.filledUnits;
            pathNotional += Math.abs(fill.cash);
            if (fill.filledUnits < Math.abs(held)) partialFills++;
            fees += fill.fee * d;
            slip += fill.impact * d;
            gas += fill.gas * d;
            legs += fill.legs;
            trades++;
            pathUnits += fill.filledUnits;
          }
          if (traced !== undefined) traced.hedgeUnits[k] = left;
          break;
        }
        const units = Math.abs(perp + spot);
        if (units > 0) {
          legs++;
          const fraction = slippageFraction(slippage, units, dailyVol);
          fees += units * s * feeRate * d;
          slip += units * s * fraction * d;
          gas += gasUsd * d;
          trades++;
          pathUnits += units;
          pathNotional += units * s;
        }
        break;
      }

      const stateBefore = state;
      state = policy.observe(state, s, nowMs[k]!, ewmaLambda);

      // The book's risk at S_k: live options (book and policy-traded) plus the hedge.
      let delta = perp + spot;
      let gamma = 0;
      let vega = 0;
      let optionUnits = 0;
      let nearest = Infinity;
      const t = grid.years[k]!;
      optDelta = 0;
      optGamma = 0;
      optTheta = 0;
      if (lp.count > 0) {
        // Liquidity positions: the pool's closed-form delta and (short) gamma; no vega, fee income as theta.
        evaluateLiquidityBook(lp, s);
        delta += lp.delta;
        gamma += lp.gamma;
        optDelta += lp.delta;
        optGamma += lp.gamma;
        optTheta += lp.feesPerYear;
      }
      if (anyLive) {
        for (let i = 0; i < rows.count; i++) {
          if (rows.settleIndex[i]! <= k) continue;
          const tau = rows.maturityYears[i]! - t;
          batch.spot[i] = s;
          batch.maturity[i] = tau;
          const o = i * GREEK_COUNT;
          if (hedgeVol === undefined) bsmGreeksRowInto(batch, i, greeks, o);
          else {
            bsmGreeksRowInto(batch, i, valueGreeks, o);
            batch.vol[i] = hedgeVol;
            bsmGreeksRowInto(batch, i, greeks, o);
            batch.vol[i] = rows.vol[i]!;
          }
          const q = quantity[i]!;
          if (q !== 0) {
            optDelta += q * valueGreeks[o + 1]!;
            optGamma += q * valueGreeks[o + 2]!;
            optTheta += q * valueGreeks[o + 4]!;
            delta += q * greeks[o + 1]!;
            gamma += q * greeks[o + 2]!;
            vega += q * greeks[o + 3]!;
            optionUnits += Math.abs(q);
            if (tau < nearest) nearest = tau;
          }
        }
      }
      if (!Number.isFinite(gamma)) {
        // Only an option priced at vol 0 exactly at its strike gets here (a Dirac gamma):
        // said in the user's terms rather than as the policy's "risk.gamma" check.
        throw new InvalidInputError(`the book's gamma at step ${k} (price ${s})`, gamma, 'is not finite: an option priced at vol 0 sits at its strike; price the options at a vol above 0');
      }
      risk.delta = delta;
      risk.gamma = gamma;
      risk.vegaPerVolPoint = vega / 100;
      risk.optionNotionalUsd = optionUnits * s;
      risk.yearsToExpiry = nearest === Infinity ? 0 : nearest;
      market.spot = s;
      input.state = state;
      input.nowMs = nowMs[k]!;
      const band = hasBand ? bandUnits(config, s, optionUnits * s) : NaN;
      decisions++;
      if (hasBand && Math.abs(delta) > band * (1 + 1e-12)) outsideDecisions++;

      let decision: Decision;
      let maxSlippageBps: number | undefined;
      if (guardedRun) {
        const guarded = policy.decideGuarded!(input, {
          guards,
          stateBeforePrice: stateBefore,
          oracleRound: { roundId: rounds[k]!, answer: s },
          recordedDelta: delta,
          accountActive: true,
          recordedHedgeUnits: perp + spot,
          deltaOneInFlight: false,
        });
        guards = guarded.guards;
        decision = guarded.decision;
        maxSlippageBps = guarded.maxSlippageBps;
        if (guarded.crashSwitch?.transition.to === 'crash') pathCrashes++;
        inCrash = guards.breaker?.breaker.mode === 'crash';
      } else decision = policy.decide(input);
      alerts += decision.alerts.length;
      const orders = decision.orders;
      fills.length = 0;
      for (let j = 0; j < orders.length; j++) {
        const order = orders[j]!;
        const units = order.quantity;
        const signed = order.side === 'buy' ? units : -units;
        const instrument = order.instrument;
        let price: number;
        if (venues) {
          // On the venue of the order's instrument, with its cost model.
          if (instrument.kind === 'option') {
            const row = rows.rowById.get(instrument.id);
            if (row === undefined || rows.settleIndex[row]! <= k || !optionVenue) {
              skippedOrders++;
              continue;
            }
            const model = valueGreeks[row * GREEK_COUNT]!;
            const ownVol = batch.vol[row]!;
            batch.vol[row] = venueVol(optionVenue, ownVol, rows.strike[row]!, s);
            bsmGreeksRowInto(batch, row, venueGreeks, 0);
            batch.vol[row] = ownVol;
            const premium = venueGreeks[0]!;
            const traded = optionVenueCash(optionVenue, signed > 0, units, premium, s);
            costHedgeOptions += signed * model * d;
            optionSpread += signed * (premium - model) * d;
            fees += traded.fee * d;
            gas += optionVenue.gasUsd * d;
            legs++;
            trades++;
            quantity[row] = quantity[row]! + signed;
            delta += signed * greeks[row * GREEK_COUNT + 1]!;
            gamma += signed * greeks[row * GREEK_COUNT + 2]!;
            vega += signed * greeks[row * GREEK_COUNT + 3]!;
            optDelta += signed * valueGreeks[row * GREEK_COUNT + 1]!;
            optGamma += signed * valueGreeks[row * GREEK_COUNT + 2]!;
            optTheta += signed * valueGreeks[row * GREEK_COUNT + 4]!;
            fills.push({ order, price: Math.abs(traded.cash) / units });
            continue;
          }
          const venue = instrument.kind === 'spot' ? spotVenue : perpVenue;
          if (!venue) {
            skippedOrders++;
            continue;
          }
          venue.trade(order.side, units, s, fill);
          const filled = fill.filledUnits;
          if (filled === 0) {
            skippedOrders++;
            continue;
          }
          // A crash plan's slippage limit: dispatch refuses an order whose quote is beyond it.
          if (maxSlippageBps !== undefined && fill.impact > filled * s * maxSlippageBps * 1e-4) {
            slippageRefusals++;
            continue;
          }
          pathNotional += Math.abs(fill.cash);
          const filledSigned = signed > 0 ? filled : -filled;
          if (instrument.kind === 'spot') spot += filledSigned;
          else perp += filledSigned;
          delta += filledSigned;
          pathUnits += filled;
          fees += fill.fee * d;
          slip += fill.impact * d;
          gas += fill.gas * d;
          legs += fill.legs;
          trades++;
          const fillPrice = Math.abs(fill.cash) / filled;
          if (filled < units) {
            partialFills++;
            fills.push({ order: { ...order, quantity: filled, notionalUsd: filled * fillPrice }, price: fillPrice });
          } else fills.push({ order, price: fillPrice });
          continue;
        }
        const row = instrument.kind === 'option' ? rows.rowById.get(instrument.id) : undefined;
        if (instrument.kind === 'option' && (row === undefined || rows.settleIndex[row]! <= k)) {
          skippedOrders++;
          continue;
        }
        const fraction = slippageFraction(slippage, units, dailyVol);
        // A crash plan's slippage limit: dispatch refuses an order whose quote is beyond it.
        if (maxSlippageBps !== undefined && fraction * 1e4 > maxSlippageBps) {
          slippageRefusals++;
          continue;
        }
        if (row !== undefined) {
          price = valueGreeks[row * GREEK_COUNT]!;
          costHedgeOptions += signed * price * d;
          quantity[row] = quantity[row]! + signed;
          delta += signed * greeks[row * GREEK_COUNT + 1]!;
          gamma += signed * greeks[row * GREEK_COUNT + 2]!;
          vega += signed * greeks[row * GREEK_COUNT + 3]!;
          optDelta += signed * valueGreeks[row * GREEK_COUNT + 1]!;
          optGamma += signed * valueGreeks[row * GREEK_COUNT + 2]!;
          optTheta += signed * valueGreeks[row * GREEK_COUNT + 4]!;
        } else {
          price = s;
          if (instrument.kind === 'spot') spot += signed;
          else perp += signed;
          delta += signed;
          pathUnits += units;
          pathNotional += units * s;
        }
        const notional = units * price;
        fees += notional * feeRate * d;
        slip += notional * fraction * d;
        gas += gasUsd * d;
        trades++;
        legs++;
        fills.push({ order, price: price * (1 + (signed > 0 ? fraction : -fraction)) });
      }
      state = policy.apply(state, decision, fills, nowMs[k]!);
      carriedDelta = delta;
      carriedBand = band;
      // The hedged book's value now (for its drawdown): premium − costs + live options at BSM.
      let mark = 0;
      if (anyLive) for (let i = 0; i < rows.count; i++) if (rows.settleIndex[i]! > k) mark += quantity[i]! * valueGreeks[i * GREEK_COUNT]!;
      mark += lp.value; // the liquidity positions at S_k (0 without)
      const value = premium0 - (costOption + costHedge + costHedgeOptions + optionSpread + financing + funding + fees + slip + gas + lpFees) + mark * d;
      if (value > peakValue) peakValue = value;
      else if (peakValue - value > maxDrawdown) maxDrawdown = peakValue - value;
      if (insurance !== undefined) {
        // The insured portfolio at this date (capital and P&L so far, grown at r), against its floor.
        const worth = (capital + value) / d;
        if (worth > high) high = worth;
        if (worth < floorOf(insurance.floor, { startValue: capital, highValue: high })) everUnder = 1;
      }
      if (traced !== undefined) {
        traced.spot[k] = s;
        traced.optionDelta[k] = delta - (perp + spot);
        traced.gamma[k] = gamma;
        traced.vegaPerVolPoint[k] = vega / 100;
        traced.hedgeUnits[k] = perp + spot;
        traced.bandUnits[k] = band;
        traced.pnl[k] = value;
        traced.transactionCosts[k] = fees + slip + gas;
        traced.trades[k] = trades;
      }
    }

    const txCosts = fees + slip + gas;
    out.option[p] = costOption;
    out.hedge[p] = costHedge;
    out.hedgeOptions[p] = costHedgeOptions;
    out.optionSpread[p] = optionSpread;
    out.financing[p] = financing;
    out.funding[p] = funding;
    out.fees[p] = fees;
    out.slippage[p] = slip;
    out.gas[p] = gas;
    out.liquidityFees[p] = lpFees;
    out.trades[p] = trades;
    out.hedgeCost[p] = costOption + costHedge + costHedgeOptions + optionSpread + financing + funding + txCosts + lpFees;
    transactionCosts[p] = txCosts;
    out.tradedUnits[p] = pathUnits;
    tradedUnits += pathUnits;
    out.maxDrawdown[p] = Math.max(maxDrawdown, peakValue - (premium0 - out.hedgeCost[p]!));
    out.pnlGamma[p] = pnlGamma;
    out.pnlTheta[p] = pnlTheta;
    out.pnlDelta[p] = pnlDelta;
    out.pnlCarry[p] = -(financing + funding);
    out.pnlCosts[p] = -(txCosts + optionSpread);
    if (insurancePaths !== undefined) {
      const worth = (capital + premium0 - out.hedgeCost[p]!) / discount[last]!;
      if (worth > high) high = worth;
      const floor = floorOf(insurance!.floor, { startValue: capital, highValue: high });
      insurancePaths.value[p] = worth;
      insurancePaths.floor[p] = floor;
      insurancePaths.everUnder[p] = everUnder === 1 || worth < floor ? 1 : 0;
      insurancePaths.unhedged[p] = ((capital * prices[last]!) / prices[0]!) * Math.exp(carryYield * grid.years[last]!);
      insurancePaths.tradedNotional[p] = pathNotional;
    }
    if (crashPaths !== undefined) {
      crashPaths.switches[p] = pathCrashes;
      crashPaths.years[p] = pathCrashYears;
    }
    out.pnlOther[p] = premium0 - out.hedgeCost[p]! - (pnlGamma + pnlTheta + pnlDelta + out.pnlCarry[p]! + out.pnlCosts[p]!);
    if (traced !== undefined) {
      // The last instant: the hedge unwound (what a venue could not fill is left), the options settled or marked.
      traced.spot[last] = prices[last]!;
      traced.pnl[last] = premium0 - out.hedgeCost[p]!;
      traced.transactionCosts[last] = txCosts;
      traced.trades[last] = trades;
    }
    if (options.onProgress && ((p + 1) % progressEvery === 0 || p + 1 === paths)) options.onProgress(p + 1, paths);
  }

  const hedgeCost = summarize(out.hedgeCost);
  const premium = -bookValue;
  const pnlValues = out.hedgeCost.map((c) => premium - c);
  const meanOf = (a: Float64Array): number => {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += a[i]!;
    return sum / a.length;
  };
  const attributionParts = {
    option: meanOf(out.option),
    hedge: meanOf(out.hedge),
    hedgeOptions: meanOf(out.hedgeOptions),
    optionSpread: meanOf(out.optionSpread),
    financing: meanOf(out.financing),
    funding: meanOf(out.funding),
    fees: meanOf(out.fees),
    slippage: meanOf(out.slippage),
    gas: meanOf(out.gas),
    liquidityFees: meanOf(out.liquidityFees),
  };
  const horizonYears = grid.years[last]!;
  const summary: BacktestSummary = {
    bookValue,
    premium,
    hedgeCost,
    pnl: summarize(pnlValues),
    ratio: hedgeCost.std / Math.abs(bookValue),
    tradesPerPath: meanOf(out.trades),
    transactionCosts: summarize(transactionCosts),
    tradedUnitsPerPath: tradedUnits / paths,
    timeOutsideBand: hasBand ? outsideTime / (horizonYears * paths) : null,
    decisionsOutsideBand: hasBand ? outsideDecisions / decisions : null,
    attribution: { ...attributionParts, total: Object.values(attributionParts).reduce((a, b) => a + b, 0) },
    pnlByGreek: pnlByGreekOf(out),
    alertsPerPath: alerts / paths,
    skippedOrders,
    partialFills,
    legsPerPath: legs / paths,
    jumpsPerPath: meanOf(out.jumps),
    ...(insurancePaths === undefined ? {} : { insurance: insuranceReport(insurancePaths, { method: insurance!.method, capitalUsd: capital }, horizonYears) }),
    ...(crashPaths === undefined ? {} : { crashBreaker: crashBreakerActivity(crashPaths, horizonYears, slippageRefusals) }),
    paths,
    steps: last,
    horizonYears,
  };
  return {
    summary,
    perPath: out,
    grid,
    ...(trace === undefined ? {} : { trace }),
    ...(insurancePaths === undefined ? {} : { insurancePaths }),
    ...(crashPaths === undefined ? {} : { crashPaths }),
  };
}
