/**
 * Secrets at cold start: for each `{ variable, arnVariable }`, when the environment names a
 * secret (`<arnVariable>` = its ARN) and does not set `<variable>` itself, the secret's
 * string is fetched ONCE (GetSecretValue) and put under `<variable>` in a copy of the
 * environment, which the function's zod schema then validates like any other value.
 * The CDK stack passes ARNs, never values, so nothing secret is in the template or the
 * function's configuration; locally the variables are set directly and nothing is fetched.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';

export interface SecretVariable {
  /** The variable the function's schema reads, e.g. CHAINS. */
  readonly variable: string;
  /** The variable holding the secret's ARN, e.g. CHAINS_SECRET_ARN. */
  readonly arnVariable: string;
}

export interface SecretsClient {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string | undefined }>;
}

export class SecretUnavailableError extends Error {
  constructor(variable: string, reason: string, options?: { cause?: unknown }) {
    // The ARN and the value are never in the message: only which variable could not be filled.
    super(`the secret for ${variable} could not be read: ${reason}`, options);
    this.name = 'SecretUnavailableError';
  }
}

/**
 * @example
 * const env = loadEvaluateEnv(await envWithSecrets(process.env, [{ variable: 'CHAINS', arnVariable: 'CHAINS_SECRET_ARN' }], secretsClient));
 */
export async function envWithSecrets(
  env: Readonly<Record<string, string | undefined>>,
  secrets: readonly SecretVariable[],
  client: SecretsClient | (() => SecretsClient),
): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = { ...env };
  const wanted = secrets.filter((s) => out[s.variable] === undefined && (out[s.arnVariable] ?? '') !== '');
  if (wanted.length === 0) return out;
  const sdk = typeof client === 'function' ? client() : client;
  await Promise.all(
    wanted.map(async ({ variable, arnVariable }) => {
      let value: string | undefined;
      try {
        value = (await sdk.send(new GetSecretValueCommand({ SecretId: out[arnVariable] }))).SecretString;
      } catch (error) {
        throw new SecretUnavailableError(variable, error instanceof Error ? error.name : 'unknown error', { cause: error });
      }
      if (value === undefined || value === '') throw new SecretUnavailableError(variable, 'it has no string value');
      out[variable] = value;
    }),
  );
  return out;
}
