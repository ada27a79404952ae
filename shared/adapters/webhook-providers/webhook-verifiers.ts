/** The providers we accept webhooks from, each with its verifier. */
import { verifyAlchemySignature } from './alchemy-signature.ts';
import { verifyQuickNodeSignature } from './quicknode-signature.ts';
import { verifyStandardWebhookSignature } from './standard-webhooks-signature.ts';
import type { WebhookVerifier } from '../../contracts/webhooks/webhook-verdict.ts';

export const WEBHOOK_PROVIDERS = ['alchemy', 'quicknode', 'standard'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export const WEBHOOK_VERIFIERS: Readonly<Record<WebhookProvider, WebhookVerifier>> = {
  alchemy: verifyAlchemySignature,
  quicknode: verifyQuickNodeSignature,
  standard: verifyStandardWebhookSignature,
};

export function isWebhookProvider(name: string | undefined): name is WebhookProvider {
  return name !== undefined && (WEBHOOK_PROVIDERS as readonly string[]).includes(name);
}
