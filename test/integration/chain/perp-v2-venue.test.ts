// The Perp v2 perpetual venue on the local chain, against Perp's own contracts from the npm
// packages (local/chain/perp-v2-market.ts): the typed fragments match the package ABIs; the
// market trades at the oracle's price; a quote (Exchange.swap simulated from the
// ClearingHouse) is exactly what the trade then fills; longs, shorts, a reduction and a close
// decode exactly as readPosition sees them; collateral is deposited only when the margin
// needs it (exactly approved), up to the top-up target when there is one; a trade that would
// leave the margin under the floor is refused; funding accrues with the sign the mark/index
// premium gives it; the tick limit cuts what is fillable; a paused or unknown market is a
// QuoteRejectedError.
//
// Deterministic: the clock starts at a fixed time and every block is one second after the
// previous one (anvil's block-timestamp interval); each test starts from the snapshot taken
// after the market's deployment.
import { createPublicClient, createWalletClient, decodeFunctionData, erc20Abi, formatUnits, http, parseEther, parseUnits } from 'viem';
import type { Abi, AbiEvent, AbiFunction, AbiParameter, Address, Hex, TransactionReceipt } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { priceAggregatorAbi } from '../../../shared/adapters/chain/artifacts/price-aggregator.ts';
import {
  perpV2AccountBalanceAbi,
  perpV2BaseTokenAbi,
  perpV2ClearingHouseAbi,
  perpV2ClearingHouseConfigAbi,
  perpV2ExchangeAbi,
  perpV2MarketRegistryAbi,
  perpV2VaultAbi,
} from '../../../shared/adapters/chain/perp-v2-abi.ts';
import { perpV2Artifacts } from '../../../local/chain/perp-v2-artifacts.ts';
import { deployPerpV2Market } from '../../../local/chain/perp-v2-market.ts';
import type { PerpV2Market, PerpV2VenueInput } from '../../../local/chain/perp-v2-market.ts';
import { createPerpV2Venue, depositFor, marginAfterTrade, realizedPnlOf } from '../../../shared/adapters/venues/perp-v2-venue.ts';
import type { PerpMarginState } from '../../../shared/adapters/venues/perp-v2-venue.ts';
import { QuoteRejectedError } from '../../../shared/app/execution-ports.ts';
import type { ChainLog, ContractCall } from '../../../shared/app/execution-ports.ts';
import type { Venue, VenueFill, VenueOrder, VenueQuote } from '../../../shared/app/venue-port.ts';
import { PerpV2VenueSchema } from '../../../shared/contracts/execution-config.ts';
import { INITIAL_PRICE_USD, USDC_DECIMALS, revertOf, startChainFixture } from '../../support/chain-fixture.ts';
import type { ChainFixture, FixtureWalletClient } from '../../support/chain-fixture.ts';

/** 2033-05-18T03:33:20Z: after any wall clock the chain starts at, so the chain can be set to it. */
const START_SEC = 2_000_000_000n;
const SLIPPAGE_BPS = 50;
/** Explicit gas for sends: Perp's gas depends on block.timestamp (see the gas-headroom test). */
const TRADE_GAS = 2_000_000n;

let chain: ChainFixture;
let market: PerpV2Market;
let venue: Venue;
let snapshot: Hex;
const suiteStart = performance.now();

beforeAll(async () => {
  chain = await startChainFixture();
  await chain.testClient.setNextBlockTimestamp({ timestamp: START_SEC });
  await chain.testClient.mine({ blocks: 1 });
  await chain.testClient.setBlockTimestampInterval({ interval: 1 });
  market = await deployPerpV2Market(chain);
  console.log(`[perp-v2-venue] Perp deployment: ${market.deployment.ms.toFixed(0)} ms, ${market.deployment.transactions} transactions, ${market.deployment.gasUsed} gas`);
  venue = venueWith();
  snapshot = await chain.testClient.snapshot();
}, 60_000);
beforeEach(async () => {
  // anvil drops a snapshot once reverted to: take it again.
  await chain.testClient.revert({ id: snapshot });
  snapshot = await chain.testClient.snapshot();
});
afterAll(async () => {
  await chain?.stop();
  console.log(`[perp-v2-venue] suite run time ${(performance.now() - suiteStart).toFixed(0)} ms`);
});

const venueWith = (overrides: Partial<PerpV2VenueInput> = {}): Venue =>
  createPerpV2Venue({ client: chain.publicClient, venue: PerpV2VenueSchema.parse(market.venueConfig(overrides)) });
