// Our OptionBook on the local chain: opening, resizing and closing positions emits events
// that decode with viem from the generated `as const` ABI, with typed arguments — what the
// webhook ingester will do with a receipt's logs.
import { decodeEventLog, parseEventLogs, parseUnits } from 'viem';
import type { Address } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { optionBookAbi } from '../../../shared/adapters/chain/artifacts/option-book.ts';
import { AGGREGATOR_DECIMALS, WETH_DECIMALS, revertOf, startChainFixture } from '../../support/chain-fixture.ts';
import type { ChainFixture } from '../../support/chain-fixture.ts';

let chain: ChainFixture;
const suiteStart = performance.now();

beforeAll(async () => {
  chain = await startChainFixture();
  console.log(`[option-book] chain fixture start-up: anvil ${chain.startup.anvilMs.toFixed(0)} ms, deploy ${chain.startup.deployMs.toFixed(0)} ms`);
}, 60_000);
beforeEach(async () => {
  await chain.reset();
});
afterAll(async () => {
  await chain?.stop();
  console.log(`[option-book] suite run time ${(performance.now() - suiteStart).toFixed(0)} ms`);
});

/** OptionBook.OptionType */
const CALL = 0;
const PUT = 1;
const strike = (usd: string): bigint => parseUnits(usd, AGGREGATOR_DECIMALS);
const size = (units: string): bigint => parseUnits(units, WETH_DECIMALS);

async function openPosition(optionType: number, strikeUsd: string, units: string, expiry: bigint): Promise<{ id: bigint; account: Address }> {
  const receipt = await chain.confirm(
    await chain.trader.writeContract({
      address: chain.addresses.optionBook,
      abi: optionBookAbi,
      functionName: 'openPosition',
      args: [chain.addresses.weth, optionType, strike(strikeUsd), expiry, size(units)],
    }),
  );
  const [opened] = parseEventLogs({ abi: optionBookAbi, eventName: 'PositionOpened', logs: receipt.logs });
  if (!opened) throw new Error('no PositionOpened event');
  return { id: opened.args.positionId, account: opened.args.account };
}

const inAWeek = async (): Promise<bigint> => (await chain.publicClient.getBlock()).timestamp + 7n * 86_400n;

describe('OptionBook events', () => {
  it('PositionOpened decodes with typed arguments (signed size: negative is short)', async () => {
    const expiry = await inAWeek();
    const receipt = await chain.confirm(
      await chain.trader.writeContract({
        address: chain.addresses.optionBook,
        abi: optionBookAbi,
        functionName: 'openPosition',
        args: [chain.addresses.weth, CALL, strike('3500'), expiry, -size('2.5')],
      }),
    );
    const events = parseEventLogs({ abi: optionBookAbi, logs: receipt.logs });
    expect(events).toHaveLength(1);
    const [event] = events;
    if (event?.eventName !== 'PositionOpened') throw new Error(`expected PositionOpened, got ${event?.eventName}`);
    expectTypeOf(event.args.size).toEqualTypeOf<bigint>();
    expectTypeOf(event.args.optionType).toEqualTypeOf<number>();
    expectTypeOf(event.args.account).toEqualTypeOf<Address>();
    expect(event.args).toEqual({
      account: chain.trader.account.address,
      positionId: 1n,
      underlying: chain.addresses.weth,
      optionType: CALL,
      strike: strike('3500'),
      expiry,
      size: -size('2.5'),
    });
    expect(event.address.toLowerCase()).toBe(chain.addresses.optionBook.toLowerCase());

    // decodeEventLog on the raw log gives the same, from topics and data alone.
    const [log] = receipt.logs;
    if (!log) throw new Error('no log');
    const decoded = decodeEventLog({ abi: optionBookAbi, data: log.data, topics: log.topics });
    expect(decoded.eventName).toBe('PositionOpened');
    expect(decoded.args).toEqual(event.args);
  });

  it('PositionResized carries the previous and the new size; PositionClosed the size closed', async () => {
    const expiry = await inAWeek();
    const { id } = await openPosition(PUT, '2800', '1', expiry);
    const resize = await chain.confirm(
      await chain.trader.writeContract({ address: chain.addresses.optionBook, abi: optionBookAbi, functionName: 'resizePosition', args: [id, -size('3')] }),
    );
    const [resized] = parseEventLogs({ abi: optionBookAbi, eventName: 'PositionResized', logs: resize.logs });
    expect(resized?.args).toEqual({
      account: chain.trader.account.address,
      positionId: id,
      underlying: chain.addresses.weth,
      optionType: PUT,
      strike: strike('2800'),
      expiry,
      previousSize: size('1'),
      size: -size('3'),
    });

    const close = await chain.confirm(
      await chain.trader.writeContract({ address: chain.addresses.optionBook, abi: optionBookAbi, functionName: 'closePosition', args: [id] }),
    );
    const [closed] = parseEventLogs({ abi: optionBookAbi, eventName: 'PositionClosed', logs: close.logs });
    expect(closed?.args).toMatchObject({ positionId: id, optionType: PUT, strike: strike('2800'), expiry, size: -size('3') });
    expect(await revertOf(chain.publicClient.readContract({ address: chain.addresses.optionBook, abi: optionBookAbi, functionName: 'getPosition', args: [id] }))).toEqual({
      name: 'UnknownPosition',
      args: [id],
    });
  });

  it('position ids increase; getPosition returns the stored terms', async () => {
    const expiry = await inAWeek();
    const first = await openPosition(CALL, '3000', '1', expiry);
    const second = await openPosition(PUT, '2500', '4', expiry);
    expect([first.id, second.id]).toEqual([1n, 2n]);
    const stored = await chain.publicClient.readContract({ address: chain.addresses.optionBook, abi: optionBookAbi, functionName: 'getPosition', args: [second.id] });
    expect(stored).toEqual({ account: chain.trader.account.address, underlying: chain.addresses.weth, optionType: PUT, expiry, strike: strike('2500'), size: size('4') });
  });

  it('rejects bad terms and changes by another account, with typed custom errors', async () => {
    const { optionBook, weth } = chain.addresses;
    const expiry = await inAWeek();
    const now = (await chain.publicClient.getBlock()).timestamp;
    const open = (args: readonly [Address, number, bigint, bigint, bigint]) =>
      revertOf(chain.publicClient.simulateContract({ account: chain.trader.account, address: optionBook, abi: optionBookAbi, functionName: 'openPosition', args }));
    expect((await open([weth, CALL, strike('3000'), expiry, 0n])).name).toBe('ZeroSize');
    expect((await open([weth, CALL, 0n, expiry, size('1')])).name).toBe('ZeroStrike');
    expect((await open([weth, CALL, strike('3000'), now - 1n, size('1')])).name).toBe('ExpiryNotInFuture');

    const { id } = await openPosition(CALL, '3000', '1', expiry);
    const byDeployer = await revertOf(
      chain.publicClient.simulateContract({ account: chain.deployer.account, address: optionBook, abi: optionBookAbi, functionName: 'closePosition', args: [id] }),
    );
    expect(byDeployer).toEqual({ name: 'NotPositionAccount', args: [id, chain.deployer.account.address] });
  });

  it('each test starts from the deployed book (snapshot isolation)', async () => {
    expect(await chain.publicClient.readContract({ address: chain.addresses.optionBook, abi: optionBookAbi, functionName: 'nextPositionId' })).toBe(1n);
  });
});
