// Lyra v1 ("Avalon")'s ETH option market on the local chain, for the option venue: the
// npm package's contracts (local/chain/lyra-artifacts.ts) deployed on an already started
// LocalChain, with the package's Synthetix test doubles for spot, exchange and sUSD; spot
// taken from our price aggregator, the liquidity pool seeded with sUSD, option boards
// created and their greek caches updated. Deployed by the chain's deployer, who owns
// everything (and so can mint sUSD, move spot and list boards).
//
//   const lyra = await deployLyraMarket(chain);                 // boards 7/14/30/60 days, 0.8-1.2x spot
//   const venue = createLyraV1Venue({ client: chain.publicClient, venue: lyra.venueConfig() });
//   await lyra.fundTrader(chain.trader.account.address, 100_000);
//   await lyra.setSpot(3100);                                   // after moving our oracle: Lyra follows
//
// Lyra's keepers, played by `setSpot` (and `keep`): Lyra v1 does not refuse trades on a
// stale greek cache (OptionGreekCache.isBoardCacheStale: older than staleUpdateDuration,
// 3 h here, or spot moved ≥ acceptableSpotPricePercentMove, 5 %, since the update); the
// cache's staleness blocks LP deposits and withdrawals, skews the pool's NAV (and so the
// vega-utilisation fee) and makes the venue refuse shorts (it bounds their collateral
// from the cached spot). So each spot move refreshes the boards whose cache went stale,
// and boards past expiry are settled at the spot of the moment with their positions.
//
// Sends: one nonce fetched per batch and counted up locally, fees read once per batch and
// a fixed gas limit, so each transaction costs two RPC calls (send, receipt). A fixed
// limit also sidesteps estimates that fall short: BlackScholes' and GWAV's gas depends on
// block.timestamp, which the node's estimate and the mined block do not share. The
// deployer must not send from elsewhere while a batch runs.
//
// LocalChain.reset() reverts to the snapshot taken when the chain was deployed, before
// this market: after a reset the market is gone (take snapshots after deploying it).
//
// On a restored chain (a kept data directory), attachLyraMarket(chain, lyra.record) finds
// the same market again, deployed by the same (seeded) deployer: nothing is redeployed.
import { BaseError, ContractFunctionRevertedError, decodeErrorResult, getAddress, isAddressEqual, maxUint256, parseEventLogs, stringToHex, zeroHash } from 'viem';
import type { Address, Hash, Hex, TransactionReceipt } from 'viem';
import { priceAggregatorAbi } from '../../shared/adapters/chain/artifacts/price-aggregator.ts';
import { LYRA_DECIMALS, LYRA_POSITION_STATE, fromLyraFixed, toLyraFixed, lyraOptionGreekCacheAbi, lyraOptionMarketAbi, lyraOptionTokenAbi } from '../../shared/adapters/chain/lyra-abi.ts';
import type { LyraV1VenueConfig } from '../../shared/contracts/execution-config.ts';
import { linkedBytecode, lyraArtifactErrorsAbi, lyraArtifacts, lyraLocalAbis } from './lyra-artifacts.ts';
import type { LyraArtifact } from './lyra-artifacts.ts';
import { ChainRestoreError, receiptPolled, type LocalChain } from './local-chain.ts';

const DAY_SEC = 86_400;
const HOUR_SEC = 3_600;
const WEEK_SEC = 7 * DAY_SEC;
const e18 = toLyraFixed;
const key = (name: string): Hex => stringToHex(name, { size: 32 });
/** Lyra's fee share destination; nothing here claims it. */
const SECURITY_MODULE: Address = '0xEfeefEEfeeFEEfeefeEfEEfEeFEefeefEEfeeFeE';
/**
 * Enough for any one deployment or call here: the largest is a board, ~0.7 M + 0.55 M per
 * strike (5 strikes 3.3 M; 30, the maxStrikesPerBoard set below, ~17 M). anvil's block holds 30 M.
 */
const GAS_LIMIT = 25_000_000n;
/** Base IV every board starts at (Lyra's own test default), and a flat skew: the traded vol starts at baseIv on every strike. */
const DEFAULT_BASE_IV = 0.8;
const DEFAULT_BOARD_DAYS = [7, 14, 30, 60] as const;
const DEFAULT_STRIKE_MULTIPLES = [0.8, 0.9, 1, 1.1, 1.2] as const;
/** What the liquidity pool is seeded with, sUSD. */
const DEFAULT_LIQUIDITY_USD = 1_000_000;

