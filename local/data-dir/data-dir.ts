/**
 * The local stack's data directory: what makes `npm start` remember. Stop the stack and
 * start it again and DynamoDB Local's tables, the anvil chain's state, the keys and the
 * manifest are where they were.
 *
 *   <dir>/stack.json               the manifest and version stamp (manifest.ts)
 *   <dir>/keyring.json             private keys, mode 0600 (keyring.ts)
 *   <dir>/dynamodb/                DynamoDB Local's database (shared-local-instance.db)
 *   <dir>/chain/anvil-state.json.gz  the chain: accounts, contracts, blocks, receipts (anvil's own dump)
 *   <dir>/lock                     the pid of the stack using it (one stack per directory)
 *
 * The default is the user's state folder: $XDG_STATE_HOME/hedge, else ~/.local/state/hedge
 * (Linux and other Unixes), ~/Library/Application Support/hedge (macOS),
 * %LOCALAPPDATA%\hedge (Windows). The directory is made 0700.
 *
 * What is refused, each with the fix in the message (DataDirError): a directory holding
 * files the stack did not make (never touched, not even by --fresh), a manifest of another
 * format version, a manifest or keyring that does not read, a part missing, a directory in
 * use by another running stack. A first start that did not finish (its manifest still says
 * "initializing") is started over. `fresh` deletes what the stack made there and starts clean.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Hex } from 'viem';
import { PersistentKeyring, writeFileAtomic } from './keyring.ts';
import { MANIFEST_FORMAT, MANIFEST_VERSION, readManifestText, type InitializingManifest, type ReadyManifest } from './manifest.ts';

export interface DataDirLayout {
  readonly root: string;
  readonly manifest: string;
  readonly keyring: string;
  readonly dynamodb: string;
  readonly chain: string;
  readonly chainState: string;
  /** The state unpacked for anvil while it starts. */
  readonly chainStateUnpacked: string;
  readonly lock: string;
}

/** What DynamoDB Local (-sharedDb) names its database file in its directory. */
export const DYNAMODB_FILE = 'shared-local-instance.db';

/** Everything the stack makes in a data directory, by name: nothing else is ever deleted. */
const OURS = new Set(['stack.json', 'stack.json.tmp', 'keyring.json', 'keyring.json.tmp', 'dynamodb', 'chain', 'lock']);

export function dataDirLayout(root: string): DataDirLayout {
  const chain = join(root, 'chain');
  return {
    root,
    manifest: join(root, 'stack.json'),
    keyring: join(root, 'keyring.json'),
    dynamodb: join(root, 'dynamodb'),
    chain,
    chainState: join(chain, 'anvil-state.json.gz'),
    chainStateUnpacked: join(chain, 'anvil-state.loading.json'),
    lock: join(root, 'lock'),
  };
}

/** The user's state folder for hedge (see the module comment). */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>> = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA !== undefined && env.LOCALAPPDATA !== '' ? env.LOCALAPPDATA : join(home, 'AppData', 'Local'), 'hedge');
  const xdg = env.XDG_STATE_HOME;
  // XDG: a relative value is invalid and must be ignored.
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'hedge');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'hedge');
  return join(home, '.local', 'state', 'hedge');
}

/** A data directory the stack cannot use; the message says why and what to do. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

const START_CLEAN = 'run `npm start -- --fresh` to start clean (it deletes the accounts, keys, hedges and chain kept there), or choose another directory with --data-dir';

/** The error for an unusable directory, naming it, the reason and the fix. */
export function unusable(root: string, why: string): DataDirError {
  return new DataDirError(`the data directory ${root} cannot be used: ${why}. To fix: ${START_CLEAN}`);
}

