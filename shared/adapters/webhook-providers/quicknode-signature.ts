/**
 * QuickNode Streams webhooks.
 *
 * Scheme: headers `X-QN-Nonce`, `X-QN-Timestamp` (unix seconds) and `X-QN-Signature` =
 * HMAC-SHA256(stream security token, nonce + timestamp + payload), the three concatenated
 * with no separator. QuickNode's guide computes the digest as hex; a base64 digest of the
 * same HMAC is accepted too (it is the same secret-keyed value, so this does not weaken
 * the check). The timestamp must be within 5 minutes of now.
 *
 * Payloads sent gzip-compressed are signed over the uncompressed JSON; API Gateway hands
 * us the bytes as sent, so a `content-encoding: gzip` body is rejected upstream (the
 * handler accepts identity encoding only).
 *
 * @see https://www.quicknode.com/guides/quicknode-products/streams/validating-incoming-streams-webhook-messages
 */
import { fromBase64, fromHex, header, hmacSha256, isFresh, matchingSecret, unixSeconds, usableSecrets } from './hmac.ts';
import { reject, type WebhookVerdict, type WebhookVerificationInput } from '../../contracts/webhooks/webhook-verdict.ts';

export const QUICKNODE_HEADERS = { nonce: 'x-qn-nonce', timestamp: 'x-qn-timestamp', signature: 'x-qn-signature' } as const;

/**
 * @example
 * verifyQuickNodeSignature({ body, headers: { 'x-qn-nonce': n, 'x-qn-timestamp': '1767225600', 'x-qn-signature': hex }, secrets: [token], now })
 */
export function verifyQuickNodeSignature(input: WebhookVerificationInput): WebhookVerdict {
  const secrets = usableSecrets(input.secrets);
  if (secrets.length === 0) return reject('no-secret', 'no QuickNode security token is configured');
  const nonce = header(input.headers, QUICKNODE_HEADERS.nonce);
  const timestamp = header(input.headers, QUICKNODE_HEADERS.timestamp);
  const signature = header(input.headers, QUICKNODE_HEADERS.signature);
  if (nonce === undefined || timestamp === undefined || signature === undefined) {
    return reject('missing-header', 'x-qn-nonce, x-qn-timestamp and x-qn-signature are required');
  }
  if (nonce.length > 256) return reject('malformed-header', 'x-qn-nonce is longer than 256 characters');
  const seconds = unixSeconds(timestamp);
  if (seconds === undefined) return reject('malformed-header', 'x-qn-timestamp is not unix seconds');
  const given = fromHex(signature) ?? fromBase64(signature);
  if (given === undefined) return reject('malformed-header', 'x-qn-signature is not a hex or base64 SHA-256 digest');
  if (!isFresh(seconds, input.now)) return reject('stale-timestamp', 'x-qn-timestamp is more than 5 minutes from now');
  const index = matchingSecret([given], secrets.map((secret) => hmacSha256(secret, [nonce, timestamp, input.body])));
  return index === -1 ? reject('signature-mismatch', 'no active security token produces this signature') : { ok: true, deliveryId: nonce, secretIndex: index };
}
