/**
 * The worker process: the dispatch and confirm-hedge functions' own handlers
 * (functions/dispatch, functions/confirm-hedge) over the same DynamoDB table and chain as
 * the stack that forked it, one SQS-shaped batch per call (worker-protocol.ts). Killing
 * it is a Lambda dying mid-invocation: the batch it held is delivered again, to the next
 * process, against the same store. Started by worker-host.ts with tsx's loader.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createPublicClient, http, type Hex } from 'viem';
import { foundry } from 'viem/chains';
import { createConfirmHedgeHandler } from '../../functions/confirm-hedge/create-confirm-hedge-handler.ts';
import { createDispatchHandler } from '../../functions/dispatch/create-dispatch-handler.ts';
import { createDynamoDbClients } from '../../shared/adapters/dynamodb/create-dynamodb-clients.ts';
import { createSignerRegistry, type SignerRegistry } from '../../shared/adapters/signing/local-transaction-signer.ts';
import type { FollowOutcome } from '../../shared/app/confirm-hedge/follow-hedge.ts';
import type { EventEntry } from '../../shared/contracts/events/event-entry.ts';
import type { EventPublisher } from '../../shared/contracts/events/event-publisher.ts';
import { createHedgingStores } from '../../shared/runtime/hedging-deps.ts';
import { safeErrorText } from '../../shared/runtime/safe-error-text.ts';
import { createLocalHedgingDeps } from '../chain/local-hedging-deps.ts';
import { lambdaContext } from '../runtime/sqs-shapes.ts';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-protocol.ts';

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const send = (message: FromWorker): void => void process.send?.(message);
const log = (line: string): void => send({ type: 'log', line });

let keys = new Map<string, Hex>();
let registry: SignerRegistry = createSignerRegistry({ localKeys: keys });
let nextPublish = 0;
const publishing = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
const outcomes = new Map<string, FollowOutcome>();

const publisher: EventPublisher = {
  publish(entries: readonly EventEntry[]) {
    const id = ++nextPublish;
    return new Promise<void>((resolve, reject) => {
      publishing.set(id, { resolve, reject });
      send({ type: 'publish', id, entries });
    });
  },
};

function handlersOf(config: WorkerConfig): { dispatch: Handler; confirm: Handler } {
  const { doc } = createDynamoDbClients({ region: 'local', endpoint: config.dynamoDbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const now = (): Date => new Date();
  const stores = createHedgingStores({ doc, tableName: config.tableName, now });
  const client = createPublicClient({ chain: foundry, transport: http(config.rpcUrl), pollingInterval: 10 });
  const hedging = createLocalHedgingDeps({
    chain: { rpcUrl: config.rpcUrl, chain: foundry, addresses: config.addresses },
    stores,
    signers: (ref) => registry.resolve(ref),
    publisher,
    now,
    client,
    approvalPollMs: config.approvalPollMs,
    extraVenues: config.extraVenues,
  });
  return {
    dispatch: createDispatchHandler({ deps: { ...hedging.dispatch, ...(config.claimLeaseMs === undefined ? {} : { claimLeaseMs: config.claimLeaseMs }) }, onError: (error, record, disposition) => log(`dispatch ${record.messageId}: ${disposition} ${safeErrorText(error)}`) }),
    confirm: createConfirmHedgeHandler({
      deps: hedging.follow,
      extendVisibility: () => Promise.resolve(),
      onOutcome: (outcome, record) => outcomes.set(record.messageId, outcome),
      onError: (error) => log(`confirm: ${safeErrorText(error)}`),
    }),
  };
}

/** New keys (an account made since): a registry over them (it keeps its own copy). */
function useKeys(entries: readonly (readonly [string, Hex])[]): void {
  if (entries.length === keys.size && entries.every(([name, key]) => keys.get(name) === key)) return;
  keys = new Map(entries);
  registry = createSignerRegistry({ localKeys: keys });
}

let handlers: { dispatch: Handler; confirm: Handler } | undefined;

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init':
      handlers = handlersOf(message.config);
      send({ type: 'ready' });
      return;
    case 'published': {
      const waiting = publishing.get(message.id);
      publishing.delete(message.id);
      if (message.error === undefined) waiting?.resolve();
      else waiting?.reject(new Error(message.error));
      return;
    }
    case 'call': {
      const { id, lane, event } = message;
      const started = performance.now();
      useKeys(message.keys);
      const handler = handlers?.[lane];
      const everyOneFailed = (): SQSBatchResponse => ({ batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) });
      const run = handler === undefined ? Promise.resolve(everyOneFailed()) : handler(event, lambdaContext(lane === 'dispatch' ? 'dispatch' : 'confirm-hedge'));
      void run
        .catch((error: unknown) => {
          log(`${lane}: ${safeErrorText(error)}`);
          return everyOneFailed();
        })
        .then((response) => {
          const ids = new Set(event.Records.map((record) => record.messageId));
          const mine = [...outcomes].filter(([messageId]) => ids.has(messageId));
          for (const [messageId] of mine) outcomes.delete(messageId);
          // The soak's profile (--verbose): what a delivery cost in the worker.
          if (lane === 'dispatch' || response.batchItemFailures.length > 0 || mine.some(([, outcome]) => outcome.status !== 'pending')) {
            log(`${lane} took ${Math.round(performance.now() - started)} ms (${mine.map(([, outcome]) => outcome.status).join(', ') || `${event.Records.length - response.batchItemFailures.length} done, ${response.batchItemFailures.length} again`})`);
          }
          send({ type: 'result', id, response, outcomes: mine });
        });
      return;
    }
  }
});
// The stack's end is the worker's: no orphan when the parent dies.
process.on('disconnect', () => process.exit(0));
