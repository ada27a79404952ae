// The three signature verifiers as pure functions: a published test vector, every
// rejection reason, rotation, and a property test (random input never verifies, never throws).
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifyAlchemySignature } from '../../../shared/adapters/webhook-providers/alchemy-signature.ts';
import { verifyQuickNodeSignature } from '../../../shared/adapters/webhook-providers/quicknode-signature.ts';
import { verifyStandardWebhookSignature } from '../../../shared/adapters/webhook-providers/standard-webhooks-signature.ts';
import { WEBHOOK_VERIFIERS } from '../../../shared/adapters/webhook-providers/webhook-verifiers.ts';
import { SECRETS, sign } from './webhook-fixtures.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const BODY = '{"hello":"world"}';

describe('Standard Webhooks', () => {
  it('verifies the specification\'s published example (msg_p5jXN8AQM9LWM0D4loKWxJek)', () => {
    const verdict = verifyStandardWebhookSignature({
      body: Buffer.from('{"test": 2432232314}'),
      headers: { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      now: new Date(1614265330 * 1000),
    });
    expect(verdict).toEqual({ ok: true, deliveryId: 'msg_p5jXN8AQM9LWM0D4loKWxJek', secretIndex: 0 });
  });

  it('ignores signature versions it does not know and needs one v1 entry', () => {
    const signed = sign('standard', BODY, SECRETS.standard[1], NOW_S, 'msg_1');
    const v1 = signed.headers['webhook-signature']?.split(' ').at(-1) ?? '';
    const verify = (signature: string) =>
      verifyStandardWebhookSignature({ body: Buffer.from(BODY), headers: { ...signed.headers, 'webhook-signature': signature }, secrets: SECRETS.standard, now: NOW });
    expect(verify(`v1a,abc ${v1}`)).toMatchObject({ ok: true, secretIndex: 1 });
    expect(verify('v2,whatever')).toMatchObject({ ok: false, reason: 'malformed-header' });
  });
});

describe('every verifier', () => {
  const cases = [
    { name: 'alchemy', verify: verifyAlchemySignature, secrets: SECRETS.alchemy, headersNeeded: ['x-alchemy-signature'] },
    { name: 'quicknode', verify: verifyQuickNodeSignature, secrets: SECRETS.quicknode, headersNeeded: ['x-qn-nonce', 'x-qn-timestamp', 'x-qn-signature'] },
    { name: 'standard', verify: verifyStandardWebhookSignature, secrets: SECRETS.standard, headersNeeded: ['webhook-id', 'webhook-timestamp', 'webhook-signature'] },
  ] as const;

  it.each(cases)('$name: accepts either active secret, rejects a missing header, a garbled one, and no secret', ({ name, verify, secrets, headersNeeded }) => {
    for (const [index, secret] of secrets.entries()) {
      const signed = sign(name, BODY, secret, NOW_S);
      expect(verify({ body: Buffer.from(BODY), headers: signed.headers, secrets, now: NOW })).toMatchObject({ ok: true, secretIndex: index });
    }
    const signed = sign(name, BODY, secrets[0], NOW_S);
    for (const missing of headersNeeded) {
      const headers = { ...signed.headers, [missing]: '' };
      expect(verify({ body: Buffer.from(BODY), headers, secrets, now: NOW })).toMatchObject({ ok: false, reason: 'missing-header' });
    }
    const signatureHeader = headersNeeded.at(-1) ?? '';
    expect(verify({ body: Buffer.from(BODY), headers: { ...signed.headers, [signatureHeader]: 'zz-not-a-digest' }, secrets, now: NOW })).toMatchObject({ ok: false, reason: 'malformed-header' });
    expect(verify({ body: Buffer.from(BODY), headers: signed.headers, secrets: [], now: NOW })).toMatchObject({ ok: false, reason: 'no-secret' });
    expect(verify({ body: Buffer.from(BODY), headers: signed.headers, secrets: [''], now: NOW })).toMatchObject({ ok: false, reason: 'no-secret' });
  });

  it('QuickNode: a base64 digest of the same HMAC is accepted; a non-integer timestamp is malformed', () => {
    const nonce = 'n-1';
    const mac = createHmac('sha256', SECRETS.quicknode[0]).update(`${nonce}${NOW_S}${BODY}`).digest();
    const headers = { 'x-qn-nonce': nonce, 'x-qn-timestamp': String(NOW_S), 'x-qn-signature': mac.toString('base64') };
    expect(verifyQuickNodeSignature({ body: Buffer.from(BODY), headers, secrets: SECRETS.quicknode, now: NOW })).toMatchObject({ ok: true, deliveryId: nonce });
    expect(verifyQuickNodeSignature({ body: Buffer.from(BODY), headers: { ...headers, 'x-qn-timestamp': '1e9' }, secrets: SECRETS.quicknode, now: NOW })).toMatchObject({
      ok: false,
      reason: 'malformed-header',
    });
  });

  it('Alchemy: an upper-case hex digest is the same digest', () => {
    const signed = sign('alchemy', BODY, SECRETS.alchemy[0], NOW_S);
    const headers = { 'x-alchemy-signature': signed.headers['x-alchemy-signature']?.toUpperCase() };
    expect(verifyAlchemySignature({ body: Buffer.from(BODY), headers, secrets: SECRETS.alchemy, now: NOW })).toMatchObject({ ok: true });
  });

  it('property: random bodies and headers never verify and never throw (200 runs per provider)', () => {
    const headerNames = ['x-alchemy-signature', 'x-qn-nonce', 'x-qn-timestamp', 'x-qn-signature', 'webhook-id', 'webhook-timestamp', 'webhook-signature'];
    fc.assert(
      fc.property(
        fc.constantFrom('alchemy', 'quicknode', 'standard' as const),
        fc.uint8Array({ maxLength: 512 }),
        fc.dictionary(fc.constantFrom(...headerNames), fc.oneof(fc.string({ maxLength: 100 }), fc.constant(String(NOW_S)))),
        (provider, body, headers) => {
          const verdict = WEBHOOK_VERIFIERS[provider]({ body: Buffer.from(body), headers, secrets: SECRETS[provider], now: NOW });
          expect(verdict.ok).toBe(false);
        },
      ),
      { numRuns: 600 },
    );
  });
});
