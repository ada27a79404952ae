// The KMS signer against a KMS stand-in (test/support/kms-stand-in.ts: KMS's formats, high
// S included, no AWS call) and the local chain: low-S normalisation and recovery id,
// messages and typed data verified by viem, type-2 transactions anvil accepts and mines,
// the AWS adapter's command inputs, and the local signer and signer registry.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { getAddress, keccak256, parseEther, parseGwei, parseSignature, recoverAddress, recoverTransactionAddress, toHex, verifyMessage, verifyTypedData } from 'viem';
import type { Address, Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { Eip1559Request, TransactionSigner } from '../../../shared/app/execution-ports.ts';
import { KmsKeyError, createAwsKmsDigestSigner } from '../../../shared/adapters/signing/aws-kms-digest-signer.ts';
import type { KmsSendClient } from '../../../shared/adapters/signing/aws-kms-digest-signer.ts';
import { SECP256K1_N, decodeDerSignature } from '../../../shared/adapters/signing/der-signature.ts';
import {
  SignatureMismatchError,
  UnsupportedPublicKeyError,
  createKmsAccount,
  createKmsTransactionSigner,
} from '../../../shared/adapters/signing/kms-transaction-signer.ts';
import type { DigestSigner } from '../../../shared/adapters/signing/kms-transaction-signer.ts';
import {
  InvalidSignerKeyError,
  UnknownSignerError,
  createLocalTransactionSigner,
  createSignerRegistry,
} from '../../../shared/adapters/signing/local-transaction-signer.ts';
import { startChainFixture } from '../../support/chain-fixture.ts';
import type { ChainFixture } from '../../support/chain-fixture.ts';
import { SECP256K1_SPKI_PREFIX, createKmsStandIn } from '../../support/kms-stand-in.ts';

let chain: ChainFixture;

beforeAll(async () => {
  chain = await startChainFixture();
}, 60_000);
beforeEach(async () => {
  await chain.reset();
});
afterAll(async () => {
  await chain?.stop();
});

const randomHash = (): Hex => keccak256(toHex(crypto.getRandomValues(new Uint8Array(32))));
const HALF_N = SECP256K1_N / 2n;

describe('KMS account: signatures', () => {
  it('takes its address and public key from the SubjectPublicKeyInfo', async () => {
    const standIn = createKmsStandIn();
    const account = await createKmsAccount(standIn);
    expect(account.address).toBe(standIn.address);
    expect(account.publicKey).toBe(standIn.publicKey);
    expect(account.source).toBe('custom');
  });

  it('normalises high S and finds the recovery id: every signature recovers to the SPKI address', async () => {
    const standIn = createKmsStandIn();
    const account = await createKmsAccount(standIn);
    const seen = { high: 0, low: 0 };
    for (let i = 0; i < 200 && (seen.high < 3 || seen.low < 3); i += 1) {
      const hash = randomHash();
      const signature = parseSignature(await account.sign!({ hash }));
      const raw = standIn.signatures.at(-1)!;
      seen[raw.highS ? 'high' : 'low'] += 1;
      const s = BigInt(signature.s);
      expect(s).toBeLessThanOrEqual(HALF_N);
      expect(s).toBe(raw.highS ? SECP256K1_N - raw.s : raw.s);
      expect(BigInt(signature.r)).toBe(raw.r);
      expect(getAddress(await recoverAddress({ hash, signature }))).toBe(standIn.address);
    }
    expect(seen.high).toBeGreaterThanOrEqual(3);
    expect(seen.low).toBeGreaterThanOrEqual(3);
  });

  it('normalises every signature of a key whose signatures are all high-S', async () => {
    const standIn = createKmsStandIn({ sForm: 'high' });
    const account = await createKmsAccount(standIn);
    for (let i = 0; i < 10; i += 1) {
      const hash = randomHash();
      const signature = parseSignature(await account.sign!({ hash }));
      expect(standIn.signatures.at(-1)!.highS).toBe(true);
      expect(BigInt(signature.s)).toBeLessThanOrEqual(HALF_N);
      expect(getAddress(await recoverAddress({ hash, signature }))).toBe(standIn.address);
    }
  });

  it.each(['as-signed', 'high', 'low'] as const)('signs messages and typed data that viem verifies (S %s)', async (sForm) => {
    const standIn = createKmsStandIn({ sForm });
    const account = await createKmsAccount(standIn);
    for (const message of ['hedge me', { raw: Uint8Array.from([0, 1, 2, 255]) }] as const) {
      const signature = await account.signMessage({ message });
      expect(await verifyMessage({ address: account.address, message, signature })).toBe(true);
    }
    const typedData = {
      domain: { name: 'Hedge', version: '1', chainId: 31337, verifyingContract: '0x000000000000000000000000000000000000dEaD' as Address },
      types: { Order: [{ name: 'account', type: 'address' }, { name: 'amount', type: 'uint256' }, { name: 'memo', type: 'string' }] },
      primaryType: 'Order' as const,
      message: { account: standIn.address, amount: 123456789n, memo: 'delta' },
    };
    const signature = await account.signTypedData(typedData);
    expect(await verifyTypedData({ ...typedData, address: account.address, signature })).toBe(true);
  });

  it('refuses a signature made by another key than the one it showed', async () => {
    const shown = createKmsStandIn();
    const other = createKmsStandIn();
    const mixed: DigestSigner = { publicKeyDer: () => shown.publicKeyDer(), signDigest: (digest) => other.signDigest(digest) };
    const account = await createKmsAccount(mixed);
    await expect(account.signMessage({ message: 'x' })).rejects.toThrow(SignatureMismatchError);
    await expect(account.signMessage({ message: 'x' })).rejects.toThrow(/does not recover to/);
  });

  it('refuses a malformed signature from the signer', async () => {
    const standIn = createKmsStandIn();
    const broken: DigestSigner = { publicKeyDer: () => standIn.publicKeyDer(), signDigest: async (digest) => Uint8Array.from([...(await standIn.signDigest(digest)), 0]) };
    const account = await createKmsAccount(broken);
    await expect(account.signMessage({ message: 'x' })).rejects.toThrow(/trailing byte/);
  });
});

describe('KMS account: SubjectPublicKeyInfo', () => {
  const signerWithKey = (spki: Uint8Array): DigestSigner => ({
    publicKeyDer: () => Promise.resolve(spki),
    signDigest: () => Promise.reject(new Error('not reached')),
  });

  it('reads the stand-in SPKI that Node also reads as the same secp256k1 point', async () => {
    const standIn = createKmsStandIn();
    const jwk = createPublicKey({ key: Buffer.from(await standIn.publicKeyDer()), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    expect(jwk.crv).toBe('secp256k1');
    const point = `0x04${Buffer.from(jwk.x!, 'base64url').toString('hex')}${Buffer.from(jwk.y!, 'base64url').toString('hex')}`;
    expect((await createKmsAccount(standIn)).publicKey).toBe(point);
  });

  it('accepts a secp256k1 key exported by Node', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const account = await createKmsAccount(signerWithKey(publicKey.export({ type: 'spki', format: 'der' })));
    expect(account.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  it('rejects a P-256 key, naming the curve', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await expect(createKmsAccount(signerWithKey(publicKey.export({ type: 'spki', format: 'der' })))).rejects.toThrow(/curve is NIST P-256.*expected secp256k1/);
  });

  it('rejects an RSA key, naming the algorithm', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect(createKmsAccount(signerWithKey(publicKey.export({ type: 'spki', format: 'der' })))).rejects.toThrow(/algorithm is rsaEncryption/);
  });

  it('rejects a compressed point, a point off the curve and trailing bytes', async () => {
    const spki = await createKmsStandIn().publicKeyDer();
    const x = spki.subarray(SECP256K1_SPKI_PREFIX.length + 1, SECP256K1_SPKI_PREFIX.length + 33);
    // The prefix with the lengths of a 33-byte point: SEQUENCE 0x36, BIT STRING 0x22.
    const compressedPrefix = Uint8Array.from([...SECP256K1_SPKI_PREFIX]);
    compressedPrefix[1] = 0x36;
    compressedPrefix[compressedPrefix.length - 2] = 0x22;
    const compressed = Uint8Array.from([...compressedPrefix, 0x02, ...x]);
    const offCurve = spki.slice();
    offCurve[offCurve.length - 1]! ^= 0x01;
    const cases: ReadonlyArray<readonly [Uint8Array, RegExp]> = [
      [compressed, /expected an uncompressed point/],
      [offCurve, /not on the secp256k1 curve/],
      [Uint8Array.from([...spki, 0]), /trailing byte/],
      [spki.subarray(0, 40), /runs past the end/],
    ];
    for (const [bytes, message] of cases) {
      const attempt = createKmsAccount(signerWithKey(bytes));
      await expect(attempt).rejects.toThrow(message);
    }
    await expect(createKmsAccount(signerWithKey(compressed))).rejects.toThrow(UnsupportedPublicKeyError);
  });
});

async function transferRequest(from: Address, to: Address, value: bigint): Promise<Eip1559Request> {
  const block = await chain.publicClient.getBlock();
  const maxPriorityFeePerGas = parseGwei('1');
  return {
    chainId: chain.chain.id,
    nonce: await chain.publicClient.getTransactionCount({ address: from, blockTag: 'pending' }),
    to,
    data: '0x',
    value,
    gas: 21_000n,
    maxPriorityFeePerGas,
    maxFeePerGas: (block.baseFeePerGas ?? 0n) * 2n + maxPriorityFeePerGas,
  };
}

/** Funds the signer, sends `value` to a fresh address with a transaction it signed, and checks what the chain did. */
async function sendTransferOnChain(signer: TransactionSigner, transfers = 1): Promise<void> {
  await chain.testClient.setBalance({ address: signer.address, value: parseEther('10') });
  const recipient = privateKeyToAccount(generatePrivateKey()).address;
  const value = parseEther('0.25');
  for (let i = 1; i <= transfers; i += 1) {
    const before = await chain.publicClient.getBalance({ address: signer.address });
    const signed = await signer.signTransaction(await transferRequest(signer.address, recipient, value));
    expect(await recoverTransactionAddress({ serializedTransaction: signed.raw as `0x02${string}` })).toBe(signer.address);
    const hash = await chain.publicClient.sendRawTransaction({ serializedTransaction: signed.raw });
    expect(hash).toBe(signed.hash);
    const receipt = await chain.confirm(hash);
    expect(getAddress(receipt.from)).toBe(signer.address);
    expect(receipt.type).toBe('eip1559');
    expect(await chain.publicClient.getBalance({ address: recipient })).toBe(value * BigInt(i));
    expect(await chain.publicClient.getBalance({ address: signer.address })).toBe(before - value - receipt.gasUsed * receipt.effectiveGasPrice);
  }
}

describe('KMS transaction signer on the local chain', () => {
  it('signs EIP-1559 transfers that anvil accepts and mines from the KMS address', async () => {
    const standIn = createKmsStandIn();
    const signer = await createKmsTransactionSigner(standIn);
    expect(signer.address).toBe(standIn.address);
    await sendTransferOnChain(signer, 4);
  });

  it('gets a high-S signature from KMS mined once normalised', async () => {
    const standIn = createKmsStandIn({ sForm: 'high' });
    await sendTransferOnChain(await createKmsTransactionSigner(standIn));
    expect(standIn.signatures.every((signature) => signature.highS)).toBe(true);
  });

  it('signs through the AWS adapter and its KMS commands end to end', async () => {
    const standIn = createKmsStandIn();
    const signer = await createKmsTransactionSigner(createAwsKmsDigestSigner({ client: standIn, keyId: standIn.keyArn }));
    await sendTransferOnChain(signer, 2);
    expect(standIn.commands.map((recorded) => recorded.command)).toEqual(['GetPublicKey', 'Sign', 'Sign']);
  });
});

describe('AWS KMS digest signer', () => {
  it('is satisfied by a real KMSClient', () => {
    expectTypeOf<KMSClient>().toExtend<KmsSendClient>();
  });

  it('asks GetPublicKey once for the key and Sign with the digest as a DIGEST, ECDSA_SHA_256', async () => {
    const standIn = createKmsStandIn();
    const signer = createAwsKmsDigestSigner({ client: standIn, keyId: standIn.keyId });
    const [first, second] = await Promise.all([signer.publicKeyDer(), signer.publicKeyDer()]);
    expect(first).toEqual(await standIn.publicKeyDer());
    expect(second).toEqual(first);
    expect(await signer.publicKeyDer()).toEqual(first);
    const digest = crypto.getRandomValues(new Uint8Array(32));
    const der = await signer.signDigest(digest);

    expect(standIn.commands).toEqual([
      { command: 'GetPublicKey', input: { KeyId: standIn.keyId } },
      { command: 'Sign', input: { KeyId: standIn.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' } },
    ]);
    const made = standIn.signatures[0]!;
    expect(made.digest).toBe(toHex(digest));
    expect(decodeDerSignature(der)).toEqual({ r: made.r, s: made.s });
  });

  it('does not cache a failed GetPublicKey', async () => {
    const standIn = createKmsStandIn();
    let failures = 1;
    const flaky: KmsSendClient = {
      send: (command) => (failures-- > 0 ? Promise.reject(new Error('ThrottlingException')) : standIn.send(command)),
    };
    const signer = createAwsKmsDigestSigner({ client: flaky, keyId: standIn.keyId });
    await expect(signer.publicKeyDer()).rejects.toThrow('ThrottlingException');
    expect(await signer.publicKeyDer()).toEqual(await standIn.publicKeyDer());
  });

  it("passes KMS's own errors through (unknown key)", async () => {
    const standIn = createKmsStandIn();
    const signer = createAwsKmsDigestSigner({ client: standIn, keyId: 'alias/not-there' });
    await expect(signer.publicKeyDer()).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(signer.signDigest(new Uint8Array(32))).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('refuses a key of the wrong spec or usage, and replies without bytes', async () => {
    const replying = (reply: unknown): KmsSendClient => ({ send: () => Promise.resolve(reply) });
    const spki = await createKmsStandIn().publicKeyDer();
    const key = 'key-1';
    await expect(createAwsKmsDigestSigner({ client: replying({ PublicKey: spki, KeySpec: 'ECC_NIST_P256' }), keyId: key }).publicKeyDer()).rejects.toThrow(
      /key-1 has key spec ECC_NIST_P256; Ethereum signing needs ECC_SECG_P256K1/,
    );
    await expect(createAwsKmsDigestSigner({ client: replying({ PublicKey: spki, KeyUsage: 'ENCRYPT_DECRYPT' }), keyId: key }).publicKeyDer()).rejects.toThrow(KmsKeyError);
    await expect(createAwsKmsDigestSigner({ client: replying({}), keyId: key }).publicKeyDer()).rejects.toThrow(/returned no public key/);
    await expect(createAwsKmsDigestSigner({ client: replying({}), keyId: key }).signDigest(new Uint8Array(32))).rejects.toThrow(/returned no signature/);
  });

  it('refuses to send a digest that is not 32 bytes', async () => {
    const standIn = createKmsStandIn();
    const signer = createAwsKmsDigestSigner({ client: standIn, keyId: standIn.keyId });
    await expect(signer.signDigest(new Uint8Array(31))).rejects.toThrow(RangeError);
    expect(standIn.commands).toEqual([]);
  });
});

async function messageOf(attempt: Promise<unknown>): Promise<string> {
  try {
    await attempt;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected a rejection');
}

describe('local signer and signer registry', () => {
  it('signs EIP-1559 transfers that anvil accepts and mines', async () => {
    const privateKey = generatePrivateKey();
    const signer = createLocalTransactionSigner(privateKey);
    expect(signer.address).toBe(privateKeyToAccount(privateKey).address);
    await sendTransferOnChain(signer, 2);
  });

  it('refuses requests no transaction should carry', async () => {
    const signer = createLocalTransactionSigner(generatePrivateKey());
    const request = await transferRequest(signer.address, signer.address, 1n);
    await expect(signer.signTransaction({ ...request, nonce: -1 })).rejects.toThrow(/nonce/);
    await expect(signer.signTransaction({ ...request, chainId: 0 })).rejects.toThrow(/chainId/);
    await expect(signer.signTransaction({ ...request, maxPriorityFeePerGas: request.maxFeePerGas + 1n })).rejects.toThrow();
  });

  it('resolves local names to one cached signer each', async () => {
    const keys = { hedger: generatePrivateKey(), other: generatePrivateKey() };
    const registry = createSignerRegistry({ localKeys: keys });
    const hedger = await registry.resolve({ kind: 'local', name: 'hedger' });
    expect(hedger.address).toBe(privateKeyToAccount(keys.hedger).address);
    expect(await registry.resolve({ kind: 'local', name: 'hedger' })).toBe(hedger);
    expect((await registry.resolve({ kind: 'local', name: 'other' })).address).toBe(privateKeyToAccount(keys.other).address);
    await sendTransferOnChain(hedger);
  });

  it('rejects an unknown name or an unconfigured KMS, naming the reference and never a key', async () => {
    const key = generatePrivateKey();
    const registry = createSignerRegistry({ localKeys: new Map([['hedger', key]]) });
    const unknown = registry.resolve({ kind: 'local', name: 'missing' });
    await expect(unknown).rejects.toThrow(UnknownSignerError);
    await expect(unknown).rejects.toThrow('no local key named "missing" (signer local:missing)');
    await expect(registry.resolve({ kind: 'kms', keyId: 'alias/hedger' })).rejects.toThrow(/KMS signing is not configured here \(signer kms:alias\/hedger\)/);
    expect(await messageOf(unknown)).not.toContain(key.slice(2));
  });

  it('reports an invalid local key by its name only', async () => {
    const badKey: Hex = `0x${'ab'.repeat(31)}`;
    const registry = createSignerRegistry({ localKeys: { broken: badKey } });
    const attempt = registry.resolve({ kind: 'local', name: 'broken' });
    await expect(attempt).rejects.toThrow(InvalidSignerKeyError);
    expect(await messageOf(attempt)).toBe('the local key named "broken" is not a valid secp256k1 private key');
    await expect(attempt).rejects.toSatisfy((error: Error) => error.cause === undefined);
    expect(() => createLocalTransactionSigner(badKey)).toThrow(InvalidSignerKeyError);
  });

  it('builds KMS signers through the factory, once per key, retrying after a failure', async () => {
    const standIn = createKmsStandIn();
    const calls: string[] = [];
    let failNext = true;
    const registry = createSignerRegistry({
      kmsSigner: async (keyId) => {
        calls.push(keyId);
        if (failNext) {
          failNext = false;
          throw new Error('KMS unavailable');
        }
        return createKmsTransactionSigner(createAwsKmsDigestSigner({ client: standIn, keyId }));
      },
    });
    const ref = { kind: 'kms', keyId: standIn.keyArn } as const;
    await expect(registry.resolve(ref)).rejects.toThrow('KMS unavailable');
    const [first, second] = await Promise.all([registry.resolve(ref), registry.resolve(ref)]);
    expect(first).toBe(second);
    expect(first.address).toBe(standIn.address);
    expect(await registry.resolve(ref)).toBe(first);
    expect(calls).toEqual([standIn.keyArn, standIn.keyArn]);
  });
});
