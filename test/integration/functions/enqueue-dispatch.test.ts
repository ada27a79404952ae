/**
 * enqueue-dispatch: the bridge from the Hedge Requested rule to the dispatcher's FIFO
 * queue. The SQS client is a test double that records the commands it is given: SQS has
 * no local stand-in in this repository, and what matters here is the request we build
 * (body, group, deduplication id), which the recorded command shows exactly. The body is
 * then fed to the real dispatcher's decoder, so the two ends are proven to agree.
 */
import { randomUUID } from 'node:crypto';
import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { decodeEventBody } from '../../../shared/contracts/events/decode-event-body.ts';
import { loadEnqueueDispatchEnv } from '../../../functions/enqueue-dispatch/configuration.ts';
import { createEnqueueDispatchHandler, type SendMessageClient } from '../../../functions/enqueue-dispatch/create-enqueue-dispatch-handler.ts';
import { encodeEvent } from '../../../shared/contracts/events/encode-event.ts';
import type { EventEntry } from '../../../shared/contracts/events/event-entry.ts';
import { InvalidEventError, UnknownEventTypeError } from '../../../shared/contracts/events/event-errors.ts';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/hedge-dispatch.fifo';
const context = (): Context => ({ awsRequestId: randomUUID(), functionName: 'enqueue-dispatch' }) as Context;

/** Records every command; answers like SQS does (a message id), or fails when told to. */
function recordingSqs(failWith?: Error): SendMessageClient & { readonly sent: SendMessageCommand[] } {
  const sent: SendMessageCommand[] = [];
  return {
    sent,
    send: (command) => {
      sent.push(command);
      return failWith === undefined ? Promise.resolve({ MessageId: `m-${sent.length}` }) : Promise.reject(failWith);
    },
  };
}

/** The envelope EventBridge hands a Lambda target, built from a PutEvents entry. */
function delivered(entry: EventEntry): EventBridgeEvent<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '123456789012',
    time: '2026-01-01T12:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: JSON.parse(entry.Detail) as unknown,
  };
}

function hedgeRequested(accountId: string, dispatchGroup: string): EventEntry {
  return encodeEvent('Hedge Requested', {
    accountId,
    occurredAt: '2026-01-01T12:00:00.000Z',
    decisionId: `dec-${accountId}`,
    dispatchGroup,
    underlying: 'ETH',
    reason: 'HEDGE_BAND',
    message: 'delta outside the band',
    orders: [{ instrument: { kind: 'spot' }, side: 'sell', quantity: 1.5, notionalUsd: 4500, sliceIndex: 0, sliceCount: 1, notBeforeMs: 0 }],
  });
}

describe('enqueue-dispatch', () => {
  it('sends the whole event to the FIFO queue, grouped by signer and deduplicated by event id', async () => {
    const sqs = recordingSqs();
    const handler = createEnqueueDispatchHandler({ sqs, queueUrl: QUEUE_URL });
    const event = delivered(hedgeRequested('acc-1', '1:kms:signer-a'));

    const outcome = await handler(event, context());

    expect(sqs.sent).toHaveLength(1);
    const input = sqs.sent[0]!.input;
    const detail = event.detail as { eventId: string };
    expect(input).toEqual({ QueueUrl: QUEUE_URL, MessageBody: JSON.stringify(event), MessageGroupId: '1:kms:signer-a', MessageDeduplicationId: detail.eventId });
    expect(outcome).toEqual({ eventId: detail.eventId, dispatchGroup: '1:kms:signer-a', messageId: 'm-1' });
  });

  it('produces a body the dispatcher decodes to the same hedge request', async () => {
    const sqs = recordingSqs();
    const event = delivered(hedgeRequested('acc-2', '1:kms:signer-b'));
    await createEnqueueDispatchHandler({ sqs, queueUrl: QUEUE_URL })(event, context());

    expect(decodeEventBody('Hedge Requested', sqs.sent[0]!.input.MessageBody!).detail).toEqual(event.detail);
  });

  it('gives two signers two message groups, and the same event the same deduplication id', async () => {
    const sqs = recordingSqs();
    const handler = createEnqueueDispatchHandler({ sqs, queueUrl: QUEUE_URL });
    const a = delivered(hedgeRequested('acc-3', '1:kms:signer-a'));
    const b = delivered(hedgeRequested('acc-4', '1:kms:signer-b'));

    await handler(a, context());
    await handler(b, context());
    await handler({ ...a, id: randomUUID() }, context()); // a redelivery of the same fact

    const [first, second, again] = sqs.sent.map((command) => command.input);
    expect(first!.MessageGroupId).not.toBe(second!.MessageGroupId);
    expect(again!.MessageDeduplicationId).toBe(first!.MessageDeduplicationId);
  });

  it('rejects anything but a valid Hedge Requested before sending (the invocation fails: retries, then the DLQ)', async () => {
    const sqs = recordingSqs();
    const handler = createEnqueueDispatchHandler({ sqs, queueUrl: QUEUE_URL });
    const valid = delivered(hedgeRequested('acc-5', '1:kms:signer-a'));
    const submitted = { ...valid, 'detail-type': 'Hedge Submitted' };
    const unknownType = { ...valid, 'detail-type': 'Hedge Teleported' };
    const badGroup = { ...valid, detail: { ...(valid.detail as object), dispatchGroup: 'spaces are not allowed' } };
    const foreignSource = { ...valid, source: 'someone.else' };

    await expect(handler(submitted, context())).rejects.toThrow(InvalidEventError);
    await expect(handler(unknownType, context())).rejects.toThrow(UnknownEventTypeError);
    await expect(handler(badGroup, context())).rejects.toThrow(/dispatchGroup/);
    await expect(handler(foreignSource, context())).rejects.toThrow(InvalidEventError);
    expect(sqs.sent).toEqual([]);
  });

  it('fails the invocation when SQS refuses the message', async () => {
    const handler = createEnqueueDispatchHandler({ sqs: recordingSqs(new Error('SQS is unavailable')), queueUrl: QUEUE_URL });
    await expect(handler(delivered(hedgeRequested('acc-6', '1:kms:signer-a')), context())).rejects.toThrow('SQS is unavailable');
  });

  it('reads its environment once, validated: the queue must be FIFO', () => {
    expect(loadEnqueueDispatchEnv({ AWS_REGION: 'eu-west-1', DISPATCH_QUEUE_URL: QUEUE_URL })).toEqual({ AWS_REGION: 'eu-west-1', DISPATCH_QUEUE_URL: QUEUE_URL });
    expect(() => loadEnqueueDispatchEnv({ AWS_REGION: 'eu-west-1', DISPATCH_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/standard' })).toThrow(/DISPATCH_QUEUE_URL: must be the URL of a FIFO queue/);
    expect(() => loadEnqueueDispatchEnv({ DISPATCH_QUEUE_URL: QUEUE_URL })).toThrow(/AWS_REGION/);
  });
});
