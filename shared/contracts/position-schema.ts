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

export const PositionSchema = z.discriminatedUnion('kind', [OptionPositionSchema, LinearPositionSchema, FuturePositionSchema]);

export type PositionFromSchema = z.infer<typeof PositionSchema>;

// Compile-time checks, both ways: the schema's output is a Position and every Position passes the schema's type.
type AssertAssignable<A extends B, B> = [A, B];
export type PositionSchemaMatchesDomain = [
  AssertAssignable<PositionFromSchema, Position>,
  AssertAssignable<Position, PositionFromSchema>,
];
