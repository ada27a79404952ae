/**
 * The ChainGateway port (shared/app/execution-ports.ts) over a viem public client and one
 * HTTP JSON-RPC endpoint.
 *
 * Two kinds of failure are kept apart:
 * - transport failures (timeouts, HTTP 5xx/408/429, connections reset or refused, and the
 *   JSON-RPC "limit exceeded" code providers use for rate limiting): nothing trustworthy
 *   came back, so the request is retried here a bounded number of times (viem's own retry
 *   is off, so the count is ours and known) and then thrown as ChainUnavailableError;
 * - answers (reverts, nonce errors, any other JSON-RPC error): the node decided, asking
 *   again would get the same answer, so they are never retried and are mapped to results.
 *
 * Retrying eth_sendRawTransaction is safe because the raw bytes, and so the hash, are the
 * same on every attempt: a node that already has the transaction says so ("already
 * known"), or, once it is mined, "nonce too low" — which is why a nonce-too-low answer is
 * checked against eth_getTransactionByHash before it is reported as such.
 */
import { HttpRequestError, TimeoutError, createPublicClient, decodeErrorResult, getAddress, hexToBigInt, hexToNumber, http, keccak256, numberToHex, parseGwei } from 'viem';
import type { Abi, RpcTransactionReceipt } from 'viem';
import { ChainUnavailableError } from '../../app/execution-ports.ts';
import type {
  Address,
  BroadcastResult,
  ChainGateway,
  ChainLog,
  ChainReceipt,
  ContractCall,
  FeeSuggestion,
  Hex,
  SimulationResult,
} from '../../app/execution-ports.ts';

