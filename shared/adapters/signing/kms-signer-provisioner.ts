/**
 * Per-account signing keys in AWS KMS: when the operator creates an account, the config
 * API creates its own secp256k1 key (ECC_SECG_P256K1, SIGN_VERIFY), tagged with the
 * account and the stage, whose key policy lets exactly the dispatch and confirm roles
 * sign with it. No IAM policy names keys by wildcard: the key policy is what grants, key
 * by key, so one tenant's key can never be used for another's trades.
 *
 * The key policy:
 * - the AWS account's root may administer the key (KMS's default, so the operator's
 *   administrators can always manage or delete it);
 * - the signer roles may kms:Sign and kms:GetPublicKey;
 * - the provisioner role (the config API's own) may read its public key, put its policy
 *   (KMS's lockout check requires that the creator could) and schedule its deletion.
 *
 * @example
 * const provisioner = createKmsSignerProvisioner({ client: new KMSClient({}), awsAccountId, stage: 'prod',
 *   signerRoleArns: [dispatchRoleArn, confirmRoleArn], provisionerRoleArn });
 * await provisioner.provision('acc-1'); // { ref: { kind: 'kms', keyId: 'arn:aws:kms:…:key/…' }, address: '0x…' }
 */
import { CreateKeyCommand, ScheduleKeyDeletionCommand, type GetPublicKeyCommand, type SignCommand } from '@aws-sdk/client-kms';
import { createAwsKmsDigestSigner } from './aws-kms-digest-signer.ts';
import { createKmsTransactionSigner } from './kms-transaction-signer.ts';
import type { ProvisionedSigner } from './local-signer-provisioner.ts';

/** The part of KMSClient the provisioner uses. */
export interface KmsProvisioningClient {
  send(command: CreateKeyCommand | ScheduleKeyDeletionCommand | GetPublicKeyCommand | SignCommand): Promise<unknown>;
}

export interface KmsSignerProvisionerOptions {
  readonly client: KmsProvisioningClient;
  /** The AWS account the keys are made in (its root administers them). */
  readonly awsAccountId: string;
  readonly stage: string;
  /** The roles that sign hedges (dispatch, confirm-hedge). */
  readonly signerRoleArns: readonly string[];
  /** The role that creates the keys (the config API's). */
  readonly provisionerRoleArn: string;
  /** Days before a discarded key is deleted (KMS allows 7–30). */
  readonly deletionWindowDays?: number;
}

/** The tag that names a key's account (also what an operator searches by in the console). */
export const ACCOUNT_TAG = 'hedge:account';
export const STAGE_TAG = 'hedge:stage';

export function signingKeyPolicy(options: Pick<KmsSignerProvisionerOptions, 'awsAccountId' | 'signerRoleArns' | 'provisionerRoleArn'>): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${options.awsAccountId}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'HedgeSigners', Effect: 'Allow', Principal: { AWS: [...options.signerRoleArns] }, Action: ['kms:Sign', 'kms:GetPublicKey'], Resource: '*' },
      {
        Sid: 'Provisioner',
        Effect: 'Allow',
        Principal: { AWS: options.provisionerRoleArn },
        Action: ['kms:GetPublicKey', 'kms:DescribeKey', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
        Resource: '*',
      },
    ],
  });
}

export function createKmsSignerProvisioner(options: KmsSignerProvisionerOptions) {
  const { client } = options;
  const policy = signingKeyPolicy(options);
  return {
    async provision(accountId: string): Promise<ProvisionedSigner> {
      const created = (await client.send(
        new CreateKeyCommand({
          KeySpec: 'ECC_SECG_P256K1',
          KeyUsage: 'SIGN_VERIFY',
          Description: `hedge ${options.stage}: the signing key of account ${accountId}`,
          Policy: policy,
          Tags: [
            { TagKey: ACCOUNT_TAG, TagValue: accountId },
            { TagKey: STAGE_TAG, TagValue: options.stage },
          ],
        }),
      )) as { KeyMetadata?: { Arn?: string } };
      const keyArn = created.KeyMetadata?.Arn;
      if (keyArn === undefined) throw new Error(`KMS created no key for account ${accountId} (no ARN in the answer)`);
      try {
        // The address from the key itself (GetPublicKey), as the dispatcher will derive it.
        const signer = await createKmsTransactionSigner(createAwsKmsDigestSigner({ client, keyId: keyArn }));
        return { ref: { kind: 'kms', keyId: keyArn }, address: signer.address };
      } catch (error) {
        await scheduleDeletion(keyArn).catch(() => undefined);
        throw error;
      }
    },
    async discard(signer: ProvisionedSigner): Promise<void> {
      if (signer.ref.kind === 'kms') await scheduleDeletion(signer.ref.keyId);
    },
  };

  async function scheduleDeletion(keyId: string): Promise<void> {
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: options.deletionWindowDays ?? 7 }));
  }
}
