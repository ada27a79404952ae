import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfigInput } from '../../../../shared/contracts/hedge-policy-config.ts';
import type { PolicyGuardState } from '../../../../shared/contracts/policy-guard-state-schema.ts';
import { decideHedge } from '../../../../shared/domain/policy/decide-hedge.ts';
import { decideGuarded, type GuardInputs } from '../../../../shared/domain/policy/guarded-decision.ts';
import { initialHedgeState } from '../../../../shared/domain/policy/hedge-state.ts';
import { decideInsured, valueInsuredPortfolio } from '../../../../shared/domain/policy/insured-decision.ts';
import type { BookRisk, HedgeState, PolicyInput } from '../../../../shared/domain/policy/policy-types.ts';
import { checkRunaway, INITIAL_RUNAWAY_STATE } from '../../../../shared/domain/policy/runaway-protection.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 3, 12);
const config = (input: Omit<HedgePolicyConfigInput, 'underlying'>) => HedgePolicyConfigSchema.parse({ underlying: 'ETH', hedgeInstrument: 'spot', ...input });
const risk = (delta: number): BookRisk => ({ delta, gamma: 0, vegaPerVolPoint: 0, optionNotionalUsd: 0, yearsToExpiry: 0 });
const market = (spot: number) => ({ spot, impliedVol: 0.8, rate: 0, yield: 0 });
const input = (cfg: ReturnType<typeof config>, delta: number, spot: number, nowMs = T0, state: HedgeState = initialHedgeState(T0)): PolicyInput => ({ risk: risk(delta), market: market(spot), config: cfg, state, nowMs });
const guardInputs = (over: Partial<GuardInputs> = {}): GuardInputs => ({
  guards: {},
  stateBeforePrice: undefined,
  oracleRound: { roundId: '1', answer: 2000 },
  recordedDelta: 0,
  accountActive: true,
  recordedHedgeUnits: 0,
  deltaOneInFlight: false,
  ...over,
});

const CPPI = { method: 'cppi', capitalUsd: 100_000, floor: { kind: 'share-of-high', share: 0.8 }, multiplier: 4, band: 0.05 } as const;

