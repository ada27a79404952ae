/** The stack's status line, one per tenant per tick: compact, for a terminal. */
import type { ExposureSnapshot } from '../../shared/contracts/exposure-snapshot.ts';
import { HedgePolicyConfigSchema, type AccountPolicyInput } from '../../shared/contracts/hedge-policy-config.ts';
import type { MarketPoint } from '../market/market-simulator.ts';
import { bandEdges } from './status-collector.ts';

export interface ConsoleLineInput {
  readonly tick: number;
  /** The tenant's short name. */
  readonly label?: string;
  readonly market: MarketPoint;
  readonly crashing: boolean;
  readonly exposure: ExposureSnapshot | undefined;
  readonly band: number | null;
  readonly lastDecision: string | undefined;
  readonly lastHedge: string | undefined;
}

const signed = (value: number, digits: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The half-width of a tenant's band in units at `spot` (null without one), as the engine reads its policy. */
export function policyBandUnits(policy: AccountPolicyInput, spot: number): number | null {
  // The account's own execution limits are dispatch's, not the engine's.
  const { executionLimits: _limits, ...engine } = policy;
  return bandEdges(HedgePolicyConfigSchema.parse(engine), spot).upper;
}

export function consoleLine(input: ConsoleLineInput): string {
  const risk = input.exposure?.risk;
  const parts = [
    `#${String(input.tick).padStart(4)}${input.label === undefined ? '' : ` ${input.label.padEnd(5)}`}`,
    `ETH ${input.market.oracle.toFixed(2)} (pool ${input.market.pool.toFixed(2)})${input.crashing ? ' CRASH' : ''}`,
    risk === undefined ? 'Δ —' : `Δ ${signed(risk.delta, 3)}${input.band === null ? '' : ` / ±${input.band}`} Γ ${risk.gamma.toFixed(4)} vega ${risk.vegaPerVolPoint.toFixed(1)}`,
  ];
  if (input.lastDecision !== undefined) parts.push(`decision: ${clip(input.lastDecision, 60)}`);
  if (input.lastHedge !== undefined) parts.push(`hedge: ${input.lastHedge}`);
  return parts.join(' │ ');
}