export interface ViemChainGatewayOptions {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** Per HTTP request (default 5 000 ms). */
  readonly timeoutMs?: number;
  /** Retries of a request after a transport failure, on top of the first attempt (default 3). */
  readonly retries?: number;
  /** ABIs whose custom errors a revert is decoded with (by name and arguments). */
  readonly abis?: readonly Abi[];
  /** Waits between retries; injectable so tests can record the backoff. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_RETRIES = 3;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1_000;
/** Used when the node has no eth_maxPriorityFeePerGas (it is not in the JSON-RPC spec; geth, anvil and most providers have it). */
const FALLBACK_PRIORITY_FEE = parseGwei('1');
/** JSON-RPC codes for "method not found" (spec) and "method not supported" (EIP-1474). */
const METHOD_MISSING_CODES = new Set([-32601, -32004]);
/** EIP-1474 "limit exceeded": providers answer it when rate limiting, a transport condition rather than a verdict. */
const LIMIT_EXCEEDED_CODE = -32005;

/** The JSON-RPC error object a node answered with. */
interface RpcAnswer {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const gateway = createViemChainGateway({ rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, abis: [optionBookAbi] });
 * const result = await gateway.broadcast(signed.raw);
 */
export function createViemChainGateway(options: ViemChainGatewayOptions): ChainGateway {
  const { rpcUrl, chainId } = options;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const sleep = options.sleep ?? defaultSleep;
  const abis = (options.abis ?? []).flat();
  const client = createPublicClient({ transport: http(rpcUrl, { timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, retryCount: 0 }) });

  /** Runs one JSON-RPC request, retrying transport failures; an answer (error or not) is returned or thrown as is. */
  async function withTransportRetries<T>(label: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        if (!isTransportFailure(error)) {
          // An HTTP error that is not transient (401, 403, 404: a wrong URL or key) will not
          // heal by retrying now, but it is no answer from the chain either.
          if (hasHttpFailure(error)) throw new ChainUnavailableError(`${label} via ${describeEndpoint(rpcUrl)}: ${shortMessageOf(error)}`, { cause: error });
          throw error;
        }
        if (attempt >= retries) {
          throw new ChainUnavailableError(`${label} via ${describeEndpoint(rpcUrl)}: no answer after ${attempt + 1} attempts (${shortMessageOf(error)})`, { cause: error });
        }
        await sleep(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt));
      }
    }
  }

  function decodeRevert(answer: RpcAnswer): { reason: string; data?: Hex } {
    const data = typeof answer.data === 'string' && /^0x[0-9a-fA-F]*$/.test(answer.data) ? (answer.data as Hex) : undefined;
    const decoded = data === undefined ? undefined : decodeRevertData(data, abis);
    const reason = decoded ?? answer.message;
    return data === undefined || data === '0x' ? { reason } : { reason, data };
  }

  async function call(from: Address, contractCall: ContractCall, block: Hex | 'latest', gas?: bigint): Promise<{ ok: true } | { ok: false; reason: string; data?: Hex }> {
    const request = { from, to: contractCall.to, data: contractCall.data, value: numberToHex(contractCall.value), ...(gas === undefined ? {} : { gas: numberToHex(gas) }) };
    try {
      await withTransportRetries('eth_call', () => client.request({ method: 'eth_call', params: [request, block] }));
      return { ok: true };
    } catch (error) {
      const answer = rpcAnswerOf(error);
      if (answer === undefined || isTransportFailure(error)) throw error;
      return executionVerdict(error, answer);
    }
  }

  /**
   * A failed eth_call / eth_estimateGas is a verdict on the call only when the node says the
   * execution failed (code 3 "execution reverted", revert data, out of gas, not enough funds
   * for it). Anything else (-32603 internal error, -32000 "header not found" from a load-
   * balanced provider, ...) says nothing about the call: retry later, never fail the hedge.
   */
  function executionVerdict(error: unknown, answer: RpcAnswer): { ok: false; reason: string; data?: Hex } {
    const hasData = typeof answer.data === 'string' && answer.data.length > 2;
    if (answer.code === 3 || hasData || /revert|out of gas|insufficient funds|gas required exceeds|invalid opcode/i.test(answer.message)) return { ok: false, ...decodeRevert(answer) };
    throw new ChainUnavailableError(`chain ${chainId}: the node could not run the call (${answer.code}: ${answer.message.slice(0, 200)})`, { cause: error });
  }

  async function transactionKnown(hash: Hex): Promise<boolean> {
    const transaction = await withTransportRetries('eth_getTransactionByHash', () => client.request({ method: 'eth_getTransactionByHash', params: [hash] }));
    return transaction !== null;
  }

  return {
    chainId,

    async simulate(from, contractCall) {
      const called = await call(from, contractCall, 'latest');
      if (!called.ok) return called;
      // The estimate runs the same code again, so it can still fail (e.g. the state moved
      // between the two requests, or the sender cannot pay for the gas): same decoding.
      const request = { from, to: contractCall.to, data: contractCall.data, value: numberToHex(contractCall.value) };
      try {
        const gas = await withTransportRetries('eth_estimateGas', () => client.request({ method: 'eth_estimateGas', params: [request, 'latest'] }));
        return { ok: true, gas: hexToBigInt(gas) } satisfies SimulationResult;
      } catch (error) {
        const answer = rpcAnswerOf(error);
        if (answer === undefined || isTransportFailure(error)) throw error;
        return executionVerdict(error, answer) satisfies SimulationResult;
      }
    },

    async fees(): Promise<FeeSuggestion> {
      const block = await withTransportRetries('eth_getBlockByNumber', () => client.request({ method: 'eth_getBlockByNumber', params: ['latest', false] }));
      if (block === null) throw new Error(`chain ${chainId}: the node returned no latest block`);
      if (block.baseFeePerGas === null || block.baseFeePerGas === undefined) throw new Error(`chain ${chainId}: the latest block has no baseFeePerGas (not an EIP-1559 chain)`);
      let maxPriorityFeePerGas: bigint;
      try {
        maxPriorityFeePerGas = hexToBigInt(await withTransportRetries('eth_maxPriorityFeePerGas', () => client.request({ method: 'eth_maxPriorityFeePerGas' })));
      } catch (error) {
        const answer = rpcAnswerOf(error);
        if (answer === undefined || !METHOD_MISSING_CODES.has(answer.code)) throw error;
        // A node without the method (it is not part of the JSON-RPC spec) gets 1 gwei, the
        // tip geth itself suggested for years on an idle chain.
        maxPriorityFeePerGas = FALLBACK_PRIORITY_FEE;
      }
      return { baseFeePerGas: hexToBigInt(block.baseFeePerGas), maxPriorityFeePerGas };
    },

    async nonces(address) {
      const count = (tag: 'pending' | 'latest'): Promise<number> =>
        withTransportRetries(`eth_getTransactionCount(${tag})`, () => client.request({ method: 'eth_getTransactionCount', params: [address, tag] })).then((hex) => hexToNumber(hex));
      const [pending, latest] = await Promise.all([count('pending'), count('latest')]);
      return { pending, latest };
    },

    async broadcast(rawTransaction): Promise<BroadcastResult> {
      const hash = keccak256(rawTransaction);
      try {
        // A retry after a lost answer resends the identical bytes: the node cannot take the
        // transaction twice, it answers "already known" (or "nonce too low" once mined).
        await withTransportRetries('eth_sendRawTransaction', () => client.request({ method: 'eth_sendRawTransaction', params: [rawTransaction] }));
        return { status: 'accepted' };
      } catch (error) {
        const answer = rpcAnswerOf(error);
        if (answer === undefined || isTransportFailure(error)) throw error;
        const status = classifyBroadcastRejection(answer.message);
        if (status === 'nonce-too-low') {
          // Our own transaction, sent by an earlier attempt (here or before a redelivery)
          // and mined since, also makes the nonce "too low": that is success, not a conflict.
          return (await transactionKnown(hash)) ? { status: 'known' } : { status: 'nonce-too-low' };
        }
        return status === 'rejected' ? { status, message: answer.message } : { status };
      }
    },

    async receipt(hash) {
      const raw = await withTransportRetries('eth_getTransactionReceipt', () => client.request({ method: 'eth_getTransactionReceipt', params: [hash] }));
      return raw === null ? undefined : toChainReceipt(raw);
    },

    async blockNumber() {
      return hexToNumber(await withTransportRetries('eth_blockNumber', () => client.request({ method: 'eth_blockNumber' })));
    },

    async revertReason(receipt, contractCall) {
      // Replayed with the transaction's own gas limit, so that a transaction that ran out of
      // gas replays as out of gas instead of succeeding with the node's default limit.
      const transaction = await withTransportRetries('eth_getTransactionByHash', () => client.request({ method: 'eth_getTransactionByHash', params: [receipt.transactionHash] }));
      const gas = transaction === null ? undefined : hexToBigInt(transaction.gas);
      // At the receipt's block: the state after it, which for a reverted transaction differs
      // from the state it ran on only by the transactions after it in that block (and its
      // own gas payment); the state before the block would miss the ones before it.
      const replayed = await call(receipt.from, contractCall, numberToHex(receipt.blockNumber), gas);
      if (!replayed.ok) return replayed.reason;
      return `the replay at block ${receipt.blockNumber} did not revert (the state it depended on changed within the block)`;
    },
  };
}

