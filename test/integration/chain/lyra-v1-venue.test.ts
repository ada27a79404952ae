// The Lyra v1 option venue on the local chain, against Lyra's own contracts from the npm
// package (local/chain/lyra-market.ts): the typed fragments match the package ABIs; a quote
// (an eth_call of openPosition from a quoter funded by state overrides) is what the trade
// then costs; buys open, sells of what is held close, a sell that would open a short is
// refused without shortCollateralMultiple and collateralised with it; a series Lyra does
// not list (or past its trading cutoff) is a QuoteRejectedError; spot moves premiums the
// expected way; at expiry the keeper settles board and positions and nothing is held.
//
// Deterministic: the clock starts at a fixed time and every block is one second after the
// previous one (anvil's block timestamp interval), so expiries, premiums and fees are the
// same on every run; each test starts from the snapshot taken after Lyra's deployment.
import { decodeFunctionData, erc20Abi, formatUnits, parseUnits } from 'viem';
import type { Abi, AbiFunction, AbiParameter, Address, Hex, TransactionReceipt } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lyraArtifactErrorsAbi, lyraArtifacts, lyraLocalAbis } from '../../../local/chain/lyra-artifacts.ts';
import { defaultStrikes, deployLyraMarket } from '../../../local/chain/lyra-market.ts';
import type { LyraBoardListing, LyraMarket } from '../../../local/chain/lyra-market.ts';
import { LYRA_OPTION_TYPE, lyraOptionGreekCacheAbi, lyraOptionMarketAbi, lyraOptionTokenAbi, lyraTradeErrorsAbi } from '../../../shared/adapters/chain/lyra-abi.ts';
import { createLyraPositionReader } from '../../../shared/adapters/chain/lyra-position-reader.ts';
import type { LyraPositionReader } from '../../../shared/adapters/chain/lyra-position-reader.ts';
import { createLyraV1Venue, maximumTotalCost, minimumTotalCost } from '../../../shared/adapters/venues/lyra-v1-venue.ts';
import { QuoteRejectedError } from '../../../shared/app/execution-ports.ts';
import type { ChainLog, ContractCall } from '../../../shared/app/execution-ports.ts';
import type { OptionSeries, Venue, VenueQuote } from '../../../shared/app/venue-port.ts';
import { LyraV1VenueSchema } from '../../../shared/contracts/execution-config.ts';
import { INITIAL_PRICE_USD, startChainFixture } from '../../support/chain-fixture.ts';
import type { ChainFixture } from '../../support/chain-fixture.ts';

/** 2033-05-18T03:33:20Z: after any wall clock the chain starts at, so the chain can be set to it. */
const START_SEC = 2_000_000_000;
const DAY_MS = 86_400_000;
const SLIPPAGE_BPS = 100;

let chain: ChainFixture;
let lyra: LyraMarket;
let venue: Venue;
let reader: LyraPositionReader;
let boards: LyraBoardListing[];
let snapshot: Hex;
const suiteStart = performance.now();

beforeAll(async () => {
  chain = await startChainFixture();
  await chain.testClient.setNextBlockTimestamp({ timestamp: BigInt(START_SEC) });
  await chain.testClient.mine({ blocks: 1 });
  await chain.testClient.setBlockTimestampInterval({ interval: 1 });
  lyra = await deployLyraMarket(chain);
  console.log(
    `[lyra-v1-venue] Lyra deployment: ${lyra.deployment.ms.toFixed(0)} ms, ${lyra.deployment.transactions} transactions, ${lyra.deployment.gasUsed} gas`,
  );
  venue = createLyraV1Venue({ client: chain.publicClient, venue: LyraV1VenueSchema.parse(lyra.venueConfig()) });
  reader = createLyraPositionReader({ client: chain.publicClient, chainId: chain.chain.id, optionMarket: lyra.addresses.optionMarket, optionToken: lyra.addresses.optionToken });
  boards = await lyra.liveBoards();
  await lyra.fundTrader(trader(), 1_000_000);
  snapshot = await chain.testClient.snapshot();
}, 60_000);
beforeEach(async () => {
  // anvil drops a snapshot once reverted to: take it again.
  await chain.testClient.revert({ id: snapshot });
  snapshot = await chain.testClient.snapshot();
});
afterAll(async () => {
  await chain?.stop();
  console.log(`[lyra-v1-venue] suite run time ${(performance.now() - suiteStart).toFixed(0)} ms`);
});

