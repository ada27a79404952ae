/**
 * `hedge demo` (what `npm start` runs until the local stack exists): values a sample
 * options book on two underlyings and prints its risk — net Greeks per underlying in
 * units and USD, the per-expiry breakdown — and what the hedge policy engine decides
 * for each under a sample configuration.
 */
import { HedgePolicyConfigSchema, type HedgePolicyConfig } from '../../shared/contracts/hedge-policy-config.ts';
import { portfolioExposure, type UnderlyingExposure } from '../../shared/domain/exposure/portfolio-exposure.ts';
import type { MarketSnapshot, Position } from '../../shared/domain/exposure/positions.ts';
import { decideHedge } from '../../shared/domain/policy/decide-hedge.ts';
import { initialHedgeState } from '../../shared/domain/policy/hedge-state.ts';
import type { Decision } from '../../shared/domain/policy/policy-types.ts';

export const DEMO_HELP = `hedge demo — the risk of a sample options book (ETH and BTC), valued now, and what
the hedge policy engine decides for it under sample policies

Usage: hedge demo [--json]
  --json   print the exposure as JSON instead of tables
`;

const DAY_MS = 86_400_000;

export function sampleBook(nowMs: number): { positions: Position[]; market: MarketSnapshot } {
  const expiry = (days: number): number => nowMs + days * DAY_MS;
  return {
    market: {
      ETH: { spot: 3000, vol: 0.65, rate: 0.045, yield: 0.0 },
      BTC: { spot: 95000, vol: 0.5, rate: 0.045, yield: 0.0 },
    },
    positions: [
      // An options vault: covered-call style, short calls and puts sold to buyers.
      { kind: 'option', id: 'eth-c-3300-7d', underlying: 'ETH', optionType: 'call', strike: 3300, expiryMs: expiry(7), quantity: -400, vol: 0.62 },
      { kind: 'option', id: 'eth-c-3600-30d', underlying: 'ETH', optionType: 'call', strike: 3600, expiryMs: expiry(30), quantity: -250, vol: 0.66 },
      { kind: 'option', id: 'eth-p-2700-30d', underlying: 'ETH', optionType: 'put', strike: 2700, expiryMs: expiry(30), quantity: -300, vol: 0.71 },
      { kind: 'option', id: 'eth-p-2400-90d', underlying: 'ETH', optionType: 'put', strike: 2400, expiryMs: expiry(90), quantity: 150 },
      { kind: 'option', id: 'eth-c-2900-expired', underlying: 'ETH', optionType: 'call', strike: 2900, expiryMs: nowMs - DAY_MS, quantity: -50 },
      { kind: 'perp', id: 'eth-perp-hedge', underlying: 'ETH', quantity: 180 },
      { kind: 'option', id: 'btc-c-100k-14d', underlying: 'BTC', optionType: 'call', strike: 100000, expiryMs: expiry(14), quantity: -12 },
      { kind: 'option', id: 'btc-p-85k-60d', underlying: 'BTC', optionType: 'put', strike: 85000, expiryMs: expiry(60), quantity: -8 },
      { kind: 'future', id: 'btc-fut-90d', underlying: 'BTC', expiryMs: expiry(90), quantity: 2 },
      { kind: 'spot', id: 'btc-spot', underlying: 'BTC', quantity: 1.5 },
    ],
  };
}

/** Sample policies: a delta band with hysteresis, a size clip with slicing, a gamma limit (alert only). */
export const SAMPLE_POLICIES: Readonly<Record<string, HedgePolicyConfig>> = {
  ETH: HedgePolicyConfigSchema.parse({
    underlying: 'ETH',
    band: { unit: 'usd', trigger: 150_000, target: 'edge', edgeFraction: 0.5 },
    limits: { maxAbsGamma: 0.5 },
    guards: { minTradeUnits: 0.5, maxTradeUnits: 200 },
    slicing: { clipUnits: 50, slices: 3, windowMs: 15 * 60_000 },
  }),
  BTC: HedgePolicyConfigSchema.parse({
    underlying: 'BTC',
    band: { unit: 'units', trigger: 1, target: 'zero' },
    guards: { minTradeUnits: 0.01 },
  }),
};