const usdc = (human: string): bigint => parseUnits(human, USDC_DECIMALS);
const eth = (human: string): bigint => parseUnits(human, 18);
const human18 = (raw: bigint): number => Number(formatUnits(raw, 18));
const chainLogs = (receipt: TransactionReceipt): ChainLog[] => receipt.logs.map(({ address, topics, data, logIndex }) => ({ address, topics, data, logIndex }));
const now = async (): Promise<bigint> => (await chain.publicClient.getBlock()).timestamp;
const walletUsdc = (account: Address): Promise<bigint> =>
  chain.publicClient.readContract({ address: market.addresses.collateralToken, abi: erc20Abi, functionName: 'balanceOf', args: [account] });
const markPrice = async (): Promise<number> =>
  human18(await chain.publicClient.readContract({ address: market.addresses.accountBalance, abi: perpV2AccountBalanceAbi, functionName: 'getMarkPrice', args: [market.addresses.baseToken] }));

/** A fresh account with ETH for gas, `wallet` USDC in its wallet and `deposited` USDC already in the Vault. */
async function newTrader(options: { wallet?: bigint; deposited?: bigint } = {}): Promise<FixtureWalletClient> {
  const trader = createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), chain: chain.chain, transport: http(chain.rpcUrl), pollingInterval: 10 });
  const address = trader.account.address;
  await chain.testClient.setBalance({ address, value: parseEther('10') });
  const deposited = options.deposited ?? 0n;
  await market.fundTrader(address, (options.wallet ?? 0n) + deposited);
  if (deposited > 0n) {
    await chain.confirm(await trader.writeContract({ address: market.addresses.collateralToken, abi: erc20Abi, functionName: 'approve', args: [market.addresses.vault, deposited] }));
    await chain.confirm(await trader.writeContract({ address: market.addresses.vault, abi: perpV2VaultAbi, functionName: 'deposit', args: [market.addresses.collateralToken, deposited] }));
  }
  return trader;
}

async function send(trader: FixtureWalletClient, call: ContractCall): Promise<TransactionReceipt> {
  return chain.confirm(await trader.sendTransaction({ to: call.to, data: call.data, value: call.value, gas: TRADE_GAS }));
}

/** quote → check → build → prerequisites → trade, as the dispatcher runs them. */
async function trade(
  trader: FixtureWalletClient,
  order: VenueOrder,
  v: Venue = venue,
): Promise<{ quote: VenueQuote; prerequisites: readonly ContractCall[]; call: ContractCall; receipt: TransactionReceipt; fill: VenueFill }> {
  const account = trader.account.address;
  const quote = await v.quote(order);
  expect(await v.checkTrade(quote, account)).toEqual({ ok: true });
  const built = await v.buildTrade(quote, { account, slippageBps: SLIPPAGE_BPS, deadlineSec: (await now()) + 300n });
  for (const prerequisite of built.prerequisites) await send(trader, prerequisite);
  const receipt = await send(trader, built.trade);
  const fill = v.decodeFill(chainLogs(receipt), account);
  if (fill === undefined) throw new Error('the receipt holds no fill of the trader');
  return { quote, prerequisites: built.prerequisites, call: built.trade, receipt, fill };
}

const openPositionArgs = (call: ContractCall) => {
  const decoded = decodeFunctionData({ abi: perpV2ClearingHouseAbi, data: call.data });
  if (decoded.functionName !== 'openPosition') throw new Error(`not a trade: ${decoded.functionName}`);
  return decoded.args[0];
};

describe('the typed fragments', () => {
  /** Same parameter types (tuples recursively) and indexed flags, and names wherever the fragment names them. */
  const sameParams = (ours: readonly AbiParameter[], theirs: readonly AbiParameter[], where: string): void => {
    expect(ours.length, `${where}: parameter count`).toBe(theirs.length);
    ours.forEach((param, i) => {
      const other = theirs[i]!;
      const at = `${where}.${param.name ?? i}`;
      expect(param.type, at).toBe(other.type);
      if (param.name) expect(param.name, at).toBe(other.name);
      expect((param as { indexed?: boolean }).indexed ?? false, `${at} indexed`).toBe((other as { indexed?: boolean }).indexed ?? false);
      if ('components' in param) sameParams(param.components, (other as { components: readonly AbiParameter[] }).components, at);
    });
  };
  const check = (fragment: Abi, full: Abi): void => {
    for (const item of fragment) {
      if (item.type !== 'function' && item.type !== 'event') continue;
      const matches = full.filter((other): other is AbiFunction | AbiEvent => other.type === item.type && other.name === item.name);
      expect(matches, `${item.type} ${item.name} in the package ABI`).toHaveLength(1);
      const other = matches[0]!;
      sameParams(item.inputs, other.inputs, `${item.name}(inputs)`);
      if (item.type === 'function') {
        expect(item.stateMutability, `${item.name} mutability`).toBe((other as AbiFunction).stateMutability);
        sameParams(item.outputs, (other as AbiFunction).outputs, `${item.name}(outputs)`);
      }
    }
  };

  it('match the package ABIs: functions with their mutability and outputs, events with their indexed fields', () => {
    const a = perpV2Artifacts;
    check(perpV2ClearingHouseAbi, a.clearingHouse.abi);
    check(perpV2VaultAbi, a.vault.abi);
    check(perpV2AccountBalanceAbi, a.accountBalance.abi);
    check(perpV2ExchangeAbi, a.exchange.abi);
    check(perpV2ClearingHouseConfigAbi, a.clearingHouseConfig.abi);
    check(perpV2MarketRegistryAbi, a.marketRegistry.abi);
    check(perpV2BaseTokenAbi, a.baseToken.abi);
  });
});

