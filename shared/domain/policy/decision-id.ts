/**
 * Deterministic decision ids: FNV-1a 64-bit over a canonical binary record of everything
 * the decision depends on, as 16 lower-case hex digits. Same input → same id, on any
 * platform; any changed input → (almost surely) a different id. The id is the
 * idempotency key of the orders downstream, so a redelivered event decides the same
 * hedge under the same key.
 *
 * The hashed bytes: the UTF-8 of "hedge-policy/<engine version>:<config as canonical
 * JSON>" (keys sorted; the FNV state after it is cached per config object in a WeakMap),
 * then a record of IEEE-754 doubles in little-endian byte order whatever the platform:
 * nowMs; spot, implied vol, rate, yield; delta, gamma, vega, option notional, years to
 * expiry; the state's day start and daily notional; a code of which optional state
 * fields follow plus 8 × the pending-slice count; lastHedgeAtMs, lastHedgeSpot,
 * ewmaVariance where present; per pending slice its quantity, notBeforeMs, index, count
 * and decision id (the two 32-bit halves of one of our 16-hex-digit ids, else a hash of
 * its UTF-8); with a vol forecast (its variance and fit), a marker −1, the filtered
 * variance and the fit's time. −0 is written as 0. The state's lastPrice/lastPriceAtMs are left out: they
 * only feed observePrice, never a decision. No string is built per call.
 *
 * The account id is not an input of the policy, so it is not in the id: two accounts in
 * exactly the same situation get the same id, and the idempotency store must scope keys
 * by account.
 *
 * @see G. Fowler, L. C. Noll, K.-P. Vo, D. Eastlake, "The FNV Non-Cryptographic Hash
 *      Algorithm", IETF draft-eastlake-fnv (64-bit offset basis 0xcbf29ce484222325,
 *      prime 2^40 + 0x1b3 = 0x100000001b3).
 */
import { POLICY_ENGINE_VERSION } from './policy-constants.ts';
import type { PolicyInput } from './policy-types.ts';

// The input record is written as doubles into one scratch buffer and hashed in a single
// tight loop over its bytes, the 64-bit state in two int32 halves (values kept in int32
// range stay unboxed in registers; unsigned halves above 2^31 would become doubles).
const MAX_RECORD_DOUBLES = 4096;
const record = new Float64Array(MAX_RECORD_DOUBLES);
const recordBytes = new Uint8Array(record.buffer);
/** Byte i of the record in little-endian order is recordBytes[i ^ endianXor]. */
const endianXor = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 7;

let outHi = 0;
let outLo = 0;

/** FNV-1a 64 from state (seedHi, seedLo) over `byteCount` bytes of `bytes` (byte i read at i ^ xor); result in outHi/outLo (uint32). */
function fnvBytes(bytes: Uint8Array, byteCount: number, xor: number, seedHi: number, seedLo: number): void {
  let hi = seedHi | 0;
  let lo = seedLo | 0;
  for (let i = 0; i < byteCount; i++) {
    lo ^= bytes[i ^ xor]!;
    // h *= 2^40 + 0x1b3 (mod 2^64) = h·0x1b3 + (h << 40). The carry of lo·0x1b3 into the
    // high word is formed from lo's 16-bit halves so that nothing leaves int32 range.
    const carry = ((lo >>> 16) * 0x1b3 + (((lo & 0xffff) * 0x1b3) >>> 16)) >>> 16;
    const nextLo = Math.imul(lo, 0x1b3);
    hi = (Math.imul(hi, 0x1b3) + (lo << 8) + carry) | 0;
    lo = nextLo;
  }
  outHi = hi >>> 0;
  outLo = lo >>> 0;
}

/** The FNV-1a 64 offset basis 0xcbf29ce484222325. */
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;

/** UTF-8 bytes of `s` (a lone surrogate is encoded as its own code unit, like WTF-8). */
function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.codePointAt(i)!;
    if (c > 0xffff) i++;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}

const HEX = '0123456789abcdef';
function hex8(w: number): string {
  return (
    HEX[(w >>> 28) & 15]! + HEX[(w >>> 24) & 15]! + HEX[(w >>> 20) & 15]! + HEX[(w >>> 16) & 15]! +
    HEX[(w >>> 12) & 15]! + HEX[(w >>> 8) & 15]! + HEX[(w >>> 4) & 15]! + HEX[w & 15]!
  );
}

/**
 * FNV-1a 64 of a string's UTF-8 bytes, 16 hex digits.
 *
 * @example fnv1a64Hex('a') // "af63dc4c8601ec8c"
 */
