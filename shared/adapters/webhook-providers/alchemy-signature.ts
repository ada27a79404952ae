/**
 * Alchemy Notify webhooks.
 *
 * Scheme: header `X-Alchemy-Signature` = lower-case hex of HMAC-SHA256(signing key, raw
 * body). No timestamp is signed, so there is no freshness check here; replays are stopped
 * by the delivery dedupe (the body's `id`) and the chain re-read.
 *
 * @see https://www.alchemy.com/reference/notify-api (Webhooks Quickstart: validate the X-Alchemy-Signature)
 */
import { fromHex, header, hmacSha256, matchingSecret, usableSecrets } from './hmac.ts';
import { reject, type WebhookVerdict, type WebhookVerificationInput } from '../../contracts/webhooks/webhook-verdict.ts';

export const ALCHEMY_SIGNATURE_HEADER = 'x-alchemy-signature';

/**
 * @example
 * verifyAlchemySignature({ body, headers: { 'x-alchemy-signature': hex }, secrets: ['whsec_key'], now: new Date() }) // { ok: true, secretIndex: 0 }
 */
export function verifyAlchemySignature(input: WebhookVerificationInput): WebhookVerdict {
  const secrets = usableSecrets(input.secrets);
  if (secrets.length === 0) return reject('no-secret', 'no Alchemy signing key is configured');
  const signature = header(input.headers, ALCHEMY_SIGNATURE_HEADER);
  if (signature === undefined) return reject('missing-header', `${ALCHEMY_SIGNATURE_HEADER} is missing`);
  const given = fromHex(signature);
  if (given === undefined) return reject('malformed-header', `${ALCHEMY_SIGNATURE_HEADER} is not a hex SHA-256 digest`);
  const index = matchingSecret([given], secrets.map((secret) => hmacSha256(secret, [input.body])));
  return index === -1 ? reject('signature-mismatch', 'no active signing key produces this signature') : { ok: true, secretIndex: index };
}