describe('portfolio insurance in the policy engine', () => {
  it('values the portfolio self-financing and keeps its high-water mark', () => {
    let ledger = valueInsuredPortfolio(undefined, 100_000, 2000, 40, T0);
    expect(ledger).toMatchObject({ valueUsd: 100_000, startValueUsd: 100_000, highValueUsd: 100_000 });
    ledger = valueInsuredPortfolio(ledger, 100_000, 2100, 40, T0 + MIN); // +40 × 100
    expect(ledger).toMatchObject({ valueUsd: 104_000, highValueUsd: 104_000 });
    ledger = valueInsuredPortfolio(ledger, 100_000, 1900, 10, T0 + 2 * MIN); // −40 × 200
    expect(ledger).toMatchObject({ valueUsd: 96_000, highValueUsd: 104_000, heldUnits: 10 });
    // A duplicate valuation (same instant) changes nothing; a new capital starts a new ledger.
    expect(valueInsuredPortfolio(ledger, 100_000, 1500, 0, T0 + 2 * MIN)).toBe(ledger);
    expect(valueInsuredPortfolio(ledger, 50_000, 1900, 10, T0 + 3 * MIN)).toMatchObject({ valueUsd: 50_000, highValueUsd: 50_000 });
  });

  it('CPPI: buys the risky leg up to m × cushion, as an ordinary spot order', () => {
    const cfg = config({ insurance: CPPI });
    const ledger = valueInsuredPortfolio(undefined, 100_000, 2000, 0, T0);
    const { decision, targetUnits } = decideInsured(input(cfg, 0, 2000), ledger);
    // floor 80,000, cushion 20,000, m = 4 → 80,000 USD = 40 ETH.
    expect(targetUnits).toBeCloseTo(40, 9);
    expect(decision.reason).toBe('HEDGE_INSURANCE');
    expect(decision.orders).toEqual([expect.objectContaining({ instrument: { kind: 'spot' }, side: 'buy', notionalUsd: expect.closeTo(80_000, 6) as unknown })]);
    expect(decision.orders[0]!.quantity).toBeCloseTo(40, 9);
    expect(decision.numbers).toMatchObject({ delta: 0, insuranceFloorUsd: 80_000, portfolioValueUsd: 100_000 });
    expect(decision.message).toMatch(/^Insurance \(cppi\): portfolio 100,000/);
  });

  it('CPPI: trades nothing inside the band, and sells down to the target when the cushion shrinks', () => {
    const cfg = config({ insurance: CPPI });
    const start = valueInsuredPortfolio(undefined, 100_000, 2000, 40, T0);
    expect(decideInsured(input(cfg, 40.5, 2000), start).decision.orders).toEqual([]);
    // 5% fall with 40 ETH held: value 96,000, floor 80,000, cushion 16,000 → 64,000 USD = 33.68 ETH.
    const after = valueInsuredPortfolio(start, 100_000, 1900, 40, T0 + MIN);
    const { decision, targetUnits } = decideInsured(input(cfg, 40, 1900, T0 + MIN), after);
    expect(targetUnits).toBeCloseTo(64_000 / 1900, 9);
    expect(decision.orders).toEqual([expect.objectContaining({ side: 'sell' })]);
    expect(decision.orders[0]!.quantity).toBeCloseTo(40 - 64_000 / 1900, 9);
  });

  it('synthetic put: the risky share is N(d1) of the value, far from the floor almost all of it', () => {
    const cfg = config({ insurance: { method: 'syntheticPut', capitalUsd: 100_000, floor: { kind: 'share-of-start', share: 0.5 }, horizonEndMs: T0 + 30 * 86_400_000, vol: 0.5 } });
    const ledger = valueInsuredPortfolio(undefined, 100_000, 2000, 0, T0);
    const { targetUnits, decision } = decideInsured(input(cfg, 0, 2000), ledger);
    expect(targetUnits).toBeGreaterThan(49);
    expect(targetUnits).toBeLessThan(50);
    expect(decision.orders[0]).toMatchObject({ side: 'buy' });
  });

  it('values the next interval with the units the decision buys, not those held before it', () => {
    const cfg = config({ insurance: CPPI });
    const first = decideGuarded(input(cfg, 0, 2000), guardInputs());
    expect(first.decision.orders[0]!.quantity).toBeCloseTo(40, 9);
    expect(first.guards.insurance!.heldUnits).toBeCloseTo(40, 9);
    // The 40 ETH bought were held while the price rose by 100: +4,000, whatever the next read says.
    const next = decideGuarded(input(cfg, 40, 2100, T0 + MIN), guardInputs({ guards: first.guards, recordedDelta: 40, oracleRound: { roundId: '2', answer: 2100 } }));
    expect(next.guards.insurance!.valueUsd).toBeCloseTo(104_000, 6);
    // Dry-run sends nothing: the ledger keeps what is held.
    const dry = decideGuarded(input(config({ insurance: CPPI, guards: { dryRun: true } }), 0, 2000), guardInputs());
    expect(dry.guards.insurance!.heldUnits).toBe(0);
  });

  it('leaves a policy without the new blocks exactly as decideHedge decides it', () => {
    const cfg = config({ band: { unit: 'units', trigger: 1 }, slicing: { clipUnits: 2, slices: 3, windowMs: 60_000 } });
    for (const delta of [-7.3, -0.5, 0, 0.9, 1.1, 12]) {
      const direct = decideHedge(input(cfg, delta, 2000));
      const guarded = decideGuarded(input(cfg, delta, 2000), guardInputs());
      expect(guarded.decision).toEqual(direct);
      expect(guarded.guards).toEqual({});
    }
  });
});

