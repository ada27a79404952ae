/**
 * Reads a price CSV for `hedge backtest` replays: a timestamp in the first column and
 * the price in another. One row per observation; a first line with a name after its
 * first cell is a header; blank lines and lines starting with # are ignored.
 * Timestamps are either
 *  - ISO-8601 ("2025-03-01", "2025-03-01T12:00:00Z", "2025-03-01T12:00:00+02:00"; a
 *    date-time without an offset is read as UTC), or
 *  - epoch numbers: seconds below 1e11 (i.e. before the year 5138), milliseconds from
 *    1e11 up.
 *
 * Which column is the price is never guessed silently: a two-column file has one; a
 * wider file needs a header with a "close" (else "price") column, or an explicit choice
 * (`--csv-column close`, or a column number). Every row must have as many values as the
 * first: a stray value is an error, not ignored. Rows must be in strictly increasing
 * time order and prices finite and > 0. Errors name the line.
 */
import type { PriceSeries } from '../shared/contracts/backtest-config.ts';

export class CsvError extends Error {}

const EPOCH_SECONDS_BELOW = 1e11;
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Header names taken as the price when the file has more than two columns, in order of preference. */
const PRICE_NAMES = ['close', 'price'] as const;

/** Epoch milliseconds of a timestamp cell, or undefined. */
export function parseTimestamp(cell: string): number | undefined {
  const text = unquote(cell);
  if (NUMBER.test(text)) {
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0) return undefined;
    return n < EPOCH_SECONDS_BELOW ? Math.round(n * 1000) : Math.round(n);
  }
  const iso = ISO.exec(text);
  if (!iso) return undefined;
  const hasTime = iso[1] !== undefined;
  const hasOffset = iso[4] !== undefined;
  const ms = Date.parse(hasTime && !hasOffset ? `${text.replace(' ', 'T')}Z` : text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

const unquote = (cell: string): string => cell.trim().replace(/^"|"$/g, '');

/** A replayed series and where its prices came from. */
export interface PriceTable {
  readonly series: PriceSeries;
  /** The price column: its header name, or "column N" (1-based) without a header. */
  readonly column: string;
  /** The same as a config's market.column: the header name, else the 1-based number. */
  readonly columnChoice: string | number;
  /** Values per row (2 for "timestamp,price"). */
  readonly width: number;
  /** The header's names, when the file has a header. */
  readonly header?: readonly string[];
}

export interface PriceCsvOptions {
  /** The price column: a header name (any case) or a 1-based column number (≥ 2). */
  readonly column?: string | number;
}

/** The index of the price column, or a CsvError saying how to choose one. */
function priceColumn(source: string, width: number, header: readonly string[] | undefined, wanted: string | number | undefined): number {
  const names = header?.map((h) => h.toLowerCase());
  const listed = header ? ` (columns: ${header.join(', ')})` : '';
  if (wanted !== undefined) {
    const asNumber = typeof wanted === 'number' ? wanted : /^\d+$/.test(wanted.trim()) ? Number(wanted) : undefined;
    if (asNumber !== undefined) {
      if (asNumber < 2 || asNumber > width) throw new CsvError(`${source}: there is no price column ${asNumber}: the file has ${width} columns and column 1 is the timestamp`);
      return asNumber - 1;
    }
    const name = String(wanted).trim().toLowerCase();
    if (!names) throw new CsvError(`${source} has no header line, so no column is named ${JSON.stringify(wanted)}: give its number (2 to ${width})`);
    const at = names.flatMap((n, i) => (n === name ? [i] : []));
    if (at.length === 0) throw new CsvError(`${source} has no column ${JSON.stringify(wanted)}${listed}`);
    if (at.length > 1) throw new CsvError(`${source} has ${at.length} columns named ${JSON.stringify(wanted)}: give its number instead (${at.map((i) => i + 1).join(' or ')})`);
    if (at[0] === 0) throw new CsvError(`${source}: ${JSON.stringify(wanted)} is the first column, the timestamp`);
    return at[0]!;
  }
  if (width === 2) return 1;
  if (names) {
    for (const price of PRICE_NAMES) {
      const at = names.flatMap((n, i) => (i > 0 && n === price ? [i] : []));
      if (at.length === 1) return at[0]!;
      if (at.length > 1) throw new CsvError(`${source} has ${at.length} columns named "${price}": choose one with --csv-column N (market.column in a config)${listed}`);
    }
    throw new CsvError(`${source} has ${width} columns${listed} and none is named close or price: choose the price with --csv-column NAME (market.column in a config)`);
  }
  throw new CsvError(`${source} has ${width} values per row and no header: choose the price column with --csv-column N, 2 to ${width} (market.column in a config)`);
}

/** Reads a price CSV, choosing its price column (see the module comment). */
export function readPriceTable(text: string, source = 'csv', options: PriceCsvOptions = {}): PriceTable {
  const timesMs: number[] = [];
  const prices: number[] = [];
  const lines = text.split(/\r?\n/);
  let width = 0;
  let widthLine = 0;
  let header: string[] | undefined;
  let column = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',').map(unquote);
    const where = `${source} line ${i + 1}`;
    if (width === 0) {
      if (cells.length < 2) throw new CsvError(`${where}: expected "timestamp,price", got ${JSON.stringify(line)}`);
      width = cells.length;
      widthLine = i + 1;
      // A header has a name after the timestamp's; a row of numbers with a bad timestamp is a bad row.
      const isHeader = cells.slice(1).some((c) => !NUMBER.test(c));
      if (isHeader) header = cells;
      column = priceColumn(source, width, header, options.column);
      if (isHeader) continue;
    } else if (cells.length !== width) {
      throw new CsvError(`${where}: ${cells.length} values where line ${widthLine} has ${width}: every row needs the same columns${header ? ` (${header.join(',')})` : ''}`);
    }
    const time = parseTimestamp(cells[0]!);
    if (time === undefined) throw new CsvError(`${where}: ${JSON.stringify(cells[0]!)} is not an ISO-8601 timestamp or epoch seconds/milliseconds`);
    const priceText = cells[column]!;
    const price = NUMBER.test(priceText) ? Number(priceText) : NaN;
    if (!(price > 0 && Number.isFinite(price))) throw new CsvError(`${where}: price ${JSON.stringify(priceText)} must be a number > 0`);
    if (timesMs.length > 0 && !(time > timesMs[timesMs.length - 1]!)) throw new CsvError(`${where}: timestamps must be strictly increasing`);
    timesMs.push(time);
    prices.push(price);
  }
  if (prices.length < 2) throw new CsvError(`${source}: needs at least 2 rows of timestamp,price (found ${prices.length})`);
  return {
    series: { timesMs, prices },
    column: header ? header[column]! : `column ${column + 1}`,
    columnChoice: header ? header[column]! : column + 1,
    width,
    ...(header ? { header } : {}),
  };
}

/** The series of a price CSV (see {@link readPriceTable}). */
export function parsePriceCsv(text: string, source = 'csv', options: PriceCsvOptions = {}): PriceSeries {
  return readPriceTable(text, source, options).series;
}
