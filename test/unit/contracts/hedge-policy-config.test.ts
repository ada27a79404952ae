import { describe, expect, it } from 'vitest';
import { HedgePolicyConfigSchema } from '../../../shared/contracts/hedge-policy-config.ts';

const messages = (value: unknown): string[] => {
  const parsed = HedgePolicyConfigSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('hedge policy config schema', () => {
  it('accepts the documented example and fills the defaults', () => {
    const config = HedgePolicyConfigSchema.parse({
      underlying: 'ETH',
      band: { unit: 'units', trigger: 5, target: 'zero' },
      guards: { minTradeUnits: 0.1, maxTradeUnits: 50, cooldownMs: 600000, cooldownBypassMultiple: 2 },
      slicing: { clipUnits: 20, slices: 4, windowMs: 600000 },
    });
    expect(config.hedgeInstrument).toBe('perp');
    expect(config.band).toEqual({ unit: 'units', trigger: 5, target: 'zero', edgeFraction: 1 });
    expect(config.guards).toMatchObject({ paused: false, dryRun: false, maxTradeUnits: 50 });
    expect(config.slicing?.volScaled).toBe(false);
  });

  it('needs at least one trigger', () => {
    expect(messages({ underlying: 'ETH' })).toEqual([': a policy needs at least one trigger: band, cadence, priceMove, whalleyWilmott or insurance']);
  });

  it('rejects settings that would silently do nothing', () => {
    expect(messages({ underlying: 'ETH', cadence: { everyMs: 60000 }, slicing: { clipUnits: 1, slices: 2, windowMs: 1000, volScaled: true } })).toEqual([
      'slicing.volScaled: slicing.volScaled needs a volScaling block',
    ]);
    expect(messages({ underlying: 'ETH', cadence: { everyMs: 60000 }, volScaling: { source: 'implied', mode: 'gammaRisk' } })).toEqual([
      'volScaling.mode: volScaling.mode "gammaRisk" sets the band width: it needs a band',
    ]);
  });

  it('rejects unknown fields, bad units and out-of-range numbers with their paths', () => {
    expect(messages({ underlying: 'ETH', band: { unit: 'units', trigger: 5, trigerr: 1 } })[0]).toMatch(/^band: Unrecognized key/);
    expect(messages({ underlying: 'ETH', band: { unit: 'lots', trigger: 5 } })[0]).toMatch(/^band\.unit:/);
    expect(messages({ underlying: 'ETH', band: { unit: 'units', trigger: -5 } })[0]).toMatch(/^band\.trigger:/);
    expect(messages({ underlying: 'ETH', cadence: { everyMs: 1.5 } })[0]).toMatch(/^cadence\.everyMs:/);
  });
});
