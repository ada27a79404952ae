// A local chain with everything the hedging flow touches, deployed on a fresh anvil:
// two tokens (WETH-like 18 decimals, USDC-like 6 decimals), Uniswap V3 (factory, a
// WETH/USDC 0.3% pool at 3000 USDC per WETH with full-range liquidity minted through the
// NonfungiblePositionManager, SwapRouter, QuoterV2) from the Uniswap npm packages, for
// routing a second, shallower V3 pool of the pair (0.05%) and a Uniswap V2 pair, with
// Uniswap's SwapRouter02 over both versions, our PriceAggregator (8 decimals, 3000e8)
// and our OptionBook. `npm start` runs on it; the tests use it through
// test/support/chain-fixture.ts.
//
// Accounts are fresh random keys funded with anvil_setBalance (no well-known keys in the
// repo); transactions are signed locally, as the product signs them.
//
//   const chain = await startLocalChain();
//   await chain.reset();   // back to the deployed state
//   await chain.stop();
//
// A chain that is kept (`npm start` with a data directory): anvil loads its saved state
// (--load-state: anvil's JSON-RPC refuses request bodies past ~2 MiB, so never
// anvil_loadState), and `restore` (the record of the first deployment: `chain.record`,
// kept in the data directory's manifest) attaches to the contracts there instead of
// deploying them again; the actors' keys come from `keys` (seeded: the same accounts every
// start).
//
//   const chain = await startLocalChain({ keys, loadState: 'anvil-state.json', restore: record });
//   writeFileSync(path, await chain.dumpState());   // gzipped JSON: accounts, blocks, receipts
import { createPublicClient, createTestClient, createWalletClient, getAddress, hexToBytes, http, maxUint256, parseEther, parseUnits } from 'viem';
import type { Address, Hash, Hex, HttpTransport, PrivateKeyAccount, PublicClient, TestClient, TransactionReceipt, WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { optionBookAbi, optionBookBytecode } from '../../shared/adapters/chain/artifacts/option-book.ts';
import { priceAggregatorAbi, priceAggregatorBytecode } from '../../shared/adapters/chain/artifacts/price-aggregator.ts';
import { testTokenAbi, testTokenBytecode } from '../../shared/adapters/chain/artifacts/test-token.ts';
import {
  uniswapV3Artifacts,
  uniswapV3FactoryAbi,
  uniswapV3PositionManagerAbi,
  uniswapV3TickSpacing,
} from '../../shared/adapters/chain/uniswap-v3-artifacts.ts';
import { startAnvil } from './anvil.ts';
import { randomChainKeys, type ChainKeys } from './chain-keys.ts';
import { uniswapRoutingArtifacts } from './uniswap-routing-artifacts.ts';
import { uniswapV2FactoryAbi, uniswapV2PairAbi } from '../../shared/adapters/chain/uniswap-routing-abi.ts';
import type { AnvilInstance } from './anvil.ts';

export const WETH_DECIMALS = 18;
export const USDC_DECIMALS = 6;
export const AGGREGATOR_DECIMALS = 8;
/** The pool's and the aggregator's starting price, USDC per WETH. */
export const INITIAL_PRICE_USD = 3000;
/** 0.3 %, in hundredths of a basis point. */
export const POOL_FEE = 3000;
/** Liquidity the deployer mints full-range at deployment. */
export const POOL_LIQUIDITY = { weth: parseUnits('1000', WETH_DECIMALS), usdc: parseUnits('3000000', USDC_DECIMALS) } as const;
/** The routing pools: a 0.05 % V3 pool and a V2 pair, each shallower than the main pool. */
export const ROUTE_POOL_FEE = 500;
export const ROUTE_POOL_LIQUIDITY = { weth: parseUnits('300', WETH_DECIMALS), usdc: parseUnits('900000', USDC_DECIMALS) } as const;
export const V2_PAIR_LIQUIDITY = { weth: parseUnits('200', WETH_DECIMALS), usdc: parseUnits('600000', USDC_DECIMALS) } as const;
/** What the trader holds at deployment (plus 100 ETH for gas). */
export const TRADER_BALANCES = { weth: parseUnits('100', WETH_DECIMALS), usdc: parseUnits('300000', USDC_DECIMALS) } as const;
/** Stands in for the NFT position descriptor, which tokenURI alone would call. */
export const PLACEHOLDER_TOKEN_DESCRIPTOR: Address = '0x000000000000000000000000000000000000dEaD';

type Chain = typeof foundry;
export type LocalPublicClient = PublicClient<HttpTransport, Chain>;
export type LocalWalletClient = WalletClient<HttpTransport, Chain, PrivateKeyAccount>;
export type LocalTestClient = TestClient<'anvil', HttpTransport, Chain>;

export interface LocalChainAddresses {
  readonly weth: Address;
  readonly usdc: Address;
  readonly uniswapV3Factory: Address;
  readonly pool: Address;
  readonly nonfungiblePositionManager: Address;
  readonly swapRouter: Address;
  readonly quoterV2: Address;
  readonly priceAggregator: Address;
  readonly optionBook: Address;
  /** Routing: the 0.05 % V3 pool of the pair, the V2 factory and pair, SwapRouter02 (V2 + V3). */
  readonly routePool: Address;
  readonly uniswapV2Factory: Address;
  readonly v2Pair: Address;
  readonly swapRouter02: Address;
}

/** What a restart needs to attach to a deployed chain: its addresses and its actors' addresses (their keys come from the seed). */
export interface LocalChainRecord {
  readonly addresses: LocalChainAddresses;
  readonly pool: { readonly token0: Address; readonly token1: Address; readonly wethIsToken0: boolean; readonly initialSqrtPriceX96: bigint };
  readonly deployer: Address;
  readonly trader: Address;
}

export interface StartLocalChainOptions {
  readonly anvilArgs?: readonly string[];
  /** The actors' keys by label (default: random). */
  readonly keys?: ChainKeys;
  /** anvil starts from the saved state in this file (the JSON `dumpState` answered, gunzipped). */
  readonly loadState?: string;
  /** Attach to the contracts of this record (in the loaded state) instead of deploying. */
  readonly restore?: LocalChainRecord;
  /** anvil in its own process group: a terminal's Ctrl-C leaves it to the stack to stop (after saving it). */
  readonly detached?: boolean;
}

/** The chain does not hold what the record says (a state file of another chain, or none): the data directory is not usable. */
export class ChainRestoreError extends Error {
  override readonly name = 'ChainRestoreError';
}

export interface LocalChain {
  readonly rpcUrl: string;
  /** anvil's process id (the stack reports it; tests check it is gone after stop). */
  readonly anvilPid: number;
  readonly chain: Chain;
  readonly publicClient: LocalPublicClient;
  /** Deployed everything; owns the tokens (can mint) and the aggregator (can set answers). */
  readonly deployer: LocalWalletClient;
  /** Holds TRADER_BALANCES; has approved nothing. */
  readonly trader: LocalWalletClient;
  readonly testClient: LocalTestClient;
  readonly addresses: LocalChainAddresses;
  /** The pool's token order (Uniswap sorts by address) and starting price. */
  readonly pool: { readonly token0: Address; readonly token1: Address; readonly wethIsToken0: boolean; readonly initialSqrtPriceX96: bigint };
  /** Milliseconds to spawn anvil and to deploy (measured once, at start; deployMs 0 when attached to a restored chain). */
  readonly startup: { readonly anvilMs: number; readonly deployMs: number };
  /** What a restart needs to attach to this chain again. */
  readonly record: LocalChainRecord;
  /** The chain's whole state (accounts, contracts, blocks, transactions and their receipts): anvil's gzipped JSON, what `loadState` takes. */
  dumpState(): Promise<Uint8Array>;
  /** Receipt of a mined transaction; throws if it reverted. */
  confirm(hash: Hash): Promise<TransactionReceipt>;
  /** Reverts the chain to its baseline: the state right after deployment, or after markBaseline (anvil snapshot). */
  reset(): Promise<void>;
  /** Makes the chain's current state the one reset() returns to (after deploying more on it: a perp or an option market). */
  markBaseline(): Promise<void>;
  /** Stops anvil. */
  stop(): Promise<void>;
}

/** Integer square root (floor) of a non-negative bigint, by Newton's method. */
export function sqrtBigInt(value: bigint): bigint {
  if (value < 0n) throw new RangeError('sqrtBigInt of a negative number');
  if (value < 2n) return value;
  let x = value;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + value / x) / 2n;
  }
  return x;
}

