/**
 * The production policy engine (shared/domain/policy) as the simulator's injected
 * dependency: the backtester runs the very functions the evaluator runs. It decides with
 * decideHedgeDeferred — decideHedge's decisions, with the id and the message worked out
 * only when read: the simulator reads neither, and building them was most of its time.
 */
import { decideHedgeDeferred } from '../policy/decide-hedge.ts';
import { applyDecision, initialHedgeState, observePrice } from '../policy/hedge-state.ts';
import type { PolicyFunctions } from './simulate.ts';

export const POLICY_ENGINE: PolicyFunctions = {
  initial: initialHedgeState,
  observe: observePrice,
  decide: decideHedgeDeferred,
  apply: applyDecision,
};
