/**
 * The worker (worker-main.ts and everything it imports) as one ES module, built by esbuild
 * when the host starts, so that a worker forked after a death is ready in about 2 s: forked
 * with tsx's loader over the sources it took 16 s on the shared 2-core machine under load
 * (each of hundreds of modules resolved and transformed), and a killed worker's batches
 * waited for it. Same code, bundled: nothing is stubbed. The file goes to the repo's
 * node_modules/.cache (the Uniswap artifacts are require()d by package path, resolved from
 * the bundle's own place), one per host, and is deleted when the host stops. When the
 * build fails the host forks worker-main.ts with tsx as before.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build, stop } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/hedge-local-worker/', import.meta.url));

export interface WorkerBundle {
  readonly path: string;
  remove(): void;
}

export async function bundleWorker(): Promise<WorkerBundle> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const path = `${CACHE_DIR}worker-${process.pid}-${randomBytes(4).toString('hex')}.mjs`;
  try {
    await build({
      entryPoints: [ENTRY],
      outfile: path,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      // CommonJS dependencies bundled into an ES module still call require().
      banner: { js: "import { createRequire as __workerCreateRequire } from 'node:module'; const require = __workerCreateRequire(import.meta.url);" },
    });
  } catch (error) {
    rmSync(path, { force: true });
    throw error;
  } finally {
    await stop(); // esbuild's service process: none left behind
  }
  return { path, remove: () => rmSync(path, { force: true }) };
}
