/**
 * Transaction signers by reference: a local private key (the local chain, tests) or an
 * AWS KMS key (the cloud), as the execution configuration names them (SignerRefSchema).
 * The configuration never holds a key, only a name; the deployment holds the keys.
 *
 * Error messages name the reference, never the key: they end up in logs and alerts.
 */
import { keccak256 } from 'viem';
import type { Account } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Eip1559Request, Hex, SignedTransaction, TransactionSigner } from '../../app/execution-ports.ts';
import type { SignerRef } from '../../contracts/execution-config.ts';

/** A viem account that can sign transactions itself (a local key, or a custom one such as KMS). */
export type SigningAccount = Account & { signTransaction: NonNullable<Account['signTransaction']> };

/** Our TransactionSigner port over a viem account: a type-2 (EIP-1559) transaction, signed, and its hash. */
export function accountTransactionSigner(account: SigningAccount): TransactionSigner {
  return {
    address: account.address,
    async signTransaction(request: Eip1559Request): Promise<SignedTransaction> {
      assertRequest(request);
      const raw = await account.signTransaction({
        type: 'eip1559',
        chainId: request.chainId,
        nonce: request.nonce,
        gas: request.gas,
        maxFeePerGas: request.maxFeePerGas,
        maxPriorityFeePerGas: request.maxPriorityFeePerGas,
        to: request.to,
        data: request.data,
        value: request.value,
      });
      return { raw, hash: keccak256(raw) };
    },
  };
}

/** What viem's serializer does not check and a signed transaction must not carry. */
function assertRequest(request: Eip1559Request): void {
  if (!Number.isSafeInteger(request.chainId) || request.chainId <= 0) throw new RangeError(`chainId must be a positive integer, got ${request.chainId}`);
  if (!Number.isSafeInteger(request.nonce) || request.nonce < 0) throw new RangeError(`nonce must be a non-negative integer, got ${request.nonce}`);
  if (request.gas <= 0n) throw new RangeError(`gas must be positive, got ${request.gas}`);
  if (request.value < 0n) throw new RangeError(`value must not be negative, got ${request.value}`);
}

/** A signer over a private key held in this process (local chain only). */
export function createLocalTransactionSigner(privateKey: Hex): TransactionSigner {
  return accountTransactionSigner(localAccount(privateKey, 'the local private key'));
}

function localAccount(privateKey: Hex, what: string): SigningAccount {
  try {
    return privateKeyToAccount(privateKey);
  } catch {
    // The underlying error may quote the key: it is dropped, not chained.
    throw new InvalidSignerKeyError(`${what} is not a valid secp256k1 private key`);
  }
}

// ---------------------------------------------------------------- registry

export class UnknownSignerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownSignerError';
  }
}

export class InvalidSignerKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSignerKeyError';
  }
}

export interface SignerRegistryOptions {
  /** Local private keys by the name a `{ kind: 'local', name }` reference uses. */
  readonly localKeys?: ReadonlyMap<string, Hex> | Readonly<Record<string, Hex>>;
  /** Builds the signer of a KMS key (id, alias or ARN); without it, KMS references are refused. */
  readonly kmsSigner?: (keyId: string) => Promise<TransactionSigner>;
}

export interface SignerRegistry {
  /** The signer a reference names; the same instance for the same reference. */
  resolve(ref: SignerRef): Promise<TransactionSigner>;
}

export function createSignerRegistry(options: SignerRegistryOptions): SignerRegistry {
  const localKeys = toMap(options.localKeys);
  const cache = new Map<string, Promise<TransactionSigner>>();

  const build = async (ref: SignerRef): Promise<TransactionSigner> => {
    if (ref.kind === 'local') {
      const key = localKeys.get(ref.name);
      if (key === undefined) throw new UnknownSignerError(`no local key named "${ref.name}" (signer ${describeRef(ref)})`);
      return accountTransactionSigner(localAccount(key, `the local key named "${ref.name}"`));
    }
    if (!options.kmsSigner) throw new UnknownSignerError(`KMS signing is not configured here (signer ${describeRef(ref)})`);
    return options.kmsSigner(ref.keyId);
  };

  return {
    resolve(ref) {
      const cacheKey = describeRef(ref);
      const cached = cache.get(cacheKey);
      if (cached) return cached;
      const signer = build(ref);
      cache.set(cacheKey, signer);
      // A failure (a KMS hiccup, a missing key) is not remembered: the next resolve tries again.
      signer.catch(() => {
        if (cache.get(cacheKey) === signer) cache.delete(cacheKey);
      });
      return signer;
    },
  };
}

function toMap(keys: SignerRegistryOptions['localKeys']): ReadonlyMap<string, Hex> {
  if (keys === undefined) return new Map();
  return keys instanceof Map ? keys : new Map(Object.entries(keys));
}

function describeRef(ref: SignerRef): string {
  return ref.kind === 'local' ? `local:${ref.name}` : `kms:${ref.keyId}`;
}