export interface OpenedDataDir {
  readonly layout: DataDirLayout;
  /** The manifest of the last start, or undefined: a fresh directory, nothing to restore. */
  readonly manifest: ReadyManifest | undefined;
  readonly keyring: PersistentKeyring;
  /** What was done or found that the log should say (a first start started over, a keyring's mode narrowed, …). */
  readonly notes: readonly string[];
  writeManifest(manifest: ReadyManifest): void;
  /** Writes the chain's state (anvil's gzipped dump) atomically. */
  writeChainState(state: Uint8Array): void;
  /**
   * The chain's state as last written, unpacked to a file for `anvil --load-state` (removed
   * by `discardUnpackedChainState` once anvil read it); DataDirError when it does not unpack.
   */
  unpackChainState(): string;
  discardUnpackedChainState(): void;
  /** Gives the directory up (removes the lock). */
  release(): void;
}

export interface OpenDataDirOptions {
  /** Delete what the stack made there and start clean. */
  readonly fresh?: boolean;
  readonly now?: () => Date;
}

export function openDataDir(rootInput: string, options: OpenDataDirOptions = {}): OpenedDataDir {
  const root = resolve(rootInput);
  const layout = dataDirLayout(root);
  const now = options.now ?? (() => new Date());
  const notes: string[] = [];
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DataDirError(`cannot make the data directory ${root} (${error instanceof Error ? error.message : String(error)}): choose another with --data-dir`);
  }
  if (!statSync(root).isDirectory()) throw new DataDirError(`${root} is not a directory: choose another with --data-dir`);
  const foreign = readdirSync(root).filter((name) => !OURS.has(name) && !name.startsWith('.'));
  if (foreign.length > 0) {
    throw new DataDirError(
      `the data directory ${root} holds files the local stack did not make (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}); nothing was touched. Choose an empty or new directory with --data-dir`,
    );
  }
  // --fresh deletes only what is ours: a stack.json of something else keeps the directory untouched.
  if (options.fresh === true && existsSync(layout.manifest) && readManifestText(readFileSync(layout.manifest, 'utf8')).kind === 'not-ours') {
    throw new DataDirError(`the data directory ${root} has a stack.json that is not the local stack's; nothing was touched. Choose an empty or new directory with --data-dir`);
  }
  acquireLock(layout.lock);
  try {
    const restored = options.fresh === true ? undefined : restore(layout, notes);
    if (restored !== undefined) return opened(layout, restored.manifest, restored.keyring, notes);
    return opened(layout, undefined, startClean(layout, now, options.fresh === true, notes), notes);
  } catch (error) {
    releaseLock(layout.lock);
    throw error;
  }
}

function opened(layout: DataDirLayout, manifest: ReadyManifest | undefined, keyring: PersistentKeyring, notes: string[]): OpenedDataDir {
  let released = false;
  return {
    layout,
    manifest,
    keyring,
    notes,
    writeManifest(next) {
      writeFileAtomic(layout.manifest, `${JSON.stringify(next, null, 2)}\n`, 0o600);
    },
    writeChainState(state) {
      writeFileAtomic(layout.chainState, state, 0o600);
    },
    unpackChainState() {
      let json: Buffer;
      try {
        json = gunzipSync(readFileSync(layout.chainState)); // anvil then judges the JSON in it
      } catch (error) {
        throw unusable(layout.root, `chain/anvil-state.json.gz does not read (${error instanceof Error ? error.message : String(error)})`);
      }
      writeFileSync(layout.chainStateUnpacked, json, { mode: 0o600 });
      return layout.chainStateUnpacked;
    },
    discardUnpackedChainState() {
      rmSync(layout.chainStateUnpacked, { force: true });
    },
    release() {
      if (released) return;
      released = true;
      releaseLock(layout.lock);
    },
  };
}

