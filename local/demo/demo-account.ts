/**
 * The demo tenant, made the way an operator and a tenant would: the account, its first
 * API key and its own signer through `POST /accounts` (admin key), the operator's set-up
 * through `PUT /accounts/{id}/operator-config` (admin key: the local oracle, the local
 * Uniswap pool, the ceilings), its policy through `PUT /accounts/{id}/config` (the
 * account's key: a ±0.5 ETH band back to zero), then a short options book opened by the account's own
 * wallet on the OptionBook contract — which reaches the stored positions only through
 * the webhook path, like any on-chain book.
 */
import { parseUnits, type Address } from 'viem';
import { optionBookAbi } from '../../shared/adapters/chain/artifacts/option-book.ts';
import type { AccountPolicyInput } from '../../shared/contracts/hedge-policy-config.ts';
import type { OperatorConfigInput } from '../../shared/contracts/operator-config.ts';
import { AGGREGATOR_DECIMALS, WETH_DECIMALS, type LocalChain, type LocalWalletClient } from '../chain/local-chain.ts';
import { localMarketConfig, localOperatorExecution } from '../chain/local-hedge-config.ts';

export interface DemoAccount {
  readonly accountId: string;
  readonly apiKey: string;
  /** The address the account hedges from (its own key, made with the account). */
  readonly signerAddress: Address;
}

/** The demo's two parts: what the operator sets up, what the tenant chooses. */
export interface DemoConfig {
  readonly operator: OperatorConfigInput;
  readonly policy: AccountPolicyInput;
}

/** The demo set-up on the local chain. Staleness is generous: headless ticks run faster than wall-clock minutes. */
export function demoConfig(chain: LocalChain): DemoConfig {
  return {
    operator: {
      underlying: 'ETH',
      market: localMarketConfig(chain, { maxStalenessMs: 600_000, maxPoolDeviationBps: 300 }),
      execution: localOperatorExecution(chain, { maxSlippageBps: 300, maxTradeNotionalUsd: 150_000, maxDailyNotionalUsd: 10_000_000, maxConsecutiveFailures: 5 }),
    },
    policy: {
      underlying: 'ETH',
      hedgeInstrument: 'spot',
      band: { unit: 'units', trigger: 0.5, target: 'zero' },
      guards: { minTradeUnits: 0.05, maxTradeUnits: 50 },
    },
  };
}

async function call(apiUrl: string, method: string, path: string, token: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

export async function createDemoAccount(apiUrl: string, adminKey: string, config: DemoConfig): Promise<DemoAccount> {
  const created = (await call(apiUrl, 'POST', '/accounts', adminKey, { displayName: 'Demo options vault' })) as { accountId: string; apiKey: string; signer?: { address: Address } };
  if (created.signer === undefined) throw new Error('the account was created without a signer: the stack provisions one per account');
  await call(apiUrl, 'PUT', `/accounts/${created.accountId}/operator-config?expectedVersion=0`, adminKey, config.operator);
  await call(apiUrl, 'PUT', `/accounts/${created.accountId}/config?expectedVersion=1`, created.apiKey, config.policy);
  return { accountId: created.accountId, apiKey: created.apiKey, signerAddress: created.signer.address };
}

/** One line of the demo book: short (negative) options on WETH. */
export interface DemoOption {
  readonly type: 'call' | 'put';
  readonly strike: number;
  readonly days: number;
  readonly size: number;
}

/** 18 short options around the money, three expiries: net delta about −4.5 ETH at 3000, and plenty of gamma. */
export const DEMO_BOOK: readonly DemoOption[] = [
  { type: 'call', strike: 3000, days: 7, size: -3 },
  { type: 'call', strike: 3000, days: 14, size: -6 },
  { type: 'call', strike: 3300, days: 30, size: -4 },
  { type: 'put', strike: 2700, days: 30, size: -5 },
];

export async function openDemoBook(chain: LocalChain, wallet: LocalWalletClient, book: readonly DemoOption[] = DEMO_BOOK): Promise<void> {
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
