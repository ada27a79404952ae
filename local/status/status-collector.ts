/**
 * What the stack shows and summarises, collected as it runs: every event published on
 * the bus (the stack's publisher is teed here), each evaluation's stored snapshot (read
 * back from the evaluator's own store after the evaluate handler ran), the market's
 * points, and — for /api/status — the hedge records and config read from the repositories.
 *
 * The band check after a hedge: when a hedge is confirmed, the account's next priced
 * evaluation (the stack requests one at once, at the fill's market) is compared with the
 * band: its |delta| (hedges in flight included) is the "delta after hedge".
 */
import { decodeEvent } from '../../shared/contracts/events/decode-event.ts';
import type { HedgeEvent } from '../../shared/contracts/events/event-definitions.ts';
import type { EventEntry } from '../../shared/contracts/events/event-entry.ts';
import type { ExposureSnapshot } from '../../shared/contracts/exposure-snapshot.ts';
import type { HedgePolicyConfig } from '../../shared/contracts/hedge-policy-config.ts';
import type { MarketPoint } from '../market/market-simulator.ts';
import { STATUS_LIMITS, type AccountStatusView, type StackStatus } from '../status-schema.ts';

type Event = StackStatus['events'][number];
import { hedgeView, type StoredHedgeRecordLike } from './hedge-view.ts';


export interface StatusSources {
  readonly startedAt: number;
  readonly now: () => number;
  readonly chain: () => Promise<{ chainId: number; blockNumber: number }>;
  readonly market: () => { readonly vol: number; readonly crashing: boolean };
  readonly accounts: { getAccount(accountId: string): Promise<{ readonly displayName: string; readonly status: 'active' | 'paused' } | undefined> };
  readonly configs: { getConfig(accountId: string): Promise<{ readonly config: HedgePolicyConfig } | undefined> };
  readonly evaluations: { load(accountId: string): Promise<{ readonly exposure?: ExposureSnapshot } | undefined> };
  readonly hedges: { listHedgeRecords(accountId: string, options?: { limit?: number }): Promise<{ readonly items: readonly StoredHedgeRecordLike[] }> };
  /** What a mined transaction paid for gas, in ETH (gasUsed × effective gas price); counted in the P&L's costs. */
  readonly gasCostEth?: (txHash: string) => Promise<number>;
}

export interface AfterHedgeStats {
  readonly checks: number;
  readonly maxAbsDelta: number;
  readonly breaches: number;
}

export interface StatusCollector {
  /** Everything the stack publishes passes here first. */
  observe(entries: readonly EventEntry[]): void;
  recordMarket(point: MarketPoint): void;
  /** After the evaluate handler ran for the account: reads its stored snapshot. */
  recordEvaluation(accountId: string): Promise<ExposureSnapshot | undefined>;
  addAccount(accountId: string): void;
  note(type: string, accountId: string | null, summary: string): void;
  countTick(): void;
  readonly ticks: number;
  readonly hedgeCounts: { readonly submitted: number; readonly confirmed: number; readonly failed: number };
  readonly afterHedge: AfterHedgeStats;
  /** The confirmed hedges seen (account, tx hash): what reconciliation checks. */
  readonly confirmedTxs: readonly { readonly accountId: string; readonly txHash: string }[];
  latestExposure(accountId: string): ExposureSnapshot | undefined;
  lastDecision(accountId: string): string | undefined;
  lastHedge(accountId: string): string | undefined;
  status(): Promise<StackStatus>;
}

/** The band's edges in units at `spot` (null when the band is not in units or USD, or absent). */
export function bandEdges(config: HedgePolicyConfig | undefined, spot: number): { lower: number | null; upper: number | null } {
  const band = config?.band;
  if (band === undefined) return { lower: null, upper: null };
  const half = band.unit === 'units' ? band.trigger : band.unit === 'usd' && spot > 0 ? band.trigger / spot : undefined;
  return half === undefined ? { lower: null, upper: null } : { lower: -half, upper: half };
}

const keepNewest = <T>(list: T[], limit: number): void => {
  if (list.length > limit) list.splice(0, list.length - limit);
};

