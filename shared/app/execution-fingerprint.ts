/**
 * What a decision's orders mean on chain: the underlying, the chain, the venue (pool,
 * tokens, decimals) and the signer. Stored with each hedge record by the evaluator and
 * compared by the dispatcher with today's configuration: units decided for one asset,
 * venue or key must never be sent to another (the decision is dropped; the next
 * evaluation decides again under the new configuration).
 */
import type { HedgePolicyConfig } from '../contracts/hedge-policy-config.ts';

export function executionFingerprint(config: HedgePolicyConfig): string {
  const { venue, signer } = config.execution ?? {};
  const lower = (value: string | undefined): string | undefined => value?.toLowerCase();
  return JSON.stringify({
    underlying: config.underlying,
    chainId: config.market?.chainId ?? null,
    pool: lower(venue?.pool),
    swapRouter: lower(venue?.swapRouter),
    baseToken: lower(venue?.baseToken),
    quoteToken: lower(venue?.quoteToken),
    baseDecimals: venue?.baseDecimals ?? null,
    quoteDecimals: venue?.quoteDecimals ?? null,
    signer: signer === undefined ? null : signer.kind === 'local' ? `local:${signer.name}` : `kms:${signer.keyId}`,
  });
}
