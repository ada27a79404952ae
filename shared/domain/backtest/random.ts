/**
 * Seeded random numbers for the backtester: xoshiro128** (Blackman & Vigna, 2018) for
 * uniform 32-bit words, and normals by inversion of the normal distribution function
 * (Wichura's AS 241, `inverseNormCdf`, accurate to a couple of ulps) applied to a
 * 53-bit uniform in the open interval (0, 1).
 *
 * Why inversion rather than Box-Muller or a ziggurat: it is exact to double precision,
 * uses exactly one uniform per normal (so a path consumes a fixed, predictable amount
 * of the stream and a change in one model never shifts the numbers of another), and
 * its central branch (85% of draws) is one rational function — fast enough that the
 * generator is not the bottleneck of a backtest step.
 *
 * Streams: every (seed, stream) pair seeds an independent generator through a
 * splitmix-style hash (a Weyl sequence of the golden-ratio increment passed through
 * the murmur3 32-bit finaliser), so path p of a run with seed s always sees the same
 * numbers, whatever the number of paths, the order they run in, or the policy.
 *
 * The state lives in an Int32Array: 32-bit words stored in object fields would be
 * boxed as heap numbers by V8 on every update.
 *
 * @see D. Blackman, S. Vigna, "Scrambled linear pseudorandom number generators",
 *      ACM TOMS 47 (2021); M. J. Wichura, Applied Statistics 37 (1988) 477-484.
 */
import { InvalidInputError } from '../errors.ts';
import { inverseNormCdf } from '../math/inverse-normal.ts';

const GOLDEN_GAMMA = 0x9e3779b9 | 0;
const TWO_POW_26 = 67_108_864;
const TWO_POW_MINUS_53 = 1 / 9_007_199_254_740_992;
const TWO_POW_32 = 4_294_967_296;

/** murmur3's 32-bit finaliser: a bijection on 32-bit words with full avalanche. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** The largest seed accepted: any non-negative safe integer. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

export function requireSeed(seed: number, field = 'seed'): number {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidInputError(field, seed, `must be an integer in [0, ${MAX_SEED}]`);
  return seed;
}

export class Xoshiro128 {
  private readonly s = new Int32Array(4);

  constructor(seed: number, stream = 0) {
    this.reseed(seed, stream);
  }

  /** Restarts the generator on stream `stream` of `seed` (no allocation). */
  reseed(seed: number, stream = 0): void {
    requireSeed(seed);
    requireSeed(stream, 'stream');
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    const streamLo = stream >>> 0;
    const streamHi = Math.floor(stream / TWO_POW_32) >>> 0;
    // A key from (seed, stream), then four words of its Weyl sequence, each finalised.
    let key = mix32(lo ^ mix32(hi + GOLDEN_GAMMA));
    key = mix32(key ^ mix32(streamLo + Math.imul(GOLDEN_GAMMA, 3)));
    key = mix32(key ^ mix32(streamHi + Math.imul(GOLDEN_GAMMA, 5)));
    const s = this.s;
    for (let i = 0; i < 4; i++) {
      key = (key + GOLDEN_GAMMA) | 0;
      s[i] = mix32(key);
    }
    if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1; // the one forbidden state
  }

  /** The next 32-bit word, as an unsigned integer in [0, 2³²). */
  nextUint32(): number {
    const s = this.s;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]!;
    const s3 = s[3]!;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = (n3 << 11) | (n3 >>> 21);
    return result >>> 0;
  }

  /** Uniform on the open interval (0, 1) with 53 random bits: k·2⁻⁵³ + 2⁻⁵⁴. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * TWO_POW_26 + b + 0.5) * TWO_POW_MINUS_53;
  }

  /** A standard normal deviate (inversion of a 53-bit uniform). */
  nextNormal(): number {
    return inverseNormCdf(this.nextDouble());
  }
}
