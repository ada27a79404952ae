/**
 * What of an error may be written to a log: its name and message, with anything that
 * could be a credential taken out. RPC URLs carry provider API keys in their path or
 * query, bearer and webhook secrets have known shapes, and long hex is a signature, a
 * signed transaction or calldata. Hashes and addresses (at most 32 bytes of hex) stay:
 * they are what an operator searches a log for.
 *
 * Every function entry and the local stack log errors through `safeErrorText`; Powertools
 * (issue #18) will take over the logger, not this rule.
 *
 * @example
 * safeErrorText(new Error('HTTP request failed. URL: https://eth.example/v2/abc123')) // 'Error: HTTP request failed. URL: https://eth.example/…'
 */

const URL_PATTERN = /\b(https?|wss?):\/\/([^\s/?#@'"]*@)?([^\s/?#'"]+)[^\s'"]*/gi;
const API_KEY_PATTERN = /\bhk_(?:admin_)?[A-Za-z0-9_-]{16,}/g;
const WEBHOOK_SECRET_PATTERN = /\bwhsec_[A-Za-z0-9+/=]{8,}/g;
const BEARER_PATTERN = /\b(Bearer|Basic)\s+[^\s,;'"]+/gi;
/** More than 32 bytes of hex: a signature (65 bytes), a signed transaction, calldata, a key with a prefix stripped. */
const LONG_HEX_PATTERN = /\b(0x)?[0-9a-fA-F]{65,}\b/g;
/** Header-style secrets (`webhook-signature: v1,…`, `x-alchemy-signature: …`). */
const SIGNATURE_HEADER_PATTERN = /\b([a-z-]*signature)\s*[:=]\s*[^\s;]+(?:\s+v\d+,[^\s;]+)*/gi;

const MAX_LENGTH = 500;

/** `text` with credentials replaced by `…`. */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_PATTERN, (_match, scheme: string, _userinfo: string | undefined, host: string) => `${scheme}://${host}/…`)
    .replace(API_KEY_PATTERN, 'hk_…')
    .replace(WEBHOOK_SECRET_PATTERN, 'whsec_…')
    .replace(BEARER_PATTERN, (_match, scheme: string) => `${scheme} …`)
    .replace(SIGNATURE_HEADER_PATTERN, (_match, name: string) => `${name}: …`)
    .replace(LONG_HEX_PATTERN, (match) => `${match.startsWith('0x') ? '0x' : ''}…(${match.length} hex)`);
}

/** `Name: message` of an error (or its string form), redacted and cut to 500 characters. */
export function safeErrorText(error: unknown): string {
  const raw = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const text = redactSecrets(raw);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}
