// The chaos soak, short (issue #14 §2): the local stack with its dispatch and confirm in a
// worker process and its functions behind a faulty JSON-RPC proxy, a few ticks while the
// seeded plan kills and restarts DynamoDB Local and anvil, drops and delays RPC calls,
// kills the worker between steps, delivers webhooks twice and out of order, and reorgs
// the chain under a submitted and a confirmed hedge. Every fault kind happened (counted
// from what was done) and no invariant broke: at most one transaction per hedge on chain,
// no double send, every record ended, positions as the chain holds them, no dead letter.
// The long run is `npm run soak` (README, "Chaos soak"). runSoak stops every process it
// started, by pid, and removes its directory, whatever happens.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runSoak } from '../../local/soak/run-soak.ts';
import type { SoakReport } from '../../local/soak/soak-checks.ts';

/** Our own descendants still alive (the soak's anvil, DynamoDB Local, worker): none after it. */
function descendants(): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, , comm]) => comm !== 'ps')
    .map(([pid, ppid]) => [Number(pid), Number(ppid)] as const);
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of table) {
      if (!mine.has(ppid) || mine.has(pid)) continue;
      mine.add(pid);
      grew = true;
    }
  }
  mine.delete(process.pid);
  return [...mine];
}

describe('chaos soak (short): faults happen, invariants hold', () => {
  let report: SoakReport;
  const logs: string[] = [];
  const before = descendants();

  // runSoak stops what it started; if the test timed out first, what is still ours goes by pid.
  afterAll(() => {
    for (const pid of descendants().filter((p) => !before.includes(p))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  });

  it(
    'runs, injects every fault kind (a reorg under a submitted hedge when one is in flight), and keeps every invariant',
    async () => {
      // Bounded by its ticks; the minutes only cap a machine so loaded that the ticks would not end (they must all run: each fault kind starts by tick 5).
      report = await runSoak({ ticks: 6, minutes: 4.5, seed: 7, log: (line) => void logs.push(line) });
      console.log(`[e2e/soak] ${JSON.stringify(report)}`);
      if (!report.ok) console.log(logs.slice(-40).join('\n'));
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.reconciled).toBe(true);
      expect(report.transactionsOnChain.doubleSends).toBe(0);
      expect(report.transactionsOnChain.hedgesWithMore).toBe(0);
      expect(report.recordsNotEnded).toBe(0);
      expect(report.deadLetters).toEqual({ dispatch: 0, positions: 0, confirmGivenUp: 0 });
      expect(report.positions.bookMismatches).toBe(0);
      expect(report.hedges.confirmed).toBeGreaterThan(0);
      // Every tick of the plan is profiled (the two quiet ones are not).
      expect(report.timing.ticks).toBe(report.ticks - 2);
      expect(report.timing.tick.totalMs).toBeGreaterThan(0);
      const f = report.faults;
      const kinds = {
        dynamodbRestarts: f.dynamodbRestarts,
        anvilRestarts: f.anvilRestarts,
        rpcDropped: (f.rpcDroppedBeforeNode ?? 0) + (f.rpcAnswerLost ?? 0),
        rpcDelayed: f.rpcDelayed,
        workerKills: (f.workerKillsDispatch ?? 0) + (f.workerKillsConfirm ?? 0),
        webhooksTwice: Math.min(f.webhookSameIdAgain ?? 0, f.webhookNewIdAgain ?? 0),
        webhooksOutOfOrder: f.webhookPollsOutOfOrder,
        reorgsUnderConfirmed: f.reorgsUnderConfirmed,
        flashCrashes: f.flashCrashes,
      };
      for (const [kind, count] of Object.entries(kinds)) expect({ kind, injected: (count ?? 0) > 0 }).toEqual({ kind, injected: true });
      // A reorg under a submitted hedge strikes only when a hedge is in flight as it is armed:
      // six ticks do not always give it a chance (the long run does: README, Chaos soak), so
      // here it is counted in the report, not required; the invariants above hold either way.
      // Nothing it started outlives it.
      const left = descendants().filter((pid) => !before.includes(pid));
      expect(left).toEqual([]);
    },
    330_000,
  );
});
