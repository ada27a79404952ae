/**
 * The keys of the local chain's own actors (the deployer, the market maker, the perp's
 * keeper, the demo books' wallets…), by label. A fresh chain takes random keys; a chain
 * that is kept (`npm start` with a data directory) derives them from one random seed held
 * in the data directory's keyring, so a restart finds the same accounts with their
 * balances, nonces and approvals, and nothing but the seed is stored for them.
 *
 *   const keys = seededChainKeys(seed);
 *   keys('chain:deployer');   // the same key for the same seed and label, every time
 */
import { concatHex, keccak256, stringToHex, type Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';

/** A private key per label (each label a distinct actor). */
export type ChainKeys = (label: string) => Hex;

/** Fresh random keys, one per label, remembered for the life of the process. */
export function randomChainKeys(): ChainKeys {
  const made = new Map<string, Hex>();
  return (label) => {
    let key = made.get(label);
    if (key === undefined) {
      key = generatePrivateKey();
      made.set(label, key);
    }
    return key;
  };
}

/**
 * keccak256(seed ‖ label): 32 bytes, a valid secp256k1 key but with probability ~2^-128.
 * The seed is 32 random bytes (the keyring's); no key of a label reveals another's.
 */
export function seededChainKeys(seed: Hex): ChainKeys {
  if (!/^0x[0-9a-fA-F]{64}$/.test(seed)) throw new Error('the chain seed must be 32 bytes of hex');
  return (label) => keccak256(concatHex([seed, stringToHex(label)]));
}
