/**
 * What the stack shows and summarises, collected as it runs: every event published on
 * the bus (the stack's publisher is teed here), each evaluation's stored snapshot (read
 * back from the evaluator's own store after the evaluate handler ran), the market's
 * points, and — for /api/status — the hedge records and config read from the repositories.
 *
 * The check after a hedge (after-hedge.ts): when a hedge is confirmed, the account's next
 * priced evaluation (the stack requests one at once, at the fill's market) is compared
 * with the band and the Greek limits.
 */
import { decodeEvent } from '../../shared/contracts/events/decode-event.ts';
import type { HedgeEvent } from '../../shared/contracts/events/event-definitions.ts';
import type { EventEntry } from '../../shared/contracts/events/event-entry.ts';
import { hedgeIdOf } from '../../shared/contracts/events/event-id.ts';
import type { ExposureSnapshot } from '../../shared/contracts/exposure-snapshot.ts';
import type { HedgePolicyConfig } from '../../shared/contracts/hedge-policy-config.ts';
import type { MarketPoint } from '../market/market-simulator.ts';
import { STATUS_LIMITS, type AccountStatusView, type StackStatus } from '../status-schema.ts';
import { createAfterHedgeCheck, type AfterHedgeStats } from './after-hedge.ts';
import { hedgeView, type StoredHedgeRecordLike } from './hedge-view.ts';
import { newPnlBook, pnlPoint, type Instrument, type PnlBook } from './pnl.ts';

type Event = StackStatus['events'][number];

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
  /** A check after a hedge found a breach (also an event of the status): for the log. */
  readonly onBreachAfterHedge?: (accountId: string, summary: string) => void;
}

export type { AfterHedgeStats } from './after-hedge.ts';

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
  /** Switches into crash mode seen (each switch once, however often it was delivered). */
  readonly crashesEntered: number;
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
  readonly book: PnlBook;
  lastDecision: string | undefined;
  lastHedge: string | undefined;
  crashMode: AccountStatusView['crashMode'];
}

/** An order of a Hedge Requested, by its hedge id: what a later Confirmed or Failed of it traded. */
interface OrderSeen {
  readonly instrument: Instrument;
  /** Signed: + buy. */
  readonly units: number;
  /** Options: the model premium per contract the policy priced it at. */
  readonly modelPrice?: number;
}

