import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEvent, decodeEventOf } from '../../../../shared/contracts/events/decode-event.ts';
import { encodeEvent } from '../../../../shared/contracts/events/encode-event.ts';
import { evaluationRequestsForTick } from '../../../../shared/contracts/events/evaluation-requests-for-tick.ts';
import { correlationIdOf, EVENT_TYPES, type EventPayload, type EventType } from '../../../../shared/contracts/events/event-definitions.ts';
import { EVENT_SOURCE, PUT_EVENTS_LIMITS, entrySizeBytes } from '../../../../shared/contracts/events/event-entry.ts';
import { EventTooLargeError, InvalidEventError, UnknownEventTypeError, UnsupportedEventVersionError } from '../../../../shared/contracts/events/event-errors.ts';
import { deriveEventId, hedgeIdOf } from '../../../../shared/contracts/events/event-id.ts';
import type { HedgeOrder } from '../../../../shared/domain/policy/policy-types.ts';

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString('hex')}`);
const accountId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
const occurredAt = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const text = fc.string({ minLength: 1, maxLength: 40 });
// JSON has no −0 (JSON.stringify(-0) is "0"), so the round trip is checked on the other doubles.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v));
const underlying = fc.constantFrom('ETH', 'BTC', 'SOL');
const eventId = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => `evt_${Buffer.from(b).toString('hex')}`);
const order: fc.Arbitrary<HedgeOrder> = fc.record({
  instrument: fc.oneof(fc.constant({ kind: 'perp' as const }), fc.constant({ kind: 'spot' as const }), text.map((id) => ({ kind: 'option' as const, id }))),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  quantity: fc.double({ min: 1e-9, max: 1e9, noNaN: true }),
  notionalUsd: fc.double({ min: 0, max: 1e12, noNaN: true }),
  sliceIndex: fc.nat(10),
  sliceCount: fc.integer({ min: 1, max: 11 }),
  notBeforeMs: fc.integer({ min: 0, max: 4e12 }),
});
const base = { accountId, occurredAt };

const payloads: { [T in EventType]: fc.Arbitrary<EventPayload<T>> } = {
  'Evaluation Requested': fc.record({ ...base, trigger: fc.constantFrom('schedule' as const, 'positions' as const, 'operator' as const), triggerId: text }),
  'Positions Changed': fc.record({ ...base, chainId: fc.integer({ min: 1, max: 1e6 }), txHash: hex(32), blockNumber: fc.nat(), underlyings: fc.array(underlying, { minLength: 1, maxLength: 3 }) }),
  'Exposure Computed': fc.record({
    ...base,
    evaluationId: eventId,
    underlying,
    spot: fc.double({ min: 1e-6, max: 1e7, noNaN: true }),
    risk: fc.record({ delta: finite, gamma: finite, vegaPerVolPoint: finite, optionNotionalUsd: fc.double({ min: 0, max: 1e12, noNaN: true }), yearsToExpiry: fc.double({ min: 0, max: 30, noNaN: true }) }),
  }),
  'Hedge Requested': fc.record({
    ...base,
    decisionId: text,
    dispatchGroup: fc.stringMatching(/^[A-Za-z0-9:_./=+@-]{1,128}$/),
    underlying,
    reason: fc.constantFrom('HEDGE_BAND' as const, 'HEDGE_CADENCE' as const, 'HEDGE_GREEK_LIMITS' as const),
    message: fc.string({ maxLength: 200 }),
    orders: fc.array(order, { minLength: 1, maxLength: 4 }),
  }),
  'Hedge Submitted': fc.record({ ...base, hedgeId: text, decisionId: text, decidedAt: base.occurredAt, chainId: fc.integer({ min: 1, max: 1e6 }), txHash: hex(32), signer: hex(20), nonce: fc.nat() }),
  'Hedge Confirmed': fc.record({
    ...base,
    hedgeId: text,
    decidedAt: base.occurredAt,
    chainId: fc.integer({ min: 1, max: 1e6 }),
    txHash: hex(32),
    blockNumber: fc.nat(),
    gasUsed: fc.nat(),
    // JSON has no negative zero: −0 would come back as 0.
    baseDelta: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
    quoteDelta: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
    priceUsd: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  }),
  'Hedge Failed': fc.record(
    { ...base, hedgeId: text, decidedAt: base.occurredAt, stage: fc.constantFrom('guard' as const, 'simulation' as const, 'receipt' as const), code: text, message: fc.string({ maxLength: 200 }), txHash: hex(32) },
    { requiredKeys: ['accountId', 'occurredAt', 'hedgeId', 'decidedAt', 'stage', 'code', 'message'] },
  ),
  'Risk Limit Breached': fc.record({
    ...base,
    decisionId: text,
    underlying,
    code: fc.constantFrom('GAMMA_LIMIT_BREACHED' as const, 'VEGA_LIMIT_BREACHED' as const),
    message: fc.string({ maxLength: 200 }),
    numbers: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'), finite, { maxKeys: 4 }),
  }),
  'Crash Mode Changed': fc.record({
    ...base,
    underlying,
    evaluationId: eventId,
    from: fc.constantFrom('normal' as const, 'crash' as const),
    to: fc.constantFrom('normal' as const, 'crash' as const),
    switchedAt: base.occurredAt,
    triggers: fc.subarray(['MOVE' as const, 'POOL_ORACLE_DEVIATION' as const, 'ORACLE_JUMP' as const]),
    plan: fc.constantFrom('hold' as const, 'risk-reducing' as const, 'slices' as const),
    reason: fc.string({ maxLength: 200 }),
    numbers: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== '__proto__'), finite, { maxKeys: 4 }),
  }),
};

const hedgeRequested: EventPayload<'Hedge Requested'> = {
  accountId: 'acct-1',
  occurredAt: '2026-01-01T00:00:00.000Z',
  decisionId: '9f86d081884c7d65',
  dispatchGroup: '1:local:hedger',
  underlying: 'ETH',
  reason: 'HEDGE_BAND',
  message: 'Delta 12.4 ETH is outside the ±5 ETH band: sell 12.4 ETH.',
  orders: [{ instrument: { kind: 'perp' }, side: 'sell', quantity: 12.4, notionalUsd: 37200, sliceIndex: 0, sliceCount: 1, notBeforeMs: 1767225600000 }],
};

/** A Lambda-delivered event around a detail. */
const delivered = (detailType: unknown, detail: unknown, source: unknown = EVENT_SOURCE) => ({ version: '0', id: 'x', source, 'detail-type': detailType, detail });

describe('event contract', () => {
  it('defines the nine events of the flow', () => {
    expect(EVENT_TYPES).toEqual([
      'Evaluation Requested',
      'Positions Changed',
      'Exposure Computed',
      'Hedge Requested',
      'Hedge Submitted',
      'Hedge Confirmed',
      'Hedge Failed',
      'Risk Limit Breached',
      'Crash Mode Changed',
    ]);
  });

  for (const type of EVENT_TYPES) {
    it(`round-trips ${type} through encodeEvent and decodeEvent (entry and Lambda shapes)`, () => {
      fc.assert(
        fc.property(payloads[type] as fc.Arbitrary<EventPayload<EventType>>, (payload) => {
          const entry = encodeEvent(type, payload as never, 'bus-1');
          expect(entry).toMatchObject({ Source: EVENT_SOURCE, DetailType: type, EventBusName: 'bus-1' });
          const fromEntry = decodeEvent(entry);
          expect(fromEntry.type).toBe(type);
          expect(fromEntry.detail).toEqual({ ...payload, version: 1, eventId: expect.stringMatching(/^evt_[0-9a-f]{32}$/) as unknown });
          expect(decodeEvent(delivered(type, JSON.parse(entry.Detail)))).toEqual(fromEntry);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('derives the event id from the natural key only: same fact, same id; other fact or account, other id', () => {
    const first = decodeEventOf('Hedge Requested', encodeEvent('Hedge Requested', hedgeRequested)).detail.eventId;
    const redo = decodeEventOf('Hedge Requested', encodeEvent('Hedge Requested', { ...hedgeRequested, occurredAt: '2026-01-01T00:00:05.000Z' })).detail.eventId;
    expect(redo).toBe(first);
    expect(first).toBe(deriveEventId('Hedge Requested', 'acct-1', '9f86d081884c7d65'));
    expect(decodeEventOf('Hedge Requested', encodeEvent('Hedge Requested', { ...hedgeRequested, decisionId: 'other' })).detail.eventId).not.toBe(first);
    expect(decodeEventOf('Hedge Requested', encodeEvent('Hedge Requested', { ...hedgeRequested, accountId: 'acct-2' })).detail.eventId).not.toBe(first);
    expect(deriveEventId('Hedge Failed', 'acct-1', hedgeIdOf('d', 0))).not.toBe(deriveEventId('Hedge Confirmed', 'acct-1', hedgeIdOf('d', 0)));
  });

  it('names a repeated schedule tick the same: the fan-out is idempotent', () => {
    const tick = Date.UTC(2026, 0, 1, 12);
    const ids = (entries: { Detail: string }[]) => entries.map((e) => (JSON.parse(e.Detail) as { eventId: string }).eventId);
    expect(ids(evaluationRequestsForTick(['a', 'b'], tick))).toEqual(ids(evaluationRequestsForTick(['a', 'b'], tick)));
    expect(ids(evaluationRequestsForTick(['a'], tick + 60_000))).not.toEqual(ids(evaluationRequestsForTick(['a'], tick)));
  });

  it('carries an optional correlation id: validated like the rest, never part of the event id, and events without it stay valid', () => {
    const without = encodeEvent('Hedge Requested', hedgeRequested);
    const withId = encodeEvent('Hedge Requested', { ...hedgeRequested, correlationId: 'JKJaXmPLvHcESHA=' });
    const a = decodeEventOf('Hedge Requested', without).detail;
    const b = decodeEventOf('Hedge Requested', withId).detail;
    expect(b.correlationId).toBe('JKJaXmPLvHcESHA=');
    expect(a.correlationId).toBeUndefined();
    expect('correlationId' in (JSON.parse(without.Detail) as object)).toBe(false); // an old consumer still accepts what we produce without one
    expect(b.eventId).toBe(a.eventId);
    expect(correlationIdOf(a)).toBe(a.eventId); // a consumer adopts the event id when the producer predates the field
    expect(correlationIdOf(b)).toBe('JKJaXmPLvHcESHA=');
    for (const id of ['', 'has space', 'x'.repeat(129), '<script>', 'https://rpc.example/v2/key']) {
      expect(() => encodeEvent('Hedge Requested', { ...hedgeRequested, correlationId: id }), id).toThrow(/correlationId/);
      expect(() => decodeEvent(delivered('Hedge Requested', { ...(JSON.parse(without.Detail) as object), correlationId: id })), id).toThrow(/correlationId/);
    }
    const ticks = evaluationRequestsForTick(['a'], Date.UTC(2026, 0, 1), undefined, '8f1c2b9e-0000-4000-8000-000000000001');
    expect(decodeEventOf('Evaluation Requested', ticks[0]!).detail.correlationId).toBe('8f1c2b9e-0000-4000-8000-000000000001');
  });

  it('rejects a version the consumer does not support, naming both', () => {
    const detail = { ...(JSON.parse(encodeEvent('Hedge Requested', hedgeRequested).Detail) as object), version: 2 };
    expect(() => decodeEvent(delivered('Hedge Requested', detail))).toThrowError(new UnsupportedEventVersionError('Hedge Requested', 2, 1));
    expect(() => decodeEvent(delivered('Hedge Requested', detail))).toThrow('Hedge Requested v2 is not supported by this consumer (supports v1)');
    expect(() => decodeEvent(delivered('Hedge Requested', { ...detail, version: undefined }))).toThrow('Hedge Requested with version missing is not supported by this consumer (supports v1)');
  });

  it('rejects an unknown type, a foreign source, bad JSON and an invalid detail with clear errors', () => {
    expect(() => decodeEvent(delivered('Hedge Exploded', {}))).toThrowError(UnknownEventTypeError);
    expect(() => decodeEvent(delivered('Hedge Exploded', {}))).toThrow(/^unknown event type "Hedge Exploded" \(known: Evaluation Requested, .*Risk Limit Breached, Crash Mode Changed\)$/);
    expect(() => decodeEvent(delivered('Hedge Requested', {}, 'aws.ec2'))).toThrow('not a hedge event: source must be "hedge.functions" (got "aws.ec2")');
    expect(() => decodeEvent({ Source: EVENT_SOURCE, DetailType: 'Hedge Requested', Detail: '{oops' })).toThrowError(InvalidEventError);
    const detail = JSON.parse(encodeEvent('Hedge Requested', hedgeRequested).Detail) as Record<string, unknown>;
    const orders = [{ ...hedgeRequested.orders[0], quantity: -1 }];
    expect(() => decodeEvent(delivered('Hedge Requested', { ...detail, orders, extra: 1 }))).toThrow(
      /^Hedge Requested v1 detail is invalid: .*orders\.0\.quantity: Too small.*/,
    );
    expect(() => decodeEvent(delivered('Hedge Requested', { ...detail, orders, extra: 1 }))).toThrow(/Unrecognized key: "extra"/);
    expect(() => decodeEventOf('Hedge Failed', delivered('Hedge Requested', detail))).toThrow('unexpected event type: expected "Hedge Failed", got "Hedge Requested"');
  });

  it('refuses to encode an invalid payload: a producer cannot emit a bad event', () => {
    expect(() => encodeEvent('Hedge Requested', { ...hedgeRequested, orders: [] })).toThrow(/^Hedge Requested v1 detail is invalid: orders: a Hedge Requested needs at least one order or a margin top-up/);
    // A margin top-up between trades may come without an order.
    expect(() => encodeEvent('Hedge Requested', { ...hedgeRequested, orders: [], marginTopUp: { venueId: 'perp', targetMarginRatio: 0.5 } })).not.toThrow();
    expect(() => encodeEvent('Hedge Requested', { ...hedgeRequested, orders: [], marginTopUp: { venueId: 'perp', targetMarginRatio: 0 } })).toThrow(/marginTopUp/);
    expect(() => encodeEvent('Hedge Requested', { ...hedgeRequested, accountId: 'a b' })).toThrow(/accountId: must be 1-128 letters/);
    expect(() => encodeEvent('Hedge Requested', { ...hedgeRequested, occurredAt: 'yesterday' })).toThrow(/occurredAt/);
  });

  it('rejects an entry over the PutEvents entry limit up front', () => {
    const message = 'x'.repeat(900);
    const numbers = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`n${i}`, i]));
    const payload = { accountId: 'a', occurredAt: '2026-01-01T00:00:00.000Z', decisionId: 'd', underlying: 'ETH', code: 'TRADE_CLIPPED' as const, message, numbers };
    expect(() => encodeEvent('Risk Limit Breached', payload)).toThrowError(EventTooLargeError);
    expect(() => encodeEvent('Risk Limit Breached', payload)).toThrow(/^Risk Limit Breached entry is \d+ bytes, over the 262144-byte PutEvents entry limit/);
  });

  it('sizes an entry the way EventBridge does (UTF-8 bytes; 14 for Time; bus name not counted)', () => {
    expect(entrySizeBytes({ Source: 'a', DetailType: 'bc', Detail: '{"k":"é"}' })).toBe(1 + 2 + 10);
    expect(entrySizeBytes({ Source: 'a', DetailType: 'b', Resources: ['cd', 'e'], Time: new Date(0) })).toBe(1 + 1 + 3 + 14);
    expect(PUT_EVENTS_LIMITS).toEqual({ maxEntriesPerRequest: 10, maxEntryBytes: 262144, maxRequestBytes: 262144 });
  });
});
