import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bumpFees, gweiToWei, MIN_REPLACEMENT_BUMP_PCT, planFees, raiseByPct } from '../../../../shared/domain/dispatch/fees.ts';

const GWEI = 1_000_000_000n;

describe('EIP-1559 fees under caps', () => {
  it('plans 2 × base fee + tip, each under its cap', () => {
    expect(planFees(10n * GWEI, 2n * GWEI, { maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: 5n * GWEI })).toEqual({ ok: true, maxFeePerGas: 22n * GWEI, maxPriorityFeePerGas: 2n * GWEI });
    expect(planFees(10n * GWEI, 9n * GWEI, { maxFeePerGas: 15n * GWEI, maxPriorityFeePerGas: 3n * GWEI })).toEqual({ ok: true, maxFeePerGas: 15n * GWEI, maxPriorityFeePerGas: 3n * GWEI });
  });

  it('refuses when the cap cannot cover base fee + tip (FEE_ABOVE_CAP, in gwei in the sentence)', () => {
    const plan = planFees(10n * GWEI, 1n * GWEI, { maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: 5n * GWEI });
    expect(plan).toMatchObject({ ok: false, code: 'FEE_ABOVE_CAP' });
    if (!plan.ok) expect(plan.message).toContain('10 gwei plus tip 1 gwei exceeds the account\'s max fee of 10 gwei');
  });

  it('raises by a percentage rounding up, exactly', () => {
    expect(raiseByPct(100n, 12.5)).toBe(113n); // 112.5 → 113
    expect(raiseByPct(1000n, 10)).toBe(1100n);
    expect(raiseByPct(1n, 10)).toBe(2n);
  });

  it('a replacement raises both fields by at least the node minimum (10 %), capped; undefined when the caps leave no room', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.double({ min: 0, max: 60, noNaN: true }), (fee, tipRaw, pct) => {
        const tip = tipRaw > fee ? fee : tipRaw;
        const bumped = bumpFees({ maxFeePerGas: fee, maxPriorityFeePerGas: tip }, pct, undefined)!;
        expect(bumped.maxFeePerGas * 100n).toBeGreaterThanOrEqual(fee * BigInt(100 + MIN_REPLACEMENT_BUMP_PCT));
        expect(bumped.maxPriorityFeePerGas * 100n).toBeGreaterThanOrEqual(tip * BigInt(100 + MIN_REPLACEMENT_BUMP_PCT));
        expect(bumped.maxPriorityFeePerGas).toBeLessThanOrEqual(bumped.maxFeePerGas);
      }),
    );
    const previous = { maxFeePerGas: 100n, maxPriorityFeePerGas: 10n };
    expect(bumpFees(previous, 12.5, { maxFeePerGas: 1000n, maxPriorityFeePerGas: 1000n })).toEqual({ maxFeePerGas: 113n, maxPriorityFeePerGas: 12n });
    expect(bumpFees(previous, 12.5, { maxFeePerGas: 105n, maxPriorityFeePerGas: 1000n })).toBeUndefined();
  });

  it('converts gwei to wei exactly', () => {
    expect(gweiToWei(1)).toBe(GWEI);
    expect(gweiToWei(0.000000001)).toBe(1n);
    expect(gweiToWei(123.456789)).toBe(123_456_789_000n);
  });
});
