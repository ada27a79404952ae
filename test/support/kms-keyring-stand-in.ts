// A stand-in for the part of AWS KMS that makes keys (CreateKey, ScheduleKeyDeletion) on
// top of the single-key stand-in (kms-stand-in.ts): each CreateKey makes a fresh
// secp256k1 key, and GetPublicKey/Sign are routed to the key they name.
//
// Why a stand-in: no KMS emulator runs offline and no test may call AWS (see
// kms-stand-in.ts). It checks what KMS checks of a CreateKey the provisioner sends (key
// spec, usage, a JSON policy) and records every input for the test to inspect.
import { CreateKeyCommand, GetPublicKeyCommand, NotFoundException, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import type { CreateKeyCommandInput, ScheduleKeyDeletionCommandInput , SignCommand } from '@aws-sdk/client-kms';
import { createKmsStandIn, type KmsStandIn } from './kms-stand-in.ts';

export interface KmsKeyringStandIn {
  readonly keys: ReadonlyMap<string, KmsStandIn & { readonly created: CreateKeyCommandInput; deletion?: ScheduleKeyDeletionCommandInput }>;
  /** Makes the next GetPublicKey fail (a throttled or failed call right after creation). */
  failNextGetPublicKey(): void;
  send(command: CreateKeyCommand | ScheduleKeyDeletionCommand | GetPublicKeyCommand | SignCommand): Promise<unknown>;
}

export function createKmsKeyringStandIn(): KmsKeyringStandIn {
  const keys = new Map<string, KmsStandIn & { created: CreateKeyCommandInput; deletion?: ScheduleKeyDeletionCommandInput }>();
  let failGetPublicKey = false;
  const keyOf = (id: string | undefined) => {
    const key = [...keys.values()].find((k) => k.keyArn === id || k.keyId === id);
    if (key === undefined || key.deletion !== undefined) throw new NotFoundException({ message: `Key '${String(id)}' does not exist`, $metadata: {} });
    return key;
  };
  return {
    keys,
    failNextGetPublicKey() {
      failGetPublicKey = true;
    },
    send(command) {
      if (command instanceof CreateKeyCommand) {
        const input = command.input;
        if (input.KeySpec !== 'ECC_SECG_P256K1' || input.KeyUsage !== 'SIGN_VERIFY') return Promise.reject(new Error('the stand-in makes secp256k1 signing keys only'));
        JSON.parse(input.Policy ?? '{}'); // KMS refuses a policy that is not JSON
        const key = Object.assign(createKmsStandIn(), { created: input });
        keys.set(key.keyArn, key);
        return Promise.resolve({ KeyMetadata: { Arn: key.keyArn, KeyId: key.keyId, KeySpec: input.KeySpec, KeyUsage: input.KeyUsage } });
      }
      if (command instanceof ScheduleKeyDeletionCommand) {
        const key = keyOf(command.input.KeyId);
        key.deletion = command.input;
        return Promise.resolve({ KeyId: key.keyArn });
      }
      if (command instanceof GetPublicKeyCommand && failGetPublicKey) {
        failGetPublicKey = false;
        return Promise.reject(new Error('ThrottlingException (injected)'));
      }
      try {
        return keyOf(command.input.KeyId).send(command);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
  };
}
