/**
 * The primitives the verifiers share: HMAC-SHA256, a constant-time comparison of equal
 * length digests, header lookup, the freshness check.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_TOLERANCE_SECONDS, type WebhookHeaders } from '../../contracts/webhooks/webhook-verdict.ts';

/** HMAC-SHA256 of the concatenation of `parts` (strings as UTF-8, buffers as is). */
export function hmacSha256(key: string | Buffer, parts: readonly (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant-time equality of two digests; different lengths are unequal (length is public). */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The index of the first secret whose digest equals `given`, or -1. Every secret is tried
 * (no early exit), so the time does not depend on which one matched.
 */
export function matchingSecret(given: readonly Buffer[], digests: readonly Buffer[]): number {
  let found = -1;
  for (let i = 0; i < digests.length; i += 1) {
    const digest = digests[i];
    if (digest === undefined) continue;
    let matched = false;
    for (const candidate of given) matched = digestsEqual(candidate, digest) || matched;
    if (matched && found === -1) found = i;
  }
  return found;
}

/** A header's value by lower-case name; undefined when absent or empty. */
export function header(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** A hex SHA-256 digest as bytes, or undefined if it is not 64 hex digits. */
export function fromHex(value: string): Buffer | undefined {
  return HEX_SHA256.test(value) ? Buffer.from(value, 'hex') : undefined;
}

/** A base64 SHA-256 digest as bytes, or undefined if it is not 44 base64 characters. */
export function fromBase64(value: string): Buffer | undefined {
  return BASE64_SHA256.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/** Unix seconds as an integer, or undefined (only digits, at most 12 of them). */
export function unixSeconds(value: string): number | undefined {
  return /^\d{1,12}$/.test(value) ? Number(value) : undefined;
}

/** Whether `timestampSeconds` is within the tolerance of `now`, either side. */
export function isFresh(timestampSeconds: number, now: Date, toleranceSeconds: number = WEBHOOK_TOLERANCE_SECONDS): boolean {
  return Math.abs(now.getTime() / 1000 - timestampSeconds) <= toleranceSeconds;
}

/** Non-empty secrets only: an empty secret would make anyone's signature "valid". */
export function usableSecrets(secrets: readonly string[]): string[] {
  return secrets.filter((secret) => secret.length > 0);
}
