// Secrets at cold start. The Secrets Manager client is a recording test double: there is no
// local Secrets Manager, and what is under test is which variables get filled from which
// ARN, and that failures name the variable without leaking the ARN or a value.
import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { envWithSecrets, SecretUnavailableError, type SecretsClient } from '../../../../shared/adapters/secrets/env-with-secrets.ts';
import { SECRET_VARIABLES } from '../../../../shared/contracts/secret-variables.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hedge/dev/chains-AbCdEf';

function fakeSecrets(values: Record<string, string | undefined>): SecretsClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    send(command: GetSecretValueCommand) {
      const id = String(command.input.SecretId);
      asked.push(id);
      if (!(id in values)) return Promise.reject(Object.assign(new Error(`Secrets Manager can't find ${id}`), { name: 'ResourceNotFoundException' }));
      return Promise.resolve({ SecretString: values[id] });
    },
  };
}

describe('envWithSecrets', () => {
  it('fills the variable from the secret its ARN names, once, leaving the rest of the environment as is', async () => {
    const client = fakeSecrets({ [ARN]: '[{"chainId":1,"rpcUrl":"https://rpc.invalid/key"}]' });
    const env = await envWithSecrets({ CHAINS_SECRET_ARN: ARN, TABLE_NAME: 'hedge' }, [SECRET_VARIABLES.chains], client);
    expect(env).toEqual({ CHAINS_SECRET_ARN: ARN, TABLE_NAME: 'hedge', CHAINS: '[{"chainId":1,"rpcUrl":"https://rpc.invalid/key"}]' });
    expect(client.asked).toEqual([ARN]);
  });

  it('fetches nothing when the variable is set directly (local runs) or no ARN is given', async () => {
    let built = 0;
    const factory = () => (built++, fakeSecrets({}));
    expect(await envWithSecrets({ CHAINS: '[]', CHAINS_SECRET_ARN: ARN }, [SECRET_VARIABLES.chains], factory)).toEqual({ CHAINS: '[]', CHAINS_SECRET_ARN: ARN });
    expect(await envWithSecrets({ TABLE_NAME: 'hedge' }, [SECRET_VARIABLES.chains], factory)).toEqual({ TABLE_NAME: 'hedge' });
    expect(built).toBe(0); // no client is even built
  });

  it('a missing or empty secret fails naming the variable, never the ARN or a value', async () => {
    const missing = envWithSecrets({ CHAINS_SECRET_ARN: ARN }, [SECRET_VARIABLES.chains], fakeSecrets({}));
    await expect(missing).rejects.toBeInstanceOf(SecretUnavailableError);
    await expect(missing).rejects.toThrow('the secret for CHAINS could not be read: ResourceNotFoundException');
    await expect(missing).rejects.not.toThrow(/arn:aws/);
    await expect(envWithSecrets({ CHAINS_SECRET_ARN: ARN }, [SECRET_VARIABLES.chains], fakeSecrets({ [ARN]: '' }))).rejects.toThrow('the secret for CHAINS could not be read: it has no string value');
  });
});