/**
 * Maps a node's rejection of eth_sendRawTransaction to a broadcast status, by its message
 * (the codes differ between nodes and are mostly the generic -32000/-32003). Wordings:
 * - anvil 1.7: "transaction already imported", "nonce too low", "replacement transaction
 *   underpriced"; it accepts a nonce gap into its queue (no error), as geth does;
 * - geth: "already known" (older: "known transaction: <hash>"), "nonce too low: address …,
 *   tx: 5 state: 7", "nonce too high" (calls, and pools that refuse gaps), "replacement
 *   transaction underpriced";
 * - Besu: KNOWN_TRANSACTION / NONCE_TOO_LOW / NONCE_TOO_FAR_IN_FUTURE_FOR_SENDER /
 *   REPLACEMENT_UNDERPRICED; Nethermind: AlreadyKnown / OldNonce / NonceGap.
 */
export function classifyBroadcastRejection(message: string): BroadcastResult['status'] {
  const text = message.toLowerCase();
  if (/already known|known transaction|already imported|alreadyknown|known_transaction/.test(text)) return 'known';
  if (/nonce too low|nonce_too_low|oldnonce/.test(text)) return 'nonce-too-low';
  if (/nonce too high|nonce_too_far|too far in (the )?future|nonce ?gap|gapped nonce/.test(text)) return 'nonce-too-high';
  if (/replacement (transaction )?underpriced|replacement_underpriced|replacementnotallowed/.test(text)) return 'replacement-underpriced';
  return 'rejected';
}

const PANIC_REASONS: Record<number, string> = {
  0x00: 'generic panic',
  0x01: 'assertion failed',
  0x11: 'arithmetic overflow',
  0x12: 'division by zero',
  0x21: 'invalid enum value',
  0x22: 'invalid storage byte array',
  0x31: 'pop on an empty array',
  0x32: 'array index out of bounds',
  0x41: 'out of memory',
  0x51: 'call to a zero-initialised function',
};

