/**
 * The next nonce of a signer on a chain: the DynamoDB counter (shared by every concurrent
 * process), reconciled with the chain on every allocation.
 *
 * The allocated nonce must equal the chain's pending transaction count. When it does not:
 * - lower: nonces were used outside the system (an operator sent a transaction with the
 *   key) or the counter was restored from an old backup → move the counter up to the chain;
 * - higher: nonces were allocated and never broadcast (a crash between allocation and
 *   journal) → move the counter down to the chain. This is safe because dispatch is
 *   serialised per signer and chain (SQS FIFO group in the cloud, one queue locally): no
 *   other allocation of this signer can be between its allocation and its broadcast now.
 *   A journaled transaction that was never broadcast and whose nonce gets reused can then
 *   never be mined: it fails with "nonce too low" when resumed (at most one transaction
 *   per hedge still holds).
 * The reset is conditional on the value we saw; if another process moved the counter,
 * we read again. Bounded: after `maxAttempts` the error reaches the caller (retry later).
 */
import type { Address, ChainGateway } from '../execution-ports.ts';

export interface NonceCounter {
  allocateNonce(signer: string, chainId: number): Promise<number>;
  resetNonce(signer: string, chainId: number, next: number, expectedNext: number | null): Promise<void>;
}

export class NonceReconciliationError extends Error {
  constructor(signer: string, chainId: number, attempts: number) {
    super(`could not reconcile the nonce of ${signer} on chain ${chainId} with the chain in ${attempts} attempts`);
    this.name = 'NonceReconciliationError';
  }
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

export interface AllocatedNonce {
  readonly nonce: number;
  /** The counter was moved to the chain's count first (nonces used outside, or allocations never sent). */
  readonly healed: boolean;
}

export async function allocateReconciledNonce(counter: NonceCounter, gateway: ChainGateway, signer: Address, maxAttempts = 4): Promise<AllocatedNonce> {
  let healed = false;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { pending } = await gateway.nonces(signer);
    let nonce: number;
    try {
      nonce = await counter.allocateNonce(signer, gateway.chainId);
    } catch (error) {
      if (codeOf(error) !== 'NONCE_NOT_INITIALISED') throw error;
      await resetIgnoringRace(counter, signer, gateway.chainId, pending, null);
      continue;
    }
    if (nonce === pending) return { nonce, healed };
    healed = true;
    await resetIgnoringRace(counter, signer, gateway.chainId, pending, nonce + 1);
  }
  throw new NonceReconciliationError(signer, gateway.chainId, maxAttempts);
}

async function resetIgnoringRace(counter: NonceCounter, signer: string, chainId: number, next: number, expected: number | null): Promise<void> {
  try {
    await counter.resetNonce(signer, chainId, next, expected);
  } catch (error) {
    if (codeOf(error) !== 'CONFLICT') throw error; // someone else moved it: the next round reads it again
  }
}
