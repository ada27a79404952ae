// A Perpetual Protocol v2 ("curie") ETH market on the local chain, deployed from the npm
// artifacts (perp-v2-artifacts.ts) onto an already started LocalChain, by its deployer:
//
//   index   our PriceAggregator → Perp's ChainlinkPriceFeedV3 → PriceFeedDispatcher → vETH
//   market  vETH/vUSD pool (0.3 % tier) in the chain's own UniswapV3Factory, at the oracle's price
//   margin  our USDC TestToken, the Vault's settlement token
//   maker   full-range liquidity backed by its own USDC
//
// Perp's mark price reads 30-minute TWAPs of the pool, which Uniswap cannot answer ("OLD")
// before the pool is that old: the chain's clock is moved past that window before anyone
// opens a position, and the aggregator's answer is then posted again, so that the oracle
// is fresh by the chain's clock (the product judges staleness by it).
//
//   const chain = await startLocalChain();
//   const market = await deployPerpV2Market(chain);
//   const venue = PerpV2VenueSchema.parse(market.venueConfig({ minMarginRatio: 0.15 }));
//   await market.fundTrader(trader, parseUnits('10000', USDC_DECIMALS));
//   await market.moveMarkTo(3100); // after the simulator moved the oracle
//
// LocalChain.reset() reverts to the chain's own snapshot, taken before this market
// existed: whoever deploys the market and wants resets keeps its own snapshot.
//
// On a restored chain (a kept data directory), attachPerpV2Market(chain, market.record,
// keys) finds the same market again: nothing is deployed, the mover's key comes from the
// same seeded keys.
import { BaseError, ContractFunctionRevertedError, createWalletClient, encodeDeployData, encodeFunctionData, getAddress, getContractAddress, http, maxUint256, parseEther, parseUnits, zeroHash } from 'viem';
import type { Abi, Address, Hex, TransactionReceipt } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type * as z from 'zod';
import { priceAggregatorAbi } from '../../shared/adapters/chain/artifacts/price-aggregator.ts';
import { testTokenAbi } from '../../shared/adapters/chain/artifacts/test-token.ts';
import { perpV2ClearingHouseAbi, perpV2VaultAbi, PERP_V2_REVERT } from '../../shared/adapters/chain/perp-v2-abi.ts';
import { uniswapV3Artifacts, uniswapV3FactoryAbi, uniswapV3PoolAbi, uniswapV3TickSpacing } from '../../shared/adapters/chain/uniswap-v3-artifacts.ts';
import type { PerpV2VenueSchema } from '../../shared/contracts/execution-config.ts';
import { priceFromSqrtPriceX96 } from '../../shared/domain/market/pool-price.ts';
import { randomChainKeys, type ChainKeys } from './chain-keys.ts';
import { ChainRestoreError, encodeSqrtPriceX96, USDC_DECIMALS, type LocalChain, type LocalWalletClient } from './local-chain.ts';
import { perpV2Artifacts, type PerpV2Artifact } from './perp-v2-artifacts.ts';

/** The perp pool's Uniswap fee tier; Perp charges its own fee instead (`exchangeFeeRatio`). */
export const PERP_POOL_FEE = 3000;
/** Perp's mark price reads this long a TWAP of the pool (ClearingHouseConfig's default mark-price market TWAP). */
export const PERP_MARK_TWAP_SECONDS = 30 * 60;

export interface PerpV2MarketOptions {
  /** vETH the maker adds over the full range (with vUSD at the oracle's price). Default 1000, as deep as the chain's spot pool. */
  readonly liquidityEth?: number;
  /** Perp's taker fee, millionths. Default 1000 (0.1 %). */
  readonly exchangeFeeRatio?: number;
  /**
   * Observation slots of the pool: a 30-minute TWAP needs an observation at least 30
   * minutes old, and each block whose swaps move the tick writes one. Default 1800: one
   * tick-moving block per second for 30 minutes (the local stack ticks every 2 s).
   */
  readonly observationCardinality?: number;
  /** The maker's and the mover's keys, by label (default: random). */
  readonly keys?: ChainKeys;
}

