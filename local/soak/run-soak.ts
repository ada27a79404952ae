/**
 * The chaos soak (`npm run soak`, and a short one in the e2e tests): the local stack on a
 * kept data directory, its dispatch and confirm in a worker process, its functions behind
 * the faulty proxy, ticking with flash crashes while the seeded plan (fault-plan.ts) kills
 * and restarts DynamoDB Local and anvil, drops and delays RPC calls, kills the worker
 * between steps, delivers webhooks twice and out of order, and reorgs the chain under a
 * submitted and a confirmed hedge. Bounded by ticks and minutes; everything it started is
 * stopped (by pid) and its directory removed, whatever happened. The result: soak-checks.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256, parseTransaction, type Address, type Hash, type Hex } from 'viem';
import type { AnvilInstance } from '../chain/anvil.ts';
import { dataDirLayout } from '../data-dir/data-dir.ts';
import type { DynamoDbLocal } from '../dynamodb/dynamodb-local.ts';
import { startLocalStack, type LocalStack } from '../stack.ts';
import { createBookTrader } from './book-trader.ts';
import { readChainLedger } from './chain-ledger.ts';
import { createFaultPlan, type InFlight } from './fault-plan.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { restartAnvil, restartDynamoDb } from './restart-children.ts';
import { dropTipTransaction, reorgUnder } from './reorgs.ts';
import { rpc } from './rpc.ts';
import { checkSoak, type SoakReport } from './soak-checks.ts';
import { createTickProfile } from './tick-profile.ts';
import { createWebhookChaos } from './webhook-chaos.ts';

export interface SoakOptions {
  readonly ticks: number;
  /** Wall-clock bound: no tick starts after it (the final checks still run). */
  readonly minutes: number;
  readonly seed: number;
  /** Market time per tick (default 60 minutes: a day in 24 ticks). */
  readonly stepMinutes?: number;
  readonly log?: (line: string) => void;
  /** Where each tick's time went (tick-profile.ts), one line per tick; the summary is in the report either way. */
  readonly profile?: (line: string) => void;
  /** Ends the ticking early (Ctrl-C): the final checks still run, and everything is stopped. */
  readonly signal?: AbortSignal;
  /** Called after each tick (progress). */
  readonly onTick?: (tick: number) => void;
}

