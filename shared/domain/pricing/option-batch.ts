/**
 * n European options on spot underlyings as a struct of typed arrays (every array has
 * length n): the input of the batch kernel. Passing arrays and an index, rather than n×7
 * numbers, keeps doubles unboxed across the kernel call.
 */
export interface BsmBatch {
  /** 1 for a put, 0 for a call. */
  readonly isPut: Uint8Array;
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  readonly maturity: Float64Array;
  readonly vol: Float64Array;
  readonly rate: Float64Array;
  readonly yield: Float64Array;
}

/** An empty batch of n rows. */
export function allocateBsmBatch(n: number): BsmBatch {
  return {
    isPut: new Uint8Array(n),
    spot: new Float64Array(n),
    strike: new Float64Array(n),
    maturity: new Float64Array(n),
    vol: new Float64Array(n),
    rate: new Float64Array(n),
    yield: new Float64Array(n),
  };
}