describe('the local Perp market', () => {
  it('is deployed and wired, trades at the oracle price, with a fresh oracle after the TWAP time jump', async () => {
    const { addresses } = market;
    for (const address of Object.values(addresses)) expect((await chain.publicClient.getCode({ address }))?.length ?? 0, address).toBeGreaterThan(2);
    expect(BigInt(addresses.baseToken) < BigInt(addresses.quoteToken)).toBe(true);
    expect(addresses.collateralToken).toBe(chain.addresses.usdc);
    expect(await market.marketPrice()).toBeCloseTo(INITIAL_PRICE_USD, 6);
    // The mark reads tick-based TWAPs: within one tick (0.01 %) of the pool.
    expect(Math.abs((await markPrice()) / INITIAL_PRICE_USD - 1)).toBeLessThan(1e-4);
    const [, , , updatedAt] = await chain.publicClient.readContract({ address: chain.addresses.priceAggregator, abi: priceAggregatorAbi, functionName: 'latestRoundData' });
    expect((await now()) - updatedAt).toBeLessThan(60n);
    expect(await now()).toBeGreaterThan(START_SEC + 30n * 60n);
    expect(market.deployment.transactions).toBeGreaterThan(40);

    expect(venue).toMatchObject({ id: 'perp-v2', kind: 'perp-v2', instrument: 'perp', contracts: [addresses.clearingHouse, addresses.vault, addresses.collateralToken] });
    // A small order costs the 0.1 % fee and next to no impact, each way.
    const buy = await venue.quote({ side: 'buy', quantity: 0.01 });
    const sell = await venue.quote({ side: 'sell', quantity: 0.01 });
    expect(buy.priceUsd / INITIAL_PRICE_USD).toBeCloseTo(1.001, 4);
    expect(sell.priceUsd / INITIAL_PRICE_USD).toBeCloseTo(0.999, 4);
    expect(buy.referencePriceUsd).toBe(await markPrice());
  });
});

