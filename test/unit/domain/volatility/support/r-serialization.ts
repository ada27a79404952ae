/**
 * Just enough of R's serialization format to read a data set out of an installed R
 * package's lazy-load database (data/Rdata.rdx + data/Rdata.rdb), without R:
 *
 *  - Rdata.rdx is a gzip'd serialized list: `variables` maps each object's name to its
 *    [offset, length] in Rdata.rdb.
 *  - Each object in Rdata.rdb is a 4-byte big-endian uncompressed length followed by a
 *    zlib stream of its serialization.
 *  - A serialization is "X\n" (XDR, big-endian), a version header, then items: a 32-bit
 *    flags word (type in the low byte, has-attributes bit 9, has-tag bit 10) and the
 *    payload; vectors carry their length, pairlists attributes, tag, CAR and CDR.
 *
 * Only the types that data frames of numbers use are read (vectors, strings, symbols,
 * pairlists, references, NULL); anything else is an error naming the type, so a
 * changed file fails loudly rather than being misread.
 *
 * @see R Internals, §1.8 "Serialization Formats" and §1.9 "Lazy loading".
 */
import { gunzipSync, inflateSync } from 'node:zlib';

/** An R object, as far as this reader knows them. */
export type RValue =
  | null
  | string
  | { readonly kind: 'symbol'; readonly name: string | null }
  | { readonly kind: 'double' | 'integer' | 'logical'; readonly values: number[]; readonly attributes: RPairs }
  | { readonly kind: 'character'; readonly values: (string | null)[]; readonly attributes: RPairs }
  | { readonly kind: 'list'; readonly values: RValue[]; readonly attributes: RPairs }
  | { readonly kind: 'pairlist'; readonly pairs: RPairs };

/** A pairlist as tag → value (attributes are pairlists). */
export type RPairs = ReadonlyMap<string, RValue>;

const NO_ATTRIBUTES: RPairs = new Map();

/** Reads one serialized R object. */
export function unserialize(bytes: Buffer): RValue {
  if (bytes.toString('latin1', 0, 2) !== 'X\n') throw new Error(`not an XDR R serialization (starts ${JSON.stringify(bytes.toString('latin1', 0, 2))})`);
  let at = 2;
  const int = (): number => {
    const v = bytes.readInt32BE(at);
    at += 4;
    return v;
  };
  const version = int();
  int(); // the writer's R version
  int(); // the oldest R version that can read it
  if (version === 3) {
    const encodingLength = int(); // then the native encoding's name, skipped
    at += encodingLength;
  }
  const references: RValue[] = [];

  const pairsOf = (value: RValue): RPairs => (value !== null && typeof value === 'object' && value.kind === 'pairlist' ? value.pairs : NO_ATTRIBUTES);
  const tagName = (tag: RValue): string => (tag !== null && typeof tag === 'object' && tag.kind === 'symbol' && tag.name !== null ? tag.name : '');
  const length = (): number => {
    const n = int();
    return n === -1 ? int() * 2 ** 32 + (int() >>> 0) : n;
  };

  function item(): RValue {
    const flags = int();
    const type = flags & 0xff;
    const hasAttributes = (flags & (1 << 9)) !== 0;
    switch (type) {
      case 254: // NILVALUE_SXP
        return null;
      case 255: {
        // REFSXP: an index into the symbols (and environments) read so far, 1-based.
        const index = flags >>> 8 || int();
        return references[index - 1] ?? null;
      }
      case 1: {
        // SYMSXP: its name follows as a CHARSXP.
        const symbol: RValue = { kind: 'symbol', name: item() as string | null };
        references.push(symbol);
        return symbol;
      }
      case 9: {
        // CHARSXP: length (−1 for NA) and bytes.
        const n = int();
        if (n === -1) return null;
        const text = bytes.toString('utf8', at, at + n);
        at += n;
        return text;
      }
      case 2: {
        // LISTSXP: a pairlist, read iteratively along its CDRs.
        const pairs = new Map<string, RValue>();
        let itemFlags = flags;
        for (;;) {
          if ((itemFlags & (1 << 9)) !== 0) item();
          const tag = (itemFlags & (1 << 10)) !== 0 ? item() : null;
          pairs.set(tagName(tag), item());
          itemFlags = int();
          if ((itemFlags & 0xff) === 254) break;
          if ((itemFlags & 0xff) !== 2) throw new Error(`a pairlist continues with type ${itemFlags & 0xff}`);
        }
        return { kind: 'pairlist', pairs };
      }
      case 10:
      case 13:
      case 14: {
        const n = length();
        const values: number[] = [];
        for (let i = 0; i < n; i++) {
          if (type === 14) {
            values.push(bytes.readDoubleBE(at));
            at += 8;
          } else {
            values.push(int());
          }
        }
        const attributes = hasAttributes ? pairsOf(item()) : NO_ATTRIBUTES;
        return { kind: type === 14 ? 'double' : type === 13 ? 'integer' : 'logical', values, attributes };
      }
      case 16:
      case 19: {
        const n = length();
        const values: RValue[] = [];
        for (let i = 0; i < n; i++) values.push(item());
        const attributes = hasAttributes ? pairsOf(item()) : NO_ATTRIBUTES;
        return type === 16 ? { kind: 'character', values: values as (string | null)[], attributes } : { kind: 'list', values, attributes };
      }
      default:
        throw new Error(`R serialization type ${type} is not supported by this reader (at byte ${at - 4})`);
    }
  }
  return item();
}

/** The objects of a lazy-load database, by name, read on demand. */
export function readLazyLoadDatabase(index: Buffer, database: Buffer): Map<string, () => RValue> {
  const root = unserialize(gunzipSync(index));
  if (root === null || typeof root !== 'object' || root.kind !== 'list') throw new Error('the .rdx index is not a list');
  const names = root.attributes.get('names');
  const at = names !== null && typeof names === 'object' && names !== undefined && names.kind === 'character' ? names.values.indexOf('variables') : -1;
  const variables = root.values[at];
  if (at < 0 || variables === null || typeof variables !== 'object' || variables === undefined || variables.kind !== 'list') throw new Error('the .rdx index has no variables');
  const variableNames = variables.attributes.get('names');
  if (variableNames === null || typeof variableNames !== 'object' || variableNames === undefined || variableNames.kind !== 'character') throw new Error('the .rdx variables have no names');
  const objects = new Map<string, () => RValue>();
  variableNames.values.forEach((name, i) => {
    const where = variables.values[i];
    if (name === null || where === null || typeof where !== 'object' || where === undefined || where.kind !== 'integer') return;
    const [offset, size] = where.values as [number, number];
    objects.set(name, () => {
      const chunk = database.subarray(offset, offset + size);
      const expected = chunk.readUInt32BE(0);
      const raw = inflateSync(chunk.subarray(4));
      if (raw.length !== expected) throw new Error(`${name}: inflated to ${raw.length} bytes, the header says ${expected}`);
      return unserialize(raw);
    });
  });
  return objects;
}
