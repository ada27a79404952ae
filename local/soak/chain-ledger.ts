/**
 * What the signers did on chain, from the chain: every transaction of every tenant's
 * signer (one per nonce it used: ots_getTransactionBySenderAndNonce, anvil's Otterscan
 * namespace), matched to the hedge records by hash. A hedge with more than one mined
 * transaction, or a signer's transaction that is no hedge's and no trade prerequisite
 * (an exact approval, a margin deposit), is a double send.
 */
import type { Address, Hash, Hex } from 'viem';
import type { JournaledHedgeRecord } from '../stack.ts';
import { rpc } from './rpc.ts';

/** Prerequisites the dispatcher sends unjournaled (harmless to repeat): ERC-20 approve, a vault's deposit(token, amount). */
const PREREQUISITE_SELECTORS = new Set(['0x095ea7b3', '0x47e7ef24']);

export interface ChainLedger {
  /** Signer transactions on chain. */
  readonly signerTransactions: number;
  readonly prerequisites: number;
  /** Mined transactions per hedge: how many hedges had 0, 1, 2+. */
  readonly perHedge: { readonly none: number; readonly one: number; readonly more: number };
  readonly doubleSends: number;
  /** Confirmed records whose transaction is not the one mined for them. */
  readonly confirmedNotOnChain: number;
  /** Every problem, naming the hedge (or the transaction). */
  readonly problems: readonly string[];
}

interface RpcTx {
  readonly hash: Hash;
  readonly to: Address | null;
  readonly input: Hex;
}

export async function readChainLedger(rpcUrl: string, signers: readonly Address[], records: readonly JournaledHedgeRecord[]): Promise<ChainLedger> {
  const hedgeOf = new Map<string, JournaledHedgeRecord>();
  for (const record of records) for (const tx of record.transactions) hedgeOf.set(tx.hash.toLowerCase(), record);
  const mined = new Map<string, string[]>();
  const problems: string[] = [];
  let signerTransactions = 0;
  let prerequisites = 0;
  for (const signer of signers) {
    const count = Number(await rpc<Hex>(rpcUrl, 'eth_getTransactionCount', [signer, 'latest']));
    for (let nonce = 0; nonce < count; nonce++) {
      const hash = await rpc<Hash | null>(rpcUrl, 'ots_getTransactionBySenderAndNonce', [signer, nonce]);
      if (hash === null) {
        problems.push(`signer ${signer} nonce ${nonce}: used, but no transaction of it on chain`);
        continue;
      }
      signerTransactions++;
      const record = hedgeOf.get(hash.toLowerCase());
      if (record !== undefined) {
        mined.set(record.hedgeId, [...(mined.get(record.hedgeId) ?? []), hash]);
        continue;
      }
      const tx = await rpc<RpcTx>(rpcUrl, 'eth_getTransactionByHash', [hash]);
      if (PREREQUISITE_SELECTORS.has(tx.input.slice(0, 10))) prerequisites++;
      else problems.push(`signer ${signer} nonce ${nonce}: ${hash} (to ${String(tx.to)}, ${tx.input.slice(0, 10)}) belongs to no hedge record: a send nothing journaled`);
    }
  }
  let none = 0;
  let one = 0;
  let more = 0;
  let confirmedNotOnChain = 0;
  for (const record of records) {
    const hashes = mined.get(record.hedgeId) ?? [];
    if (hashes.length === 0) none++;
    else if (hashes.length === 1) one++;
    else {
      more++;
      problems.push(`hedge ${record.hedgeId} (${record.accountId}): ${hashes.length} transactions on chain (${hashes.join(', ')}): a double send`);
    }
    if (record.stage === 'confirmed' && (record.confirmedTx === undefined || !hashes.some((h) => h.toLowerCase() === record.confirmedTx?.toLowerCase()))) {
      confirmedNotOnChain++;
      problems.push(`hedge ${record.hedgeId} (${record.accountId}): confirmed with ${String(record.confirmedTx)}, not what the chain holds for it (${hashes.join(', ') || 'nothing'})`);
    }
  }
  const doubleSends = more + problems.filter((p) => p.includes('belongs to no hedge record')).length;
  return { signerTransactions, prerequisites, perHedge: { none, one, more }, doubleSends, confirmedNotOnChain, problems };
}