/** What a restart needs to attach to the market again. */
export interface PerpV2MarketRecord {
  readonly addresses: PerpV2MarketAddresses;
  readonly maker: Address;
  readonly mover: Address;
}

export interface PerpV2MarketAddresses {
  readonly clearingHouse: Address;
  readonly vault: Address;
  readonly accountBalance: Address;
  readonly exchange: Address;
  readonly orderBook: Address;
  readonly marketRegistry: Address;
  readonly clearingHouseConfig: Address;
  readonly insuranceFund: Address;
  /** vETH: the market. */
  readonly baseToken: Address;
  /** vUSD. */
  readonly quoteToken: Address;
  readonly pool: Address;
  readonly chainlinkPriceFeed: Address;
  readonly priceFeedDispatcher: Address;
  /** The settlement token (the chain's USDC). */
  readonly collateralToken: Address;
}

/** What the product's config takes for this venue (PerpV2VenueSchema's input). */
export type PerpV2VenueInput = z.input<typeof PerpV2VenueSchema>;

export interface PerpV2Market {
  readonly addresses: PerpV2MarketAddresses;
  /** The account that provides the liquidity. */
  readonly maker: Address;
  /** The market maker that trades the pool to the oracle (moveMarkTo). */
  readonly mover: Address;
  /** Wall time, gas and transactions of the deployment (including the maker's liquidity). */
  readonly deployment: { readonly ms: number; readonly gasUsed: bigint; readonly transactions: number };
  /** What a restart needs to attach to this market again (attachPerpV2Market). */
  readonly record: PerpV2MarketRecord;
  /** The product's venue config of this market; `overrides` replace fields (ids, margin ratios). */
  venueConfig(overrides?: Partial<PerpV2VenueInput>): PerpV2VenueInput;
  /** Mints `usdc` (raw units, 6 decimals) of the collateral token to `account`. */
  fundTrader(account: Address, usdc: bigint): Promise<void>;
  /** The pool's price now, USD per ETH. */
  marketPrice(): Promise<number>;
  /**
   * Trades the pool toward `priceUsd` (one openPosition whose sqrtPriceLimitX96 is the
   * target) so the perp's price follows the oracle; returns the price reached. Perp caps
   * how far a market moves within 15 s (its tick limit) and how far from the index it may
   * go: a move past them is cut (halved until it passes), as an arbitrageur would be.
   */
  moveMarkTo(priceUsd: number): Promise<number>;
}

/** Fixed gas for every deployment transaction: Perp's gas depends on block.timestamp, an estimate can fall short in the next block (and estimating costs a round trip). */
const DEPLOY_GAS = 12_000_000n;
/** anvil's base fee starts at 1 gwei and falls: far above it, and the deployer pays only the base fee. */
const MAX_FEE_PER_GAS = 100_000_000_000n;
const MOVE_GAS = 3_000_000n;
/** Slots one increaseObservationCardinalityNext writes (~22.3k gas each), within the 30 M block gas limit. */
const CARDINALITY_STEP = 1_000;
const CARDINALITY_GAS = 25_000_000n;
/** Perp's defaults of its own test fixtures: the Chainlink adapter times out after 40 minutes and caches a 15-minute TWAP. */
const CHAINLINK_TIMEOUT_SECONDS = 40n * 60n;
const CHAINLINK_TWAP_SECONDS = 15n * 60n;
/** 10 % of the fee goes to the insurance fund. */
const INSURANCE_FUND_FEE_RATIO = 100_000;
/** Perp's cap: the price may move ~10 % (1000 ticks) per 15-second window; a flash crash of the simulator needs about that. */
const MAX_TICK_CROSSED_WITHIN_BLOCK = 1_000;
/** The time jump past the TWAP window at deployment. */
const TWAP_WARP_SECONDS = BigInt(PERP_MARK_TWAP_SECONDS + 60);
/** Moves smaller than this (relative) are not worth a transaction. */
const MIN_MOVE = 1e-5;
const MAX_MOVE_ATTEMPTS = 6;
const MOVER_USDC = parseUnits('100000000', USDC_DECIMALS);

