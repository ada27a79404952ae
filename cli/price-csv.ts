/**
 * Reads a `timestamp,price` CSV for `hedge backtest` replays. One row per observation;
 * a first line whose price is not a number is a header and is skipped; blank lines and
 * lines starting with # are ignored. Timestamps are either
 *  - ISO-8601 ("2025-03-01", "2025-03-01T12:00:00Z", "2025-03-01T12:00:00+02:00"; a
 *    date-time without an offset is read as UTC), or
 *  - epoch numbers: seconds below 1e11 (i.e. before the year 5138), milliseconds from
 *    1e11 up.
 * Rows must be in strictly increasing time order and prices finite and > 0. Errors name
 * the line.
 */
import type { PriceSeries } from '../shared/contracts/backtest-config.ts';

export class CsvError extends Error {}

const EPOCH_SECONDS_BELOW = 1e11;
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Epoch milliseconds of a timestamp cell, or undefined. */
export function parseTimestamp(cell: string): number | undefined {
  const text = cell.trim().replace(/^"|"$/g, '');
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

export function parsePriceCsv(text: string, source = 'csv'): PriceSeries {
  const timesMs: number[] = [];
  const prices: number[] = [];
  const lines = text.split(/\r?\n/);
  let seenRow = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(',');
    const where = `${source} line ${i + 1}`;
    if (cells.length < 2) throw new CsvError(`${where}: expected "timestamp,price", got ${JSON.stringify(line)}`);
    const priceText = cells[1]!.trim().replace(/^"|"$/g, '');
    if (!seenRow && !NUMBER.test(priceText)) {
      seenRow = true; // a header
      continue;
    }
    seenRow = true;
    const time = parseTimestamp(cells[0]!);
    if (time === undefined) throw new CsvError(`${where}: ${JSON.stringify(cells[0]!.trim())} is not an ISO-8601 timestamp or epoch seconds/milliseconds`);
    const price = NUMBER.test(priceText) ? Number(priceText) : NaN;
    if (!(price > 0 && Number.isFinite(price))) throw new CsvError(`${where}: price ${JSON.stringify(priceText)} must be a number > 0`);
    if (timesMs.length > 0 && !(time > timesMs[timesMs.length - 1]!)) throw new CsvError(`${where}: timestamps must be strictly increasing`);
    timesMs.push(time);
    prices.push(price);
  }
  if (prices.length < 2) throw new CsvError(`${source}: needs at least 2 rows of timestamp,price (found ${prices.length})`);
  return { timesMs, prices };
}