export interface LyraBoardSpec {
  /** Days from the chain's current time. */
  readonly expiryDays: number;
  /** USD; default: 0.8, 0.9, 1, 1.1, 1.2 × spot, rounded to a round step. */
  readonly strikes?: readonly number[];
}

export interface LyraMarketOptions {
  /** Default: 7, 14, 30 and 60 days, each with the default strikes. */
  readonly boards?: readonly LyraBoardSpec[];
  /** sUSD the deployer deposits in the liquidity pool before any board goes live (default 1,000,000). */
  readonly liquidityUsd?: number;
  /** The boards' base implied vol (default 0.8). */
  readonly baseIv?: number;
}

export interface LyraMarketAddresses {
  readonly optionMarket: Address;
  readonly optionMarketPricer: Address;
  readonly optionGreekCache: Address;
  readonly optionToken: Address;
  readonly shortCollateral: Address;
  readonly liquidityPool: Address;
  readonly liquidityToken: Address;
  readonly shortPoolHedger: Address;
  readonly synthetixAdapter: Address;
  /** The Synthetix test doubles: spot lives in exchangeRates. */
  readonly exchangeRates: Address;
  readonly exchanger: Address;
  readonly synthetix: Address;
  readonly collateralShort: Address;
  readonly addressResolver: Address;
  readonly delegateApprovals: Address;
  /** The quote asset premiums are paid in (18 decimals) and the base asset (the underlying's synth). */
  readonly sUsd: Address;
  readonly sEth: Address;
  readonly gwav: Address;
  readonly blackScholes: Address;
}

export interface LyraStrikeListing {
  readonly strikeId: bigint;
  /** USD. */
  readonly strike: number;
}

export interface LyraBoardListing {
  readonly boardId: bigint;
  readonly expiryMs: number;
  readonly strikes: readonly LyraStrikeListing[];
}

/** What a keeper pass did. */
export interface LyraKeeperReport {
  /** Boards past expiry settled now (at the spot of the moment). */
  readonly settledBoards: readonly bigint[];
  /** Positions of those boards settled (burned, paid out to their owners). */
  readonly settledPositions: readonly bigint[];
  /** Boards whose greek cache was stale and was updated. */
  readonly refreshedBoards: readonly bigint[];
}

/** What a restart needs to attach to the market again (the deployer is the chain's own, from the same seed). */
export interface LyraMarketRecord {
  readonly addresses: LyraMarketAddresses;
  readonly initialSpotUsd: number;
  readonly baseIv: number;
}

export interface LyraMarket {
  readonly addresses: LyraMarketAddresses;
  /** What a restart needs to attach to this market again (attachLyraMarket). */
  readonly record: LyraMarketRecord;
  /** Spot at deployment (our aggregator's answer then), USD. */
  readonly initialSpotUsd: number;
  /** Wall-clock time of the deployment, its transactions and their gas. */
  readonly deployment: { readonly ms: number; readonly transactions: number; readonly gasUsed: bigint };
  /** The venue configuration of this market (sUSD, 18 decimals; buys only unless overridden with shortCollateralMultiple). */
  venueConfig(overrides?: Partial<Omit<LyraV1VenueConfig, 'kind'>>): LyraV1VenueConfig;
  /** Mints sUSD (USD) to an account. */
  fundTrader(account: Address, sUsd: number): Promise<void>;
  /** Lyra's spot now, USD. */
  spotUsd(): Promise<number>;
  /** Moves Lyra's spot (USD), then does the keepers' work (`keep`). */
  setSpot(priceUsd: number): Promise<LyraKeeperReport>;
  /** Settles boards past expiry (and their positions) and refreshes stale greek caches. */
  keep(): Promise<LyraKeeperReport>;
  /** Lists a board (expiry in ms, rounded down to the second; strikes in USD) and updates its greek cache. */
  addBoard(expiryMs: number, strikes: readonly number[]): Promise<LyraBoardListing>;
  /** The live boards and their strikes. */
  liveBoards(): Promise<LyraBoardListing[]>;
}