const E18 = 10n ** 18n;

export async function deployPerpV2Market(chain: LocalChain, options: PerpV2MarketOptions = {}): Promise<PerpV2Market> {
  const started = performance.now();
  const { publicClient, testClient, deployer } = chain;
  const { usdc, priceAggregator, uniswapV3Factory } = chain.addresses;
  let gasUsed = 0n;
  let transactions = 0;

  // The deployment is bound by round trips, not by the EVM: transactions are signed here
  // with explicit nonces, fees and gas, so each is one send and one receipt (viem would ask
  // the node to fill them first). Nobody else sends from these accounts meanwhile.
  const nonces = new Map<Address, number>();
  const nextNonce = async (address: Address): Promise<number> => {
    const nonce = nonces.get(address) ?? (await publicClient.getTransactionCount({ address, blockTag: 'pending' }));
    nonces.set(address, nonce + 1);
    return nonce;
  };
  const submit = async (from: LocalWalletClient, call: { to?: Address; data: Hex }, gas = DEPLOY_GAS): Promise<TransactionReceipt> => {
    const nonce = await nextNonce(from.account.address);
    const signed = await from.account.signTransaction({ ...call, chainId: chain.chain.id, type: 'eip1559', nonce, gas, maxFeePerGas: MAX_FEE_PER_GAS, maxPriorityFeePerGas: 0n });
    const receipt = await chain.confirm(await publicClient.sendRawTransaction({ serializedTransaction: signed }));
    gasUsed += receipt.gasUsed;
    transactions += 1;
    return receipt;
  };
  const deploy = async (artifact: PerpV2Artifact, args: readonly unknown[] = []): Promise<Address> => {
    const { contractAddress } = await submit(deployer, { data: encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args }) });
    if (!contractAddress) throw new Error(`deploying ${artifact.contractName} created no contract`);
    return getAddress(contractAddress); // checksummed, as viem decodes addresses
  };
  const send = async (to: Address, abi: Abi, functionName: string, args: readonly unknown[] = [], from: LocalWalletClient = deployer, gas = DEPLOY_GAS): Promise<void> => {
    await submit(from, { to, data: encodeFunctionData({ abi, functionName, args }) }, gas);
  };
  const a = perpV2Artifacts;

  // The index: our aggregator behind Perp's Chainlink adapter and its dispatcher.
  const chainlinkPriceFeed = await deploy(a.chainlinkPriceFeedV3, [priceAggregator, CHAINLINK_TIMEOUT_SECONDS, CHAINLINK_TWAP_SECONDS]);
  const priceFeedDispatcher = await deploy(a.priceFeedDispatcher, [chainlinkPriceFeed]);

  // Perp needs vETH below vUSD (token0 of the pool). Both are deployed anyway, so the one
  // whose predicted address is lower is deployed as vETH: no deployment is thrown away.
  const next = await nextNonce(deployer.account.address);
  nonces.set(deployer.account.address, next); // only peeked
  const [first, second] = [next, next + 1].map((nonce) => getContractAddress({ from: deployer.account.address, nonce: BigInt(nonce) }));
  const baseFirst = BigInt(first!) < BigInt(second!);
  const deployedFirst = await deploy(baseFirst ? a.baseToken : a.quoteToken);
  const deployedSecond = await deploy(baseFirst ? a.quoteToken : a.baseToken);
  const [baseToken, quoteToken] = baseFirst ? [deployedFirst, deployedSecond] : [deployedSecond, deployedFirst];
  if (BigInt(baseToken) >= BigInt(quoteToken)) throw new Error(`vETH ${baseToken} is not below vUSD ${quoteToken}`);
  await send(quoteToken, a.quoteToken.abi, 'initialize', ['Perp USD (local)', 'vUSD']);
  await send(baseToken, a.baseToken.abi, 'initialize', ['Perp ETH (local)', 'vETH', priceFeedDispatcher]);

  await send(uniswapV3Factory, uniswapV3FactoryAbi, 'createPool', [baseToken, quoteToken, PERP_POOL_FEE]);
  const pool = await publicClient.readContract({ address: uniswapV3Factory, abi: uniswapV3FactoryAbi, functionName: 'getPool', args: [baseToken, quoteToken, PERP_POOL_FEE] });

  // The exchange, initialised in dependency order, then wired to the ClearingHouse.
  const clearingHouseConfig = await deploy(a.clearingHouseConfig);
  await send(clearingHouseConfig, a.clearingHouseConfig.abi, 'initialize');
  const marketRegistry = await deploy(a.marketRegistry);
  await send(marketRegistry, a.marketRegistry.abi, 'initialize', [uniswapV3Factory, quoteToken]);
  const orderBook = await deploy(a.orderBook);
  await send(orderBook, a.orderBook.abi, 'initialize', [marketRegistry]);
  const accountBalance = await deploy(a.accountBalance);
  const exchange = await deploy(a.exchange);
  await send(exchange, a.exchange.abi, 'initialize', [marketRegistry, orderBook, clearingHouseConfig]);
  await send(exchange, a.exchange.abi, 'setAccountBalance', [accountBalance]);
  await send(orderBook, a.orderBook.abi, 'setExchange', [exchange]);
  await send(accountBalance, a.accountBalance.abi, 'initialize', [clearingHouseConfig, orderBook]);
  const insuranceFund = await deploy(a.insuranceFund);
  await send(insuranceFund, a.insuranceFund.abi, 'initialize', [usdc]);
  const vault = await deploy(a.vault);
  await send(vault, a.vault.abi, 'initialize', [insuranceFund, clearingHouseConfig, accountBalance, exchange]);
  await send(insuranceFund, a.insuranceFund.abi, 'setVault', [vault]);
  await send(accountBalance, a.accountBalance.abi, 'setVault', [vault]);
  const clearingHouse = await deploy(a.clearingHouse);
  await send(clearingHouse, a.clearingHouse.abi, 'initialize', [clearingHouseConfig, vault, quoteToken, uniswapV3Factory, exchange, accountBalance, insuranceFund]);
  // The default cap is 0: every deposit would revert (V_GTSTBC).
  await send(clearingHouseConfig, a.clearingHouseConfig.abi, 'setSettlementTokenBalanceCap', [maxUint256]);
  // The ClearingHouse holds all virtual tokens; only it and the pool may transfer them.
  for (const [token, abi] of [
    [quoteToken, a.quoteToken.abi],
    [baseToken, a.baseToken.abi],
  ] as const) {
    await send(token, abi, 'mintMaximumTo', [clearingHouse]);
    await send(token, abi, 'addWhitelist', [clearingHouse]);
    await send(token, abi, 'addWhitelist', [pool]);
  }
  for (const [address, abi] of [
    [marketRegistry, a.marketRegistry.abi],
    [orderBook, a.orderBook.abi],
    [exchange, a.exchange.abi],
    [accountBalance, a.accountBalance.abi],
    [vault, a.vault.abi],
  ] as const) {
    await send(address, abi, 'setClearingHouse', [clearingHouse]);
  }

  // The market: the pool at the oracle's price, its observations, fees, the tick limit (0 = paused).
  const [, answer] = await publicClient.readContract({ address: priceAggregator, abi: priceAggregatorAbi, functionName: 'latestRoundData' });
  const aggregatorDecimals = await publicClient.readContract({ address: priceAggregator, abi: priceAggregatorAbi, functionName: 'decimals' });
  const oraclePrice18 = (answer * E18) / 10n ** BigInt(aggregatorDecimals);
  await send(pool, uniswapV3Artifacts.pool.abi, 'initialize', [encodeSqrtPriceX96(oraclePrice18, E18)]);
  const cardinality = options.observationCardinality ?? 1_800;
  for (let next = Math.min(cardinality, CARDINALITY_STEP); ; next = Math.min(cardinality, next + CARDINALITY_STEP)) {
    await send(pool, uniswapV3Artifacts.pool.abi, 'increaseObservationCardinalityNext', [next], deployer, CARDINALITY_GAS);
    if (next >= cardinality) break;
  }
  await send(marketRegistry, a.marketRegistry.abi, 'addPool', [baseToken, PERP_POOL_FEE]);
  await send(marketRegistry, a.marketRegistry.abi, 'setFeeRatio', [baseToken, options.exchangeFeeRatio ?? 1_000]);
  await send(marketRegistry, a.marketRegistry.abi, 'setInsuranceFundFeeRatio', [baseToken, INSURANCE_FUND_FEE_RATIO]);
  await send(exchange, a.exchange.abi, 'setMaxTickCrossedWithinBlock', [baseToken, MAX_TICK_CROSSED_WITHIN_BLOCK]);

  // Past the TWAP window, then the maker's liquidity (its margin check reads the mark price).
  // An explicit next timestamp rather than evm_increaseTime, which anvil ignores under a fixed block-timestamp interval.
  const { timestamp } = await publicClient.getBlock();
  await testClient.setNextBlockTimestamp({ timestamp: timestamp + TWAP_WARP_SECONDS });
  await testClient.mine({ blocks: 1 });
  await send(priceAggregator, priceAggregatorAbi, 'updateAnswer', [answer]);

  const keys = options.keys ?? randomChainKeys();
  const wallet = async (label: string): Promise<LocalWalletClient> => {
    const client = walletOf(chain, keys(label));
    await testClient.setBalance({ address: client.account.address, value: parseEther('1000') });
    return client;
  };
  const depositCollateral = async (account: LocalWalletClient, amount: bigint): Promise<void> => {
    await send(usdc, testTokenAbi, 'mint', [account.account.address, amount]);
    await send(usdc, testTokenAbi, 'approve', [vault, amount], account);
    await send(vault, perpV2VaultAbi, 'deposit', [usdc, amount], account);
  };

  const liquidityBase = parseUnits(String(options.liquidityEth ?? 1_000), 18);
  const liquidityQuote = (liquidityBase * oraclePrice18) / E18;
  const maker = await wallet('perp:maker');
  // As much collateral as the liquidity's whole debt (base at the price + quote): a maker that no move of the simulator liquidates.
  await depositCollateral(maker, (2n * liquidityQuote) / 10n ** BigInt(18 - USDC_DECIMALS));
  const spacing = uniswapV3TickSpacing[PERP_POOL_FEE];
  const maxTick = Math.floor(887272 / spacing) * spacing;
  await send(
    clearingHouse,
    a.clearingHouse.abi,
    'addLiquidity',
    [{ baseToken, base: liquidityBase, quote: liquidityQuote, lowerTick: -maxTick, upperTick: maxTick, minBase: 0n, minQuote: 0n, useTakerBalance: false, deadline: maxUint256 }],
    maker,
  );
  const mover = await wallet('perp:mover');
  await depositCollateral(mover, MOVER_USDC);
  const deployment = { ms: performance.now() - started, gasUsed, transactions };

  const addresses: PerpV2MarketAddresses = {
    clearingHouse,
    vault,
    accountBalance,
    exchange,
    orderBook,
    marketRegistry,
    clearingHouseConfig,
    insuranceFund,
    baseToken,
    quoteToken,
    pool,
    chainlinkPriceFeed,
    priceFeedDispatcher,
    collateralToken: usdc,
  };
  return perpMarket(chain, { addresses, maker: maker.account.address, mover: mover.account.address }, mover, deployment);
}

