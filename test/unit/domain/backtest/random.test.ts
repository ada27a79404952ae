import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '../../../../shared/domain/backtest/random.ts';
import { mean, standardDeviation } from '../../../../shared/domain/backtest/statistics.ts';

describe('Xoshiro128 (seeded generator)', () => {
  it('is reproducible per (seed, stream) and reseeds without state leaking', () => {
    const a = new Xoshiro128(42, 7);
    const first = Array.from({ length: 5 }, () => a.nextUint32());
    const b = new Xoshiro128(1);
    b.nextUint32();
    b.reseed(42, 7);
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(first);
    // Neighbouring seeds and streams give unrelated sequences.
    const other = new Xoshiro128(43, 7);
    const stream = new Xoshiro128(42, 8);
    expect(other.nextUint32()).not.toBe(first[0]);
    expect(stream.nextUint32()).not.toBe(first[0]);
  });

  it('accepts any non-negative safe integer seed and rejects the rest', () => {
    expect(() => new Xoshiro128(Number.MAX_SAFE_INTEGER)).not.toThrow();
    expect(new Xoshiro128(2 ** 40).nextUint32()).not.toBe(new Xoshiro128(0).nextUint32());
    expect(() => new Xoshiro128(-1)).toThrow(/seed/);
    expect(() => new Xoshiro128(1.5)).toThrow(/seed/);
  });

  it('draws uniforms on the open interval (0, 1) with the moments of U(0, 1)', () => {
    const rng = new Xoshiro128(2024);
    const n = 200_000;
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) u[i] = rng.nextDouble();
    const sorted = u.slice().sort();
    expect(sorted[0]).toBeGreaterThan(0);
    expect(sorted[n - 1]).toBeLessThan(1);
    // Mean 1/2 (sd 0.2887/√n), variance 1/12.
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan((4 * 0.2887) / Math.sqrt(n));
    expect(standardDeviation(u) ** 2).toBeCloseTo(1 / 12, 3);
    // Every bit of the 32-bit words is used: each bit is set about half the time.
    const bits = new Array<number>(32).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const w = rng.nextUint32();
      for (let b = 0; b < 32; b++) bits[b]! += (w >>> b) & 1;
    }
    for (const count of bits) expect(Math.abs(count / 20_000 - 0.5)).toBeLessThan(0.02);
  });

  it('draws normals with mean 0, variance 1, no skew and kurtosis 3', () => {
    const rng = new Xoshiro128(7);
    const n = 400_000;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let beyond3 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.nextNormal();
      s1 += z;
      s2 += z * z;
      s3 += z * z * z;
      s4 += z * z * z * z;
      if (Math.abs(z) > 3) beyond3++;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(Math.abs(s3 / n)).toBeLessThan(4 * Math.sqrt(15 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(4 * Math.sqrt(96 / n));
    // P(|Z| > 3) = 0.0026998.
    expect(Math.abs(beyond3 / n - 0.0026998)).toBeLessThan(4 * Math.sqrt(0.0027 / n));
  });
});
