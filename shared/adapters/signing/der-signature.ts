/**
 * DER (X.690 distinguished encoding) for what a KMS hands back: an ECDSA signature
 * (`SEQUENCE { r INTEGER, s INTEGER }`) and the TLV reading the SubjectPublicKeyInfo
 * parser builds on. Decoding is strict on purpose: a signature that is not the one
 * canonical encoding of (r, s) is a sign that something between us and the key is wrong,
 * and accepting it would only move the failure to the chain, where it is harder to read.
 *
 * Ethereum also insists on low-S signatures (EIP-2): KMS does not normalise, so about
 * half of its signatures have s > n/2 and must be mapped to n − s before use.
 */

/** The order of the secp256k1 group. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const SECP256K1_HALF_N = SECP256K1_N >> 1n;

const TAG_INTEGER = 0x02;
const TAG_SEQUENCE = 0x30;
/** A 256-bit integer takes 32 content bytes, plus one leading 0x00 when its top bit is set. */
const MAX_SCALAR_CONTENT_BYTES = 33;
/** Longer length fields than this describe objects far larger than anything we parse. */
const MAX_LENGTH_OCTETS = 4;

export class DerDecodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerDecodingError';
  }
}

export interface EcdsaSignature {
  readonly r: bigint;
  readonly s: bigint;
}

/** One TLV element: its tag, its content, and the offset just past it. */
export interface DerElement {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly end: number;
}

// ---------------------------------------------------------------- TLV reading

/** Reads the element starting at `offset`; `what` names it in error messages. */
export function readDerElement(bytes: Uint8Array, offset: number, what: string): DerElement {
  const tag = byteAt(bytes, offset, `${what}: missing tag`);
  if ((tag & 0x1f) === 0x1f) throw new DerDecodingError(`${what}: multi-byte (high-number) tags are not supported`);
  const { length, contentStart } = readLength(bytes, offset + 1, what);
  const end = contentStart + length;
  if (end > bytes.length) throw new DerDecodingError(`${what}: length ${length} runs past the end of the input (${bytes.length - contentStart} bytes left)`);
  return { tag, content: bytes.subarray(contentStart, end), end };
}

/** Reads an element that must carry `expectedTag`. */
export function expectDerElement(bytes: Uint8Array, offset: number, expectedTag: number, what: string): DerElement {
  const element = readDerElement(bytes, offset, what);
  if (element.tag !== expectedTag) throw new DerDecodingError(`${what}: expected tag ${hexByte(expectedTag)}, found ${hexByte(element.tag)}`);
  return element;
}

/** Splits the content of a constructed element into its children, which must fill it exactly. */
export function readDerChildren(content: Uint8Array, what: string): DerElement[] {
  const children: DerElement[] = [];
  let offset = 0;
  while (offset < content.length) {
    const child = readDerElement(content, offset, `${what}, element ${children.length + 1}`);
    children.push(child);
    offset = child.end;
  }
  return children;
}

function readLength(bytes: Uint8Array, offset: number, what: string): { length: number; contentStart: number } {
  const first = byteAt(bytes, offset, `${what}: missing length`);
  if (first < 0x80) return { length: first, contentStart: offset + 1 };
  if (first === 0x80) throw new DerDecodingError(`${what}: indefinite length is not allowed in DER`);
  const octets = first & 0x7f;
  if (octets > MAX_LENGTH_OCTETS) throw new DerDecodingError(`${what}: length field of ${octets} octets is too long`);
  let length = 0;
  for (let i = 1; i <= octets; i += 1) length = length * 256 + byteAt(bytes, offset + i, `${what}: truncated length`);
  // DER: the long form only when the short form cannot say it, and without leading zeros.
  if (length < 0x80) throw new DerDecodingError(`${what}: length ${length} must use the short form`);
  if (byteAt(bytes, offset + 1, what) === 0) throw new DerDecodingError(`${what}: length has a leading zero octet`);
  return { length, contentStart: offset + 1 + octets };
}

