/**
 * Answers of the configuration API's use cases that are not success, each with the
 * `code` the HTTP layer maps to a status (shared/runtime/http/problem-error-handler.ts).
 */
export class ConfigApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The resource does not exist (404). */
export class NotFoundError extends ConfigApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, options);
  }
}

/** The write must say which version it replaces (428). */
export class PreconditionRequiredError extends ConfigApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PRECONDITION_REQUIRED', message, options);
  }
}

/** The resource is not in a state that allows the request (409). */
export class StateConflictError extends ConfigApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFLICT', message, options);
  }
}

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** The request is well-formed but refused for what it says: 400 (INVALID_CONFIG) or 403 (FORBIDDEN), with the fields at fault. */
export class ConfigRejectedError extends ConfigApiError {
  constructor(
    code: 'INVALID_CONFIG' | 'FORBIDDEN',
    message: string,
    readonly fieldErrors: readonly FieldError[],
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The caller may not do this (403), whatever the body says. */
export class ForbiddenError extends ConfigApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FORBIDDEN', message, options);
  }
}

/** True for an adapter's lost conditional write; `current` is null when the item is absent. */
export function isConflict(error: unknown): error is Error & { code: 'CONFLICT'; current: unknown } {
  return error instanceof Error && (error as { code?: unknown }).code === 'CONFLICT';
}