describe('quote → check → build → send → decode', () => {
  const cases = [
    { side: 'buy', quantity: 1.5 },
    { side: 'sell', quantity: 2 },
  ] as const;

  it.each(cases)('a $side of $quantity ETH fills exactly what was quoted and decodes exactly as readPosition sees it', async ({ side, quantity }) => {
    // Prepare
    const trader = await newTrader({ deposited: usdc('10000') });
    const account = trader.account.address;
    const quote = await venue.quote({ side, quantity });
    expect(quote.fillableQuantity).toBe(quantity);
    expect(quote.details).toMatchObject({ side, baseToken: market.addresses.baseToken, amount: String(eth(String(quantity))) });
    expect(quote.gasEstimate).toBeGreaterThan(500_000n);
    const quoteDelta = BigInt(String(quote.details.quoteDelta));
    const fee = BigInt(String(quote.details.fee));
    // Impact on 1000 ETH of liquidity plus the 0.1 % fee: a long above the oracle, a short below, within 0.5 %.
    expect(side === 'buy' ? quote.priceUsd > INITIAL_PRICE_USD : quote.priceUsd < INITIAL_PRICE_USD).toBe(true);
    expect(Math.abs(quote.priceUsd / INITIAL_PRICE_USD - 1)).toBeLessThan(0.005);

    // Act
    const { prerequisites, call, fill } = await trade(trader, { side, quantity });

    // Assess: no deposit needed, the trade's bound is the quote's cash and the slippage.
    expect(prerequisites).toEqual([]);
    const params = openPositionArgs(call);
    const quoted = quoteDelta < 0n ? -quoteDelta : quoteDelta;
    expect(params).toMatchObject({ baseToken: market.addresses.baseToken, isBaseToQuote: side === 'sell', isExactInput: side === 'sell', amount: eth(String(quantity)), sqrtPriceLimitX96: 0n });
    expect(params.oppositeAmountBound).toBe(side === 'buy' ? (quoted * 10_050n + 9_999n) / 10_000n : (quoted * 9_950n) / 10_000n);
    // Nothing moved the pool between quote and trade: exactly the quote.
    expect(fill).toEqual({
      quantity: side === 'buy' ? quantity : -quantity,
      cashUsd: human18(quoteDelta),
      feesUsd: human18(fee),
      priceUsd: human18(((quoted + (side === 'buy' ? -fee : fee)) * 10n ** 18n) / eth(String(quantity))),
      fundingUsd: 0, // a first trade settles no funding
    });
    expect(Math.abs(fill.cashUsd / fill.quantity)).toBeCloseTo(quote.priceUsd, 9);

    const position = await venue.readPosition(account);
    expect(position.quantity).toBe(fill.quantity);
    const margin = position.margin!;
    expect(margin.collateralUsd).toBe(10_000);
    expect(margin.pendingFundingUsd).toBe(-0); // nothing accrued within the trade's block
    // Account value = collateral + the position at the mark + the cash paid or received (Perp answers it in the collateral's 6 decimals).
    expect(margin.accountValueUsd).toBeCloseTo(10_000 + fill.quantity * (await markPrice()) + fill.cashUsd, 5);
    expect(margin.marginRatio).toBeCloseTo(margin.accountValueUsd / (quantity * (await markPrice())), 9);
    expect(margin.maintenanceMarginRatio).toBe(0.0625);
    expect(margin.freeCollateralUsd).toBeGreaterThan(9_000);
    expect(margin.freeCollateralUsd).toBeLessThan(10_000);
  });

  it('a reduction and a close take the position down to nothing, each fill decoded exactly', async () => {
    const trader = await newTrader({ deposited: usdc('10000') });
    const account = trader.account.address;
    await trade(trader, { side: 'buy', quantity: 2 });

    const reduce = await trade(trader, { side: 'sell', quantity: 0.5 });
    expect(reduce.fill.quantity).toBe(-0.5);
    expect(reduce.fill.cashUsd).toBeGreaterThan(0);
    expect((await venue.readPosition(account)).quantity).toBe(1.5);

    const close = await trade(trader, { side: 'sell', quantity: 1.5 });
    expect(close.fill.quantity).toBe(-1.5);
    const position = await venue.readPosition(account);
    expect(position.quantity).toBe(0);
    expect(position.margin?.marginRatio).toBe(Infinity);
    // Round trip: the fees and the impact paid, realised into the collateral, nothing left in positions.
    expect(position.margin?.collateralUsd).toBeLessThan(10_000);
    expect(position.margin?.collateralUsd).toBeGreaterThan(9_980);
    // (Perp answers the account value in the collateral's 6 decimals.)
    expect(position.margin?.accountValueUsd).toBeCloseTo(position.margin?.collateralUsd ?? Number.NaN, 5);
  });

  it('a short flipped into a long decodes as one signed fill', async () => {
    const trader = await newTrader({ deposited: usdc('10000') });
    await trade(trader, { side: 'sell', quantity: 1 });
    const { fill } = await trade(trader, { side: 'buy', quantity: 3 });
    expect(fill.quantity).toBe(3);
    expect((await venue.readPosition(trader.account.address)).quantity).toBe(2);
  });
});

