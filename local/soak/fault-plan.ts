/**
 * The seeded fault plan: what happens between which ticks, and how often a fault strikes
 * inside a tick. Every kind has a first tick early in the run (so a short run sees each
 * one), then strikes at its rate. The plan is what is intended; the report counts what
 * was done.
 */
import { seededRandom, type SeededRandom } from './seeded-random.ts';

/** Faults between two ticks (the flow settled). */
export type BetweenTicks = 'flash-crash' | 'book-trades' | 'dynamodb-restart' | 'anvil-restart' | 'reorg-confirmed';
/** Faults inside a tick, armed by the plan and struck at the next chance. */
export type InFlight = 'kill-worker-before-send' | 'kill-worker-after-send' | 'kill-worker-confirming' | 'reorg-submitted';

export interface FaultPlan {
  readonly random: SeededRandom;
  /** The between-tick faults before tick t (1-based). */
  before(tick: number): readonly BetweenTicks[];
  /** The in-flight faults armed from tick t on (each until it strikes). */
  arm(tick: number): readonly InFlight[];
  /** Rates inside a tick, on each chance (a send, a confirm's read), after the first strike. */
  readonly rates: Readonly<Record<InFlight, number>>;
}

/** Each kind's first tick: all within the first five, so that a short run sees every one. */
const FIRST: Readonly<Record<BetweenTicks | InFlight, number>> = {
  'kill-worker-before-send': 1,
  'kill-worker-after-send': 1,
  'kill-worker-confirming': 1,
  'reorg-submitted': 1,
  'book-trades': 2,
  'flash-crash': 2,
  'dynamodb-restart': 3,
  'anvil-restart': 4,
  'reorg-confirmed': 5,
};

const EVERY: Readonly<Record<BetweenTicks, number>> = {
  'flash-crash': 1 / 40,
  'book-trades': 1 / 8,
  'dynamodb-restart': 1 / 60,
  'anvil-restart': 1 / 80,
  'reorg-confirmed': 1 / 30,
};

export function createFaultPlan(seed: number): FaultPlan {
  const random = seededRandom(seed);
  // The plan's own stream, apart from the one the faults draw from inside ticks.
  const planRandom = seededRandom(seed ^ 0x5eed);
  return {
    random,
    before(tick) {
      return (Object.keys(EVERY) as BetweenTicks[]).filter((kind) => tick === FIRST[kind] || (tick > FIRST[kind] && planRandom.chance(EVERY[kind])));
    },
    arm(tick) {
      return (['kill-worker-before-send', 'kill-worker-after-send', 'kill-worker-confirming', 'reorg-submitted'] as const).filter((kind) => tick === FIRST[kind]);
    },
    rates: { 'kill-worker-before-send': 0.04, 'kill-worker-after-send': 0.04, 'kill-worker-confirming': 0.01, 'reorg-submitted': 0.04 },
  };
}
