/**
 * stack.json: the manifest of a local stack's data directory — its version stamp, and
 * what a restart needs to find again what the first start made: the chain's and the
 * markets' contract addresses (read, never redeployed), the actors' addresses (their keys
 * come from the keyring's seed), the table, the admin key's SHA-256 (never the key), the
 * demo tenants, the accounts made later through the API, and where the webhook sender and
 * the tick count stood at the last save.
 *
 * A first start writes `{ state: "initializing" }` before anything else and the whole
 * manifest (`state: "ready"`) once the demo is up: a directory whose first start did not
 * finish is recognised as such, never mistaken for a usable one.
 *
 * FORMAT names the file as ours; VERSION changes whenever a change to this schema, to the
 * table's layout, or to what the stack deploys makes an older directory unusable: a
 * directory of another version is refused with the fix (--fresh), never half-read.
 */
import * as z from 'zod';
import type { LocalChainAddresses } from '../chain/local-chain.ts';
import type { LyraMarketAddresses } from '../chain/lyra-market.ts';
import type { PerpV2MarketAddresses } from '../chain/perp-v2-market.ts';

export const MANIFEST_FORMAT = 'hedge-local-stack';
export const MANIFEST_VERSION = 1;

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address') as unknown as z.ZodType<`0x${string}`>;
const bigintText = z.string().regex(/^-?\d+$/, 'an integer in decimal');
const iso = z.iso.datetime();

/** A strict object of addresses with exactly these keys (the keys list must name every key of T). */
function addresses<T extends { [K in keyof T]: `0x${string}` }>(keys: readonly (keyof T & string)[]): z.ZodType<T> {
  return z.strictObject(Object.fromEntries(keys.map((key) => [key, address]))) as unknown as z.ZodType<T>;
}

/** Every key, once: a key missing from a list is a type error (Exclude<…> is not never). */
type AllKeys<T, L extends readonly (keyof T)[]> = Exclude<keyof T, L[number]> extends never ? L : never;
const CHAIN_KEYS = ['weth', 'usdc', 'uniswapV3Factory', 'pool', 'nonfungiblePositionManager', 'swapRouter', 'quoterV2', 'priceAggregator', 'optionBook', 'routePool', 'uniswapV2Factory', 'v2Pair', 'swapRouter02'] as const;
const PERP_KEYS = ['clearingHouse', 'vault', 'accountBalance', 'exchange', 'orderBook', 'marketRegistry', 'clearingHouseConfig', 'insuranceFund', 'baseToken', 'quoteToken', 'pool', 'chainlinkPriceFeed', 'priceFeedDispatcher', 'collateralToken'] as const;
const LYRA_KEYS = [
  'optionMarket', 'optionMarketPricer', 'optionGreekCache', 'optionToken', 'shortCollateral', 'liquidityPool', 'liquidityToken', 'shortPoolHedger', 'synthetixAdapter',
  'exchangeRates', 'exchanger', 'synthetix', 'collateralShort', 'addressResolver', 'delegateApprovals', 'sUsd', 'sEth', 'gwav', 'blackScholes',
] as const;
const chainKeys: AllKeys<LocalChainAddresses, typeof CHAIN_KEYS> = CHAIN_KEYS;
const perpKeys: AllKeys<PerpV2MarketAddresses, typeof PERP_KEYS> = PERP_KEYS;
const lyraKeys: AllKeys<LyraMarketAddresses, typeof LYRA_KEYS> = LYRA_KEYS;

export const TenantRecordSchema = z.strictObject({
  label: z.enum(['vault', 'desk']),
  accountId: z.string().min(1),
  displayName: z.string(),
  /** The account's own signer (its key is in the keyring). */
  signer: address,
  /** The wallet that opened the tenant's book on OptionBook (its key comes from the seed). */
  bookWallet: address,
  /** The signer's base-token balance before any hedge: the spot reconciliation's zero. */
  startBaseBalance: bigintText,
});

const head = { format: z.literal(MANIFEST_FORMAT), version: z.literal(MANIFEST_VERSION), createdAt: iso };

export const InitializingManifestSchema = z.strictObject({ ...head, state: z.literal('initializing') });

export const ReadyManifestSchema = z.strictObject({
  ...head,
  state: z.literal('ready'),
  tableName: z.string().min(3),
  /** SHA-256 (hex) of the admin key: the key itself is printed once and never stored. */
  adminKeySha256: z.string().regex(/^[0-9a-f]{64}$/),
  chain: z.strictObject({
    chainId: z.number().int().positive(),
    addresses: addresses<LocalChainAddresses>(chainKeys),
    pool: z.strictObject({ token0: address, token1: address, wethIsToken0: z.boolean(), initialSqrtPriceX96: bigintText }),
    deployer: address,
    trader: address,
  }),
  markets: z.strictObject({
    perp: z.strictObject({ addresses: addresses<PerpV2MarketAddresses>(perpKeys), maker: address, mover: address }),
    lyra: z.strictObject({ addresses: addresses<LyraMarketAddresses>(lyraKeys), initialSpotUsd: z.number().positive(), baseIv: z.number().positive() }),
    lyraDeployer: address,
    keeper: address,
  }),
  /** The market maker that trades the pools to the oracle. */
  poolMaker: address,
  tenants: z.array(TenantRecordSchema).min(1),
  /** Accounts made through the API after start-up (the dashboard, curl), oldest first. */
  accounts: z.array(z.string().min(1)),
  /** The first block the webhook sender has not reported yet. */
  webhookNextBlock: bigintText.nullable(),
  /** Ticks run in this directory, over every start. */
  ticks: z.number().int().nonnegative(),
  /** The last save: when, at which block, and whether the stack stopped cleanly after it (false while running). */
  lastSave: z.strictObject({ at: iso, blockNumber: z.number().int().nonnegative(), stoppedCleanly: z.boolean() }),
});

export type InitializingManifest = z.output<typeof InitializingManifestSchema>;
export type ReadyManifest = z.output<typeof ReadyManifestSchema>;
export type TenantRecord = z.output<typeof TenantRecordSchema>;

/** What reading stack.json found. */
export type ManifestReading =
  | { readonly kind: 'ready'; readonly manifest: ReadyManifest }
  | { readonly kind: 'initializing' }
  | { readonly kind: 'not-ours' }
  | { readonly kind: 'other-version'; readonly version: unknown }
  | { readonly kind: 'corrupt'; readonly why: string };

export function readManifestText(text: string): ManifestReading {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { kind: 'corrupt', why: `stack.json is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof raw !== 'object' || raw === null || (raw as { format?: unknown }).format !== MANIFEST_FORMAT) return { kind: 'not-ours' };
  const version = (raw as { version?: unknown }).version;
  if (version !== MANIFEST_VERSION) return { kind: 'other-version', version };
  if ((raw as { state?: unknown }).state === 'initializing' && InitializingManifestSchema.safeParse(raw).success) return { kind: 'initializing' };
  const parsed = ReadyManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'corrupt', why: `stack.json does not hold what the stack wrote (${issue === undefined ? 'invalid' : `${issue.path.join('.') || 'the document'}: ${issue.message}`})` };
  }
  return { kind: 'ready', manifest: parsed.data };
}
