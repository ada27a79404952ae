// anvil for integration tests: the product's launcher (local/chain/anvil.ts), re-exported.
//
//   let anvil: AnvilInstance;
//   beforeAll(async () => { anvil = await startAnvil(); });
//   afterAll(async () => { await anvil.stop(); });
export { anvilBinaryPath, startAnvil } from '../../local/chain/anvil.ts';
export type { AnvilInstance, StartAnvilOptions } from '../../local/chain/anvil.ts';
