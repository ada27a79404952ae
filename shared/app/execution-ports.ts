/**
 * The chain-facing ports of the hedging flow (evaluate → dispatch → confirm), written in
 * plain types so the use cases import no SDK. Each port has one viem adapter under
 * shared/adapters/chain (market reader, venue, gateway, signer) and is tested there on
 * anvil with the real contracts.
 *
 * Amounts on chain are bigint raw units; amounts the policy speaks in (units of the
 * underlying, USD) are numbers. Addresses and hex are `0x…` strings.
 */

export type Hex = `0x${string}`;
export type Address = `0x${string}`;

// ---------------------------------------------------------------- market

/** One answer of a Chainlink-style aggregator (`latestRoundData`), decoded with its decimals. */
export interface OracleReading {
  readonly roundId: bigint;
  /** The answer scaled by 10^-decimals (e.g. 3000.12 USD). NaN never: a non-positive raw answer stays ≤ 0 here for the checks to reject. */
  readonly answer: number;
  readonly startedAtMs: number;
  readonly updatedAtMs: number;
  readonly answeredInRound: bigint;
  readonly decimals: number;
}

/** The Uniswap V3 pool's current price, USD (quote token) per unit of the base token. */
export interface PoolPriceReading {
  readonly price: number;
  readonly sqrtPriceX96: bigint;
  readonly tick: number;
  readonly blockNumber: number;
}

export interface UniswapV3PoolRef {
  readonly pool: Address;
  /** The token the book's underlying is (e.g. WETH) and the token prices are paid in (e.g. USDC). */
  readonly baseToken: Address;
  readonly quoteToken: Address;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
}

export interface MarketReader {
  readonly chainId: number;
  /** `latestRoundData` + `decimals` of an aggregator; no judgement (see shared/domain/market/oracle-checks.ts). */
  readOracle(aggregator: Address): Promise<OracleReading>;
  /** slot0 of the pool, as a price of base in quote. */
  readPoolPrice(pool: UniswapV3PoolRef): Promise<PoolPriceReading>;
  /** Current chain time (the latest block's timestamp), ms: staleness is judged against the chain's clock too. */
  latestBlockTimeMs(): Promise<number>;
}

// ---------------------------------------------------------------- venue calls
// The venue port itself is shared/app/venue-port.ts.

export interface ContractCall {
  readonly to: Address;
  readonly data: Hex;
  readonly value: bigint;
}

/**
 * The venue answered, and the answer is no: the quoter reverted (no liquidity for the
 * size, a pool that cannot trade) or the venue's configuration does not match the chain.
 * Retrying cannot help; the hedge fails with QUOTE_FAILED. Any other error from `quote`
 * (the node, the transport) is not an answer and is retried.
 */
export class QuoteRejectedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuoteRejectedError';
  }
}

// ---------------------------------------------------------------- gateway (RPC)

export interface ChainLog {
  readonly address: Address;
  readonly topics: readonly Hex[];
  readonly data: Hex;
  readonly logIndex: number;
}

export interface ChainReceipt {
  readonly transactionHash: Hex;
  readonly status: 'success' | 'reverted';
  readonly blockNumber: number;
  readonly blockHash: Hex;
  readonly gasUsed: bigint;
  readonly effectiveGasPrice: bigint;
  readonly from: Address;
  readonly to: Address | null;
  readonly logs: readonly ChainLog[];
}

export type SimulationResult =
  | { readonly ok: true; readonly gas: bigint }
  /** `reason`: the decoded revert (Error(string), a custom error by name, or a panic code), else the node's message. */
  | { readonly ok: false; readonly reason: string; readonly data?: Hex };

export type BroadcastResult =
  /** The node took it, or already had it (same hash): either way it is on its way. */
  | { readonly status: 'accepted' | 'known' }
  /** The nonce is used (by this transaction, mined, or by another one). */
  | { readonly status: 'nonce-too-low' }
  /** There is a gap below this nonce. */
  | { readonly status: 'nonce-too-high' }
  /** A transaction with this nonce is pending and this one does not pay enough more to replace it. */
  | { readonly status: 'replacement-underpriced' }
  | { readonly status: 'rejected'; readonly message: string };

export interface FeeSuggestion {
  readonly baseFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/**
 * One chain through one RPC endpoint. Transport failures (timeouts, 5xx, dropped
 * connections) are retried inside, a bounded number of times, and then thrown as
 * ChainUnavailableError: the caller's message is redelivered later.
 */
export interface ChainGateway {
  readonly chainId: number;
  /** eth_call then eth_estimateGas from `from` at the latest block. */
  simulate(from: Address, call: ContractCall): Promise<SimulationResult>;
  fees(): Promise<FeeSuggestion>;
  /** Transaction count at 'pending' and at 'latest'. */
  nonces(address: Address): Promise<{ readonly pending: number; readonly latest: number }>;
  broadcast(rawTransaction: Hex): Promise<BroadcastResult>;
  /** The receipt, or undefined while the transaction is not mined (or unknown). */
  receipt(hash: Hex): Promise<ChainReceipt | undefined>;
  blockNumber(): Promise<number>;
  /** Replays a mined, reverted transaction as a call at its block to decode why it reverted. */
  revertReason(receipt: ChainReceipt, call: ContractCall): Promise<string>;
}

export class ChainUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChainUnavailableError';
  }
}

// ---------------------------------------------------------------- signer

/** The fields of an EIP-1559 transaction the dispatcher decides. */
export interface Eip1559Request extends ContractCall {
  readonly chainId: number;
  readonly nonce: number;
  readonly gas: bigint;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

export interface SignedTransaction {
  readonly raw: Hex;
  readonly hash: Hex;
}

/** A local key on the local chain; AWS KMS in the cloud. The key never leaves the signer. */
export interface TransactionSigner {
  readonly address: Address;
  signTransaction(request: Eip1559Request): Promise<SignedTransaction>;
}