export function fnv1a64Hex(s: string): string {
  const bytes = utf8(s);
  fnvBytes(bytes, bytes.length, 0, OFFSET_HI, OFFSET_LO);
  return hex8(outHi) + hex8(outLo);
}

/** JSON with object keys sorted at every level (undefined members dropped, as JSON does). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v: unknown) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const prefixes = new WeakMap<object, readonly [number, number]>();

/**
 * The FNV state after the record's prefix — the engine version and the config's
 * canonical JSON — cached per config object (the backtester passes the same object on
 * every call, so the config costs one WeakMap lookup).
 */
function configPrefix(config: object): readonly [number, number] {
  let f = prefixes.get(config);
  if (f === undefined) {
    const bytes = utf8(`hedge-policy/${POLICY_ENGINE_VERSION}:${canonicalJson(config)}`);
    fnvBytes(bytes, bytes.length, 0, OFFSET_HI, OFFSET_LO);
    f = [outHi, outLo];
    prefixes.set(config, f);
  }
  return f;
}

/** A pending slice's decision id as two numbers: ids made here are 16 hex digits. */
function idWords(id: string, k: number): number {
  if (id.length === 16) {
    const h = parseInt(id.slice(0, 8), 16);
    const l = parseInt(id.slice(8), 16);
    if (h >= 0 && l >= 0 && hex8(h) + hex8(l) === id) {
      record[k] = h;
      record[k + 1] = l;
      return k + 2;
    }
  }
  const bytes = utf8(id);
  fnvBytes(bytes, bytes.length, 0, OFFSET_HI, OFFSET_LO);
  record[k] = outHi + 2 ** 32; // never equal to a parsed half (< 2^32)
  record[k + 1] = outLo;
  return k + 2;
}

/** −0 → 0, so that the two zeros hash alike. */
function z(x: number): number {
  return x + 0;
}

/** Words a vol forecast adds after the slices (a marker, the filtered variance, the fit's time). */
const FORECAST_WORDS = 3;
/** Largest number of pending slices hashed one by one (their count is always hashed). */
const MAX_HASHED_SLICES = Math.floor((MAX_RECORD_DOUBLES - 16 - FORECAST_WORDS) / 6);

/** The deterministic id of the decision for `input` (16 hex digits). */
export function decisionId(input: PolicyInput): string {
  const { risk, market, state } = input;
  const prefix = configPrefix(input.config);
  const pending = state.pendingSlices;
  record[0] = z(input.nowMs);
  record[1] = z(market.spot);
  record[2] = z(market.impliedVol);
  record[3] = z(market.rate);
  record[4] = z(market.yield);
  record[5] = z(risk.delta);
  record[6] = z(risk.gamma);
  record[7] = z(risk.vegaPerVolPoint);
  record[8] = z(risk.optionNotionalUsd);
  record[9] = z(risk.yearsToExpiry);
  record[10] = z(state.dayStartMs);
  record[11] = z(state.dailyNotionalUsd);
  // Which optional fields follow (bits 0-2), and the pending-slice count (× 8).
  const { lastHedgeAtMs, lastHedgeSpot, ewmaVariance } = state;
  record[12] = (lastHedgeAtMs === undefined ? 0 : 1) + (lastHedgeSpot === undefined ? 0 : 2) + (ewmaVariance === undefined ? 0 : 4) + 8 * pending.length;
  let k = 13;
  if (lastHedgeAtMs !== undefined) record[k++] = z(lastHedgeAtMs);
  if (lastHedgeSpot !== undefined) record[k++] = z(lastHedgeSpot);
  if (ewmaVariance !== undefined) record[k++] = z(ewmaVariance);
  const hashed = Math.min(pending.length, MAX_HASHED_SLICES);
  for (let i = 0; i < hashed; i++) {
    const s = pending[i]!;
    record[k] = z(s.quantity);
    record[k + 1] = z(s.notBeforeMs);
    record[k + 2] = s.sliceIndex;
    record[k + 3] = s.sliceCount;
    k = idWords(s.decisionId, k + 4);
  }
  // A vol forecast's variance and fit (volScaling.source "forecast") set the band: hashed when present.
  const forecast = state.forecast;
  if (forecast?.variance !== undefined && forecast.fit !== undefined) {
    record[k] = -1; // the slice count fixes where this starts; the marker and the length tell it from no forecast
    record[k + 1] = z(forecast.variance);
    record[k + 2] = z(forecast.fit.fittedAtMs);
    k += FORECAST_WORDS;
  }
  fnvBytes(recordBytes, k * 8, endianXor, prefix[0], prefix[1]);
  return hex8(outHi) + hex8(outLo);
}
