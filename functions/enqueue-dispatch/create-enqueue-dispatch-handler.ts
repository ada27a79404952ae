/**
 * The bridge from the bus to the dispatcher's FIFO queue: an EventBridge rule on Hedge
 * Requested invokes this function (asynchronously), which sends the event to the queue.
 * It exists because an EventBridge SQS target can only set a fixed MessageGroupId, and
 * dispatch must be serialised per signer: the group is the event's own `dispatchGroup`.
 *
 * - The message body is the whole EventBridge event as JSON, exactly what an SQS target
 *   would have delivered, so the dispatcher decodes it the same way either way.
 * - MessageGroupId = detail.dispatchGroup (one lane per chain and signer);
 *   MessageDeduplicationId = detail.eventId (deterministic per decision), so a retried
 *   invocation within SQS's 5-minute window does not enqueue the hedge twice (and the
 *   dispatcher's journal makes a later duplicate harmless anyway).
 * - An event that is not a valid Hedge Requested throws before anything is sent: the
 *   invocation fails, Lambda retries it and then hands it to the function's DLQ, where
 *   it is visible instead of silently dropped.
 * - A failed send throws too (same path: retry, then DLQ).
 * - The event goes on unchanged (its correlation id with it); the lines of the invocation
 *   carry it, the account, the event and decision ids.
 */
import middy from '@middy/core';
import { SendMessageCommand, type SendMessageCommandOutput } from '@aws-sdk/client-sqs';
import type { EventBridgeEvent } from 'aws-lambda';
import { decodeEventOf } from '../../shared/contracts/events/decode-event.ts';
import { correlationIdOf } from '../../shared/contracts/events/event-definitions.ts';
import { telemetryOf, withObservability, type HandlerObservability } from '../../shared/runtime/handler-observability.ts';

/** The slice of the SQS client we use (an SQSClient satisfies it). */
export interface SendMessageClient {
  send(command: SendMessageCommand): Promise<Pick<SendMessageCommandOutput, 'MessageId'>>;
}

export interface EnqueueDispatchHandlerOptions {
  readonly sqs: SendMessageClient;
  readonly queueUrl: string;
  readonly onOutcome?: (outcome: EnqueueDispatchOutcome) => void;
  /** Powertools at the Lambda entry (logs, metrics, traces); none: nothing is logged. */
  readonly observability?: HandlerObservability;
}

export interface EnqueueDispatchOutcome {
  readonly eventId: string;
  readonly dispatchGroup: string;
  readonly messageId: string | undefined;
}

export type EnqueueDispatchHandler = middy.MiddyfiedHandler<EventBridgeEvent<string, unknown>, EnqueueDispatchOutcome>;

/** @example export const handler = createEnqueueDispatchHandler({ sqs: new SQSClient({}), queueUrl: env.DISPATCH_QUEUE_URL }); */
export function createEnqueueDispatchHandler(options: EnqueueDispatchHandlerOptions): EnqueueDispatchHandler {
  const telemetry = telemetryOf(options.observability);
  return withObservability(
    middy<EventBridgeEvent<string, unknown>, EnqueueDispatchOutcome>().handler(async (event) => {
      const { detail } = decodeEventOf('Hedge Requested', event);
      const keys = { correlationId: correlationIdOf(detail), accountId: detail.accountId, eventId: detail.eventId, decisionId: detail.decisionId };
      // One event per invocation: the keys hold for the rest of it (the failure line included).
      telemetry.appendKeys(keys);
      const output = await options.sqs.send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: JSON.stringify(event),
          MessageGroupId: detail.dispatchGroup,
          MessageDeduplicationId: detail.eventId,
        }),
      );
      const outcome: EnqueueDispatchOutcome = { eventId: detail.eventId, dispatchGroup: detail.dispatchGroup, messageId: output.MessageId };
      telemetry.info('hedge request queued for dispatch', { dispatchGroup: outcome.dispatchGroup, ...(outcome.messageId === undefined ? {} : { sqsMessageId: outcome.messageId }) });
      options.onOutcome?.(outcome);
      return outcome;
    }),
    options.observability,
  );
}
