import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema } from '../../../../shared/contracts/hedge-policy-config.ts';
import { InvalidInputError } from '../../../../shared/domain/errors.ts';
import { MAX_PRICE_LEVEL, MIN_PRICE_LEVEL } from '../../../../shared/domain/pricing/option-inputs.ts';
import { MAX_ABS_AMOUNT, validatePolicyInput } from '../../../../shared/domain/policy/policy-input-validation.ts';
import type { PolicyInput } from '../../../../shared/domain/policy/policy-types.ts';

const NOW = Date.UTC(2026, 0, 5, 12);
const valid = (): PolicyInput => ({
  risk: { delta: 1, gamma: 0.01, vegaPerVolPoint: 100, optionNotionalUsd: 1e6, yearsToExpiry: 0.1 },
  market: { spot: 3000, impliedVol: 0.6, rate: 0.04, yield: 0 },
  config: HedgePolicyConfigSchema.parse({ underlying: 'ETH', band: { unit: 'units', trigger: 5 } }),
  state: { dayStartMs: NOW - 3_600_000, dailyNotionalUsd: 10, pendingSlices: [], lastHedgeAtMs: NOW - 60_000, lastHedgeSpot: 2990, ewmaVariance: 0.3, lastPrice: 3001, lastPriceAtMs: NOW - 1000 },
  nowMs: NOW,
});

type Path = readonly [('risk' | 'market' | 'state')?, string?];
/** Each field, where it lives, and values its rule rejects. */
const FIELDS: [string, Path, unknown[]][] = [
  ['nowMs', [], [Number.NaN, Infinity, '1']],
  ['market.spot', ['market', 'spot'], [Number.NaN, 0, -1, MIN_PRICE_LEVEL / 2, MAX_PRICE_LEVEL * 2, '3000']],
  ['market.impliedVol', ['market', 'impliedVol'], [Number.NaN, -0.1, 101, '0.5']],
  ['market.rate', ['market', 'rate'], [Number.NaN, Infinity, MAX_ABS_AMOUNT * 10, '0']],
  ['market.yield', ['market', 'yield'], [Number.NaN, -Infinity, '0']],
  ['risk.delta', ['risk', 'delta'], [Number.NaN, Infinity, -MAX_ABS_AMOUNT * 10, '1']],
  ['risk.gamma', ['risk', 'gamma'], [Number.NaN, -Infinity, '1']],
  ['risk.vegaPerVolPoint', ['risk', 'vegaPerVolPoint'], [Number.NaN, Infinity, '1']],
  ['risk.optionNotionalUsd', ['risk', 'optionNotionalUsd'], [Number.NaN, -1, Infinity, '1']],
  ['risk.yearsToExpiry', ['risk', 'yearsToExpiry'], [Number.NaN, -1, Infinity]],
  ['state.dayStartMs', ['state', 'dayStartMs'], [Number.NaN, Infinity, '0']],
  ['state.dailyNotionalUsd', ['state', 'dailyNotionalUsd'], [Number.NaN, -5, '0']],
  ['state.lastHedgeAtMs', ['state', 'lastHedgeAtMs'], [Number.NaN, -Infinity, '0']],
  ['state.lastHedgeSpot', ['state', 'lastHedgeSpot'], [Number.NaN, 0, '3000']],
  ['state.ewmaVariance', ['state', 'ewmaVariance'], [Number.NaN, -0.1, '0.1']],
  ['state.lastPrice', ['state', 'lastPrice'], [Number.NaN, 0, '3000']],
  ['state.lastPriceAtMs', ['state', 'lastPriceAtMs'], [Number.NaN, Infinity, '0']],
];

function withValue(path: Path, value: unknown): PolicyInput {
  const input = valid() as unknown as Record<string, Record<string, unknown>>;
  const [part, field] = path;
  if (part === undefined) (input as Record<string, unknown>).nowMs = value;
  else input[part]![field!] = value;
  return input as unknown as PolicyInput;
}

function fieldOfError(input: PolicyInput): string | undefined {
  try {
    validatePolicyInput(input);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).field;
  }
}

describe('validatePolicyInput', () => {
  it('accepts a valid input, and values at the edges of each rule', () => {
    expect(fieldOfError(valid())).toBeUndefined();
    const edges: [Path, unknown][] = [
      [['market', 'spot'], MIN_PRICE_LEVEL],
      [['market', 'spot'], MAX_PRICE_LEVEL],
      [['market', 'impliedVol'], 0],
      [['market', 'impliedVol'], 100],
      [['risk', 'delta'], MAX_ABS_AMOUNT],
      [['risk', 'delta'], -MAX_ABS_AMOUNT],
      [['risk', 'optionNotionalUsd'], 0],
      [['state', 'ewmaVariance'], 0],
      [['state', 'lastHedgeAtMs'], undefined],
      [['state', 'ewmaVariance'], undefined],
    ];
    for (const [path, value] of edges) expect(fieldOfError(withValue(path, value)), `${path.join('.')} = ${String(value)}`).toBeUndefined();
  });

  it.each(FIELDS)('names %s when it breaks its rule', (field, path, values) => {
    for (const value of values) expect(fieldOfError(withValue(path, value)), String(value)).toBe(field);
  });

  it('names the first field that breaks a rule, in the documented order', () => {
    const input = withValue(['state', 'lastPrice'], Number.NaN) as unknown as { risk: Record<string, unknown> };
    input.risk.gamma = Number.NaN;
    expect(fieldOfError(input as unknown as PolicyInput)).toBe('risk.gamma');
  });

  it('rejects |rate × years to expiry| above 100', () => {
    const input = valid();
    expect(fieldOfError({ ...input, market: { ...input.market, rate: 2 }, risk: { ...input.risk, yearsToExpiry: 51 } })).toBe('market.rate');
  });
});
