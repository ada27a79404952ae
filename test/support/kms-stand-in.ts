// A stand-in for an AWS KMS asymmetric signing key (ECC_SECG_P256K1, SIGN_VERIFY).
//
// Why a stand-in: there is no KMS emulator we can run offline (LocalStack's KMS is not
// available here, and no test may call AWS), yet the KMS signer must be tested against
// what KMS really answers. So this holds a random secp256k1 key and answers exactly in
// KMS's formats:
//   - GetPublicKey: the SubjectPublicKeyInfo DER of the uncompressed point (the fixed
//     secp256k1 SPKI prefix + 0x04 ‖ X ‖ Y), with KeySpec/KeyUsage/SigningAlgorithms;
//   - Sign (MessageType DIGEST, ECDSA_SHA_256): a DER signature of the 32 given bytes,
//     signed as given (no prehash), with randomised nonces, and NOT normalised to low S,
//     so high-S signatures occur about half the time, as they do from KMS.
// `sForm: 'high' | 'low'` forces one form (s ↦ n − s is still a valid signature) for
// tests that must see a given form on every call.
//
// It is both a DigestSigner (publicKeyDer/signDigest) and a fake KMSClient (`send`) that
// takes the real @aws-sdk/client-kms command objects, checks their inputs as KMS would,
// and records them, so the AWS adapter is tested through the commands it really builds.
import { createHash, randomUUID } from 'node:crypto';
import { GetPublicKeyCommand, InvalidKeyUsageException, KMSServiceException, NotFoundException, SignCommand } from '@aws-sdk/client-kms';
import type { GetPublicKeyCommandInput, GetPublicKeyCommandOutput, SignCommandInput, SignCommandOutput } from '@aws-sdk/client-kms';
import { secp256k1 } from '@noble/curves/secp256k1';
import { getAddress, toHex } from 'viem';
import type { Address, Hex } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';
import type { DigestSigner } from '../../shared/adapters/signing/kms-transaction-signer.ts';

/** SEQUENCE { SEQUENCE { OID id-ecPublicKey, OID secp256k1 }, BIT STRING (0 unused bits) … }: what precedes the 65-byte point. */
export const SECP256K1_SPKI_PREFIX = Uint8Array.from(Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex'));
const SECP256K1_N = secp256k1.CURVE.n;

/** 'as-signed': whatever the signature came out as (high S about half the time), as KMS. */
export type SForm = 'as-signed' | 'high' | 'low';

export interface KmsStandInOptions {
  readonly sForm?: SForm;
  /** A fixed key, to build two stand-ins sharing one (or for reproducing a case); random otherwise. */
  readonly privateKey?: Uint8Array;
}

export interface StandInSignature {
  readonly digest: Hex;
  readonly r: bigint;
  /** As returned, before any normalisation. */
  readonly s: bigint;
  readonly highS: boolean;
}

export type RecordedCommand =
  | { readonly command: 'GetPublicKey'; readonly input: GetPublicKeyCommandInput }
  | { readonly command: 'Sign'; readonly input: SignCommandInput };

export interface KmsStandIn extends DigestSigner {
  readonly keyId: string;
  readonly keyArn: string;
  readonly address: Address;
  /** The uncompressed point, 0x04 ‖ X ‖ Y. */
  readonly publicKey: Hex;
  /** Every signature made, in order. */
  readonly signatures: readonly StandInSignature[];
  /** Every command received through `send`, in order. */
  readonly commands: readonly RecordedCommand[];
  /** The fake KMSClient.send: GetPublicKeyCommand and SignCommand only. */
  send(command: GetPublicKeyCommand | SignCommand): Promise<unknown>;
}

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';

export function createKmsStandIn(options: KmsStandInOptions = {}): KmsStandIn {
  const privateKey = options.privateKey ?? secp256k1.utils.randomPrivateKey();
  const sForm = options.sForm ?? 'as-signed';
  const point = secp256k1.getPublicKey(privateKey, false);
  const spki = Uint8Array.from([...SECP256K1_SPKI_PREFIX, ...point]);
  const keyId = randomUUID();
  const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`;
  const signatures: StandInSignature[] = [];
  const commands: RecordedCommand[] = [];

  const signDigest = (digest: Uint8Array): Uint8Array => {
    if (digest.length !== 32) throw validationError(`digest must be 32 bytes for ECDSA_SHA_256, got ${digest.length}`);
    // extraEntropy: random nonces, as KMS signs (two signatures of one digest differ).
    const signed = secp256k1.sign(digest, privateKey, { lowS: false, prehash: false, extraEntropy: true });
    const s = reshapeS(signed.s, sForm);
    signatures.push({ digest: toHex(digest), r: signed.r, s, highS: s > SECP256K1_N / 2n });
    return new secp256k1.Signature(signed.r, s).toDERRawBytes();
  };

  const acceptsKeyId = (candidate: string | undefined): boolean => candidate === keyId || candidate === keyArn;

  const getPublicKey = (input: GetPublicKeyCommandInput): Partial<GetPublicKeyCommandOutput> => {
    if (!acceptsKeyId(input.KeyId)) throw notFound(input.KeyId);
    return { KeyId: keyArn, PublicKey: spki.slice(), KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] };
  };

  const sign = (input: SignCommandInput): Partial<SignCommandOutput> => {
    if (!acceptsKeyId(input.KeyId)) throw notFound(input.KeyId);
    if (input.SigningAlgorithm !== 'ECDSA_SHA_256') {
      throw new InvalidKeyUsageException({ message: `${String(input.SigningAlgorithm)} is not valid for key ${keyArn}`, $metadata: {} });
    }
    if (!(input.Message instanceof Uint8Array)) throw validationError('Message must be bytes');
    const digest = input.MessageType === 'DIGEST' ? input.Message : sha256(input.Message);
    return { KeyId: keyArn, Signature: signDigest(digest), SigningAlgorithm: 'ECDSA_SHA_256' };
  };

  return {
    keyId,
    keyArn,
    address: getAddress(publicKeyToAddress(toHex(point))),
    publicKey: toHex(point),
    signatures,
    commands,
    publicKeyDer: () => Promise.resolve(spki.slice()),
    signDigest: async (digest) => signDigest(digest),
    async send(command) {
      if (command instanceof GetPublicKeyCommand) {
        commands.push({ command: 'GetPublicKey', input: command.input });
        return getPublicKey(command.input);
      }
      if (command instanceof SignCommand) {
        commands.push({ command: 'Sign', input: command.input });
        return sign(command.input);
      }
      throw new Error('the KMS stand-in handles GetPublicKeyCommand and SignCommand only');
    },
  };
}

function reshapeS(s: bigint, form: SForm): bigint {
  const high = s > SECP256K1_N / 2n;
  if (form === 'high' && !high) return SECP256K1_N - s;
  if (form === 'low' && high) return SECP256K1_N - s;
  return s;
}

const sha256 = (message: Uint8Array): Uint8Array => Uint8Array.from(createHash('sha256').update(message).digest());

function notFound(keyId: string | undefined): NotFoundException {
  return new NotFoundException({ message: `Key '${String(keyId)}' does not exist`, $metadata: {} });
}

function validationError(message: string): KMSServiceException {
  return new KMSServiceException({ name: 'ValidationException', $fault: 'client', $metadata: {}, message });
}
