/**
 * An Ethereum account whose key lives in a remote signer that only signs 32-byte digests
 * (AWS KMS with an ECC_SECG_P256K1 key): a viem LocalAccount, and our TransactionSigner
 * port on top of it. The key never leaves the signer; we get its public key once (as
 * SubjectPublicKeyInfo DER) to know the address, and a DER (r, s) per digest.
 *
 * Such a signer returns neither a recovery id nor a low S. We normalise S (EIP-2) and find
 * the recovery id by recovering the address for both parities and keeping the one that is
 * ours; if neither is, the signer answered for another key and we refuse to go on.
 */
import { getAddress, hashMessage, hashTypedData, hexToBytes, keccak256, numberToHex, recoverAddress, serializeSignature, serializeTransaction, toHex } from 'viem';
import type { Hash, Hex, SerializeTransactionFn, TransactionSerializable, TypedData, TypedDataDefinition } from 'viem';
import { publicKeyToAddress, toAccount } from 'viem/accounts';
import type { LocalAccount } from 'viem/accounts';
import type { TransactionSigner } from '../../app/execution-ports.ts';
import { decodeDerSignature, expectDerElement, normaliseLowS, readDerChildren } from './der-signature.ts';
import type { DerElement } from './der-signature.ts';
import { accountTransactionSigner } from './local-transaction-signer.ts';

/** A key that signs digests and shows its public key: what AWS KMS offers for an asymmetric signing key. */
export interface DigestSigner {
  /** The public key as SubjectPublicKeyInfo DER, as KMS GetPublicKey returns it. */
  publicKeyDer(): Promise<Uint8Array>;
  /** A DER ECDSA signature of the 32-byte digest, as KMS Sign (MessageType DIGEST, ECDSA_SHA_256) returns it. */
  signDigest(digest: Uint8Array): Promise<Uint8Array>;
}

/** The key is not one we can sign Ethereum transactions with (wrong algorithm, curve or encoding). */
export class UnsupportedPublicKeyError extends Error {
  constructor(message: string) {
    super(`unsupported signing key: ${message}`);
    this.name = 'UnsupportedPublicKeyError';
  }
}

/** A signature from the remote signer does not belong to the key it showed us. */
export class SignatureMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureMismatchError';
  }
}

// ---------------------------------------------------------------- SubjectPublicKeyInfo

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_SECP256K1 = '1.3.132.0.10';
/** Names for the identifiers a wrongly created key most likely has, to say what it is. */
const KNOWN_OIDS: Readonly<Record<string, string>> = {
  [OID_EC_PUBLIC_KEY]: 'id-ecPublicKey',
  [OID_SECP256K1]: 'secp256k1',
  '1.2.840.10045.3.1.7': 'NIST P-256 (ECC_NIST_P256)',
  '1.3.132.0.34': 'NIST P-384 (ECC_NIST_P384)',
  '1.3.132.0.35': 'NIST P-521 (ECC_NIST_P521)',
  '1.2.840.113549.1.1.1': 'rsaEncryption (RSA)',
  '1.2.156.10197.1.301': 'SM2',
};
const TAG_SEQUENCE = 0x30;
const TAG_OID = 0x06;
const TAG_BIT_STRING = 0x03;
const UNCOMPRESSED_POINT_PREFIX = 0x04;
const COORDINATE_BYTES = 32;
/** The secp256k1 field prime: the curve is y² = x³ + 7 over it. */
const SECP256K1_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;

/**
 * The uncompressed secp256k1 point (0x04 ‖ X ‖ Y, 65 bytes) of a SubjectPublicKeyInfo:
 * `SEQUENCE { SEQUENCE { OID id-ecPublicKey, OID secp256k1 }, BIT STRING point }`.
 */
export function parseSecp256k1PublicKey(spki: Uint8Array): Uint8Array {
  const outer = expectDerElement(spki, 0, TAG_SEQUENCE, 'SubjectPublicKeyInfo');
  if (outer.end !== spki.length) throw new UnsupportedPublicKeyError(`${spki.length - outer.end} trailing byte(s) after the SubjectPublicKeyInfo`);
  const [algorithm, subjectPublicKey, ...rest] = readDerChildren(outer.content, 'SubjectPublicKeyInfo');
  if (!algorithm || !subjectPublicKey || rest.length > 0) throw new UnsupportedPublicKeyError('SubjectPublicKeyInfo must hold exactly an algorithm and a key');
  assertSecp256k1Algorithm(algorithm);
  const point = bitStringBytes(subjectPublicKey);
  assertUncompressedPointOnCurve(point);
  return point;
}

function assertSecp256k1Algorithm(algorithm: DerElement): void {
  if (algorithm.tag !== TAG_SEQUENCE) throw new UnsupportedPublicKeyError('the algorithm identifier is not a SEQUENCE');
  const [algorithmOid, parameters, ...rest] = readDerChildren(algorithm.content, 'AlgorithmIdentifier');
  if (!algorithmOid || algorithmOid.tag !== TAG_OID) throw new UnsupportedPublicKeyError('the algorithm identifier has no algorithm OID');
  const algorithmId = decodeOid(algorithmOid.content);
  if (algorithmId !== OID_EC_PUBLIC_KEY) throw new UnsupportedPublicKeyError(`algorithm is ${describeOid(algorithmId)}, expected an elliptic-curve key (${OID_EC_PUBLIC_KEY})`);
  if (!parameters || parameters.tag !== TAG_OID || rest.length > 0) throw new UnsupportedPublicKeyError('the EC key does not name its curve (namedCurve OID expected)');
  const curveId = decodeOid(parameters.content);
  if (curveId !== OID_SECP256K1) throw new UnsupportedPublicKeyError(`curve is ${describeOid(curveId)}, expected secp256k1 (${OID_SECP256K1}, KMS key spec ECC_SECG_P256K1)`);
}

