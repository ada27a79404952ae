/** The stack's one-line status per tick: compact, for a terminal. */
import type { ExposureSnapshot } from '../../shared/contracts/exposure-snapshot.ts';
import type { MarketPoint } from '../market/market-simulator.ts';

export interface ConsoleLineInput {
  readonly tick: number;
  readonly market: MarketPoint;
  readonly crashing: boolean;
  readonly exposure: ExposureSnapshot | undefined;
  readonly band: number | null;
  readonly lastDecision: string | undefined;
  readonly lastHedge: string | undefined;
}

const signed = (value: number, digits: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function consoleLine(input: ConsoleLineInput): string {
  const risk = input.exposure?.risk;
  const parts = [
    `#${String(input.tick).padStart(4)}`,
    `ETH ${input.market.oracle.toFixed(2)} (pool ${input.market.pool.toFixed(2)})${input.crashing ? ' CRASH' : ''}`,
    risk === undefined ? 'Δ —' : `Δ ${signed(risk.delta, 3)}${input.band === null ? '' : ` / ±${input.band}`} Γ ${risk.gamma.toFixed(4)} vega ${risk.vegaPerVolPoint.toFixed(1)}`,
  ];
  if (input.lastDecision !== undefined) parts.push(`decision: ${clip(input.lastDecision, 60)}`);
  if (input.lastHedge !== undefined) parts.push(`hedge: ${input.lastHedge}`);
  return parts.join(' │ ');
}
