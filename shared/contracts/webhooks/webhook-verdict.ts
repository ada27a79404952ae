/**
 * What every webhook verifier takes and answers. Verifiers are pure functions of the raw
 * request (body bytes exactly as received, headers), the provider's active secrets (more
 * than one during a rotation) and the current time: no I/O, no clock, no env.
 */

/** Header names lower-case (API Gateway HTTP API v2 delivers them so). */
export type WebhookHeaders = Readonly<Record<string, string | undefined>>;

export interface WebhookVerificationInput {
  readonly body: Buffer;
  readonly headers: WebhookHeaders;
  /** Every currently active secret; a signature made with any of them is accepted. */
  readonly secrets: readonly string[];
  readonly now: Date;
}

export type WebhookRejection =
  /** A header the scheme needs is absent or empty. */
  | 'missing-header'
  /** A header is present but not in the scheme's format (e.g. not hex, not an integer). */
  | 'malformed-header'
  /** The signed timestamp is outside the freshness window (replay protection). */
  | 'stale-timestamp'
  /** No active secret produces the signature. */
  | 'signature-mismatch'
  /** No usable secret is configured: fail closed. */
  | 'no-secret';

export type WebhookVerdict =
  | {
      readonly ok: true;
      /** The delivery id the scheme signs in a header (Standard Webhooks' webhook-id, QuickNode's nonce); absent for Alchemy (it is in the body). */
      readonly deliveryId?: string;
      /** Index of the secret that matched (for rotation metrics; never the secret itself). */
      readonly secretIndex: number;
    }
  | { readonly ok: false; readonly reason: WebhookRejection; readonly detail: string };

export type WebhookVerifier = (input: WebhookVerificationInput) => WebhookVerdict;

/** Freshness window of timestamped schemes, either side of now. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export function reject(reason: WebhookRejection, detail: string): WebhookVerdict {
  return { ok: false, reason, detail };
}
