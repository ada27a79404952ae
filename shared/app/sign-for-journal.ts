/**
 * Signs a transaction and describes it as the journal keeps it (big numbers as decimal
 * strings, what it was built with): the one place a signed transaction becomes a
 * JournaledTransaction, for the first send and for replacements and cancels alike.
 */
import type { Eip1559Request, TransactionSigner } from './execution-ports.ts';
import type { JournaledTransaction } from './hedge-journal-ports.ts';

export type BuiltWith = Pick<JournaledTransaction, 'venue' | 'signer' | 'deadlineSec' | 'series' | 'quotedPriceUsd' | 'marginDepositUsd'>;

export async function signForJournal(
  signer: TransactionSigner,
  request: Eip1559Request,
  purpose: JournaledTransaction['purpose'],
  signedAt: Date,
  builtWith: BuiltWith = {},
): Promise<JournaledTransaction> {
  const signed = await signer.signTransaction(request);
  return {
    purpose,
    hash: signed.hash,
    raw: signed.raw,
    chainId: request.chainId,
    from: signer.address,
    nonce: request.nonce,
    to: request.to,
    data: request.data,
    value: request.value.toString(),
    gas: request.gas.toString(),
    maxFeePerGas: request.maxFeePerGas.toString(),
    maxPriorityFeePerGas: request.maxPriorityFeePerGas.toString(),
    signedAt: signedAt.toISOString(),
    ...(builtWith.venue === undefined ? {} : { venue: builtWith.venue }),
    ...(builtWith.signer === undefined ? {} : { signer: builtWith.signer }),
    ...(builtWith.deadlineSec === undefined ? {} : { deadlineSec: builtWith.deadlineSec }),
    ...(builtWith.series === undefined ? {} : { series: builtWith.series }),
    ...(builtWith.quotedPriceUsd === undefined ? {} : { quotedPriceUsd: builtWith.quotedPriceUsd }),
    ...(builtWith.marginDepositUsd === undefined ? {} : { marginDepositUsd: builtWith.marginDepositUsd }),
  };
}
