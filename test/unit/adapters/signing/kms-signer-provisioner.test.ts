/**
 * The per-account KMS key provisioner, through the real @aws-sdk/client-kms commands it
 * builds, against a stand-in for KMS (no KMS emulator runs offline; see
 * test/support/kms-keyring-stand-in.ts).
 */
import { describe, expect, it } from 'vitest';
import { ACCOUNT_TAG, createKmsSignerProvisioner, STAGE_TAG } from '../../../../shared/adapters/signing/kms-signer-provisioner.ts';
import { createKmsKeyringStandIn } from '../../../support/kms-keyring-stand-in.ts';

const ROLES = {
  dispatch: 'arn:aws:iam::111122223333:role/hedge-prod-dispatch',
  confirm: 'arn:aws:iam::111122223333:role/hedge-prod-confirm-hedge',
  provisioner: 'arn:aws:iam::111122223333:role/hedge-prod-config-api',
};

function provisioner() {
  const kms = createKmsKeyringStandIn();
  const signers = createKmsSignerProvisioner({
    client: kms,
    awsAccountId: '111122223333',
    stage: 'prod',
    signerRoleArns: [ROLES.dispatch, ROLES.confirm],
    provisionerRoleArn: ROLES.provisioner,
  });
  return { kms, signers };
}

describe('the KMS signer provisioner', () => {
  it('makes one secp256k1 signing key per account, tagged, whose address is the key\'s own', async () => {
    const { kms, signers } = provisioner();
    const a = await signers.provision('acc-a');
    const b = await signers.provision('acc-b');
    expect(a.ref.kind).toBe('kms');
    expect(kms.keys.size).toBe(2);
    const keyA = kms.keys.get(a.ref.kind === 'kms' ? a.ref.keyId : '')!;
    expect(a.address).toBe(keyA.address);
    expect(a.address).not.toBe(b.address);
    expect(keyA.created).toMatchObject({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    expect(keyA.created.Tags).toEqual([
      { TagKey: ACCOUNT_TAG, TagValue: 'acc-a' },
      { TagKey: STAGE_TAG, TagValue: 'prod' },
    ]);
  });

  it('writes a key policy that lets exactly the signer roles sign, and the provisioner read and retire the key', async () => {
    const { kms, signers } = provisioner();
    const { ref } = await signers.provision('acc-a');
    const policy = JSON.parse(kms.keys.get(ref.kind === 'kms' ? ref.keyId : '')!.created.Policy!) as {
      Statement: { Sid: string; Principal: { AWS: string | string[] }; Action: string | string[] }[];
    };
    const bySid = Object.fromEntries(policy.Statement.map((s) => [s.Sid, s]));
    expect(bySid.HedgeSigners).toMatchObject({ Principal: { AWS: [ROLES.dispatch, ROLES.confirm] }, Action: ['kms:Sign', 'kms:GetPublicKey'] });
    expect(bySid.Provisioner?.Principal).toEqual({ AWS: ROLES.provisioner });
    expect(bySid.Provisioner?.Action).not.toContain('kms:Sign');
    expect(bySid.AccountAdministers?.Principal).toEqual({ AWS: 'arn:aws:iam::111122223333:root' });
    // No one else may sign (the account root administers every key in the account, as KMS's default policy does).
    const signing = policy.Statement.filter((s) => [s.Action].flat().some((a) => a === 'kms:Sign' || a === 'kms:*'));
    expect(signing.map((s) => s.Sid).sort()).toEqual(['AccountAdministers', 'HedgeSigners']);
  });

  it('a key whose address cannot be read is scheduled for deletion, and the error reaches the caller (the account is not created)', async () => {
    const { kms, signers } = provisioner();
    kms.failNextGetPublicKey();
    await expect(signers.provision('acc-a')).rejects.toThrow(/Throttling/);
    const [key] = [...kms.keys.values()];
    expect(key?.deletion).toMatchObject({ PendingWindowInDays: 7 });
  });

  it('discard schedules the key for deletion', async () => {
    const { kms, signers } = provisioner();
    const signer = await signers.provision('acc-a');
    await signers.discard(signer);
    expect(kms.keys.get(signer.ref.kind === 'kms' ? signer.ref.keyId : '')?.deletion).toMatchObject({ PendingWindowInDays: 7 });
  });
});
