// Lyra v1 ("Avalon")'s deployable contracts, straight from the npm package
// @lyrafinance/protocol 0.1.3-alpha (ISC): the full ABI, creation bytecode and library
// link references of each contract the local option market needs, plus the package's own
// Synthetix test doubles (exchange rates, exchanger, address resolver...) that stand in
// for Synthetix, which Lyra v1 prices and settles through. For deploying on a local chain
// and for tests only: production code talks to Lyra through the typed fragments of
// shared/adapters/chain/lyra-abi.ts, which a test checks against these ABIs.
//
// The package's JavaScript is unusable here (its hardhat helpers' dependencies are stubbed
// out in package.json's overrides); only its JSON artifacts are read.
//
// Linking: OptionGreekCache calls the external libraries BlackScholes and GWAV. Its
// bytecode carries a 20-byte placeholder wherever a library address goes; linkReferences
// lists those byte offsets, and `linkedBytecode` writes the deployed library addresses there.
import { createRequire } from 'node:module';
import { parseAbi } from 'viem';
import type { Abi, Address, Hex } from 'viem';

/** Byte offsets (into the creation bytecode) of each library's address, by source file and library name. */
export type LinkReferences = Readonly<Record<string, Readonly<Record<string, readonly { readonly start: number; readonly length: number }[]>>>>;

export interface LyraArtifact {
  readonly contractName: string;
  readonly abi: Abi;
  /** Creation bytecode, with placeholders where linkReferences says a library address goes. */
  readonly bytecode: Hex;
  readonly linkReferences: LinkReferences;
}

const require = createRequire(import.meta.url);
const ARTIFACTS = '@lyrafinance/protocol/dist/artifacts/contracts';

function load(path: string): LyraArtifact {
  const modulePath = `${ARTIFACTS}/${path}.json`;
  const json = require(modulePath) as { contractName?: unknown; abi?: unknown; bytecode?: unknown; linkReferences?: unknown };
  const { contractName, abi, bytecode, linkReferences } = json;
  // Placeholders (`__$…$__`) are not hex: checked after linking, not here.
  if (typeof contractName !== 'string' || !Array.isArray(abi) || typeof bytecode !== 'string' || !bytecode.startsWith('0x') || bytecode.length <= 2) {
    throw new Error(`${modulePath} is not a deployable artifact (contractName, abi, bytecode)`);
  }
  return { contractName, abi: abi as Abi, bytecode: bytecode as Hex, linkReferences: (linkReferences ?? {}) as LinkReferences };
}

/** Every contract the local Lyra market deploys. */
export const lyraArtifacts = {
  // Libraries OptionGreekCache links against.
  gwav: load('libraries/GWAV.sol/GWAV'),
  blackScholes: load('libraries/BlackScholes.sol/BlackScholes'),
  // The market.
  synthetixAdapter: load('SynthetixAdapter.sol/SynthetixAdapter'),
  optionMarket: load('OptionMarket.sol/OptionMarket'),
  optionMarketPricer: load('OptionMarketPricer.sol/OptionMarketPricer'),
  optionGreekCache: load('OptionGreekCache.sol/OptionGreekCache'),
  liquidityPool: load('LiquidityPool.sol/LiquidityPool'),
  liquidityToken: load('LiquidityToken.sol/LiquidityToken'),
  optionToken: load('OptionToken.sol/OptionToken'),
  shortCollateral: load('ShortCollateral.sol/ShortCollateral'),
  shortPoolHedger: load('ShortPoolHedger.sol/ShortPoolHedger'),
  // Synthetix test doubles shipped in the package (contracts/test-helpers).
  testErc20: load('test-helpers/TestERC20.sol/TestERC20'),
  testExchanger: load('test-helpers/TestExchanger.sol/TestExchanger'),
  testExchangeRates: load('test-helpers/TestExchangeRates.sol/TestExchangeRates'),
  /** The exchange Lyra's adapter calls (exchangeOnBehalfWithTracking lives only in this subclass). */
  testSynthetix: load('test-helpers/TestSynthetixReturnZero.sol/TestSynthetixReturnZero'),
  testDelegateApprovals: load('test-helpers/TestDelegateApprovals.sol/TestDelegateApprovals'),
  testCollateralShort: load('test-helpers/TestCollateralShort.sol/TestCollateralShort'),
  testAddressResolver: load('test-helpers/TestAddressResolver.sol/TestAddressResolver'),
} as const;

export type LyraArtifactName = keyof typeof lyraArtifacts;

/**
 * The artifact's creation bytecode with each library's address written at its link
 * offsets. Throws when a library it needs is not given, or a placeholder is left.
 *
 * @example
 * linkedBytecode(lyraArtifacts.optionGreekCache, { GWAV: gwavAddress, BlackScholes: blackScholesAddress })
 */
export function linkedBytecode(artifact: LyraArtifact, libraries: Readonly<Record<string, Address>> = {}): Hex {
  let code = artifact.bytecode.slice(2);
  for (const [sourceFile, byName] of Object.entries(artifact.linkReferences)) {
    for (const [name, references] of Object.entries(byName)) {
      const address = libraries[name];
      if (address === undefined) throw new Error(`${artifact.contractName} links ${sourceFile}:${name}, which was not given`);
      const hex = address.slice(2).toLowerCase();
      for (const { start, length } of references) {
        if (length !== 20) throw new Error(`${artifact.contractName}: a link reference of ${length} bytes (an address is 20)`);
        code = code.slice(0, start * 2) + hex + code.slice((start + length) * 2);
      }
    }
  }
  if (!/^[0-9a-fA-F]*$/.test(code)) throw new Error(`${artifact.contractName}: an unlinked library placeholder is left in its bytecode`);
  return `0x${code}`;
}

/**
 * Every custom error of the deployed contracts, once each: a call into OptionMarket can
 * revert with an error of any contract it calls (OptionToken, LiquidityPool, the pricer,
 * the greek cache, the libraries), and viem decodes a revert only with its ABI at hand.
 */
export const lyraArtifactErrorsAbi: Abi = (() => {
  const seen = new Map<string, Abi[number]>();
  for (const artifact of Object.values(lyraArtifacts)) {
    for (const item of artifact.abi) if (item.type === 'error') seen.set(`${item.name}:${JSON.stringify(item.inputs)}`, item);
  }
  return [...seen.values()];
})();

/**
 * Typed fragments of what the local market reads back (beyond the production fragments of
 * shared/adapters/chain/lyra-abi.ts): the board id a createOptionBoard emitted, the test
 * double's spot, and OptionToken's enumeration for settling every position of a board.
 * Its writes (deployment, init, parameters) use the artifacts' own ABIs.
 */
export const lyraLocalAbis = {
  optionMarket: parseAbi(['event BoardCreated(uint256 indexed boardId, uint256 expiry, uint256 baseIv, bool frozen)']),
  exchangeRates: parseAbi(['function rateAndInvalid(bytes32 currencyKey) view returns (uint256 rate, bool invalid)']),
  optionToken: parseAbi(['function totalSupply() view returns (uint256)', 'function tokenByIndex(uint256 index) view returns (uint256)']),
} as const;
