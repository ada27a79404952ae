/**
 * Errors of the pure core. Each carries a stable machine-readable `code` and the
 * offending field where there is one, so adapters can map them (e.g. to a 400 with
 * field-level details) without parsing messages.
 */
export class DomainError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An input that is missing, not a finite number, or outside its domain. */
export class InvalidInputError extends DomainError {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, requirement: string) {
    super('INVALID_INPUT', `${field} ${requirement} (got ${describe(value)})`);
    this.field = field;
    this.value = value;
  }
}

/** An option price outside the no-arbitrage bounds: no volatility reproduces it. */
export class PriceOutOfBoundsError extends DomainError {
  readonly price: number;
  readonly lowerBound: number;
  readonly upperBound: number;

  constructor(price: number, lowerBound: number, upperBound: number) {
    const side = price < lowerBound ? `below the lower bound ${lowerBound}` : `at or above the upper bound ${upperBound}`;
    super(
      'PRICE_OUT_OF_BOUNDS',
      `price ${price} is ${side} (no-arbitrage range [${lowerBound}, ${upperBound})): no volatility reproduces it`,
    );
    this.price = price;
    this.lowerBound = lowerBound;
    this.upperBound = upperBound;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  return typeof value;
}
