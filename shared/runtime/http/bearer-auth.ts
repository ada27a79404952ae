/**
 * API keys and Bearer credentials.
 *
 * - A key is `hk_` + 32 random bytes (crypto.randomBytes) in base64url: shown once,
 *   never stored; the store keeps only its SHA-256 (lowercase hex).
 * - An account key is resolved by hashing the presented key and looking the hash up
 *   (one GetItem): the secret itself is never compared byte by byte.
 * - The admin key is compared as SHA-256 digests with crypto.timingSafeEqual (equal
 *   lengths by construction), so the comparison time does not depend on the secret.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpProblem } from './http-problem.ts';
import { header } from './http-request.ts';

export const API_KEY_PREFIX = 'hk_';
/** Longer tokens are refused before hashing. */
const MAX_TOKEN_LENGTH = 512;

/** @example const { apiKey, keyHash } = generateApiKey(); // apiKey 'hk_…' (46 chars) */
export function generateApiKey(): { readonly apiKey: string; readonly keyHash: string } {
  const apiKey = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { apiKey, keyHash: hashApiKey(apiKey) };
}

/** SHA-256 of the key's UTF-8, lowercase hex. @example hashApiKey('hk_abc') // '…64 hex…' */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** True when `token` hashes to `expectedHash` (hex SHA-256), compared in constant time. */
export function matchesKeyHash(token: string, expectedHash: string): boolean {
  const actual = createHash('sha256').update(token, 'utf8').digest();
  const expected = Buffer.from(expectedHash, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}

/** The 401 every authentication failure ends in (the same answer for missing, malformed and wrong). */
export function unauthorized(detail = 'a valid Bearer API key is required'): HttpProblem {
  return new HttpProblem(401, 'unauthorized', 'Unauthorized', detail, { headers: { 'www-authenticate': 'Bearer' } });
}

/** The Bearer token of the Authorization header; HttpProblem 401 when absent or malformed. */
export function bearerToken(event: Pick<APIGatewayProxyEventV2, 'headers'>): string {
  const value = header(event, 'authorization');
  const match = value === undefined ? null : /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(value);
  const token = match?.[1];
  if (token === undefined || token.length > MAX_TOKEN_LENGTH) throw unauthorized();
  return token;
}
