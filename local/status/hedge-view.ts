/**
 * A stored hedge record (decision, steps) as the status shows it (HedgeViewSchema): with
 * its instrument (from the order), and once confirmed the venue that filled it and, for a
 * routed fill, how many pools (legs) it was split across.
 */
import type { StackStatus } from '../status-schema.ts';

type HedgeView = StackStatus['accounts'][number]['hedges'][number];

export interface StoredHedgeRecordLike {
  readonly hedgeId: string;
  readonly at: string;
  readonly record: Record<string, unknown>;
  readonly stage: HedgeView['stage'];
  readonly steps: readonly { readonly stage: string; readonly data: Record<string, unknown> }[];
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const finiteOr = (value: unknown, fallback: number | null): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

const INSTRUMENTS: ReadonlySet<string> = new Set(['spot', 'perp', 'option']);

export function hedgeView(stored: StoredHedgeRecordLike): HedgeView {
  const order = (stored.record.order ?? {}) as { side?: unknown; quantity?: unknown; instrument?: { kind?: unknown; id?: unknown } };
  const kind = order.instrument?.kind;
  const last = stored.steps.at(-1)?.data ?? {};
  const confirmed = stored.steps.find((step) => step.stage === 'confirmed')?.data;
  const txHash = text(confirmed?.txHash) ?? [...stored.steps].reverse().map((step) => text(step.data.txHash) ?? text(step.data.hash)).find((hash) => hash !== null) ?? null;
  const ended = stored.stage === 'failed' || stored.stage === 'skipped';
  const legs = finiteOr(confirmed?.legs, null);
  return {
    hedgeId: stored.hedgeId,
    t: Date.parse(stored.at),
    stage: stored.stage,
    // Records from before venues had instruments were all spot swaps.
    instrument: typeof kind === 'string' && INSTRUMENTS.has(kind) ? (kind as HedgeView['instrument']) : 'spot',
    instrumentId: text(order.instrument?.id),
    venueId: text(confirmed?.venueId),
    legs: legs === null ? null : Math.max(1, Math.round(legs)),
    side: order.side === 'sell' ? 'sell' : 'buy',
    quantity: finiteOr(order.quantity, 0) ?? 0,
    priceUsd: finiteOr(confirmed?.priceUsd, null),
    txHash,
    code: ended ? (text(last.code) ?? text(stored.record.skipped) ?? stored.stage) : null,
    message: ended ? (text(last.message) ?? String(stored.record.message ?? '')) : String(stored.record.message ?? ''),
  };
}
