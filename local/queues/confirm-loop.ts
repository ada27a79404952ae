/**
 * The local stand-in for the confirmer's SQS queue: every Hedge Submitted is followed
 * with the confirm-hedge function's own handler until it is final, looking again every
 * `pollMs` while it answers 'pending' (in the cloud the queue's visibility timeout is the
 * loop). anvil mines on send, so a look normally finds the receipt at once; the handler's
 * request to push the next look out (extendVisibility) is noted and capped at pollMs.
 */
import { createConfirmHedgeHandler } from '../../functions/confirm-hedge/create-confirm-hedge-handler.ts';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DeliveredEvent } from '../../shared/adapters/local-bus/local-bus.ts';
import type { FollowHedgeDeps, FollowOutcome } from '../../shared/app/confirm-hedge/follow-hedge.ts';
import { createSleeper } from '../runtime/stoppable-sleep.ts';
import { lambdaContext, newMessageId, sqsEventOf } from '../runtime/sqs-shapes.ts';

export interface ConfirmLoopOptions {
  /** The confirm-hedge handler's dependencies (it runs in this process); or `remote`. */
  readonly deps?: FollowHedgeDeps;
  /** The confirm-hedge function run elsewhere (a worker process): its answer and the outcome per message. */
  readonly remote?: (event: SQSEvent) => Promise<{ readonly response: SQSBatchResponse; readonly outcomes: readonly (readonly [string, FollowOutcome])[] }>;
  /** Time between looks at a pending hedge. */
  readonly pollMs: number;
  /** Looks before the loop gives a hedge up (it stays 'submitted' in the records). Default 600. */
  readonly maxLooks?: number;
  /**
   * Runs before the first look at a hedge (e.g. until the node can answer for its
   * transaction); bounded by the caller. The cloud's first look comes after the queue's
   * delivery delay, not within milliseconds of the broadcast.
   */
  readonly beforeFirstLook?: (event: DeliveredEvent) => Promise<void>;
  /** A hedge reached an end (confirmed, failed, already final) or was given up (outcome undefined). */
  readonly onFinal?: (event: DeliveredEvent, outcome: FollowOutcome | undefined) => void;
  readonly onError?: (error: unknown) => void;
}

export interface ConfirmLoop {
  follow(event: DeliveredEvent): void;
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export function createConfirmLoop(options: ConfirmLoopOptions): ConfirmLoop {
  const outcomes = new Map<string, FollowOutcome>();
  const { deps, remote } = options;
  let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  if (remote !== undefined) {
    handler = async (event) => {
      const answer = await remote(event);
      for (const [messageId, outcome] of answer.outcomes) outcomes.set(messageId, outcome);
      return answer.response;
    };
  } else {
    if (deps === undefined) throw new Error('the confirm loop needs the handler\'s deps or a remote handler');
    const local = createConfirmHedgeHandler({
      deps,
      extendVisibility: () => Promise.resolve(),
      onOutcome: (outcome, record) => outcomes.set(record.messageId, outcome),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    });
    handler = (event) => local(event, lambdaContext('confirm-hedge'));
  }
  const sleeper = createSleeper();
  const following = new Set<Promise<void>>();
  let stopped = false;

  async function followUntilFinal(event: DeliveredEvent): Promise<void> {
    const message = { messageId: newMessageId(), body: JSON.stringify(event) };
    const maxLooks = options.maxLooks ?? 600;
    await options.beforeFirstLook?.(event);
    for (let look = 1; look <= maxLooks && !stopped; look++) {
      outcomes.delete(message.messageId);
      const response = await handler(sqsEventOf(message, look, 'confirm'));
      if (response.batchItemFailures.length === 0) {
        options.onFinal?.(event, outcomes.get(message.messageId));
        outcomes.delete(message.messageId);
        return;
      }
      await sleeper.sleep(options.pollMs);
    }
    if (!stopped) options.onFinal?.(event, undefined);
  }

  return {
    follow(event) {
      if (stopped) return;
      const run = followUntilFinal(event).catch((error: unknown) => options.onError?.(error));
      following.add(run);
      void run.finally(() => following.delete(run));
    },
    async idle() {
      while (following.size > 0) await Promise.all(following);
    },
    async stop() {
      stopped = true;
      sleeper.wakeAll();
      await Promise.all(following);
    },
  };
}