const trader = (): Address => chain.trader.account.address;
/** The board `days` out (7, 14, 30, 60 are deployed). */
const board = (days: number): LyraBoardListing => {
  const found = boards.find((b) => Math.round((b.expiryMs - START_SEC * 1000) / DAY_MS) === days);
  if (found === undefined) throw new Error(`no ${days}-day board`);
  return found;
};
const series = (optionType: OptionSeries['optionType'], strike: number, days: number): OptionSeries => ({ optionType, strike, expiryMs: board(days).expiryMs });
const sUsdBalance = (account: Address): Promise<bigint> => chain.publicClient.readContract({ address: lyra.addresses.sUsd, abi: erc20Abi, functionName: 'balanceOf', args: [account] });
const chainLogs = (receipt: TransactionReceipt): ChainLog[] => receipt.logs.map(({ address, topics, data, logIndex }) => ({ address, topics, data, logIndex }));
const raw = (value: number): bigint => parseUnits(String(value), 18);

/** Sends a call from the trader with the gas the node estimates plus 30 % (BlackScholes' gas depends on the block's timestamp). */
async function send(call: ContractCall): Promise<TransactionReceipt> {
  const estimate = await chain.publicClient.estimateGas({ account: trader(), to: call.to, data: call.data, value: call.value });
  return chain.confirm(await chain.trader.sendTransaction({ to: call.to, data: call.data, value: call.value, gas: (estimate * 13n) / 10n }));
}

/** quote → check → build → prerequisites → trade, from the trader. */
async function trade(quote: VenueQuote, v: Venue = venue): Promise<{ receipt: TransactionReceipt; prerequisites: readonly ContractCall[]; call: ContractCall }> {
  expect(await v.checkTrade(quote, trader())).toEqual({ ok: true });
  const built = await v.buildTrade(quote, { account: trader(), slippageBps: SLIPPAGE_BPS, deadlineSec: BigInt(START_SEC + 10 * 86_400) });
  expect(built.deadlineSec).toBeUndefined();
  for (const prerequisite of built.prerequisites) await send(prerequisite);
  return { receipt: await send(built.trade), prerequisites: built.prerequisites, call: built.trade };
}

/** Moves the clock (increaseTime does not combine with a block timestamp interval: the next block's time is set instead). */
async function jumpSeconds(seconds: number): Promise<void> {
  const { timestamp } = await chain.publicClient.getBlock();
  await chain.testClient.setNextBlockTimestamp({ timestamp: timestamp + BigInt(seconds) });
  await chain.testClient.mine({ blocks: 1 });
}

const tradeArgs = (call: ContractCall) => {
  const decoded = decodeFunctionData({ abi: lyraOptionMarketAbi, data: call.data });
  if (decoded.functionName !== 'openPosition' && decoded.functionName !== 'closePosition') throw new Error(`not a trade: ${decoded.functionName}`);
  return { functionName: decoded.functionName, params: decoded.args[0] };
};

