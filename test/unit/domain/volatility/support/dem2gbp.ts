/**
 * The Bollerslev–Ghysels DEM/GBP daily returns (1,974 observations, 3 Jan 1984 to
 * 31 Dec 1991, in percent), the standard GARCH benchmark, read from the Debian package
 * of R's fGarch (r-cran-fgarch), which ships them as `dem2gbp`.
 *
 * The data are not kept in this repository: fGarch is GPL (≥ 2) and this project is
 * MIT (see test/reference/volatility/README.md). They are looked for, in order:
 *  1. in an installed r-cran-fgarch (/usr/lib/R/site-library/fGarch/data);
 *  2. in test/output/reference-data/, where step 3 leaves them;
 *  3. by `apt-get download r-cran-fgarch` (the .deb alone, ~640 kB, no R needed) and
 *     `dpkg-deb -x` into test/output/reference-data/ (needs apt's package lists, i.e. an
 *     `apt-get update` since the machine was made).
 * The series read is checked against its SHA-256, so a changed package cannot pass
 * silently with other numbers.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLazyLoadDatabase } from './r-serialization.ts';

/** SHA-256 of the 1,974 returns as big-endian doubles, in order. */
export const DEM2GBP_SHA256 = 'f3075948e34f859a6ddfa402280418f87311a5e6bcf7cc472821264a23103a02';
export const DEM2GBP_PACKAGE = 'r-cran-fgarch';

const INSTALLED = '/usr/lib/R/site-library/fGarch/data';
const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const CACHE = join(ROOT, 'test/output/reference-data');
const EXTRACTED = join(CACHE, 'fgarch/usr/lib/R/site-library/fGarch/data');

export type Dem2gbpLoad = { readonly returns: Float64Array; readonly source: string } | { readonly unavailable: string };

function readFrom(dataFolder: string): Float64Array {
  const objects = readLazyLoadDatabase(readFileSync(join(dataFolder, 'Rdata.rdx')), readFileSync(join(dataFolder, 'Rdata.rdb')));
  const read = objects.get('dem2gbp');
  if (!read) throw new Error(`${dataFolder} has no dem2gbp (it has ${[...objects.keys()].join(', ')})`);
  const frame = read();
  // A data frame: a list with one double column, DEM2GBP.
  const column = frame !== null && typeof frame === 'object' && frame.kind === 'list' ? frame.values[0] : undefined;
  if (column === null || typeof column !== 'object' || column === undefined || column.kind !== 'double') throw new Error('dem2gbp is not a data frame with a numeric column');
  const returns = Float64Array.from(column.values);
  const bytes = Buffer.alloc(8 * returns.length);
  returns.forEach((v, i) => bytes.writeDoubleBE(v, 8 * i));
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== DEM2GBP_SHA256) throw new Error(`dem2gbp in ${dataFolder} has SHA-256 ${digest}, not the benchmark's ${DEM2GBP_SHA256} (${returns.length} values)`);
  return returns;
}

/**
 * Downloads and unpacks the package into a private folder, then renames it into place:
 * test files run in parallel processes, and two of them may get here at once.
 */
function downloadPackage(): string | undefined {
  mkdirSync(CACHE, { recursive: true });
  const workspace = mkdtempSync(join(CACHE, 'download-'));
  try {
    const download = spawnSync('apt-get', ['download', '-qq', DEM2GBP_PACKAGE], { cwd: workspace, encoding: 'utf8', timeout: 60_000 });
    const deb = readdirSync(workspace).find((f) => f.startsWith(`${DEM2GBP_PACKAGE}_`) && f.endsWith('.deb'));
    if (!deb) return `apt-get download ${DEM2GBP_PACKAGE} failed (${(download.stderr || download.error?.message || `status ${download.status}`).trim().split('\n')[0]})`;
    const extract = spawnSync('dpkg-deb', ['-x', join(workspace, deb), join(workspace, 'fgarch')], { encoding: 'utf8', timeout: 60_000 });
    if (extract.status !== 0) return `dpkg-deb -x ${deb} failed (${(extract.stderr || extract.error?.message || '').trim().split('\n')[0]})`;
    try {
      renameSync(join(workspace, 'fgarch'), join(CACHE, 'fgarch'));
    } catch (error) {
      // Another test process put it there first: theirs is as good as ours.
      if (!existsSync(join(EXTRACTED, 'Rdata.rdb'))) throw error;
    }
    return undefined;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** The benchmark returns, or why they could not be had. */
export function loadDem2gbp(): Dem2gbpLoad {
  if (existsSync(join(INSTALLED, 'Rdata.rdb'))) return { returns: readFrom(INSTALLED), source: `installed ${DEM2GBP_PACKAGE} (${INSTALLED})` };
  if (!existsSync(join(EXTRACTED, 'Rdata.rdb'))) {
    const failure = downloadPackage();
    if (failure) return { unavailable: `${failure}; install it with: apt-get install ${DEM2GBP_PACKAGE}` };
  }
  return { returns: readFrom(EXTRACTED), source: `${DEM2GBP_PACKAGE} .deb extracted in ${CACHE}` };
}
