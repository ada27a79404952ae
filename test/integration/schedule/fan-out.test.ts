/**
 * The scheduled fan-out against DynamoDB Local: every active account (read from the
 * sparse index, several pages) gets exactly one Evaluation Requested per tick, paused
 * accounts none; the ids depend on the tick's minute only; failures surface; the Lambda
 * handler refuses a malformed scheduled event before publishing anything.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIngestScheduleHandler, InvalidScheduledEventError } from '../../../functions/ingest-schedule/create-ingest-schedule-handler.ts';
import { createAccountRepository, type AccountRepository } from '../../../shared/adapters/dynamodb/account-repository.ts';
import { fanOutTick, type ActiveAccountSource } from '../../../shared/app/schedule-fan-out/fan-out.ts';
import { decodeEventOf } from '../../../shared/contracts/events/decode-event.ts';
import type { EventEntry } from '../../../shared/contracts/events/event-entry.ts';
import type { EventPublisher } from '../../../shared/contracts/events/event-publisher.ts';
import { useDynamoDbLocal } from '../../support/dynamodb-local.ts';

const ddb = useDynamoDbLocal();

const ACTIVE = Array.from({ length: 23 }, (_, i) => `acct-${String(i).padStart(3, '0')}`);
const PAUSED = ['acct-p1', 'acct-p2', 'acct-p3'];
const PAGE_SIZE = 5;
const NOON = Date.parse('2026-03-02T12:00:00Z');
const LAMBDA_CONTEXT = { awsRequestId: 'test', functionName: 'ingest-schedule' } as Context;

class RecordingPublisher implements EventPublisher {
  readonly calls: EventEntry[][] = [];
  failOnCall: number | undefined;
  publish(entries: readonly EventEntry[]): Promise<void> {
    if (this.calls.length + 1 === this.failOnCall) return Promise.reject(new Error('bus unavailable'));
    this.calls.push([...entries]);
    return Promise.resolve();
  }
  get entries(): EventEntry[] {
    return this.calls.flat();
  }
}

const decoded = (publisher: RecordingPublisher) => publisher.entries.map((entry) => decodeEventOf('Evaluation Requested', entry).detail);
const eventIds = (publisher: RecordingPublisher) => decoded(publisher).map((detail) => detail.eventId);

function scheduledEvent(time: unknown): ScheduledEvent {
  return { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '123456789012', time, region: 'eu-west-1', resources: [], detail: {} } as ScheduledEvent;
}

let accounts: AccountRepository;

beforeAll(async () => {
  const { doc, tableName } = ddb();
  accounts = createAccountRepository({ doc, tableName });
  for (const accountId of [...ACTIVE, ...PAUSED]) await accounts.createAccount({ accountId, displayName: accountId }, 'test:seed');
  for (const accountId of PAUSED) await accounts.pauseAccount(accountId, { by: 'account', reason: 'seed' }, 'test:seed');
});

describe('fanOutTick', () => {
  it('publishes exactly one Evaluation Requested per active account, across several pages, none for paused ones', async () => {
    const publisher = new RecordingPublisher();
    const result = await fanOutTick({ accounts, publisher, pageSize: PAGE_SIZE }, NOON);
    expect(result.accounts).toBe(ACTIVE.length);
    expect(result.published).toBe(ACTIVE.length);
    expect(result.pages).toBeGreaterThanOrEqual(Math.ceil(ACTIVE.length / PAGE_SIZE));
    expect(publisher.calls.length).toBeGreaterThan(1);
    for (const call of publisher.calls) expect(call.length).toBeLessThanOrEqual(PAGE_SIZE);
    const details = decoded(publisher);
    expect(details.map((d) => d.accountId).sort()).toEqual(ACTIVE);
    expect(new Set(details.map((d) => d.eventId)).size).toBe(ACTIVE.length);
    for (const detail of details) expect(detail).toMatchObject({ trigger: 'schedule', triggerId: '2026-03-02T12:00:00.000Z', occurredAt: '2026-03-02T12:00:00.000Z' });
  });

  it('a repeated tick publishes the same event ids', async () => {
    const first = new RecordingPublisher();
    const second = new RecordingPublisher();
    await fanOutTick({ accounts, publisher: first, pageSize: PAGE_SIZE }, NOON);
    await fanOutTick({ accounts, publisher: second, pageSize: 7 }, NOON);
    expect(eventIds(second)).toEqual(eventIds(first));
  });

  it('invocations late in the same minute name the same tick; the next minute is a new tick', async () => {
    const [early, late, next] = [new RecordingPublisher(), new RecordingPublisher(), new RecordingPublisher()];
    await fanOutTick({ accounts, publisher: early, pageSize: PAGE_SIZE }, Date.parse('2026-03-02T12:00:07Z'));
    await fanOutTick({ accounts, publisher: late, pageSize: PAGE_SIZE }, Date.parse('2026-03-02T12:00:41.999Z'));
    await fanOutTick({ accounts, publisher: next, pageSize: PAGE_SIZE }, Date.parse('2026-03-02T12:01:00Z'));
    expect(eventIds(late)).toEqual(eventIds(early));
    expect(decoded(early)[0]?.triggerId).toBe('2026-03-02T12:00:00.000Z');
    const nextIds = new Set(eventIds(next));
    expect(eventIds(early).some((id) => nextIds.has(id))).toBe(false);
  });

  it('a publish failure rejects the tick', async () => {
    const publisher = new RecordingPublisher();
    publisher.failOnCall = 2;
    await expect(fanOutTick({ accounts, publisher, pageSize: PAGE_SIZE }, NOON)).rejects.toThrow('bus unavailable');
  });

  it('a page read failure rejects the tick', async () => {
    let reads = 0;
    const failingSecondPage: ActiveAccountSource = {
      listActiveAccounts: (options) => (++reads === 2 ? Promise.reject(new Error('store unavailable')) : accounts.listActiveAccounts(options)),
    };
    await expect(fanOutTick({ accounts: failingSecondPage, publisher: new RecordingPublisher(), pageSize: PAGE_SIZE }, NOON)).rejects.toThrow('store unavailable');
  });

  it('reads page k+1 while page k is published, and never further ahead', async () => {
    const log: string[] = [];
    let reads = 0;
    const source: ActiveAccountSource = {
      listActiveAccounts: async (options) => {
        const n = ++reads;
        log.push(`read ${n}`);
        return accounts.listActiveAccounts(options);
      },
    };
    let published = 0;
    const slowPublisher: EventPublisher = {
      publish: async () => {
        const n = ++published;
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push(`published ${n}`);
      },
    };
    await fanOutTick({ accounts: source, publisher: slowPublisher, pageSize: PAGE_SIZE }, NOON);
    // Page 2 is requested before page 1's publish completes; page 3 only after it.
    expect(log.indexOf('read 2')).toBeLessThan(log.indexOf('published 1'));
    expect(log.indexOf('read 3')).toBeGreaterThan(log.indexOf('published 1'));
  });
});

describe('ingest-schedule handler', () => {
  it('fans out the tick of a scheduled event and reports it', async () => {
    const publisher = new RecordingPublisher();
    const handler = createIngestScheduleHandler({ deps: { accounts, publisher, pageSize: PAGE_SIZE } });
    const outcome = await handler(scheduledEvent('2026-03-02T12:00:03Z'), LAMBDA_CONTEXT);
    expect(outcome).toMatchObject({ tickAt: '2026-03-02T12:00:00.000Z', accounts: ACTIVE.length, published: ACTIVE.length });
    const direct = new RecordingPublisher();
    await fanOutTick({ accounts, publisher: direct, pageSize: PAGE_SIZE }, NOON);
    expect(eventIds(publisher)).toEqual(eventIds(direct));
  });

  it.each([
    ['no time', undefined],
    ['a time that is not ISO', 'yesterday at noon'],
    ['a time that is a number', NOON],
  ])('rejects a scheduled event with %s and publishes nothing', async (_, time) => {
    const publisher = new RecordingPublisher();
    const handler = createIngestScheduleHandler({ deps: { accounts, publisher } });
    const error: unknown = await handler(scheduledEvent(time), LAMBDA_CONTEXT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidScheduledEventError);
    expect((error as InvalidScheduledEventError).message).toMatch(/^not a scheduled event: time: /);
    expect(publisher.calls).toEqual([]);
  });
});
