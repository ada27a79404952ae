/**
 * The OptionBookReader port (shared/app/confirm-positions/ports.ts) over viem: receipts,
 * the head (never cached), ABI decoding with the generated artifact, getPosition at a block.
 */
import { BaseError, ContractFunctionRevertedError, TransactionReceiptNotFoundError, getAddress, parseEventLogs } from 'viem';
import type { Address, Hex, PublicClient } from 'viem';
import { optionBookAbi } from './artifacts/option-book.ts';
import type { OnChainPosition, OptionBookEvent, OptionBookEventName, OptionBookReader } from '../../app/confirm-positions/ports.ts';

const EVENT_NAMES: readonly OptionBookEventName[] = ['PositionOpened', 'PositionResized', 'PositionClosed'];

interface RawLog {
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
  readonly logIndex: number;
}

/**
 * @example
 * const reader = createViemOptionBookReader({ client: publicClient, chainId: 31337, optionBook: '0x…' });
 */
export function createViemOptionBookReader(options: { client: PublicClient; chainId: number; optionBook: Address }): OptionBookReader {
  const { client, chainId } = options;
  const contract = getAddress(options.optionBook);

  function decode(logs: readonly RawLog[]): OptionBookEvent[] {
    const ours = logs.filter((log) => log.address.toLowerCase() === contract.toLowerCase() && log.topics.length > 0);
    const parsed = parseEventLogs({
      abi: optionBookAbi,
      strict: true,
      logs: ours.map((log) => ({
        address: getAddress(log.address),
        topics: log.topics as [Hex, ...Hex[]],
        data: log.data as Hex,
        logIndex: log.logIndex,
        blockHash: null,
        blockNumber: null,
        transactionHash: null,
        transactionIndex: null,
        removed: false,
      })),
    });
    return parsed
      .filter((event) => EVENT_NAMES.includes(event.eventName))
      .map((event) => ({
        name: event.eventName,
        contract: contract.toLowerCase(),
        logIndex: event.logIndex ?? 0,
        account: event.args.account.toLowerCase(),
        positionId: event.args.positionId,
      }));
  }

  return {
    chainId,
    contract: contract.toLowerCase(),
    async readTransaction(txHash) {
      try {
        const receipt = await client.getTransactionReceipt({ hash: txHash as Hex });
        return {
          found: true,
          blockHash: receipt.blockHash.toLowerCase(),
          blockNumber: Number(receipt.blockNumber),
          succeeded: receipt.status === 'success',
          events: decode(receipt.logs.map((log) => ({ address: log.address, topics: log.topics, data: log.data, logIndex: log.logIndex }))),
        };
      } catch (error) {
        if (error instanceof TransactionReceiptNotFoundError) return { found: false };
        throw error;
      }
    },
    async latestBlockNumber() {
      return Number(await client.getBlockNumber({ cacheTime: 0 })); // never a cached head: confirmations depend on it
    },
    decodeLogs: (logs) => decode(logs),
    async readPosition(positionId, blockNumber): Promise<OnChainPosition | undefined> {
      try {
        const position = await client.readContract({ address: contract, abi: optionBookAbi, functionName: 'getPosition', args: [positionId], blockNumber: BigInt(blockNumber) });
        return {
          account: position.account.toLowerCase(),
          underlying: position.underlying.toLowerCase(),
          optionType: position.optionType === 0 ? 'call' : 'put',
          strike: position.strike,
          expiry: position.expiry,
          size: position.size,
        };
      } catch (error) {
        const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
        if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName === 'UnknownPosition') return undefined;
        throw error;
      }
    },
  };
}
