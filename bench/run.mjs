#!/usr/bin/env node
// `npm run bench`: bundles the benchmark with esbuild (as a Lambda would be bundled, so
// the numbers are those of production code, not of a dev-time loader) and runs it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}test/output/bench/bench.mjs`;
await build({
  entryPoints: [`${root}bench/index.ts`],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  logLevel: 'warning',
  // The banner's import is aliased: bundled modules that import createRequire themselves
  // (local/chain/anvil.ts, the Uniswap artifacts) are hoisted beside it under that name.
  banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
});
const run = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exitCode = run.status ?? 1;
