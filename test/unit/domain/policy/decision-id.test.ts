import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema } from '../../../../shared/contracts/hedge-policy-config.ts';
import { canonicalJson, decisionId, fnv1a64Hex } from '../../../../shared/domain/policy/decision-id.ts';
import { initialHedgeState } from '../../../../shared/domain/policy/hedge-state.ts';
import type { PolicyInput } from '../../../../shared/domain/policy/policy-types.ts';

const NOW = Date.UTC(2026, 0, 5, 12);
const config = HedgePolicyConfigSchema.parse({ underlying: 'ETH', band: { unit: 'units', trigger: 5 } });
const input: PolicyInput = {
  risk: { delta: 1, gamma: 0.01, vegaPerVolPoint: 100, optionNotionalUsd: 1e6, yearsToExpiry: 0.1 },
  market: { spot: 3000, impliedVol: 0.6, rate: 0.04, yield: 0 },
  config,
  state: initialHedgeState(NOW),
  nowMs: NOW,
};

describe('FNV-1a 64', () => {
  it('matches the published test vectors', () => {
    expect(fnv1a64Hex('')).toBe('cbf29ce484222325');
    expect(fnv1a64Hex('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex('foobar')).toBe('85944171f73967e8');
  });
});

describe('decision ids', () => {
  it('are 16 hex digits, equal for equal inputs (also structurally cloned ones)', () => {
    const id = decisionId(input);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(decisionId(structuredClone(input))).toBe(id);
    expect(decisionId({ ...input, config: HedgePolicyConfigSchema.parse({ band: { trigger: 5, unit: 'units' }, underlying: 'ETH' }) })).toBe(id);
  });

  it('change with every input that matters', () => {
    const id = decisionId(input);
    const variants: PolicyInput[] = [
      { ...input, nowMs: NOW + 1 },
      { ...input, market: { ...input.market, spot: 3000.0000001 } },
      { ...input, market: { ...input.market, impliedVol: 0.61 } },
      { ...input, market: { ...input.market, rate: 0.05 } },
      { ...input, market: { ...input.market, yield: 0.01 } },
      { ...input, risk: { ...input.risk, delta: 1 + 1e-12 } },
      { ...input, risk: { ...input.risk, gamma: 0.02 } },
      { ...input, risk: { ...input.risk, vegaPerVolPoint: 101 } },
      { ...input, risk: { ...input.risk, optionNotionalUsd: 2e6 } },
      { ...input, risk: { ...input.risk, yearsToExpiry: 0.2 } },
      { ...input, state: { ...input.state, lastHedgeAtMs: NOW } },
      { ...input, state: { ...input.state, lastHedgeAtMs: 0 } },
      { ...input, state: { ...input.state, lastHedgeSpot: 3000 } },
      { ...input, state: { ...input.state, dailyNotionalUsd: 1 } },
      { ...input, state: { ...input.state, ewmaVariance: 0.36 } },
      { ...input, state: { ...input.state, pendingSlices: [{ quantity: -1, notBeforeMs: NOW, sliceIndex: 1, sliceCount: 2, decisionId: id }] } },
      { ...input, state: { ...input.state, pendingSlices: [{ quantity: -1, notBeforeMs: NOW, sliceIndex: 1, sliceCount: 2, decisionId: 'other' }] } },
      { ...input, config: HedgePolicyConfigSchema.parse({ underlying: 'ETH', band: { unit: 'units', trigger: 6 } }) },
      { ...input, config: HedgePolicyConfigSchema.parse({ underlying: 'BTC', band: { unit: 'units', trigger: 5 } }) },
    ];
    const ids = new Set([id, ...variants.map(decisionId)]);
    expect(ids.size).toBe(variants.length + 1);
  });

  it('treat -0 as 0', () => {
    expect(decisionId({ ...input, market: { ...input.market, yield: -0 } })).toBe(decisionId(input));
  });

  it('canonical JSON sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});