export function createStatusCollector(sources: StatusSources): StatusCollector {
  const tracks = new Map<string, AccountTrack>();
  const events: Event[] = [];
  const market: MarketPoint[] = [];
  const submitted = new Set<string>();
  const confirmed = new Set<string>();
  const failed = new Set<string>();
  const confirmedTxs: { accountId: string; txHash: string }[] = [];
  const orders = new Map<string, OrderSeen>();
  const afterHedge = createAfterHedgeCheck();
  const crashSwitches = new Set<string>();
  let ticks = 0;

  const track = (accountId: string): AccountTrack => {
    let t = tracks.get(accountId);
    if (t === undefined) {
      t = {
        series: [],
        guards: [],
        pnl: [],
        exposure: undefined,
        lastEvaluationId: undefined,
        awaitingCheck: false,
        book: newPnlBook(),
        lastDecision: undefined,
        lastHedge: undefined,
        crashMode: { mode: 'normal', since: null, plan: null, reason: null },
      };
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
      case 'Hedge Requested': {
        t.lastDecision = event.detail.message;
        note(event.type, accountId, event.detail.message);
        const { decisionId } = event.detail;
        event.detail.orders.forEach((order, index) => {
          const hedgeId = hedgeIdOf(decisionId, index);
          if (orders.has(hedgeId)) return; // republished: seen already
          const units = order.side === 'buy' ? order.quantity : -order.quantity;
          if (order.instrument.kind !== 'option') {
            orders.set(hedgeId, { instrument: order.instrument.kind, units });
            return;
          }
          const modelPrice = order.notionalUsd / order.quantity;
          orders.set(hedgeId, { instrument: 'option', units, modelPrice });
          // In flight, the option already counts in the book's option value (pnl.ts).
          t.book.optionHedgesAtModel += units * modelPrice;
        });
        return;
      }
      case 'Hedge Submitted':
        submitted.add(event.detail.hedgeId);
        note(event.type, accountId, `${event.detail.hedgeId} tx ${event.detail.txHash.slice(0, 10)}… nonce ${event.detail.nonce}`);
        return;
      case 'Hedge Confirmed': {
        if (confirmed.has(event.detail.hedgeId)) return;
        confirmed.add(event.detail.hedgeId);
        confirmedTxs.push({ accountId, txHash: event.detail.txHash });
        const oracle = market.at(-1)?.oracle ?? event.detail.priceUsd;
        const order = orders.get(event.detail.hedgeId);
        orders.delete(event.detail.hedgeId); // ended: a request is never published again
        const instrument = order?.instrument ?? 'spot';
        const fill = {
          instrument,
          units: event.detail.baseDelta,
          oracle,
          price: event.detail.priceUsd,
          ...(order?.modelPrice === undefined ? {} : { modelPrice: order.modelPrice }),
          ...(event.detail.fundingUsd === undefined ? {} : { fundingUsd: event.detail.fundingUsd }),
          gasEth: 0,
        };
        t.book.fills.push(fill);
        // A partial option fill: the book holds what was filled, not what was decided.
        if (order?.modelPrice !== undefined) t.book.optionHedgesAtModel += (event.detail.baseDelta - order.units) * order.modelPrice;
        // The event carries gas used, not its price: the receipt has both. Filled in when it answers.
        sources.gasCostEth?.(event.detail.txHash).then(
          (eth) => {
            fill.gasEth = eth;
          },
          () => undefined, // a P&L figure without gas beats no figure; the next status shows it when it can
        );
        t.awaitingCheck = true;
        const side = event.detail.baseDelta >= 0 ? 'bought' : 'sold';
        t.lastHedge = `${instrument} ${side} ${Math.abs(event.detail.baseDelta).toFixed(3)} @ ${event.detail.priceUsd.toFixed(2)}`;
        note(event.type, accountId, `${t.lastHedge} (block ${event.detail.blockNumber})`);
        return;
      }
      case 'Hedge Failed': {
        if (failed.has(event.detail.hedgeId)) return;
        failed.add(event.detail.hedgeId);
        // An option hedge that never traded leaves the book: so does its value at the model.
        const order = orders.get(event.detail.hedgeId);
        orders.delete(event.detail.hedgeId);
        if (order?.modelPrice !== undefined) t.book.optionHedgesAtModel -= order.units * order.modelPrice;
        t.guards.push({ t: sources.now(), hedgeId: event.detail.hedgeId, code: event.detail.code, message: event.detail.message });
        keepNewest(t.guards, STATUS_LIMITS.guards);
        t.lastHedge = `failed ${event.detail.code}`;
        note(event.type, accountId, `${event.detail.code}: ${event.detail.message}`);
        return;
      }
      case 'Risk Limit Breached':
        note(event.type, accountId, `${event.detail.code}: ${event.detail.message}`);
        return;
      case 'Positions Changed':
        note(event.type, accountId, `book changed in tx ${event.detail.txHash.slice(0, 10)}… (block ${event.detail.blockNumber})`);
        return;
      case 'Crash Mode Changed': {
        const since = Date.parse(event.detail.switchedAt);
        // Redelivered or late: an older switch never replaces a newer one.
        if (event.detail.to === 'crash') crashSwitches.add(`${accountId}:${event.detail.switchedAt}`);
        if (t.crashMode.since !== null && since <= t.crashMode.since) return;
        t.crashMode = { mode: event.detail.to, since, plan: event.detail.plan, reason: event.detail.reason };
        note(event.type, accountId, `${event.detail.from} → ${event.detail.to} (plan ${event.detail.plan}): ${event.detail.reason}`);
        return;
      }
      default:
        return;
    }
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
      const point = pnlPoint(t.book, snapshot, at);
      if (point !== undefined) {
        t.pnl.push(point);
        keepNewest(t.pnl, STATUS_LIMITS.pnlPoints);
      }
      if (t.awaitingCheck) {
        t.awaitingCheck = false;
        // A sliced hedge's later slices are part of what was decided: the delta they will leave
        // (the decision's projectedDelta: pending slices included) is what the band is checked on.
        const projected = snapshot.decision?.numbers.projectedDelta;
        const breached = afterHedge.record(projected === undefined ? snapshot.risk : { ...snapshot.risk, delta: projected }, config, edges);
        if (breached.length > 0) {
          const summary = `${breached.join('; ')} (evaluation ${snapshot.evaluationId}: ${snapshot.decision?.message ?? 'no decision'})`;
          note('Breach After Hedge', accountId, summary);
          sources.onBreachAfterHedge?.(accountId, summary);
        }
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
      return afterHedge.stats;
    },
    get crashesEntered() {
      return crashSwitches.size;
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
          crashMode: { ...t.crashMode },
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
