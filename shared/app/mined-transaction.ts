/**
 * Which of a hedge's journaled transactions is mined, if any. Replacements and a cancel
 * share one nonce, so at most one of them can be; the newest is looked at first.
 */
import type { ChainGateway, ChainReceipt } from './execution-ports.ts';
import type { JournaledTransaction } from './hedge-journal-ports.ts';

export async function minedTransaction(
  gateway: Pick<ChainGateway, 'receipt'>,
  transactions: readonly JournaledTransaction[],
): Promise<{ readonly tx: JournaledTransaction; readonly receipt: ChainReceipt } | undefined> {
  for (const tx of [...transactions].reverse()) {
    const receipt = await gateway.receipt(tx.hash);
    if (receipt !== undefined) return { tx, receipt };
  }
  return undefined;
}