/**
 * @example
 * const lyra = await deployLyraMarket(chain, { boards: [{ expiryDays: 30, strikes: [2800, 3000, 3200] }] });
 */
export async function deployLyraMarket(chain: LocalChain, options: LyraMarketOptions = {}): Promise<LyraMarket> {
  const started = performance.now();
  const { publicClient, deployer } = chain;
  const baseIv = options.baseIv ?? DEFAULT_BASE_IV;
  const liquidityUsd = options.liquidityUsd ?? DEFAULT_LIQUIDITY_USD;
  const sender = createLyraSender(chain);
  const { batch } = sender;

  const a = lyraArtifacts;
  // Lyra's spot starts at our aggregator's answer, exactly (scaled from its decimals to 18).
  const [[, answer], answerDecimals] = await Promise.all([
    publicClient.readContract({ address: chain.addresses.priceAggregator, abi: priceAggregatorAbi, functionName: 'latestRoundData' }),
    publicClient.readContract({ address: chain.addresses.priceAggregator, abi: priceAggregatorAbi, functionName: 'decimals' }),
  ]);
  if (answer <= 0n || answerDecimals > LYRA_DECIMALS) throw new Error(`Lyra deployment: the price aggregator answers ${answer} with ${answerDecimals} decimals`);
  const initialSpot = answer * 10n ** BigInt(LYRA_DECIMALS - answerDecimals);
  const initialSpotUsd = fromLyraFixed(initialSpot);

  // ------------------------------------------------------------------ contracts
  const tx = await batch();
  const gwav = await tx.deploy(a.gwav);
  const blackScholes = await tx.deploy(a.blackScholes);
  const synthetixAdapter = await tx.deploy(a.synthetixAdapter);
  const exchanger = await tx.deploy(a.testExchanger);
  const exchangeRates = await tx.deploy(a.testExchangeRates);
  const sUsd = await tx.deploy(a.testErc20, ['Synthetic USD', 'sUSD']);
  const synthetix = await tx.deploy(a.testSynthetix);
  const delegateApprovals = await tx.deploy(a.testDelegateApprovals);
  const collateralShort = await tx.deploy(a.testCollateralShort);
  const addressResolver = await tx.deploy(a.testAddressResolver);
  const optionMarket = await tx.deploy(a.optionMarket);
  const optionMarketPricer = await tx.deploy(a.optionMarketPricer);
  const optionGreekCache = await tx.deploy(a.optionGreekCache, [], { GWAV: gwav, BlackScholes: blackScholes });
  const liquidityPool = await tx.deploy(a.liquidityPool);
  const liquidityToken = await tx.deploy(a.liquidityToken, ['sUSD/sETH Pool Tokens', 'LyraELPT']);
  const optionToken = await tx.deploy(a.optionToken, ['sUSD/sETH Option Tokens', 'LyraEOT']);
  const shortCollateral = await tx.deploy(a.shortCollateral);
  const shortPoolHedger = await tx.deploy(a.shortPoolHedger);
  const sEth = await tx.deploy(a.testErc20, ['Synthetic ETH', 'sETH']);

  // ------------------------------------------------------------------ Synthetix doubles
  await tx.call(synthetixAdapter, a.synthetixAdapter, 'initialize');
  await tx.call(synthetix, a.testSynthetix, 'init', [synthetixAdapter, sUsd, addressResolver]);
  await tx.call(collateralShort, a.testCollateralShort, 'init', [synthetixAdapter, sUsd]);
  await tx.call(addressResolver, a.testAddressResolver, 'setAddresses', [
    ['ProxySynthetix', 'Exchanger', 'ExchangeRates', 'CollateralShort', 'DelegateApprovals'].map(key),
    [synthetix, exchanger, exchangeRates, collateralShort, delegateApprovals],
  ]);
  // The exchange and the short loans mint and burn the synths.
  await tx.call(sUsd, a.testErc20, 'permitMint', [synthetix, true]);
  await tx.call(sUsd, a.testErc20, 'permitMint', [collateralShort, true]);
  // Also pulls the Synthetix addresses from the resolver (updateSynthetixAddresses): the
  // pool, the short collateral and the hedger approve the exchange in their init, so this
  // comes first.
  await tx.call(synthetixAdapter, a.synthetixAdapter, 'setAddressResolver', [addressResolver]);

  // ------------------------------------------------------------------ the market
  await tx.call(synthetix, a.testSynthetix, 'addBaseAsset', [key('sETH'), sEth, optionMarket]);
  await tx.call(collateralShort, a.testCollateralShort, 'addBaseAsset', [key('sETH'), sEth, optionMarket]);
  await tx.call(sEth, a.testErc20, 'permitMint', [synthetix, true]);
  await tx.call(sEth, a.testErc20, 'permitMint', [collateralShort, true]);
  await tx.call(optionMarket, a.optionMarket, 'init', [synthetixAdapter, liquidityPool, optionMarketPricer, optionGreekCache, shortCollateral, optionToken, sUsd, sEth]);
  await tx.call(optionMarketPricer, a.optionMarketPricer, 'init', [optionMarket, optionGreekCache]);
  await tx.call(optionGreekCache, a.optionGreekCache, 'init', [synthetixAdapter, optionMarket, optionMarketPricer]);
  await tx.call(liquidityPool, a.liquidityPool, 'init', [synthetixAdapter, optionMarket, liquidityToken, optionGreekCache, shortPoolHedger, shortCollateral, sUsd, sEth]);
  await tx.call(liquidityToken, a.liquidityToken, 'init', [liquidityPool]);
  await tx.call(shortPoolHedger, a.shortPoolHedger, 'init', [synthetixAdapter, optionMarket, optionGreekCache, liquidityPool, sUsd, sEth]);
  await tx.call(shortCollateral, a.shortCollateral, 'init', [optionMarket, liquidityPool, optionToken, synthetixAdapter, sUsd, sEth]);
  await tx.call(optionToken, a.optionToken, 'init', [optionMarket, optionGreekCache, shortCollateral, synthetixAdapter]);
  await tx.call(synthetixAdapter, a.synthetixAdapter, 'setGlobalsForContract', [optionMarket, key('sUSD'), key('sETH'), SECURITY_MODULE, zeroHash]);

  // Parameters: Lyra's own test defaults (the package's test/utils/defaultParams).
  await tx.call(optionMarket, a.optionMarket, 'setOptionMarketParams', [
    { maxBoardExpiry: BigInt(12 * 28 * DAY_SEC), securityModule: SECURITY_MODULE, feePortionReserved: e18(0.1), staticBaseSettlementFee: e18(0.0075) },
  ]);
  await tx.call(liquidityPool, a.liquidityPool, 'setLiquidityPoolParameters', [
    {
      minDepositWithdraw: e18(1),
      depositDelay: BigInt(WEEK_SEC),
      withdrawalDelay: BigInt(WEEK_SEC),
      withdrawalFee: e18(0.01),
      liquidityCBThreshold: e18(0.01),
      liquidityCBTimeout: BigInt(3 * DAY_SEC),
      ivVarianceCBThreshold: e18(0.1),
      skewVarianceCBThreshold: e18(0.35),
      ivVarianceCBTimeout: BigInt(12 * HOUR_SEC),
      skewVarianceCBTimeout: BigInt(12 * HOUR_SEC),
      guardianMultisig: '0x0000000000000000000000000000000000000000',
      guardianDelay: BigInt(2 * WEEK_SEC),
      boardSettlementCBTimeout: BigInt(6 * HOUR_SEC),
      maxFeePaid: e18(0.01),
    },
  ]);
  await tx.call(shortPoolHedger, a.shortPoolHedger, 'setPoolHedgerParams', [{ interactionDelay: BigInt(DAY_SEC), hedgeCap: maxUint256 }]);
  await tx.call(shortPoolHedger, a.shortPoolHedger, 'setShortBuffer', [e18(2)]);
  await tx.call(optionGreekCache, a.optionGreekCache, 'setGreekCacheParameters', [
    {
      maxStrikesPerBoard: 30n,
      acceptableSpotPricePercentMove: e18(0.05),
      staleUpdateDuration: BigInt(3 * HOUR_SEC),
      varianceIvGWAVPeriod: BigInt(DAY_SEC),
      varianceSkewGWAVPeriod: BigInt(3 * DAY_SEC),
      optionValueIvGWAVPeriod: BigInt(DAY_SEC),
      optionValueSkewGWAVPeriod: BigInt(3 * DAY_SEC),
      gwavSkewFloor: e18(0.5),
      gwavSkewCap: e18(2),
      rateAndCarry: e18(0.05),
    },
  ]);
  await tx.call(optionGreekCache, a.optionGreekCache, 'setMinCollateralParameters', [
    {
      minStaticBaseCollateral: e18(0.2),
      minStaticQuoteCollateral: e18(200),
      shockVolA: e18(2.5),
      shockVolPointA: BigInt(2 * WEEK_SEC),
      shockVolB: e18(1.8),
      shockVolPointB: BigInt(8 * WEEK_SEC),
      callSpotPriceShock: e18(1.2),
      putSpotPriceShock: e18(0.8),
    },
  ]);
  await tx.call(optionGreekCache, a.optionGreekCache, 'setForceCloseParameters', [
    {
      ivGWAVPeriod: BigInt(12 * HOUR_SEC),
      skewGWAVPeriod: BigInt(DAY_SEC),
      shortVolShock: e18(1.2),
      shortPostCutoffVolShock: e18(1.4),
      longVolShock: e18(0.8),
      longPostCutoffVolShock: e18(0.5),
      liquidateVolShock: e18(1.3),
      liquidatePostCutoffVolShock: e18(1.6),
      shortSpotMin: e18(0.01),
      liquidateSpotMin: e18(0.02),
    },
  ]);
  await tx.call(optionMarketPricer, a.optionMarketPricer, 'setPricingParams', [
    {
      optionPriceFeeCoefficient: e18(0.01),
      optionPriceFee1xPoint: BigInt(6 * WEEK_SEC),
      optionPriceFee2xPoint: BigInt(16 * WEEK_SEC),
      spotPriceFeeCoefficient: e18(0.01),
      spotPriceFee1xPoint: BigInt(6 * WEEK_SEC),
      spotPriceFee2xPoint: BigInt(12 * WEEK_SEC),
      vegaFeeCoefficient: e18(100),
      standardSize: e18(5),
      skewAdjustmentFactor: e18(0.75),
    },
  ]);
  // Trading cutoff 12 h before expiry; minDelta 0.15 refuses far out-of-the-money short-dated strikes.
  await tx.call(optionMarketPricer, a.optionMarketPricer, 'setTradeLimitParams', [
    {
      minDelta: e18(0.15),
      minForceCloseDelta: e18(0.25),
      tradingCutoff: BigInt(12 * HOUR_SEC),
      minBaseIV: e18(0.35),
      maxBaseIV: e18(2),
      minSkew: e18(0.5),
      maxSkew: e18(1.5),
      minVol: e18(0.55),
      maxVol: e18(3),
      absMinSkew: e18(0.15),
      absMaxSkew: e18(5),
      capSkewsToAbs: false,
    },
  ]);
  await tx.call(optionMarketPricer, a.optionMarketPricer, 'setVarianceFeeParams', [
    {
      defaultVarianceFeeCoefficient: e18(0.25),
      forceCloseVarianceFeeCoefficient: e18(0.25),
      skewAdjustmentCoefficient: e18(3),
      referenceSkew: e18(1),
      minimumStaticSkewAdjustment: e18(1),
      vegaCoefficient: e18(0.01),
      minimumStaticVega: 0n,
      ivVarianceCoefficient: e18(1.5),
      minimumStaticIvVariance: e18(1),
    },
  ]);
  await tx.call(optionToken, a.optionToken, 'setPartialCollateralParams', [
    { penaltyRatio: e18(0.2), liquidatorFeeRatio: e18(0.4), smFeeRatio: e18(0.3), minLiquidationFee: e18(15) },
  ]);
  await tx.call(exchanger, a.testExchanger, 'setFeeRateForExchange', [key('sETH'), key('sUSD'), e18(0.0075)]);
  await tx.call(exchanger, a.testExchanger, 'setFeeRateForExchange', [key('sUSD'), key('sETH'), e18(0.005)]);
  await tx.call(exchangeRates, a.testExchangeRates, 'setRateAndInvalid', [key('sETH'), initialSpot, false]);

  // ------------------------------------------------------------------ liquidity, before any board is live
  // With no live board a deposit is processed at once; afterwards it would queue for depositDelay.
  const liquidity = e18(liquidityUsd);
  await tx.call(sUsd, a.testErc20, 'mint', [deployer.account.address, liquidity]);
  await tx.call(sUsd, a.testErc20, 'approve', [liquidityPool, liquidity]);
  await tx.call(liquidityPool, a.liquidityPool, 'initiateDeposit', [deployer.account.address, liquidity]);
  await tx.call(shortPoolHedger, a.shortPoolHedger, 'openShortAccount');

  const addresses: LyraMarketAddresses = {
    optionMarket,
    optionMarketPricer,
    optionGreekCache,
    optionToken,
    shortCollateral,
    liquidityPool,
    liquidityToken,
    shortPoolHedger,
    synthetixAdapter,
    exchangeRates,
    exchanger,
    synthetix,
    collateralShort,
    addressResolver,
    delegateApprovals,
    sUsd,
    sEth,
    gwav,
    blackScholes,
  };
  const runtime = lyraRuntime(chain, { addresses, initialSpotUsd, baseIv }, sender);

  // ------------------------------------------------------------------ boards
  const specs: readonly LyraBoardSpec[] = options.boards ?? DEFAULT_BOARD_DAYS.map((expiryDays) => ({ expiryDays }));
  const now = await runtime.chainNowSec();
  for (const spec of specs) {
    if (!(spec.expiryDays > 0)) throw new RangeError(`a board's expiryDays must be positive (got ${spec.expiryDays})`);
    await runtime.createBoard(tx, now + Math.round(spec.expiryDays * DAY_SEC), spec.strikes ?? defaultStrikes(initialSpotUsd));
  }
  const deployment = { ms: performance.now() - started, transactions: sender.counts.transactions, gasUsed: sender.counts.gasUsed };
  return { ...runtime.market, deployment };
}

