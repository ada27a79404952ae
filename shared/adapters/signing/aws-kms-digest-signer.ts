/**
 * A DigestSigner over an AWS KMS asymmetric key (key spec ECC_SECG_P256K1, usage
 * SIGN_VERIFY): GetPublicKey once for the SubjectPublicKeyInfo, then Sign per digest with
 * MessageType DIGEST, so KMS signs our keccak-256 hash as given instead of hashing it
 * again with SHA-256.
 *
 * The client is anything with `send(command)`: a KMSClient in production, a stand-in in
 * tests (no test calls AWS).
 */
import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import type { DigestSigner } from './kms-transaction-signer.ts';

/** The part of KMSClient we use. Replies are checked here, so they are taken as unknown. */
export interface KmsSendClient {
  send(command: GetPublicKeyCommand | SignCommand): Promise<unknown>;
}

export interface AwsKmsDigestSignerOptions {
  readonly client: KmsSendClient;
  /** Key id, alias (`alias/…`) or ARN. */
  readonly keyId: string;
}

/** KMS answered something we cannot sign Ethereum transactions with. */
export class KmsKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KmsKeyError';
  }
}

const EXPECTED_KEY_SPEC = 'ECC_SECG_P256K1';
const EXPECTED_KEY_USAGE = 'SIGN_VERIFY';
const DIGEST_BYTES = 32;

export function createAwsKmsDigestSigner({ client, keyId }: AwsKmsDigestSignerOptions): DigestSigner {
  let publicKey: Promise<Uint8Array> | undefined;

  const fetchPublicKey = async (): Promise<Uint8Array> => {
    const reply = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    return publicKeyOf(reply, keyId);
  };

  return {
    publicKeyDer() {
      if (publicKey) return publicKey;
      const fetching = fetchPublicKey();
      publicKey = fetching;
      // Cache the key, not a failure: a throttled or failed call is retried next time.
      fetching.catch(() => {
        if (publicKey === fetching) publicKey = undefined;
      });
      return fetching;
    },
    async signDigest(digest) {
      if (digest.length !== DIGEST_BYTES) throw new RangeError(`KMS signs ${DIGEST_BYTES}-byte digests, got ${digest.length} bytes`);
      const reply = await client.send(
        new SignCommand({ KeyId: keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      return signatureOf(reply, keyId);
    },
  };
}

function publicKeyOf(reply: unknown, keyId: string): Uint8Array {
  const { PublicKey, KeySpec, KeyUsage } = asRecord(reply);
  if (KeySpec !== undefined && KeySpec !== EXPECTED_KEY_SPEC) {
    throw new KmsKeyError(`KMS key ${keyId} has key spec ${String(KeySpec)}; Ethereum signing needs ${EXPECTED_KEY_SPEC}`);
  }
  if (KeyUsage !== undefined && KeyUsage !== EXPECTED_KEY_USAGE) {
    throw new KmsKeyError(`KMS key ${keyId} has key usage ${String(KeyUsage)}; signing needs ${EXPECTED_KEY_USAGE}`);
  }
  if (!(PublicKey instanceof Uint8Array) || PublicKey.length === 0) throw new KmsKeyError(`KMS GetPublicKey for ${keyId} returned no public key`);
  return PublicKey;
}

function signatureOf(reply: unknown, keyId: string): Uint8Array {
  const { Signature } = asRecord(reply);
  if (!(Signature instanceof Uint8Array) || Signature.length === 0) throw new KmsKeyError(`KMS Sign with ${keyId} returned no signature`);
  return Signature;
}

function asRecord(reply: unknown): Record<string, unknown> {
  return typeof reply === 'object' && reply !== null ? (reply as Record<string, unknown>) : {};
}