/** sqrtPriceX96 for `amount1` of token1 per `amount0` of token0 (raw units): sqrt(amount1/amount0)·2^96. */
export function encodeSqrtPriceX96(amount1: bigint, amount0: bigint): bigint {
  return sqrtBigInt((amount1 << 192n) / amount0);
}

/** USDC per WETH (human units) at a pool sqrtPriceX96, given the token order. */
export function wethPriceFromSqrtPriceX96(sqrtPriceX96: bigint, wethIsToken0: boolean): number {
  const ratio = (Number(sqrtPriceX96) / 2 ** 96) ** 2; // token1 raw per token0 raw
  const scale = 10 ** (WETH_DECIMALS - USDC_DECIMALS);
  return wethIsToken0 ? ratio * scale : scale / ratio;
}

/**
 * Explicit gas for the pool creation and the liquidity mint: both run nested calls
 * (CREATE2 of the pool, the mint callback's transfers) where an estimate that is exact
 * for the outer call can leave a subcall short under the 63/64 rule; a fixed, generous
 * limit (the block allows 30 M) takes estimation out of the deployment. Seen once under
 * load as a reverted mint.
 */
const DEPLOY_GAS_LIMIT = 8_000_000n;

export async function startLocalChain(options: StartLocalChainOptions = {}): Promise<LocalChain> {
  const t0 = performance.now();
  const args = [...(options.loadState === undefined ? [] : ['--load-state', options.loadState]), ...(options.anvilArgs ?? [])];
  let anvil: AnvilInstance;
  try {
    anvil = await startAnvil({ chainId: foundry.id, ...(args.length === 0 ? {} : { args }), ...(options.detached === true ? { detached: true } : {}) });
  } catch (error) {
    // anvil refuses a state file it cannot read: its error line says why.
    if (options.loadState === undefined) throw error;
    const text = error instanceof Error ? error.message : String(error);
    throw new ChainRestoreError(`anvil could not load the saved chain (${(/error: (.*)/.exec(text)?.[1] ?? text.split('\n')[0] ?? text).slice(0, 300)})`, { cause: error });
  }
  const anvilMs = performance.now() - t0;
  try {
    const clients = chainClients(anvil, options.keys ?? randomChainKeys());
    const record = options.restore === undefined ? await deploy(clients) : await verifyRestored(clients, options.restore);
    const deployMs = options.restore === undefined ? performance.now() - t0 - anvilMs : 0;
    return { ...(await attach(anvil, clients, record)), startup: { anvilMs, deployMs } };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

interface ChainClients {
  readonly publicClient: LocalPublicClient;
  readonly testClient: LocalTestClient;
  readonly deployer: LocalWalletClient;
  readonly trader: LocalWalletClient;
  confirm(hash: Hash): Promise<TransactionReceipt>;
}

/** How long confirm() looks for a receipt (every 10 ms) before it gives up. */
const RECEIPT_TIMEOUT_MS = 60_000;

/**
 * The receipt of a sent transaction, looked for every 10 ms (bounded). Not viem's
 * waitForTransactionReceipt: anvil can answer null for a transaction it has just mined
 * (foundry-rs/foundry#10944), and waitForTransactionReceipt then looks again only when a
 * new block comes. On the local chain none may come (the tick is waiting for this very
 * receipt): the soak saw a tick hang for its 180 s timeout on a transaction mined in the tip.
 */
export async function receiptPolled(client: LocalPublicClient, hash: Hash): Promise<TransactionReceipt> {
  const deadline = Date.now() + RECEIPT_TIMEOUT_MS;
  for (;;) {
    const receipt = await client.getTransactionReceipt({ hash }).catch(() => undefined);
    if (receipt !== undefined) return receipt;
    if (Date.now() > deadline) throw new Error(`transaction ${hash}: no receipt within ${RECEIPT_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function chainClients(anvil: AnvilInstance, keys: ChainKeys): ChainClients {
  const transport = http(anvil.rpcUrl);
  const publicClient: LocalPublicClient = createPublicClient({ chain: foundry, transport, pollingInterval: 10 });
  // anvil_dumpState answers the whole chain: past viem's default 10 MB body limit after a few
  // hundred soak ticks (a 14.6 MB dump was refused, and the stop's save of the chain with it).
  const testClient: LocalTestClient = createTestClient({ chain: foundry, mode: 'anvil', transport: http(anvil.rpcUrl, { maxResponseBodySize: false, timeout: 60_000 }) });
  const wallet = (key: Hex): LocalWalletClient => createWalletClient({ account: privateKeyToAccount(key), chain: foundry, transport, pollingInterval: 10 });
  const confirm = async (hash: Hash): Promise<TransactionReceipt> => {
    // anvil mines on send, so the receipt is normally there at once.
    const receipt = await receiptPolled(publicClient, hash);
    if (receipt.status !== 'success') {
      const tx = await publicClient.getTransaction({ hash });
      throw new Error(`transaction ${hash} reverted (gas used ${receipt.gasUsed} of ${tx.gas})`);
    }
    return receipt;
  };
  return { publicClient, testClient, deployer: wallet(keys('chain:deployer')), trader: wallet(keys('chain:trader')), confirm };
}

/** A restored chain must hold the record's contracts and its actors must be the seed's: anything else is another chain's state. */
async function verifyRestored(clients: ChainClients, record: LocalChainRecord): Promise<LocalChainRecord> {
  const chainId = await clients.publicClient.getChainId();
  if (chainId !== foundry.id) throw new ChainRestoreError(`the saved chain has id ${chainId}, not ${foundry.id}`);
  if (clients.deployer.account.address !== record.deployer || clients.trader.account.address !== record.trader) {
    throw new ChainRestoreError("the keyring's seed does not make the chain's deployer and trader: the keyring and the chain state are not from the same data directory");
  }
  await Promise.all(
    Object.entries(record.addresses).map(async ([name, address]) => {
      const code = await clients.publicClient.getCode({ address });
      if (code === undefined || code === '0x') throw new ChainRestoreError(`the saved chain has no contract at ${name} ${address}`);
    }),
  );
  return record;
}

async function deploy(clients: ChainClients): Promise<LocalChainRecord> {
  const { publicClient, testClient, deployer, trader, confirm } = clients;
  await testClient.setBalance({ address: deployer.account.address, value: parseEther('1000') });
  await testClient.setBalance({ address: trader.account.address, value: parseEther('100') });

  const deployed = async (hash: Hash): Promise<Address> => {
    const receipt = await confirm(hash);
    if (!receipt.contractAddress) throw new Error(`transaction ${hash} created no contract`);
    return getAddress(receipt.contractAddress); // checksummed, as viem decodes addresses
  };

  const weth = await deployed(await deployer.deployContract({ abi: testTokenAbi, bytecode: testTokenBytecode, args: ['Wrapped Ether (test)', 'WETH', WETH_DECIMALS] }));
  const usdc = await deployed(await deployer.deployContract({ abi: testTokenAbi, bytecode: testTokenBytecode, args: ['USD Coin (test)', 'USDC', USDC_DECIMALS] }));
  const { factory, nonfungiblePositionManager, swapRouter, quoterV2 } = uniswapV3Artifacts;
  const uniswapV3Factory = await deployed(await deployer.deployContract({ abi: factory.abi, bytecode: factory.bytecode }));
  // Periphery constructors take (factory, WETH9[, tokenDescriptor]); our WETH-like token
  // stands in for WETH9, which only matters for native-ETH payments we never make.
  const positionManager = await deployed(
    await deployer.deployContract({ abi: nonfungiblePositionManager.abi, bytecode: nonfungiblePositionManager.bytecode, args: [uniswapV3Factory, weth, PLACEHOLDER_TOKEN_DESCRIPTOR] }),
  );
  const router = await deployed(await deployer.deployContract({ abi: swapRouter.abi, bytecode: swapRouter.bytecode, args: [uniswapV3Factory, weth] }));
  const quoter = await deployed(await deployer.deployContract({ abi: quoterV2.abi, bytecode: quoterV2.bytecode, args: [uniswapV3Factory, weth] }));
  const priceAggregator = await deployed(
    await deployer.deployContract({
      abi: priceAggregatorAbi,
      bytecode: priceAggregatorBytecode,
      args: [AGGREGATOR_DECIMALS, 'ETH / USD', parseUnits(String(INITIAL_PRICE_USD), AGGREGATOR_DECIMALS)],
    }),
  );
  const optionBook = await deployed(await deployer.deployContract({ abi: optionBookAbi, bytecode: optionBookBytecode }));

  // The pool, created and initialised through the position manager, then full-range liquidity.
  const wethIsToken0 = weth.toLowerCase() < usdc.toLowerCase();
  const [token0, token1] = wethIsToken0 ? [weth, usdc] : [usdc, weth];
  const oneWeth = parseUnits('1', WETH_DECIMALS);
  const priceInUsdc = parseUnits(String(INITIAL_PRICE_USD), USDC_DECIMALS);
  const initialSqrtPriceX96 = wethIsToken0 ? encodeSqrtPriceX96(priceInUsdc, oneWeth) : encodeSqrtPriceX96(oneWeth, priceInUsdc);
  await confirm(
    await deployer.writeContract({
      address: positionManager,
      abi: uniswapV3PositionManagerAbi,
      functionName: 'createAndInitializePoolIfNecessary',
      args: [token0, token1, POOL_FEE, initialSqrtPriceX96],
      gas: DEPLOY_GAS_LIMIT,
    }),
  );
  const pool = await publicClient.readContract({ address: uniswapV3Factory, abi: uniswapV3FactoryAbi, functionName: 'getPool', args: [weth, usdc, POOL_FEE] });

  const mintTo = async (token: Address, to: Address, amount: bigint): Promise<void> => {
    await confirm(await deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'mint', args: [to, amount] }));
  };
  await mintTo(weth, deployer.account.address, POOL_LIQUIDITY.weth);
  await mintTo(usdc, deployer.account.address, POOL_LIQUIDITY.usdc);
  await mintTo(weth, trader.account.address, TRADER_BALANCES.weth);
  await mintTo(usdc, trader.account.address, TRADER_BALANCES.usdc);
  for (const token of [weth, usdc]) {
    await confirm(await deployer.writeContract({ address: token, abi: testTokenAbi, functionName: 'approve', args: [positionManager, maxUint256] }));
  }
  const spacing = uniswapV3TickSpacing[POOL_FEE];
  const maxTick = Math.floor(887272 / spacing) * spacing; // TickMath.MAX_TICK rounded to the spacing
  const [amount0Desired, amount1Desired] = wethIsToken0 ? [POOL_LIQUIDITY.weth, POOL_LIQUIDITY.usdc] : [POOL_LIQUIDITY.usdc, POOL_LIQUIDITY.weth];
  await confirm(
    await deployer.writeContract({
      address: positionManager,
      abi: uniswapV3PositionManagerAbi,
      functionName: 'mint',
      args: [
        {
          token0,
          token1,
          fee: POOL_FEE,
          tickLower: -maxTick,
          tickUpper: maxTick,
          amount0Desired,
          amount1Desired,
          amount0Min: 0n,
          amount1Min: 0n,
          recipient: deployer.account.address,
          deadline: maxUint256,
        },
      ],
      gas: DEPLOY_GAS_LIMIT,
    }),
  );

  // Routing: a shallower 0.05 % V3 pool at the same price, full range.
  await confirm(
    await deployer.writeContract({
      address: positionManager,
      abi: uniswapV3PositionManagerAbi,
      functionName: 'createAndInitializePoolIfNecessary',
      args: [token0, token1, ROUTE_POOL_FEE, initialSqrtPriceX96],
      gas: DEPLOY_GAS_LIMIT,
    }),
  );
  const routePool = await publicClient.readContract({ address: uniswapV3Factory, abi: uniswapV3FactoryAbi, functionName: 'getPool', args: [weth, usdc, ROUTE_POOL_FEE] });
  await mintTo(weth, deployer.account.address, ROUTE_POOL_LIQUIDITY.weth + V2_PAIR_LIQUIDITY.weth);
  await mintTo(usdc, deployer.account.address, ROUTE_POOL_LIQUIDITY.usdc + V2_PAIR_LIQUIDITY.usdc);
  const routeSpacing = uniswapV3TickSpacing[ROUTE_POOL_FEE];
  const routeMaxTick = Math.floor(887272 / routeSpacing) * routeSpacing;
  const [route0, route1] = wethIsToken0 ? [ROUTE_POOL_LIQUIDITY.weth, ROUTE_POOL_LIQUIDITY.usdc] : [ROUTE_POOL_LIQUIDITY.usdc, ROUTE_POOL_LIQUIDITY.weth];
  await confirm(
    await deployer.writeContract({
      address: positionManager,
      abi: uniswapV3PositionManagerAbi,
      functionName: 'mint',
      args: [
        {
          token0,
          token1,
          fee: ROUTE_POOL_FEE,
          tickLower: -routeMaxTick,
          tickUpper: routeMaxTick,
          amount0Desired: route0,
          amount1Desired: route1,
          amount0Min: 0n,
          amount1Min: 0n,
          recipient: deployer.account.address,
          deadline: maxUint256,
        },
      ],
      gas: DEPLOY_GAS_LIMIT,
    }),
  );
  // Uniswap V2: the factory, the pair, liquidity at the same price (tokens sent to the pair, then mint).
  const { v2Factory, swapRouter02 } = uniswapRoutingArtifacts;
  const uniswapV2Factory = await deployed(await deployer.deployContract({ abi: v2Factory.abi, bytecode: v2Factory.bytecode, args: [deployer.account.address] }));
  await confirm(await deployer.writeContract({ address: uniswapV2Factory, abi: uniswapV2FactoryAbi, functionName: 'createPair', args: [weth, usdc], gas: DEPLOY_GAS_LIMIT }));
  const v2Pair = getAddress(await publicClient.readContract({ address: uniswapV2Factory, abi: uniswapV2FactoryAbi, functionName: 'getPair', args: [weth, usdc] }));
  await confirm(await deployer.writeContract({ address: weth, abi: testTokenAbi, functionName: 'transfer', args: [v2Pair, V2_PAIR_LIQUIDITY.weth] }));
  await confirm(await deployer.writeContract({ address: usdc, abi: testTokenAbi, functionName: 'transfer', args: [v2Pair, V2_PAIR_LIQUIDITY.usdc] }));
  await confirm(await deployer.writeContract({ address: v2Pair, abi: uniswapV2PairAbi, functionName: 'mint', args: [deployer.account.address], gas: DEPLOY_GAS_LIMIT }));
  // SwapRouter02 over both: (factoryV2, factoryV3, positionManager, WETH9).
  const router02 = await deployed(
    await deployer.deployContract({ abi: swapRouter02.abi, bytecode: swapRouter02.bytecode, args: [uniswapV2Factory, uniswapV3Factory, positionManager, weth] }),
  );

  return {
    deployer: deployer.account.address,
    trader: trader.account.address,
    pool: { token0, token1, wethIsToken0, initialSqrtPriceX96 },
    addresses: {
      weth,
      usdc,
      uniswapV3Factory,
      pool,
      nonfungiblePositionManager: positionManager,
      swapRouter: router,
      quoterV2: quoter,
      priceAggregator,
      optionBook,
      routePool,
      uniswapV2Factory,
      v2Pair,
      swapRouter02: router02,
    },
  };
}

async function attach(anvil: AnvilInstance, clients: ChainClients, record: LocalChainRecord): Promise<Omit<LocalChain, 'startup'>> {
  const { publicClient, testClient, deployer, trader, confirm } = clients;
  let snapshotId = await testClient.snapshot();
  return {
    rpcUrl: anvil.rpcUrl,
    anvilPid: anvil.pid,
    chain: foundry,
    publicClient,
    deployer,
    trader,
    testClient,
    addresses: record.addresses,
    pool: record.pool,
    record,
    confirm,
    async dumpState() {
      // anvil answers the gzip of the same JSON its --dump-state writes, as hex.
      return hexToBytes(await testClient.dumpState());
    },
    async reset() {
      // anvil drops a snapshot once reverted to, so take a fresh one each time.
      await testClient.revert({ id: snapshotId });
      snapshotId = await testClient.snapshot();
    },
    async markBaseline() {
      snapshotId = await testClient.snapshot();
    },
    stop: () => anvil.stop(),
  };
}
