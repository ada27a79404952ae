/**
 * The EventBridge publisher against a stand-in PutEvents client. There is no local
 * EventBridge emulator (neither AWS nor LocalStack's free tier gives one we can run
 * here), so the stand-in implements the documented PutEvents semantics instead:
 * at most 10 entries and 256 KiB per call (a ValidationException otherwise), one result
 * per request entry in request order, a success carrying EventId, a failure carrying
 * ErrorCode/ErrorMessage, FailedEntryCount = the number of failures. It counts how many
 * times each event (by detail.eventId) was accepted, so "never duplicated" is checked
 * where it matters: on the bus side.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { EventPublishError, createEventBridgePublisher, type PutEventsClient } from '../../../../shared/adapters/eventbridge/eventbridge-publisher.ts';
import { encodeEvent } from '../../../../shared/contracts/events/encode-event.ts';
import { entrySizeBytes, type EventEntry } from '../../../../shared/contracts/events/event-entry.ts';
import { EventTooLargeError } from '../../../../shared/contracts/events/event-errors.ts';

type Verdict = { errorCode: string; errorMessage?: string } | undefined;

class StandInEventBridge implements PutEventsClient {
  readonly calls: EventEntry[][] = [];
  readonly accepted = new Map<string, number>();
  private readonly attemptsPerEvent = new Map<string, number>();

  /** `verdict(eventId, attempt)` says how the attempt-th call carrying that event ends (undefined: accepted). */
  constructor(private readonly verdict: (eventId: string, attempt: number) => Verdict = () => undefined) {}

  send(command: PutEventsCommand) {
    const entries = (command.input.Entries ?? []) as EventEntry[];
    if (entries.length < 1 || entries.length > 10) return Promise.reject(Object.assign(new Error('Entries: 1 to 10 members'), { name: 'ValidationException' }));
    if (entries.reduce((sum, e) => sum + entrySizeBytes(e), 0) > 256 * 1024) return Promise.reject(Object.assign(new Error('request too large'), { name: 'ValidationException' }));
    this.calls.push(entries);
    const results = entries.map((entry) => {
      const id = (JSON.parse(entry.Detail) as { eventId: string }).eventId;
      const attempt = (this.attemptsPerEvent.get(id) ?? 0) + 1;
      this.attemptsPerEvent.set(id, attempt);
      const verdict = this.verdict(id, attempt);
      if (verdict) return { ErrorCode: verdict.errorCode, ErrorMessage: verdict.errorMessage ?? verdict.errorCode };
      this.accepted.set(id, (this.accepted.get(id) ?? 0) + 1);
      return { EventId: `eb-${id}` };
    });
    return Promise.resolve({ FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
  }
}

const events = (n: number, extra = ''): EventEntry[] =>
  Array.from({ length: n }, (_, i) =>
    encodeEvent('Evaluation Requested', { accountId: `acct-${i}`, occurredAt: '2026-01-01T00:00:00.000Z', trigger: 'operator', triggerId: `req-${i}${extra}` }),
  );
const idOf = (entry: EventEntry) => (JSON.parse(entry.Detail) as { eventId: string }).eventId;
const noWait = { sleep: () => Promise.resolve(), random: () => 0.5 };

describe('EventBridge publisher', () => {
  it('addresses every entry to the configured bus', async () => {
    const bus = new StandInEventBridge();
    const entries = events(3);
    await createEventBridgePublisher(bus, { ...noWait, eventBusName: 'hedge-events-prod' }).publish(entries);
    expect(bus.calls.flat().map((e) => e.EventBusName)).toEqual(['hedge-events-prod', 'hedge-events-prod', 'hedge-events-prod']);
    expect(bus.calls.flat().map((e) => e.Detail)).toEqual(entries.map((e) => e.Detail));
  });

  it('sends 25 entries in 3 calls of at most 10, in order, each once', async () => {
    const bus = new StandInEventBridge();
    const entries = events(25);
    await createEventBridgePublisher(bus, noWait).publish(entries);
    expect(bus.calls.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(bus.calls.flat()).toEqual(entries);
    expect([...bus.accepted.values()]).toEqual(Array(25).fill(1));
  });

  it('also splits on the request byte budget', async () => {
    const bus = new StandInEventBridge();
    const big = events(4).map((e) => ({ ...e, Detail: JSON.stringify({ ...(JSON.parse(e.Detail) as object), pad: 'x'.repeat(100_000) }) }));
    await createEventBridgePublisher(bus, noWait).publish(big);
    expect(bus.calls.map((c) => c.length)).toEqual([2, 2]);
  });

  it('retries only the failed entries of a partial failure, with exponential backoff, never duplicating a success', async () => {
    const entries = events(25);
    const flaky = new Set([idOf(entries[1]!), idOf(entries[12]!), idOf(entries[24]!)]);
    // entries 1, 12, 24 are throttled twice, then accepted
    const bus = new StandInEventBridge((id, attempt) => (flaky.has(id) && attempt <= 2 ? { errorCode: 'ThrottlingException' } : undefined));
    const delays: number[] = [];
    await createEventBridgePublisher(bus, { sleep: (ms) => (delays.push(ms), Promise.resolve()), random: () => 0.999, baseDelayMs: 100 }).publish(entries);
    expect(bus.calls.map((c) => c.length)).toEqual([10, 10, 5, 3, 3]);
    expect(bus.calls.slice(3).map((c) => c.map(idOf))).toEqual([[...flaky], [...flaky]]);
    expect(bus.accepted.size).toBe(25);
    expect([...bus.accepted.values()].every((n) => n === 1)).toBe(true);
    expect(delays).toEqual([99, 199]); // full jitter under 100·2^(retry−1)
  });

  it('gives up after maxAttempts and reports what failed, having published the rest once', async () => {
    const entries = events(12);
    const doomed = idOf(entries[3]!);
    const bus = new StandInEventBridge((id) => (id === doomed ? { errorCode: 'InternalFailure', errorMessage: 'boom' } : undefined));
    const error = await createEventBridgePublisher(bus, { ...noWait, maxAttempts: 3 })
      .publish(entries)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventPublishError);
    const failure = error as EventPublishError;
    expect(failure.message).toBe('PutEvents: 1 failed (InternalFailure); 11 published');
    expect(failure.failed).toEqual([{ entry: entries[3], errorCode: 'InternalFailure', errorMessage: 'boom', attempts: 3 }]);
    expect(bus.calls.map((c) => c.length)).toEqual([10, 2, 1, 1]);
    expect([...bus.accepted.values()].every((n) => n === 1)).toBe(true);
    expect(bus.accepted.has(doomed)).toBe(false);
  });

  it('does not retry a non-retryable error code', async () => {
    const entries = events(3);
    const bad = idOf(entries[0]!);
    const bus = new StandInEventBridge((id) => (id === bad ? { errorCode: 'MalformedDetail' } : undefined));
    const error = (await createEventBridgePublisher(bus, noWait).publish(entries).catch((e: unknown) => e)) as EventPublishError;
    expect(error.failed.map((f) => [f.errorCode, f.attempts])).toEqual([['MalformedDetail', 1]]);
    expect(bus.calls).toHaveLength(1);
  });

  it('rejects an oversized entry before sending anything', async () => {
    const bus = new StandInEventBridge();
    const [first, second] = events(2);
    const huge = { ...second!, Detail: JSON.stringify({ pad: 'é'.repeat(140_000) }) };
    await expect(createEventBridgePublisher(bus, noWait).publish([first!, huge])).rejects.toThrowError(EventTooLargeError);
    await expect(createEventBridgePublisher(bus, noWait).publish([first!, huge])).rejects.toThrow(/^Evaluation Requested entry is 280\d{3} bytes, over the 262144-byte PutEvents entry limit/);
    expect(bus.calls).toHaveLength(0);
  });

  it('on a call that throws, names the entries whose outcome is unknown and sends nothing more', async () => {
    const entries = events(15);
    let calls = 0;
    const client: PutEventsClient = {
      send: (command) => {
        calls++;
        if (calls === 2) return Promise.reject(new Error('socket hang up'));
        return Promise.resolve({ FailedEntryCount: 0, Entries: (command.input.Entries ?? []).map(() => ({ EventId: 'x' })) });
      },
    };
    const error = (await createEventBridgePublisher(client, noWait).publish(entries).catch((e: unknown) => e)) as EventPublishError;
    expect(error.message).toBe('PutEvents: 5 not confirmed; 10 published');
    expect(error.unsent).toEqual(entries.slice(10));
    expect((error.cause as Error).message).toBe('socket hang up');
    expect(calls).toBe(2);
  });

  it('accepts a real EventBridgeClient-shaped command (the entries it sends are the SDK type)', () => {
    const command = new PutEventsCommand({ Entries: events(1) });
    expect(command.input.Entries?.[0]?.EventBusName).toBe('hedge-events');
  });
});
