/**
 * The production policy engine (shared/domain/policy) as the simulator's injected
 * dependency: the backtester runs the very functions the evaluator runs.
 */
import { decideHedge } from '../policy/decide-hedge.ts';
import { applyDecision, initialHedgeState, observePrice } from '../policy/hedge-state.ts';
import type { PolicyFunctions } from './simulate.ts';

export const POLICY_ENGINE: PolicyFunctions = {
  initial: initialHedgeState,
  observe: observePrice,
  decide: decideHedge,
  apply: applyDecision,
};
