/** A stored hedge record (decision, steps) as the status shows it (HedgeViewSchema). */
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

export function hedgeView(stored: StoredHedgeRecordLike): HedgeView {
  const order = (stored.record.order ?? {}) as { side?: unknown; quantity?: unknown };
  const last = stored.steps.at(-1)?.data ?? {};
  const confirmed = stored.steps.find((step) => step.stage === 'confirmed')?.data;
  const txHash = text(confirmed?.txHash) ?? [...stored.steps].reverse().map((step) => text(step.data.txHash) ?? text(step.data.hash)).find((hash) => hash !== null) ?? null;
  const ended = stored.stage === 'failed' || stored.stage === 'skipped';
  return {
    hedgeId: stored.hedgeId,
    t: Date.parse(stored.at),
    stage: stored.stage,
    side: order.side === 'sell' ? 'sell' : 'buy',
    quantity: finiteOr(order.quantity, 0) ?? 0,
    priceUsd: finiteOr(confirmed?.priceUsd, null),
    txHash,
    code: ended ? (text(last.code) ?? text(stored.record.skipped) ?? stored.stage) : null,
    message: ended ? (text(last.message) ?? String(stored.record.message ?? '')) : String(stored.record.message ?? ''),
  };
}
