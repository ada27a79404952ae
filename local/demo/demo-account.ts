/**
 * A demo tenant, made the way an operator and a tenant would: the account, its first API
 * key and its own signer through `POST /accounts` (admin key), the operator's set-up
 * through `PUT /accounts/{id}/operator-config` (admin key: oracle, venues, ceilings); a
 * short options book opened by the tenant's own wallet on the OptionBook contract, which
 * reaches the stored positions only through the webhook path, like any on-chain book; and
 * once the book is in, the tenant's policy through `PUT /accounts/{id}/config` (the
 * account's own key). What each tenant sets up is in its own module (options-vault.ts,
 * spot-desk.ts).
 */
import { parseUnits, type Address } from 'viem';
import { optionBookAbi } from '../../shared/adapters/chain/artifacts/option-book.ts';
import type { AccountPolicyInput } from '../../shared/contracts/hedge-policy-config.ts';
import type { OperatorConfigInput } from '../../shared/contracts/operator-config.ts';
import { AGGREGATOR_DECIMALS, WETH_DECIMALS, type LocalChain, type LocalWalletClient } from '../chain/local-chain.ts';

export interface DemoAccount {
  readonly accountId: string;
  readonly apiKey: string;
  readonly displayName: string;
  /** The address the account hedges from (its own key, made with the account). */
  readonly signerAddress: Address;
}

/** A tenant's two parts: what the operator sets up, what the tenant chooses. */
export interface DemoConfig {
  readonly operator: OperatorConfigInput;
  readonly policy: AccountPolicyInput;
}

async function call(apiUrl: string, method: string, path: string, token: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

/** The operator's part: the account, its signer and its set-up (no policy yet: nothing is decided). */
export async function createDemoAccount(apiUrl: string, adminKey: string, displayName: string, config: DemoConfig): Promise<DemoAccount> {
  const created = (await call(apiUrl, 'POST', '/accounts', adminKey, { displayName })) as { accountId: string; apiKey: string; signer?: { address: Address } };
  if (created.signer === undefined) throw new Error('the account was created without a signer: the stack provisions one per account');
  await call(apiUrl, 'PUT', `/accounts/${created.accountId}/operator-config?expectedVersion=0`, adminKey, config.operator);
  return { accountId: created.accountId, apiKey: created.apiKey, displayName, signerAddress: created.signer.address };
}

/** The tenant's part, with its own key: the policy the account is hedged by from now on. */
export async function setDemoPolicy(apiUrl: string, account: DemoAccount, config: DemoConfig): Promise<void> {
  await call(apiUrl, 'PUT', `/accounts/${account.accountId}/config?expectedVersion=1`, account.apiKey, config.policy);
}

/** One line of a demo book: short (negative) options on WETH. */
export interface DemoOption {
  readonly type: 'call' | 'put';
  readonly strike: number;
  readonly days: number;
  readonly size: number;
}

export async function openDemoBook(chain: LocalChain, wallet: LocalWalletClient, book: readonly DemoOption[]): Promise<void> {
  const now = (await chain.publicClient.getBlock()).timestamp;
  for (const option of book) {
    await chain.confirm(
      await wallet.writeContract({
        address: chain.addresses.optionBook,
        abi: optionBookAbi,
        functionName: 'openPosition',
        args: [chain.addresses.weth as Address, option.type === 'call' ? 0 : 1, parseUnits(String(option.strike), AGGREGATOR_DECIMALS), now + BigInt(option.days * 86_400), parseUnits(String(option.size), WETH_DECIMALS)],
      }),
    );
  }
}
