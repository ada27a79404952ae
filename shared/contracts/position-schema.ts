/**
 * The Position of the exposure domain (shared/domain/exposure/positions.ts) as a zod
 * schema, for the data that crosses a boundary: the positions API and the store.
 *
 * The schema and the domain type are kept equal by the compiler: `z.infer` of the schema
 * must be assignable to `Position` and `Position` to it (see the assertions at the end),
 * so a field added to one and not the other fails `tsc`. Optional fields use
 * `exactOptional` because the project compiles with exactOptionalPropertyTypes.
 *
 * @example
 * PositionSchema.parse({ id: 'p1', underlying: 'ETH', quantity: -10, kind: 'option', optionType: 'call', strike: 3500, expiryMs: 1767225600000 });
 */
import * as z from 'zod';
import { MAX_TICK, MIN_TICK } from '../domain/exposure/concentrated-liquidity.ts';
import type { Position } from '../domain/exposure/positions.ts';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const epochMs = z.number().int().positive();

const base = {
  id: z.string().min(1).max(128),
  underlying: z.string().min(1).max(32),
  quantity: finite,
};

export const OptionPositionSchema = z
  .object({
    ...base,
    kind: z.literal('option'),
    optionType: z.enum(['call', 'put']),
    strike: z.number().positive(),
    expiryMs: epochMs,
    vol: z.number().positive().exactOptional(),
  })
  .strict();

export const LinearPositionSchema = z.object({ ...base, kind: z.enum(['spot', 'perp']) }).strict();

export const FuturePositionSchema = z.object({ ...base, kind: z.literal('future'), expiryMs: epochMs }).strict();

/** A Uniswap V3 liquidity position as the pool stores it (NonfungiblePositionManager.positions). */
export const LiquidityPositionSchema = z
  .object({
    ...base,
    kind: z.literal('uniswap-v3-liquidity'),
    pool: z.string().regex(/^0x[0-9a-fA-F]{40}$/u, 'must be a 0x-prefixed 20-byte address'),
    tickLower: z.number().int().min(MIN_TICK).max(MAX_TICK),
    tickUpper: z.number().int().min(MIN_TICK).max(MAX_TICK),
    liquidity: z
      .string()
      .regex(/^[0-9]{1,39}$/u, 'must be the pool’s uint128 liquidity in decimal')
      .refine((text) => BigInt(text) > 0n && BigInt(text) < 2n ** 128n, { message: 'must be 0 < liquidity < 2^128' }),
    baseIsToken0: z.boolean(),
    baseDecimals: z.number().int().min(0).max(36),
    quoteDecimals: z.number().int().min(0).max(36),
  })
  .strict()
  .refine((p) => p.tickLower < p.tickUpper, { message: 'tickLower must be below tickUpper', path: ['tickUpper'] });

export const PositionSchema = z.discriminatedUnion('kind', [OptionPositionSchema, LinearPositionSchema, FuturePositionSchema, LiquidityPositionSchema]);

export type PositionFromSchema = z.infer<typeof PositionSchema>;

// Compile-time checks, both ways: the schema's output is a Position and every Position passes the schema's type.
type AssertAssignable<A extends B, B> = [A, B];
export type PositionSchemaMatchesDomain = [
  AssertAssignable<PositionFromSchema, Position>,
  AssertAssignable<Position, PositionFromSchema>,
];
