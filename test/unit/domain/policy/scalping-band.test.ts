import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema, type HedgePolicyConfig } from '../../../../shared/contracts/hedge-policy-config.ts';
import { cadenceIntervalMs } from '../../../../shared/domain/policy/cadence.ts';
import { decideHedge } from '../../../../shared/domain/policy/decide-hedge.ts';
import { initialHedgeState } from '../../../../shared/domain/policy/hedge-state.ts';
import { DEFAULT_SCALPING, scalpingFactor } from '../../../../shared/domain/policy/scalping-band.ts';

const NOW = Date.UTC(2026, 0, 5, 12);
const issues = (value: unknown): string[] => {
  const parsed = HedgePolicyConfigSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the scalping factor', () => {
  it('narrows the band when realised is expected to beat implied, widens it when not (variance ratio by default)', () => {
    expect(scalpingFactor(DEFAULT_SCALPING, 0.8, 0.6, 0.01)).toBeCloseTo(0.5625, 15);
    expect(scalpingFactor(DEFAULT_SCALPING, 0.4, 0.6, 0.01)).toBeCloseTo(2.25, 15);
  });

  it('is 1 within the neutral band, for a flat or short-gamma book, and clamped to [minFactor, maxFactor]', () => {
    expect(scalpingFactor(DEFAULT_SCALPING, 0.62, 0.6, 0.01)).toBe(1);
    expect(scalpingFactor(DEFAULT_SCALPING, 0.9, 0.6, 0)).toBe(1);
    expect(scalpingFactor(DEFAULT_SCALPING, 0.9, 0.6, -0.01)).toBe(1);
    expect(scalpingFactor(DEFAULT_SCALPING, 3, 0.6, 0.01)).toBe(0.25);
    expect(scalpingFactor(DEFAULT_SCALPING, 0.1, 0.6, 0.01)).toBe(4);
    expect(scalpingFactor({ exponent: 1, minFactor: 0.5, maxFactor: 2, neutralBand: 0 }, 0.75, 0.6, 1)).toBeCloseTo(0.8, 15);
  });
});

describe('volScaling.mode "scalping" in the policy', () => {
  const policy = (over: object = {}): HedgePolicyConfig =>
    HedgePolicyConfigSchema.parse({ underlying: 'ETH', band: { unit: 'units', trigger: 4 }, cadence: { everyMs: 3_600_000 }, volScaling: { source: 'realised', mode: 'scalping', scaleCadence: true, ...over } });
  const market = { spot: 3000, impliedVol: 0.5, rate: 0, yield: 0 };
  const longGamma = { delta: 0, gamma: 0.02, vegaPerVolPoint: 100, optionNotionalUsd: 300_000, yearsToExpiry: 0.1 };
  const state = (vol: number) => ({ ...initialHedgeState(NOW), lastHedgeAtMs: NOW - 60_000, lastHedgeSpot: 3000, ewmaVariance: vol * vol });

  it('a long-gamma book with realised above implied: a narrower band and a shorter cadence', () => {
    const d = decideHedge({ risk: longGamma, market, config: policy(), state: state(0.7), nowMs: NOW });
    const factor = (0.5 / 0.7) ** 2;
    expect(d.numbers.scalpingFactor).toBeCloseTo(factor, 12);
    expect(d.numbers.impliedVol).toBe(0.5);
    expect(d.numbers.bandUnits).toBeCloseTo(4 * factor, 12);
    expect(d.numbers.cadenceIntervalMs).toBeCloseTo(3_600_000 * factor, 6);
  });

  it('realised below implied: a wider band; a short-gamma book keeps the plain band', () => {
    expect(decideHedge({ risk: longGamma, market, config: policy(), state: state(0.4), nowMs: NOW }).numbers.bandUnits).toBeCloseTo(4 * (0.5 / 0.4) ** 2, 12);
    expect(decideHedge({ risk: { ...longGamma, gamma: -0.02 }, market, config: policy(), state: state(0.7), nowMs: NOW }).numbers.bandUnits).toBe(4);
  });

  it('the same factor on the cadence as on the band', () => {
    const p = policy({ scalping: { exponent: 1, minFactor: 0.1, maxFactor: 10, neutralBand: 0 } });
    expect(cadenceIntervalMs(p.cadence!, p.volScaling, 0.8, 0.4, 0.01)).toBeCloseTo(1_800_000, 6);
  });

  it('is validated with the field path: it needs a realised or forecast vol, a band or cadence, and sane factors', () => {
    expect(issues({ underlying: 'ETH', band: { unit: 'units', trigger: 4 }, volScaling: { source: 'implied', mode: 'scalping' } })).toEqual([
      'volScaling.mode: volScaling.mode "scalping" compares an expected realised vol with implied: use source "forecast" or "realised"',
    ]);
    expect(issues({ underlying: 'ETH', priceMove: { pct: 1 }, volScaling: { source: 'realised', mode: 'scalping' } })).toEqual([
      'volScaling.mode: volScaling.mode "scalping" narrows or widens the band (or the cadence): it needs a band or a cadence',
    ]);
    expect(issues({ underlying: 'ETH', band: { unit: 'units', trigger: 4 }, volScaling: { source: 'realised', mode: 'ratio', scalping: {} } })).toEqual([
      'volScaling.scalping: volScaling.scalping is used only with mode "scalping" (the mode is "ratio")',
    ]);
    expect(issues({ underlying: 'ETH', band: { unit: 'units', trigger: 4 }, volScaling: { source: 'realised', mode: 'scalping', scalping: { minFactor: 2 } } })).toEqual([
      expect.stringMatching(/^volScaling\.scalping\.minFactor: /),
    ]);
  });
});