describe('collateral before the trade', () => {
  it('asks for nothing when the Vault already holds enough', async () => {
    const trader = await newTrader({ wallet: usdc('5000'), deposited: usdc('10000') });
    const quote = await venue.quote({ side: 'buy', quantity: 1 });
    const built = await venue.buildTrade(quote, { account: trader.account.address, slippageBps: SLIPPAGE_BPS, deadlineSec: (await now()) + 300n });
    expect(built.prerequisites).toEqual([]);
  });

  it("without a top-up, deposits what Perp's initial margin requires (exact approval, then deposit), and the trade goes through", async () => {
    const lowFloor = venueWith({ minMarginRatio: 0.05, alertMarginRatio: 0.1 });
    const trader = await newTrader({ wallet: usdc('10000') });
    const account = trader.account.address;

    const { prerequisites, fill } = await trade(trader, { side: 'buy', quantity: 1 }, lowFloor);

    expect(prerequisites).toHaveLength(2);
    const approval = decodeFunctionData({ abi: erc20Abi, data: prerequisites[0]!.data });
    const deposit = decodeFunctionData({ abi: perpV2VaultAbi, data: prerequisites[1]!.data });
    expect(prerequisites.map((p) => p.to)).toEqual([market.addresses.collateralToken, market.addresses.vault]);
    expect(deposit.functionName).toBe('deposit');
    const amount = deposit.args[1] as bigint;
    expect(approval).toEqual({ functionName: 'approve', args: [market.addresses.vault, amount] });
    // 10 % of the ~3000 USD debt, the fee, the cushion and the slippage the trade may still take.
    const notional = -fill.cashUsd;
    expect(Number(formatUnits(amount, USDC_DECIMALS)) / notional).toBeGreaterThan(0.1);
    expect(Number(formatUnits(amount, USDC_DECIMALS)) / notional).toBeLessThan(0.13);
    expect(await walletUsdc(account)).toBe(usdc('10000') - amount);
    const margin = (await lowFloor.readPosition(account)).margin!;
    expect(margin.freeCollateralUsd).toBeGreaterThan(0);
    expect(margin.marginRatio).toBeGreaterThan(0.1);
    expect(margin.marginRatio).toBeLessThan(0.13);
  });

  it('with a top-up, deposits up to the target ratio after the trade, at most what the wallet holds', async () => {
    const topUp = venueWith({ topUpToMarginRatio: 0.5 });
    const trader = await newTrader({ wallet: usdc('10000') });
    const account = trader.account.address;

    const { prerequisites } = await trade(trader, { side: 'buy', quantity: 2 }, topUp);

    expect(prerequisites).toHaveLength(2);
    const ratio = (await topUp.readPosition(account)).margin?.marginRatio ?? Number.NaN;
    // Deposited for the worst fill the slippage allows; the fill was the quote: a hair above the target.
    expect(ratio).toBeGreaterThanOrEqual(0.5);
    expect(ratio).toBeLessThan(0.51);

    // A wallet short of the target: all of it goes in, and the trade still passes the floor.
    const poor = await newTrader({ wallet: usdc('1000') });
    const { prerequisites: all } = await trade(poor, { side: 'buy', quantity: 1 }, topUp);
    expect(decodeFunctionData({ abi: perpV2VaultAbi, data: all[1]!.data }).args).toEqual([market.addresses.collateralToken, usdc('1000')]);
    expect(await walletUsdc(poor.account.address)).toBe(0n);
    const poorRatio = (await topUp.readPosition(poor.account.address)).margin?.marginRatio ?? Number.NaN;
    expect(poorRatio).toBeGreaterThan(0.3);
    expect(poorRatio).toBeLessThan(0.5);
  });

  it('refuses with MARGIN_FLOOR a trade that would leave the margin under the floor (tiny collateral, no top-up), with the numbers', async () => {
    const trader = await newTrader({ deposited: usdc('100') });
    const quote = await venue.quote({ side: 'buy', quantity: 1 });

    const check = await venue.checkTrade(quote, trader.account.address);

    expect(check).toMatchObject({ ok: false, code: 'MARGIN_FLOOR' });
    const message = (check as { message: string }).message;
    expect(message).toMatch(/margin ratio after this trade would be 3\.\d\d %/);
    expect(message).toMatch(/under the floor of 20\.00 %/);
    // Perp itself would refuse it too.
    const built = await venue.buildTrade(quote, { account: trader.account.address, slippageBps: SLIPPAGE_BPS, deadlineSec: (await now()) + 300n });
    expect(built.prerequisites).toEqual([]); // nothing to deposit from an empty wallet
    const { args } = await revertOf(
      chain.publicClient.simulateContract({ account: trader.account, address: built.trade.to, abi: perpV2ClearingHouseAbi, functionName: 'openPosition', args: [openPositionArgs(built.trade)] }),
    );
    expect(args).toEqual(['CH_NEFCI']);
  });

  it("refuses with MARGIN_INSUFFICIENT a trade above the floor that Perp's initial margin would still refuse, when the wallet cannot cover it", async () => {
    const lowFloor = venueWith({ minMarginRatio: 0.05, alertMarginRatio: 0.1 });
    const trader = await newTrader({ deposited: usdc('300') });
    const quote = await lowFloor.quote({ side: 'buy', quantity: 1 });

    // ~9.8 % after the trade: above a 5 % floor, under Perp's 10 % initial margin.
    expect(await lowFloor.checkTrade(quote, trader.account.address)).toMatchObject({ ok: false, code: 'MARGIN_INSUFFICIENT' });
    await market.fundTrader(trader.account.address, usdc('100'));
    expect(await lowFloor.checkTrade(quote, trader.account.address)).toEqual({ ok: true });
  });

  it('never refuses a trade that raises the margin ratio (a reduction), even under the floor', async () => {
    const trader = await newTrader({ deposited: usdc('700') });
    await trade(trader, { side: 'buy', quantity: 1 }, venueWith({ minMarginRatio: 0.05, alertMarginRatio: 0.1 }));
    // ~23 % margin: the default floor (20 %) is met; a floor of 30 % is not, before or after a reduction.
    const strict = venueWith({ minMarginRatio: 0.3, alertMarginRatio: 0.3 });
    expect(await strict.checkTrade(await strict.quote({ side: 'buy', quantity: 0.1 }), trader.account.address)).toMatchObject({ ok: false, code: 'MARGIN_FLOOR' });
    expect(await strict.checkTrade(await strict.quote({ side: 'sell', quantity: 0.1 }), trader.account.address)).toEqual({ ok: true });
  });
});

