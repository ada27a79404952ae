import { describe, expect, it } from 'vitest';
import { VolScalingSchema } from '../../../../shared/contracts/hedge-policy-config.ts';
import { cadenceIntervalMs, isCadenceDue } from '../../../../shared/domain/policy/cadence.ts';
import { bandTriggerUnits, effectiveBandUnits, gammaRiskBandUnits } from '../../../../shared/domain/policy/effective-band.ts';
import { hedgeTarget } from '../../../../shared/domain/policy/hedge-target.ts';
import { isPriceMoveDue, priceMoveFraction } from '../../../../shared/domain/policy/price-move.ts';

describe('band trigger in units', () => {
  it('converts units, USD and % of notional', () => {
    expect(bandTriggerUnits({ unit: 'units', trigger: 5 }, 3000, 1e6)).toBe(5);
    expect(bandTriggerUnits({ unit: 'usd', trigger: 15_000 }, 3000, 1e6)).toBe(5);
    // 2% of 1.5M USD = 30,000 USD = 10 ETH at 3000
    expect(bandTriggerUnits({ unit: 'pctNotional', trigger: 2 }, 3000, 1.5e6)).toBeCloseTo(10, 12);
    expect(bandTriggerUnits({ unit: 'pctNotional', trigger: 2 }, 3000, 0)).toBe(0);
  });
});

describe('vol-scaled band', () => {
  const band = { unit: 'units', trigger: 5 } as const;
  it('ratio mode multiplies by σ/referenceVol, only when scaleBand', () => {
    const ratio = VolScalingSchema.parse({ source: 'implied', referenceVol: 0.6 });
    expect(effectiveBandUnits(band, ratio, 0.9, 3000, 0.01, 0)).toBeCloseTo(7.5, 12);
    expect(effectiveBandUnits(band, ratio, 0.3, 3000, 0.01, 0)).toBeCloseTo(2.5, 12);
    expect(effectiveBandUnits(band, { ...ratio, scaleBand: false }, 0.9, 3000, 0.01, 0)).toBe(5);
    expect(effectiveBandUnits(band, undefined, 0.9, 3000, 0.01, 0)).toBe(5);
  });

  it('gammaRisk mode: multiplier · |Γ| · S · σ · √horizon, floored', () => {
    const g = VolScalingSchema.parse({ source: 'implied', mode: 'gammaRisk', horizonMs: 3_600_000 });
    // 0.02 · 3000 · 0.6 · √(1/8760) = 0.38463645885361936 (hand/python)
    expect(gammaRiskBandUnits(g, -0.02, 3000, 0.6)).toBeCloseTo(0.38463645885361936, 14);
    expect(effectiveBandUnits(band, g, 0.6, 3000, 0.02, 0)).toBeCloseTo(0.38463645885361936, 14);
    expect(effectiveBandUnits(band, { ...g, multiplier: 2 }, 0.6, 3000, 0.02, 0)).toBeCloseTo(2 * 0.38463645885361936, 14);
    expect(effectiveBandUnits(band, { ...g, minBandUnits: 1 }, 0.6, 3000, 0.02, 0)).toBe(1);
    expect(effectiveBandUnits(band, { ...g, minBandUnits: 0.1 }, 0.6, 3000, 0, 0)).toBe(0.1);
  });
});

describe('cadence and price move', () => {
  it('cadence interval scales by referenceVol/σ only with scaleCadence', () => {
    const s = VolScalingSchema.parse({ source: 'implied', referenceVol: 0.6, scaleCadence: true });
    expect(cadenceIntervalMs({ everyMs: 3_600_000 }, s, 1.2)).toBeCloseTo(1_800_000, 6);
    expect(cadenceIntervalMs({ everyMs: 3_600_000 }, { ...s, scaleCadence: false }, 1.2)).toBe(3_600_000);
    expect(cadenceIntervalMs({ everyMs: 3_600_000 }, undefined, 1.2)).toBe(3_600_000);
    expect(isCadenceDue(undefined, 0, 10)).toBe(true);
    expect(isCadenceDue(100, 109, 10)).toBe(false);
    expect(isCadenceDue(100, 110, 10)).toBe(true);
  });

  it('price move is relative to the last hedge spot, strict, and due without a reference', () => {
    expect(priceMoveFraction(3090, 3000)).toBeCloseTo(0.03, 15);
    expect(isPriceMoveDue(3090, 3000, 2)).toBe(true);
    expect(isPriceMoveDue(2910, 3000, 2)).toBe(true);
    expect(isPriceMoveDue(3030, 3000, 2)).toBe(false);
    expect(isPriceMoveDue(3000, undefined, 2)).toBe(true);
  });
});

describe('hysteresis target', () => {
  it('zero, or the edge on the side the delta left, never away from zero', () => {
    expect(hedgeTarget(12, 5, 'zero', 1)).toBe(0);
    expect(hedgeTarget(12, 5, 'edge', 1)).toBe(5);
    expect(hedgeTarget(-12, 5, 'edge', 0.5)).toBe(-2.5);
    expect(hedgeTarget(1, 5, 'edge', 0.5)).toBe(1);
    expect(hedgeTarget(-3, 5, 'edge', 0.5)).toBe(-2.5);
    expect(hedgeTarget(3, 5, 'edge', 0)).toBe(0);
  });
});
