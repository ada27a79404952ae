/**
 * The guards a hedge passes before anything is signed, as pure checks over values the
 * dispatcher has read (kill switches, config, oracle, pool, quote). The first that trips
 * wins; its code and sentence are recorded on the hedge and emitted as Hedge Failed
 * (stage "guard"), never silent. The daily notional cap is not here: it is a reservation
 * in the store (atomic across concurrent dispatchers), see DispatchLimits.
 */

export type GuardCode =
  | 'GLOBAL_KILL_SWITCH'
  | 'ACCOUNT_PAUSED'
  | 'DRY_RUN'
  | 'EXECUTION_NOT_CONFIGURED'
  | 'CONTRACT_NOT_ALLOWED'
  | 'ORACLE_POOL_DEVIATION'
  | 'TRADE_NOTIONAL_CAP'
  | 'DAILY_NOTIONAL_CAP'
  | 'SLIPPAGE_ABOVE_LIMIT'
  | 'FEE_ABOVE_CAP'
  | 'OPTION_PREMIUM_ABOVE_LIMIT'
  | (string & {}); // the oracle checks' own codes (ORACLE_STALE, ...)

export type GuardVerdict = { readonly ok: true } | { readonly ok: false; readonly code: GuardCode; readonly message: string };

const PASS: GuardVerdict = { ok: true };
const trip = (code: GuardCode, message: string): GuardVerdict => ({ ok: false, code, message });

export interface PreTradeFacts {
  readonly globalKillSwitch: { readonly engaged: boolean; readonly reason?: string };
  readonly accountStatus: 'active' | 'paused';
  readonly dryRun: boolean;
  readonly executionConfigured: boolean;
  /** Every contract the transactions will be sent to, and the deployment's allow-list (any case). */
  readonly contracts: readonly string[];
  readonly allowedContracts: readonly string[];
}

/** The switches and the allow-list: checked before the chain is even read. */
export function checkPreTrade(facts: PreTradeFacts): GuardVerdict {
  if (facts.globalKillSwitch.engaged) {
    return trip('GLOBAL_KILL_SWITCH', `The global kill switch is engaged${facts.globalKillSwitch.reason ? ` (${facts.globalKillSwitch.reason})` : ''}: nothing is sent.`);
  }
  if (facts.accountStatus === 'paused') return trip('ACCOUNT_PAUSED', 'The account is paused (its kill switch): nothing is sent.');
  if (facts.dryRun) return trip('DRY_RUN', 'The account is in dry-run: the hedge is recorded, not sent.');
  if (!facts.executionConfigured) return trip('EXECUTION_NOT_CONFIGURED', 'The account has no execution block any more: nothing is sent.');
  const allowed = new Set(facts.allowedContracts.map((a) => a.toLowerCase()));
  const stranger = facts.contracts.find((c) => !allowed.has(c.toLowerCase()));
  if (stranger !== undefined) return trip('CONTRACT_NOT_ALLOWED', `Contract ${stranger} is not on the deployment's allow-list: nothing is sent.`);
  return PASS;
}

export interface MarketFacts {
  readonly oraclePrice: number;
  /** The venue's own price of the underlying (pool mid, perp mark); absent for venues without one (options). */
  readonly poolPrice?: number;
  readonly maxPoolDeviationBps: number;
  readonly tradeNotionalUsd: number;
  readonly maxTradeNotionalUsd: number;
}

/** Oracle against the venue's price, and the trade's size against the per-trade cap (valued at the oracle, or the premium). */
export function checkMarket(facts: MarketFacts): GuardVerdict {
  const deviationBps = facts.poolPrice === undefined ? 0 : (Math.abs(facts.poolPrice - facts.oraclePrice) / facts.oraclePrice) * 10_000;
  if (facts.poolPrice !== undefined && !(deviationBps <= facts.maxPoolDeviationBps)) {
    return trip(
      'ORACLE_POOL_DEVIATION',
      `The pool price ${round(facts.poolPrice)} is ${round(deviationBps)} bps from the oracle's ${round(facts.oraclePrice)} (limit ${facts.maxPoolDeviationBps} bps): nothing is sent.`,
    );
  }
  if (!(facts.tradeNotionalUsd <= facts.maxTradeNotionalUsd)) {
    return trip('TRADE_NOTIONAL_CAP', `The trade's notional ${round(facts.tradeNotionalUsd)} USD exceeds the per-trade cap of ${facts.maxTradeNotionalUsd} USD: nothing is sent.`);
  }
  return PASS;
}

/**
 * The quote's average price against the oracle: a sell may not receive, and a buy may not
 * pay, worse than `maxSlippageBps` from the oracle (fees and price impact included).
 */
export function checkQuoteSlippage(side: 'buy' | 'sell', quotePriceUsd: number, oraclePrice: number, maxSlippageBps: number): GuardVerdict {
  const worseBy = side === 'sell' ? oraclePrice - quotePriceUsd : quotePriceUsd - oraclePrice;
  const bps = (worseBy / oraclePrice) * 10_000;
  if (!(bps <= maxSlippageBps)) {
    return trip(
      'SLIPPAGE_ABOVE_LIMIT',
      `The venue quotes ${round(quotePriceUsd)} for a ${side}, ${round(bps)} bps worse than the oracle's ${round(oraclePrice)} (limit ${maxSlippageBps} bps): nothing is sent.`,
    );
  }
  return PASS;
}

/**
 * An option's quoted premium against the model's (the policy priced the order at the
 * oracle and its vol): buying may not pay, nor selling receive, worse than
 * `maxMarkupBps` of the model premium — an option venue's spread and fees are a share of
 * the premium, not of the underlying.
 */
export function checkOptionPremium(side: 'buy' | 'sell', quotedPremiumUsd: number, modelPremiumUsd: number, maxMarkupBps: number): GuardVerdict {
  const worseBy = side === 'buy' ? quotedPremiumUsd - modelPremiumUsd : modelPremiumUsd - quotedPremiumUsd;
  const bps = modelPremiumUsd > 0 ? (worseBy / modelPremiumUsd) * 10_000 : worseBy > 0 ? Infinity : 0;
  if (!(bps <= maxMarkupBps)) {
    return trip(
      'OPTION_PREMIUM_ABOVE_LIMIT',
      `The venue quotes a premium of ${round(quotedPremiumUsd)} for a ${side}, ${round(bps)} bps worse than the model's ${round(modelPremiumUsd)} (limit ${maxMarkupBps} bps): nothing is sent.`,
    );
  }
  return PASS;
}

/**
 * What is left of the slippage budget for the swap's own limit (min out / max in) once
 * the quote's distance from the oracle is spent: the executed price can then never be
 * worse than `maxSlippageBps` from the oracle (a quote-relative limit alone would allow
 * up to twice that). Whole basis points, rounded down, never negative.
 */
export function remainingSlippageBps(side: 'buy' | 'sell', quotePriceUsd: number, oraclePrice: number, maxSlippageBps: number): number {
  const worseBy = side === 'sell' ? oraclePrice - quotePriceUsd : quotePriceUsd - oraclePrice;
  const spent = Math.max(0, (worseBy / oraclePrice) * 10_000);
  return Math.max(0, Math.floor(maxSlippageBps - spent));
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
