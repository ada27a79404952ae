/**
 * The local stand-in for the confirmation SQS queue between ingest-webhook and
 * confirm-positions: `enqueue` (the ConfirmationQueue port ingest-webhook hands accepted
 * deliveries to) accepts at once, like SendMessageBatch; a worker delivers each message,
 * in order, to the confirm-positions function's own handler, and delivers a listed one
 * (deferred for confirmations, or failed) again after a backoff, up to `maxReceives`.
 */
import { createConfirmPositionsHandler } from '../../functions/confirm-positions/create-confirm-positions-handler.ts';
import { encodeConfirmationMessage } from '../../shared/adapters/sqs/confirmation-message.ts';
import type { ConfirmOutcome, ConfirmPositionsDeps } from '../../shared/app/confirm-positions/confirm-positions.ts';
import type { ConfirmationQueue } from '../../shared/app/ingest-webhook/ports.ts';
import { backoffMs, createSleeper } from '../runtime/stoppable-sleep.ts';
import { newMessageId, sqsEventOf, type LocalMessage } from '../runtime/sqs-shapes.ts';

export interface LocalConfirmationQueueOptions {
  readonly deps: ConfirmPositionsDeps;
  readonly maxReceives?: number;
  readonly retryBaseMs?: number;
  readonly onOutcome?: (outcome: ConfirmOutcome) => void;
  readonly onError?: (error: unknown) => void;
  readonly onDeadLetter?: (message: LocalMessage) => void;
}

export interface LocalConfirmationQueue extends ConfirmationQueue {
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function createLocalConfirmationQueue(options: LocalConfirmationQueueOptions): LocalConfirmationQueue {
  const handler = createConfirmPositionsHandler({
    deps: options.deps,
    ...(options.onOutcome === undefined ? {} : { onOutcome: (outcome) => options.onOutcome?.(outcome) }),
    ...(options.onError === undefined ? {} : { onError: (error) => options.onError?.(error) }),
  });
  const queue: LocalMessage[] = [];
  const sleeper = createSleeper();
  const maxReceives = options.maxReceives ?? 10;
  let worker: Promise<void> | undefined;
  let stopped = false;

  async function drain(): Promise<void> {
    for (let head = queue[0]; head !== undefined && !stopped; head = queue[0]) {
      for (let receive = 1; !stopped; receive++) {
        const response = await handler(sqsEventOf(head, receive, 'confirmations'));
        if (response.batchItemFailures.length === 0) break;
        if (receive >= maxReceives) {
          options.onDeadLetter?.(head);
          break;
        }
        await sleeper.sleep(backoffMs(receive, options.retryBaseMs ?? 100, 5_000));
      }
      queue.shift();
    }
    worker = undefined;
  }

  return {
    enqueue(requests) {
      if (stopped) return Promise.reject(new Error('the local confirmation queue is stopped'));
      for (const request of requests) queue.push({ messageId: newMessageId(), body: encodeConfirmationMessage(request) });
      worker ??= Promise.resolve().then(drain);
      return Promise.resolve();
    },
    async idle() {
      while (worker !== undefined) await worker;
    },
    async stop() {
      stopped = true;
      sleeper.wakeAll();
      queue.length = 0;
      await worker;
    },
  };
}