/** The policy engine's decision for one underlying of the sample book (nothing hedged yet). */
export function sampleDecision(exposure: UnderlyingExposure, market: MarketSnapshot, nowMs: number): Decision | undefined {
  const config = SAMPLE_POLICIES[exposure.underlying];
  const m = market[exposure.underlying];
  if (!config || !m) return undefined;
  return decideHedge({
    risk: {
      delta: exposure.delta,
      gamma: exposure.gamma,
      vegaPerVolPoint: exposure.vegaPerVolPoint,
      optionNotionalUsd: exposure.optionNotionalUsd,
      yearsToExpiry: exposure.nearestExpiryYears,
    },
    market: { spot: m.spot, impliedVol: m.vol, rate: m.rate, yield: m.yield },
    config,
    state: initialHedgeState(nowMs),
    nowMs,
  });
}

const usd = (v: number): string => (v < 0 ? '-' : ' ') + '$' + Math.abs(v).toLocaleString('en-US', { maximumFractionDigits: 0 });
const num = (v: number, digits = 3): string => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function formatExposure(exposures: readonly UnderlyingExposure[], nowMs: number, decisions: ReadonlyMap<string, Decision> = new Map()): string {
  const lines: string[] = [];
  lines.push(`Risk of the sample book at ${new Date(nowMs).toISOString()} (Black-Scholes-Merton, ACT/365)`);
  for (const e of exposures) {
    lines.push('');
    lines.push(`${e.underlying} @ ${usd(e.spot).trim()} — ${e.positionCount} positions, options worth ${usd(e.optionValueUsd).trim()}`);
    lines.push(`  delta   ${num(e.delta).padStart(14)} ${e.underlying}   (${usd(e.dollarDelta).trim()} dollar delta, ${usd(e.deltaUsdPerPct).trim()} per 1% move)`);
    lines.push(`  gamma   ${num(e.gamma, 6).padStart(14)} ${e.underlying}/$ (${usd(e.gammaUsdPerPct).trim()} P&L from convexity on a 1% move)`);
    lines.push(`  vega    ${usd(e.vegaPerVolPoint).padStart(14)} per vol point`);
    lines.push(`  theta   ${usd(e.thetaPerDay).padStart(14)} per day`);
    lines.push('  by expiry:          days      delta        vega/pt     theta/day');
    for (const b of e.byExpiry) {
      lines.push(
        `    ${new Date(b.expiryMs).toISOString().slice(0, 10)}  ${num(b.yearsToExpiry * 365, 1).padStart(8)} ${num(b.delta).padStart(10)} ${usd(b.vegaPerUnitVol / 100).padStart(14)} ${usd(b.thetaPerYear / 365).padStart(13)}`,
      );
    }
    for (const x of e.expired) lines.push(`  expired: ${x.id} settles for ${usd(x.settlementValueUsd).trim()} at spot — settle it; it carries no risk`);
    const hedge = -e.delta;
    lines.push(`  → to be delta-flat: ${hedge >= 0 ? 'buy' : 'sell'} ${num(Math.abs(hedge))} ${e.underlying} (${usd(Math.abs(hedge) * e.spot).trim()})`);
    const decision = decisions.get(e.underlying);
    if (decision) {
      lines.push(`  policy [${decision.reason}] ${decision.message}`);
      for (const o of decision.orders) {
        lines.push(`    order: ${o.side} ${num(o.quantity)} ${o.instrument.kind} (slice ${o.sliceIndex + 1}/${o.sliceCount}), ${usd(o.notionalUsd).trim()}`);
      }
      if (decision.plannedSlices.length > 0) lines.push(`    then ${decision.plannedSlices.length} more slice(s) over the next minutes`);
      for (const a of decision.alerts) lines.push(`    alert ${a.code}: ${a.message}`);
    }
  }
  return lines.join('\n');
}

export function runDemo(args: readonly string[], nowMs: number): string {
  const { positions, market } = sampleBook(nowMs);
  const exposures = portfolioExposure(positions, market, nowMs);
  const decisions = new Map<string, Decision>();
  for (const e of exposures) {
    const decision = sampleDecision(e, market, nowMs);
    if (decision) decisions.set(e.underlying, decision);
  }
  return args.includes('--json')
    ? JSON.stringify({ nowMs, exposures, decisions: Object.fromEntries(decisions) }, null, 2)
    : formatExposure(exposures, nowMs, decisions);
}