/** Sends the dispatcher makes that are not a hedge's own transaction (an exact approval, a margin deposit). */
const PREREQUISITES = new Set(['0x095ea7b3', '0x47e7ef24']);
const REORG_MAX_DEPTH = 6;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const deadline = started + options.minutes * 60_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'hedge-soak-'));
  const plan = createFaultPlan(options.seed);
  const r = plan.random;
  const webhooks = createWebhookChaos();
  const profile = createTickProfile();
  const done = {
    flashCrashes: 0,
    dynamodbRestarts: 0,
    anvilRestarts: 0,
    workerKillsDispatch: 0,
    workerKillsConfirm: 0,
    reorgsUnderSubmitted: 0,
    reorgsUnderConfirmed: 0,
    bookTrades: 0,
  };
  const armed = new Set<InFlight>();
  let anvil: { rpcUrl: string; pid: number } = { rpcUrl: '', pid: 0 };
  let ddb: { endpoint: string; pid: number } = { endpoint: '', pid: 0 };
  const restartedAnvils: AnvilInstance[] = [];
  const restartedDynamos: DynamoDbLocal[] = [];
  /** Hedge transactions sent through the proxy (candidates for the reorg under a confirmed hedge). */
  const sent: Hash[] = [];
  let stack: LocalStack | undefined;
  let proxy: FaultProxy | undefined;

  /** Strike an in-flight fault now: armed by the plan (once), else at its rate. */
  const strike = (kind: InFlight): boolean => {
    if (armed.delete(kind)) return true;
    return r.chance(plan.rates[kind]);
  };
  const killWorker = (): boolean => {
    const pid = stack?.workerPid();
    if (pid === undefined) return false;
    const busy = stack?.workerBusy() ?? [];
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return false;
    }
    if (busy.includes('dispatch')) done.workerKillsDispatch++;
    else done.workerKillsConfirm++;
    log(`soak: killed the worker ${pid} (holding ${busy.join(', ') || 'nothing'})`);
    return true;
  };

  try {
    proxy = await startFaultProxy({
      target: () => anvil.rpcUrl,
      random: r,
      dropBefore: 0.015,
      dropAfter: 0.01,
      delay: 0.05,
      delayMs: [10, 250],
      onRequest: (methods) => {
        const busy = stack?.workerBusy() ?? [];
        // A confirm's read while the worker holds only confirmations: the worker dies mid-look.
        if (busy.length > 0 && busy.every((lane) => lane === 'confirm') && methods.includes('eth_getTransactionReceipt') && strike('kill-worker-confirming')) killWorker();
      },
      onSend: async (raw: Hex, phase) => {
        const selector = (parseTransaction(raw).data ?? '0x').slice(0, 10);
        const hedgeTx = !PREREQUISITES.has(selector);
        if (phase === 'before') return strike('kill-worker-before-send') && killWorker() ? 'drop' : undefined;
        if (hedgeTx) sent.push(keccak256(raw));
        if (strike('kill-worker-after-send') && killWorker()) return 'drop';
        if (hedgeTx && strike('reorg-submitted') && (await dropTipTransaction(anvil.rpcUrl, keccak256(raw)).catch(() => false))) {
          done.reorgsUnderSubmitted++;
          log(`soak: reorged ${keccak256(raw)} out from under its dispatcher`);
        }
        return undefined;
      },
    });
    const faultProxy = proxy;
    stack = await startLocalStack({
      dataDir,
      fresh: true,
      seed: options.seed,
      stepMinutes: options.stepMinutes ?? 60,
      confirmPollMs: 50,
      workerProcess: true,
      functionsRpcUrl: (anvilUrl) => {
        anvil = { ...anvil, rpcUrl: anvilUrl };
        return faultProxy.url;
      },
      webhookPlan: (deliveries) => webhooks.plan(deliveries),
      onTickPhases: (phases) => profile.addAll(phases),
      // The stack's periodic save of the chain (for the next start on the directory): the
      // soak's anvil restarts load their own dump, and the save cost ~0.3-1.4 s every 10 s.
      saveChainEveryMs: Number.POSITIVE_INFINITY,
      log,
    });
    const startupMs = Date.now() - started;
    anvil = { rpcUrl: stack.rpcUrl, pid: stack.pids.anvil };
    ddb = { endpoint: stack.dynamoDbEndpoint, pid: stack.pids.dynamoDbLocal };
    const layout = dataDirLayout(dataDir);
    const books = createBookTrader({ dataDir, rpcUrl: anvil.rpcUrl, random: r });
    log(`soak: stack ready in ${stack.startupMs} ms; ${options.ticks} ticks, at most ${options.minutes} min, seed ${options.seed}`);

    let tick = 0;
    let reorgPending = false;
    const ticking = Date.now();
    while (tick < options.ticks && Date.now() < deadline && options.signal?.aborted !== true) {
      tick++;
      const tickStarted = performance.now();
      for (const kind of plan.arm(tick)) armed.add(kind);
      for (const fault of plan.before(tick)) {
        switch (fault) {
          case 'flash-crash':
            stack.crash();
            done.flashCrashes++;
            break;
          case 'book-trades':
            await profile.time('fault.book-trades', async () => {
              await books.trade();
              await books.trade();
              done.bookTrades += 2;
              await stack?.deliverWebhooks();
            });
            break;
          case 'dynamodb-restart': {
            const next = await profile.time('fault.dynamodb-restart', () => restartDynamoDb({ ...ddb, dbPath: layout.dynamodb }));
            restartedDynamos.push(next);
            ddb = { endpoint: next.endpoint, pid: next.pid };
            done.dynamodbRestarts++;
            log(`soak: DynamoDB Local killed and started again (pid ${next.pid})`);
            break;
          }
          case 'anvil-restart': {
            const next = await profile.time('fault.anvil-restart', () => restartAnvil({ ...anvil, stateFile: join(layout.chain, 'soak-restart.json'), chainId: 31337 }));
            restartedAnvils.push(next);
            anvil = { rpcUrl: next.rpcUrl, pid: next.pid };
            done.anvilRestarts++;
            log(`soak: anvil killed and started again from its dump (pid ${next.pid})`);
            break;
          }
          case 'reorg-confirmed':
            reorgPending = true;
            break;
        }
      }
      // Under the last hedge transaction (its hedge ended: the flow settled), when it is
      // within reach of the tip; else again before the next tick.
      if (reorgPending) {
        const last = sent.at(-1);
        if (last !== undefined && (await profile.time('fault.reorg-confirmed', () => reorgUnder(anvil.rpcUrl, last, REORG_MAX_DEPTH))) > 0) {
          done.reorgsUnderConfirmed++;
          reorgPending = false;
          log(`soak: reorged the blocks under ${last}`);
        }
      }
      proxy.arm(true);
      const slow = setTimeout(() => {
        void Promise.all([rpc(anvil.rpcUrl, 'txpool_content', []), rpc(anvil.rpcUrl, 'eth_blockNumber', [])]).then(
          ([pool, block]) => log(`soak: tick ${tick} slow; block ${String(block)}, pool ${JSON.stringify(pool).slice(0, 600)}`),
          (error: unknown) => log(`soak: tick ${tick} slow; anvil: ${String(error)}`),
        );
      }, 40_000);
      await stack.runTicks(1);
      clearTimeout(slow);
      proxy.arm(false);
      const line = profile.endTick(tick, performance.now() - tickStarted);
      options.profile?.(line);
      options.onTick?.(tick);
    }
    const tickingMs = Date.now() - ticking;
    // Quiet ticks: what the faults left in flight settles (no fault armed).
    armed.clear();
    await stack.deliverWebhooks();
    await stack.runTicks(2);
    const ticks = tick + 2;

    const records = await stack.hedgeRecords();
    const signers = stack.accounts.map((account) => account.signerAddress as Address);
    const ledger = await readChainLedger(anvil.rpcUrl, signers, records);
    const reconciliation = await stack.reconcile();
    const stored = new Map<string, number>();
    for (const account of stack.accounts) for (const position of await stack.storedPositions(account.accountId)) if (position.id.startsWith('ob-')) stored.set(position.id, position.quantity);
    const onChain = await books.onChain();
    return checkSoak({
      seed: options.seed,
      ticks,
      faults: {
        ...done,
        rpcDroppedBeforeNode: proxy.counts.dropBefore,
        rpcAnswerLost: proxy.counts.dropAfter,
        rpcDelayed: proxy.counts.delayed,
        webhookDeliveries: webhooks.counts.deliveries,
        webhookSameIdAgain: webhooks.counts.sameIdAgain,
        webhookNewIdAgain: webhooks.counts.newIdAgain,
        webhookPollsOutOfOrder: webhooks.counts.outOfOrderPolls,
      },
      records,
      ledger,
      reconciliation,
      books: { onChain, stored },
      deadLetters: stack.deadLetters(),
      runTimeMs: Date.now() - started,
      timing: { startupMs, tickingMs, ticksPerSecond: Math.round((tick / Math.max(1, tickingMs)) * 1000 * 100) / 100, ...profile.summary() },
    });
  } finally {
    proxy?.arm(false);
    await stack?.stop().catch((error: unknown) => log(`soak: stopping the stack: ${String(error)}`));
    for (const child of [...restartedAnvils, ...restartedDynamos]) await child.stop().catch(() => undefined);
    await proxy?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
