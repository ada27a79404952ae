// The local stack's data directory (local/data-dir) on a real file system: where it is by
// default, what a first start writes (modes included), the lock, and every directory it
// must refuse — each refusal naming the fix, and never touching what is not its own.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirError, dataDirLayout, defaultDataDir, DYNAMODB_FILE, openDataDir } from '../../../local/data-dir/data-dir.ts';
import { PersistentKeyring } from '../../../local/data-dir/keyring.ts';
import { MANIFEST_VERSION } from '../../../local/data-dir/manifest.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hedge-data-dir-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const mode = (path: string): number => statSync(path).mode & 0o777;

/** A directory as a finished first start leaves it (the manifest's body is not read past its head by these tests unless said). */
function readyDir(dir: string, manifest: Record<string, unknown>): void {
  const layout = dataDirLayout(dir);
  mkdirSync(layout.dynamodb, { recursive: true });
  mkdirSync(layout.chain, { recursive: true });
  writeFileSync(layout.manifest, JSON.stringify(manifest));
  PersistentKeyring.create(layout.keyring, `0x${'11'.repeat(32)}`);
  writeFileSync(join(layout.dynamodb, DYNAMODB_FILE), '');
  writeFileSync(layout.chainState, gzipSync('{}'));
}

const head = { format: 'hedge-local-stack', version: MANIFEST_VERSION, createdAt: '2025-01-01T00:00:00.000Z' };