function bitStringBytes(element: DerElement): Uint8Array {
  if (element.tag !== TAG_BIT_STRING) throw new UnsupportedPublicKeyError('the subject public key is not a BIT STRING');
  const [unusedBits] = element.content;
  if (unusedBits !== 0) throw new UnsupportedPublicKeyError('the subject public key BIT STRING is not a whole number of bytes');
  return element.content.subarray(1);
}

function assertUncompressedPointOnCurve(point: Uint8Array): void {
  if (point.length !== 1 + 2 * COORDINATE_BYTES || point[0] !== UNCOMPRESSED_POINT_PREFIX) {
    throw new UnsupportedPublicKeyError(`expected an uncompressed point (0x04 ‖ X ‖ Y, 65 bytes), got ${point.length} bytes starting ${toHex(point.subarray(0, 1))}`);
  }
  const x = bytesToBigInt(point.subarray(1, 1 + COORDINATE_BYTES));
  const y = bytesToBigInt(point.subarray(1 + COORDINATE_BYTES));
  if (x >= SECP256K1_P || y >= SECP256K1_P) throw new UnsupportedPublicKeyError('a point coordinate is not below the field prime');
  const mod = (value: bigint): bigint => ((value % SECP256K1_P) + SECP256K1_P) % SECP256K1_P;
  if (mod(y * y) !== mod(x * x * x + 7n)) throw new UnsupportedPublicKeyError('the point is not on the secp256k1 curve');
}

/** Dotted form of an OBJECT IDENTIFIER's content (first two arcs packed in the first subidentifier). */
function decodeOid(content: Uint8Array): string {
  const arcs: bigint[] = [];
  let value = 0n;
  let pendingBytes = 0;
  for (const byte of content) {
    if (pendingBytes === 0 && byte === 0x80) throw new UnsupportedPublicKeyError('OID subidentifier is not minimally encoded');
    value = (value << 7n) | BigInt(byte & 0x7f);
    pendingBytes += 1;
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
      pendingBytes = 0;
    }
  }
  const [first] = arcs;
  if (first === undefined || pendingBytes > 0) throw new UnsupportedPublicKeyError('malformed OBJECT IDENTIFIER');
  const root = first < 40n ? 0n : first < 80n ? 1n : 2n;
  return [root, first - root * 40n, ...arcs.slice(1)].join('.');
}

function describeOid(oid: string): string {
  const name = KNOWN_OIDS[oid];
  return name ? `${name} (${oid})` : oid;
}

const bytesToBigInt = (bytes: Uint8Array): bigint => BigInt(toHex(bytes));

// ---------------------------------------------------------------- signing

interface RecoverableSignature {
  readonly r: Hex;
  readonly s: Hex;
  readonly yParity: 0 | 1;
}

/** Signs `hash` remotely and returns (r, low s, yParity) that recover to `address`. */
async function signHash(signer: DigestSigner, address: Hex, hash: Hash): Promise<RecoverableSignature> {
  const der = await signer.signDigest(hexToDigest(hash));
  const { r, s } = normaliseLowS(decodeDerSignature(der));
  const candidate = { r: numberToHex(r, { size: 32 }), s: numberToHex(s, { size: 32 }) };
  for (const yParity of [0, 1] as const) {
    if ((await recoveredAddress(hash, { ...candidate, yParity })) === address) return { ...candidate, yParity };
  }
  throw new SignatureMismatchError(`the signer's signature of ${hash} does not recover to ${address} with either parity: it was made with another key`);
}

async function recoveredAddress(hash: Hash, signature: RecoverableSignature): Promise<Hex | undefined> {
  try {
    return getAddress(await recoverAddress({ hash, signature }));
  } catch {
    return undefined; // no point for this parity: not ours either
  }
}

function hexToDigest(hash: Hash): Uint8Array {
  const digest = hexToBytes(hash);
  if (digest.length !== 32) throw new RangeError(`a digest is 32 bytes, got ${digest.length}`);
  return digest;
}

/**
 * A viem account signing through `signer`: transactions, messages (EIP-191), typed data
 * (EIP-712) and raw hashes, each hashed here and sent as a digest.
 */
export async function createKmsAccount(signer: DigestSigner): Promise<LocalAccount> {
  const point = parseSecp256k1PublicKey(await signer.publicKeyDer());
  const publicKey = toHex(point);
  const address = getAddress(publicKeyToAddress(publicKey));
  const sign = async (hash: Hash): Promise<Hex> => serializeSignature(await signHash(signer, address, hash));

  const account = toAccount({
    address,
    sign: ({ hash }) => sign(hash),
    signMessage: ({ message }) => sign(hashMessage(message)),
    signTypedData: <const typedData extends TypedData | Record<string, unknown>, primaryType extends keyof typedData | 'EIP712Domain' = keyof typedData>(
      definition: TypedDataDefinition<typedData, primaryType>,
    ) => sign(hashTypedData(definition)),
    async signTransaction(transaction, options) {
      const serializer: SerializeTransactionFn<TransactionSerializable> = options?.serializer ?? serializeTransaction;
      // Blob transactions are signed without their sidecars (the network wrapper), as EIP-4844 says.
      const signable = transaction.type === 'eip4844' ? { ...transaction, sidecars: false as const } : transaction;
      const signature = await signHash(signer, address, keccak256(await serializer(signable)));
      return serializer(transaction, signature);
    },
  });
  return { ...account, publicKey };
}

/** Our TransactionSigner port over a KMS-style digest signer. */
export async function createKmsTransactionSigner(signer: DigestSigner): Promise<TransactionSigner> {
  return accountTransactionSigner(await createKmsAccount(signer));
}
