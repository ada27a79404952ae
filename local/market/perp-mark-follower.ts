/**
 * Makes the Perp v2 market's mark follow the simulated market, tick by tick, as
 * arbitrageurs and keepers would over the hour a tick stands for.
 *
 * Three things keep a real Perp market behind a fast move, and each would make the local
 * perp useless in a flash crash (its mark 20-30 % from the oracle, every perp hedge
 * refused by the oracle-deviation guard, or cut short by Perp's caps):
 *
 * - The mark is a median of TWAPs (15 s of the pool, 30 min of the pool, the index plus a
 *   15-min premium). The local chain's clock moves seconds per tick while the simulator
 *   moves an hour, so 30- and 15-minute TWAPs never catch up. The market's owner sets both
 *   windows to 15 s here (ClearingHouseConfig's own setters): with the chain clock moved
 *   past 15 s after each move, every input of the median is the new price.
 * - Perp caps how far its pool may move within 15 s (~10 %), counted from a tick it
 *   refreshes at the first trade (or funding settlement) 15 s after the last refresh. The
 *   clock moved past 15 s after the arbitrageur's trade lets the next settlement refresh it.
 * - Quotes simulate the swap alone, without that refresh: a hedge right after a 9 % crash
 *   tick would be quoted against the tick before the move and cut to what is left of the
 *   10 %. So a keeper settles its funding after the clock moved (any trader may settle
 *   their own funding; the keeper holds a dust position so that it has a market to
 *   settle), which refreshes the reference at the new price.
 *
 * The clock moves 16 s of chain time per tick (the chain runs ahead of the wall clock by
 * that much per tick; every time check in the product uses the later of the two clocks).
 */
import { createWalletClient, http, maxUint256, parseAbi, parseEther, parseUnits, zeroHash, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { testTokenAbi } from '../../shared/adapters/chain/artifacts/test-token.ts';
import { perpV2ClearingHouseAbi, perpV2VaultAbi } from '../../shared/adapters/chain/perp-v2-abi.ts';
import { USDC_DECIMALS, type LocalChain } from '../chain/local-chain.ts';
import type { PerpV2Market } from '../chain/perp-v2-market.ts';

/** Perp's tick-limit window, and the TWAP windows of the mark set here. */
export const PERP_WINDOW_SECONDS = 15;
/** Chain time moved after each mark move: one second past the window, so the TWAPs see only the new price. */
const CLOCK_STEP_SECONDS = BigInt(PERP_WINDOW_SECONDS + 1);
/** The keeper's collateral and its dust position (quote in, USD). */
const KEEPER_USDC = parseUnits('1000', USDC_DECIMALS);
const KEEPER_POSITION_QUOTE = parseEther('10');
/** Fixed gas: Perp's gas depends on the block's timestamp, an estimate can fall short. */
const KEEPER_GAS = 1_500_000n;

/** The owner's setters of the mark's TWAP windows (ClearingHouseConfig), and a trader's own funding settlement (ClearingHouse). */
const markPriceConfigAbi = parseAbi(['function setMarkPriceMarketTwapInterval(uint32 twapIntervalArg)', 'function setMarkPricePremiumInterval(uint32 premiumIntervalArg)']);
const settleFundingAbi = parseAbi(['function settleAllFunding(address trader)']);

export interface PerpMarkFollower {
  /** Moves the mark to `priceUsd`, the chain clock past the TWAP window, and refreshes the cap's reference; returns the mark's pool price. */
  follow(priceUsd: number): Promise<number>;
}

export interface PerpMarkFollowerOptions {
  /** The keeper's key (default: a random one). */
  readonly keeperKey?: Hex;
  /**
   * The market was set up for following already (a restored chain): the TWAP windows are
   * set and the keeper holds its dust position, so nothing is sent at creation.
   */
  readonly alreadySetUp?: boolean;
}

export async function createPerpMarkFollower(chain: LocalChain, perp: PerpV2Market, options: PerpMarkFollowerOptions = {}): Promise<PerpMarkFollower> {
  const { clearingHouse, clearingHouseConfig, vault, baseToken, collateralToken } = perp.addresses;
  const keeper = createWalletClient({ account: privateKeyToAccount(options.keeperKey ?? generatePrivateKey()), chain: chain.chain, transport: http(chain.rpcUrl), pollingInterval: 10 });
  if (options.alreadySetUp !== true) await setUp();

  async function setUp(): Promise<void> {
    for (const functionName of ['setMarkPriceMarketTwapInterval', 'setMarkPricePremiumInterval'] as const) {
      await chain.confirm(await chain.deployer.writeContract({ address: clearingHouseConfig, abi: markPriceConfigAbi, functionName, args: [PERP_WINDOW_SECONDS] }));
    }
    await chain.testClient.setBalance({ address: keeper.account.address, value: parseEther('100') });
    await perp.fundTrader(keeper.account.address, KEEPER_USDC);
    await chain.confirm(await keeper.writeContract({ address: collateralToken, abi: testTokenAbi, functionName: 'approve', args: [vault, KEEPER_USDC] }));
    await chain.confirm(await keeper.writeContract({ address: vault, abi: perpV2VaultAbi, functionName: 'deposit', args: [collateralToken, KEEPER_USDC], gas: KEEPER_GAS }));
    const dust = { baseToken, isBaseToQuote: false, isExactInput: true, amount: KEEPER_POSITION_QUOTE, oppositeAmountBound: 0n, deadline: maxUint256, sqrtPriceLimitX96: 0n, referralCode: zeroHash } as const;
    await chain.confirm(await keeper.writeContract({ address: clearingHouse, abi: perpV2ClearingHouseAbi, functionName: 'openPosition', args: [dust], gas: KEEPER_GAS }));
  }

  return {
    async follow(priceUsd) {
      const reached = await perp.moveMarkTo(priceUsd);
      const { timestamp } = await chain.publicClient.getBlock();
      await chain.testClient.setNextBlockTimestamp({ timestamp: timestamp + CLOCK_STEP_SECONDS });
      await chain.testClient.mine({ blocks: 1 });
      await chain.confirm(await keeper.writeContract({ address: clearingHouse, abi: settleFundingAbi, functionName: 'settleAllFunding', args: [keeper.account.address], gas: KEEPER_GAS }));
      return reached;
    },
  };
}