describe('the typed fragments', () => {
  /** Same name, mutability, parameter types (tuples recursively), indexed flags, and names wherever the fragment names them. */
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
      if (item.type !== 'function' && item.type !== 'event' && item.type !== 'error') continue;
      const matches = full.filter((other) => other.type === item.type && other.name === item.name) as (typeof item)[];
      expect(matches.length, `${item.type} ${item.name} in the package ABI`).toBeGreaterThan(0);
      const failures = matches.map((other) => {
        try {
          sameParams(item.inputs, other.inputs, `${item.name}(inputs)`);
          if (item.type === 'function') {
            const theirs = other as AbiFunction;
            expect(item.stateMutability).toBe(theirs.stateMutability);
            sameParams(item.outputs, theirs.outputs, `${item.name}(outputs)`);
          }
          return undefined;
        } catch (error) {
          return error;
        }
      });
      if (!failures.includes(undefined)) throw failures[0];
    }
  };

  it('match the package ABIs: functions with their outputs, events with their indexed fields, custom errors', () => {
    check(lyraOptionMarketAbi, lyraArtifacts.optionMarket.abi);
    check(lyraOptionTokenAbi, lyraArtifacts.optionToken.abi);
    check(lyraOptionGreekCacheAbi, lyraArtifacts.optionGreekCache.abi);
    check(lyraTradeErrorsAbi, lyraArtifactErrorsAbi);
    check(lyraLocalAbis.optionMarket, lyraArtifacts.optionMarket.abi);
    check(lyraLocalAbis.exchangeRates, lyraArtifacts.testExchangeRates.abi);
    check(lyraLocalAbis.optionToken, lyraArtifacts.optionToken.abi);
  });
});

describe('the local Lyra market', () => {
  it('is deployed with spot from our aggregator, a funded pool and 7/14/30/60-day boards around spot', async () => {
    expect(lyra.initialSpotUsd).toBe(INITIAL_PRICE_USD);
    expect(await lyra.spotUsd()).toBe(INITIAL_PRICE_USD);
    for (const address of Object.values(lyra.addresses)) expect((await chain.publicClient.getCode({ address }))?.length ?? 0, address).toBeGreaterThan(2);
    // The deposit was processed at once (no board was live yet): 1,000,000 LP tokens at 1 sUSD.
    expect(await chain.publicClient.readContract({ address: lyra.addresses.liquidityToken, abi: erc20Abi, functionName: 'balanceOf', args: [chain.deployer.account.address] })).toBe(raw(1_000_000));
    expect(defaultStrikes(INITIAL_PRICE_USD)).toEqual([2400, 2700, 3000, 3300, 3600]);
    expect(boards.map((b) => Math.round((b.expiryMs - START_SEC * 1000) / DAY_MS))).toEqual([7, 14, 30, 60]);
    for (const b of boards) expect(b.strikes.map((s) => s.strike)).toEqual([2400, 2700, 3000, 3300, 3600]);
    // The config it hands out is a valid venue configuration.
    expect(LyraV1VenueSchema.parse(lyra.venueConfig({ shortCollateralMultiple: 1.5 }))).toMatchObject({ kind: 'lyra-v1', quoteDecimals: 18, shortCollateralMultiple: 1.5 });
    expect(venue).toMatchObject({ kind: 'lyra-v1', instrument: 'option', id: 'lyra-v1', contracts: [lyra.addresses.optionMarket, lyra.addresses.sUsd] });
  });
});

