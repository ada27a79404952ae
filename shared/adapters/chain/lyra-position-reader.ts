/**
 * An account's open positions on a Lyra v1 ("Avalon") option market, read from its
 * OptionToken (each position is an ERC-721 token: a strike, an option type, a size and
 * collateral) and priced back into series through its OptionMarket (strike price and
 * expiry of the strike). For the product's webhook path, which turns them into option
 * positions of the book, and for the venue's readPosition.
 *
 * Shaped after the OptionBook reader (shared/app/confirm-positions/ports.ts,
 * OnChainPosition): account lower-cased, optionType call/put, strike and size raw (here
 * Lyra's 18-decimal fixed point, LYRA_DECIMALS), size signed (+ long, − short), expiry in
 * unix seconds; plus what Lyra adds: the position and strike ids, its own option type
 * (which short: collateralised in quote or in base) and the collateral.
 *
 * Open means ACTIVE: a position stays ACTIVE after its expiry until ShortCollateral
 * settles it (then it is burned, SETTLED); closed, liquidated and merged ones are gone.
 * Which positions a receipt touched: OptionToken's PositionUpdated logs (decodeLogs),
 * emitted on every open, adjustment, close, settlement, liquidation, split, merge and transfer.
 */
import { BaseError, ContractFunctionRevertedError, decodeEventLog, getAbiItem, getAddress, isAddressEqual, toEventSelector } from 'viem';
import type { Address, Hex, PublicClient } from 'viem';
import { LYRA_OPTION_TYPE, LYRA_POSITION_STATE, LYRA_POSITION_UPDATES, lyraOptionMarketAbi, lyraOptionTokenAbi } from './lyra-abi.ts';
import type { LyraOptionTypeCode } from './lyra-abi.ts';

export type LyraOptionTypeName = keyof typeof LYRA_OPTION_TYPE;

export interface LyraPosition {
  readonly positionId: bigint;
  /** The owner, lower-cased. */
  readonly account: string;
  readonly strikeId: bigint;
  readonly optionType: 'call' | 'put';
  readonly lyraOptionType: LyraOptionTypeName;
  /** Raw, LYRA_DECIMALS (18): USD per unit of the underlying. */
  readonly strike: bigint;
  /** Unix seconds. */
  readonly expiry: bigint;
  /** Raw, LYRA_DECIMALS (18): contracts, + long, − short. */
  readonly size: bigint;
  /** Raw, 18 decimals, in `collateralAsset` (none for a long). */
  readonly collateral: bigint;
  readonly collateralAsset: 'none' | 'quote' | 'base';
}

/** An OptionToken PositionUpdated log, decoded. */
export interface LyraPositionEvent {
  readonly name: (typeof LYRA_POSITION_UPDATES)[number];
  /** The OptionToken, lower-cased. */
  readonly contract: string;
  readonly logIndex: number;
  /** The position's owner after the update (the receiver of a transfer), lower-cased. */
  readonly account: string;
  readonly positionId: bigint;
}

export interface LyraMarketRef {
  readonly optionMarket: Address;
  readonly optionToken: Address;
}

/** One chain's Lyra market positions, read through an RPC node. */
export interface LyraPositionReader {
  readonly chainId: number;
  /** The OptionToken, lower-cased. */
  readonly contract: string;
  /** Every open position of the account (at a block, or the latest). */
  readAccountPositions(account: Address, blockNumber?: number): Promise<LyraPosition[]>;
  /** A position at a block; undefined when it is not open there (never opened, closed, settled, liquidated, merged). */
  readPosition(positionId: bigint, blockNumber: number): Promise<LyraPosition | undefined>;
  /** The PositionUpdated logs of this OptionToken among `logs` (as a receipt or a webhook reports them); others are dropped. */
  decodeLogs(logs: readonly { address: string; topics: readonly string[]; data: string; logIndex: number }[]): LyraPositionEvent[];
}

const POSITION_UPDATED_TOPIC = toEventSelector(getAbiItem({ abi: lyraOptionTokenAbi, name: 'PositionUpdated' }));

const TYPE_NAMES = Object.fromEntries(Object.entries(LYRA_OPTION_TYPE).map(([name, code]) => [code, name])) as Record<LyraOptionTypeCode, LyraOptionTypeName>;

interface RawPosition {
  readonly positionId: bigint;
  readonly strikeId: bigint;
  readonly optionType: number;
  readonly amount: bigint;
  readonly collateral: bigint;
  readonly state: number;
}

function isLyraOptionType(code: number): code is LyraOptionTypeCode {
  return code in TYPE_NAMES;
}

/**
 * The account's open positions, as OptionToken.getOwnerPositions lists them (one
 * eth_call), each with its strike's price and expiry (one eth_call per distinct strike).
 *
 * @example
 * const positions = await readLyraAccountPositions(client, { optionMarket, optionToken }, account);
 */