describe('funding and the mark', () => {
  it('moveMarkTo moves the mark; after an hour above the index the long pays funding and the short receives it', async () => {
    const long = await newTrader({ deposited: usdc('10000') });
    const short = await newTrader({ deposited: usdc('10000') });
    const opened = await trade(long, { side: 'buy', quantity: 1 });
    expect(opened.fill.fundingUsd).toBe(0); // nothing to settle on a first trade
    await trade(short, { side: 'sell', quantity: 1 });

    const reached = await market.moveMarkTo(INITIAL_PRICE_USD * 1.02);
    expect(reached).toBeCloseTo(INITIAL_PRICE_USD * 1.02, 6);
    await chain.testClient.setNextBlockTimestamp({ timestamp: (await now()) + 3_600n });
    await chain.testClient.mine({ blocks: 1 });

    // The mark (median of the pool's TWAPs and the index plus premium) followed the pool; the index stayed.
    expect(await markPrice()).toBeGreaterThan(INITIAL_PRICE_USD * 1.019);
    const index = human18(await chain.publicClient.readContract({ address: market.addresses.baseToken, abi: perpV2BaseTokenAbi, functionName: 'getIndexPrice', args: [0n] }));
    expect(index).toBe(INITIAL_PRICE_USD);
    // ~60 USD premium on 1 ETH for an hour: 60 · 3600 / 86400 = 2.5 USD a side.
    const longFunding = (await venue.readPosition(long.account.address)).margin?.pendingFundingUsd ?? Number.NaN;
    const shortFunding = (await venue.readPosition(short.account.address)).margin?.pendingFundingUsd ?? Number.NaN;
    expect(longFunding).toBeLessThan(-1.5);
    expect(longFunding).toBeGreaterThan(-3);
    expect(shortFunding).toBeGreaterThan(1.5);
    expect(shortFunding).toBeLessThan(3);
    // Account value = collateral + unrealised P&L + funding: it counts the funding owed.
    const position = await venue.readPosition(long.account.address);
    const margin = position.margin!;
    expect(margin.accountValueUsd).toBeLessThan(margin.collateralUsd + (await markPrice()) - INITIAL_PRICE_USD);

    // The next trade settles the funding on the way: its fill reports it (paid, as the
    // hedge P&L's funding line reads it) and nothing is pending after it.
    const reduced = await trade(long, { side: 'sell', quantity: 0.5 });
    expect(reduced.fill.fundingUsd).toBeLessThan(0);
    expect(reduced.fill.fundingUsd).toBeCloseTo(longFunding, 1); // one more block of accrual at most
    expect(Math.abs((await venue.readPosition(long.account.address)).margin?.pendingFundingUsd ?? Number.NaN)).toBeLessThan(1e-9);
    const received = await trade(short, { side: 'buy', quantity: 0.5 });
    expect(received.fill.fundingUsd).toBeGreaterThan(0);
  });

  it('moveMarkTo follows the oracle down and back; a move past the tick limit is cut, not refused', async () => {
    expect(await market.moveMarkTo(2_900)).toBeCloseTo(2_900, 6);
    expect(await market.moveMarkTo(3_000)).toBeCloseTo(3_000, 6);
    // 30 % in one step: Perp lets the price move ~10 % per 15 s; the move stops short of it.
    const reached = await market.moveMarkTo(2_100);
    expect(reached).toBeLessThan(3_000);
    expect(reached).toBeGreaterThan(2_100);
  });
});

describe('what is fillable', () => {
  it('the whole order within the tick limit; under a tighter limit, the largest size that passes, which then trades', async () => {
    expect((await venue.quote({ side: 'buy', quantity: 20 })).fillableQuantity).toBe(20);
    // 10 ticks (~0.1 %) per 15 s: 20 ETH on 1000 ETH of liquidity moves the price ~4 %.
    await chain.confirm(await chain.deployer.writeContract({ address: market.addresses.exchange, abi: perpV2Artifacts.exchange.abi, functionName: 'setMaxTickCrossedWithinBlock', args: [market.addresses.baseToken, 10] }));
    const trader = await newTrader({ deposited: usdc('100000') });

    const quote = await venue.quote({ side: 'buy', quantity: 20 });

    expect(quote.details.cappedBy).toBe('EX_OPLAS');
    expect(quote.fillableQuantity).toBeGreaterThan(0.3);
    expect(quote.fillableQuantity).toBeLessThan(1);
    const { fill } = await trade(trader, { side: 'buy', quantity: quote.fillableQuantity });
    expect(fill.quantity).toBe(quote.fillableQuantity);
    // Nothing is left within this block's limit.
    expect((await venue.quote({ side: 'buy', quantity: 1 })).fillableQuantity).toBeLessThan(0.01);
  });
});

