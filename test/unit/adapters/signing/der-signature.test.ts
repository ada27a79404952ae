// Strict DER for ECDSA signatures: round trips against an independent encoder (noble's),
// each malformed encoding rejected with a DerDecodingError saying what is wrong, and the
// low-S normalisation Ethereum requires.
import { secp256k1 } from '@noble/curves/secp256k1';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DerDecodingError,
  SECP256K1_N,
  decodeDerSignature,
  encodeDerSignature,
  isHighS,
  normaliseLowS,
} from '../../../../shared/adapters/signing/der-signature.ts';

const HALF_N = SECP256K1_N / 2n;
const hex = (value: string): Uint8Array => Uint8Array.from(Buffer.from(value.replace(/\s+/g, ''), 'hex'));
const toHexString = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Scalars in [1, n − 1], weighted towards the encodings that go wrong: short values, top bit set, byte boundaries. */
const scalar = fc.oneof(
  fc.bigInt({ min: 1n, max: SECP256K1_N - 1n }),
  fc.bigInt({ min: 1n, max: 0xffffn }),
  fc.bigInt({ min: 1n << 255n, max: SECP256K1_N - 1n }),
  fc.integer({ min: 1, max: 255 }).map((bit) => 1n << BigInt(bit)),
  fc.integer({ min: 1, max: 32 }).map((bytes) => (1n << BigInt(8 * bytes - 1)) | 1n),
  fc.integer({ min: 1, max: 31 }).map((bytes) => (1n << BigInt(8 * bytes)) - 1n),
  fc.constantFrom(1n, 0x7fn, 0x80n, 0xffn, 0x100n, HALF_N, HALF_N + 1n, SECP256K1_N - 1n),
);

describe('encodeDerSignature / decodeDerSignature', () => {
  it('round-trips any (r, s) in range, and encodes exactly as noble does', () => {
    fc.assert(
      fc.property(scalar, scalar, (r, s) => {
        const der = encodeDerSignature({ r, s });
        expect(toHexString(der)).toBe(toHexString(new secp256k1.Signature(r, s).toDERRawBytes()));
        expect(decodeDerSignature(der)).toEqual({ r, s });
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes real signatures, high and low S', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (digest, lowS) => {
        const signature = secp256k1.sign(digest, secp256k1.utils.randomPrivateKey(), { lowS, extraEntropy: true });
        expect(decodeDerSignature(signature.toDERRawBytes())).toEqual({ r: signature.r, s: signature.s });
      }),
      { numRuns: 200 },
    );
  });

  it('pads a scalar whose top bit is set with one zero octet and strips leading zeros otherwise', () => {
    expect(toHexString(encodeDerSignature({ r: 0x80n, s: 0x7fn }))).toBe('30070202008002017f');
    expect(toHexString(encodeDerSignature({ r: 1n << 255n, s: 1n }))).toBe('3026022100' + '80' + '00'.repeat(31) + '020101');
  });
});