/** The market deployed earlier on this (restored) chain: its pool and ClearingHouse must be there, and the mover must be the seed's. */
export async function attachPerpV2Market(chain: LocalChain, record: PerpV2MarketRecord, keys: ChainKeys): Promise<PerpV2Market> {
  const mover = walletOf(chain, keys('perp:mover'));
  if (mover.account.address !== record.mover) throw new ChainRestoreError("the keyring's seed does not make the perp market's mover");
  await Promise.all(
    Object.entries(record.addresses).map(async ([name, address]) => {
      const code = await chain.publicClient.getCode({ address });
      if (code === undefined || code === '0x') throw new ChainRestoreError(`the saved chain has no Perp v2 contract at ${name} ${address}`);
    }),
  );
  return perpMarket(chain, record, mover, { ms: 0, gasUsed: 0n, transactions: 0 });
}

function walletOf(chain: LocalChain, key: Hex): LocalWalletClient {
  return createWalletClient({ account: privateKeyToAccount(key), chain: chain.chain, transport: http(chain.rpcUrl), pollingInterval: 10 });
}

function perpMarket(chain: LocalChain, record: PerpV2MarketRecord, mover: LocalWalletClient, deployment: PerpV2Market['deployment']): PerpV2Market {
  const { publicClient, deployer } = chain;
  const { clearingHouse, vault, accountBalance, exchange, baseToken, pool, collateralToken: usdc } = record.addresses;
  const sqrtPrice = async (): Promise<bigint> => (await publicClient.readContract({ address: pool, abi: uniswapV3PoolAbi, functionName: 'slot0' }))[0];
  const priceOf = (sqrtPriceX96: bigint): number => priceFromSqrtPriceX96(sqrtPriceX96, true, 18, 18);

  /** An openPosition of the mover toward `target`, stopped there by the pool; the size is an upper bound the limit cuts. */
  const moveParams = (current: bigint, target: bigint) => {
    const up = target > current; // a higher vETH price: buy vETH with vUSD
    return {
      baseToken,
      isBaseToQuote: !up,
      isExactInput: true,
      amount: up ? 10n ** 9n * E18 : 10n ** 6n * E18,
      oppositeAmountBound: 0n,
      deadline: maxUint256,
      sqrtPriceLimitX96: target,
      referralCode: zeroHash,
    } as const;
  };

  return {
    addresses: record.addresses,
    maker: record.maker,
    mover: record.mover,
    deployment,
    record,
    venueConfig: (overrides = {}) => ({
      kind: 'perp-v2',
      clearingHouse,
      vault,
      accountBalance,
      exchange,
      baseToken,
      collateralToken: usdc,
      collateralDecimals: USDC_DECIMALS,
      ...overrides,
    }),
    async fundTrader(account, amount) {
      await chain.confirm(await deployer.writeContract({ address: usdc, abi: testTokenAbi, functionName: 'mint', args: [account, amount] }));
    },
    marketPrice: async () => priceOf(await sqrtPrice()),
    async moveMarkTo(priceUsd) {
      if (!(priceUsd > 0 && Number.isFinite(priceUsd))) throw new RangeError(`priceUsd must be a positive price, got ${priceUsd}`);
      const current = await sqrtPrice();
      let target = encodeSqrtPriceX96(parseUnits(priceUsd.toFixed(8), 18), E18);
      if (Math.abs(Number(target - current)) / Number(current) < MIN_MOVE) return priceOf(current);
      for (let attempt = 1; attempt <= MAX_MOVE_ATTEMPTS; attempt += 1, target = (current + target) / 2n) {
        const params = moveParams(current, target);
        try {
          await publicClient.simulateContract({ account: mover.account, address: clearingHouse, abi: perpV2ClearingHouseAbi, functionName: 'openPosition', args: [params] });
        } catch (error) {
          if (isLimitRevert(error)) continue;
          throw error;
        }
        await chain.confirm(await mover.writeContract({ address: clearingHouse, abi: perpV2ClearingHouseAbi, functionName: 'openPosition', args: [params], gas: MOVE_GAS }));
        break;
      }
      // Even a 1/32 step past the caps: the market stays where it is until the next window.
      return priceOf(await sqrtPrice());
    },
  };
}

/** Perp's tick limit or price band refused the move. */
function isLimitRevert(error: unknown): boolean {
  const revert = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
  const reason = revert instanceof ContractFunctionRevertedError ? revert.reason : undefined;
  return reason === PERP_V2_REVERT.overPriceLimit || reason === PERP_V2_REVERT.overPriceBand;
}