describe('buying', () => {
  it.each(['call', 'put'] as const)('a %s: quoted, approved exactly, filled at the quote, decoded exactly as readPosition and the reader see it', async (optionType) => {
    // Prepare
    const wanted = series(optionType, 3000, 30);
    const quote = await venue.quote({ side: 'buy', quantity: 2, series: wanted });
    expect(quote.fillableQuantity).toBe(2);
    expect(quote.details).toMatchObject({ side: 'buy', strikeId: String(board(30).strikes[2]!.strikeId), quotedOptionType: optionType === 'call' ? 0 : 1, amount: String(raw(2)) });
    const totalCost = BigInt(String(quote.details.totalCost));
    const totalFee = BigInt(String(quote.details.totalFee));
    expect(quote.priceUsd).toBeCloseTo(Number(formatUnits(totalCost, 18)) / 2, 9);
    expect(quote.priceUsd).toBeGreaterThan(200); // ~30-day at-the-money at 80 % vol: ~280 before fees
    expect(quote.priceUsd).toBeLessThan(400);
    expect(quote.gasEstimate).toBeGreaterThan(500_000n);
    const before = await sUsdBalance(trader());

    // Act
    const { receipt, prerequisites, call } = await trade(quote);

    // Assess: the exact approval of the most the buy may pay, then openPosition within it.
    const maxTotalCost = maximumTotalCost(totalCost, SLIPPAGE_BPS);
    expect(prerequisites).toHaveLength(1);
    expect(decodeFunctionData({ abi: erc20Abi, data: prerequisites[0]!.data })).toEqual({ functionName: 'approve', args: [lyra.addresses.optionMarket, maxTotalCost] });
    expect(tradeArgs(call)).toEqual({
      functionName: 'openPosition',
      params: {
        strikeId: board(30).strikes[2]!.strikeId,
        positionId: 0n,
        iterations: 1n,
        optionType: optionType === 'call' ? LYRA_OPTION_TYPE.LONG_CALL : LYRA_OPTION_TYPE.LONG_PUT,
        amount: raw(2),
        setCollateralTo: 0n,
        minTotalCost: 0n,
        maxTotalCost,
      },
    });
    const paid = before - (await sUsdBalance(trader()));
    const fill = venue.decodeFill(chainLogs(receipt), trader());
    expect(fill?.quantity).toBe(2);
    expect(fill?.cashUsd).toBe(-Number(formatUnits(paid, 18)));
    expect(paid).toBeLessThanOrEqual(maxTotalCost);
    // Quoted one block earlier (1 s more to expiry): the fill is the quote to a few parts in a million.
    expect(Math.abs(Number(paid - totalCost)) / Number(totalCost)).toBeLessThan(1e-5);
    expect(fill?.feesUsd).toBeCloseTo(Number(formatUnits(totalFee, 18)), 2);
    expect(fill?.priceUsd).toBeCloseTo((Number(formatUnits(paid, 18)) - (fill?.feesUsd ?? 0)) / 2, 9);
    expect(await venue.readPosition(trader(), wanted)).toEqual({ quantity: 2 });
    expect(await reader.readAccountPositions(trader())).toEqual([
      {
        positionId: 1n,
        account: trader().toLowerCase(),
        strikeId: board(30).strikes[2]!.strikeId,
        optionType,
        lyraOptionType: optionType === 'call' ? 'LONG_CALL' : 'LONG_PUT',
        strike: raw(3000),
        expiry: BigInt(wanted.expiryMs / 1000),
        size: raw(2),
        collateral: 0n,
        collateralAsset: 'none',
      },
    ]);
    expect(reader.decodeLogs(chainLogs(receipt))).toEqual([
      { name: 'OPENED', contract: lyra.addresses.optionToken.toLowerCase(), logIndex: expect.any(Number) as unknown, account: trader().toLowerCase(), positionId: 1n },
    ]);
    expect(await reader.readPosition(1n, Number(receipt.blockNumber))).toMatchObject({ positionId: 1n, size: raw(2) });
    expect(await reader.readPosition(1n, Number(receipt.blockNumber) - 1)).toBeUndefined();
    // The other type of the same strike is not held.
    expect(await venue.readPosition(trader(), { ...wanted, optionType: optionType === 'call' ? 'put' : 'call' })).toEqual({ quantity: 0 });

    // A second buy adds to the same position and needs no approval once one covers it;
    // quoted in the state it trades in, it fills at the quote but for the one second less
    // to expiry of the block that mines it (the node prices an eth_call at the latest block's time).
    await send({ to: lyra.addresses.sUsd, data: prerequisites[0]!.data, value: 0n });
    const again = await venue.quote({ side: 'buy', quantity: 1, series: wanted });
    const beforeAgain = await sUsdBalance(trader());
    const { prerequisites: none, call: add } = await trade(again);
    expect(none).toEqual([]);
    expect(tradeArgs(add).params.positionId).toBe(1n);
    const quoted = BigInt(String(again.details.totalCost));
    const paidAgain = beforeAgain - (await sUsdBalance(trader()));
    expect(paidAgain).toBeLessThan(quoted); // a second less of time value
    expect(Number(quoted - paidAgain) / Number(quoted)).toBeLessThan(1e-6);
    expect(await venue.readPosition(trader(), wanted)).toEqual({ quantity: 3 });
  });

  it('a size Lyra caps (its free liquidity) is quoted partially: the largest size it takes, floored to 0.001', async () => {
    const wanted = series('call', 3000, 30);
    const small = await venue.quote({ side: 'buy', quantity: 1, series: wanted });
    const capped = await venue.quote({ side: 'buy', quantity: 400, series: wanted });
    expect(capped.fillableQuantity).toBeGreaterThan(100);
    expect(capped.fillableQuantity).toBeLessThan(400);
    expect(Number.isInteger(Math.round(capped.fillableQuantity * 1000))).toBe(true);
    expect(capped.details.amount).toBe(String(raw(capped.fillableQuantity)));
    // The vol impact of a large size makes each contract dearer.
    expect(capped.priceUsd).toBeGreaterThan(small.priceUsd);
    const exact = await venue.quote({ side: 'buy', quantity: capped.fillableQuantity, series: wanted });
    expect(exact.fillableQuantity).toBe(capped.fillableQuantity);
    expect(exact.details.totalCost).toBe(capped.details.totalCost);
  });
});

