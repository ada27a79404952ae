// Uniswap V3's deployable contracts, straight from their npm packages
// (@uniswap/v3-core 1.0.1, @uniswap/v3-periphery 1.4.4): the full ABI and creation
// bytecode of each, for deploying them on a local chain, plus typed ABI fragments
// (viem `parseAbi`) of the functions we call, so calls and results are type-checked.
// A test checks every fragment against the package's full ABI.
//
// Pool init code hash: the periphery computes pool addresses with the constant
// POOL_INIT_CODE_HASH (contracts/libraries/PoolAddress.sol). For these versions it equals
// keccak256 of the npm UniswapV3Pool creation bytecode, so the npm factory and periphery
// work together as published (locked by a test).
import { createRequire } from 'node:module';
import { keccak256, parseAbi } from 'viem';
import type { Abi, Hex } from 'viem';

export interface UniswapV3Artifact {
  readonly contractName: string;
  readonly abi: Abi;
  readonly bytecode: Hex;
}

const require = createRequire(import.meta.url);

function load(modulePath: string): UniswapV3Artifact {
  const json = require(modulePath) as {
    contractName?: unknown;
    abi?: unknown;
    bytecode?: unknown;
    linkReferences?: Record<string, unknown>;
  };
  const { contractName, abi, bytecode, linkReferences } = json;
  if (typeof contractName !== 'string' || !Array.isArray(abi) || typeof bytecode !== 'string' || !/^0x[0-9a-fA-F]+$/.test(bytecode)) {
    throw new Error(`${modulePath} is not a deployable artifact (contractName, abi, bytecode)`);
  }
  if (linkReferences !== undefined && Object.keys(linkReferences).length > 0) {
    throw new Error(`${modulePath} needs linked libraries, which this loader does not support`);
  }
  return { contractName, abi: abi as Abi, bytecode: bytecode as Hex };
}

const core = '@uniswap/v3-core/artifacts/contracts';
const periphery = '@uniswap/v3-periphery/artifacts/contracts';

/** Full ABI + creation bytecode of each Uniswap V3 contract we deploy. */
export const uniswapV3Artifacts = {
  factory: load(`${core}/UniswapV3Factory.sol/UniswapV3Factory.json`),
  pool: load(`${core}/UniswapV3Pool.sol/UniswapV3Pool.json`),
  swapRouter: load(`${periphery}/SwapRouter.sol/SwapRouter.json`),
  quoterV2: load(`${periphery}/lens/QuoterV2.sol/QuoterV2.json`),
  nonfungiblePositionManager: load(`${periphery}/NonfungiblePositionManager.sol/NonfungiblePositionManager.json`),
} as const;

/** keccak256 of the pool's creation bytecode: what the factory's CREATE2 uses. */
export const uniswapV3PoolInitCodeHash: Hex = keccak256(uniswapV3Artifacts.pool.bytecode);

/** Fee tiers (hundredths of a basis point) the factory enables at deployment, with their tick spacing. */
export const uniswapV3TickSpacing = { 500: 10, 3000: 60, 10000: 200 } as const;

export const uniswapV3FactoryAbi = parseAbi([
  'function owner() view returns (address)',
  'function getPool(address tokenA, address tokenB, uint24 fee) view returns (address pool)',
  'function createPool(address tokenA, address tokenB, uint24 fee) returns (address pool)',
  'function feeAmountTickSpacing(uint24 fee) view returns (int24)',
]);

export const uniswapV3PoolAbi = parseAbi([
  'function slot0() view returns (uint160 sqrtPriceX96, int24 tick, uint16 observationIndex, uint16 observationCardinality, uint16 observationCardinalityNext, uint8 feeProtocol, bool unlocked)',
  'function liquidity() view returns (uint128)',
  'function token0() view returns (address)',
  'function token1() view returns (address)',
  'function fee() view returns (uint24)',
  'function tickSpacing() view returns (int24)',
  'event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)',
]);

export const uniswapV3SwapRouterAbi = parseAbi([
  'struct ExactInputSingleParams { address tokenIn; address tokenOut; uint24 fee; address recipient; uint256 deadline; uint256 amountIn; uint256 amountOutMinimum; uint160 sqrtPriceLimitX96; }',
  'function exactInputSingle(ExactInputSingleParams params) payable returns (uint256 amountOut)',
  'struct ExactOutputSingleParams { address tokenIn; address tokenOut; uint24 fee; address recipient; uint256 deadline; uint256 amountOut; uint256 amountInMaximum; uint160 sqrtPriceLimitX96; }',
  'function exactOutputSingle(ExactOutputSingleParams params) payable returns (uint256 amountIn)',
  'function factory() view returns (address)',
]);

/** QuoterV2's quote functions are not `view` (they revert internally); call them with simulateContract. */
export const uniswapV3QuoterV2Abi = parseAbi([
  'struct QuoteExactInputSingleParams { address tokenIn; address tokenOut; uint256 amountIn; uint24 fee; uint160 sqrtPriceLimitX96; }',
  'function quoteExactInputSingle(QuoteExactInputSingleParams params) returns (uint256 amountOut, uint160 sqrtPriceX96After, uint32 initializedTicksCrossed, uint256 gasEstimate)',
  'struct QuoteExactOutputSingleParams { address tokenIn; address tokenOut; uint256 amount; uint24 fee; uint160 sqrtPriceLimitX96; }',
  'function quoteExactOutputSingle(QuoteExactOutputSingleParams params) returns (uint256 amountIn, uint160 sqrtPriceX96After, uint32 initializedTicksCrossed, uint256 gasEstimate)',
]);

export const uniswapV3PositionManagerAbi = parseAbi([
  'function createAndInitializePoolIfNecessary(address token0, address token1, uint24 fee, uint160 sqrtPriceX96) payable returns (address pool)',
  'struct MintParams { address token0; address token1; uint24 fee; int24 tickLower; int24 tickUpper; uint256 amount0Desired; uint256 amount1Desired; uint256 amount0Min; uint256 amount1Min; address recipient; uint256 deadline; }',
  'function mint(MintParams params) payable returns (uint256 tokenId, uint128 liquidity, uint256 amount0, uint256 amount1)',
  'function positions(uint256 tokenId) view returns (uint96 nonce, address operator, address token0, address token1, uint24 fee, int24 tickLower, int24 tickUpper, uint128 liquidity, uint256 feeGrowthInside0LastX128, uint256 feeGrowthInside1LastX128, uint128 tokensOwed0, uint128 tokensOwed1)',
  'function balanceOf(address owner) view returns (uint256)',
]);