/** The market deployed earlier on this (restored) chain, by the same deployer: its contracts must be there. */
export async function attachLyraMarket(chain: LocalChain, record: LyraMarketRecord): Promise<LyraMarket> {
  await Promise.all(
    Object.entries(record.addresses).map(async ([name, address]) => {
      const code = await chain.publicClient.getCode({ address });
      if (code === undefined || code === '0x') throw new ChainRestoreError(`the saved chain has no Lyra contract at ${name} ${address}`);
    }),
  );
  return { ...lyraRuntime(chain, record, createLyraSender(chain)).market, deployment: { ms: 0, transactions: 0, gasUsed: 0n } };
}

/** Deployer transactions: a batch reads the nonce and fees once, then counts them; reverts are replayed to name the custom error. */
function createLyraSender(chain: LocalChain) {
  const { publicClient, deployer } = chain;
  const counts = { transactions: 0, gasUsed: 0n };
  /** Receipt of a mined transaction; a revert is replayed at its block to name the custom error. */
  const confirmed = async (hash: Hash, label: string): Promise<TransactionReceipt> => {
    const receipt = await receiptPolled(publicClient, hash); // not waitForTransactionReceipt: see receiptPolled
    counts.transactions += 1;
    counts.gasUsed += receipt.gasUsed;
    if (receipt.status === 'success') return receipt;
    const tx = await publicClient.getTransaction({ hash });
    const reason = await publicClient
      .call({ account: tx.from, to: tx.to, data: tx.input, gas: tx.gas, blockNumber: receipt.blockNumber - 1n })
      .then(() => 'no revert on replay')
      .catch((error: unknown) => revertName(error));
    throw new Error(`Lyra deployment: ${label} reverted (${reason}; gas used ${receipt.gasUsed} of ${tx.gas})`);
  };

  /** A batch of deployer transactions: nonce and fees read once, then counted and reused. */
  const batch = async () => {
    let nonce = await publicClient.getTransactionCount({ address: deployer.account.address, blockTag: 'pending' });
    const { maxFeePerGas, maxPriorityFeePerGas } = await publicClient.estimateFeesPerGas();
    const common = () => ({ nonce: nonce++, gas: GAS_LIMIT, maxFeePerGas, maxPriorityFeePerGas });
    return {
      async deploy(artifact: LyraArtifact, args: readonly unknown[] = [], libraries: Readonly<Record<string, Address>> = {}): Promise<Address> {
        const hash = await deployer.deployContract({ abi: artifact.abi, bytecode: linkedBytecode(artifact, libraries), args, ...common() });
        const receipt = await confirmed(hash, `deploying ${artifact.contractName}`);
        if (!receipt.contractAddress) throw new Error(`Lyra deployment: ${artifact.contractName} created no contract`);
        return getAddress(receipt.contractAddress);
      },
      async call(address: Address, artifact: LyraArtifact, functionName: string, args: readonly unknown[] = []): Promise<TransactionReceipt> {
        const hash = await deployer.writeContract({ address, abi: artifact.abi, functionName, args, ...common() });
        return confirmed(hash, `${artifact.contractName}.${functionName}`);
      },
    };
  };
  return { batch, counts };
}

