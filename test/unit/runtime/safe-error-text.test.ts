/** What reaches a log of an error: no credential, no RPC URL path or query, no signature; hashes and addresses stay. */
import { describe, expect, it } from 'vitest';
import { redactSecrets, safeErrorText } from '../../../shared/runtime/safe-error-text.ts';

const TX_HASH = `0x${'ab'.repeat(32)}`;
const ADDRESS = `0x${'cd'.repeat(20)}`;
const SIGNATURE = `0x${'ef'.repeat(65)}`;

describe('redactSecrets', () => {
  it.each([
    ['an RPC URL with its key in the path', 'HTTP request failed. URL: https://eth-mainnet.g.alchemy.example/v2/SeCrEtKeY123', 'SeCrEtKeY123', 'https://eth-mainnet.g.alchemy.example/…'],
    ['an RPC URL with its key in the query', 'fetch https://rpc.example/?apikey=SeCrEtKeY123 failed', 'SeCrEtKeY123', 'https://rpc.example/…'],
    ['credentials in the URL', 'wss://user:p4ssw0rd@node.example:8546/ws closed', 'p4ssw0rd', 'wss://node.example:8546/…'],
    ['an API key', 'key hk_Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg unknown', 'hk_Zm9vYmFy', 'hk_…'],
    ['the admin key', 'admin hk_admin_Zm9vYmFyYmF6cXV4MTIzNDU2 refused', 'Zm9vYmFyYmF6', 'hk_…'],
    ['a webhook secret', 'secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw rejected', 'MfKQ9r8GKYqr', 'whsec_…'],
    ['a bearer credential', 'authorization: Bearer abc.def.ghi', 'abc.def.ghi', 'Bearer …'],
    ['a signature header', 'webhook-signature: v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= did not match', 'K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN', 'webhook-signature: …'],
    ['a 65-byte signature', `signed ${SIGNATURE}`, SIGNATURE.slice(2, 60), '0x…(132 hex)'],
  ])('%s', (_what, text, secret, kept) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain(kept);
  });

  it('keeps transaction hashes, addresses and plain words', () => {
    const text = `swap ${TX_HASH} from ${ADDRESS} reverted: Transaction too old`;
    expect(redactSecrets(text)).toBe(text);
  });

  it('safeErrorText: name and message, redacted, at most 500 characters', () => {
    const error = new TypeError(`fetch failed for https://rpc.example/v3/ABCDEF0123 ${'x'.repeat(1000)}`);
    const text = safeErrorText(error);
    expect(text.startsWith('TypeError: fetch failed for https://rpc.example/… ')).toBe(true);
    expect(text).not.toContain('ABCDEF0123');
    expect(text.length).toBeLessThanOrEqual(501);
    expect(safeErrorText('plain https://x.example/secret')).toBe('plain https://x.example/…');
  });
});
