import { describe, expect, it } from 'vitest';
import { checkMarket, checkOptionPremium, checkPreTrade, checkQuoteSlippage, remainingSlippageBps } from '../../../../shared/domain/dispatch/dispatch-guards.ts';

const ROUTER = '0x00000000000000000000000000000000000000Aa';
const pre = {
  globalKillSwitch: { engaged: false },
  accountStatus: 'active' as const,
  dryRun: false,
  executionConfigured: true,
  contracts: [ROUTER],
  allowedContracts: [ROUTER.toLowerCase()],
};

describe('pre-trade guards', () => {
  it('pass when nothing is switched off and every contract is allowed (any case)', () => {
    expect(checkPreTrade(pre)).toEqual({ ok: true });
  });

  it('trip in order: global kill switch, account paused, dry-run, no execution, a contract not allowed', () => {
    expect(checkPreTrade({ ...pre, globalKillSwitch: { engaged: true, reason: 'drill' }, accountStatus: 'paused' })).toMatchObject({ ok: false, code: 'GLOBAL_KILL_SWITCH' });
    expect(checkPreTrade({ ...pre, accountStatus: 'paused', dryRun: true })).toMatchObject({ ok: false, code: 'ACCOUNT_PAUSED' });
    expect(checkPreTrade({ ...pre, dryRun: true })).toMatchObject({ ok: false, code: 'DRY_RUN' });
    expect(checkPreTrade({ ...pre, executionConfigured: false })).toMatchObject({ ok: false, code: 'EXECUTION_NOT_CONFIGURED' });
    expect(checkPreTrade({ ...pre, allowedContracts: [] })).toMatchObject({ ok: false, code: 'CONTRACT_NOT_ALLOWED' });
  });
});

describe('market guards', () => {
  const market = { oraclePrice: 3000, poolPrice: 3000, maxPoolDeviationBps: 100, tradeNotionalUsd: 10_000, maxTradeNotionalUsd: 10_000 };

  it('allow a deviation and a notional exactly at their limits', () => {
    expect(checkMarket({ ...market, poolPrice: 3030 })).toEqual({ ok: true });
  });

  it('trip just beyond them', () => {
    expect(checkMarket({ ...market, poolPrice: 3030.01 })).toMatchObject({ ok: false, code: 'ORACLE_POOL_DEVIATION' });
    expect(checkMarket({ ...market, tradeNotionalUsd: 10_000.01 })).toMatchObject({ ok: false, code: 'TRADE_NOTIONAL_CAP' });
  });
});

describe('slippage', () => {
  it('judges the quote against the oracle on the side that hurts', () => {
    expect(checkQuoteSlippage('buy', 3015, 3000, 50)).toEqual({ ok: true });
    expect(checkQuoteSlippage('buy', 3015.1, 3000, 50)).toMatchObject({ ok: false, code: 'SLIPPAGE_ABOVE_LIMIT' });
    expect(checkQuoteSlippage('sell', 2985, 3000, 50)).toEqual({ ok: true });
    expect(checkQuoteSlippage('sell', 2984.9, 3000, 50)).toMatchObject({ ok: false, code: 'SLIPPAGE_ABOVE_LIMIT' });
    expect(checkQuoteSlippage('sell', 3100, 3000, 0)).toEqual({ ok: true }); // better than the oracle
  });

  it('leaves the swap only the rest of the budget, so execution stays within the limit from the oracle', () => {
    expect(remainingSlippageBps('buy', 3009, 3000, 50)).toBe(20); // 30 bps spent by the quote
    expect(remainingSlippageBps('sell', 2991, 3000, 50)).toBe(20);
    expect(remainingSlippageBps('buy', 2990, 3000, 50)).toBe(50); // a quote better than the oracle spends nothing
    expect(remainingSlippageBps('buy', 3030, 3000, 50)).toBe(0);
  });
});

describe('option premium and venues without a price of their own', () => {
  it('a premium worse than the model by more than the markup is refused, either side; better always passes', () => {
    expect(checkOptionPremium('buy', 110, 100, 1_000)).toEqual({ ok: true });
    expect(checkOptionPremium('buy', 110.01, 100, 1_000)).toMatchObject({ ok: false, code: 'OPTION_PREMIUM_ABOVE_LIMIT' });
    expect(checkOptionPremium('sell', 90, 100, 1_000)).toEqual({ ok: true });
    expect(checkOptionPremium('sell', 89.99, 100, 1_000)).toMatchObject({ ok: false, code: 'OPTION_PREMIUM_ABOVE_LIMIT' });
    expect(checkOptionPremium('buy', 50, 100, 0)).toEqual({ ok: true });
    // A model premium of zero: any price paid is infinitely worse.
    expect(checkOptionPremium('buy', 0.01, 0, 100_000)).toMatchObject({ ok: false });
  });

  it('without a venue price (options) only the notional cap is checked', () => {
    expect(checkMarket({ oraclePrice: 3000, maxPoolDeviationBps: 0, tradeNotionalUsd: 10, maxTradeNotionalUsd: 10 })).toEqual({ ok: true });
    expect(checkMarket({ oraclePrice: 3000, maxPoolDeviationBps: 0, tradeNotionalUsd: 11, maxTradeNotionalUsd: 10 })).toMatchObject({ ok: false, code: 'TRADE_NOTIONAL_CAP' });
  });
});