describe('selling', () => {
  it('back what is held closes the long: partly, then fully, with no approval and the premium received', async () => {
    // Prepare
    const wanted = series('call', 3000, 30);
    await trade(await venue.quote({ side: 'buy', quantity: 2, series: wanted }));
    const quote = await venue.quote({ side: 'sell', quantity: 1, series: wanted });
    const totalCost = BigInt(String(quote.details.totalCost));
    const before = await sUsdBalance(trader());

    // Act
    const { receipt, prerequisites, call } = await trade(quote);

    // Assess
    expect(prerequisites).toEqual([]);
    expect(tradeArgs(call)).toEqual({
      functionName: 'closePosition',
      params: {
        strikeId: board(30).strikes[2]!.strikeId,
        positionId: 1n,
        iterations: 1n,
        optionType: LYRA_OPTION_TYPE.LONG_CALL,
        amount: raw(1),
        setCollateralTo: 0n,
        minTotalCost: minimumTotalCost(totalCost, SLIPPAGE_BPS),
        maxTotalCost: 2n ** 256n - 1n,
      },
    });
    const received = (await sUsdBalance(trader())) - before;
    const fill = venue.decodeFill(chainLogs(receipt), trader());
    expect(fill?.quantity).toBe(-1);
    expect(fill?.cashUsd).toBe(Number(formatUnits(received, 18)));
    // A close is priced as the short the quote simulated: the same exposure change for Lyra.
    expect(Math.abs(Number(received - totalCost)) / Number(totalCost)).toBeLessThan(1e-5);
    expect(fill?.priceUsd).toBeGreaterThan(fill?.cashUsd ?? Infinity); // before fees
    expect(await venue.readPosition(trader(), wanted)).toEqual({ quantity: 1 });
    expect((await reader.readAccountPositions(trader())).map((p) => [p.positionId, p.size])).toEqual([[1n, raw(1)]]);

    const { receipt: last } = await trade(await venue.quote({ side: 'sell', quantity: 1, series: wanted }));
    expect(reader.decodeLogs(chainLogs(last)).map((event) => [event.name, event.positionId])).toEqual([['CLOSED', 1n]]);
    expect(await venue.readPosition(trader(), wanted)).toEqual({ quantity: 0 });
    expect(await reader.readAccountPositions(trader())).toEqual([]);
    expect(await reader.readPosition(1n, Number(last.blockNumber))).toBeUndefined();
  });

  it('is refused (SHORT_NOT_ALLOWED) without shortCollateralMultiple when it would open a short, or sell more than the long held', async () => {
    const wanted = series('put', 3000, 30);
    const naked = await venue.quote({ side: 'sell', quantity: 1, series: wanted });
    expect(await venue.checkTrade(naked, trader())).toMatchObject({ ok: false, code: 'SHORT_NOT_ALLOWED' });
    await expect(venue.buildTrade(naked, { account: trader(), slippageBps: SLIPPAGE_BPS, deadlineSec: 0n })).rejects.toThrow(/SHORT_NOT_ALLOWED/);

    await trade(await venue.quote({ side: 'buy', quantity: 1, series: wanted }));
    const more = await venue.quote({ side: 'sell', quantity: 1.5, series: wanted });
    expect(await venue.checkTrade(more, trader())).toMatchObject({ ok: false, code: 'SHORT_NOT_ALLOWED', message: expect.stringMatching(/holds 1 long/) as unknown });
    expect(await venue.checkTrade(await venue.quote({ side: 'sell', quantity: 1, series: wanted }), trader())).toEqual({ ok: true });
  });

  it('with shortCollateralMultiple opens a quote-collateralised short at that multiple of the minimum, and buying back closes it', async () => {
    // Prepare
    const shorts = createLyraV1Venue({ client: chain.publicClient, venue: LyraV1VenueSchema.parse(lyra.venueConfig({ id: 'lyra-v1-shorts', shortCollateralMultiple: 1.5 })) });
    const wanted = series('put', 3000, 30);
    const quote = await shorts.quote({ side: 'sell', quantity: 1, series: wanted });
    const before = await sUsdBalance(trader());

    // Act
    const { receipt, prerequisites, call } = await trade(quote, shorts);

    // Assess: the collateral is 1.5 × Lyra's minimum at the cache's spot moved 5 % against the short.
    const { functionName, params } = tradeArgs(call);
    expect(functionName).toBe('openPosition');
    expect(params.optionType).toBe(LYRA_OPTION_TYPE.SHORT_PUT_QUOTE);
    const minimum = await chain.publicClient.readContract({
      address: lyra.addresses.optionGreekCache,
      abi: lyraOptionGreekCacheAbi,
      functionName: 'getMinCollateral',
      args: [LYRA_OPTION_TYPE.SHORT_PUT_QUOTE, raw(3000), BigInt(wanted.expiryMs / 1000), raw(3000 * 0.95), raw(1)],
    });
    // (read a few blocks later than the venue did: a few seconds less to expiry)
    expect(Number(params.setCollateralTo) / Number(minimum)).toBeCloseTo(1.5, 6);
    expect(decodeFunctionData({ abi: erc20Abi, data: prerequisites[0]!.data }).args).toEqual([lyra.addresses.optionMarket, params.setCollateralTo - params.minTotalCost]);
    const fill = shorts.decodeFill(chainLogs(receipt), trader());
    expect(fill?.quantity).toBe(-1);
    expect(fill?.cashUsd).toBeGreaterThan(0); // the premium, credited to the collateral...
    const posted = before - (await sUsdBalance(trader()));
    expect(fill?.cashUsd).toBeCloseTo(Number(formatUnits(params.setCollateralTo - posted, 18)), 9); // ...so the account posts the rest
    expect(await shorts.readPosition(trader(), wanted)).toEqual({ quantity: -1 });
    expect(await reader.readAccountPositions(trader())).toMatchObject([{ lyraOptionType: 'SHORT_PUT_QUOTE', size: -raw(1), collateral: params.setCollateralTo, collateralAsset: 'quote' }]);

    // Buying back closes it, paid out of the collateral: no approval, the rest returned.
    const buyBack = await shorts.quote({ side: 'buy', quantity: 1, series: wanted });
    const closed = await trade(buyBack, shorts);
    expect(closed.prerequisites).toEqual([]);
    expect(tradeArgs(closed.call)).toMatchObject({ functionName: 'closePosition', params: { positionId: 1n, optionType: LYRA_OPTION_TYPE.SHORT_PUT_QUOTE, setCollateralTo: 0n } });
    expect(shorts.decodeFill(chainLogs(closed.receipt), trader())?.quantity).toBe(1);
    expect(await shorts.readPosition(trader(), wanted)).toEqual({ quantity: 0 });
  });
});