describe('the crash breaker in the decision', () => {
  const breaker = (plan: object) => ({ moveSigmas: 3, windowMs: 30 * MIN, calmMs: 20 * MIN, plan });
  /** Runs one evaluation a minute over `prices` with a book delta of `delta`; returns the decisions and switches. */
  function run(plan: object, prices: readonly number[], delta = 5) {
    const cfg = config({ band: { unit: 'units', trigger: 1 }, crashBreaker: breaker(plan) as never });
    let guards: PolicyGuardState = {};
    const out = [];
    for (const [i, spot] of prices.entries()) {
      const nowMs = T0 + i * MIN;
      const result = decideGuarded(input(cfg, delta, spot, nowMs, initialHedgeState(T0)), guardInputs({ guards, oracleRound: { roundId: String(i + 1), answer: spot } }));
      guards = result.guards;
      out.push(result);
    }
    return out;
  }
  // 3 σ of 80% over 30 minutes is 1.8%: a 10% fall is a crash.
  const crashSeries = [2000, 2000, 2000, 1800, ...Array.from({ length: 60 }, () => 1800)];

  it('hold: switches into crash mode on the big move, holds every order with an alert, resumes after the calm period', () => {
    const out = run({ kind: 'hold' }, crashSeries);
    expect(out[2]!.decision.orders).toHaveLength(1); // normal: the band hedges
    expect(out[3]!.crashSwitch?.transition).toMatchObject({ from: 'normal', to: 'crash' });
    expect(out[3]!.crashSwitch?.triggers).toEqual(['MOVE']);
    expect(out[3]!.decision).toMatchObject({ action: 'alert', reason: 'NONE_CRASH_MODE', orders: [] });
    expect(out[3]!.decision.alerts.map((a) => a.code)).toEqual(['CRASH_MODE']);
    const back = out.findIndex((o) => o.crashSwitch?.transition.to === 'normal');
    // The fall stays in the window until minute 33, calm 20 minutes after: minute 52.
    expect(back).toBe(52);
    expect(out[back]!.decision.orders).toHaveLength(1);
    expect(out.slice(3, back).every((o) => o.decision.orders.length === 0)).toBe(true);
  });

  it('risk-reducing: lets out only the order that brings |delta| down, never past zero', () => {
    expect(run({ kind: 'risk-reducing' }, crashSeries, 5)[3]!.decision.orders).toEqual([expect.objectContaining({ side: 'sell', quantity: 5 })]);
    // A short book's hedge buys: that reduces |delta| as well.
    expect(run({ kind: 'risk-reducing' }, crashSeries, -5)[3]!.decision.orders).toEqual([expect.objectContaining({ side: 'buy', quantity: 5 })]);
  });

  it('risk-reducing: an insurance buy while the market falls is held', () => {
    const cfg = config({ insurance: CPPI, crashBreaker: breaker({ kind: 'risk-reducing' }) as never });
    let guards: PolicyGuardState = {};
    let last;
    for (const [i, spot] of [2000, 2000, 1800].entries()) {
      last = decideGuarded(input(cfg, 0, spot, T0 + i * MIN), guardInputs({ guards, oracleRound: { roundId: String(i), answer: spot } }));
      guards = last.guards;
    }
    expect(last!.decision).toMatchObject({ reason: 'NONE_CRASH_MODE', orders: [] });
  });

  it('slices: cuts the order into the plan’s slices and asks for its tighter slippage', () => {
    const out = run({ kind: 'slices', slices: 4, windowMs: 4 * MIN, maxSlippageBps: 10 }, crashSeries);
    expect(out[3]!.decision.orders).toEqual([expect.objectContaining({ side: 'sell', quantity: 1.25, sliceCount: 4 })]);
    expect(out[3]!.decision.plannedSlices).toHaveLength(3);
    expect(out[3]!.maxSlippageBps).toBe(10);
    expect(out[2]!.maxSlippageBps).toBeUndefined();
  });

  it('takes σ as the larger of the realised vol before the crash price and the market vol', () => {
    const cfg = config({ band: { unit: 'units', trigger: 100 }, crashBreaker: breaker({ kind: 'hold' }) as never });
    const calm: HedgeState = { ...initialHedgeState(T0), ewmaVariance: 0.05 ** 2 };
    const wild: HedgeState = { ...initialHedgeState(T0), ewmaVariance: 5 ** 2 };
    const two = (state: HedgeState) => {
      const first = decideGuarded(input(cfg, 0, 2000, T0), guardInputs({ stateBeforePrice: state }));
      return decideGuarded(input(cfg, 0, 1960, T0 + MIN), guardInputs({ guards: first.guards, stateBeforePrice: state, oracleRound: { roundId: '2', answer: 1960 } }));
    };
    // A 2% fall: with a quiet realised 5% the market's 80% is σ, 3 σ over 30 min is 1.8% (a crash); a realised 500% makes it 11% (not one).
    expect(two(calm).crashSwitch?.transition.to).toBe('crash');
    expect(two(wild).crashSwitch).toBeUndefined();
    // With a vol forecast in the state, σ is its average over the window, whatever the EWMA says:
    // an integrated (EWMA-like) fit per minute, variance (v per minute) constant over the window.
    const fit = { model: 'ewma', mu: 0, omega: 0, alpha: 0.06, beta: 0.94, meanReversion: 0, intervalMs: MIN, fittedAtMs: T0, observations: 720 } as const;
    const perMinute = (annual: number): number => (annual * annual * MIN) / (365 * 86_400_000);
    expect(two({ ...wild, forecast: { fit, variance: perMinute(0.05) } }).crashSwitch?.transition.to).toBe('crash');
    expect(two({ ...calm, forecast: { fit, variance: perMinute(5) } }).crashSwitch).toBeUndefined();
  });
});