/** A usable directory's manifest and keyring; undefined when there is nothing to restore (empty, or a first start that did not finish). */
function restore(layout: DataDirLayout, notes: string[]): { manifest: ReadyManifest; keyring: PersistentKeyring } | undefined {
  const { root } = layout;
  if (!existsSync(layout.manifest)) {
    // Ours by name only (keyring, dynamodb, chain) but no manifest: not something to guess about.
    const ours = readdirSync(root).filter((name) => OURS.has(name) && name !== 'lock');
    if (ours.length === 0) return undefined;
    throw unusable(root, `it has ${ours.join(', ')} but no stack.json`);
  }
  const reading = readManifestText(readFileSync(layout.manifest, 'utf8'));
  switch (reading.kind) {
    case 'not-ours':
      throw new DataDirError(`the data directory ${root} has a stack.json that is not the local stack's; nothing was touched. Choose an empty or new directory with --data-dir`);
    case 'other-version':
      throw unusable(root, `it was written by another version of the local stack (data format ${JSON.stringify(reading.version)}; this one reads format ${MANIFEST_VERSION})`);
    case 'corrupt':
      throw unusable(root, reading.why);
    case 'initializing':
      notes.push(`the first start in ${root} did not finish: starting it over`);
      return undefined;
    case 'ready':
      break;
  }
  for (const [what, path] of [
    ['keyring.json', layout.keyring],
    ['chain/anvil-state.json.gz', layout.chainState],
    [`dynamodb/${DYNAMODB_FILE}`, join(layout.dynamodb, DYNAMODB_FILE)],
  ] as const) {
    if (!existsSync(path)) throw unusable(root, `${what} is missing`);
  }
  let keyring: PersistentKeyring;
  try {
    const loaded = PersistentKeyring.load(layout.keyring);
    keyring = loaded.keyring;
    if (loaded.widened) notes.push(`${layout.keyring} was readable by others: narrowed to 0600`);
  } catch (error) {
    throw unusable(root, error instanceof SyntaxError ? `keyring.json is not valid JSON (${error.message})` : error instanceof Error ? error.message : String(error));
  }
  if (!reading.manifest.lastSave.stoppedCleanly) {
    notes.push(`the last run in ${root} did not stop cleanly: the chain is restored as saved at ${reading.manifest.lastSave.at} (block ${reading.manifest.lastSave.blockNumber}); anything after that is lost on the chain and the reconciliation will name what the records hold beyond it`);
  }
  return { manifest: reading.manifest, keyring };
}

/** Deletes what the stack made (never anything else), then writes the "initializing" manifest and a new keyring. */
function startClean(layout: DataDirLayout, now: () => Date, fresh: boolean, notes: string[]): PersistentKeyring {
  const made = readdirSync(layout.root).filter((name) => OURS.has(name) && name !== 'lock');
  if (fresh && made.length > 0) notes.push(`--fresh: deleted the stack's data in ${layout.root}`);
  for (const name of made) rmSync(join(layout.root, name), { recursive: true, force: true });
  const initializing: InitializingManifest = { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, createdAt: now().toISOString(), state: 'initializing' };
  writeFileAtomic(layout.manifest, `${JSON.stringify(initializing, null, 2)}\n`, 0o600);
  mkdirSync(layout.dynamodb, { mode: 0o700 });
  mkdirSync(layout.chain, { mode: 0o700 });
  return PersistentKeyring.create(layout.keyring, `0x${randomBytes(32).toString('hex')}` as Hex);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One stack per directory: the lock file holds the pid; a lock whose process is gone is taken over. */
function acquireLock(path: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) {
        throw new DataDirError(`another local stack (pid ${pid}) is using the data directory ${dirname(path)}: stop it first, or choose another directory with --data-dir`);
      }
      if (pid === process.pid) throw new DataDirError(`this process uses the data directory ${dirname(path)} already: stop that stack first`);
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new DataDirError(`could not lock the data directory (${path})`);
}

function releaseLock(path: string): void {
  try {
    if (Number.parseInt(readFileSync(path, 'utf8').trim(), 10) === process.pid) unlinkSync(path);
  } catch {
    // already gone
  }
}