type LyraSender = ReturnType<typeof createLyraSender>;

/** The market's operations over its addresses (deployed now, or found on a restored chain). */
function lyraRuntime(chain: LocalChain, record: LyraMarketRecord, sender: LyraSender) {
  const { publicClient } = chain;
  const { batch } = sender;
  const { addresses, initialSpotUsd, baseIv } = record;
  const { optionMarket, optionGreekCache, optionToken, shortCollateral, exchangeRates, sUsd } = addresses;
  const a = lyraArtifacts;

  const chainNowSec = async (): Promise<number> => Number((await publicClient.getBlock()).timestamp);

  async function spotUsd(): Promise<number> {
    const [rate] = await publicClient.readContract({ address: exchangeRates, abi: lyraLocalAbis.exchangeRates, functionName: 'rateAndInvalid', args: [key('sETH')] });
    return fromLyraFixed(rate);
  }

  async function readBoard(boardId: bigint): Promise<LyraBoardListing> {
    const board = await publicClient.readContract({ address: optionMarket, abi: lyraOptionMarketAbi, functionName: 'getOptionBoard', args: [boardId] });
    const strikes = await Promise.all(
      board.strikeIds.map(async (strikeId) => {
        const strike = await publicClient.readContract({ address: optionMarket, abi: lyraOptionMarketAbi, functionName: 'getStrike', args: [strikeId] });
        return { strikeId, strike: fromLyraFixed(strike.strikePrice) };
      }),
    );
    return { boardId, expiryMs: Number(board.expiry) * 1000, strikes };
  }

  async function liveBoards(): Promise<LyraBoardListing[]> {
    const ids = await publicClient.readContract({ address: optionMarket, abi: lyraOptionMarketAbi, functionName: 'getLiveBoards' });
    return Promise.all(ids.map(readBoard));
  }

  async function createBoard(send: Awaited<ReturnType<typeof batch>>, expirySec: number, strikesUsd: readonly number[]): Promise<bigint> {
    if (strikesUsd.length === 0) throw new RangeError('a board needs at least one strike');
    const receipt = await send.call(optionMarket, a.optionMarket, 'createOptionBoard', [
      BigInt(expirySec),
      e18(baseIv),
      strikesUsd.map(e18),
      strikesUsd.map(() => e18(1)),
      false,
    ]);
    const boardId = boardIdOf(receipt, optionMarket);
    await send.call(optionGreekCache, a.optionGreekCache, 'updateBoardCachedGreeks', [boardId]);
    return boardId;
  }

  async function addBoard(expiryMs: number, strikes: readonly number[]): Promise<LyraBoardListing> {
    const expirySec = Math.floor(expiryMs / 1000);
    if (expirySec <= (await chainNowSec())) throw new RangeError(`a board's expiry must be in the chain's future (got ${new Date(expiryMs).toISOString()})`);
    return readBoard(await createBoard(await batch(), expirySec, strikes));
  }

  async function keep(): Promise<LyraKeeperReport> {
    const send = await batch();
    const now = await chainNowSec();
    const ids = await publicClient.readContract({ address: optionMarket, abi: lyraOptionMarketAbi, functionName: 'getLiveBoards' });
    const boards = await Promise.all(ids.map((id) => publicClient.readContract({ address: optionMarket, abi: lyraOptionMarketAbi, functionName: 'getOptionBoard', args: [id] })));
    const expired = boards.filter((board) => Number(board.expiry) <= now);
    const settledBoards: bigint[] = [];
    for (const board of expired) {
      await send.call(optionMarket, a.optionMarket, 'settleExpiredBoard', [board.id]);
      settledBoards.push(board.id);
    }
    const settledPositions = expired.length === 0 ? [] : await positionsOn(new Set(expired.flatMap((board) => board.strikeIds)));
    if (settledPositions.length > 0) await send.call(shortCollateral, a.shortCollateral, 'settleOptions', [settledPositions]);
    const refreshedBoards: bigint[] = [];
    for (const board of boards) {
      if (Number(board.expiry) <= now) continue;
      const stale = await publicClient.readContract({ address: optionGreekCache, abi: lyraOptionGreekCacheAbi, functionName: 'isBoardCacheStale', args: [board.id] });
      if (!stale) continue;
      await send.call(optionGreekCache, a.optionGreekCache, 'updateBoardCachedGreeks', [board.id]);
      refreshedBoards.push(board.id);
    }
    return { settledBoards, settledPositions, refreshedBoards };
  }

  /** Active positions (any owner) on these strikes: OptionToken is enumerable. */
  async function positionsOn(strikeIds: ReadonlySet<bigint>): Promise<bigint[]> {
    const total = await publicClient.readContract({ address: optionToken, abi: lyraLocalAbis.optionToken, functionName: 'totalSupply' });
    const ids = await Promise.all(
      Array.from({ length: Number(total) }, (_, index) =>
        publicClient.readContract({ address: optionToken, abi: lyraLocalAbis.optionToken, functionName: 'tokenByIndex', args: [BigInt(index)] }),
      ),
    );
    const positions = await Promise.all(ids.map((id) => publicClient.readContract({ address: optionToken, abi: lyraOptionTokenAbi, functionName: 'getOptionPosition', args: [id] })));
    return positions.filter((p) => p.state === LYRA_POSITION_STATE.ACTIVE && strikeIds.has(p.strikeId)).map((p) => p.positionId);
  }

  const market: Omit<LyraMarket, 'deployment'> = {
    addresses,
    initialSpotUsd,
    record,
    venueConfig: (overrides = {}) => ({
      kind: 'lyra-v1',
      id: 'lyra-v1',
      optionMarket,
      optionToken,
      optionGreekCache,
      shortCollateral,
      quoteAsset: sUsd,
      quoteDecimals: LYRA_DECIMALS,
      iterations: 1,
      ...overrides,
    }),
    async fundTrader(account, sUsdAmount) {
      await (await batch()).call(sUsd, a.testErc20, 'mint', [account, e18(sUsdAmount)]);
    },
    spotUsd,
    async setSpot(priceUsd) {
      await (await batch()).call(exchangeRates, a.testExchangeRates, 'setRateAndInvalid', [key('sETH'), e18(priceUsd), false]);
      return keep();
    },
    keep,
    addBoard,
    liveBoards,
  };
  return { market, chainNowSec, createBoard };
}