describe('refusals', () => {
  it('a paused market (BaseToken paused, or no ticks allowed) and an unknown market are QuoteRejectedErrors; a node failure is not', async () => {
    const unknown = venueWith({ baseToken: market.addresses.quoteToken });
    await expect(unknown.quote({ side: 'buy', quantity: 1 })).rejects.toThrow(/no market for base token/);
    await expect(unknown.quote({ side: 'buy', quantity: 1 })).rejects.toBeInstanceOf(QuoteRejectedError);
    const wrongDecimals = venueWith({ collateralDecimals: 18 });
    await expect(wrongDecimals.quote({ side: 'buy', quantity: 1 })).rejects.toThrow(/collateral token has 6 decimals, config says 18/);

    await chain.confirm(await chain.deployer.writeContract({ address: market.addresses.exchange, abi: perpV2Artifacts.exchange.abi, functionName: 'setMaxTickCrossedWithinBlock', args: [market.addresses.baseToken, 0] }));
    await expect(venue.quote({ side: 'buy', quantity: 1 })).rejects.toThrow(/paused \(no ticks may be crossed\)/);
    await chain.confirm(await chain.deployer.writeContract({ address: market.addresses.exchange, abi: perpV2Artifacts.exchange.abi, functionName: 'setMaxTickCrossedWithinBlock', args: [market.addresses.baseToken, 1000] }));
    expect((await venue.quote({ side: 'buy', quantity: 1 })).fillableQuantity).toBe(1);

    await chain.confirm(await chain.deployer.writeContract({ address: market.addresses.baseToken, abi: perpV2Artifacts.baseToken.abi, functionName: 'pause' }));
    await expect(venue.quote({ side: 'sell', quantity: 1 })).rejects.toThrow(/is not open/);
    await expect(venue.quote({ side: 'sell', quantity: 1 })).rejects.toBeInstanceOf(QuoteRejectedError);
    await expect(venue.quote({ side: 'buy', quantity: 1, series: { optionType: 'call', strike: 3000, expiryMs: 0 } })).rejects.toBeInstanceOf(QuoteRejectedError);

    const unreachable = createPerpV2Venue({ client: createPublicClient({ transport: http('http://127.0.0.1:9', { retryCount: 0 }) }), venue: PerpV2VenueSchema.parse(market.venueConfig()) });
    const failure = await unreachable.quote({ side: 'sell', quantity: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(QuoteRejectedError);
  });

  it("a trade built from a quote the market has since moved away from reverts on its own bound (CH_TMRL / CH_TLRS)", async () => {
    const trader = await newTrader({ deposited: usdc('10000') });
    for (const [side, away, reason] of [
      ['buy', 1.01, 'CH_TMRL'],
      ['sell', 0.99, 'CH_TLRS'],
    ] as const) {
      const stale = await venue.quote({ side, quantity: 1 });
      const built = await venue.buildTrade(stale, { account: trader.account.address, slippageBps: 10, deadlineSec: (await now()) + 300n });
      await market.moveMarkTo(INITIAL_PRICE_USD * away);
      const { args } = await revertOf(chain.publicClient.simulateContract({ account: trader.account, address: built.trade.to, abi: perpV2ClearingHouseAbi, functionName: 'openPosition', args: [openPositionArgs(built.trade)] }));
      expect(args?.[0]).toBe(reason);
      await market.moveMarkTo(INITIAL_PRICE_USD);
    }
  });

  it('decodeFill is undefined for another trader, another contract and a receipt without a fill', async () => {
    const trader = await newTrader({ deposited: usdc('10000') });
    const { receipt } = await trade(trader, { side: 'buy', quantity: 1 });
    const logs = chainLogs(receipt);
    expect(venue.decodeFill(logs, trader.account.address)).toBeDefined();
    expect(venue.decodeFill(logs, chain.deployer.account.address)).toBeUndefined();
    expect(venue.decodeFill(logs.map((log) => ({ ...log, address: market.addresses.vault })), trader.account.address)).toBeUndefined();
    expect(venue.decodeFill([], trader.account.address)).toBeUndefined();
  });
});

describe('gas', () => {
  it('an estimate at the block of the last trade falls short when the trade lands 15 s later: the headroom Perp needs', async () => {
    const trader = await newTrader({ deposited: usdc('10000') });
    await trade(trader, { side: 'buy', quantity: 1 });
    const built = await venue.buildTrade(await venue.quote({ side: 'buy', quantity: 1 }), { account: trader.account.address, slippageBps: SLIPPAGE_BPS, deadlineSec: (await now()) + 3_600n });
    const { number, timestamp } = await chain.publicClient.getBlock();
    // As the gateway estimates: at the latest block, whose timestamp is the last trade's (funding, TWAP caches and tick reference all up to date).
    const estimate = await chain.publicClient.estimateGas({ account: trader.account.address, to: built.trade.to, data: built.trade.data, blockNumber: number });
    await chain.testClient.setNextBlockTimestamp({ timestamp: timestamp + 16n });
    const receipt = await send(trader, built.trade);
    const ratio = Number(receipt.gasUsed) / Number(estimate);
    console.log(`[perp-v2-venue] openPosition gas: estimate ${estimate} at the last trade's block, used ${receipt.gasUsed} 16 s later (×${ratio.toFixed(3)})`);
    expect(ratio).toBeGreaterThan(1.1);
    expect(ratio).toBeLessThan(1.25);
  });
});

describe('the margin arithmetic', () => {
  const flat: PerpMarginState = {
    accountValue: eth('1000'),
    unrealizedPnl: 0n,
    totalAbsPositionValue: 0n,
    positionSize: 0n,
    takerPositionSize: 0n,
    takerOpenNotional: 0n,
    market: { base: 0n, quote: 0n, markPrice: eth('3000') },
    otherMarkets: [],
    imRatio: 100_000n,
    mmRatio: 62_500n,
  };

  it('a long: value at the mark less the cash paid, debt the cash, the initial ratio plus the cushion charged on it', () => {
    const after = marginAfterTrade(flat, { positionDelta: eth('1'), quoteDelta: -eth('3003') });
    expect(after.accountValue).toBe(eth('997'));
    expect(after.totalAbsPositionValue).toBe(eth('3000'));
    expect(after.freeCollateral).toBe(eth('997') - (eth('3003') * 105n) / 1000n);
    expect(after.marginRatioBefore).toBe(Infinity);
    expect(after.marginRatioAfter).toBeCloseTo(997 / 3000, 12);
    expect(depositFor(after, { walletBalance: eth('5000') })).toBe(0n);
    expect(depositFor(after, { topUpToMarginRatio: 0.5, walletBalance: eth('5000') })).toBe(eth('503'));
    expect(depositFor(after, { topUpToMarginRatio: 0.5, walletBalance: eth('100') })).toBe(eth('100'));
  });

  it("realises P&L as Perp does: on a reduction pro rata of the open notional, on a flip the closed part's", () => {
    // Long 2 opened for 6000: sell 1 for 3100 realises 100; sell 3 for 9300 closes 2 (for 6200) and realises 200.
    expect(realizedPnlOf(eth('2'), -eth('6000'), { positionDelta: -eth('1'), quoteDelta: eth('3100') })).toBe(eth('100'));
    expect(realizedPnlOf(eth('2'), -eth('6000'), { positionDelta: -eth('3'), quoteDelta: eth('9300') })).toBe(eth('200'));
    expect(realizedPnlOf(eth('2'), -eth('6000'), { positionDelta: eth('1'), quoteDelta: -eth('3100') })).toBe(0n);
    expect(realizedPnlOf(0n, 0n, { positionDelta: eth('1'), quoteDelta: -eth('3100') })).toBe(0n);
  });

  it('a reduction is checked at the maintenance ratio, a short charges its base debt at the mark', () => {
    const long: PerpMarginState = {
      ...flat,
      accountValue: eth('400'),
      unrealizedPnl: -eth('100'),
      totalAbsPositionValue: eth('6000'),
      positionSize: eth('2'),
      takerPositionSize: eth('2'),
      takerOpenNotional: -eth('6100'),
      market: { base: eth('2'), quote: -eth('6100'), markPrice: eth('3000') },
    };
    const reduce = marginAfterTrade(long, { positionDelta: -eth('1'), quoteDelta: eth('2990') });
    // Realised −60 (2990 − 3050): collateral 500 − 60; value 400 − 3000 + 2990; debt 3050 at 6.25 % + 0.5 %.
    expect(reduce.accountValue).toBe(eth('390'));
    expect(reduce.freeCollateral).toBe(eth('390') - (eth('3050') * 67_500n) / 1_000_000n);
    const short = marginAfterTrade(flat, { positionDelta: -eth('1'), quoteDelta: eth('2997') });
    expect(short.freeCollateral).toBe(eth('997') - (eth('3000') * 105n) / 1000n);
  });
});
