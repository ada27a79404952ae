// The viem ChainGateway on anvil with the real contracts: how the node's answers to
// eth_sendRawTransaction are classified (with real signed transactions), how reverts are
// decoded, and — through the faulty RPC proxy — which failures are retried, when the
// gateway gives up, and that a broadcast whose answer is lost still sends exactly once.
//
// What anvil 1.7 actually answers (JSON-RPC code -32003 for all of these):
// - the same raw transaction again, pending or already mined: "transaction already imported"
//   (so anvil never needs the nonce-too-low + known-hash path; geth, which forgets mined
//   transactions, answers "nonce too low" there — covered below with geth's wording);
// - another transaction with a mined nonce: "nonce too low";
// - a nonce gap: accepted (queued until the gap fills), as geth does, so no "nonce too high";
// - a same-nonce replacement: "replacement transaction underpriced" unless its maxFeePerGas
//   is higher by any amount (+1 wei does it; geth needs +10 % on both fees).
import { encodeFunctionData, keccak256, parseEther, parseGwei, parseUnits } from 'viem';
import type { Hex, PrivateKeyAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { optionBookAbi } from '../../../shared/adapters/chain/artifacts/option-book.ts';
import { testTokenAbi } from '../../../shared/adapters/chain/artifacts/test-token.ts';
import { uniswapV3SwapRouterAbi } from '../../../shared/adapters/chain/uniswap-v3-artifacts.ts';
import { classifyBroadcastRejection, createViemChainGateway, decodeRevertData, isTransportFailure } from '../../../shared/adapters/chain/viem-chain-gateway.ts';
import { ChainUnavailableError } from '../../../shared/app/execution-ports.ts';
import type { ChainGateway, ChainReceipt, ContractCall } from '../../../shared/app/execution-ports.ts';
import { AGGREGATOR_DECIMALS, WETH_DECIMALS, startChainFixture } from '../../support/chain-fixture.ts';
import type { ChainFixture } from '../../support/chain-fixture.ts';
import { startFaultyRpcProxy } from '../../support/faulty-rpc-proxy.ts';
import type { FaultyRpcProxy } from '../../support/faulty-rpc-proxy.ts';

let chain: ChainFixture;
let proxy: FaultyRpcProxy;
let gateway: ChainGateway;

beforeAll(async () => {
  chain = await startChainFixture();
  proxy = await startFaultyRpcProxy({ target: chain.rpcUrl });
  gateway = createViemChainGateway({ rpcUrl: chain.rpcUrl, chainId: chain.chain.id, abis: [optionBookAbi, testTokenAbi] });
}, 60_000);
beforeEach(async () => {
  await chain.testClient.setAutomine(true);
  await chain.reset();
});
afterEach(() => {
  proxy.clear();
});
afterAll(async () => {
  await proxy?.stop();
  await chain?.stop();
});

const GWEI = parseGwei('1');

async function fundedAccount(): Promise<PrivateKeyAccount> {
  const account = privateKeyToAccount(generatePrivateKey());
  await chain.testClient.setBalance({ address: account.address, value: parseEther('10') });
  return account;
}

interface TransferOptions {
  readonly nonce: number;
  readonly maxFeePerGas?: bigint;
  readonly maxPriorityFeePerGas?: bigint;
  /** Makes otherwise identical transactions differ (so their hashes do). */
  readonly value?: bigint;
}

/** A signed ETH transfer to self (base fee on a fresh anvil is 1 gwei: 10 gwei max fee is plenty). */
function signTransfer(account: PrivateKeyAccount, options: TransferOptions): Promise<Hex> {
  return account.signTransaction({
    chainId: chain.chain.id,
    type: 'eip1559',
    to: account.address,
    value: options.value ?? 1n,
    nonce: options.nonce,
    gas: 21_000n,
    maxFeePerGas: options.maxFeePerGas ?? 10n * GWEI,
    maxPriorityFeePerGas: options.maxPriorityFeePerGas ?? GWEI,
  });
}

/** The default fees scaled by `perMille` (e.g. 1010n for +1 %). */
const bumped = (perMille: bigint): { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } => ({
  maxFeePerGas: (10n * GWEI * perMille) / 1000n,
  maxPriorityFeePerGas: (GWEI * perMille) / 1000n,
});

function openPositionCall(size: bigint, expiry: bigint): ContractCall {
  return {
    to: chain.addresses.optionBook,
    data: encodeFunctionData({
      abi: optionBookAbi,
      functionName: 'openPosition',
      args: [chain.addresses.weth, 0, parseUnits('3500', AGGREGATOR_DECIMALS), expiry, size],
    }),
    value: 0n,
  };
}

const inAWeek = async (): Promise<bigint> => (await chain.publicClient.getBlock()).timestamp + 7n * 86_400n;

/**
 * The receipt once mined: with automine, anvil answers eth_sendRawTransaction before its
 * block is sealed, so a read straight after the broadcast can still miss it.
 */
async function minedReceipt(hash: Hex): Promise<ChainReceipt> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const receipt = await gateway.receipt(hash);
    if (receipt !== undefined) return receipt;
    if (Date.now() > deadline) throw new Error(`${hash} not mined within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function causeChainHas(error: unknown, name: string): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) if (current.name === name) return true;
  return false;
}

describe('broadcast: the node answers, classified', () => {
  it('accepts a new transaction; the receipt maps with numbers and checksummed addresses', async () => {
    const account = await fundedAccount();
    const raw = await signTransfer(account, { nonce: 0 });
    expect(await gateway.broadcast(raw)).toEqual({ status: 'accepted' });

    const receipt = await minedReceipt(keccak256(raw));
    expect(receipt).toMatchObject({ transactionHash: keccak256(raw), status: 'success', from: account.address, to: account.address, gasUsed: 21_000n, logs: [] });
    expect(receipt.blockNumber).toBe(await gateway.blockNumber());
    expect(receipt.effectiveGasPrice).toBeGreaterThan(0n);
    expect(await gateway.nonces(account.address)).toEqual({ pending: 1, latest: 1 });
  });

  it('the same raw transaction again is known (anvil: "transaction already imported", even once mined)', async () => {
    const account = await fundedAccount();
    const raw = await signTransfer(account, { nonce: 0 });
    expect(await gateway.broadcast(raw)).toEqual({ status: 'accepted' });
    expect(await gateway.broadcast(raw)).toEqual({ status: 'known' }); // pending or mined: same answer
    await minedReceipt(keccak256(raw));
    expect(await gateway.broadcast(raw)).toEqual({ status: 'known' }); // mined for sure
    expect(await gateway.nonces(account.address)).toEqual({ pending: 1, latest: 1 });
  });

  it('another transaction with a mined nonce is nonce-too-low', async () => {
    const account = await fundedAccount();
    const first = await signTransfer(account, { nonce: 0 });
    expect(await gateway.broadcast(first)).toEqual({ status: 'accepted' });
    await minedReceipt(keccak256(first));
    expect(await gateway.broadcast(await signTransfer(account, { nonce: 0, value: 2n }))).toEqual({ status: 'nonce-too-low' });
  });

  it('pending (automine off): known again, same-fee replacement underpriced, higher-fee replacements accepted; one of them is mined', async () => {
    await chain.testClient.setAutomine(false);
    const account = await fundedAccount();
    const original = await signTransfer(account, { nonce: 0, value: 1n });
    expect(await gateway.broadcast(original)).toEqual({ status: 'accepted' });
    expect(await gateway.nonces(account.address)).toEqual({ pending: 1, latest: 0 });
    expect(await gateway.broadcast(original)).toEqual({ status: 'known' });

    expect(await gateway.broadcast(await signTransfer(account, { nonce: 0, value: 2n }))).toEqual({ status: 'replacement-underpriced' });
    // anvil replaces on any higher maxFeePerGas, so +1 % is accepted here; geth (price bump
    // 10 % on both fees) would answer "replacement transaction underpriced".
    expect(await gateway.broadcast(await signTransfer(account, { nonce: 0, value: 3n, ...bumped(1010n) }))).toEqual({ status: 'accepted' });
    const replacement = await signTransfer(account, { nonce: 0, value: 4n, ...bumped(1125n) });
    expect(await gateway.broadcast(replacement)).toEqual({ status: 'accepted' });
    // Going back below the pending one is underpriced on every node.
    expect(await gateway.broadcast(await signTransfer(account, { nonce: 0, value: 5n, ...bumped(1100n) }))).toEqual({ status: 'replacement-underpriced' });

    await chain.testClient.mine({ blocks: 1 });
    expect((await minedReceipt(keccak256(replacement))).status).toBe('success');
    expect(await gateway.receipt(keccak256(original))).toBeUndefined();
    expect(await gateway.nonces(account.address)).toEqual({ pending: 1, latest: 1 });
  });

  it('a nonce gap: anvil accepts and queues it (no "nonce too high"); nothing is mined until the gap fills', async () => {
    const account = await fundedAccount();
    const gapped = await signTransfer(account, { nonce: 2 });
    expect(await gateway.broadcast(gapped)).toEqual({ status: 'accepted' });
    expect(await gateway.nonces(account.address)).toEqual({ pending: 0, latest: 0 });
    expect(await gateway.receipt(keccak256(gapped))).toBeUndefined();
  });

  it('anything else is rejected with the node\'s message', async () => {
    expect(await gateway.broadcast('0x1234')).toEqual({ status: 'rejected', message: 'Failed to decode transaction' });
    const account = privateKeyToAccount(generatePrivateKey()); // no ETH
    expect(await gateway.broadcast(await signTransfer(account, { nonce: 0 }))).toEqual({ status: 'rejected', message: 'Insufficient funds for gas * price + value' });
  });

  it('classifies the wordings of other nodes', () => {
    expect(classifyBroadcastRejection('already known')).toBe('known'); // geth
    expect(classifyBroadcastRejection('known transaction: 0xabc')).toBe('known'); // older geth
    expect(classifyBroadcastRejection('transaction already imported')).toBe('known'); // anvil
    expect(classifyBroadcastRejection('nonce too low: address 0xabc, tx: 5 state: 7')).toBe('nonce-too-low'); // geth
    expect(classifyBroadcastRejection('NONCE_TOO_LOW')).toBe('nonce-too-low'); // Besu
    expect(classifyBroadcastRejection('nonce too high: address 0xabc, tx: 9 state: 7')).toBe('nonce-too-high'); // geth
    expect(classifyBroadcastRejection('NONCE_TOO_FAR_IN_FUTURE_FOR_SENDER')).toBe('nonce-too-high'); // Besu
    expect(classifyBroadcastRejection('replacement transaction underpriced')).toBe('replacement-underpriced'); // geth, anvil
    expect(classifyBroadcastRejection('REPLACEMENT_UNDERPRICED')).toBe('replacement-underpriced'); // Besu
    expect(classifyBroadcastRejection('insufficient funds for gas * price + value')).toBe('rejected');
  });
});

describe('simulate and revert reasons', () => {
  it('a call that succeeds returns its gas estimate', async () => {
    const call: ContractCall = {
      to: chain.addresses.weth,
      data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [chain.deployer.account.address, 1n] }),
      value: 0n,
    };
    const result = await gateway.simulate(chain.trader.account.address, call);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.gas).toBeGreaterThan(21_000n);
  });

  it('TestToken transfer beyond the balance: the custom error by name and arguments', async () => {
    const account = await fundedAccount();
    const call: ContractCall = {
      to: chain.addresses.weth,
      data: encodeFunctionData({ abi: testTokenAbi, functionName: 'transfer', args: [chain.trader.account.address, 5n] }),
      value: 0n,
    };
    const result = await gateway.simulate(account.address, call);
    expect(result).toMatchObject({ ok: false, reason: `InsufficientBalance(${account.address}, 0, 5)`, data: expect.stringMatching(/^0xdb42144d/) });

    // Without the ABI the selector is unknown: the node's own message.
    const bare = createViemChainGateway({ rpcUrl: chain.rpcUrl, chainId: chain.chain.id });
    const undecoded = await bare.simulate(account.address, call);
    expect(undecoded).toMatchObject({ ok: false, reason: expect.stringMatching(/^execution reverted: custom error 0xdb42144d/) });
  });

  it('OptionBook.openPosition with zero size: ZeroSize() from the ABI', async () => {
    expect(await gateway.simulate(chain.trader.account.address, openPositionCall(0n, await inAWeek()))).toEqual({ ok: false, reason: 'ZeroSize()', data: '0xc459d23f' });
    const ok = await gateway.simulate(chain.trader.account.address, openPositionCall(parseUnits('1', WETH_DECIMALS), await inAWeek()));
    expect(ok.ok).toBe(true);
  });

  it('Error(string) decodes to the string (the Uniswap router\'s deadline check)', async () => {
    const call: ContractCall = {
      to: chain.addresses.swapRouter,
      data: encodeFunctionData({
        abi: uniswapV3SwapRouterAbi,
        functionName: 'exactInputSingle',
        args: [{ tokenIn: chain.addresses.weth, tokenOut: chain.addresses.usdc, fee: 3000, recipient: chain.trader.account.address, deadline: 1n, amountIn: 1n, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n }],
      }),
      value: 0n,
    };
    expect(await gateway.simulate(chain.trader.account.address, call)).toMatchObject({ ok: false, reason: 'Transaction too old' });
  });

  it('Panic(uint256) and Error(string) data decode without an ABI', () => {
    const panic = `0x4e487b71${(0x11).toString(16).padStart(64, '0')}` as Hex;
    expect(decodeRevertData(panic, [])).toBe('panic 0x11 (arithmetic overflow)');
    expect(decodeRevertData(`0x4e487b71${(0x12).toString(16).padStart(64, '0')}`, [])).toBe('panic 0x12 (division by zero)');
    expect(decodeRevertData('0x', [])).toBeUndefined();
    expect(decodeRevertData('0xdeadbeef', [])).toBeUndefined();
  });

  it('revertReason replays a mined, reverted transaction at its block', async () => {
    const account = await fundedAccount();
    const call = openPositionCall(0n, await inAWeek());
    // Explicit gas, so the node mines it instead of refusing to estimate it.
    const raw = await account.signTransaction({ chainId: chain.chain.id, type: 'eip1559', ...call, nonce: 0, gas: 200_000n, maxFeePerGas: 10n * GWEI, maxPriorityFeePerGas: GWEI });
    expect(await gateway.broadcast(raw)).toEqual({ status: 'accepted' });
    const receipt = await minedReceipt(keccak256(raw));
    expect(receipt.status).toBe('reverted');
    expect(await gateway.revertReason(receipt, call)).toBe('ZeroSize()');
  });

  it('receipt of an unknown hash is undefined; fees and block number read the head', async () => {
    expect(await gateway.receipt(`0x${'11'.repeat(32)}`)).toBeUndefined();
    const fees = await gateway.fees();
    expect(fees.baseFeePerGas).toBeGreaterThan(0n);
    expect(fees.maxPriorityFeePerGas).toBe(GWEI); // anvil's eth_maxPriorityFeePerGas
    expect(await gateway.blockNumber()).toBe(Number(await chain.publicClient.getBlockNumber()));
  });
});

describe('through a faulty RPC endpoint', () => {
  function proxiedGateway(options: { retries?: number; timeoutMs?: number } = {}): { gateway: ChainGateway; sleeps: number[] } {
    const sleeps: number[] = [];
    const proxied = createViemChainGateway({
      rpcUrl: proxy.url,
      chainId: chain.chain.id,
      abis: [optionBookAbi, testTokenAbi],
      ...options,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    return { gateway: proxied, sleeps };
  }
  const receivedOf = (method: string, from: number): number => proxy.received.slice(from).filter((r) => r.methods.includes(method)).length;

  it('retries two 502s and succeeds, with a short growing backoff', async () => {
    const { gateway: proxied, sleeps } = proxiedGateway();
    proxy.inject({ kind: 'http-502', method: 'eth_blockNumber', times: 2 });
    const from = proxy.received.length;
    expect(await proxied.blockNumber()).toBe(await gateway.blockNumber());
    expect(receivedOf('eth_blockNumber', from)).toBe(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('retries a reset connection', async () => {
    const { gateway: proxied } = proxiedGateway();
    const account = await fundedAccount();
    proxy.inject({ kind: 'reset', method: 'eth_getTransactionCount' });
    expect(await proxied.nonces(account.address)).toEqual({ pending: 0, latest: 0 });
  });

  it('gives up after the retries: ChainUnavailableError with the transport error as cause', async () => {
    const { gateway: proxied, sleeps } = proxiedGateway({ retries: 2 });
    proxy.inject({ kind: 'reset', times: 10 });
    const from = proxy.received.length;
    const error = await rejectionOf(proxied.blockNumber());
    expect(error).toBeInstanceOf(ChainUnavailableError);
    expect(isTransportFailure(error)).toBe(true);
    expect(causeChainHas(error, 'HttpRequestError')).toBe(true);
    expect(receivedOf('eth_blockNumber', from)).toBe(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('a hanging node: each attempt times out, then ChainUnavailableError', async () => {
    const { gateway: proxied } = proxiedGateway({ retries: 1, timeoutMs: 200 });
    proxy.inject({ kind: 'hang', times: 2 });
    const started = performance.now();
    const error = await rejectionOf(proxied.blockNumber());
    expect(error).toBeInstanceOf(ChainUnavailableError);
    expect(causeChainHas(error, 'TimeoutError')).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('a JSON-RPC answer is not retried', async () => {
    const { gateway: proxied } = proxiedGateway();
    const from = proxy.received.length;
    expect(await proxied.broadcast('0x1234')).toEqual({ status: 'rejected', message: 'Failed to decode transaction' });
    expect(receivedOf('eth_sendRawTransaction', from)).toBe(1);
  });

  it('forward-then-drop on eth_sendRawTransaction: broadcast still succeeds and exactly one transaction is mined', async () => {
    const { gateway: proxied } = proxiedGateway();
    const account = await fundedAccount();
    const raw = await signTransfer(account, { nonce: 0 });
    proxy.inject({ kind: 'forward-then-drop', method: 'eth_sendRawTransaction' });
    const from = proxy.calls.length;
    const result = await proxied.broadcast(raw);
    expect(['known', 'accepted']).toContain(result.status);
    expect(result).toEqual({ status: 'known' }); // the retry of the same bytes: "transaction already imported"
    expect(proxy.calls.slice(from).filter((m) => m === 'eth_sendRawTransaction')).toHaveLength(2);
    const receipt = await minedReceipt(keccak256(raw));
    expect(receipt.status).toBe('success');
    expect(await gateway.nonces(account.address)).toEqual({ pending: 1, latest: 1 });
    const block = await chain.publicClient.getBlock({ blockNumber: BigInt(receipt.blockNumber) });
    expect(block.transactions).toEqual([keccak256(raw)]);
  });

  it('forward-then-drop while pending (automine off): known, and one transaction once mined', async () => {
    await chain.testClient.setAutomine(false);
    const { gateway: proxied } = proxiedGateway();
    const account = await fundedAccount();
    const raw = await signTransfer(account, { nonce: 0 });
    proxy.inject({ kind: 'forward-then-drop', method: 'eth_sendRawTransaction' });
    expect(await proxied.broadcast(raw)).toEqual({ status: 'known' });
    expect(await gateway.nonces(account.address)).toEqual({ pending: 1, latest: 0 });
    await chain.testClient.mine({ blocks: 1 });
    expect((await minedReceipt(keccak256(raw))).status).toBe('success');
    expect(await gateway.nonces(account.address)).toEqual({ pending: 1, latest: 1 });
  });

  it('geth\'s "nonce too low" for our own mined transaction is known; for another one it stays nonce-too-low', async () => {
    const { gateway: proxied } = proxiedGateway();
    const account = await fundedAccount();
    const raw = await signTransfer(account, { nonce: 0 });
    expect(await gateway.broadcast(raw)).toEqual({ status: 'accepted' });
    await minedReceipt(keccak256(raw));
    const gethNonceTooLow = { code: -32000, message: `nonce too low: address ${account.address}, tx: 0 state: 1` };
    proxy.inject({ kind: 'rpc-error', method: 'eth_sendRawTransaction', error: gethNonceTooLow, times: 2 });
    expect(await proxied.broadcast(raw)).toEqual({ status: 'known' });
    expect(await proxied.broadcast(await signTransfer(account, { nonce: 0, value: 2n }))).toEqual({ status: 'nonce-too-low' });
  });

  it('a node without eth_maxPriorityFeePerGas: the tip falls back to 1 gwei', async () => {
    const { gateway: proxied } = proxiedGateway();
    proxy.inject({ kind: 'rpc-error', method: 'eth_maxPriorityFeePerGas', error: { code: -32601, message: 'the method eth_maxPriorityFeePerGas does not exist/is not available' } });
    const fees = await proxied.fees();
    expect(fees.maxPriorityFeePerGas).toBe(GWEI);
    expect(fees.baseFeePerGas).toBeGreaterThan(0n);
  });

  it('a 404 (wrong URL) is ChainUnavailableError at once, without retries', async () => {
    // The proxy forwards any path, so a bare server that answers 404 to everything stands in.
    const server = createServer((_request, response) => response.writeHead(404).end('not found'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const sleeps: number[] = [];
      const notFound = createViemChainGateway({ rpcUrl: `http://127.0.0.1:${port}`, chainId: chain.chain.id, sleep: async (ms) => void sleeps.push(ms) });
      const error = await rejectionOf(notFound.blockNumber());
      expect(error).toBeInstanceOf(ChainUnavailableError);
      expect(sleeps).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