describe('runaway protection', () => {
  const runaway = { maxPositionMismatchUnits: 0.5, maxIneffectiveHedges: 3, minEffectFraction: 0.5 };
  const obs = { nowMs: T0, accountActive: true, recordedDelta: -2, recordedHedgeUnits: 0, deltaOneInFlight: false, orderUnits: 0, underlying: 'ETH' };

  it('takes the first reading as the expected difference and trips when the chain parts from the records beyond the tolerance', () => {
    let step = checkRunaway(INITIAL_RUNAWAY_STATE, { ...obs, chainHedgeUnits: 100 }, runaway);
    expect(step.state.expectedOffsetUnits).toBe(100);
    step = checkRunaway(step.state, { ...obs, chainHedgeUnits: 100.4 }, runaway);
    expect(step.trip).toBeUndefined();
    step = checkRunaway(step.state, { ...obs, chainHedgeUnits: 98 }, runaway);
    expect(step.trip).toMatchObject({ code: 'POSITION_MISMATCH', numbers: { driftUnits: -2 } });
    // Tripped: nothing more is judged while paused; a lifted pause starts afresh.
    expect(checkRunaway(step.state, { ...obs, accountActive: false, chainHedgeUnits: 50 }, runaway).trip).toBeUndefined();
    expect(checkRunaway(step.state, { ...obs, chainHedgeUnits: 98 }, runaway).state).toMatchObject({ expectedOffsetUnits: 98, ineffectiveStreak: 0 });
  });

  it('does not judge the position while a delta-one hedge is in flight', () => {
    const first = checkRunaway(INITIAL_RUNAWAY_STATE, { ...obs, chainHedgeUnits: 0 }, runaway);
    expect(checkRunaway(first.state, { ...obs, chainHedgeUnits: 2, deltaOneInFlight: true }, runaway).trip).toBeUndefined();
  });

  it('trips after N hedges in one direction that did not move the recorded delta, and counts again on an effective one', () => {
    let state = INITIAL_RUNAWAY_STATE;
    const trips = [];
    for (let i = 0; i < 4; i++) {
      const step = checkRunaway(state, { ...obs, orderUnits: 2, recordedDelta: -2 }, runaway);
      state = step.state;
      trips.push(step.trip?.code);
    }
    expect(trips).toEqual([undefined, undefined, undefined, 'INEFFECTIVE_HEDGES']);
    let fresh = checkRunaway(INITIAL_RUNAWAY_STATE, { ...obs, orderUnits: 2, recordedDelta: -2 }, runaway).state;
    fresh = checkRunaway(fresh, { ...obs, orderUnits: 2, recordedDelta: -2 }, runaway).state;
    expect(fresh.ineffectiveStreak).toBe(1);
    fresh = checkRunaway(fresh, { ...obs, orderUnits: 1, recordedDelta: -0.5 }, runaway).state; // moved 1.5 of 2: effective
    expect(fresh.ineffectiveStreak).toBe(0);
  });

  it('a trip in the evaluation turns the decision into the paused one, with a RUNAWAY alert', () => {
    const cfg = config({ band: { unit: 'units', trigger: 1 }, runaway });
    let guards: PolicyGuardState = {};
    const codes = [];
    for (let i = 0; i < 4; i++) {
      const out = decideGuarded(input(cfg, -2, 2000, T0 + i * MIN), guardInputs({ guards, recordedDelta: -2 }));
      guards = out.guards;
      codes.push(out.runawayTrip?.code ?? out.decision.reason);
    }
    expect(codes).toEqual(['HEDGE_BAND', 'HEDGE_BAND', 'HEDGE_BAND', 'INEFFECTIVE_HEDGES']);
  });
});

