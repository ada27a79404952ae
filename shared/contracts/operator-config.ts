/**
 * The operator's part of an account's configuration: what moves money. The underlying the
 * account is set up for, where its market data comes from (chain, oracle, vol source) and
 * how its hedges may be executed (venues by instrument, ceilings on notional and slippage,
 * the transaction policy). Written only with the admin key
 * (`PUT /accounts/{id}/operator-config`), read-only to the account.
 *
 * The signer is never in a request: every account hedges from its own key, provisioned
 * when the operator creates the account, and the store writes it into `execution`.
 *
 * @example
 * {
 *   "underlying": "ETH",
 *   "market": { "chainId": 1, "oracle": { "address": "0x…", "maxStalenessMs": 3600000 }, "vol": { "source": "fixed", "value": 0.6 } },
 *   "execution": { "venues": [{ "kind": "uniswap-v3", "pool": "0x…", … }], "maxTradeNotionalUsd": 100000, "maxDailyNotionalUsd": 1000000,
 *                  "maxFeePerGasGwei": 200, "maxPriorityFeePerGasGwei": 3 }
 * }
 */
import * as z from 'zod';
import { MarketSourceSchema, OperatorExecutionSchema, StoredOperatorExecutionSchema } from './execution-config.ts';

const UnderlyingSchema = z.string().min(1);

/** The body of `PUT /accounts/{id}/operator-config`. */
export const OperatorConfigSchema = z.strictObject({
  /** The underlying the account's book and policy are on (the policy must name the same). */
  underlying: UnderlyingSchema,
  market: MarketSourceSchema,
  /** Absent: the account is advisory (decisions are recorded, nothing is sent). */
  execution: OperatorExecutionSchema.optional(),
});

/** As stored: the execution block carries the account's signer. */
export const StoredOperatorConfigSchema = z.strictObject({
  underlying: UnderlyingSchema,
  market: MarketSourceSchema,
  execution: StoredOperatorExecutionSchema.optional(),
});

export type OperatorConfig = z.output<typeof OperatorConfigSchema>;
export type OperatorConfigInput = z.input<typeof OperatorConfigSchema>;
export type StoredOperatorConfig = z.output<typeof StoredOperatorConfigSchema>;
