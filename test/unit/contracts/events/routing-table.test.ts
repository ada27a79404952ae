import { describe, expect, it } from 'vitest';
import { encodeEvent } from '../../../../shared/contracts/events/encode-event.ts';
import { EVENT_TYPES } from '../../../../shared/contracts/events/event-definitions.ts';
import { EVENT_SOURCE } from '../../../../shared/contracts/events/event-entry.ts';
import { matchesPattern, validatePattern, type EventPattern } from '../../../../shared/contracts/events/event-pattern.ts';
import { CONSUMERS, ROUTING_TABLE } from '../../../../shared/contracts/routing-table.ts';

// After the EC2 state-change example of the EventBridge User Guide ("Amazon EventBridge events", "Event patterns").
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated', 'c-count': 5, nothing: null, empty: '' },
};

describe('event pattern matcher (EventBridge subset)', () => {
  it('matches on exact values, OR within a field, AND across fields, nested detail', () => {
    expect(matchesPattern({ source: ['aws.ec2'] }, ec2Event)).toBe(true);
    expect(matchesPattern({ source: ['aws.ec2'], detail: { state: ['running', 'terminated'] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ source: ['aws.ec2'], detail: { state: ['running'] } }, ec2Event)).toBe(false);
    expect(matchesPattern({ source: ['aws.s3'], detail: { state: ['terminated'] } }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { 'instance-id': ['i-1234567890abcdef0'], state: ['terminated'] } }, ec2Event)).toBe(true);
  });

  it('matches an array value when any element matches (resources)', () => {
    expect(matchesPattern({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] }, ec2Event)).toBe(true);
    expect(matchesPattern({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-other'] }, ec2Event)).toBe(false);
  });

  it('keeps types apart: null is not missing, "" is not null, 5 is not "5"', () => {
    expect(matchesPattern({ detail: { nothing: [null] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { missing: [null] } }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { empty: [''] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { empty: [null] } }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { 'c-count': [5] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': ['5'] } }, ec2Event)).toBe(false);
  });

  it('supports prefix and exists', () => {
    expect(matchesPattern({ 'detail-type': [{ prefix: 'EC2 Instance' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': [{ exists: true }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { 'd-count': [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { 'c-count': [{ exists: false }] } }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { state: ['x'] } }, { detail: 'not an object' })).toBe(false);
  });

  it('rejects syntax outside the subset instead of mis-routing', () => {
    expect(() => validatePattern({ detail: { n: [{ numeric: ['>', 0] }] } } as unknown as EventPattern)).toThrow(
      'event pattern at detail.n: unsupported value {"numeric":[">",0]} (supported: exact values, {"prefix"}, {"exists"})',
    );
    expect(() => validatePattern({ source: [] })).toThrow('event pattern at source: an empty array matches nothing');
    expect(() => validatePattern({ source: 'hedge' } as unknown as EventPattern)).toThrow(/must be an array or an object/);
  });
});

describe('routing table', () => {
  const entry = (type: (typeof EVENT_TYPES)[number]) => ({ source: EVENT_SOURCE, 'detail-type': type, detail: {} });
  const consumersOf = (type: (typeof EVENT_TYPES)[number]) => ROUTING_TABLE.filter((r) => matchesPattern(r.pattern, entry(type))).map((r) => r.consumer);

  it('has valid patterns, unique names, only known consumers and event types', () => {
    for (const route of ROUTING_TABLE) validatePattern(route.pattern);
    expect(new Set(ROUTING_TABLE.map((r) => r.name)).size).toBe(ROUTING_TABLE.length);
    for (const route of ROUTING_TABLE) {
      expect(CONSUMERS).toContain(route.consumer);
      for (const type of route.pattern['detail-type']) expect(EVENT_TYPES).toContain(type);
    }
  });

  it('sends each event of the flow to its consumer', () => {
    expect(Object.fromEntries(EVENT_TYPES.map((t) => [t, consumersOf(t)]))).toEqual({
      'Evaluation Requested': ['evaluate'],
      'Positions Changed': ['evaluate'],
      'Exposure Computed': [],
      'Hedge Requested': ['dispatch'],
      'Hedge Submitted': ['confirm'],
      'Hedge Confirmed': [],
      'Hedge Failed': ['alerting'],
      'Risk Limit Breached': ['alerting'],
      'Crash Mode Changed': ['alerting'],
    });
  });

  it('ignores the same detail-type from another source', () => {
    expect(ROUTING_TABLE.some((r) => matchesPattern(r.pattern, { ...entry('Hedge Requested'), source: 'someone.else' }))).toBe(false);
    const real = encodeEvent('Evaluation Requested', { accountId: 'a', occurredAt: '2026-01-01T00:00:00.000Z', trigger: 'operator', triggerId: 'req-1' });
    expect(ROUTING_TABLE.filter((r) => matchesPattern(r.pattern, { source: real.Source, 'detail-type': real.DetailType, detail: JSON.parse(real.Detail) as unknown })).map((r) => r.name)).toEqual([
      'evaluate-on-evaluation-requested',
    ]);
  });
});
