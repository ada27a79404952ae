/**
 * Reorgs on anvil (anvil_reorg [depth, txs]: the last `depth` blocks are replaced by as many
 * new ones holding `txs`, each [signed tx, block offset]; what is not listed is gone, not
 * back in the pool — checked on the @foundry-rs/anvil binary).
 *
 * - under a submitted hedge: the block that just mined the hedge's transaction is replaced
 *   by one without it (the blocks after it kept), before the dispatcher hears back: its
 *   record says submitted, the chain has nothing (a node that lost it). The confirmer
 *   must bring it in once.
 * - under a confirmed hedge: the blocks from the one holding a confirmed hedge's transaction
 *   to the tip are replaced by new blocks holding the same transactions in the same order
 *   (what a reorg usually does): same hashes, new blocks.
 */
import { keccak256, type Hash, type Hex } from 'viem';
import { rpc } from './rpc.ts';

interface RpcBlock {
  readonly number: Hex;
  readonly transactions: readonly Hash[];
}

/**
 * Runs `fn` with anvil's mining paused: a transaction sent meanwhile (the market, another
 * tenant's lane) waits in the pool instead of landing between reading the tip and the
 * reorg (which would then replace its block, not ours), and is mined right after.
 */
async function withMiningPaused<T>(rpcUrl: string, fn: () => Promise<T>): Promise<T> {
  await rpc(rpcUrl, 'evm_setAutomine', [false]);
  try {
    return await fn();
  } finally {
    await rpc(rpcUrl, 'evm_setAutomine', [true]);
    const pool = await rpc<{ pending?: Record<string, unknown> }>(rpcUrl, 'txpool_content', []);
    if (Object.keys(pool.pending ?? {}).length > 0) await rpc(rpcUrl, 'evm_mine', []);
  }
}

/** Replaces the block holding this transaction (the tip, or near it) by one without it, the others kept; true when it is gone. */
export async function dropTipTransaction(rpcUrl: string, hash: Hash, maxDepth = 3): Promise<boolean> {
  return withMiningPaused(rpcUrl, async () => {
    const receipt = await rpc<{ blockNumber: Hex } | null>(rpcUrl, 'eth_getTransactionReceipt', [hash]);
    if (receipt === null) return false;
    const from = Number(receipt.blockNumber);
    const others = await transactionsFrom(rpcUrl, from, maxDepth, (tx) => tx.toLowerCase() !== hash.toLowerCase());
    if (others === undefined) return false;
    await rpc(rpcUrl, 'anvil_reorg', [others.depth, others.txs]);
    await reincludeMissing(rpcUrl, others.txs);
    return (await rpc<unknown>(rpcUrl, 'eth_getTransactionReceipt', [hash])) === null;
  });
}

/**
 * A transaction anvil_reorg was given but did not include (seen: one left out leaves its
 * sender's later transactions queued behind a nonce gap for ever) goes back to the pool,
 * in order, as a real reorg's orphans do; mined when mining resumes.
 */
async function reincludeMissing(rpcUrl: string, txs: readonly [Hex, number][]): Promise<void> {
  for (const [raw] of txs) {
    if ((await rpc<unknown>(rpcUrl, 'eth_getTransactionReceipt', [keccak256(raw)])) !== null) continue;
    await rpc(rpcUrl, 'eth_sendRawTransaction', [raw]).catch(() => undefined);
  }
}

/**
 * The raw transactions of the blocks from `from` to the tip that pass `keep`, each with its
 * block's offset from `from`; undefined when more than maxDepth blocks (nothing read: a
 * hedge long buried would cost a read of every block since, tick after tick).
 */
async function transactionsFrom(rpcUrl: string, from: number, maxDepth: number, keep: (hash: Hash) => boolean): Promise<{ depth: number; txs: [Hex, number][] } | undefined> {
  const tip = Number(await rpc<Hex>(rpcUrl, 'eth_blockNumber', []));
  if (tip - from + 1 > maxDepth) return undefined;
  const txs: [Hex, number][] = [];
  for (let n = from; n <= tip; n++) {
    const block = await rpc<RpcBlock>(rpcUrl, 'eth_getBlockByNumber', [`0x${n.toString(16)}`, false]);
    for (const tx of block.transactions) if (keep(tx)) txs.push([await rpc<Hex>(rpcUrl, 'eth_getRawTransactionByHash', [tx]), n - from]);
  }
  return { depth: tip - from + 1, txs };
}

/** Reorgs the blocks from the one holding `hash` to the tip (at most maxDepth), the same transactions re-included; the depth, or 0 when out of reach. */
export async function reorgUnder(rpcUrl: string, hash: Hash, maxDepth: number): Promise<number> {
  return withMiningPaused(rpcUrl, async () => {
    const receipt = await rpc<{ blockNumber: Hex } | null>(rpcUrl, 'eth_getTransactionReceipt', [hash]);
    if (receipt === null) return 0;
    const blocks = await transactionsFrom(rpcUrl, Number(receipt.blockNumber), maxDepth, () => true);
    if (blocks === undefined || blocks.depth < 1) return 0;
    const { depth, txs } = blocks;
    await rpc(rpcUrl, 'anvil_reorg', [depth, txs]);
    await reincludeMissing(rpcUrl, txs);
    const after = await rpc<{ blockNumber: Hex; blockHash: Hash } | null>(rpcUrl, 'eth_getTransactionReceipt', [hash]);
    if (after === null) throw new Error(`the reorg under ${hash} lost it`);
    return depth;
  });
}