/**
 * The revert data as words: Error(string) → the string, Panic(uint256) → "panic 0x11
 * (arithmetic overflow)", a custom error of `abis` → "Name(arg, …)"; undefined when the
 * data is empty or its selector is unknown (the caller falls back to the node's message).
 */
export function decodeRevertData(data: Hex, abis: Abi): string | undefined {
  if (data.length < 10) return undefined;
  let decoded: { errorName: string; args: readonly unknown[] | undefined };
  try {
    decoded = decodeErrorResult({ abi: abis, data }) as { errorName: string; args: readonly unknown[] | undefined };
  } catch {
    return undefined;
  }
  const args = decoded.args ?? [];
  if (decoded.errorName === 'Error' && typeof args[0] === 'string') return args[0];
  if (decoded.errorName === 'Panic' && typeof args[0] === 'bigint') {
    const code = Number(args[0]);
    return `panic 0x${code.toString(16).padStart(2, '0')} (${PANIC_REASONS[code] ?? 'unknown panic code'})`;
  }
  return `${decoded.errorName}(${args.map(formatArgument).join(', ')})`;
}

function formatArgument(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
}

/**
 * True when nothing (trustworthy) came back from the node: a timeout, a failed or refused
 * connection, HTTP 5xx/408/429 (with or without a JSON-RPC body), or rate limiting.
 */
export function isTransportFailure(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof TimeoutError) return true;
    const status = (current as { status?: unknown }).status;
    if (typeof status === 'number' && (status >= 500 || status === 408 || status === 429)) return true;
    // No status: the request failed below HTTP (refused, reset, closed before the answer).
    if (current instanceof HttpRequestError && current.status === undefined) return true;
    if ((current as { code?: unknown }).code === LIMIT_EXCEEDED_CODE) return true;
  }
  return false;
}

/** The JSON-RPC error object the node answered with: the deepest link of viem's error chain that has a code and a message. */
function rpcAnswerOf(error: unknown): RpcAnswer | undefined {
  let found: RpcAnswer | undefined;
  for (let current: unknown = error; typeof current === 'object' && current !== null; current = (current as { cause?: unknown }).cause) {
    const { code, message, data, details } = current as { code?: unknown; message?: unknown; data?: unknown; details?: unknown };
    if (typeof code !== 'number' || typeof message !== 'string') continue;
    // viem's own errors decorate `message` and keep the node's words in `details`; the plain
    // object at the bottom (when there is one) is the node's answer verbatim.
    const nodeMessage = current instanceof Error && typeof details === 'string' ? details : message;
    found = { code, message: nodeMessage, ...(data === undefined ? {} : { data }) };
  }
  return found;
}

function hasHttpFailure(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) if (current instanceof HttpRequestError) return true;
  return false;
}

function shortMessageOf(error: unknown): string {
  const messages: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const short = (current as { shortMessage?: unknown }).shortMessage;
    messages.push(typeof short === 'string' ? short : current.message);
  }
  return messages.join(' ← ');
}

/** The endpoint without its path and query, where providers put API keys. */
function describeEndpoint(rpcUrl: string): string {
  try {
    return new URL(rpcUrl).host;
  } catch {
    return 'the RPC endpoint';
  }
}

function toChainReceipt(raw: RpcTransactionReceipt): ChainReceipt {
  const logs: ChainLog[] = raw.logs.map((log) => ({
    address: getAddress(log.address),
    topics: log.topics as readonly Hex[],
    data: log.data,
    logIndex: log.logIndex === null ? 0 : hexToNumber(log.logIndex),
  }));
  return {
    transactionHash: raw.transactionHash.toLowerCase() as Hex,
    status: raw.status === '0x1' ? 'success' : 'reverted',
    blockNumber: hexToNumber(raw.blockNumber),
    blockHash: raw.blockHash.toLowerCase() as Hex,
    gasUsed: hexToBigInt(raw.gasUsed),
    effectiveGasPrice: hexToBigInt(raw.effectiveGasPrice),
    from: getAddress(raw.from),
    to: raw.to === null ? null : getAddress(raw.to),
    logs,
  };
}
