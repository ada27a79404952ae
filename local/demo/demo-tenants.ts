/**
 * The demo's two tenants, each made through the API as an operator and a tenant would
 * (demo-account.ts), each with its own signer, funded by the stack, and its own wallet
 * that opens its book on OptionBook: the options vault (perp + Lyra options) and the spot
 * desk (routed Uniswap). The vault comes first: `LocalStack.account` is the vault.
 */
import { createWalletClient, http, parseUnits, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { OptionInstrument } from '../../shared/contracts/hedge-policy-config.ts';
import { randomChainKeys, type ChainKeys } from '../chain/chain-keys.ts';
import { INITIAL_PRICE_USD, type LocalChain, type LocalWalletClient } from '../chain/local-chain.ts';
import type { VenueMarkets } from '../market/venue-markets.ts';
import { createDemoAccount, openDemoBook, setDemoPolicy, type DemoAccount, type DemoConfig, type DemoOption } from './demo-account.ts';
import { fundOptionsVault, OPTIONS_VAULT_BOOK, OPTIONS_VAULT_NAME, optionsVaultConfig, vaultHedgeOptions } from './options-vault.ts';
import { fundSpotDesk, SPOT_DESK_BOOK, SPOT_DESK_NAME, spotDeskConfig } from './spot-desk.ts';

export interface DemoTenant {
  /** A short name for the console line. */
  readonly label: 'vault' | 'desk';
  readonly account: DemoAccount;
  readonly config: DemoConfig;
  readonly book: readonly DemoOption[];
  /** The tenant's own wallet, which opens its book (the webhook path maps it to the account). */
  readonly wallet: LocalWalletClient;
  /** The hedge options of its policy (the series reconciliation checks on the option venue). */
  readonly hedgeOptions: readonly OptionInstrument[];
}

export interface DemoTenantsInput {
  readonly chain: LocalChain;
  readonly markets: VenueMarkets;
  readonly apiUrl: string;
  readonly adminKey: string;
  /** The book wallets' keys (labels `book:vault`, `book:desk`; default random). */
  readonly keys?: ChainKeys;
}

export async function createDemoTenants(input: DemoTenantsInput): Promise<DemoTenant[]> {
  const { chain, markets, apiUrl, adminKey } = input;
  const hedgeOptions = vaultHedgeOptions(await markets.lyra.liveBoards(), INITIAL_PRICE_USD);
  const vaultConfig = optionsVaultConfig(chain, markets, hedgeOptions);
  const deskConfig = spotDeskConfig(chain);
  // The two accounts through the API at once (it serves tenants concurrently); the funding
  // one after the other: every mint is the chain deployer's, whose nonces are counted as sent.
  const [vault, desk] = await Promise.all([
    createDemoAccount(apiUrl, adminKey, OPTIONS_VAULT_NAME, vaultConfig),
    createDemoAccount(apiUrl, adminKey, SPOT_DESK_NAME, deskConfig),
  ]);
  await fundOptionsVault(chain, markets, vault.signerAddress);
  await fundSpotDesk(chain, desk.signerAddress);
  const keys = input.keys ?? randomChainKeys();
  const [vaultWallet, deskWallet] = await Promise.all([bookWallet(chain, keys, 'vault'), bookWallet(chain, keys, 'desk')]);
  return [
    { label: 'vault', account: vault, config: vaultConfig, book: OPTIONS_VAULT_BOOK, wallet: vaultWallet, hedgeOptions },
    { label: 'desk', account: desk, config: deskConfig, book: SPOT_DESK_BOOK, wallet: deskWallet, hedgeOptions: [] },
  ];
}

/** A tenant's book wallet (its key from the chain keys, so a restart finds it again). */
export function bookWalletOf(chain: LocalChain, keys: ChainKeys, label: DemoTenant['label']): LocalWalletClient {
  return createWalletClient({ account: privateKeyToAccount(keys(`book:${label}`)), chain: chain.chain, transport: http(chain.rpcUrl), pollingInterval: 10 });
}

/** A wallet with gas: the tenant's own, not its signer's (the book and the hedges are apart). */
async function bookWallet(chain: LocalChain, keys: ChainKeys, label: DemoTenant['label']): Promise<LocalWalletClient> {
  const wallet = bookWalletOf(chain, keys, label);
  await chain.testClient.setBalance({ address: wallet.account.address, value: parseUnits('10', 18) });
  return wallet;
}

export interface OpenBooksInput {
  readonly chain: LocalChain;
  readonly apiUrl: string;
  readonly tenants: readonly DemoTenant[];
  /** Delivers what happened on chain through the webhook path and waits until the flow settled. */
  deliver(): Promise<void>;
  /** How many positions of the account's own book are stored. */
  storedBookPositions(accountId: string): Promise<number>;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
}

/**
 * Opens every tenant's book from its wallet, waits (bounded) until every option opened
 * reached the store through the webhook path, and only then has each tenant set its
 * policy: the first tick prices and hedges whole books. (With the policy first, each
 * position arriving on its own is an evaluation of a partial book, and the vault hedged
 * one way, then the other, three times before its book was in.)
 */
export async function openBooksThroughWebhooks(input: OpenBooksInput): Promise<void> {
  for (const tenant of input.tenants) await openDemoBook(input.chain, tenant.wallet, tenant.book);
  const deadline = Date.now() + input.timeoutMs;
  const missing = new Map<string, { stored: number; of: number; name: string }>();
  for (;;) {
    await input.deliver();
    missing.clear();
    for (const tenant of input.tenants) {
      const stored = await input.storedBookPositions(tenant.account.accountId);
      if (stored < tenant.book.length) missing.set(tenant.account.accountId, { stored, of: tenant.book.length, name: tenant.account.displayName });
    }
    if (missing.size === 0 || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const { stored, of, name } of missing.values()) input.log(`${name}: only ${stored} of the ${of} options opened reached the store through the webhook path`);
  await Promise.all(input.tenants.map((tenant) => setDemoPolicy(input.apiUrl, tenant.account, tenant.config)));
}

/** The directory of the webhook path: which account each book wallet belongs to. */
export function walletDirectory(tenants: readonly { readonly wallet: { readonly account: { readonly address: Address } }; readonly account: { readonly accountId: string } }[]): Record<Address, string> {
  return Object.fromEntries(tenants.map((tenant) => [tenant.wallet.account.address, tenant.account.accountId]));
}
