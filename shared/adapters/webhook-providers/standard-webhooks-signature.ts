/**
 * Standard Webhooks (the spec Svix and others implement).
 *
 * Scheme: headers `webhook-id`, `webhook-timestamp` (unix seconds) and
 * `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256>` entries (other
 * versions are ignored, so a sender may add new schemes). The signed content is
 * `${id}.${timestamp}.${raw body}`. The secret is `whsec_` + base64 of the key bytes (a
 * secret without the prefix is read as base64). The timestamp must be within 5 minutes.
 *
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
import { fromBase64, header, hmacSha256, isFresh, matchingSecret, unixSeconds } from './hmac.ts';
import { reject, type WebhookVerdict, type WebhookVerificationInput } from '../../contracts/webhooks/webhook-verdict.ts';

export const STANDARD_WEBHOOK_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

const SECRET_PREFIX = 'whsec_';

/** The key bytes of a `whsec_…` secret; undefined when it is not base64 or empty. */
export function standardWebhookKey(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length === 0 ? undefined : key;
}

/** HMAC-SHA256 of the signed content `${id}.${timestamp}.${body}`; the signer and the verifier share it. */
function standardWebhookDigest(key: Buffer, id: string, timestamp: string, body: string | Buffer): Buffer {
  return hmacSha256(key, [`${id}.${timestamp}.`, body]);
}

/**
 * The `v1,<base64>` entry a Standard Webhooks sender puts in `webhook-signature` for `body`
 * (the local provider and the tests sign deliveries with it). Throws when `secret` has no key.
 *
 * @example
 * signStandardWebhook({ secret: 'whsec_…', id: 'msg_1', timestamp: 1767225600, body }) // 'v1,K5o…='
 */
export function signStandardWebhook(input: { readonly secret: string; readonly id: string; readonly timestamp: number; readonly body: string }): string {
  const key = standardWebhookKey(input.secret);
  if (key === undefined) throw new Error('the webhook secret is not a whsec_ base64 secret');
  return `v1,${standardWebhookDigest(key, input.id, String(input.timestamp), input.body).toString('base64')}`;
}

/**
 * @example
 * verifyStandardWebhookSignature({ body, headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': '1767225600', 'webhook-signature': 'v1,K5o…=' }, secrets: ['whsec_…'], now })
 */
export function verifyStandardWebhookSignature(input: WebhookVerificationInput): WebhookVerdict {
  const keys = input.secrets.map(standardWebhookKey).filter((key): key is Buffer => key !== undefined);
  if (keys.length === 0) return reject('no-secret', 'no usable whsec_ secret is configured');
  const id = header(input.headers, STANDARD_WEBHOOK_HEADERS.id);
  const timestamp = header(input.headers, STANDARD_WEBHOOK_HEADERS.timestamp);
  const signatures = header(input.headers, STANDARD_WEBHOOK_HEADERS.signature);
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    return reject('missing-header', 'webhook-id, webhook-timestamp and webhook-signature are required');
  }
  if (id.length > 256 || id.includes('.')) return reject('malformed-header', 'webhook-id is longer than 256 characters or contains "."');
  const seconds = unixSeconds(timestamp);
  if (seconds === undefined) return reject('malformed-header', 'webhook-timestamp is not unix seconds');
  const given = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => fromBase64(entry.slice(3)))
    .filter((digest): digest is Buffer => digest !== undefined);
  if (given.length === 0) return reject('malformed-header', 'webhook-signature has no v1,<base64> entry');
  if (!isFresh(seconds, input.now)) return reject('stale-timestamp', 'webhook-timestamp is more than 5 minutes from now');
  const index = matchingSecret(given, keys.map((key) => standardWebhookDigest(key, id, timestamp, input.body)));
  return index === -1 ? reject('signature-mismatch', 'no active secret produces any of the v1 signatures') : { ok: true, deliveryId: id, secretIndex: index };
}
