/**
 * The KMS key hedges are signed with: secp256k1 (ECC_SECG_P256K1), sign/verify only.
 * The private key never leaves KMS; the dispatcher and the confirmer call kms:Sign on a
 * digest and kms:GetPublicKey to derive the signer's address.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface SigningKeyProps {
  readonly stageName: string;
  readonly removalPolicy: RemovalPolicy;
}

export class SigningKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, props: SigningKeyProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: `hedge ${props.stageName}: transaction signer (secp256k1)`,
      keySpec: KeySpec.ECC_SECG_P256K1,
      keyUsage: KeyUsage.SIGN_VERIFY,
      // Asymmetric keys cannot rotate: a new key is a new address (a new signer), which
      // is an operational change, not a background one.
      enableKeyRotation: false,
      alias: `alias/hedge-${props.stageName}-signer`,
      removalPolicy: props.removalPolicy,
    });
  }
}
