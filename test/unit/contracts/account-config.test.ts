/**
 * The two parts of an account's configuration: what they must agree on, and the runtime
 * configuration the flow reads (the lower of ceiling and own limit, whoever wrote last).
 */
import { describe, expect, it } from 'vitest';
import { AccountConfigDocumentSchema, checkConfigPair, runtimeConfigOf } from '../../../shared/contracts/account-config.ts';
import { AccountPolicySchema } from '../../../shared/contracts/hedge-policy-config.ts';
import { StoredOperatorConfigSchema } from '../../../shared/contracts/operator-config.ts';

const venue = {
  kind: 'uniswap-v3',
  pool: '0x00000000000000000000000000000000000000b1',
  swapRouter: '0x00000000000000000000000000000000000000b2',
  quoterV2: '0x00000000000000000000000000000000000000b3',
  baseToken: '0x00000000000000000000000000000000000000c1',
  quoteToken: '0x00000000000000000000000000000000000000c2',
  baseDecimals: 18,
  quoteDecimals: 6,
  fee: 3000,
};
const operator = StoredOperatorConfigSchema.parse({
  underlying: 'ETH',
  market: { chainId: 1, oracle: { address: '0x00000000000000000000000000000000000000a1', maxStalenessMs: 60_000 }, vol: { source: 'fixed', value: 0.6 } },
  execution: { venues: [venue], maxSlippageBps: 50, maxTradeNotionalUsd: 100_000, maxDailyNotionalUsd: 1_000_000, maxFeePerGasGwei: 100, maxPriorityFeePerGasGwei: 2, signer: { kind: 'local', name: 'k' } },
});
const policy = (extra: Record<string, unknown> = {}) => AccountPolicySchema.parse({ underlying: 'ETH', hedgeInstrument: 'spot', band: { unit: 'units', trigger: 1 }, ...extra });

describe('checkConfigPair', () => {
  it('nothing to check while either part is missing', () => {
    expect(checkConfigPair(undefined, operator, 'operator')).toEqual([]);
    expect(checkConfigPair(policy({ hedgeInstrument: 'perp' }), undefined, 'policy')).toEqual([]);
  });

  it('reports on the part being written: the policy\'s field, or the operator\'s venues', () => {
    const perp = policy({ hedgeInstrument: 'perp' });
    expect(checkConfigPair(perp, operator, 'policy').map((i) => [i.path.join('.'), i.kind])).toEqual([['hedgeInstrument', 'mismatch']]);
    expect(checkConfigPair(perp, operator, 'operator').map((i) => i.path.join('.'))).toEqual(['execution.venues']);
  });

  it('limits above a ceiling are a ceiling issue, on the policy only (the operator may lower a ceiling below them)', () => {
    const greedy = policy({ executionLimits: { maxSlippageBps: 51, maxTradeNotionalUsd: 100_000 } });
    expect(checkConfigPair(greedy, operator, 'policy')).toEqual([
      { path: ['executionLimits', 'maxSlippageBps'], kind: 'ceiling', message: "51 is above the operator's ceiling of 50" },
    ]);
    expect(checkConfigPair(greedy, operator, 'operator')).toEqual([]);
  });

  it('an advisory set-up (no execution) only needs the same underlying', () => {
    const advisory = { ...operator, execution: undefined };
    expect(checkConfigPair(policy({ hedgeInstrument: 'perp' }), advisory, 'policy')).toEqual([]);
    expect(checkConfigPair(policy({ underlying: 'BTC' }), advisory, 'policy').map((i) => i.path.join('.'))).toEqual(['underlying']);
  });
});

describe('runtimeConfigOf', () => {
  it('undefined until the owner wrote a policy; without the operator, the policy alone (no market, no execution)', () => {
    expect(runtimeConfigOf({ operator })).toBeUndefined();
    const alone = runtimeConfigOf({ policy: policy() })!;
    expect(alone.market).toBeUndefined();
    expect(alone.execution).toBeUndefined();
  });

  it('the effective limits are the lower of the ceiling and the account\'s own; executionLimits do not reach the engine', () => {
    const runtime = runtimeConfigOf(AccountConfigDocumentSchema.parse({ policy: policy({ executionLimits: { maxSlippageBps: 20, maxDailyNotionalUsd: 5_000_000 } }), operator }))!;
    expect(runtime.execution).toMatchObject({ maxSlippageBps: 20, maxDailyNotionalUsd: 1_000_000, maxTradeNotionalUsd: 100_000, signer: { kind: 'local', name: 'k' } });
    expect(runtime.market).toEqual(operator.market);
    expect('executionLimits' in runtime).toBe(false);
  });
});