describe('a short and the greek cache', () => {
  it('is refused (GREEK_CACHE_STALE) while the board’s cache is stale (3 h old), and allowed once the keeper refreshed it', async () => {
    const shorts = createLyraV1Venue({ client: chain.publicClient, venue: LyraV1VenueSchema.parse(lyra.venueConfig({ id: 'lyra-v1-shorts', shortCollateralMultiple: 2 })) });
    const wanted = series('call', 3300, 14);
    await jumpSeconds(3 * 3600 + 60);
    const quote = await shorts.quote({ side: 'sell', quantity: 1, series: wanted });
    // Buying never needs the cache; a short's collateral does.
    expect(await shorts.checkTrade(await shorts.quote({ side: 'buy', quantity: 1, series: wanted }), trader())).toEqual({ ok: true });
    expect(await shorts.checkTrade(quote, trader())).toMatchObject({ ok: false, code: 'GREEK_CACHE_STALE' });

    expect((await lyra.keep()).refreshedBoards).toEqual(boards.map((b) => b.boardId));

    const { call } = await trade(await shorts.quote({ side: 'sell', quantity: 1, series: wanted }), shorts);
    expect(tradeArgs(call).params.optionType).toBe(LYRA_OPTION_TYPE.SHORT_CALL_QUOTE);
    expect(await shorts.readPosition(trader(), wanted)).toEqual({ quantity: -1 });
  });
});