function byteAt(bytes: Uint8Array, offset: number, message: string): number {
  const value = bytes[offset];
  if (value === undefined) throw new DerDecodingError(message);
  return value;
}

const hexByte = (value: number): string => `0x${value.toString(16).padStart(2, '0')}`;

// ---------------------------------------------------------------- integers

/** A non-negative INTEGER's content as a bigint, rejecting negative and non-minimal encodings. */
export function decodeDerUnsignedInteger(content: Uint8Array, what: string): bigint {
  const [first, second] = content;
  if (first === undefined) throw new DerDecodingError(`${what}: INTEGER with no content octets`);
  if (first & 0x80) throw new DerDecodingError(`${what}: negative INTEGER`);
  if (first === 0 && second !== undefined && (second & 0x80) === 0) {
    throw new DerDecodingError(`${what}: INTEGER is not minimally encoded (redundant leading zero)`);
  }
  let value = 0n;
  for (const byte of content) value = (value << 8n) | BigInt(byte);
  return value;
}

/** Minimal two's-complement content octets of a non-negative bigint. */
function encodeUnsignedIntegerContent(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError('DER encoding of a negative integer is not supported');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  // A set top bit would read as negative: prefix a zero octet.
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function encodeElement(tag: number, content: Uint8Array): Uint8Array {
  return Uint8Array.from([tag, ...encodeLength(content.length), ...content]);
}

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return [0x80 | octets.length, ...octets];
}

// ---------------------------------------------------------------- ECDSA signatures

/**
 * Decodes `SEQUENCE { r INTEGER, s INTEGER }` to (r, s), exactly: no trailing bytes, no
 * other tags, minimal lengths and integers, and both scalars in [1, n − 1] of secp256k1.
 */
export function decodeDerSignature(der: Uint8Array): EcdsaSignature {
  const sequence = expectDerElement(der, 0, TAG_SEQUENCE, 'ECDSA signature');
  if (sequence.end !== der.length) throw new DerDecodingError(`ECDSA signature: ${der.length - sequence.end} trailing byte(s) after the SEQUENCE`);
  const children = readDerChildren(sequence.content, 'ECDSA signature');
  if (children.length !== 2) throw new DerDecodingError(`ECDSA signature: expected 2 INTEGERs (r, s), found ${children.length} element(s)`);
  const [rElement, sElement] = children as [DerElement, DerElement];
  return { r: decodeScalar(rElement, 'r'), s: decodeScalar(sElement, 's') };
}

function decodeScalar(element: DerElement, name: 'r' | 's'): bigint {
  const what = `ECDSA signature ${name}`;
  if (element.tag !== TAG_INTEGER) throw new DerDecodingError(`${what}: expected INTEGER (0x02), found ${hexByte(element.tag)}`);
  const value = decodeDerUnsignedInteger(element.content, what);
  if (element.content.length > MAX_SCALAR_CONTENT_BYTES) {
    throw new DerDecodingError(`${what}: ${element.content.length} content octets, more than a 256-bit scalar takes`);
  }
  if (value === 0n) throw new DerDecodingError(`${what}: is zero`);
  if (value >= SECP256K1_N) throw new DerDecodingError(`${what}: is not below the secp256k1 group order`);
  return value;
}

/** The canonical DER encoding of (r, s). */
export function encodeDerSignature({ r, s }: EcdsaSignature): Uint8Array {
  const content = [encodeElement(TAG_INTEGER, encodeUnsignedIntegerContent(r)), encodeElement(TAG_INTEGER, encodeUnsignedIntegerContent(s))];
  return encodeElement(TAG_SEQUENCE, Uint8Array.from(content.flatMap((part) => [...part])));
}

export function isHighS(s: bigint): boolean {
  return s > SECP256K1_HALF_N;
}

/** (r, s) with s mapped to n − s when it is in the upper half: the form EIP-2 accepts. */
export function normaliseLowS(signature: EcdsaSignature): EcdsaSignature {
  return isHighS(signature.s) ? { r: signature.r, s: SECP256K1_N - signature.s } : signature;
}