/** 0.8 … 1.2 × spot, each rounded to a step of 1 % of spot's order of magnitude (100 for a spot of 3000). */
export function defaultStrikes(spotUsd: number): number[] {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(spotUsd)) - 1);
  return [...new Set(DEFAULT_STRIKE_MULTIPLES.map((multiple) => Math.round((spotUsd * multiple) / step) * step))];
}

function boardIdOf(receipt: TransactionReceipt, optionMarket: Address): bigint {
  const [created] = parseEventLogs({ abi: lyraLocalAbis.optionMarket, eventName: 'BoardCreated', logs: receipt.logs }).filter((log) => isAddressEqual(log.address, optionMarket));
  if (created === undefined) throw new Error('createOptionBoard emitted no BoardCreated');
  return created.args.boardId;
}

function revertName(error: unknown): string {
  const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName !== undefined) return reverted.data.errorName;
  const data = findRevertData(error);
  if (data !== undefined) {
    try {
      return decodeErrorResult({ abi: lyraArtifactErrorsAbi, data }).errorName;
    } catch {
      return `unknown revert ${data.slice(0, 10)}`;
    }
  }
  return error instanceof Error ? error.message.split('\n')[0] ?? 'unknown' : String(error);
}

function findRevertData(error: unknown): Hex | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const data = (current as { data?: unknown }).data;
    if (typeof data === 'string' && data.startsWith('0x') && data.length >= 10) return data as Hex;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