interface AccountTrack {
  readonly series: AccountStatusView['series'];
  readonly guards: AccountStatusView['guards'];
  readonly pnl: AccountStatusView['pnl'];
  exposure: ExposureSnapshot | undefined;
  lastEvaluationId: string | undefined;
  awaitingCheck: boolean;
  firstOptionValue: number | undefined;
  /** Confirmed fills: units, oracle at fill, executed price, gas in ETH. */
  readonly fills: { units: number; oracle: number; price: number; gasEth: number }[];
  lastDecision: string | undefined;
  lastHedge: string | undefined;
}

export function createStatusCollector(sources: StatusSources): StatusCollector {
  const tracks = new Map<string, AccountTrack>();
  const events: Event[] = [];
  const market: MarketPoint[] = [];
  const submitted = new Set<string>();
  const confirmed = new Set<string>();
  const failed = new Set<string>();
  const confirmedTxs: { accountId: string; txHash: string }[] = [];
  let ticks = 0;
  let checks = 0;
  let maxAbsDelta = 0;
  let breaches = 0;

  const track = (accountId: string): AccountTrack => {
    let t = tracks.get(accountId);
    if (t === undefined) {
      t = { series: [], guards: [], pnl: [], exposure: undefined, lastEvaluationId: undefined, awaitingCheck: false, firstOptionValue: undefined, fills: [], lastDecision: undefined, lastHedge: undefined };
      tracks.set(accountId, t);
    }
    return t;
  };

  function note(type: string, accountId: string | null, summary: string): void {
    events.push({ t: sources.now(), type, accountId, summary });
    keepNewest(events, STATUS_LIMITS.events);
  }

  function onEvent(event: HedgeEvent): void {
    const { accountId } = event.detail;
    const t = track(accountId);
    switch (event.type) {
      case 'Hedge Requested':
        t.lastDecision = event.detail.message;
        note(event.type, accountId, event.detail.message);
        return;
      case 'Hedge Submitted':
        submitted.add(event.detail.hedgeId);
        note(event.type, accountId, `${event.detail.hedgeId} tx ${event.detail.txHash.slice(0, 10)}… nonce ${event.detail.nonce}`);
        return;
      case 'Hedge Confirmed': {
        if (confirmed.has(event.detail.hedgeId)) return;
        confirmed.add(event.detail.hedgeId);
        confirmedTxs.push({ accountId, txHash: event.detail.txHash });
        const oracle = market.at(-1)?.oracle ?? event.detail.priceUsd;
        const fill = { units: event.detail.baseDelta, oracle, price: event.detail.priceUsd, gasEth: 0 };
        t.fills.push(fill);
        // The event carries gas used, not its price: the receipt has both. Filled in when it answers.
        sources.gasCostEth?.(event.detail.txHash).then(
          (eth) => {
            fill.gasEth = eth;
          },
          () => undefined, // a P&L figure without gas beats no figure; the next status shows it when it can
        );
        t.awaitingCheck = true;
        const side = event.detail.baseDelta >= 0 ? 'bought' : 'sold';
        t.lastHedge = `${side} ${Math.abs(event.detail.baseDelta).toFixed(3)} @ ${event.detail.priceUsd.toFixed(2)}`;
        note(event.type, accountId, `${t.lastHedge} (block ${event.detail.blockNumber})`);
        return;
      }
      case 'Hedge Failed':
        if (failed.has(event.detail.hedgeId)) return;
        failed.add(event.detail.hedgeId);
        t.guards.push({ t: sources.now(), hedgeId: event.detail.hedgeId, code: event.detail.code, message: event.detail.message });
        keepNewest(t.guards, STATUS_LIMITS.guards);
        t.lastHedge = `failed ${event.detail.code}`;
        note(event.type, accountId, `${event.detail.code}: ${event.detail.message}`);
        return;
      case 'Risk Limit Breached':
        note(event.type, accountId, `${event.detail.code}: ${event.detail.message}`);
        return;
      case 'Positions Changed':
        note(event.type, accountId, `book changed in tx ${event.detail.txHash.slice(0, 10)}… (block ${event.detail.blockNumber})`);
        return;
      default:
        return;
    }
  }

  function pnlPoint(t: AccountTrack, snapshot: ExposureSnapshot, at: number): void {
    const spot = snapshot.market?.spot;
    const optionValue = snapshot.risk?.optionValueUsd;
    if (spot === undefined || optionValue === undefined) return;
    t.firstOptionValue ??= optionValue;
    const optionsUsd = optionValue - t.firstOptionValue;
    const hedgeUsd = t.fills.reduce((sum, f) => sum + f.units * (spot - f.oracle), 0);
    // Paid away from the oracle price (fees and impact) plus gas: a cost, so ≤ 0.
    const costsUsd = -t.fills.reduce((sum, f) => sum + f.units * (f.price - f.oracle) + f.gasEth * spot, 0);
    t.pnl.push({ t: at, optionsUsd, hedgeUsd, costsUsd, totalUsd: optionsUsd + hedgeUsd + costsUsd });
    keepNewest(t.pnl, STATUS_LIMITS.pnlPoints);
  }

  return {
    observe(entries) {
      for (const entry of entries) {
        try {
          onEvent(decodeEvent(entry));
        } catch {
          // not ours to judge: the consumers reject what does not decode
        }
      }
    },
    recordMarket(point) {
      market.push(point);
      keepNewest(market, STATUS_LIMITS.marketPoints);
    },
    async recordEvaluation(accountId) {
      const snapshot = (await sources.evaluations.load(accountId))?.exposure;
      const t = track(accountId);
      if (snapshot === undefined || snapshot.evaluationId === t.lastEvaluationId) return snapshot;
      t.lastEvaluationId = snapshot.evaluationId;
      t.exposure = snapshot;
      if (snapshot.status !== 'priced' || snapshot.risk === undefined || snapshot.market === undefined) return snapshot;
      const at = Date.parse(snapshot.at);
      const config = (await sources.configs.getConfig(accountId))?.config;
      const edges = bandEdges(config, snapshot.market.spot);
      t.series.push({ t: at, delta: snapshot.risk.delta, bandLower: edges.lower, bandUpper: edges.upper, spot: snapshot.market.spot });
      keepNewest(t.series, STATUS_LIMITS.exposurePoints);
      if (snapshot.decision !== undefined && snapshot.decision.action !== 'hedge') t.lastDecision = snapshot.decision.message;
      pnlPoint(t, snapshot, at);
      if (t.awaitingCheck) {
        t.awaitingCheck = false;
        checks++;
        maxAbsDelta = Math.max(maxAbsDelta, Math.abs(snapshot.risk.delta));
        if ((edges.upper !== null && snapshot.risk.delta > edges.upper) || (edges.lower !== null && snapshot.risk.delta < edges.lower)) breaches++;
      }
      return snapshot;
    },
    addAccount(accountId) {
      track(accountId);
    },
    note,
    countTick() {
      ticks++;
    },
    get ticks() {
      return ticks;
    },
    get hedgeCounts() {
      return { submitted: submitted.size, confirmed: confirmed.size, failed: failed.size };
    },
    get afterHedge() {
      return { checks, maxAbsDelta, breaches };
    },
    confirmedTxs,
    latestExposure: (accountId) => tracks.get(accountId)?.exposure,
    lastDecision: (accountId) => tracks.get(accountId)?.lastDecision,
    lastHedge: (accountId) => tracks.get(accountId)?.lastHedge,
    async status() {
      const chain = await sources.chain();
      const accounts: AccountStatusView[] = [];
      for (const [accountId, t] of tracks) {
        const [account, versioned, records] = await Promise.all([
          sources.accounts.getAccount(accountId),
          sources.configs.getConfig(accountId),
          sources.hedges.listHedgeRecords(accountId, { limit: STATUS_LIMITS.hedges }),
        ]);
        if (account === undefined) continue;
        accounts.push({
          accountId,
          displayName: account.displayName,
          status: account.status,
          config: (versioned?.config ?? {}) as Record<string, unknown>,
          exposure: t.exposure ?? null,
          series: [...t.series],
          hedges: records.items.slice(0, STATUS_LIMITS.hedges).map(hedgeView),
          guards: [...t.guards],
          pnl: [...t.pnl],
        });
      }
      const last = market.at(-1);
      const { vol, crashing } = sources.market();
      return {
        startedAt: sources.startedAt,
        now: sources.now(),
        ticks,
        chain,
        market: { oracle: last?.oracle ?? 0, pool: last?.pool ?? 0, vol, crashing, series: [...market] },
        accounts,
        events: [...events],
      };
    },
  };
}
