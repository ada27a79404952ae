/**
 * One account's live configuration: the account owner's policy and the operator's part,
 * kept as ONE versioned document, so that a write of either part is checked against the
 * other part at the version it replaces (DynamoDB's condition on the version settles any
 * race), and the flow reads both in one item.
 *
 * - `checkConfigPair` says what the two parts must agree on, as field errors on the part
 *   being written: the same underlying, a venue for the delta instrument and for hedge
 *   options, the account's limits within the operator's ceilings.
 * - `runtimeConfigOf` is what evaluate, dispatch and confirm run with: the policy, the
 *   operator's market, and its execution with each ceiling lowered to the account's own
 *   limit (so dispatch enforces the tighter of the two, whoever wrote last).
 *
 * @example
 * const issues = checkConfigPair(policy, operator, 'policy');
 * // [{ path: ['executionLimits', 'maxSlippageBps'], message: 'above the operator's ceiling of 50', kind: 'ceiling' }]
 * const runtime = runtimeConfigOf({ policy, operator }); // HedgePolicyConfig & { market, execution }
 */
import * as z from 'zod';
import { instrumentsTraded, type ExecutionConfig, type ExecutionLimits, type MarketSource } from './execution-config.ts';
import { AccountPolicySchema, type AccountPolicy, type HedgePolicyConfig } from './hedge-policy-config.ts';
import { StoredOperatorConfigSchema, type StoredOperatorConfig } from './operator-config.ts';

export const AccountConfigDocumentSchema = z.strictObject({
  /** The account owner's policy; absent until the owner first writes one. */
  policy: AccountPolicySchema.optional(),
  /** The operator's part; absent until the operator sets the account up. */
  operator: StoredOperatorConfigSchema.optional(),
});
export type AccountConfigDocument = z.output<typeof AccountConfigDocumentSchema>;

/** The configuration the hedging flow runs with. */
export type RuntimeConfig = HedgePolicyConfig & {
  readonly market?: MarketSource;
  readonly execution?: ExecutionConfig;
};

export interface ConfigPairIssue {
  /** Path inside the part being written. */
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** 'ceiling': a limit above what the operator allows (a permission matter); 'mismatch': the parts disagree. */
  readonly kind: 'ceiling' | 'mismatch';
}

const LIMIT_FIELDS = ['maxTradeNotionalUsd', 'maxDailyNotionalUsd', 'maxSlippageBps'] as const satisfies readonly (keyof ExecutionLimits)[];

/**
 * What the policy and the operator's part must agree on, reported on the part being
 * written (`writing`). Nothing to check while either part is absent.
 */
export function checkConfigPair(policy: AccountPolicy | undefined, operator: StoredOperatorConfig | undefined, writing: 'policy' | 'operator'): ConfigPairIssue[] {
  if (policy === undefined || operator === undefined) return [];
  const issues: ConfigPairIssue[] = [];
  const onPolicy = writing === 'policy';
  if (policy.underlying !== operator.underlying) {
    issues.push({
      path: ['underlying'],
      kind: 'mismatch',
      message: onPolicy
        ? `the operator set this account up for ${operator.underlying}: the policy must be on ${operator.underlying}`
        : `the account's policy is on ${policy.underlying}: set the account up for ${policy.underlying}, or have the owner change the policy first`,
    });
  }
  const execution = operator.execution;
  if (execution === undefined) return issues;
  const traded = instrumentsTraded(execution.venues);
  const tradedList = [...traded].join(', ');
  if (!traded.has(policy.hedgeInstrument)) {
    issues.push({
      path: onPolicy ? ['hedgeInstrument'] : ['execution', 'venues'],
      kind: 'mismatch',
      message: onPolicy
        ? `no venue of this account trades ${policy.hedgeInstrument} (its venues trade: ${tradedList}); choose one of those or ask the operator for a ${policy.hedgeInstrument} venue`
        : `the account's policy hedges delta with ${policy.hedgeInstrument}, which none of these venues trades`,
    });
  }
  if ((policy.limits?.hedgeOptions.length ?? 0) > 0 && !traded.has('option')) {
    issues.push({
      path: onPolicy ? ['limits', 'hedgeOptions'] : ['execution', 'venues'],
      kind: 'mismatch',
      message: onPolicy
        ? `hedge options need an option venue, and this account has none (its venues trade: ${tradedList})`
        : `the account's policy hedges gamma/vega with options, and none of these venues trades options`,
    });
  }
  if (policy.crashBreaker?.maxPoolOracleDeviationBps !== undefined && !execution.venues.some((venue) => venue.kind === 'uniswap-v3')) {
    issues.push({
      path: onPolicy ? ['crashBreaker', 'maxPoolOracleDeviationBps'] : ['execution', 'venues'],
      kind: 'mismatch',
      message: onPolicy
        ? 'the pool-oracle trigger reads a Uniswap V3 pool, and this account has no uniswap-v3 venue'
        : "the account's crash breaker compares a Uniswap V3 pool with the oracle, and none of these venues is one",
    });
  }
  const crashPlan = policy.crashBreaker?.plan;
  if (onPolicy && crashPlan?.kind === 'slices' && crashPlan.maxSlippageBps > execution.maxSlippageBps) {
    issues.push({ path: ['crashBreaker', 'plan', 'maxSlippageBps'], kind: 'ceiling', message: `${crashPlan.maxSlippageBps} is above the operator's ceiling of ${execution.maxSlippageBps}` });
  }
  if (onPolicy) {
    for (const field of LIMIT_FIELDS) {
      const wanted = policy.executionLimits?.[field];
      if (wanted !== undefined && wanted > execution[field]) {
        issues.push({ path: ['executionLimits', field], kind: 'ceiling', message: `${wanted} is above the operator's ceiling of ${execution[field]}` });
      }
    }
  }
  return issues;
}

/** The policy with the operator's market and effective execution; undefined until the owner wrote a policy. */
export function runtimeConfigOf(document: AccountConfigDocument): RuntimeConfig | undefined {
  const { policy, operator } = document;
  if (policy === undefined) return undefined;
  const { executionLimits, ...engine } = policy;
  if (operator === undefined) return engine;
  const execution = operator.execution === undefined ? undefined : effectiveExecution(operator.execution, executionLimits);
  return { ...engine, market: operator.market, ...(execution === undefined ? {} : { execution }) };
}

/** The operator's ceilings lowered to the account's own limits. */
export function effectiveExecution(execution: ExecutionConfig, limits: ExecutionLimits | undefined): ExecutionConfig {
  const lowered: Partial<Record<(typeof LIMIT_FIELDS)[number], number>> = {};
  for (const field of LIMIT_FIELDS) {
    const own = limits?.[field];
    if (own !== undefined) lowered[field] = Math.min(own, execution[field]);
  }
  return { ...execution, ...lowered };
}
