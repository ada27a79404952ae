/**
 * Waits (bounded) until the node answers for a transaction it was just sent: the local
 * confirm loop's first look at a hedge comes after it.
 *
 * Why: anvil mines after it answers eth_sendRawTransaction, and a read between its new
 * state and the block's receipts sees the signer's nonce used with no receipt for it.
 * The confirmer takes that for a nonce another transaction consumed and fails a hedge
 * that was executed (seen with two tenants' lanes sending at once: hedges failed with
 * NONCE_CONSUMED whose transactions were mined, and the records then disagreed with the
 * chain). In the cloud the first look comes after the queue's delivery delay. A
 * transaction the node dropped is still the confirmer's to judge once the wait is over.
 */
import type { Hex } from 'viem';
import type { LocalPublicClient } from '../chain/local-chain.ts';

const RECEIPT_WAIT_MS = 2_000;
const POLL_MS = 10;

export async function untilReceiptKnown(client: LocalPublicClient, txHash: string | undefined, waitMs = RECEIPT_WAIT_MS): Promise<void> {
  if (txHash === undefined) return;
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const receipt = await client.request({ method: 'eth_getTransactionReceipt', params: [txHash as Hex] }).catch(() => null);
    if (receipt !== null) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
