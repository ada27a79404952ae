/**
 * The signers a deployed function can use: AWS KMS keys (by ARN, through KMS in the
 * function's region) and, on a local chain only, named private keys from its environment.
 * One place for the dispatcher and the confirmer, which sign (swaps; replacements and
 * cancels) with the same references.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { createAwsKmsDigestSigner } from '../adapters/signing/aws-kms-digest-signer.ts';
import { createKmsTransactionSigner } from '../adapters/signing/kms-transaction-signer.ts';
import { createSignerRegistry, type SignerRegistry } from '../adapters/signing/local-transaction-signer.ts';
import type { Hex } from '../app/execution-ports.ts';

export function createDeploymentSigners(options: {
  readonly region: string;
  readonly localKeys?: Readonly<Record<string, Hex>>;
  /** Applied to the KMS client, e.g. X-Ray capture. */
  readonly instrument?: <C>(client: C) => C;
}): SignerRegistry {
  const client = new KMSClient({ region: options.region });
  const kms = options.instrument === undefined ? client : options.instrument(client);
  return createSignerRegistry({
    localKeys: options.localKeys ?? {},
    kmsSigner: (keyId) => createKmsTransactionSigner(createAwsKmsDigestSigner({ client: kms, keyId })),
  });
}