describe('quotes Lyra refuses', () => {
  it('a series it does not list is a QuoteRejectedError naming the series', async () => {
    const missingStrike = venue.quote({ side: 'buy', quantity: 1, series: series('call', 3050, 30) });
    await expect(missingStrike).rejects.toBeInstanceOf(QuoteRejectedError);
    await expect(missingStrike).rejects.toThrow(/no live series call 3050/);
    const missingExpiry = venue.quote({ side: 'buy', quantity: 1, series: { ...series('put', 3000, 30), expiryMs: board(30).expiryMs + DAY_MS } });
    await expect(missingExpiry).rejects.toThrow(/no live series put 3000/);
    await expect(venue.quote({ side: 'buy', quantity: 1 })).rejects.toBeInstanceOf(QuoteRejectedError);
  });

  it('a listed series past its trading cutoff (12 h before expiry), or out of its delta range, is a QuoteRejectedError with Lyra’s reason', async () => {
    const nowMs = Number((await chain.publicClient.getBlock()).timestamp) * 1000;
    const soon = await lyra.addBoard(nowMs + 6 * 3_600_000, [3000]);
    const cutoff = venue.quote({ side: 'buy', quantity: 1, series: { optionType: 'call', strike: 3000, expiryMs: soon.expiryMs } });
    await expect(cutoff).rejects.toBeInstanceOf(QuoteRejectedError);
    await expect(cutoff).rejects.toThrow(/call 3000 .*TradingCutoffReached/);
    // A 7-day call 20 % out of the money has a delta under Lyra's minimum (0.15).
    await expect(venue.quote({ side: 'buy', quantity: 1, series: series('call', 3600, 7) })).rejects.toThrow(/TradeDeltaOutOfRange/);
  });
});