describe('decodeDerSignature rejects', () => {
  const r = '02 01 01';
  const s = '02 01 02';
  const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['empty input', '', /missing tag/],
    ['a SET instead of a SEQUENCE', `31 06 ${r} ${s}`, /expected tag 0x30, found 0x31/],
    ['a high-number tag', `3f 06 ${r} ${s}`, /multi-byte/],
    ['trailing bytes', `30 06 ${r} ${s} 00`, /1 trailing byte/],
    ['a SEQUENCE longer than the input', `30 07 ${r} ${s}`, /runs past the end/],
    ['a missing length', '30', /missing length/],
    ['an indefinite length', `30 80 ${r} ${s} 00 00`, /indefinite length/],
    ['a long-form length that fits the short form', `30 81 06 ${r} ${s}`, /must use the short form/],
    ['a long-form length with a leading zero', `30 82 00 90 ${r} ${s}`, /leading zero octet/],
    ['a truncated long-form length', '30 82 01', /truncated length/],
    ['an over-long length field', `30 85 00 00 00 00 06 ${r} ${s}`, /too long/],
    ['r not an INTEGER', `30 06 04 01 01 ${s}`, /signature r: expected INTEGER/],
    ['s not an INTEGER', `30 06 ${r} 03 01 02`, /signature s: expected INTEGER/],
    ['only one INTEGER', `30 03 ${r}`, /found 1 element/],
    ['three INTEGERs', `30 09 ${r} ${s} 02 01 03`, /found 3 element/],
    ['an INTEGER running past the SEQUENCE', `30 06 ${r} 02 02 02`, /runs past the end/],
    ['an empty INTEGER', `30 05 02 00 ${s}`, /no content octets/],
    ['a negative r', `30 06 02 01 80 ${s}`, /r: negative INTEGER/],
    ['a negative s', `30 06 ${r} 02 01 ff`, /s: negative INTEGER/],
    ['a redundant leading zero', `30 07 02 02 00 01 ${s}`, /r: INTEGER is not minimally encoded/],
    ['two leading zeros before a high byte', `30 08 02 03 00 00 80 ${s}`, /not minimally encoded/],
    ['r = 0', `30 06 02 01 00 ${s}`, /r: is zero/],
    ['s = 0', `30 06 ${r} 02 01 00`, /s: is zero/],
    ['an INTEGER longer than a scalar', `30 27 02 22 00 80 ${'00'.repeat(32)} ${s}`, /34 content octets/],
    ['r = n', `30 26 02 21 00 ${SECP256K1_N.toString(16)} ${s}`, /r: is not below the secp256k1 group order/],
    ['s ≥ 2^256', `30 26 ${r} 02 21 01 ${'00'.repeat(32)}`, /s: is not below the secp256k1 group order/],
  ];

  it.each(cases)('%s', (_name, encoding, message) => {
    const decode = (): unknown => decodeDerSignature(hex(encoding));
    expect(decode).toThrow(DerDecodingError);
    expect(decode).toThrow(message);
  });

  it('any strict prefix or extension of a valid encoding', () => {
    fc.assert(
      fc.property(scalar, scalar, fc.uint8Array({ minLength: 1, maxLength: 4 }), (r, s, extra) => {
        const der = encodeDerSignature({ r, s });
        for (let cut = 0; cut < der.length; cut += 1) expect(() => decodeDerSignature(der.subarray(0, cut))).toThrow(DerDecodingError);
        expect(() => decodeDerSignature(Uint8Array.from([...der, ...extra]))).toThrow(DerDecodingError);
      }),
      { numRuns: 200 },
    );
  });
});

describe('low-S normalisation', () => {
  it('maps s above n/2 to n − s and leaves the rest', () => {
    fc.assert(
      fc.property(scalar, scalar, (r, s) => {
        const normalised = normaliseLowS({ r, s });
        expect(normalised.r).toBe(r);
        expect(normalised.s).toBe(isHighS(s) ? SECP256K1_N - s : s);
        expect(isHighS(normalised.s)).toBe(false);
        expect(normaliseLowS(normalised)).toEqual(normalised);
      }),
    );
  });

  it('puts the boundary where EIP-2 does: s ≤ ⌊n/2⌋ is low', () => {
    expect(isHighS(HALF_N)).toBe(false);
    expect(isHighS(HALF_N + 1n)).toBe(true);
    expect(normaliseLowS({ r: 1n, s: HALF_N + 1n }).s).toBe(HALF_N);
  });

  it('agrees with noble: the normalised signature is the one noble signs with lowS', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (digest) => {
        const key = secp256k1.utils.randomPrivateKey();
        const high = secp256k1.sign(digest, key, { lowS: false });
        const low = secp256k1.sign(digest, key, { lowS: true });
        expect(normaliseLowS({ r: high.r, s: high.s })).toEqual({ r: low.r, s: low.s });
      }),
      { numRuns: 100 },
    );
  });
});
