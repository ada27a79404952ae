/**
 * The demo tenant, made the way an operator would: the account and its first API key
 * through `POST /accounts` (admin key), its policy through `PUT /accounts/{id}/config`
 * (a ±0.5 ETH band back to zero, the local oracle, the local Uniswap pool, a local signer
 * the stack holds the key of), then a short options book opened by the account's own
 * wallet on the OptionBook contract — which reaches the stored positions only through
 * the webhook path, like any on-chain book.
 */
import { parseUnits, type Address } from 'viem';
import { optionBookAbi } from '../../shared/adapters/chain/artifacts/option-book.ts';
import type { HedgePolicyConfigInput } from '../../shared/contracts/hedge-policy-config.ts';
import { AGGREGATOR_DECIMALS, WETH_DECIMALS, type LocalChain, type LocalWalletClient } from '../chain/local-chain.ts';
import { localExecutionConfig, localMarketConfig } from '../chain/local-hedge-config.ts';

export interface DemoAccount {
  readonly accountId: string;
  readonly apiKey: string;
}

/** The demo policy on the local chain. Staleness is generous: headless ticks run faster than wall-clock minutes. */
export function demoConfig(chain: LocalChain, signerName: string): HedgePolicyConfigInput {
  return {
    underlying: 'ETH',
    hedgeInstrument: 'spot',
    band: { unit: 'units', trigger: 0.5, target: 'zero' },
    guards: { minTradeUnits: 0.05, maxTradeUnits: 50 },
    market: localMarketConfig(chain, { maxStalenessMs: 600_000, maxPoolDeviationBps: 300 }),
    execution: localExecutionConfig(chain, signerName, { maxSlippageBps: 300, maxTradeNotionalUsd: 150_000, maxDailyNotionalUsd: 10_000_000, maxConsecutiveFailures: 5 }),
  };
}

async function call(apiUrl: string, method: string, path: string, token: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

export async function createDemoAccount(apiUrl: string, adminKey: string, config: HedgePolicyConfigInput): Promise<DemoAccount> {
  const created = (await call(apiUrl, 'POST', '/accounts', adminKey, { displayName: 'Demo options vault' })) as { accountId: string; apiKey: string };
  await call(apiUrl, 'PUT', `/accounts/${created.accountId}/config?expectedVersion=0`, created.apiKey, config);
  return { accountId: created.accountId, apiKey: created.apiKey };
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
