// Deployable Uniswap V2 (factory; its pairs are created by the factory) and SwapRouter02
// (V2 + V3 swaps in one router, with multicall and a deadline), straight from their npm
// packages (@uniswap/v2-core 1.0.1, @uniswap/swap-router-contracts 1.3.1), for the local
// chain only: production code calls them through the typed fragments of
// shared/adapters/chain/uniswap-routing-abi.ts.
//
// SwapRouter02 finds V2 pairs by CREATE2 with the pair's init code hash baked in (and V3
// pools with V3's): the npm V2 pair bytecode hashes to exactly that constant, as the npm
// V3 pool does to V3's (locked by a test), so the published parts work together.
import { createRequire } from 'node:module';
import { keccak256 } from 'viem';
import type { Abi, Hex } from 'viem';

export interface DeployableArtifact {
  readonly abi: Abi;
  readonly bytecode: Hex;
}

const require = createRequire(import.meta.url);

function load(modulePath: string): DeployableArtifact {
  const json = require(modulePath) as { abi?: unknown; bytecode?: unknown; linkReferences?: Record<string, unknown> };
  const raw = typeof json.bytecode === 'string' ? json.bytecode : '';
  const bytecode = (raw.startsWith('0x') ? raw : `0x${raw}`) as Hex;
  if (!Array.isArray(json.abi) || !/^0x[0-9a-fA-F]+$/.test(bytecode)) throw new Error(`${modulePath} is not a deployable artifact (abi, bytecode)`);
  if (json.linkReferences !== undefined && Object.keys(json.linkReferences).length > 0) throw new Error(`${modulePath} needs linked libraries`);
  return { abi: json.abi as Abi, bytecode };
}

export const uniswapRoutingArtifacts = {
  v2Factory: load('@uniswap/v2-core/build/UniswapV2Factory.json'),
  v2Pair: load('@uniswap/v2-core/build/UniswapV2Pair.json'),
  swapRouter02: load('@uniswap/swap-router-contracts/artifacts/contracts/SwapRouter02.sol/SwapRouter02.json'),
} as const;

/** keccak256 of the V2 pair's creation bytecode: what the V2 factory's CREATE2 (and SwapRouter02's pairFor) use. */
export const uniswapV2PairInitCodeHash: Hex = keccak256(uniswapRoutingArtifacts.v2Pair.bytecode);
/** The constant SwapRouter02 was compiled with (UniswapV2Library.pairFor). */
export const SWAP_ROUTER02_V2_INIT_CODE_HASH: Hex = '0x96e8ac4277198ff8b6f785478aa9a39f403cb768dd02cbee326c3e7da348845f';
