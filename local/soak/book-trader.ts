/**
 * The books move while the soak runs: the spot desk's own wallet (its key from the data
 * directory's seed, as the stack derives it) opens, resizes and closes small options on
 * OptionBook, so that webhooks carry position changes through the faults. `expected()`
 * reads what the chain holds for the book wallets (every position they opened, at the tip).
 */
import { readFileSync } from 'node:fs';
import { createPublicClient, createWalletClient, formatUnits, http, parseUnits, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { optionBookAbi } from '../../shared/adapters/chain/artifacts/option-book.ts';
import { chainPositionId } from '../../shared/app/confirm-positions/confirm-positions.ts';
import { seededChainKeys } from '../chain/chain-keys.ts';
import { AGGREGATOR_DECIMALS, receiptPolled, WETH_DECIMALS } from '../chain/local-chain.ts';
import { dataDirLayout } from '../data-dir/data-dir.ts';
import type { SeededRandom } from './seeded-random.ts';

export interface BookTrader {
  /** One trade of the desk's book wallet: open, resize or close one of its soak positions. */
  trade(): Promise<'open' | 'resize' | 'close'>;
  /** Every position the book wallets opened, as the chain holds it now: its stored id and quantity (0: closed). */
  onChain(): Promise<Map<string, number>>;
}

export function createBookTrader(input: { readonly dataDir: string; readonly rpcUrl: string; readonly random: SeededRandom }): BookTrader {
  const layout = dataDirLayout(input.dataDir);
  const seed = (JSON.parse(readFileSync(layout.keyring, 'utf8')) as { seed: Hex }).seed;
  const manifest = JSON.parse(readFileSync(layout.manifest, 'utf8')) as { chain: { chainId: number; addresses: { optionBook: Address; weth: Address } } };
  const { optionBook, weth } = manifest.chain.addresses;
  const keys = seededChainKeys(seed);
  const transport = http(input.rpcUrl);
  const client = createPublicClient({ chain: foundry, transport, pollingInterval: 10 });
  const desk = createWalletClient({ account: privateKeyToAccount(keys('book:desk')), chain: foundry, transport });
  const wallets = [privateKeyToAccount(keys('book:vault')).address, desk.account.address];
  const open: bigint[] = [];

  async function send(write: Parameters<typeof desk.writeContract>[0]): Promise<void> {
    const hash = await desk.writeContract(write);
    const receipt = await receiptPolled(client, hash); // not waitForTransactionReceipt: see receiptPolled
    if (receipt.status !== 'success') throw new Error(`the book trade ${hash} reverted`);
  }

  return {
    async trade() {
      const r = input.random;
      const size = parseUnits(String((r.int(1, 8) / 4) * (r.chance(0.5) ? 1 : -1)), WETH_DECIMALS);
      const pick = open.length === 0 ? 'open' : open.length > 4 || r.chance(0.3) ? 'close' : r.chance(0.5) ? 'resize' : 'open';
      if (pick === 'open') {
        const next = await client.readContract({ address: optionBook, abi: optionBookAbi, functionName: 'nextPositionId' });
        const { timestamp } = await client.getBlock();
        const strike = parseUnits(String(2600 + 100 * r.int(0, 8)), AGGREGATOR_DECIMALS);
        await send({ address: optionBook, abi: optionBookAbi, functionName: 'openPosition', args: [weth, r.chance(0.5) ? 0 : 1, strike, timestamp + BigInt(86_400 * r.int(7, 30)), size], account: desk.account, chain: foundry });
        open.push(next);
        return 'open';
      }
      const index = r.int(0, open.length - 1);
      const positionId = open[index] as bigint;
      if (pick === 'close') {
        await send({ address: optionBook, abi: optionBookAbi, functionName: 'closePosition', args: [positionId], account: desk.account, chain: foundry });
        open.splice(index, 1);
        return 'close';
      }
      await send({ address: optionBook, abi: optionBookAbi, functionName: 'resizePosition', args: [positionId, size], account: desk.account, chain: foundry });
      return 'resize';
    },
    async onChain() {
      const opened = await client.getContractEvents({ address: optionBook, abi: optionBookAbi, eventName: 'PositionOpened', fromBlock: 0n, toBlock: 'latest' });
      const held = new Map<string, number>();
      for (const event of opened) {
        const { account, positionId } = event.args as { account?: Address; positionId?: bigint };
        if (account === undefined || positionId === undefined || !wallets.includes(account)) continue;
        const position = await client.readContract({ address: optionBook, abi: optionBookAbi, functionName: 'getPosition', args: [positionId] }).catch(() => undefined);
        held.set(chainPositionId(manifest.chain.chainId, optionBook, positionId), position === undefined ? 0 : Number(formatUnits(position.size, WETH_DECIMALS)));
      }
      return held;
    },
  };
}
