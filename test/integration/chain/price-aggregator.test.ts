// Our PriceAggregator on the local chain: Chainlink AggregatorV3Interface reads
// (decimals, description, version, latestRoundData, getRoundData), owner-only updates that
// open a new round each, explicit updatedAt for staleness tests, typed custom errors.
import { parseEventLogs, parseUnits } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { priceAggregatorAbi } from '../../../shared/adapters/chain/artifacts/price-aggregator.ts';
import { AGGREGATOR_DECIMALS, INITIAL_PRICE_USD, revertOf, startChainFixture } from '../../support/chain-fixture.ts';
import type { ChainFixture } from '../../support/chain-fixture.ts';

let chain: ChainFixture;
const suiteStart = performance.now();

beforeAll(async () => {
  chain = await startChainFixture();
  console.log(`[price-aggregator] chain fixture start-up: anvil ${chain.startup.anvilMs.toFixed(0)} ms, deploy ${chain.startup.deployMs.toFixed(0)} ms`);
}, 60_000);
beforeEach(async () => {
  await chain.reset();
});
afterAll(async () => {
  await chain?.stop();
  console.log(`[price-aggregator] suite run time ${(performance.now() - suiteStart).toFixed(0)} ms`);
});

const usd = (value: string): bigint => parseUnits(value, AGGREGATOR_DECIMALS);
const read = <const F extends 'latestRoundData' | 'decimals' | 'description' | 'version' | 'latestRound'>(functionName: F) =>
  chain.publicClient.readContract({ address: chain.addresses.priceAggregator, abi: priceAggregatorAbi, functionName });

describe('PriceAggregator (AggregatorV3Interface)', () => {
  it('describes itself like a Chainlink feed and starts at round 1 with 3000e8', async () => {
    expect(await read('decimals')).toBe(AGGREGATOR_DECIMALS);
    expect(await read('description')).toBe('ETH / USD');
    expect(await read('version')).toBe(1n);
    const [roundId, answer, startedAt, updatedAt, answeredInRound] = await read('latestRoundData');
    const block = await chain.publicClient.getBlock();
    expect({ roundId, answer, answeredInRound }).toEqual({ roundId: 1n, answer: usd(String(INITIAL_PRICE_USD)), answeredInRound: 1n });
    expect(startedAt).toBe(updatedAt);
    expect(updatedAt).toBeGreaterThan(0n);
    expect(updatedAt).toBeLessThanOrEqual(block.timestamp);
  });

  it('updateAnswer opens a new round, updated at the block time, and emits AnswerUpdated', async () => {
    const receipt = await chain.confirm(
      await chain.deployer.writeContract({ address: chain.addresses.priceAggregator, abi: priceAggregatorAbi, functionName: 'updateAnswer', args: [usd('3123.45')] }),
    );
    const block = await chain.publicClient.getBlock({ blockHash: receipt.blockHash });
    const [roundId, answer, startedAt, updatedAt, answeredInRound] = await read('latestRoundData');
    expect({ roundId, answer, startedAt, updatedAt, answeredInRound }).toEqual({
      roundId: 2n,
      answer: usd('3123.45'),
      startedAt: block.timestamp,
      updatedAt: block.timestamp,
      answeredInRound: 2n,
    });
    const [event] = parseEventLogs({ abi: priceAggregatorAbi, eventName: 'AnswerUpdated', logs: receipt.logs });
    expect(event?.args).toEqual({ current: usd('3123.45'), roundId: 2n, updatedAt: block.timestamp });
  });

  it('updateRoundData sets an explicit (stale) updatedAt; getRoundData still reads older rounds', async () => {
    const now = (await chain.publicClient.getBlock()).timestamp;
    const staleAt = now - 3600n;
    await chain.confirm(
      await chain.deployer.writeContract({ address: chain.addresses.priceAggregator, abi: priceAggregatorAbi, functionName: 'updateRoundData', args: [usd('2900'), staleAt] }),
    );
    expect(await read('latestRoundData')).toEqual([2n, usd('2900'), staleAt, staleAt, 2n]);
    const [firstRound, firstAnswer] = await chain.publicClient.readContract({
      address: chain.addresses.priceAggregator,
      abi: priceAggregatorAbi,
      functionName: 'getRoundData',
      args: [1n],
    });
    expect([firstRound, firstAnswer]).toEqual([1n, usd(String(INITIAL_PRICE_USD))]);
  });

  it('a negative answer is stored as given (consumers must check it)', async () => {
    await chain.confirm(
      await chain.deployer.writeContract({ address: chain.addresses.priceAggregator, abi: priceAggregatorAbi, functionName: 'updateAnswer', args: [-1n] }),
    );
    const [, answer] = await read('latestRoundData');
    expect(answer).toBe(-1n);
  });

  it('rejects updates from anyone but the owner, future timestamps, and unknown rounds', async () => {
    const { priceAggregator } = chain.addresses;
    const trader = chain.trader.account.address;
    expect(
      await revertOf(chain.publicClient.simulateContract({ account: chain.trader.account, address: priceAggregator, abi: priceAggregatorAbi, functionName: 'updateAnswer', args: [1n] })),
    ).toEqual({ name: 'NotOwner', args: [trader] });
    const now = (await chain.publicClient.getBlock()).timestamp;
    const future = await revertOf(
      chain.publicClient.simulateContract({ account: chain.deployer.account, address: priceAggregator, abi: priceAggregatorAbi, functionName: 'updateRoundData', args: [1n, now + 10_000n] }),
    );
    expect(future.name).toBe('UpdatedAtInFuture');
    expect(await revertOf(chain.publicClient.readContract({ address: priceAggregator, abi: priceAggregatorAbi, functionName: 'getRoundData', args: [7n] }))).toEqual({
      name: 'NoDataPresent',
      args: [7n],
    });
    expect(await read('latestRound')).toBe(1n);
  });
});
