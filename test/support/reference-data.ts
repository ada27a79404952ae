/**
 * Loads the high-precision reference tables of test/reference (made with mpmath, see
 * its README). Values below 1e-300 are stored as strings; they parse to the nearest
 * double (subnormal or zero), and tests compare them with their own rule.
 */
import { readFileSync } from 'node:fs';

export type ReferenceField = 'price' | 'delta' | 'gamma' | 'vega' | 'theta' | 'rho' | 'vanna' | 'volga';

export const REFERENCE_FIELDS: readonly ReferenceField[] = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga'];

export interface ReferenceCase extends Record<ReferenceField, number | string> {
  readonly type: 'call' | 'put';
  readonly spot?: number;
  readonly forward?: number;
  readonly strike: number;
  readonly maturity: number;
  readonly vol: number;
  readonly rate: number;
  readonly yield?: number;
  readonly tag: string;
}

export function loadReference<T = ReferenceCase>(name: string): T[] {
  const url = new URL(`../reference/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T[];
}

export function referenceNumber(value: number | string): number {
  return typeof value === 'string' ? Number(value) : value;
}