describe('the policy schema for the new blocks', () => {
  const issues = (value: unknown) => {
    const parsed = HedgePolicyConfigSchema.safeParse(value);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('refuses insurance beside a rule that sets another target, and bad numbers, with the field paths', () => {
    expect(issues({ underlying: 'ETH', insurance: CPPI, band: { unit: 'units', trigger: 1 } })).toEqual(['band: insurance sets the delta target and its band (insurance.band): leave band out']);
    expect(issues({ underlying: 'ETH', insurance: { ...CPPI, multiplier: -1 } }).map((i) => i.split(':')[0])).toEqual(['insurance.multiplier']);
    expect(issues({ underlying: 'ETH', insurance: { ...CPPI, floor: { kind: 'value', usd: 200_000 } } })).toEqual(['insurance.floor.usd: the floor must be below the capital insured (100000 USD)']);
    expect(issues({ underlying: 'ETH', cadence: { everyMs: 60_000 }, crashBreaker: { moveSigmas: 3, windowMs: 60_000, calmMs: 0, plan: { kind: 'slices', slices: 1, windowMs: 1000, maxSlippageBps: 5 } } }).map((i) => i.split(':')[0])).toEqual([
      'crashBreaker.plan.slices',
    ]);
  });

  it('a breaker may trip on the oracle jump alone; its move trigger needs k and the window together, and some trigger is needed', () => {
    const plan = { kind: 'hold' };
    const base = { underlying: 'ETH', cadence: { everyMs: 60_000 } };
    expect(issues({ ...base, crashBreaker: { maxOracleJumpBps: 500, calmMs: 0, plan } })).toEqual([]);
    expect(issues({ ...base, crashBreaker: { moveSigmas: 4, calmMs: 0, plan } })).toEqual(['crashBreaker.windowMs: is needed with moveSigmas: the move trigger measures the move within this window']);
    expect(issues({ ...base, crashBreaker: { windowMs: 60_000, maxOracleJumpBps: 500, calmMs: 0, plan } })).toEqual([
      "crashBreaker.moveSigmas: is needed with windowMs: the window is only the move trigger's (give both, or neither)",
    ]);
    expect(issues({ ...base, crashBreaker: { calmMs: 0, plan } })).toEqual(['crashBreaker: needs a trigger: moveSigmas with windowMs, maxPoolOracleDeviationBps or maxOracleJumpBps']);
    // Jump-only: a 6 % step of the oracle trips it, a 3 % one does not, however fast the clock.
    const cfg = config({ band: { unit: 'units', trigger: 100 }, crashBreaker: { maxOracleJumpBps: 500, calmMs: 60_000, plan } as never });
    const first = decideGuarded(input(cfg, 0, 2000, T0), guardInputs());
    expect(first.guards.breaker!.breaker.window).toHaveLength(1); // no window kept beyond the last observation
    const small = decideGuarded(input(cfg, 0, 1940, T0 + 1000), guardInputs({ guards: first.guards, oracleRound: { roundId: '2', answer: 1940 } }));
    expect(small.crashSwitch).toBeUndefined();
    const crash = decideGuarded(input(cfg, 0, 1820, T0 + 2000), guardInputs({ guards: small.guards, oracleRound: { roundId: '3', answer: 1820 } }));
    expect(crash.crashSwitch).toMatchObject({ transition: { to: 'crash' }, triggers: ['ORACLE_JUMP'] });
    expect(crash.crashSwitch!.numbers).not.toHaveProperty('moveSigmas');
  });

  it('accepts an insurance policy as the trigger, with the defaults filled', () => {
    const parsed = HedgePolicyConfigSchema.parse({ underlying: 'ETH', insurance: { method: 'cppi', capitalUsd: 1000, floor: { kind: 'value', usd: 800 }, multiplier: 3 } });
    expect(parsed.insurance).toEqual({ method: 'cppi', capitalUsd: 1000, floor: { kind: 'value', usd: 800 }, multiplier: 3, maxExposureShare: 1, band: 0.05 });
  });
});