export async function readLyraAccountPositions(client: PublicClient, market: LyraMarketRef, account: Address, blockNumber?: number): Promise<LyraPosition[]> {
  const at = blockNumber === undefined ? {} : { blockNumber: BigInt(blockNumber) };
  const owner = getAddress(account);
  const raw = await client.readContract({ address: market.optionToken, abi: lyraOptionTokenAbi, functionName: 'getOwnerPositions', args: [owner], ...at });
  const open = raw.filter((position) => position.state === LYRA_POSITION_STATE.ACTIVE);
  const strikes = await strikesOf(client, market, open, at);
  return open.map((position) => toLyraPosition(position, owner, strikes));
}

async function strikesOf(
  client: PublicClient,
  market: LyraMarketRef,
  positions: readonly RawPosition[],
  at: { blockNumber?: bigint },
): Promise<Map<bigint, { strike: bigint; expiry: bigint }>> {
  const ids = [...new Set(positions.map((position) => position.strikeId))];
  const read = await Promise.all(
    ids.map((strikeId) => client.readContract({ address: market.optionMarket, abi: lyraOptionMarketAbi, functionName: 'getStrikeAndExpiry', args: [strikeId], ...at })),
  );
  return new Map(ids.map((strikeId, index) => [strikeId, { strike: read[index]![0], expiry: read[index]![1] }]));
}

function toLyraPosition(position: RawPosition, owner: Address, strikes: ReadonlyMap<bigint, { strike: bigint; expiry: bigint }>): LyraPosition {
  if (!isLyraOptionType(position.optionType)) throw new Error(`Lyra position ${position.positionId} has an unknown option type ${position.optionType}`);
  const strike = strikes.get(position.strikeId);
  if (strike === undefined || strike.expiry === 0n) throw new Error(`Lyra position ${position.positionId} is on strike ${position.strikeId}, which the market does not list`);
  const code = position.optionType;
  const long = code === LYRA_OPTION_TYPE.LONG_CALL || code === LYRA_OPTION_TYPE.LONG_PUT;
  return {
    positionId: position.positionId,
    account: owner.toLowerCase(),
    strikeId: position.strikeId,
    optionType: code === LYRA_OPTION_TYPE.LONG_PUT || code === LYRA_OPTION_TYPE.SHORT_PUT_QUOTE ? 'put' : 'call',
    lyraOptionType: TYPE_NAMES[code],
    strike: strike.strike,
    expiry: strike.expiry,
    size: long ? position.amount : -position.amount,
    collateral: position.collateral,
    collateralAsset: long ? 'none' : code === LYRA_OPTION_TYPE.SHORT_CALL_BASE ? 'base' : 'quote',
  };
}

/**
 * @example
 * const reader = createLyraPositionReader({ client, chainId: 10, optionMarket: '0x…', optionToken: '0x…' });
 * const open = await reader.readAccountPositions(account);
 */
export function createLyraPositionReader(options: { readonly client: PublicClient; readonly chainId: number } & LyraMarketRef): LyraPositionReader {
  const { client, chainId } = options;
  const market: LyraMarketRef = { optionMarket: getAddress(options.optionMarket), optionToken: getAddress(options.optionToken) };

  return {
    chainId,
    contract: market.optionToken.toLowerCase(),
    readAccountPositions: (account, blockNumber) => readLyraAccountPositions(client, market, account, blockNumber),
    async readPosition(positionId, blockNumber) {
      const at = { blockNumber: BigInt(blockNumber) };
      const position = await client.readContract({ address: market.optionToken, abi: lyraOptionTokenAbi, functionName: 'getOptionPosition', args: [positionId], ...at });
      if (position.state !== LYRA_POSITION_STATE.ACTIVE) return undefined;
      let owner: Address;
      try {
        owner = await client.readContract({ address: market.optionToken, abi: lyraOptionTokenAbi, functionName: 'ownerOf', args: [positionId], ...at });
      } catch (error) {
        // An ACTIVE position always has an owner; a revert here means the token is gone (burned) at that block.
        const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
        if (reverted instanceof ContractFunctionRevertedError) return undefined;
        throw error;
      }
      const strikes = await strikesOf(client, market, [position], at);
      return toLyraPosition(position, owner, strikes);
    },
    decodeLogs(logs) {
      return logs
        .filter((log) => isAddressEqual(getAddress(log.address), market.optionToken) && log.topics[0]?.toLowerCase() === POSITION_UPDATED_TOPIC)
        .map((log) => {
          const { args } = decodeEventLog({ abi: lyraOptionTokenAbi, eventName: 'PositionUpdated', topics: log.topics as [Hex, ...Hex[]], data: log.data as Hex, strict: true });
          const name = LYRA_POSITION_UPDATES[args.updatedType];
          if (name === undefined) throw new Error(`OptionToken PositionUpdated with an unknown type ${args.updatedType}`);
          return { name, contract: market.optionToken.toLowerCase(), logIndex: log.logIndex, account: args.owner.toLowerCase(), positionId: args.positionId };
        });
    },
  };
}
