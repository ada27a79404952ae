// Perpetual Protocol v2 ("curie")'s deployable contracts, straight from the npm packages
// @perp/curie-contract 2.8.4 and @perp/perp-oracle-contract 0.6.7 (GPL-3.0-or-later,
// devDependencies): the full ABI and creation bytecode of each contract the local perp
// market deploys. For deploying on a local chain and for tests only: production code talks
// to Perp through the typed fragments of shared/adapters/chain/perp-v2-abi.ts, which a
// test checks against these ABIs. Nothing of the packages is copied into the repo.
//
// The contracts are deployed as they are, without the proxies Perp deploys behind: each
// has an `initialize` guarded by OpenZeppelin's `initializer`, called once after deployment.
import { createRequire } from 'node:module';
import type { Abi, Hex } from 'viem';

export interface PerpV2Artifact {
  readonly contractName: string;
  readonly abi: Abi;
  readonly bytecode: Hex;
}

const require = createRequire(import.meta.url);

function load(modulePath: string): PerpV2Artifact {
  const json = require(modulePath) as { contractName?: unknown; abi?: unknown; bytecode?: unknown; linkReferences?: Record<string, unknown> };
  const { contractName, abi, bytecode, linkReferences } = json;
  if (typeof contractName !== 'string' || !Array.isArray(abi) || typeof bytecode !== 'string' || !/^0x[0-9a-fA-F]+$/.test(bytecode)) {
    throw new Error(`${modulePath} is not a deployable artifact (contractName, abi, bytecode)`);
  }
  if (linkReferences !== undefined && Object.keys(linkReferences).length > 0) {
    throw new Error(`${modulePath} needs linked libraries, which this loader does not support`);
  }
  return { contractName, abi: abi as Abi, bytecode: bytecode as Hex };
}

const curie = (name: string): PerpV2Artifact => load(`@perp/curie-contract/artifacts/contracts/${name}.sol/${name}.json`);
const oracle = (name: string): PerpV2Artifact => load(`@perp/perp-oracle-contract/artifacts/contracts/${name}.sol/${name}.json`);

/** Every contract of the local Perp v2 market (Uniswap V3 is the chain's own: local-chain.ts). */
export const perpV2Artifacts = {
  // The index price: our Chainlink-compatible aggregator behind Perp's Chainlink adapter and dispatcher.
  chainlinkPriceFeedV3: oracle('ChainlinkPriceFeedV3'),
  priceFeedDispatcher: oracle('PriceFeedDispatcher'),
  // The virtual tokens the market's Uniswap V3 pool trades.
  quoteToken: curie('QuoteToken'),
  baseToken: curie('BaseToken'),
  // The exchange.
  clearingHouseConfig: curie('ClearingHouseConfig'),
  marketRegistry: curie('MarketRegistry'),
  orderBook: curie('OrderBook'),
  accountBalance: curie('AccountBalance'),
  exchange: curie('Exchange'),
  insuranceFund: curie('InsuranceFund'),
  vault: curie('Vault'),
  clearingHouse: curie('ClearingHouse'),
} as const;
