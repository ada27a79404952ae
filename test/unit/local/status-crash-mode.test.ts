import { describe, expect, it } from 'vitest';
import { encodeEvent } from '../../../shared/contracts/events/encode-event.ts';
import { StackStatusSchema } from '../../../local/status-schema.ts';
import { createStatusCollector } from '../../../local/status/status-collector.ts';

const ACCOUNT = 'acc-crash';
const T0 = Date.parse('2026-12-03T10:00:00.000Z');

/** A collector over sources that know one active account and nothing else. */
function collector() {
  return createStatusCollector({
    startedAt: T0,
    now: () => T0 + 60_000,
    chain: async () => ({ chainId: 31337, blockNumber: 1 }),
    market: () => ({ vol: 0.8, crashing: true }),
    accounts: { getAccount: async () => ({ displayName: 'Crash desk', status: 'active' }) },
    configs: { getConfig: async () => undefined },
    evaluations: { load: async () => undefined },
    hedges: { listHedgeRecords: async () => ({ items: [] }) },
  });
}

const switched = (from: 'normal' | 'crash', to: 'normal' | 'crash', atMs: number) =>
  encodeEvent('Crash Mode Changed', {
    accountId: ACCOUNT,
    occurredAt: new Date(atMs).toISOString(),
    underlying: 'ETH',
    evaluationId: `evt_${atMs.toString(16).padStart(32, "0")}`,
    from,
    to,
    switchedAt: new Date(atMs).toISOString(),
    triggers: to === 'crash' ? ['ORACLE_JUMP'] : [],
    plan: 'risk-reducing',
    reason: to === 'crash' ? 'the oracle jumped 7.1 % in one round' : 'calm for 60 s',
    numbers: {},
  });

describe("the local stack's status: the crash breaker's mode per account", () => {
  it('is normal until a switch, follows switches, and a redelivered older switch changes nothing', async () => {
    const c = collector();
    c.addAccount(ACCOUNT);
    expect((await c.status()).accounts[0]!.crashMode).toEqual({ mode: 'normal', since: null, plan: null, reason: null });

    c.observe([switched('normal', 'crash', T0 + 1_000)]);
    expect((await c.status()).accounts[0]!.crashMode).toEqual({ mode: 'crash', since: T0 + 1_000, plan: 'risk-reducing', reason: 'the oracle jumped 7.1 % in one round' });

    c.observe([switched('crash', 'normal', T0 + 61_000), switched('normal', 'crash', T0 + 1_000)]);
    const status = StackStatusSchema.parse(await c.status());
    expect(status.accounts[0]!.crashMode).toMatchObject({ mode: 'normal', since: T0 + 61_000 });
    // Each switch is an event of the status, once.
    expect(status.events.filter((e) => e.type === 'Crash Mode Changed').map((e) => e.summary)).toEqual([
      'normal → crash (plan risk-reducing): the oracle jumped 7.1 % in one round',
      'crash → normal (plan risk-reducing): calm for 60 s',
    ]);
  });
});