describe('the default data directory', () => {
  it('is the user state folder: XDG_STATE_HOME, else ~/.local/state; macOS Application Support; Windows LOCALAPPDATA', () => {
    expect(defaultDataDir({ XDG_STATE_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/xdg/hedge');
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.local/state/hedge');
    expect(defaultDataDir({ XDG_STATE_HOME: 'relative/is/ignored' }, 'linux', '/home/u')).toBe('/home/u/.local/state/hedge');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/hedge');
    expect(defaultDataDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u')).toMatch(/hedge$/);
  });
});

describe('openDataDir', () => {
  it('a new directory: 0700, an "initializing" manifest, a 0600 keyring with a fresh seed, the parts made; locked while open', () => {
    const dir = join(root, 'new', 'state');
    const opened = openDataDir(dir);
    try {
      expect(opened.manifest).toBeUndefined();
      expect(mode(dir)).toBe(0o700);
      expect(JSON.parse(readFileSync(opened.layout.manifest, 'utf8'))).toMatchObject({ ...head, createdAt: expect.any(String), state: 'initializing' });
      expect(mode(opened.layout.manifest)).toBe(0o600);
      expect(mode(opened.layout.keyring)).toBe(0o600);
      expect(opened.keyring.seed).toMatch(/^0x[0-9a-f]{64}$/);
      expect(existsSync(opened.layout.dynamodb) && existsSync(opened.layout.chain)).toBe(true);
      expect(readFileSync(opened.layout.lock, 'utf8').trim()).toBe(String(process.pid));
      // The keyring the provisioner writes into is on disk the moment a key is made.
      opened.keyring.set('account-a', `0x${'22'.repeat(32)}`);
      expect(JSON.parse(readFileSync(opened.layout.keyring, 'utf8')).signers).toEqual({ 'account-a': `0x${'22'.repeat(32)}` });
      opened.keyring.delete('account-a');
      expect(JSON.parse(readFileSync(opened.layout.keyring, 'utf8')).signers).toEqual({});
      expect(mode(opened.layout.keyring)).toBe(0o600);
    } finally {
      opened.release();
    }
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('refuses a directory another running stack holds, and takes over a lock whose process is gone', () => {
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'lock'), `${process.ppid}\n`); // a live process that is not us
    expect(() => openDataDir(root)).toThrow(new RegExp(`another local stack \\(pid ${process.ppid}\\) is using`));
    writeFileSync(join(root, 'lock'), '999999999\n'); // no such process
    const opened = openDataDir(root);
    expect(readFileSync(join(root, 'lock'), 'utf8').trim()).toBe(String(process.pid));
    opened.release();
  });

  it('never touches a directory with files it did not make, not even with --fresh', () => {
    writeFileSync(join(root, 'thesis.tex'), 'mine');
    for (const fresh of [false, true]) {
      expect(() => openDataDir(root, { fresh })).toThrow(DataDirError);
      expect(() => openDataDir(root, { fresh })).toThrow(/did not make \(thesis\.tex\); nothing was touched/);
    }
    expect(readFileSync(join(root, 'thesis.tex'), 'utf8')).toBe('mine');
    expect(existsSync(join(root, 'lock'))).toBe(false);
  });

  it('refuses a stack.json that is not ours, even with --fresh', () => {
    writeFileSync(join(root, 'stack.json'), JSON.stringify({ name: 'some other tool' }));
    expect(() => openDataDir(root)).toThrow(/not the local stack's; nothing was touched/);
    expect(() => openDataDir(root, { fresh: true })).toThrow(/not the local stack's/);
    expect(JSON.parse(readFileSync(join(root, 'stack.json'), 'utf8'))).toEqual({ name: 'some other tool' });
  });

  it('refuses another format version, naming both and the fix; --fresh starts clean', () => {
    readyDir(root, { ...head, version: MANIFEST_VERSION + 1, state: 'ready' });
    const error = (() => {
      try {
        openDataDir(root);
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a refusal');
    })();
    expect(error).toBeInstanceOf(DataDirError);
    expect(error.message).toContain(`data format ${MANIFEST_VERSION + 1}; this one reads format ${MANIFEST_VERSION}`);
    expect(error.message).toContain('npm start -- --fresh');
    expect(error.message).toContain('--data-dir');
    const opened = openDataDir(root, { fresh: true });
    expect(opened.manifest).toBeUndefined();
    expect(opened.notes.join('\n')).toContain('--fresh: deleted');
    expect(existsSync(join(root, 'dynamodb', DYNAMODB_FILE))).toBe(false);
    opened.release();
  });

  it('refuses a manifest that does not read, or does not hold what the stack wrote', () => {
    readyDir(root, head);
    writeFileSync(join(root, 'stack.json'), '{"format":"hedge-local-stack", "vers');
    expect(() => openDataDir(root)).toThrow(/stack\.json is not valid JSON .*--fresh/s);
    writeFileSync(join(root, 'stack.json'), JSON.stringify({ ...head, state: 'ready', tableName: 'hedge-local' }));
    expect(() => openDataDir(root)).toThrow(/stack\.json does not hold what the stack wrote .*--fresh/s);
  });

  it('a first start that did not finish is started over', () => {
    readyDir(root, { ...head, state: 'initializing' });
    const before = JSON.parse(readFileSync(join(root, 'keyring.json'), 'utf8')).seed;
    const opened = openDataDir(root);
    expect(opened.manifest).toBeUndefined();
    expect(opened.notes.join('\n')).toContain('did not finish: starting it over');
    expect(opened.keyring.seed).not.toBe(before);
    opened.release();
  });

  it('refuses a kept directory with a part missing or a keyring that does not read; narrows a keyring others can read', () => {
    const valid = JSON.parse(readFileSync(new URL('./ready-manifest.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    readyDir(root, valid);
    const layout = dataDirLayout(root);
    chmodSync(layout.keyring, 0o644);
    const opened = openDataDir(root);
    expect(opened.manifest?.tenants).toHaveLength(2);
    expect(opened.notes.join('\n')).toContain('narrowed to 0600');
    expect(mode(layout.keyring)).toBe(0o600);
    // It is a kept directory: the last run is marked as not stopped cleanly until it is.
    expect(opened.notes.join('\n')).not.toContain('did not stop cleanly');
    opened.release();

    writeFileSync(layout.keyring, 'not json');
    expect(() => openDataDir(root)).toThrow(/keyring\.json is not valid JSON/);
    PersistentKeyring.create(layout.keyring, `0x${'11'.repeat(32)}`);
    rmSync(layout.chainState);
    expect(() => openDataDir(root)).toThrow(/chain\/anvil-state\.json\.gz is missing.*--fresh/s);
    writeFileSync(layout.chainState, 'not gzip');
    const again = openDataDir(root);
    expect(() => again.unpackChainState()).toThrow(/anvil-state\.json\.gz does not read.*--fresh/s);
    again.release();
  });
});
