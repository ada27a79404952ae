/**
 * The stack's side of its worker process (worker-main.ts): forks it (tsx's loader, an IPC
 * channel), hands it SQS-shaped batches for the dispatch lanes and the confirm loop, and
 * publishes on the stack's bus what it publishes. A worker that dies (killed, crashed)
 * fails the batches it held — the lane or the loop delivers them again, as SQS does after
 * a Lambda dies — and a warm one takes over at once against the same store (a spare forked
 * ahead, as Lambda keeps warm environments: forking with tsx's loader takes seconds), while
 * the next spare is forked; batches that come before one is ready wait for it. `stop()`
 * ends exactly the processes it forked, by their pids.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Hex } from 'viem';
import type { FollowOutcome } from '../../shared/app/confirm-hedge/follow-hedge.ts';
import type { EventEntry } from '../../shared/contracts/events/event-entry.ts';
import { safeErrorText } from '../../shared/runtime/safe-error-text.ts';
import { bundleWorker, type WorkerBundle } from './worker-bundle.ts';
import type { FromWorker, ToWorker, WorkerConfig, WorkerLane } from './worker-protocol.ts';

export interface WorkerHostOptions {
  readonly config: WorkerConfig;
  /** The signing keys by name, read at each call (an account made since has its key there). */
  readonly keys: () => Iterable<readonly [string, Hex]>;
  /** Publishes what the worker publishes (the stack's bus). */
  readonly publish: (entries: readonly EventEntry[]) => Promise<void>;
  readonly log?: (line: string) => void;
}

/** A batch's answer, with the confirmer's outcome per message (what the confirm loop reports). */
export interface WorkerAnswer {
  readonly response: SQSBatchResponse;
  readonly outcomes: readonly (readonly [string, FollowOutcome])[];
}

export interface WorkerHost {
  /** The dispatch function, run in the worker. */
  dispatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
  /** The confirm-hedge function, run in the worker. */
  confirm(event: SQSEvent): Promise<WorkerAnswer>;
  /** The worker's pid now (undefined between a death and the next fork). */
  pid(): number | undefined;
  /** The lanes of the batches the worker holds now (what a kill would interrupt). */
  busy(): readonly WorkerLane[];
  /** How many times the worker was forked again after it died. */
  readonly restarts: number;
  stop(): Promise<void>;
}

const WORKER_MAIN = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
const TSX_LOADER = createRequire(import.meta.url).resolve('tsx');

interface Running {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
}

export function startWorkerHost(options: WorkerHostOptions): WorkerHost {
  const log = options.log ?? (() => undefined);
  const calls = new Map<number, { readonly lane: WorkerLane; readonly event: SQSEvent; readonly child: ChildProcess; readonly resolve: (answer: WorkerAnswer) => void }>();
  let nextId = 0;
  let running: Running | undefined;
  /** The warm spare: forked and readied while the running one works; it takes over when that one dies. */
  let spare: Running | undefined;
  let restarts = 0;
  let stopped = false;
  /** The worker bundled (worker-bundle.ts), or undefined: forked with tsx's loader over the sources. */
  let bundle: WorkerBundle | undefined;
  const built: Promise<void> = bundleWorker().then(
    (made) => {
      if (stopped) made.remove();
      else bundle = made;
    },
    (error: unknown) => log(`worker bundle: ${safeErrorText(error)}; forking the sources with tsx`),
  );

  const everyOneFailed = (event: SQSEvent): WorkerAnswer => ({ response: { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) }, outcomes: [] });

  function spawnWorker(): Running {
    const child =
      bundle === undefined
        ? fork(WORKER_MAIN, [], { execArgv: ['--import', TSX_LOADER, '--no-warnings'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' })
        : fork(bundle.path, [], { execArgv: ['--no-warnings'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    child.stderr?.on('data', (chunk: Buffer) => log(`worker ${String(child.pid)}: ${chunk.toString('utf8').trimEnd().slice(0, 500)}`));
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          markReady();
          return;
        case 'log':
          log(`worker: ${message.line}`);
          return;
        case 'publish':
          options.publish(message.entries).then(
            () => send(child, { type: 'published', id: message.id }),
            (error: unknown) => send(child, { type: 'published', id: message.id, error: safeErrorText(error) }),
          );
          return;
        case 'result': {
          const call = calls.get(message.id);
          calls.delete(message.id);
          call?.resolve({ response: message.response, outcomes: message.outcomes });
          return;
        }
      }
    });
    const self: Running = { child, ready, exited };
    void exited.then(() => {
      // What it held is lost with it: failed, so the lane or the loop delivers it again.
      for (const [id, call] of calls) {
        if (call.child !== child) continue;
        calls.delete(id);
        call.resolve(everyOneFailed(call.event));
      }
      markReady(); // a batch waiting for a worker that died before it was ready goes on to the next
      if (spare === self) spare = undefined;
      if (running === self) running = undefined;
      if (!stopped) {
        restarts++;
        log(`worker ${String(child.pid)} exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)}); ${spare === undefined ? 'forking another' : `the spare ${String(spare.child.pid)} takes over`}`);
        running ??= spare ?? spawnWorker();
        spare = spawnWorker();
      }
    });
    send(child, { type: 'init', config: options.config });
    return self;
  }

  function send(child: ChildProcess, message: ToWorker): void {
    if (child.connected) child.send(message, (error) => (error === null ? undefined : log(`worker IPC: ${error.message}`)));
  }

  async function call(lane: WorkerLane, event: SQSEvent): Promise<WorkerAnswer> {
    await built;
    for (let attempt = 0; attempt < 3 && !stopped; attempt++) {
      running ??= spawnWorker();
      spare ??= spawnWorker();
      const current = running;
      await current.ready;
      if (!current.child.connected || current.child.exitCode !== null || current.child.signalCode !== null) continue;
      const id = ++nextId;
      return new Promise<WorkerAnswer>((resolve) => {
        calls.set(id, { lane, event, resolve, child: current.child });
        send(current.child, { type: 'call', id, lane, event, keys: [...options.keys()] });
      });
    }
    return everyOneFailed(event);
  }

  return {
    dispatch: async (event) => (await call('dispatch', event)).response,
    confirm: (event) => call('confirm', event),
    pid: () => running?.child.pid,
    busy: () => [...calls.values()].map((c) => c.lane),
    get restarts() {
      return restarts;
    },
    async stop() {
      stopped = true;
      await built;
      const forked = [running, spare];
      running = undefined;
      spare = undefined;
      await Promise.all(
        forked.map(async (current) => {
          if (current === undefined || current.child.exitCode !== null || current.child.signalCode !== null) return;
          current.child.kill('SIGTERM');
          const timer = setTimeout(() => current.child.kill('SIGKILL'), 3_000);
          await current.exited;
          clearTimeout(timer);
        }),
      );
      bundle?.remove();
      bundle = undefined;
    },
  };
}