describe('spot', () => {
  it('setSpot moves premiums the expected way (calls up, puts down when spot rises) and refreshes the stale greek caches', async () => {
    const call = series('call', 3000, 30);
    const put = series('put', 3000, 30);
    const [callBefore, putBefore] = await Promise.all([venue.quote({ side: 'buy', quantity: 1, series: call }), venue.quote({ side: 'buy', quantity: 1, series: put })]);

    const report = await lyra.setSpot(3150); // +5 %: every board's cache is stale at that move

    expect(await lyra.spotUsd()).toBe(3150);
    expect(report.refreshedBoards).toEqual(boards.map((b) => b.boardId));
    for (const b of boards) {
      expect(await chain.publicClient.readContract({ address: lyra.addresses.optionGreekCache, abi: lyraOptionGreekCacheAbi, functionName: 'isBoardCacheStale', args: [b.boardId] })).toBe(false);
    }
    const [callAfter, putAfter] = await Promise.all([venue.quote({ side: 'buy', quantity: 1, series: call }), venue.quote({ side: 'buy', quantity: 1, series: put })]);
    expect(callAfter.priceUsd).toBeGreaterThan(callBefore.priceUsd + 50); // delta ~0.55 × 150
    expect(putAfter.priceUsd).toBeLessThan(putBefore.priceUsd - 50);
    // A small move leaves the caches fresh: nothing to refresh.
    expect((await lyra.setSpot(3160)).refreshedBoards).toEqual([]);
  });
});

describe('expiry and settlement', () => {
  it('positions are held until the keeper settles the expired board and them; then nothing is held and the long was paid', async () => {
    // Prepare: a long call and a long put on the 7-day board.
    const call = series('call', 3000, 7);
    const put = series('put', 3000, 7);
    await trade(await venue.quote({ side: 'buy', quantity: 1, series: call }));
    await trade(await venue.quote({ side: 'buy', quantity: 1, series: put }));
    await chain.testClient.setNextBlockTimestamp({ timestamp: BigInt(call.expiryMs / 1000 + 60) });
    await chain.testClient.mine({ blocks: 1 });
    expect(await venue.readPosition(trader(), call)).toEqual({ quantity: 1 }); // expired, not yet settled
    await expect(venue.quote({ side: 'sell', quantity: 1, series: call })).rejects.toThrow(/BoardExpired|TradingCutoffReached/);
    const before = await sUsdBalance(trader());

    // Act: spot at expiry 3300 (the call is 300 in the money, the put worthless).
    const report = await lyra.setSpot(3300);

    // Assess
    expect(report.settledBoards).toEqual([board(7).boardId]);
    expect(report.settledPositions).toEqual([1n, 2n]);
    expect(report.refreshedBoards).toEqual(boards.filter((b) => b.boardId !== board(7).boardId).map((b) => b.boardId));
    expect(await venue.readPosition(trader(), call)).toEqual({ quantity: 0 });
    expect(await venue.readPosition(trader(), put)).toEqual({ quantity: 0 });
    expect(await reader.readAccountPositions(trader())).toEqual([]);
    expect((await sUsdBalance(trader())) - before).toBe(raw(300));
    expect((await lyra.liveBoards()).map((b) => b.boardId)).not.toContain(board(7).boardId);
    await expect(venue.quote({ side: 'buy', quantity: 1, series: call })).rejects.toThrow(/no live series/);
  });
});

describe('decodeFill', () => {
  it('is undefined for logs without a Trade of that trader (an approval, another trader, another contract)', async () => {
    const { receipt } = await trade(await venue.quote({ side: 'buy', quantity: 1, series: series('call', 3000, 14) }));
    const logs = chainLogs(receipt);
    expect(venue.decodeFill(logs, trader())).toBeDefined();
    expect(venue.decodeFill(logs, chain.deployer.account.address)).toBeUndefined();
    expect(venue.decodeFill(logs.map((log) => ({ ...log, address: lyra.addresses.sUsd })), trader())).toBeUndefined();
    expect(venue.decodeFill([], trader())).toBeUndefined();
  });
});
