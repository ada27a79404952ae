/**
 * A ChainDirectory from configuration: which tenant owns an on-chain address, and which
 * underlying an ERC-20 is, per chain. Minimal by design: there is no store of account ↔
 * wallet links yet, so the mapping comes from the function's environment (CHAIN_DIRECTORY
 * JSON, validated there). Addresses match in any case. When accounts register wallets
 * through the config API, a DynamoDB-backed directory replaces this one behind the same port.
 */
import * as z from 'zod';
import type { ChainDirectory } from '../../app/confirm-positions/ports.ts';

const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address');
const ChainIdKey = z.string().regex(/^[1-9][0-9]*$/, 'must be a chain id');

/** { "accounts": { "<chainId>": { "<address>": "<accountId>" } }, "underlyings": { "<chainId>": { "<token>": "ETH" } } } */
export const ChainDirectoryConfigSchema = z.strictObject({
  accounts: z.record(ChainIdKey, z.record(Address, z.string().min(1))),
  underlyings: z.record(ChainIdKey, z.record(Address, z.string().min(1).max(16))),
});
export type ChainDirectoryConfig = z.output<typeof ChainDirectoryConfigSchema>;

function lowerCaseKeys(byChain: Record<string, Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [chainId, entries] of Object.entries(byChain)) {
    for (const [address, value] of Object.entries(entries)) out.set(`${chainId}:${address.toLowerCase()}`, value);
  }
  return out;
}

/** @example createStaticChainDirectory({ accounts: { '1': { '0xab…': 'acc-1' } }, underlyings: { '1': { '0xc0…': 'ETH' } } }) */
export function createStaticChainDirectory(config: ChainDirectoryConfig): ChainDirectory {
  const accounts = lowerCaseKeys(config.accounts);
  const underlyings = lowerCaseKeys(config.underlyings);
  return {
    accountFor: (chainId, address) => Promise.resolve(accounts.get(`${chainId}:${address.toLowerCase()}`)),
    underlyingFor: (chainId, token) => underlyings.get(`${chainId}:${token.toLowerCase()}`),
  };
}
