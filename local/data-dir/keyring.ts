/**
 * keyring.json: the local stack's private keys, kept in its data directory with file mode
 * 0600 (the directory itself is 0700). It holds two things:
 *
 *   seed     32 random bytes from which the chain's own actors' keys are derived
 *            (chain-keys.ts: the deployer, the market maker, the perp's keeper, …);
 *   signers  each account's own signing key by name (`account-<id>`): what the config
 *            API's local provisioner makes when an account is created, and what the
 *            dispatcher's signer registry resolves a `{ kind: 'local', name }` ref through.
 *
 * `PersistentKeyring` is the very Map the provisioner and the registry share: every set
 * and delete rewrites the file at once (a temporary file, fsync, rename), so a key made
 * is a key kept even if the process dies the next moment. The cloud keeps these in KMS;
 * nothing here is ever logged.
 */
import { chmodSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import type { Hex } from 'viem';

export const KEYRING_FORMAT = 'hedge-local-keyring';
export const KEYRING_VERSION = 1;

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/) as unknown as z.ZodType<Hex>;
const KeyringFileSchema = z.strictObject({
  format: z.literal(KEYRING_FORMAT),
  version: z.literal(KEYRING_VERSION),
  seed: hex32,
  signers: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), hex32),
});

/** Writes `text` to `path` atomically with `mode`: a reader sees the old file or the new one, never a part. */
export function writeFileAtomic(path: string, text: string | Uint8Array, mode: number): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w', mode);
  try {
    writeFileSync(fd, text); // the whole of it (a bare write may be partial)
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temporary, mode); // the umask may have narrowed it; never wider than asked
  renameSync(temporary, path);
}

export class PersistentKeyring extends Map<string, Hex> {
  readonly #path: string;
  readonly seed: Hex;
  #loading = true;

  private constructor(path: string, seed: Hex, signers: Readonly<Record<string, Hex>>) {
    super();
    this.#path = path;
    this.seed = seed;
    for (const [name, key] of Object.entries(signers)) super.set(name, key);
    this.#loading = false;
  }

  /** A new keyring with this seed and no signer, written now. */
  static create(path: string, seed: Hex): PersistentKeyring {
    const keyring = new PersistentKeyring(path, seed, {});
    keyring.#save();
    return keyring;
  }

  /**
   * The keyring at `path`. Throws with the reason when it is not one (not JSON, another
   * format or version). A file readable by others is narrowed to 0600 and reported.
   */
  static load(path: string): { keyring: PersistentKeyring; widened: boolean } {
    const parsed = KeyringFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new Error(`keyring.json is not a keyring of this version (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`);
    let widened = false;
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
      chmodSync(path, 0o600);
      widened = true;
    }
    return { keyring: new PersistentKeyring(path, parsed.data.seed, parsed.data.signers), widened };
  }

  override set(name: string, key: Hex): this {
    super.set(name, key);
    if (!this.#loading) this.#save();
    return this;
  }

  override delete(name: string): boolean {
    const deleted = super.delete(name);
    if (deleted) this.#save();
    return deleted;
  }

  override clear(): void {
    super.clear();
    this.#save();
  }

  #save(): void {
    const file = { format: KEYRING_FORMAT, version: KEYRING_VERSION, seed: this.seed, signers: Object.fromEntries(this) };
    writeFileAtomic(this.#path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  }
}
