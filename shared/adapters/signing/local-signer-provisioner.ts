/**
 * Per-account keys on a local chain: each account created gets a fresh secp256k1 key,
 * held in the keyring the deployment's signer registry reads (`{ kind: 'local', name }`
 * references resolve through it). The cloud makes an AWS KMS key instead
 * (kms-signer-provisioner.ts); no local key ever leaves this process.
 *
 * @example
 * const keyring = new Map<string, Hex>();
 * const provisioner = createLocalSignerProvisioner({ keyring });
 * const registry = createSignerRegistry({ localKeys: keyring });
 * const { ref, address } = await provisioner.provision('acc-1'); // { kind: 'local', name: 'account-acc-1' }
 */
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { Hex } from '../../app/execution-ports.ts';
import type { SignerRef } from '../../contracts/execution-config.ts';

export interface LocalSignerProvisionerOptions {
  /** Where the keys are kept by name: the same map the signer registry resolves local references from. */
  readonly keyring: Map<string, Hex>;
  /** A fresh key (default: a random one). */
  readonly newKey?: () => Hex;
}

export interface ProvisionedSigner {
  readonly ref: SignerRef;
  readonly address: string;
}

/** A local key name from an account id: names allow [A-Za-z0-9_-] only, at most 64 characters. */
export function localSignerName(accountId: string): string {
  return `account-${accountId.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 64);
}

export function createLocalSignerProvisioner(options: LocalSignerProvisionerOptions) {
  const newKey = options.newKey ?? generatePrivateKey;
  return {
    provision(accountId: string): Promise<ProvisionedSigner> {
      const name = localSignerName(accountId);
      // An account id is used once; a second provision for it would silently share a key.
      if (options.keyring.has(name)) return Promise.reject(new Error(`a local key named ${name} exists already`));
      const key = newKey();
      options.keyring.set(name, key);
      return Promise.resolve({ ref: { kind: 'local', name }, address: privateKeyToAccount(key).address });
    },
    discard(signer: ProvisionedSigner): Promise<void> {
      if (signer.ref.kind === 'local') options.keyring.delete(signer.ref.name);
      return Promise.resolve();
    },
  };
}
