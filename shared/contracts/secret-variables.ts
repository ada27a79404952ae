/**
 * The environment variables whose values are secrets (RPC URLs carry provider API keys;
 * webhook signing secrets), and the variable naming each one's Secrets Manager ARN. ONE
 * list, read by the CDK stack (which passes ARNs and grants read on exactly those secrets)
 * and by the functions' entries (which fetch the values once at cold start).
 */
export const SECRET_VARIABLES = {
  /** CHAINS of evaluate, dispatch, confirm-hedge: [{ chainId, rpcUrl }]. */
  chains: { variable: 'CHAINS', arnVariable: 'CHAINS_SECRET_ARN' },
  /** CHAINS of confirm-positions: [{ chainId, rpcUrl, optionBook }] (it also names each OptionBook). */
  positionChains: { variable: 'CHAINS', arnVariable: 'POSITION_CHAINS_SECRET_ARN' },
  /** WEBHOOK_SOURCES of ingest-webhook: the providers' signing secrets. */
  webhookSources: { variable: 'WEBHOOK_SOURCES', arnVariable: 'WEBHOOK_SOURCES_SECRET_ARN' },
} as const;

export type SecretName = keyof typeof SECRET_VARIABLES;
