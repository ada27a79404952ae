/**
 * RFC 9457 problem details: the one error shape of our HTTP APIs
 * (`application/problem+json`, `{ type, title, status, detail, errors? }`), with
 * field-level `errors` (`path` names where: `body.band.trigger`, `header.if-match`,
 * `query.limit`, `path.positionId`).
 *
 * @example
 * throw new HttpProblem(428, 'precondition-required', 'Precondition Required', 'send If-Match with the version you read');
 */
export interface ProblemFieldError {
  readonly path: string;
  readonly message: string;
}

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly ProblemFieldError[];
}

/** Problem `type` URIs are `urn:hedge:problem:<slug>`. */
export const problemType = (slug: string): string => `urn:hedge:problem:${slug}`;

export class HttpProblem extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly errors: readonly ProblemFieldError[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    slug: string,
    title: string,
    detail: string,
    options: { errors?: readonly ProblemFieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpProblem';
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  toBody(): ProblemBody {
    const body = { type: problemType(this.slug), title: this.title, status: this.status, detail: this.message };
    return this.errors === undefined || this.errors.length === 0 ? body : { ...body, errors: this.errors };
  }
}
